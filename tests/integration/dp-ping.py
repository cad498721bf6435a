#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Minimal ping for the dp-*.sh tests (iputils-ping is not always installed):
#   dp-ping.py DST [COUNT] [TTL] [TIMEOUT]
# (TIMEOUT per request, default 5 s: generous for a loaded machine; an
# answer ends the wait at once)
# prints one line per answer ("reply from A", "time exceeded from A") and
# exits 0 when every request got an echo reply.
import os
import select
import socket
import struct
import sys
import time


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def main():
    dst = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    ttl = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
    v6 = ':' in dst
    af = socket.AF_INET6 if v6 else socket.AF_INET
    s = socket.socket(af, socket.SOCK_RAW,
                      socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
    else:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    ident = os.getpid() & 0xffff
    ok = 0
    for seq in range(count):
        payload = b'nlvs-dp-ping' * 4
        hdr = struct.pack('!BBHHH', 128 if v6 else 8, 0, 0, ident, seq)
        if not v6:  # the kernel fills ICMPv6 checksums of raw sockets
            hdr = struct.pack('!BBHHH', 8, 0, csum(hdr + payload), ident, seq)
        s.sendto(hdr + payload, (dst, 0))
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([s], [], [], end - time.time())
            if not r:
                break
            data, addr = s.recvfrom(4096)
            icmp = data if v6 else data[(data[0] & 0xf) * 4:]
            if len(icmp) < 8:
                continue
            t = icmp[0]
            if t == (129 if v6 else 0):
                if struct.unpack('!HH', icmp[4:8]) == (ident, seq):
                    print('reply from %s seq %d' % (addr[0], seq))
                    ok += 1
                    break
            elif t == (3 if v6 else 11):
                inner = icmp[8:]
                off = 40 if v6 else (inner[0] & 0xf) * 4 if inner else 0
                q = inner[off:off + 8]
                if len(q) == 8 and struct.unpack('!HH', q[4:8]) == (ident, seq):
                    print('time exceeded from %s seq %d' % (addr[0], seq))
                    break
        time.sleep(0.1)
    print('%d/%d replies' % (ok, count))
    return 0 if ok == count else 1


sys.exit(main())
