# SPDX-License-Identifier: GPL-2.0-or-later
# SRC DST PORT MTU: datagrams of 1400 bytes with DF (IPv4) / no fragmentation
# (IPv6) from a socket on SRC ("" for any) connected to DST:PORT, one every
# 100 ms for up to 20 s (a loaded machine may take seconds to send and
# process the error), until the kernel refuses one with EMSGSIZE: an ICMP error
# ("fragmentation needed" / "packet too big") lowered the path MTU.
# Prints "EMSGSIZE after N sent, mtu M" or "no EMSGSIZE after N sent, mtu M";
# exits 0 only for EMSGSIZE with the socket's path MTU equal to MTU.
import errno, socket, sys, time

src, dst, port, want = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if ":" in dst:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, 23, 2)	# IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO
    opt = (socket.IPPROTO_IPV6, 24)		# IPV6_MTU
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, 10, 2)	# IP_MTU_DISCOVER, IP_PMTUDISC_DO
    opt = (socket.IPPROTO_IP, 14)		# IP_MTU
s.bind((src, 0))
s.connect((dst, port))
sent = 0
end = time.monotonic() + 20
while time.monotonic() < end:
    try:
        s.send(b"x" * 1400)
        sent += 1
    except OSError as e:
        if e.errno == errno.EMSGSIZE:
            mtu = s.getsockopt(*opt)
            print("EMSGSIZE after %d sent, mtu %d" % (sent, mtu))
            sys.exit(0 if mtu == want else 1)
        raise
    time.sleep(0.1)
print("no EMSGSIZE after %d sent, mtu %d" % (sent, s.getsockopt(*opt)))
sys.exit(1)
