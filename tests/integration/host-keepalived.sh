#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# keepalived's health checks from the load balancer itself: the unmodified
# keepalived runs under nlvs-exec in the LB's namespace, where the only way
# to the real servers is nlvsd's twin `srv` (the LB's own address 10.77.2.1
# on it): its HTTP_GET and TCP_CHECK connections leave through the twin,
# the dataplane and port srv, and the answers come back up the twin.  A
# real server whose HTTP daemon stops is taken out of the table, put back
# when it restarts; 200 client requests through the VIP, made while it is
# out and while it comes back, all succeed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

fnat_ka_setup
SRV_MAC=$(ip -n "$NS_L" -o link show l1 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

# the LB's own address on nlvsd's twin srv (also nlvsd.conf's port
# address): the kernel's route to the real servers is through the twin
ip -n "$NS_L" -o link show srv 2> /dev/null | grep -q "link/ether $SRV_MAC " ||
	tap_bail "nlvsd made no twin srv: $(ip -n "$NS_L" -o link)"
ip -n "$NS_L" addr add 10.77.2.1/24 dev srv
out=$(ip -n "$NS_L" route get "$RS1")
case $out in *" dev srv "*) st=0 ;; *) st=1 ;; esac
tap_check $st "the LB's kernel reaches the real servers through the twin srv" "$out"

fnat_keepalived_conf nlvs_lb rr 1

# log_count RE: lines of the real servers' HTTP logs from client RE (IPv4,
# written as a mapped IPv6 address by the servers bound on ::)
log_count() { cat "$LAB"/rs*.http.log 2> /dev/null | grep -Ec "^(::ffff:)?$1"; }
# log_more RE N: more than N such lines
log_more() { [ "$(log_count "$1")" -gt "$2" ]; }

up0=$(nlvs_stat port.srv.twin.up) down0=$(nlvs_stat port.srv.twin.down)
nlvs_keepalived_start "$NS_L"
fnat_ka_wait_table 30 ' Masq +1 ' 3
tap_check $? "keepalived's checkers on the LB find the three real servers up" "$(fnat_ka_diag)"
nlvs_wait_until 20 log_more '10\.77\.2\.1 ' 0
tap_check $? "the HTTP checks come from the LB's own address" \
	"$(tail -n 5 "$LAB"/rs1.http.log)"
[ "$(nlvs_stat port.srv.twin.up)" -gt "$up0" ] && [ "$(nlvs_stat port.srv.twin.down)" -gt "$down0" ]
tap_check $? "their packets cross the twin srv both ways" \
	"twin.up $up0 -> $(nlvs_stat port.srv.twin.up), twin.down $down0 -> $(nlvs_stat port.srv.twin.down)"
out=$(fnat_spread 30 "$URL")
tap_is "$out" "rs1=10 rs2=10 rs3=10 fail=0" "rr through keepalived's service: 10/10/10"

pid=$(fnat_rs2_http_pid)
[ -n "$pid" ] && kill "$pid"
fnat_ka_wait_table 30 "$RS2:80" 0
tap_check $? "rs2's HTTP daemon stops: HTTP_GET from the LB fails, keepalived removes it" \
	"$(fnat_ka_diag)"

# 200 requests while rs2 is out, while it restarts and after it is back
n0=$(log_count '10\.77\.2\.10[01] ')
fnat_spread 200 "$URL" > "$NLVS_TMP/spread.txt" &
SPREAD_PID=$!
nlvs_wait_until 60 log_more '10\.77\.2\.10[01] ' $((n0 + 40))
fnat_rs2_http_start
fnat_ka_wait_table 30 "$RS2:80 +Masq" 1
tap_check $? "rs2's HTTP daemon is back: keepalived puts it back" "$(fnat_ka_diag)"
wait $SPREAD_PID
out=$(cat "$NLVS_TMP/spread.txt")
case $out in *" fail=0") st=0 ;; *) st=1 ;; esac
tap_check $st "200 client requests through the VIP meanwhile: all succeed" "$out"
tap_diag "spread of the 200: $out"
out=$(fnat_spread 30 "$URL")
tap_is "$out" "rs1=10 rs2=10 rs3=10 fail=0" "rr over the three again: 10/10/10"

nlvs_stat_ge drop.host-traffic 1
tap_check $((! $?)) "nothing dropped as host-traffic" "$(nlvs_stat drop.host-traffic)"
fnat_ka_done
