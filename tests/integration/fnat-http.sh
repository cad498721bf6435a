#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# FULLNAT of HTTP through nlvsd, configured with the unmodified ipvsadm:
# rr/wrr spread, live weight edits and deletes, weight 0 draining, -p
# persistence, sh/mh affinity, live counters, the connection list, ping.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

fnat_setup
V=$LAB_VIP:80
URL=http://$LAB_VIP/
set -- $LAB_RS_ADDRS
RS1=$1 RS2=$2 RS3=$3

fnat_rr_service
tap_check $? "ipvsadm adds a rr service with three masquerading dests"

out=$(fnat_get "$URL")
case $out in rs[123]) st=0 ;; *) st=1 ;; esac
tap_check $st "curl through the VIP gets a real server's answer" "got '$out'
$(tail -n 30 "$NLVS_TMP/nlvsd.log")"

out=$(fnat_spread 30 "$URL")
tap_is "$out" "rs1=10 rs2=10 rs3=10 fail=0" "rr: 30 requests spread 10/10/10"

out=$(cat "$LAB"/rs*.http.log | grep -c 'GET / ')
srcs=$(cat "$LAB"/rs*.http.log | grep 'GET / ' | awk '{print $1}' | sort -u | tr '\n' ' ')
case " $srcs" in
*10.77.1.2*) st=1 ;;
*10.77.2.10[01]*) st=0 ;;
*) st=1 ;;
esac
tap_check $st "real servers see a local address as the source" "sources: $srcs ($out requests)"

fnat_ipvsadm -E -t "$V" -s wrr &&
	fnat_ipvsadm -e -t "$V" -r "$RS1:80" -m -w 3 &&
	fnat_ipvsadm -e -t "$V" -r "$RS2:80" -m -w 2 &&
	fnat_ipvsadm -e -t "$V" -r "$RS3:80" -m -w 1
tap_check $? "ipvsadm switches to wrr with weights 3/2/1"
sleep 0.2
out=$(fnat_spread 60 "$URL")
tap_is "$out" "rs1=30 rs2=20 rs3=10 fail=0" "wrr 3/2/1: 60 requests spread 30/20/10"

fnat_ipvsadm -e -t "$V" -r "$RS1:80" -m -w 1 &&
	fnat_ipvsadm -e -t "$V" -r "$RS2:80" -m -w 1 &&
	fnat_ipvsadm -e -t "$V" -r "$RS3:80" -m -w 2
sleep 0.2
out=$(fnat_spread 40 "$URL")
tap_is "$out" "rs1=10 rs2=10 rs3=20 fail=0" "weights edited live to 1/1/2: spread 10/10/20"

fnat_ipvsadm -d -t "$V" -r "$RS3:80"
sleep 0.2
out=$(fnat_spread 20 "$URL")
tap_is "$out" "rs1=10 rs2=10 rs3=0 fail=0" "a deleted dest gets nothing: 10/10/0"

# weight 0 drains: a connection held open to rs1 finishes after rs1 went to
# weight 0, while every new connection goes elsewhere
fnat_ipvsadm -a -t "$V" -r "$RS3:80" -m -w 0 &&
	fnat_ipvsadm -e -t "$V" -r "$RS2:80" -m -w 0
sleep 0.2
fnat_held_get 3 4 "$NLVS_TMP/held.up" > "$NLVS_TMP/held.out" 2>&1 &
held=$!
fnat_held_wait "$NLVS_TMP/held.up"
# active: rs1 counts an ActiveConn (the client's ACK may still be on its way)
active()
{
	act=$(fnat_ipvsadm -Ln | awk -v d="$RS1:80" '$2 == d {print $5}')
	[ "${act:-0}" -ge 1 ]
}
nlvs_wait_until 20 active
tap_check $([ "${act:-0}" -ge 1 ] && echo 0 || echo 1) \
	"ipvsadm -Ln shows the held connection as ActiveConn" "$(fnat_ipvsadm -Ln)"
fnat_ipvsadm -e -t "$V" -r "$RS1:80" -m -w 0 &&
	fnat_ipvsadm -e -t "$V" -r "$RS2:80" -m -w 1
sleep 0.2
out=$(fnat_spread 10 "$URL")
tap_is "$out" "rs1=0 rs2=10 rs3=0 fail=0" "weight 0: new connections avoid the drained dest"
wait $held
tap_is "$(cat "$NLVS_TMP/held.out")" "rs1" "weight 0: the established connection completes"

inact=$(fnat_ipvsadm -Ln | awk '/->.*Masq/ {s += $6} END {print s + 0}')
tap_check $([ "$inact" -ge 1 ] && echo 0 || echo 1) "ipvsadm -Ln shows InActConn ($inact)" \
	"$(fnat_ipvsadm -Ln)"

fnat_ipvsadm -e -t "$V" -r "$RS1:80" -m -w 1 &&
	fnat_ipvsadm -e -t "$V" -r "$RS3:80" -m -w 1 &&
	fnat_ipvsadm -E -t "$V" -s rr -p 600
