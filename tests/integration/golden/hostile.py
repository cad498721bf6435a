# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden hostile traffic: every malformed kind is dropped and counted under
its reason, and nothing comes out for it (but the ICMP time exceeded a TTL
of 1 earns); a valid flow afterwards is still forwarded.

Unlike over net_af_packet, where the kernel reassembles fragments before
nlvsd sees them, lone fragments reach nlvsd here as they were sent.

    hostile.py gen|check DIR
"""
import os
import sys

from scapy.all import (ICMP, IP, TCP, UDP, Ether, ICMPv6TimeExceeded, IPOption_Router_Alert,
                       IPv6, IPv6ExtHdrFragment, Raw)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden as g  # noqa: E402

_ident = [1000]


def ident():
    _ident[0] += 1
    return _ident[0]


def v4(l4, dst=g.VIP4, **kw):
    kw.setdefault("ttl", 64)
    return IP(src=g.CLIENT4, dst=dst, id=ident(), **kw) / l4


def v6(l4, dst=g.VIP6, **kw):
    kw.setdefault("hlim", 64)
    return IPv6(src=g.CLIENT6, dst=dst, fl=ident(), **kw) / l4


def syn(dport=g.TCP_VPORT, sport=42000, flags="S"):
    return TCP(sport=sport, dport=dport, flags=flags, seq=7000, window=1024)


def eth_raw(data, etype=0x0800):
    """A frame from the router whose L3 part is @data, byte for byte."""
    return Ether(src=g.ROUTER_MAC, dst=g.LB_MAC, type=etype) / Raw(bytes(data))


def mangle(pkt, offset, value):
    """@pkt's bytes with the byte at @offset (from the IP header) replaced."""
    b = bytearray(bytes(pkt))
    b[offset] = value
    return bytes(b)


def forwarded(inp, proto):
    """@inp (a client packet to a VIP) as it must reach the real server, the
    local port whatever nlvsd chose."""
    f = g.frame(inp)
    l3 = (f[IP] if IP in f else f[IPv6]).copy()
    if isinstance(l3, IP):
        l3.src, l3.dst = g.LADDR4, g.RS4
        l3.ttl -= 1
        del l3.chksum
    else:
        l3.src, l3.dst = g.LADDR6, g.RS6
        l3.hlim -= 1
    l3.payload.dport = g.TCP_RPORT if proto is TCP else g.UDP_RPORT
    del l3.payload.chksum
    return g.Expect(Ether(src=g.LB_MAC, dst=g.RS_MAC) / l3, "forwarded",
                    wild=[(proto, "sport")])


def time_exceeded(inp):
    """The ICMP error nlvsd owes the client for @inp: from the port's
    address, quoting the whole packet."""
    l3 = g.frame(inp).payload
    if isinstance(l3, IP):
        err = IP(src=g.LB4, dst=l3.src, tos=0xc0, ttl=64, id=0, flags=0) / \
            ICMP(type=11, code=0) / Raw(bytes(l3))
    else:
        err = IPv6(src=g.LB6, dst=l3.src, hlim=64) / ICMPv6TimeExceeded(code=0) / \
            Raw(bytes(l3))
    return g.Expect(Ether(src=g.LB_MAC, dst=g.ROUTER_MAC) / err, "time exceeded")


