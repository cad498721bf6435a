#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A full connection table (conn-table-size 1024): new flows beyond it are
# dropped and counted as conn-table-full, nothing crashes, an established
# TCP connection and ping keep working, and new flows succeed again once
# connections expire.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

FLOWS=$top_srcdir/tests/integration/udp-flows.py
LAB_CONN_TABLE=1024
export LAB_CONN_TABLE
fnat_setup

fnat_rr_service && fnat_ipvsadm -A -u "$LAB_VIP:7" -s rr &&
	for r in $LAB_RS_ADDRS; do fnat_ipvsadm -a -u "$LAB_VIP:7" -r "$r:7" -m; done &&
	fnat_ipvsadm --set 0 0 30
tap_check $? "TCP and UDP services; UDP timeout 30 s; a table of 1024 connections"

# a connection established before the table fills, finishing after
fnat_held_get 3 6 "$NLVS_TMP/held.up" > "$NLVS_TMP/held.out" 2>&1 &
held=$!
fnat_held_wait "$NLVS_TMP/held.up"

# one flow to each real server first: the burst need not wait for their MACs
ok=$(in_client python3 "$FLOWS" "" "$LAB_VIP" 7 3 5 19000)
tap_is "$ok" 3 "three UDP flows, one to each real server"

# 1,020 connections still fit (1,024 less the TCP one and the three flows)
before=$(nlvs_stat drop.conn-table-full)
ok=$(in_client python3 "$FLOWS" "" "$LAB_VIP" 7 1100 5 20000)
after=$(nlvs_stat drop.conn-table-full)
tap_check $([ $((after - before)) -ge 80 ] && echo 0 || echo 1) \
	"1,100 new UDP flows: the 80 beyond the table are counted as conn-table-full" \
	"conn-table-full $before -> $after
$(nlvs_state_diag)"
tap_check $([ "${ok:-0}" -ge 900 ] && [ "${ok:-0}" -le 1020 ] && echo 0 || echo 1) \
	"those that fit the table are answered ($ok of at most 1,020)"

out=$(in_client python3 "$FLOWS" "" "$LAB_VIP" 7 5 1 22000)
tap_is "$out" 0 "while the table is full new flows fail"

out=$(in_client ping -c 2 -W 5 "$LAB_VIP" 2>&1)
tap_check $? "ping to the VIP still answers" "$out"

wait $held
case $(cat "$NLVS_TMP/held.out") in rs[123]) st=0 ;; *) st=1 ;; esac
tap_check $st "the connection established before completes" "$(cat "$NLVS_TMP/held.out")"

# the UDP connections expire after 30 s; the table takes new flows again
port=23000
out=0
end=$(($(date +%s) + 120))
while :; do
	sleep 0.5
	out=$(in_client python3 "$FLOWS" "" "$LAB_VIP" 7 20 1 $port)
	[ "$out" = 20 ] && break
	[ "$(date +%s)" -lt "$end" ] || break
	port=$((port + 20))
done
tap_is "$out" 20 "after the flows expire new flows succeed again"
out=$(fnat_get "http://$LAB_VIP/")
case $out in rs[123]) st=0 ;; *) st=1 ;; esac
tap_check $st "and new TCP connections too" "got '$out'"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
