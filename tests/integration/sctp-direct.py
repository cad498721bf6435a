# SPDX-License-Identifier: GPL-2.0-or-later
# sctp-direct.py: SCTP for the DR/TUN test (sctp-direct.sh), made with scapy
# (the lab's kernels have no SCTP module).
#
#   send VIP PORT SPORT N OUT CAPS CHUNK...   N associations from source
#       ports SPORT.., each sending the CHUNKs in order (init, cookie, data,
#       shutdown, shutdown-complete, abort, hostile: badlen0, badlong,
#       short); the IP packets sent are appended to OUT, one hex line each;
#       CAPS: the captures (comma-separated) that must see each packet,
#       or - for packets that are not to arrive
#   capture DEV OUT   the SCTP packets arriving on DEV (bare, or inside
#       IPIP / IPv6-in-IPv6: the inner packet), one hex line each
#   compare SENT CAP...   every packet captured must be one sent, byte for
#       byte but for two TTL / hop limit steps (the router's and nlvsd's,
#       which decrements as the kernel's IPVS does); prints
#       "rs1=A rs2=B rs3=C pkts=P foreign=F split=S": associations (by source
#       port) seen per capture, distinct packets matched, packets nobody sent, and
#       associations seen on more than one capture
import socket, struct, sys, time

from scapy.layers.inet import IP
from scapy.layers.inet6 import IPv6
from scapy.layers.sctp import (SCTP, SCTPChunkAbort, SCTPChunkCookieEcho, SCTPChunkData,
                               SCTPChunkInit, SCTPChunkShutdown,
                               SCTPChunkShutdownComplete)


def chunk(name, sport):
    tag = 0x10000 + sport
    if name in ("init", "init2"):	# init2: a later INIT, other bytes
        return 0, SCTPChunkInit(init_tag=tag, a_rwnd=65536 if name == "init" else 32768,
                                n_out_streams=1, n_in_streams=1, init_tsn=1)
    body = {
        "cookie": SCTPChunkCookieEcho(cookie=b"cookie-%d" % sport),
        "data": SCTPChunkData(tsn=1, stream_id=0, stream_seq=0, data=b"data %d" % sport),
        "shutdown": SCTPChunkShutdown(cumul_tsn_ack=1),
        "shutdown-complete": SCTPChunkShutdownComplete(),
        "abort": SCTPChunkAbort(),
    }.get(name)
    if body is not None:
        return tag, body
    # hostile: a chunk length of 0, one past the packet, a bare half header
    raw = {"badlen0": b"\x00\x03\x00\x00" + b"\0" * 12,
           "badlong": b"\x00\x03\x00\x40" + b"\0" * 12,
           "short": None}[name]
    return tag, raw


def build(vip, port, sport, name):
    v6 = ":" in vip
    ip = (IPv6(src="fd00:78:1::2", dst=vip, hlim=64) if v6 else
          IP(src="10.78.1.2", dst=vip, ttl=64, id=sport))
    tag, body = chunk(name, sport)
    if name == "short":
        pkt = ip / struct.pack("!HHI", sport, port, tag)   # 8 of 12 header bytes
        if v6:
            pkt[IPv6].nh = 132
        else:
            pkt[IP].proto = 132
        return bytes(pkt)
    if isinstance(body, bytes):
        # the checksum is right: only the chunk is hostile
        hdr = bytes(SCTP(sport=sport, dport=port, tag=tag) / body)
        return bytes(ip / SCTP(hdr))
    return bytes(ip / SCTP(sport=sport, dport=port, tag=tag) / body)


def caught(caps):
    got = set()
    for cap in caps:
        got.update(unroute(bytes.fromhex(l)).hex() for l in open(cap).read().split())
    return got


def send(vip, port, sport, n, out, names, caps):
    """With caps, a chunk type goes out for all N before the next, and a
    packet no capture saw within 1 s (less than INIT1's 4 s) is sent again
    (what SCTP's own retransmission would do; a repeat leaves the states
    this test reaches as they are), ten times at most."""
    v6 = ":" in vip
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW,
                      socket.IPPROTO_RAW)
    with open(out, "a") as f:
        for name in names:
            pkts = [build(vip, port, sport + i, name) for i in range(n)]
            for b in pkts:
                f.write(b.hex() + "\n")
            for _ in range(10 if caps else 1):
                for b in pkts:
                    s.sendto(b, (vip, 0))
                if not caps:
                    break
                end = time.time() + 1
                while pkts and time.time() < end:
                    time.sleep(0.1)
                    got = caught(caps)
                    pkts = [b for b in pkts if b.hex() not in got]
                if not pkts:
                    break


def inner(b):
    """The SCTP packet in an IP packet b, itself or tunnelled, or None."""
    for _ in range(2):
        if len(b) < 20:
            return None
        ver = b[0] >> 4
        proto = b[9] if ver == 4 else b[6] if ver == 6 else None
        hl = (b[0] & 15) * 4 if ver == 4 else 40
        if proto == 132:
            return b
        if proto not in (4, 41):
            return None
        b = b[hl:]
    return None


def capture(dev, out):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((dev, 0))
    with open(out, "a") as f:
        while True:
            frame, addr = s.recvfrom(65535)
            if addr[2] == socket.PACKET_OUTGOING or frame[12:14] not in (b"\x08\x00",
                                                                         b"\x86\xdd"):
                continue
            b = inner(frame[14:])
            if b is not None:
                f.write(b.hex() + "\n")
                f.flush()


def unroute(b):
    """b as the client sent it: the router and the director each took one
    from TTL / hop limit; Ethernet padding cut."""
    b = bytearray(b)
    if b[0] >> 4 == 6:
        b = b[:40 + struct.unpack("!H", b[4:6])[0]]
        b[7] += 2
        return bytes(b)
    b = b[:struct.unpack("!H", b[2:4])[0]]
    b[8] += 2
    b[10:12] = b"\0\0"
    hl = (b[0] & 15) * 4
    s = sum(struct.unpack("!%dH" % (hl // 2), bytes(b[:hl])))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    b[10:12] = struct.pack("!H", ~s & 0xffff)
    return bytes(b)


def compare(sent, caps):
    want = set(open(sent).read().split())
    owner, counts, pkts, foreign, split = {}, [], set(), 0, set()
    for i, cap in enumerate(caps):
        seen = set()
        for line in open(cap).read().split():
            b = unroute(bytes.fromhex(line))
            if b.hex() not in want:
                foreign += 1
                continue
            pkts.add(b)
            v6 = b[0] >> 4 == 6
            sport = struct.unpack("!H", b[40 if v6 else 20:][:2])[0]
            key = (v6, sport)
            seen.add(key)
            if owner.setdefault(key, i) != i:
                split.add(key)
        counts.append(len(seen))
    print(" ".join("rs%d=%d" % (i + 1, c) for i, c in enumerate(counts)) +
          " pkts=%d foreign=%d split=%d" % (len(pkts), foreign, len(split)))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "send":
        caps = sys.argv[7].split(",") if sys.argv[7] != "-" else []
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6],
             sys.argv[8:], caps)
    elif cmd == "capture":
        capture(sys.argv[2], sys.argv[3])
    else:
        compare(sys.argv[2], sys.argv[3:])
