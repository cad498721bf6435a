#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Port exhaustion of an egress address with a deliberately small range
# (snat-ports 20000 20009: ten ports, shared by TCP, UDP and echo ids):
# new flows beyond it fail cleanly and are counted, established ones keep
# working, traffic to the dataplane's own addresses still works, and new
# flows succeed again once connections expire.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/snat-lib.sh"

LAB_SNAT_PORTS="20000 20009"
export LAB_SNAT_PORTS
snat_setup
# shellcheck disable=SC2086
set -- $LAB_INSIDE
H1=$1
# shellcheck disable=SC2086
set -- $LAB_EGRESS
E1=$1

snat_service 1 rr "$E1" && nlvs_ipvsadm --set 0 0 30
tap_check $? "a SNAT service with one egress address; UDP timeout 30 s"

# one TCP connection held open: it takes one of the ten ports
in_inside python3 - "$H1" "$LAB_OUT" "$NLVS_TMP" <<'EOF' > "$NLVS_TMP/held.out" 2>&1 &
import os, socket, sys, time
src, dst, tmp = sys.argv[1:4]
s = socket.create_connection((dst, 80), 5, (src, 0))
open(tmp + "/held.up", "w").close()
while not os.path.exists(tmp + "/held.go"):
    time.sleep(0.1)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
data = s.makefile("rb").read()  # all of it, until the server closes
print("held:", data.decode().splitlines()[-1])
EOF
HELD=$!
nlvs_wait_until 30 test -f "$NLVS_TMP/held.up"
tap_check "$([ -f "$NLVS_TMP/held.up" ] && echo 0 || echo 1)" "a TCP connection is established"

before=$(nlvs_stat drop.laddr-ports-exhausted)
ok=$(snat_udp_burst "$H1" "$LAB_OUT" 9)
tap_is "$ok" "9" "nine UDP flows take the other nine ports"
la=$("$NLVSCTL" -s "$NLVS_SOCK" laddrs)
echo "$la" | awk -v e="$E1" '$1 == "egress" && $2 == e && $3 == "active" && $4 == 10 &&
	$5 == 10 { f = 1 } END { exit !f }'
tap_check $? "nlvsctl laddrs: the egress address holds 10 of its 10 ports" "$la"

ok=$(snat_udp_burst "$H1" "$LAB_OUT" 5 1)
out=$(in_inside ping -n -c 1 -W 1 -I "$H1" "$LAB_OUT" 2>&1)
pst=$?
tap_is "$ok/$pst" "0/1" "with every port taken, new UDP flows and pings fail" "$out"
after=$(nlvs_stat drop.laddr-ports-exhausted)
tap_check "$([ $((after - before)) -ge 6 ] && echo 0 || echo 1)" \
	"the failed flows are counted as laddr-ports-exhausted ($before -> $after)"

out=$(in_outside ping -n -c 2 -W 5 "$E1" 2>&1)
tap_check $? "the egress address still answers ping" "$out"
out=$(in_inside ping -n -c 2 -W 5 10.88.1.1 2>&1)
tap_check $? "the gateway's own address still answers ping" "$out"

touch "$NLVS_TMP/held.go"
wait "$HELD"
tap_is "$(cat "$NLVS_TMP/held.out")" "held: outside" \
	"the established TCP connection still works"

# the UDP flows expire (30 s); the port of the closed TCP connection waits
# in TIME_WAIT, the rest come back (nlvsctl laddrs shows when)
ports_back()
{
	"$NLVSCTL" -s "$NLVS_SOCK" laddrs |
		awk -v e="$E1" '$1 == "egress" && $2 == e && $4 <= 1 { f = 1 } END { exit !f }'
}
nlvs_wait_until 120 ports_back
ok=$(snat_udp_burst "$H1" "$LAB_OUT" 8)
tap_is "$ok" "8" "after the flows expire new flows succeed again"
out=$(in_inside ping -n -c 3 -i 0.2 -W 5 -I "$H1" "$LAB_OUT" 2>&1)
tap_check $? "ping works again" "$out"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
