# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden fuzz: the classes of packets nlvsd's packet path parses (ARP, ND,
IPv4 and IPv6 to a VIP, a local and a port address, echo, ICMP errors
quoting a connection, IPv6 extension headers, transit), each mutated
(bytes flipped, cut short, grown) from a fixed seed, so every run replays
the same packets.  What must hold: nlvsd receives them all, stops cleanly
(under `make check-sanitize` an ASan or UBSan finding stops it first) and
still forwards a valid SYN sent after them.

    fuzz.py gen|check DIR
"""
import os
import random
import sys

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Ether, ICMPv6DestUnreach, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                       ICMPv6PacketTooBig, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop, Raw,
                       rdpcap, wrpcap)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden as g  # noqa: E402

SEED = 15
ROUNDS = 150            # mutants of each template
FINAL_SEQ = 4242424     # the SYN sent after the fuzz, found by its sequence number


def templates():
    """Valid packets of every class, as frames from the router or the real server."""
    c4, c6 = g.CLIENT4, g.CLIENT6
    quoted4 = IP(src=g.LADDR4, dst=g.RS4) / TCP(sport=5000, dport=g.TCP_RPORT, flags="S")
    quoted6 = IPv6(src=g.LADDR6, dst=g.RS6) / TCP(sport=5000, dport=g.TCP_RPORT, flags="S")
    return [
        Ether(src=g.RS_MAC, dst="ff:ff:ff:ff:ff:ff") /
        ARP(op=1, hwsrc=g.RS_MAC, psrc=g.RS4, pdst=g.LB4),
        Ether(src=g.RS_MAC, dst=g.LB_MAC) /
        ARP(op=2, hwsrc=g.RS_MAC, psrc=g.RS4, hwdst=g.LB_MAC, pdst=g.LB4),
        Ether(src=g.RS_MAC, dst="33:33:ff:00:00:01") /
        IPv6(src=g.RS6, dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt=g.LB6) /
        ICMPv6NDOptSrcLLAddr(lladdr=g.RS_MAC),
        g.from_rs(IPv6(src=g.RS6, dst=g.LB6, hlim=255) / ICMPv6ND_NA(tgt=g.RS6, S=1, O=1) /
                  ICMPv6NDOptDstLLAddr(lladdr=g.RS_MAC)),
        g.from_router(IP(src=c4, dst=g.VIP4) / TCP(sport=40000, dport=g.TCP_VPORT, flags="S")),
        g.from_router(IP(src=c4, dst=g.VIP4) / UDP(sport=40000, dport=g.UDP_VPORT) /
                      Raw(b"fuzz")),
        g.from_router(IP(src=c4, dst=g.LB4) / ICMP(type=8, id=7, seq=1) / Raw(b"ping")),
        g.from_router(IP(src=c4, dst="203.0.113.9") / UDP(sport=1, dport=2)),
        g.from_rs(IP(src=g.RS4, dst=g.LADDR4) / TCP(sport=g.TCP_RPORT, dport=5000,
                                                   flags="SA")),
        g.from_rs(IP(src=g.RS4, dst=g.LADDR4) / ICMP(type=3, code=4, nexthopmtu=1400) /
                  Raw(bytes(quoted4)[:28])),
        g.from_router(IPv6(src=c6, dst=g.VIP6) / TCP(sport=40000, dport=g.TCP_VPORT,
                                                    flags="S")),
        g.from_router(IPv6(src=c6, dst=g.VIP6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
                      UDP(sport=40000, dport=g.UDP_VPORT) / Raw(b"fuzz")),
        g.from_router(IPv6(src=c6, dst=g.LB6) / ICMPv6EchoRequest(id=7, seq=1)),
        g.from_router(IPv6(src=c6, dst="2001:db8:99::9") / UDP(sport=1, dport=2)),
        g.from_rs(IPv6(src=g.RS6, dst=g.LADDR6) / ICMPv6PacketTooBig(mtu=1280) /
                  Raw(bytes(quoted6))),
        g.from_rs(IPv6(src=g.RS6, dst=g.LADDR6) / ICMPv6DestUnreach(code=4) /
                  Raw(bytes(quoted6)[:44])),
    ]


def mutate(rnd, frame):
    """@frame's bytes, changed after the Ethernet addresses: flips, a cut or growth."""
    b = bytearray(bytes(frame))
    kind = rnd.randrange(4)
    if kind <= 1:
        for _ in range(rnd.randint(1, 4)):
            i = rnd.randrange(12, len(b))
            b[i] = rnd.randrange(256) if kind == 0 else b[i] ^ (1 << rnd.randrange(8))
    elif kind == 2:
        del b[rnd.randrange(14, len(b)):]
    else:
        b += bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64)))
    return Ether(bytes(b))


def final_syn():
    return g.from_router(IP(src=g.CLIENT4, dst=g.VIP4) /
                         TCP(sport=55555, dport=g.TCP_VPORT, flags="S", seq=FINAL_SEQ))


def inputs():
    rnd = random.Random(SEED)
    pkts = []
    prelude, _ = g.neighbour_prelude()
    pkts += prelude
    base = templates()
    for _ in range(ROUNDS):
        for t in base:
            pkts.append(mutate(rnd, t))
    # the real server again, in case a mutant gave its address another MAC
    pkts += prelude
    pkts.append(final_syn())
    return pkts


def main(argv):
    if len(argv) < 3 or argv[1] not in ("gen", "check"):
        sys.stderr.write("usage: %s gen|check DIR\n" % argv[0])
        return 2
    outdir = argv[2]
    if argv[1] == "gen":
        pkts = inputs()
        wrpcap(os.path.join(outdir, "in.pcap"), pkts)
        with open(os.path.join(outdir, "topology.conf"), "w") as f:
            f.write(g.TOPOLOGY)
        with open(os.path.join(outdir, "state"), "w") as f:
            f.write(g.state_records())
        with open(os.path.join(outdir, "npkts"), "w") as f:
            f.write("%d\n" % len(pkts))
        return 0
    report = g.Report()
    with open(os.path.join(outdir, "npkts")) as f:
        n = int(f.read())
    st = g.stats_read(os.path.join(outdir, "stats"))
    report.result(st.get("rx") == n, "all %d fuzzed packets received" % n,
                  ["rx %s" % st.get("rx")])
    drops = sum(v for k, v in st.items() if k.startswith("drop.") and isinstance(v, int))
    report.result(drops > 0, "malformed packets are dropped and counted (%d)" % drops)
    path = os.path.join(outdir, "out.pcap")
    got = rdpcap(path) if os.path.exists(path) else []
    fwd = [p for p in got if TCP in p and IP in p and p[TCP].seq == FINAL_SEQ and
           p[IP].dst == g.RS4 and p[TCP].dport == g.TCP_RPORT]
    report.result(len(fwd) == 1, "a valid SYN after the fuzz is forwarded to the real server",
                  ["%d copies" % len(fwd)])
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
