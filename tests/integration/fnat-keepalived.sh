#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A health-checked keepalived configuration driving FULLNAT: the unmodified
# keepalived runs its HTTP_GET and TCP_CHECK checkers from the real servers'
# network (the lab's bridge namespace) and programs nlvsd through nlvs-exec.
# A real server whose HTTP server dies is taken out and traffic avoids it
# with nothing lost; when it comes back it is put back; a SIGHUP with new
# weights and scheduler is applied; SIGTERM removes the service.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

fnat_ka_setup

# the checkers' vantage point: an address on the real servers' bridge
ip -n "$NS_B" addr add 10.77.2.250/24 dev br0

fnat_keepalived_conf nlvs_fnat rr 1
nlvs_keepalived_start "$NS_B"
fnat_ka_wait_table 20 ' Masq +1 ' 3
tap_check $? "keepalived's checkers find the three real servers up" \
	"$(fnat_ka_diag)"

fnat_ka_spread_is 30 "rs1=10 rs2=10 rs3=10 fail=0" "rr through keepalived's service: 10/10/10"

pid=$(fnat_rs2_http_pid)
[ -n "$pid" ] && kill "$pid"
fnat_ka_wait_table 20 "$RS2:80" 0
tap_check $? "rs2's HTTP server stops: HTTP_GET fails and keepalived removes it" \
	"$(fnat_ka_diag)"
fnat_ka_spread_is 20 "rs1=10 rs2=0 rs3=10 fail=0" "traffic avoids rs2, nothing lost: 10/0/10"

fnat_rs2_http_start
fnat_ka_wait_table 20 "$RS2:80 +Masq" 1
tap_check $? "rs2's HTTP server is back: keepalived puts it back" \
	"$(fnat_ka_diag)"
fnat_ka_spread_is 30 "rs1=10 rs2=10 rs3=10 fail=0" "rr over the three again: 10/10/10"

fnat_keepalived_conf nlvs_fnat wrr 2
kill -HUP "$NLVS_KA_PID"
fnat_ka_wait_table 20 "^TCP +$LAB_VIP:80 wrr|$RS3:80 +Masq +2 " 2
tap_check $? "SIGHUP: keepalived switches the service to wrr with rs3 at weight 2" \
	"$(fnat_ka_diag)"
fnat_ka_spread_is 40 "rs1=10 rs2=10 rs3=20 fail=0" "wrr 1/1/2: 10/10/20"

fnat_ka_done
