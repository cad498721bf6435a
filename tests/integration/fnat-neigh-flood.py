# SPDX-License-Identifier: GPL-2.0-or-later
# Neighbour-table floods from the client side: requests for nlvsd's own
# address from COUNT distinct senders, each with its own MAC.
# usage: fnat-neigh-flood.py IFACE KIND COUNT
#   arp-offlink    ARP requests for 10.77.1.1 from 192.168.x.y
#   nd-offlink     neighbour solicitations for fd00:77:1::1 from fd00:99::x:y
#   nd-onlink      the same from fd00:77:1::1:x:y (on the connected /64)
import sys
from scapy.all import (Ether, ARP, IPv6, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, sendp,
                       conf)

conf.verb = 0
iface, kind, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
pkts = []
for i in range(count):
    mac = "02:5e:%02x:%02x:%02x:%02x" % (ord(kind[3]), (i >> 16) & 255, (i >> 8) & 255,
                                         i & 255)
    if kind == "arp-offlink":
        sip = "192.168.%d.%d" % (i // 250, i % 250 + 1)
        pkts.append(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") /
                    ARP(op=1, hwsrc=mac, psrc=sip, pdst="10.77.1.1"))
    else:
        pfx = "fd00:99::" if kind == "nd-offlink" else "fd00:77:1::1:"
        src = pfx + "%x:%x" % (i // 250 + 1, i % 250 + 1)
        pkts.append(Ether(src=mac, dst="33:33:ff:00:00:01") /
                    IPv6(src=src, dst="ff02::1:ff00:1", hlim=255) /
                    ICMPv6ND_NS(tgt="fd00:77:1::1") / ICMPv6NDOptSrcLLAddr(lladdr=mac))
# a little spacing: the flood must reach nlvsd, not overflow af_packet's ring
sendp(pkts, iface=iface, inter=0.0002)
print(len(pkts))
