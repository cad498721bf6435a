#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# keepalived with lb_kind DR drives nlvsd through nlvs-exec: the unmodified
# keepalived runs its TCP_CHECK checkers from the router, which shares the
# real servers' bridge (scripts/netns-dr-lab.sh), builds the table with
# "Route" real servers, and the traffic goes by direct routing; SIGTERM
# removes the service.
LAB_FWD=dr
export LAB_FWD
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"

nlvs_require_cmd keepalived
direct_setup
set -- $LAB_RS_ADDRS
RS1=$1 RS2=$2 RS3=$3

{
	cat <<CONF
global_defs {
	router_id nlvs_dr
}
virtual_server $LAB_VIP 80 {
	delay_loop 1
	lb_algo rr
	lb_kind DR
	protocol TCP
CONF
	for r in "$RS1" "$RS2" "$RS3"; do
		cat <<CONF
	real_server $r 80 {
		weight 1
		TCP_CHECK {
			connect_timeout 5
			retry 1
			delay_before_retry 1
		}
	}
CONF
	done
	echo "}"
} > "$NLVS_TMP/keepalived.conf"

# dr_table PATTERN COUNT: COUNT lines of ipvsadm -Ln match PATTERN (grep -E)
dr_table()
{
	[ "$(fnat_ipvsadm -Ln 2> /dev/null | grep -cE "$1")" = "$2" ]
}

nlvs_keepalived_start "$NS_R"
nlvs_wait_until 30 dr_table ' Route +1 ' 3
tap_check $? "keepalived (lb_kind DR) puts the three checked real servers in as Route" \
	"$(fnat_ipvsadm -Ln; tail -n 20 "$NLVS_TMP/keepalived.log")"

out=$(direct_spread 30 "http://$LAB_VIP/")
tap_is "$out" "rs1=10 rs2=10 rs3=10 fail=0" "rr spreads 30 requests 10/10/10 by direct routing"
st=$(fnat_ipvsadm -Ln --stats | awk -v v="$LAB_VIP:80" '$2 == v {print $4, $5}')
set -- $st
tap_check $([ "${1:-0}" -ge 30 ] && [ "${2:-1}" = 0 ] && echo 0 || echo 1) \
	"only inbound packets counted ($st)" "$(fnat_ipvsadm -Ln --stats)"

kill -TERM "$NLVS_KA_PID"
nlvs_wait_until 20 dr_table "$LAB_VIP:80" 0
tap_check $? "SIGTERM: keepalived removes its service" "$(fnat_ipvsadm -Ln)"

direct_done
