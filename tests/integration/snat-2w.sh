#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# SNAT with two workers over ports with two queues (af_packet qpairs=2):
# replies from outside land on either queue whatever port or echo id they
# carry, so the ones for the other worker's slice are handed over.  200
# concurrent pings and 1,000 TCP connections from many inside addresses
# all complete; nothing is lost to a connection-table miss.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/snat-lib.sh"

LAB_WORKERS=2
LAB_HOSTS=20
export LAB_WORKERS LAB_HOSTS
snat_setup
nlvs_require_cmd ping

snat_service 1 rr
tap_check $? "ipvsadm adds the SNAT service with two egress addresses"

# one ping first: the burst below must not wait for the router's MAC (the
# first echoes of 200 pings would overflow the few packets nlvsd queues on
# an unresolved neighbour, and each ping would miss a reply)
out=$(in_inside ping -n -c 1 -W 5 -I "${LAB_INSIDE%% *}" "$LAB_OUT" 2>&1)
tap_check $? "a ping through SNAT resolves the router" "$out"

h0=$(($(nlvs_stat worker.0.handoff_out) + $(nlvs_stat worker.1.handoff_out)))
miss0=$(nlvs_stat drop.no-connection)

# 200 echo flows at once, ten from each inside address, three requests
# each 0.5 s apart, every reply awaited up to 20 s.  (Not 200 iputils pings:
# after its last request ping waits only twice the largest round trip seen
# so far, -W applying only while no reply has come, so on a loaded machine
# a late third reply counted as lost.)  Echo ids are fixed and distinct.
in_inside timeout 120 python3 - "$LAB_OUT" 10 $LAB_INSIDE > "$NLVS_TMP/pings" 2>&1 <<'EOF'
import select, socket, struct, sys, time
dst, per, srcs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff

socks = []
for a in srcs:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.bind((a, 0))
    s.setblocking(False)
    socks.append(s)
flows = [(socks[i // per], 0x5000 + i) for i in range(len(srcs) * per)]
ids = {ident for _, ident in flows}
got = set()

def drain(until):
    while len(got) < 3 * len(flows):
        left = until - time.time()
        if left <= 0:
            return
        r, _, _ = select.select(socks, [], [], left)
        for s in r:
            try:
                data = s.recv(2048)
            except BlockingIOError:
                continue
            icmp = data[(data[0] & 0xf) * 4:]
            if len(icmp) >= 8 and icmp[0] == 0:
                ident, seq = struct.unpack("!HH", icmp[4:8])
                if ident in ids:
                    got.add((ident, seq))

payload = b"nlvs-snat-2w" * 4
for seq in range(3):
    for s, ident in flows:
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        hdr = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ident, seq)
        s.sendto(hdr + payload, (dst, 0))
    drain(time.time() + 0.5)
drain(time.time() + 20)
for n in range(4):
    print("%d replies: %d" % (n, sum(1 for _, i in flows
                                      if sum((i, q) in got for q in range(3)) == n)))
EOF
full=$(sed -n 's/^3 replies: //p' "$NLVS_TMP/pings")
tap_check $([ "$full" = 200 ] && echo 0 || echo 1) \
	"200 concurrent echo flows: every one gets its 3 replies ($full)" \
	"$(cat "$NLVS_TMP/pings")
$(nlvs_state_diag)"

# shellcheck disable=SC2086
out=$(in_inside timeout 300 python3 - "$LAB_OUT" 1000 40 $LAB_INSIDE <<'EOF' 2>&1
# N HTTP GETs over fresh TCP connections, C at a time, sources round robin
import socket, sys, threading
from concurrent.futures import ThreadPoolExecutor
dst, n, c, srcs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
lock = threading.Lock()
res = {"ok": 0, "fail": 0}
def one(i):
    ok = False
    try:
        s = socket.create_connection((dst, 80), 10, (srcs[i % len(srcs)], 0))
        s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
        data = s.makefile("rb").read()  # all of it, until the server closes
        s.close()
        ok = data.startswith(b"HTTP/1.0 200") and data.endswith(b"outside\n")
    except OSError:
        pass
    with lock:
        res["ok" if ok else "fail"] += 1
with ThreadPoolExecutor(c) as ex:
    list(ex.map(one, range(n)))
print("ok=%d fail=%d" % (res["ok"], res["fail"]))
EOF
)
tap_is "$out" "ok=1000 fail=0" "1,000 TCP connections from 20 inside addresses complete"

# ICMP errors about the flows go to the worker owning the quoted port / id
# shellcheck disable=SC2086
set -- $LAB_INSIDE
out=$(in_inside traceroute -n -w 5 -q 3 -m 5 -s "$1" "$LAB_OUT" 2>&1)
hops=$(echo "$out" | awk 'NR > 1 { printf "%s ", $2 }')
tap_is "$hops" "10.88.1.1 $LAB_ROUTER $LAB_OUT " "traceroute (UDP, 3 probes per hop)" "$out"
out=$(in_inside traceroute -I -n -w 5 -q 3 -m 5 -s "$2" "$LAB_OUT" 2>&1)
hops=$(echo "$out" | awk 'NR > 1 { printf "%s ", $2 }')
tap_is "$hops" "10.88.1.1 $LAB_ROUTER $LAB_OUT " "traceroute -I (echo)" "$out"

w0=$(nlvs_stat worker.0.rx)
w1=$(nlvs_stat worker.1.rx)
tap_check "$([ "$w0" -gt 0 ] && [ "$w1" -gt 0 ] && echo 0 || echo 1)" \
	"both workers received traffic ($w0 / $w1)"
h1=$(($(nlvs_stat worker.0.handoff_out) + $(nlvs_stat worker.1.handoff_out)))
tap_check "$([ $((h1 - h0)) -gt 0 ] && echo 0 || echo 1)" \
	"replies were handed to the owning worker ($((h1 - h0)) packets)"
miss1=$(nlvs_stat drop.no-connection)
tap_is "$((miss1 - miss0))" "0" "no reply missed its connection (no-connection drops)"
ring=$(nlvs_stat drop.handoff-ring-full)
tap_is "$ring" "0" "no hand-off ring overflowed"

lc=$(nlvs_ipvsadm -Lcn | grep -c 'ICMP')
tap_check "$([ "$lc" -ge 200 ] && echo 0 || echo 1)" \
	"ipvsadm -Lc lists the ping connections of both workers ($lc)"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