def build(learn, report):
    C = g.Case
    R = g.from_router
    pre_in, pre_exp = g.neighbour_prelude()
    good_syn = v4(syn())
    bad_sum = bytes(good_syn)
    bad_sum = mangle(bad_sum, 10, bad_sum[10] ^ 0x5a)
    est_syn = R(v4(syn(sport=43000)))
    est_ack_ttl1 = R(v4(TCP(sport=43000, dport=g.TCP_VPORT, flags="A", seq=7001, ack=1),
                        ttl=1))
    ttl1_syn4 = R(v4(syn(sport=44000), ttl=1))
    ttl1_syn6 = R(v6(syn(sport=44000), hlim=1))
    udp_long = bytearray(bytes(v4(UDP(sport=42001, dport=g.UDP_VPORT) / Raw(b"x" * 20))))
    udp_long[20 + 4:20 + 6] = (100).to_bytes(2, "big")
    ip_udp_long = IP(bytes(udp_long))
    del ip_udp_long.chksum      # only the UDP length lies
    tcp_doff = bytearray(bytes(v4(syn())))
    tcp_doff[20 + 12] = 0xf0    # a 60-byte header in 20 bytes
    udp6_nosum = bytearray(bytes(v6(UDP(sport=42002, dport=g.UDP_VPORT) / Raw(b"q" * 8))))
    udp6_nosum[40 + 6:40 + 8] = b"\0\0"
    frag_data = bytes(syn()) + b"d" * 32
    valid4 = R(v4(syn(sport=45000)))
    valid6 = R(v6(syn(sport=45000)))

    cases = [
        C("the real server resolves nlvsd (ARP, ND)", pre_in, pre_exp),
        # L2
        C("truncated Ethernet header (10 bytes)", [Raw(b"\x02\x70\x63\x61\x70\x00abcd")],
          drops={"bad-ether": 1}),
        C("unknown EtherType", [eth_raw(b"\0" * 46, 0x88b5)], drops={"unknown-ethertype": 1}),
        C("frame for another MAC", [Ether(src=g.ROUTER_MAC, dst="02:00:00:00:00:99") /
                                    v4(syn())], drops={"not-for-us": 1}),
        # IPv4 header
        C("truncated IPv4 header (12 bytes)", [eth_raw(bytes(v4(syn()))[:12])],
          drops={"bad-ip-header": 1}),
        C("IPv4 IHL 4", [eth_raw(mangle(v4(syn()), 0, 0x44))], drops={"bad-ip-header": 1}),
        C("IPv4 total length past the frame", [R(v4(syn(), len=200))],
          drops={"bad-ip-length": 1}),
        C("IPv4 total length below the header", [R(v4(syn(), len=12))],
          drops={"bad-ip-length": 1}),
        C("IPv4 bad header checksum", [eth_raw(bad_sum)], drops={"bad-ip-checksum": 1}),
        C("IPv4 options (router alert)", [R(v4(syn(), options=[IPOption_Router_Alert()]))],
          drops={"ip-options": 1}),
        C("IPv4 first, middle and last fragments of a SYN", [
            R(v4(Raw(frag_data[:24]), flags="MF", frag=0, proto=6)),
            R(v4(Raw(frag_data[24:40]), flags="MF", frag=3, proto=6)),
            R(v4(Raw(frag_data[40:]), frag=5, proto=6))], drops={"fragment": 3}),
        # IPv4 TTL
        # the ACK after it finds no connection: the SYN opened none
        C("IPv4 TTL 1 SYN to a VIP: time exceeded back, no connection", [
            ttl1_syn4, R(v4(syn(sport=44000, flags="A")))],
          [time_exceeded(ttl1_syn4)], drops={"ttl-exceeded": 1, "not-syn": 1}),
        C("IPv4 TTL 1 on an open connection: time exceeded back", [est_syn, est_ack_ttl1],
          [forwarded(est_syn, TCP), time_exceeded(est_ack_ttl1)],
          drops={"ttl-exceeded": 1}),
        # IPv4 L4
        C("truncated TCP header (10 bytes)", [eth_raw(bytes(v4(Raw(bytes(syn())[:10]),
                                                               proto=6)))],
          drops={"bad-l4-header": 1}),
        C("TCP data offset past the segment", [eth_raw(tcp_doff)],
          drops={"bad-l4-header": 1}),
        C("truncated UDP header (4 bytes)", [eth_raw(bytes(v4(Raw(b"\x10\x00\x0f\xa0"),
                                                              proto=17)))],
          drops={"bad-l4-header": 1}),
        C("UDP length past the datagram", [R(ip_udp_long)], drops={"bad-l4-header": 1}),
        C("TCP SYN+FIN", [R(v4(syn(flags="SF")))], drops={"bad-tcp-flags": 1}),
        C("TCP without flags", [R(v4(syn(flags="")))], drops={"bad-tcp-flags": 1}),
        C("TCP Xmas (FIN+PSH+URG)", [R(v4(syn(flags="FPU")))], drops={"bad-tcp-flags": 1}),
        C("TCP SYN+RST", [R(v4(syn(flags="SR")))], drops={"bad-tcp-flags": 1}),
        C("ACK to a VIP without a connection", [R(v4(syn(flags="A")))],
          drops={"not-syn": 1}),
        C("RST to a VIP without a connection", [R(v4(syn(flags="R")))],
          drops={"not-syn": 1}),
        C("ACK to a local address without a connection",
          [R(v4(syn(dport=1999, flags="A"), dst=g.LADDR4))], drops={"no-connection": 1}),
        C("ICMP unreachable about no connection",
          [R(IP(src=g.RS4, dst=g.LADDR4) / ICMP(type=3, code=3) /
             IP(src=g.LADDR4, dst=g.RS4) / UDP(sport=1999, dport=g.UDP_RPORT))],
          drops={"no-connection": 1}),
        C("truncated ICMP (4 bytes) to a VIP", [eth_raw(bytes(v4(Raw(b"\x08\0\0\0"),
                                                                proto=1)))],
          drops={"bad-icmp": 1}),
        C("TCP to a VIP port without a service", [R(v4(syn(dport=81)))],
          drops={"no-service": 1}),
        C("UDP to a VIP port without a service",
          [R(v4(UDP(sport=42003, dport=g.UDP_VPORT + 2) / Raw(b"x")))],
          drops={"no-service": 1}),
        C("unknown protocol to a VIP (GRE)", [R(v4(Raw(b"\0" * 16), proto=47))],
          drops={"unknown-protocol": 1}),
        C("SCTP to a VIP, first chunk length 0", [R(v4(Raw(b"\0" * 16), proto=132))],
          drops={"bad-sctp": 1}),
        # IPv6
        C("truncated IPv6 header (20 bytes)", [eth_raw(bytes(v6(syn()))[:20], 0x86dd)],
          drops={"bad-ip-header": 1}),
        C("IPv6 payload length past the frame", [R(v6(syn(), plen=100))],
          drops={"bad-ip-length": 1}),
        C("IPv6 first and last fragments of a SYN", [
            R(v6(IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=77) / Raw(frag_data[:24]))),
            R(v6(IPv6ExtHdrFragment(nh=6, offset=3, m=0, id=77) / Raw(frag_data[24:])))],
          drops={"fragment": 2}),
        C("IPv6 hop limit 1 SYN to a VIP: time exceeded back, no connection", [
            ttl1_syn6, R(v6(syn(sport=44000, flags="A")))],
          [time_exceeded(ttl1_syn6)], drops={"ttl-exceeded": 1, "not-syn": 1}),
        C("IPv6 TCP SYN+FIN", [R(v6(syn(flags="SF")))], drops={"bad-tcp-flags": 1}),
        C("IPv6 UDP without a checksum", [eth_raw(udp6_nosum, 0x86dd)],
          drops={"bad-l4-header": 1}),
        C("IPv6 ACK to a VIP without a connection", [R(v6(syn(flags="A")))],
          drops={"not-syn": 1}),
        # nlvsd survived all of it
        C("a valid IPv4 SYN afterwards is forwarded", [valid4], [forwarded(valid4, TCP)]),
        C("a valid IPv6 SYN afterwards is forwarded", [valid6], [forwarded(valid6, TCP)]),
    ]
    return cases


if __name__ == "__main__":
    sys.exit(g.main(build, sys.argv))
