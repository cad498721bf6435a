#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# SNAT configured by the unmodified keepalived: a "virtual_server fwmark"
# with the egress addresses as NAT real servers makes the inside hosts'
# traffic leave from them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/snat-lib.sh"

nlvs_require_cmd keepalived
snat_setup
# shellcheck disable=SC2086
set -- $LAB_INSIDE
H1=$1
# shellcheck disable=SC2086
set -- $LAB_EGRESS
E1=$1 E2=$2

cat > "$NLVS_TMP/keepalived.conf" <<CONF
global_defs {
	router_id nlvs_snat
}
virtual_server fwmark 1 {
	delay_loop 2
	lb_algo rr
	lb_kind NAT
	real_server $E1 0 {
		weight 1
	}
	real_server $E2 0 {
		weight 1
	}
}
CONF
nlvs_keepalived_start
ka_pid=$NLVS_KA_PID

i=0
while [ $i -lt 50 ]; do
	[ "$(nlvs_ipvsadm -Ln 2> /dev/null | grep -c ' Masq ')" = 2 ] && break
	sleep 0.2
	i=$((i + 1))
done
out=$(nlvs_ipvsadm -Ln)
echo "$out" | grep -q '^FWM  1 rr' &&
	[ "$(echo "$out" | grep -c ' Masq ')" = 2 ]
tap_check $? "keepalived programs fwmark service 1 with both egress addresses" \
	"$out
$(tail -n 20 "$NLVS_TMP/keepalived.log")"

out=$(in_inside curl -sS -m 10 --interface "$H1" "http://$LAB_OUT/" 2>&1)
tap_check $? "curl from inside through keepalived's SNAT service" \
	"$out
$(nlvs_state_diag "$NLVS_TMP/keepalived.log" "$LAB/http.log")"
tap_is "$out" "outside" "the outside host answered curl"

snat_queries "$H1" 10
tap_is "$(snat_split "$E1" "$E2")" "5/5" "rr over keepalived's two egress addresses: 5/5"

out=$(in_inside ping -n -c 5 -i 0.2 -W 5 -I "$H1" "$LAB_OUT" 2>&1)
tap_check $? "ping through keepalived's SNAT service" "$out
$(nlvs_state_diag "$NLVS_TMP/keepalived.log")"

kill "$ka_pid"
wait "$ka_pid" 2> /dev/null
nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
