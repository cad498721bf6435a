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

# 200 pings at once: 10 from each of the 20 inside addresses, 3 echoes each
i=0
pids=
for src in $LAB_INSIDE; do
	j=0
	while [ $j -lt 10 ]; do
		in_inside ping -n -c 3 -i 0.5 -W 5 -I "$src" "$LAB_OUT" \
			> "$NLVS_TMP/ping.$i" 2>&1 &
		pids="$pids $!"
		i=$((i + 1))
		j=$((j + 1))
	done
done
# shellcheck disable=SC2086
wait $pids		# not nlvsd, which is a child too
full=$(grep -l ' 3 received' "$NLVS_TMP"/ping.* | wc -l)
tap_check $([ "$full" = 200 ] && echo 0 || echo 1) \
	"200 concurrent pings: every one gets its 3 replies ($full)" \
	"$(grep -h 'received' "$NLVS_TMP"/ping.* | sed 's/, time.*//' | sort | uniq -c)
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
