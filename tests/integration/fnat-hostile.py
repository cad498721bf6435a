# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed and hostile packets to the VIP, sent raw from the client side.
# usage: fnat-hostile.py IFACE LB_MAC VIP LADDR KIND [COUNT]
import random, sys
from scapy.all import Ether, IP, TCP, UDP, Raw, sendp, conf, RandShort

conf.verb = 0
iface, mac, vip, laddr, kind = sys.argv[1:6]
count = int(sys.argv[6]) if len(sys.argv) > 6 else 10
src = "10.77.1.2"
eth = Ether(dst=mac)
pkts = []
for i in range(count):
    sp = 20000 + 100 * ["truncated-ip", "bad-length", "options", "fragment", "ttl1", "odd-flags",
                       "truncated-tcp", "not-syn", "no-service", "no-conn",
                       "syn-flood"].index(kind) + i
    if kind == "truncated-ip":
        pkts.append(eth / Raw(bytes(IP(src=src, dst=vip))[:12]))
        pkts[-1].type = 0x0800
    elif kind == "bad-length":
        p = IP(src=src, dst=vip, len=400) / TCP(sport=sp, dport=80, flags="S")
        pkts.append(eth / Raw(bytes(p)))
        pkts[-1].type = 0x0800
    elif kind == "options":
        pkts.append(eth / IP(src=src, dst=vip, options=b"\x01\x01\x01\x00") /
                    TCP(sport=sp, dport=80, flags="S"))
    elif kind == "fragment":
        pkts.append(eth / IP(src=src, dst=vip, flags="MF", id=i + 1) /
                    TCP(sport=sp, dport=80, flags="S") / Raw(b"x" * 64))
    elif kind == "ttl1":
        pkts.append(eth / IP(src=src, dst=vip, ttl=1) / TCP(sport=sp, dport=80, flags="S"))
    elif kind == "odd-flags":
        fl = ["SF", "", "FPU", "SR", "SRAFPU"][i % 5]
        pkts.append(eth / IP(src=src, dst=vip) / TCP(sport=sp, dport=80, flags=fl))
    elif kind == "truncated-tcp":
        p = IP(src=src, dst=vip, proto=6) / Raw(b"\x12\x34\x00\x50\x00\x00")
        pkts.append(eth / p)
    elif kind == "not-syn":
        pkts.append(eth / IP(src=src, dst=vip) / TCP(sport=sp, dport=80, flags="A"))
    elif kind == "no-service":
        pkts.append(eth / IP(src=src, dst=vip) / UDP(sport=sp, dport=4444) / Raw(b"?"))
    elif kind == "no-conn":
        pkts.append(eth / IP(src=src, dst=laddr) / TCP(sport=sp, dport=40000 + i, flags="A"))
    elif kind == "syn-flood":
        s = "10.77.1.%d" % random.randint(100, 250)
        pkts.append(eth / IP(src=s, dst=vip) /
                    TCP(sport=random.randint(1024, 65535), dport=80, flags="S",
                        seq=random.randint(0, 2**32 - 1)))
sendp(pkts, iface=iface)
print(len(pkts))
