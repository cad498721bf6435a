#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A burst of changes while traffic flows: ipvsadm -R adds 1,500 services
# of 4 dests (7,500 changes, enough for nlvsd to coalesce the dataplane's
# rebuilds instead of rebuilding per change) while connections go through
# a service set up before.  Every connection completes; once the burst is
# acknowledged, the dataplane catches up within the documented lag: the
# first, middle and last services of the burst answer, a deleted one
# does not, and ipvsadm lists exactly what was restored.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

nsvc=1500
fnat_setup
set -- $LAB_RS_ADDRS

fnat_rr_service
tap_check $? "ipvsadm adds the service that carries the traffic"

# first a service added and deleted again (deletions are coalesced too),
# then services $LAB_VIP:20000.. with every real server as a dest; tables
# are published whole and in order, so once the last service answers,
# every earlier change is in the dataplane
awk -v vip="$LAB_VIP" -v n="$nsvc" -v rs="$*" 'BEGIN {
	k = split(rs, r, " ")
	printf "-A -t %s:%d -s wlc\n", vip, 20000 + n
	printf "-a -t %s:%d -r %s:80 -m\n", vip, 20000 + n, r[1]
	printf "-D -t %s:%d\n", vip, 20000 + n
	for (s = 0; s < n; s++) {
		printf "-A -t %s:%d -s rr\n", vip, 20000 + s
		for (d = 1; d <= k; d++)
			printf "-a -t %s:%d -r %s:80 -m\n", vip, 20000 + s, r[d]
	}
}' > "$NLVS_TMP/rules"

in_client timeout 300 python3 "$top_srcdir/tests/integration/fnat-conns.py" \
	"$LAB_VIP" 1500 4 > "$NLVS_TMP/conns.out" 2>&1 &
traffic=$!
nlvs_cleanup_add "kill $traffic 2> /dev/null"
# the burst starts once traffic flows
flowing()
{
	_c=$(fnat_ipvsadm -Ln --stats | awk -v v="$LAB_VIP:80" '$2 == v {print $3}')
	[ "${_c:-0}" -ge 1 ] || ! kill -0 "$traffic" 2> /dev/null
}
nlvs_wait_until 60 flowing
nlvs_ipvsadm -R < "$NLVS_TMP/rules"
tap_check $? "ipvsadm -R of $nsvc services acknowledged while traffic flows"
overlap=no
kill -0 "$traffic" 2> /dev/null && overlap=yes
wait "$traffic"
out=$(cat "$NLVS_TMP/conns.out")
case $out in "ok=1500 fail=0"*) st=0 ;; *) st=1 ;; esac
tap_check $st "1,500 connections through the VIP all complete during the burst" \
	"$out (traffic still running when the burst was acknowledged: $overlap)"

# the dataplane's view lags by at most a second (plus one rebuild): poll
answers()
{
	[ -n "$(fnat_get "http://$LAB_VIP:$1/")" ]
}
st=0
for p in $((20000 + nsvc - 1)) 20000 $((20000 + nsvc / 2)); do
	nlvs_wait_until 20 answers "$p" || { st=1; break; }
done
tap_check $st "the last, first and middle services of the burst answer (port $p)"

gone=$(in_client curl -s -o /dev/null -w '%{http_code}' -m 3 "http://$LAB_VIP:$((20000 + nsvc))/")
tap_is "$gone" "000" "the service added and deleted within the burst does not answer"

want=$(( nsvc * ($# + 1) + ($# + 1) + 3 ))
got=$(fnat_ipvsadm -Ln | wc -l)
tap_is "$got" "$want" "ipvsadm -Ln lists exactly the restored table ($want lines)"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
