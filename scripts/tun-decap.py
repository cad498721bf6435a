# SPDX-License-Identifier: GPL-2.0-or-later
# tun-decap.py DEV [GUE_PORT]: a real server's tunnel end in user space, for
# kernels built without ipip, ip_gre and fou (the labs' hosts): takes IPIP
# (4in4, 6in6, 4in6, 6in4), GRE and, with GUE_PORT, GUE packets addressed to
# this host, checks what a kernel tunnel would check (GRE checksum when
# present, GUE version), and writes the inner packet into the TUN device DEV
# (created by the caller with `ip tuntap add DEV mode tun`), where the kernel
# receives it as it would from a tunnel device.  One line per packet it
# refuses, on stdout.
import fcntl, os, select, socket, struct, sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
UDP_NO_CHECK6_RX = 102

dev = sys.argv[1]
gue_port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
tun = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", dev.encode(), IFF_TUN | IFF_NO_PI))

socks = {}
for fam in (socket.AF_INET, socket.AF_INET6):
    for proto in (4, 41, 47):
        s = socket.socket(fam, socket.SOCK_RAW, proto)
        s.setsockopt(socket.SOL_SOCKET, 33, 4 << 20)  # SO_RCVBUFFORCE
        socks[s.fileno()] = (s, fam, proto)
    if gue_port:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            # the kernel's GUE over IPv6 carries no UDP checksum unless asked
            s.setsockopt(socket.IPPROTO_UDP, UDP_NO_CHECK6_RX, 1)
        s.setsockopt(socket.SOL_SOCKET, 33, 4 << 20)
        s.bind(("", gue_port))
        socks[s.fileno()] = (s, fam, "gue")


def csum(b):
    if len(b) & 1:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def inner_of(data, fam, proto):
    if proto == "gue":
        if data[0] >> 6 != 0:
            return None, "gue-version"
        return data[4 + (data[0] & 0x1F) * 4:], None
    if fam == socket.AF_INET:  # raw IPv4 sockets hand over the IP header
        data = data[(data[0] & 0x0F) * 4:]
    if proto != 47:
        return data, None
    flags, eproto = struct.unpack("!HH", data[:4])
    if flags & ~0x8000 or eproto not in (0x0800, 0x86DD):
        return None, "gre-header"
    if flags & 0x8000:
        if csum(data) != 0xFFFF:
            return None, "gre-checksum"
        return data[8:], None
    return data[4:], None


while True:
    for fd in select.select(list(socks), [], [])[0]:
        s, fam, proto = socks[fd]
        data = s.recv(65535)
        inner, why = inner_of(data, fam, proto)
        if inner is None:
            print("refused", proto, why, flush=True)
            continue
        try:
            os.write(tun, inner)
        except OSError as e:
            print("refused", proto, e, flush=True)
