# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden FULLNAT: TCP and UDP flows through a VIP, IPv4 and IPv6.

Client packets to VIP:vport must come out from the local address (laddr:lport)
to the real server, TTL one less, checksums valid, sequence numbers and
payload untouched; the server's replies to laddr:lport come out from
VIP:vport to the client; an ICMP port unreachable the server sends about a
forwarded datagram comes out about the client's datagram (outer and quoted
headers translated, every checksum valid).

The local port is nlvsd's choice, so the test runs twice: pass 1 feeds the
first packet of every flow and learns the ports from what came out; pass 2
feeds the same packets first (a fresh nlvsd with one worker hands out the
same ports for the same sequence of connections) and then the rest.

    fnat.py gen|check DIR [PASS1_DIR]
"""
import os
import sys

from scapy.all import (ICMP, IP, TCP, UDP, Ether, ICMPv6DestUnreach, IPv6, Raw, rdpcap)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden as g  # noqa: E402

FAMILIES = {
    4: dict(client=g.CLIENT4, vip=g.VIP4, laddr=g.LADDR4, rs=g.RS4),
    6: dict(client=g.CLIENT6, vip=g.VIP6, laddr=g.LADDR6, rs=g.RS6),
}
CPORT_TCP, CPORT_UDP = 40000, 41000


def ip(af, src, dst, ttl=64, ident=1):
    if af == 4:
        return IP(src=src, dst=dst, ttl=ttl, id=ident)
    return IPv6(src=src, dst=dst, hlim=ttl, fl=ident)


def l3_of(pkt):
    return pkt[IP] if IP in pkt else pkt[IPv6]


def rewrite(inp, src, dst, sport, dport, mac_dst):
    """What nlvsd must make of @inp: new addresses and ports, TTL - 1, the
    rest (IP id, flow label, TCP seq/ack/flags/options, payload) as it was."""
    f = g.frame(inp)
    l3 = l3_of(f).copy()
    l3.src, l3.dst = src, dst
    if isinstance(l3, IP):
        l3.ttl -= 1
        del l3.chksum
    else:
        l3.hlim -= 1
    l4 = l3.payload
    l4.sport, l4.dport = sport, dport
    del l4.chksum
    return Ether(src=g.LB_MAC, dst=mac_dst) / l3


def to_rs(af, inp, lport, rport):
    fa = FAMILIES[af]
    return rewrite(inp, fa["laddr"], fa["rs"], lport, rport, g.RS_MAC)


def to_client(af, inp, vport, cport):
    fa = FAMILIES[af]
    return rewrite(inp, fa["vip"], fa["client"], vport, cport, g.ROUTER_MAC)


def first_packets(af):
    """The packet that opens each flow: a TCP SYN with options, a UDP query."""
    fa = FAMILIES[af]
    syn = g.from_router(ip(af, fa["client"], fa["vip"], 64, 101) / TCP(
        sport=CPORT_TCP, dport=g.TCP_VPORT, flags="S", seq=1000, window=64240,
        options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (11, 0)), ("NOP", None),
                 ("WScale", 7)]))
    query = g.from_router(ip(af, fa["client"], fa["vip"], 64, 102) / UDP(
        sport=CPORT_UDP, dport=g.UDP_VPORT) / Raw(b"query for the real server"))
    return syn, query


def learn_ports(pass1):
    """{(af, proto): lport} from what pass 1 sent to the real server."""
    ports = {}
    for p in rdpcap(os.path.join(pass1, "out.pcap")):
        for af, fa in FAMILIES.items():
            if IP not in p and IPv6 not in p:
                continue
            l3 = l3_of(p)
            if l3.src != fa["laddr"] or l3.dst != fa["rs"]:
                continue
            for proto, cls in ((6, TCP), (17, UDP)):
                if cls in p and p[cls].dport in (g.TCP_RPORT, g.UDP_RPORT):
                    ports.setdefault((af, proto), p[cls].sport)
    return ports


def tcp_flow(af, syn, lport):
    """The rest of a TCP connection: handshake, a request, an answer, FINs.
    Returns cases."""
    fa = FAMILIES[af]
    v = "IPv%d TCP" % af
    cli = lambda ident, **kw: g.from_router(  # noqa: E731
        ip(af, fa["client"], fa["vip"], 64, ident) /
        TCP(sport=CPORT_TCP, dport=g.TCP_VPORT, window=502, **kw))
    srv = lambda ident, **kw: g.from_rs(  # noqa: E731
        ip(af, fa["rs"], fa["laddr"], 64, ident) /
        TCP(sport=g.TCP_RPORT, dport=lport, window=509, **kw))
    req = b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n"
    ans = b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nrs1"
    c_seq, s_seq = 1001, 5001
    seq = [
        ("client SYN", syn, "c"),
        ("server SYN-ACK", srv(201, flags="SA", seq=5000, ack=1001,
                               options=[("MSS", 1400), ("NOP", None), ("WScale", 7)]), "s"),
        ("client ACK", cli(103, flags="A", seq=c_seq, ack=s_seq), "c"),
        ("client request", cli(104, flags="PA", seq=c_seq, ack=s_seq) / Raw(req), "c"),
        ("server answer", srv(202, flags="PA", seq=s_seq, ack=c_seq + len(req)) / Raw(ans),
         "s"),
        ("client FIN", cli(105, flags="FA", seq=c_seq + len(req), ack=s_seq + len(ans)), "c"),
        ("server FIN", srv(203, flags="FA", seq=s_seq + len(ans), ack=c_seq + len(req) + 1),
         "s"),
        ("client last ACK", cli(106, flags="A", seq=c_seq + len(req) + 1,
                                ack=s_seq + len(ans) + 1), "c"),
    ]
    cases = []
    for name, pkt, side in seq:
        if side == "c":
            out = to_rs(af, pkt, lport, g.TCP_RPORT)
            what = "%s %s: client->VIP:%d out as laddr:%d->RS:%d" % (
                v, name, g.TCP_VPORT, lport, g.TCP_RPORT)
        else:
            out = to_client(af, pkt, g.TCP_VPORT, CPORT_TCP)
            what = "%s %s: RS->laddr:%d out as VIP:%d->client" % (v, name, lport, g.TCP_VPORT)
        cases.append(g.Case(what, [pkt], [g.Expect(out, name)]))
    return cases[1:], cases[0]


def udp_flow(af, query, lport):
    """A UDP answer, then a port unreachable about the forwarded query."""
    fa = FAMILIES[af]
    v = "IPv%d UDP" % af
    fwd = to_rs(af, query, lport, g.UDP_RPORT)
    answer = g.from_rs(ip(af, fa["rs"], fa["laddr"], 64, 301) / UDP(
        sport=g.UDP_RPORT, dport=lport) / Raw(b"the answer"))
    # the server quotes the datagram it received, as it received it
    quoted = bytes(l3_of(g.frame(fwd)))
    if af == 4:
        unreach = g.from_rs(IP(src=fa["rs"], dst=fa["laddr"], ttl=64, id=302) /
                            ICMP(type=3, code=3) / Raw(quoted))
    else:
        unreach = g.from_rs(IPv6(src=fa["rs"], dst=fa["laddr"], hlim=64, fl=302) /
                            ICMPv6DestUnreach(code=4) / Raw(quoted))
    # what the client must see: an error about the query it sent
    inner = l3_of(g.frame(fwd)).copy()
    inner.src, inner.dst = fa["client"], fa["vip"]
    if af == 4:
        del inner.chksum
    inner[UDP].sport, inner[UDP].dport = CPORT_UDP, g.UDP_VPORT
    del inner[UDP].chksum
    if af == 4:
        want = Ether(src=g.LB_MAC, dst=g.ROUTER_MAC) / IP(
            src=fa["vip"], dst=fa["client"], ttl=63, id=302) / ICMP(type=3, code=3) / \
            Raw(bytes(inner))
    else:
        want = Ether(src=g.LB_MAC, dst=g.ROUTER_MAC) / IPv6(
            src=fa["vip"], dst=fa["client"], hlim=63, fl=302) / ICMPv6DestUnreach(code=4) / \
            Raw(bytes(inner))
    first = g.Case("%s query: client->VIP:%d out as laddr:%d->RS:%d" % (
        v, g.UDP_VPORT, lport, g.UDP_RPORT), [query], [g.Expect(fwd, "query")])
    rest = [
        g.Case("%s answer: RS->laddr:%d out as VIP:%d->client" % (v, lport, g.UDP_VPORT),
               [answer], [g.Expect(to_client(af, answer, g.UDP_VPORT, CPORT_UDP), "answer")]),
        g.Case("%s port unreachable from the RS out translated to the client "
               "(outer and quoted headers)" % v, [unreach], [g.Expect(want, "unreachable")]),
    ]
    return rest, first


def build(learn, report):
    pre_in, pre_exp = g.neighbour_prelude()
    cases = [g.Case("the real server resolves nlvsd (ARP, ND)", pre_in, pre_exp)]
    firsts = {af: first_packets(af) for af in FAMILIES}
    if learn is None:
        # pass 1: the opening packets, whatever local port they get
        for af, (syn, query) in firsts.items():
            for pkt, proto, cls, rport in ((syn, "TCP", TCP, g.TCP_RPORT),
                                           (query, "UDP", UDP, g.UDP_RPORT)):
                out = to_rs(af, pkt, 0, rport)
                cases.append(g.Case("pass 1: IPv%d %s client->VIP out as laddr:*->RS:%d" % (
                    af, proto, rport), [pkt], [g.Expect(out, "first", wild=[(cls, "sport")])]))
        return cases
    ports = learn_ports(learn)
    want = [(af, p) for af in FAMILIES for p in (6, 17)]
    missing = [k for k in want if k not in ports]
    report.result(not missing, "pass 1 taught the local ports (%s)" % ", ".join(
        "v%d/%d:%d" % (k[0], k[1], ports[k]) for k in want if k in ports),
        ["no port for %s" % (m,) for m in missing])
    if missing:
        return None
    rest = []
    for af, (syn, query) in firsts.items():
        tcp_rest, tcp_first = tcp_flow(af, syn, ports[(af, 6)])
        udp_rest, udp_first = udp_flow(af, query, ports[(af, 17)])
        cases += [tcp_first, udp_first]     # the order of pass 1
        rest += tcp_rest + udp_rest
    return cases + rest


if __name__ == "__main__":
    sys.exit(g.main(build, sys.argv))
