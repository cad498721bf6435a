# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden direct routing and tunnelling: a client's SYN to a VIP whose real
server is a -g or -i dest, IPv4 and IPv6, every tunnel type.

Direct routing: the same packet, TTL or hop limit one less, to the real
server's MAC.  Tunnels: the same packet (TTL one less) behind an outer
header from the port's address to the real server, with the kernel's
choices: outer TTL = inner TTL, DS field copied (CE becomes ECT(0)), DF and
identification 0 for an inner IPv4 DF, ipip protocol 4 / 41, GUE over UDP
to the --tun-port (version 0, no options, UDP checksum only with
--tun-csum), GRE with the inner Ethernet type (and its checksum with
--tun-csum).  One IPv6 service tunnels to an IPv4 real server.  A packet
that no longer fits once encapsulated gets "fragmentation needed" / "packet
too big" with the port's MTU less the tunnel headers, or with the path MTU a
router reported (learnt per real server for 10 minutes, never below 552, as
the kernel's route cache learns it); TTL 1 gets "time exceeded".  Every checksum that came out is recomputed by scapy.

    direct.py gen|check DIR
"""
import os
import sys

from scapy.all import ARP, GRE, ICMP, IP, TCP, UDP, Ether, ICMPv6PacketTooBig, \
    ICMPv6TimeExceeded, IPv6, Raw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden as g  # noqa: E402

GUE_PORT = 6080
CPORT = 40000
# (vport, fwd, tuntype, tunflags): fwd 3 DR, 2 TUN; tunflags 1 = --tun-csum
METHODS = [
    (80, 3, 0, 0, "DR"),
    (81, 2, 0, 0, "ipip"),
    (82, 2, 1, 0, "gue"),
    (83, 2, 1, 1, "gue --tun-csum"),
    (84, 2, 2, 0, "gre"),
    (85, 2, 2, 1, "gre --tun-csum"),
]
CROSS_VPORT = 86    # IPv6 service, IPv4 real server, ipip


def state_records():
    recs = ["epoch 0"]
    for af, vip, rs, mask in ((2, g.VIP4, g.RS4, "255.255.255.255"),
                              (10, g.VIP6, g.RS6, "128")):
        for vport, fwd, tt, tf, _ in METHODS:
            key = "af=%d proto=6 addr=%s port=%d" % (af, vip, vport)
            recs.append("service-add %s sched=rr pe= flags=0x2 timeout=0 netmask=%s"
                        % (key, mask))
            recs.append("dest-add %s daf=%d daddr=%s dport=%d fwd=%d weight=1 uthresh=0 "
                        "lthresh=0 tuntype=%d tunport=%d tunflags=%d"
                        % (key, af, rs, vport, fwd, tt, GUE_PORT if tt == 1 else 0, tf))
    key = "af=10 proto=6 addr=%s port=%d" % (g.VIP6, CROSS_VPORT)
    recs.append("service-add %s sched=rr pe= flags=0x2 timeout=0 netmask=128" % key)
    recs.append("dest-add %s daf=2 daddr=%s dport=%d fwd=2 weight=1 uthresh=0 lthresh=0 "
                "tuntype=0 tunport=0 tunflags=0" % (key, g.RS4, CROSS_VPORT))
    return "\n".join(recs) + "\n"


def syn_in(af, vport, tos, cport=CPORT, ttl=64, size=0):
    """A client's SYN; with @size, data making the IP packet that long."""
    tcp = TCP(sport=cport, dport=vport, flags="S", seq=1000, options=[("MSS", 1460)])
    hl = 20 if af == 4 else 40
    if size:
        tcp = tcp / Raw(b"x" * (size - hl - 24))
    if af == 4:
        l3 = IP(src=g.CLIENT4, dst=g.VIP4, ttl=ttl, tos=tos, flags="DF", id=77) / tcp
    else:
        l3 = IPv6(src=g.CLIENT6, dst=g.VIP6, hlim=ttl, tc=tos, fl=5) / tcp
    return g.from_router(l3)


def icmp_back(inp, mtu=0):
    """What nlvsd answers the client about @inp: "fragmentation needed" /
    "packet too big" with @mtu (quoting the packet as it would have left,
    TTL one less) from the VIP it was sent to, as the kernel's tunnel path
    answers (kernel-topology.sh compares it), or "time exceeded" (@mtu 0,
    quoting it as it came) from the port's address."""
    l3 = inner_out(inp) if mtu else g.frame(inp).payload
    if isinstance(l3, IP):
        err = IP(src=l3.dst if mtu else g.LB4, dst=l3.src, tos=0xc0, ttl=64, id=0, flags=0)
        err = err / (ICMP(type=3, code=4, nexthopmtu=mtu) if mtu else ICMP(type=11, code=0))
        err = err / Raw(bytes(l3)[:576 - 28])
    else:
        err = IPv6(src=l3.dst if mtu else g.LB6, dst=l3.src, hlim=64)
        err = err / (ICMPv6PacketTooBig(mtu=mtu) if mtu else ICMPv6TimeExceeded(code=0))
        err = err / Raw(bytes(l3)[:1280 - 48])
    return g.Expect(Ether(src=g.LB_MAC, dst=g.ROUTER_MAC) / err,
                    "packet too big (%d)" % mtu if mtu else "time exceeded")


def inner_out(inp):
    """The client's packet as it leaves: TTL one less, nothing else."""
    l3 = g.frame(inp).payload.copy()
    if isinstance(l3, IP):
        l3.ttl -= 1
        del l3.chksum
    else:
        l3.hlim -= 1
    return IP(bytes(l3)) if isinstance(l3, IP) else IPv6(bytes(l3))


class ExpectNoSum(g.Expect):
    """A GUE packet without --tun-csum: its UDP checksum must be zero (the
    kernel's choice over IPv4 and IPv6 alike), not recomputed."""

    def build(self, got):
        exp = super().build(got)
        exp[UDP].chksum = 0
        return Ether(bytes(exp))


def expect(inp, oaf, tt, tf, desc):
    inner = inner_out(inp)
    v4in = isinstance(inner, IP)
    ds = inner.tos if v4in else inner.tc
    ds = (ds & ~3) | 2 if ds & 3 == 3 else ds
    ttl = inner.ttl if v4in else inner.hlim
    wild = []
    if tt == 0:
        payload = inner
        proto = 4 if v4in else 41
    elif tt == 1:
        gue = bytes([0, 4 if v4in else 41, 0, 0])
        payload = UDP(dport=GUE_PORT, sport=0) / Raw(gue + bytes(inner))
        if not tf:
            payload.chksum = 0
        proto = 17
        wild = [(UDP, "sport")]
    else:
        if tf:
            payload = GRE(chksum_present=1, proto=0x0800 if v4in else 0x86dd) / inner
        else:
            payload = GRE(proto=0x0800 if v4in else 0x86dd) / inner
        proto = 47
    if oaf == 4:
        outer = IP(src=g.LB4, dst=g.RS4, ttl=ttl, tos=ds, proto=proto,
                   flags="DF" if v4in and inner.flags.DF else 0, id=0)
        if not (v4in and inner.flags.DF):
            wild.append((IP, "id"))
    else:
        outer = IPv6(src=g.LB6, dst=g.RS6, hlim=ttl, tc=ds, fl=0, nh=proto)
    cls = ExpectNoSum if tt == 1 and not tf else g.Expect
    return cls(Ether(src=g.LB_MAC, dst=g.RS_MAC) / outer / payload, desc, wild=wild)


def tunnel_frag_needed(exp, mtu, client_mtu):
    """A router between nlvsd and the real server cannot forward the outer
    packet @exp.pkt: its "fragmentation needed" (MTU @mtu) to nlvsd's port,
    and what the client must hear about its own packet: the same from the
    VIP with @client_mtu, the tunnel's headers taken off (routed back)."""
    outer = g.frame(exp.pkt)[IP]
    err = Ether(src=g.ROUTER_MAC, dst=g.LB_MAC) / IP(src="10.0.0.250", dst=g.LB4, ttl=64) / \
        ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(bytes(outer)[:576 - 28])
    quoted = bytes(outer.payload)
    if GRE in outer:
        quoted = bytes(outer[GRE].payload)
    client = IP(quoted)
    back = IP(src=client.dst, dst=client.src, tos=0xc0, ttl=64, id=0, flags=0) / \
        ICMP(type=3, code=4, nexthopmtu=client_mtu) / Raw(quoted)
    return err, g.Expect(Ether(src=g.LB_MAC, dst=g.ROUTER_MAC) / back,
                         "fragmentation needed (%d) to the client" % client_mtu)


def build(learn, report):
    pre_in, pre_exp = g.neighbour_prelude()
    router_arp = Ether(src=g.ROUTER_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=g.ROUTER_MAC, psrc=g.GW4, hwdst="00:00:00:00:00:00", pdst=g.LB4)
    router_reply = Ether(src=g.LB_MAC, dst=g.ROUTER_MAC) / ARP(
        op=2, hwsrc=g.LB_MAC, psrc=g.LB4, hwdst=g.ROUTER_MAC, pdst=g.GW4)
    cases = [g.Case("the real server resolves nlvsd (ARP, ND)", pre_in, pre_exp),
             g.Case("the router resolves nlvsd (ARP)", [router_arp],
                    [g.Expect(router_reply, "ARP reply to the router")])]
    tunnelled = {}
    for af in (4, 6):
        for vport, fwd, tt, tf, name in METHODS:
            tos = 0xbb if vport % 2 else 0x28    # with and without a CE mark
            inp = syn_in(af, vport, tos)
            if fwd == 3:
                exp = g.Expect(Ether(src=g.LB_MAC, dst=g.RS_MAC) / inner_out(inp),
                               "the SYN, TTL - 1, to the real server's MAC")
            else:
                exp = expect(inp, af, tt, tf, "the SYN in the tunnel")
                tunnelled[(af, vport)] = exp
            cases.append(g.Case("IPv%d %s" % (af, name), [inp], [exp]))
    inp = syn_in(6, CROSS_VPORT, 0x10)
    cases.append(g.Case("IPv6 in IPv4 ipip", [inp],
                        [expect(inp, 4, 0, 0, "the IPv6 SYN in an IPv4 header")]))
    # what no longer fits once encapsulated: the port's MTU less the headers
    inp = syn_in(4, 81, 0, cport=CPORT + 1, size=1500)
    cases.append(g.Case("IPv4 ipip, 1500 bytes with DF: fragmentation needed, MTU 1480",
                        [inp], [icmp_back(inp, 1480)], drops={"mtu-exceeded": 1}))
    inp = syn_in(6, 85, 0, cport=CPORT + 1, size=1500)
    cases.append(g.Case("IPv6 gre --tun-csum, 1500 bytes: packet too big, MTU 1452",
                        [inp], [icmp_back(inp, 1452)], drops={"mtu-exceeded": 1}))
    inp = syn_in(4, 80, 0, cport=CPORT + 2, size=1500)
    cases.append(g.Case("IPv4 DR, 1500 bytes: fits, to the real server", [inp],
                        [g.Expect(Ether(src=g.LB_MAC, dst=g.RS_MAC) / inner_out(inp),
                                  "the SYN, TTL - 1")]))
    for vport, name, mtu, back in ((81, "ipip", 1400, 1380), (85, "gre --tun-csum", 1400, 1372)):
        err, exp = tunnel_frag_needed(tunnelled[(4, vport)], mtu, back)
        cases.append(g.Case("IPv4 %s: a router's frag-needed (%d) about the outer packet "
                            "reaches the client as %d" % (name, mtu, back), [err], [exp],
                            drops={"host-traffic": 1}))
    # what a router said is remembered for the real server's address, as the
    # kernel's route cache does (ipv4_update_pmtu), for every tunnel type
    inp = syn_in(4, 81, 0, cport=CPORT + 4, size=1450)
    cases.append(g.Case("IPv4 ipip, 1450 bytes with DF after the router's 1400: "
                        "fragmentation needed, MTU 1380", [inp], [icmp_back(inp, 1380)],
                        drops={"mtu-exceeded": 1}))
    inp = syn_in(4, 82, 0, cport=CPORT + 4, size=1390)
    cases.append(g.Case("IPv4 gue, 1390 bytes with DF after the router's 1400: "
                        "fragmentation needed, MTU 1368", [inp], [icmp_back(inp, 1368)],
                        drops={"mtu-exceeded": 1}))
    # below the kernel's ip_rt_min_pmtu (552) the route learns 552
    err, exp = tunnel_frag_needed(tunnelled[(4, 84)], 500, 476)
    cases.append(g.Case("IPv4 gre: a router's frag-needed (500) reaches the client as 476",
                        [err], [exp], drops={"host-traffic": 1}))
    inp = syn_in(4, 81, 0, cport=CPORT + 5, size=540)
    cases.append(g.Case("IPv4 ipip, 540 bytes with DF after the router's 500: "
                        "fragmentation needed, MTU 532 (552 learnt)", [inp],
                        [icmp_back(inp, 532)], drops={"mtu-exceeded": 1}))
    inp = syn_in(4, 81, 0, cport=CPORT + 6, size=532)
    exp = expect(inp, 4, 0, 0, "the SYN in the tunnel")
    cases.append(g.Case("IPv4 ipip, 532 bytes: fits the learnt 552, tunnelled", [inp], [exp]))
    inp = syn_in(4, 80, 0, cport=CPORT + 3, ttl=1)
    cases.append(g.Case("IPv4 DR, TTL 1: time exceeded", [inp], [icmp_back(inp)],
                        drops={"ttl-exceeded": 1}))
    return cases


if __name__ == "__main__":
    g.state_records = state_records
    g.ZERO_UDP6_PORTS.add(GUE_PORT)
    sys.exit(g.main(build, sys.argv))
