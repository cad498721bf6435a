# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden packet tests: shared topology, expectations and the checker.

A scenario module (fnat.py, hostile.py) builds a list of Case objects: the
packets fed to nlvsd's pcap port, the packets that must come out and the
drop counters they must leave.  golden-lib.sh runs nlvsd on the pcap port
and then calls check(), which compares the output pcap with the expected
packets field by field (addresses, ports, TTL, sequence numbers, payload),
recomputes every checksum of what came out, and compares the drop counters
of `nlvsctl stats` with the expected counts per reason.

The checker prints one line per result, "ok DESC" or "not ok DESC",
followed by "# ..." diagnostics; golden-lib.sh turns them into TAP.

Topology (one arm, one port "lan"):

    client 198.51.100.7 / 2001:db8:c::7 --- router 10.0.0.254 / 2001:db8::fe
                                             (MAC ROUTER_MAC)
    nlvsd port lan: 10.0.0.1/24, 2001:db8::1/64, MAC LB_MAC
        VIP 10.0.0.100 / 2001:db8::100, local address 10.0.0.10 / 2001:db8::10
    real server 10.0.0.21 / 2001:db8::21 (MAC RS_MAC)
"""
import os
import sys

from scapy.all import (ARP, IP, TCP, UDP, Ether, ICMPv6ND_NA, ICMPv6ND_NS,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, IPv6, rdpcap,
                       wrpcap, conf as scapy_conf)

scapy_conf.verb = 0

# net_pcap's address for the first pcap port; golden-lib.sh checks it
# against the one nlvsd logs before trusting any result.
LB_MAC = "02:70:63:61:70:00"
ROUTER_MAC = "02:00:00:00:00:fe"
RS_MAC = "02:00:00:00:00:21"

LB4, LB6 = "10.0.0.1", "2001:db8::1"
GW4, GW6 = "10.0.0.254", "2001:db8::fe"
CLIENT4, CLIENT6 = "198.51.100.7", "2001:db8:c::7"
VIP4, VIP6 = "10.0.0.100", "2001:db8::100"
LADDR4, LADDR6 = "10.0.0.10", "2001:db8::10"
RS4, RS6 = "10.0.0.21", "2001:db8::21"

# UDP ports whose IPv6 datagrams may carry no checksum (tunnels, RFC 6935)
ZERO_UDP6_PORTS = set()

TCP_VPORT, TCP_RPORT = 80, 8080
UDP_VPORT, UDP_RPORT = 4000, 4001

TOPOLOGY = """\
address lan {lb4}/24
address lan {lb6}/64
route 0.0.0.0/0 via {gw4} port lan
route ::/0 via {gw6} port lan
laddr {vip4} {laddr4}
laddr {vip6} {laddr6}
""".format(lb4=LB4, lb6=LB6, gw4=GW4, gw6=GW6, vip4=VIP4, laddr4=LADDR4,
           vip6=VIP6, laddr6=LADDR6)


def state_records():
    """The IPVS table nlvsd loads before its dataplane starts (the record
    format of dataplane/ctl/ctl_record.c): rr services on both VIPs, TCP and
    UDP, each with the real server as a masquerading (FULLNAT) dest."""
    recs = ["epoch 0"]
    for af, vip, rs, mask in ((2, VIP4, RS4, "255.255.255.255"), (10, VIP6, RS6, "128")):
        for proto, vport, rport in ((6, TCP_VPORT, TCP_RPORT), (17, UDP_VPORT, UDP_RPORT)):
            key = "af=%d proto=%d addr=%s port=%d" % (af, proto, vip, vport)
            recs.append("service-add %s sched=rr pe= flags=0x2 timeout=0 netmask=%s"
                        % (key, mask))
            recs.append("dest-add %s daf=%d daddr=%s dport=%d fwd=0 weight=1 uthresh=0 "
                        "lthresh=0 tuntype=0 tunport=0 tunflags=0" % (key, af, rs, rport))
    return "\n".join(recs) + "\n"


# ------------------------------------------------------------------ packets

def from_router(l3):
    """A frame from the router (the client side) to nlvsd."""
    return Ether(src=ROUTER_MAC, dst=LB_MAC) / l3


def from_rs(l3):
    """A frame from the real server to nlvsd."""
    return Ether(src=RS_MAC, dst=LB_MAC) / l3


def frame(pkt):
    """@pkt as it is on the wire: every length and checksum concrete."""
    return Ether(bytes(pkt))


def neighbour_prelude():
    """The real server resolves nlvsd's addresses: nlvsd answers and learns
    the server's MAC, so its first packets towards the server need no
    resolution of their own.  Returns (inputs, expected outputs)."""
    arp = Ether(src=RS_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=RS_MAC, psrc=RS4, hwdst="00:00:00:00:00:00", pdst=LB4)
    ns = Ether(src=RS_MAC, dst="33:33:ff:00:00:01") / IPv6(
        src=RS6, dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt=LB6) / \
        ICMPv6NDOptSrcLLAddr(lladdr=RS_MAC)
    arp_reply = Ether(src=LB_MAC, dst=RS_MAC) / ARP(
        op=2, hwsrc=LB_MAC, psrc=LB4, hwdst=RS_MAC, pdst=RS4)
    na = Ether(src=LB_MAC, dst=RS_MAC) / IPv6(src=LB6, dst=RS6, hlim=255) / \
        ICMPv6ND_NA(tgt=LB6, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=LB_MAC)
    return [arp, ns], [Expect(arp_reply, "ARP reply to the real server"),
                       Expect(na, "neighbour advertisement to the real server")]


# ------------------------------------------------------------ expectations

class Expect:
    """A packet that must come out.  @wild: fields whose value is whatever
    nlvsd chose, as (layer class, field name) pairs; they are copied from
    the packet that came out before comparing (checksums still checked)."""

    def __init__(self, pkt, desc, wild=()):
        self.pkt = pkt
        self.desc = desc
        self.wild = tuple(wild)

    def build(self, got):
        """The expected frame, wildcards filled in from @got."""
        if not self.wild:
            return Ether(bytes(self.pkt))
        exp = self.pkt.copy()
        for cls, field in self.wild:
            if cls in exp and cls in got:
                setattr(exp[cls], field, getattr(got[cls], field))
        for layer in layers(exp):
            for name in ("chksum", "cksum"):
                if name in layer.fields:
                    delattr(layer, name)
        return Ether(bytes(exp))


class Case:
    """Inputs, the packets they must produce (in order) and the drops they
    must leave: {reason: count}."""

    def __init__(self, name, inputs, expect=(), drops=None):
        self.name = name
        self.inputs = list(inputs)
        self.expect = list(expect)
        self.drops = dict(drops or {})


def layers(pkt):
    out = []
    while pkt is not None and pkt.__class__.__name__ != "NoPayload":
        out.append(pkt)
        pkt = pkt.payload
    return out


# --------------------------------------------------------------- comparison

def key(pkt, loose=False):
    """What identifies an output packet: who to whom, and the L4 identity
    (with @loose, the flow only: a packet of the right flow with wrong
    sequence numbers or flags is then reported field by field)."""
    k = [pkt.type if Ether in pkt else None]
    if ARP in pkt:
        k += ["arp", pkt[ARP].op, pkt[ARP].psrc, pkt[ARP].pdst]
        return tuple(k)
    ip = pkt[IP] if IP in pkt else (pkt[IPv6] if IPv6 in pkt else None)
    if ip is None:
        return tuple(k + [bytes(pkt)])
    k += [ip.src, ip.dst]
    l4 = ip.payload
    if isinstance(l4, (TCP, UDP)):
        k += [l4.__class__.__name__, l4.sport, l4.dport]
        if isinstance(l4, TCP) and not loose:
            k += [int(l4.flags), l4.seq, l4.ack]
    else:
        k += [l4.__class__.__name__, bytes(l4)[:2]]
    return tuple(k)


def field_diff(got, exp):
    """Differences of every field, layer by layer, as text lines."""
    out = []
    g, e = got, exp
    while e is not None and e.__class__.__name__ != "NoPayload":
        if g is None or g.__class__.__name__ == "NoPayload":
            out.append("%s: missing" % e.__class__.__name__)
            break
        if g.__class__ != e.__class__:
            out.append("layer %s where %s expected" % (g.__class__.__name__,
                                                       e.__class__.__name__))
            break
        for f in e.fields_desc:
            gv, ev = g.getfieldval(f.name), e.getfieldval(f.name)
            if gv != ev:
                out.append("%s.%s: got %s, expected %s" % (
                    e.__class__.__name__, f.name, f.i2repr(g, gv), f.i2repr(e, ev)))
        g, e = g.payload, e.payload
    if not out and bytes(got) != bytes(exp):
        out.append("bytes differ: got %s expected %s" % (bytes(got).hex(), bytes(exp).hex()))
    return out


def checksum_errors(pkt):
    """Recompute every checksum of @pkt (outer and quoted headers) and
    report the ones that do not match."""
    errs = []
    raw = bytes(pkt)
    for i, layer in enumerate(layers(Ether(raw))):
        name = None
        for n in ("chksum", "cksum"):
            if n in layer.fields:
                name = n
        if name is None or layer.__class__.__name__ in ("Raw", "Padding"):
            continue
        got = getattr(layer, name)
        if got == 0 and layer.__class__.__name__ in ("UDP", "UDPerror") and \
                (IP in pkt or layer.dport in ZERO_UDP6_PORTS):
            continue    # IPv4 UDP without a checksum, or a tunnel's over IPv6
        if layer.__class__.__name__ in ("TCPerror", "UDPerror") and quoted_trunc(layer):
            continue    # a cut quote cannot be summed
        fresh = Ether(raw)
        lay = layers(fresh)[i]
        delattr(lay, name)
        want = getattr(layers(Ether(bytes(fresh)))[i], name)
        if got != want:
            errs.append("%s checksum 0x%04x, should be 0x%04x" % (
                layer.__class__.__name__, got, want))
    return errs


def quoted_trunc(l4):
    ip = l4.underlayer
    if ip is None:
        return True
    if hasattr(ip, "plen"):
        return len(bytes(ip.payload)) < ip.plen
    return len(bytes(ip)) < ip.len


def is_announcement(pkt):
    """Frames nlvsd sends on its own at start-up (gratuitous ARP, unsolicited
    neighbour advertisements): not part of any case."""
    if ARP in pkt:
        return pkt[ARP].op == 1 and pkt[ARP].psrc == pkt[ARP].pdst
    if ICMPv6ND_NA in pkt:
        return pkt[IPv6].dst == "ff02::1" and not pkt[ICMPv6ND_NA].S
    return False


# ------------------------------------------------------------------ stats

def stats_read(path):
    st = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                try:
                    st[parts[0]] = int(parts[1])
                except ValueError:
                    st[parts[0]] = parts[1]
    return st


# ------------------------------------------------------------------ report

class Report:
    def __init__(self):
        self.failed = 0

    def result(self, ok, desc, diag=()):
        print(("ok " if ok else "not ok ") + desc)
        if not ok:
            self.failed += 1
        for line in diag if not ok else ():
            for sub in str(line).splitlines():
                print("# " + sub)
        sys.stdout.flush()


def show(pkt):
    return pkt.summary() if pkt is not None else "(nothing)"


def find(got, used, e, loose):
    """Index of the first unused packet of @got that @e describes."""
    for i, g in enumerate(got):
        if used[i]:
            continue
        try:
            if key(g, loose) == key(e.build(g), loose):
                return i
        except Exception:   # a packet e.build cannot take wildcards from
            continue
    return None


def check(cases, outdir, report, expect_drops_exact=True):
    """Compare out.pcap and stats of @outdir with @cases."""
    path = os.path.join(outdir, "out.pcap")
    got = [p for p in rdpcap(path)] if os.path.exists(path) else []
    got = [p for p in got if not is_announcement(p)]
    used = [False] * len(got)
    for case in cases:
        diag, n_ok = [], 0
        for e in case.expect:
            idx = find(got, used, e, False)
            if idx is None:
                idx = find(got, used, e, True)
            if idx is None:
                diag.append("missing: %s (%s)" % (e.desc, show(e.pkt)))
                continue
            used[idx] = True
            g = got[idx]
            d = field_diff(g, e.build(g)) + checksum_errors(g)
            if d:
                diag.append("%s: %s" % (e.desc, show(g)))
                diag += ["  " + x for x in d]
            else:
                n_ok += 1
        if case.expect:
            report.result(not diag, "%s: %d packet(s) out as expected" % (
                case.name, len(case.expect)), diag)
    extra = [show(g) for i, g in enumerate(got) if not used[i]]
    report.result(not extra, "nothing else came out (%d packet(s) checked)" % len(got),
                  ["unexpected: " + x for x in extra])

    st = stats_read(os.path.join(outdir, "stats"))
    want = {}
    who = {}
    for case in cases:
        for reason, n in case.drops.items():
            want[reason] = want.get(reason, 0) + n
            who.setdefault(reason, []).append("%s x%d" % (case.name, n))
    for reason in sorted(want):
        n = st.get("drop." + reason, 0)
        report.result(n == want[reason], "drop.%s = %d (%s)" % (
            reason, want[reason], ", ".join(who[reason])), ["counted %s" % n])
    if expect_drops_exact:
        other = ["%s %s" % (k, v) for k, v in sorted(st.items())
                 if k.startswith("drop.") and k[5:] not in want and v]
        report.result(not other, "no other drop reason counted", other)
    n_in = sum(len(c.inputs) for c in cases)
    report.result(st.get("rx") == n_in, "all %d input packets received" % n_in,
                  ["rx %s" % st.get("rx")])


def write_inputs(cases, outdir):
    pkts = []
    for c in cases:
        pkts += c.inputs
    wrpcap(os.path.join(outdir, "in.pcap"), pkts)
    with open(os.path.join(outdir, "topology.conf"), "w") as f:
        f.write(TOPOLOGY)
    with open(os.path.join(outdir, "state"), "w") as f:
        f.write(state_records())
    with open(os.path.join(outdir, "npkts"), "w") as f:
        f.write("%d\n" % len(pkts))


def main(build_cases, argv):
    """CLI of a scenario: SCRIPT gen|check DIR [LEARN_DIR]."""
    if len(argv) < 3 or argv[1] not in ("gen", "check"):
        sys.stderr.write("usage: %s gen|check DIR [LEARN_DIR]\n" % argv[0])
        return 2
    outdir = argv[2]
    learn = argv[3] if len(argv) > 3 else None
    report = Report()
    cases = build_cases(learn, report)
    if cases is None:
        return 1
    if argv[1] == "gen":
        write_inputs(cases, outdir)
        return 0
    check(cases, outdir, report)
    return 1 if report.failed else 0
