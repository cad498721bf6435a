#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A full connection table on the SNAT gateway (conn-table-size 1024): the
# inside hosts' new flows beyond it are dropped and counted as
# conn-table-full, nothing crashes, the gateway's own addresses still
# answer, and new flows succeed again once connections expire.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/snat-lib.sh"

LAB_CONN_TABLE=1024
export LAB_CONN_TABLE
snat_setup
# shellcheck disable=SC2086
set -- $LAB_INSIDE
H1=$1

snat_service 1 rr && nlvs_ipvsadm --set 0 0 30
tap_check $? "a SNAT service over both egress addresses; UDP timeout 30 s"

# one flow first, so the burst does not wait for the router's MAC
ok=$(snat_udp_burst "$H1" "$LAB_OUT" 1)
tap_is "$ok" 1 "a UDP flow through SNAT"

before=$(nlvs_stat drop.conn-table-full)
ok=$(snat_udp_burst "$H1" "$LAB_OUT" 1099)
after=$(nlvs_stat drop.conn-table-full)
tap_check $([ $((after - before)) -ge 76 ] && echo 0 || echo 1) \
	"1,099 new UDP flows from inside: the 76 beyond the table are counted as conn-table-full" \
	"conn-table-full $before -> $after
$(nlvs_state_diag)"
tap_check $([ "${ok:-0}" -ge 900 ] && [ "${ok:-0}" -le 1023 ] && echo 0 || echo 1) \
	"those that fit the table are answered ($ok of at most 1,023)"

ok=$(snat_udp_burst "$H1" "$LAB_OUT" 5 1)
out=$(in_inside ping -n -c 1 -W 1 -I "$H1" "$LAB_OUT" 2>&1)
pst=$?
tap_is "$ok/$pst" "0/1" "while the table is full new UDP flows and pings fail" "$out"

out=$(in_inside ping -n -c 2 -W 5 10.88.1.1 2>&1)
tap_check $? "the gateway's own address still answers ping" "$out"

# the UDP connections expire after 30 s; the table takes new flows again
ok=0
end=$(($(date +%s) + 120))
while :; do
	sleep 0.5
	ok=$(snat_udp_burst "$H1" "$LAB_OUT" 20 1)
	[ "$ok" = 20 ] && break
	[ "$(date +%s)" -lt "$end" ] || break
done
tap_is "$ok" 20 "after the flows expire new flows succeed again"
out=$(in_inside curl -sS -m 10 --interface "$H1" "http://$LAB_OUT/" 2>&1)
tap_is "$out" "outside" "and a TCP connection through SNAT"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