sleep 0.2
out=$(fnat_spread 12 "$URL")
case $out in
"rs1=12 rs2=0 rs3=0 fail=0" | "rs1=0 rs2=12 rs3=0 fail=0" | "rs1=0 rs2=0 rs3=12 fail=0") st=0 ;;
*) st=1 ;;
esac
# (600 s: the template must outlive the tests up to ipvsadm -Lc below, which
# take well over a minute on a loaded machine)
tap_check $st "-p 600: one client stays on one real server ($out)" "$out"
pers=$(fnat_ipvsadm -Ln | awk '/->.*Masq/ {print}')
tap_diag "$pers"

for s in sh mh; do
	fnat_ipvsadm -E -t "$V" -s $s
	sleep 0.2
	out=$(fnat_spread 12 "$URL")
	case $out in
	"rs1=12 rs2=0 rs3=0 fail=0" | "rs1=0 rs2=12 rs3=0 fail=0" | \
	"rs1=0 rs2=0 rs3=12 fail=0") st=0 ;;
	*) st=1 ;;
	esac
	tap_check $st "$s: the same client always reaches the same server ($out)" "$out"
done

sleep 0.2
st=$(fnat_ipvsadm -Ln --stats | awk -v v="$V" '$2 == v {print $3, $4, $5}')
set -- $st
tap_check $([ "${1:-0}" -ge 100 ] && [ "${2:-0}" -ge 500 ] && [ "${3:-0}" -ge 500 ] &&
	echo 0 || echo 1) "ipvsadm -Ln --stats counts conns/in/out packets ($st)" \
	"$(fnat_ipvsadm -Ln --stats)"

# rates: the estimator runs every 2 s and shows 1 CPS only from about 1
# connection a second: look while connections keep coming (a loaded machine
# makes sequential curls slower than that)
in_client timeout 60 python3 "$top_srcdir/tests/integration/fnat-conns.py" "$LAB_VIP" 300 1 \
	> /dev/null 2>&1 &
load=$!
rate_live()
{
	rate=$(fnat_ipvsadm -Ln --rate | awk -v v="$V" '$2 == v {print $3, $4, $6}')
	set -- $rate
	[ "${1:-0}" -ge 1 ] && [ "${2:-0}" -ge 1 ]
}
nlvs_wait_until 30 rate_live
tap_check $? "ipvsadm -Ln --rate shows live CPS/InPPS ($rate)" "$(fnat_ipvsadm -Ln --rate)"
wait $load

out=$(fnat_ipvsadm -Lcn)
case $out in
*"$LAB_VIP:80"*TIME_WAIT* | *TIME_WAIT*"$LAB_VIP:80"*) st=0 ;;
*) st=1 ;;
esac
tap_check $st "ipvsadm -Lc lists the connections" "$(echo "$out" | head -n 8)"
case $out in *NONE*"$LAB_VIP:80"*) st=0 ;; *) st=1 ;; esac
tap_check $st "ipvsadm -Lc lists the persistence template" "$(echo "$out" | grep -v TIME_WAIT)"

fnat_ipvsadm -Z
sleep 0.2
st=$(fnat_ipvsadm -Ln --stats | awk -v v="$V" '$2 == v {print $3}')
tap_is "$st" "0" "ipvsadm -Z zeroes the counters"

# wlc on fresh dests (a second service, so no earlier connection counts):
# sequential requests leave only inactive (TIME_WAIT) connections, and the
# kernel's rule -- least (256 * active + inactive) / weight, ties to the
# first in list order -- spreads 40 of them exactly 10/10/20 over 1/1/2.
W=$LAB_VIP:81
fnat_ipvsadm -A -t "$W" -s wlc &&
	fnat_ipvsadm -a -t "$W" -r "$RS1:80" -m -w 1 &&
	fnat_ipvsadm -a -t "$W" -r "$RS2:80" -m -w 1 &&
	fnat_ipvsadm -a -t "$W" -r "$RS3:80" -m -w 2
tap_check $? "ipvsadm adds a wlc service with weights 1/1/2"
out=$(fnat_spread 40 "http://$W/")
tap_is "$out" "rs1=10 rs2=10 rs3=20 fail=0" "wlc 1/1/2: 40 requests spread 10/10/20"

# port reuse, as the kernel's conn_reuse_mode 1: a client's SYN from a port
# whose connection to the VIP has ended (TIME_WAIT here) is a new connection,
# scheduled afresh, not the old one reopened towards the same server
fnat_ipvsadm -E -t "$V" -s rr
sleep 0.2
out=$(in_client timeout 60 python3 "$top_srcdir/tests/integration/fnat-conns.py" \
	"$LAB_VIP" 6 1 40123)
tap_is "$out" "ok=6 fail=0 rs1=2 rs2=2 rs3=2" \
	"6 connections from one reused client port are rescheduled: rr 2/2/2"

out=$(in_client ping -c 2 -W 5 "$LAB_VIP" 2>&1)
tap_check $? "ping to the VIP answers" "$out"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
