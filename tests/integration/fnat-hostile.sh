#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hostile traffic to a VIP (scapy from the client namespace): truncated
# headers, bad lengths, IP options, fragments, TTL 1, odd TCP flags, ACKs
# without a connection, a SYN flood.  Each is dropped and counted under its
# reason (the counters of `nlvsctl stats`), nlvsd keeps running, and a
# connection established before the attack still completes.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

/usr/bin/python3 -c 'import scapy.all' 2> /dev/null ||
	tap_skip_all "python3-scapy not installed"
fnat_setup
LB_MAC=$(ip -n "$NS_L" -o link show l0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
LADDR=${LAB_LADDR%% *}

fnat_rr_service
tap_check $? "ipvsadm adds a rr service"
out=$(fnat_get "http://$LAB_VIP/")
case $out in rs[123]) st=0 ;; *) st=1 ;; esac
tap_check $st "the service answers before the attack ($out)"

# a connection that lives through the whole attack
fnat_held_get 12 5 "$NLVS_TMP/held.up" > "$NLVS_TMP/held.out" 2>&1 &
held=$!
fnat_held_wait "$NLVS_TMP/held.up"

send()
{
	in_client timeout 60 /usr/bin/python3 "$top_srcdir/tests/integration/fnat-hostile.py" \
		c0 "$LB_MAC" "$LAB_VIP" "$LADDR" "$@" > /dev/null 2>&1
}

# KIND COUNTER: send 10 packets of KIND, COUNTER must grow by at least 10
check()
{
	b=$(nlvs_stat "drop.$2")
	send "$1" 10
	nlvs_wait_until 20 nlvs_stat_ge "drop.$2" $((b + 10))
	a=$(nlvs_stat "drop.$2")
	tap_check $([ $((a - b)) -ge 10 ] && echo 0 || echo 1) \
		"$1: dropped and counted as $2 (+$((a - b)))" "before $b after $a"
}

check truncated-ip bad-ip-header
check bad-length bad-ip-length
check options ip-options
# net_af_packet's fanout socket asks the kernel to reassemble
# (PACKET_FANOUT_FLAG_DEFRAG), so lone fragments never reach nlvsd here:
# what must hold is that none of them is forwarded.
c0=$(fnat_ipvsadm -Ln --stats | awk -v v="$LAB_VIP:80" '$2 == v {print $3}')
b=$(nlvs_stat drop.fragment)
send fragment 10
sleep 0.3
a=$(nlvs_stat drop.fragment)
c1=$(fnat_ipvsadm -Ln --stats | awk -v v="$LAB_VIP:80" '$2 == v {print $3}')
tap_is "$c1" "$c0" "fragments of SYNs open no connection (fragment drops +$((a - b)))"
check ttl1 ttl-exceeded
check odd-flags bad-tcp-flags
check truncated-tcp bad-l4-header
check not-syn not-syn
check no-service no-service
check no-conn no-connection

c0=$(fnat_ipvsadm -Ln --stats | awk -v v="$LAB_VIP:80" '$2 == v {print $3}')
send syn-flood 3000
# conns N: the service has counted N connections more than before the flood
conns()
{
	c1=$(fnat_ipvsadm -Ln --stats | awk -v v="$LAB_VIP:80" '$2 == v {print $3}')
	[ $((${c1:-0} - c0)) -ge "$1" ]
}
nlvs_wait_until 20 conns 2500
tap_check $([ $((c1 - c0)) -ge 2500 ] && echo 0 || echo 1) \
	"a flood of 3,000 SYNs becomes counted connections (+$((c1 - c0)))"
tap_diag "$(fnat_ipvsadm -Ln)"

nlvs_alive
tap_check $? "nlvsd still running after the attack"
wait $held
case $(cat "$NLVS_TMP/held.out") in rs[123]) st=0 ;; *) st=1 ;; esac
tap_check $st "the connection established before the attack completes" "$(cat "$NLVS_TMP/held.out")"
out=$(fnat_spread 6 "http://$LAB_VIP/")
tap_is "$out" "rs1=2 rs2=2 rs3=2 fail=0" "new connections still work after the attack"

nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
