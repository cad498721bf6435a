#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Volume through the VIP: an iperf3 transfer completes, and a burst of
# 1,000 TCP connections (20 in parallel) all get their answer.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

nlvs_require_cmd iperf3
fnat_setup
set -- $LAB_RS_ADDRS
RS1=$1 RS2=$2 RS3=$3
NS_RS1=${NS_RS%% *}

fnat_ipvsadm -A -t "$LAB_VIP:80" -s wlc &&
	fnat_ipvsadm -a -t "$LAB_VIP:80" -r "$RS1:80" -m &&
	fnat_ipvsadm -a -t "$LAB_VIP:80" -r "$RS2:80" -m &&
	fnat_ipvsadm -a -t "$LAB_VIP:80" -r "$RS3:80" -m &&
	fnat_ipvsadm -A -t "$LAB_VIP:5201" -s rr &&
	fnat_ipvsadm -a -t "$LAB_VIP:5201" -r "$RS1:5201" -m
tap_check $? "ipvsadm adds the HTTP (wlc) and iperf3 services"

ip netns exec "$NS_RS1" timeout 60 iperf3 -s -1 > "$NLVS_TMP/iperf3-s.log" 2>&1 &
srv=$!
nlvs_cleanup_add "kill $srv"
# the client must not knock before the server listens (iperf3's own "Server
# listening" sits in its stdio buffer when its output is a file)
listening()
{
	[ -n "$(ip netns exec "$NS_RS1" ss -Hltn 'sport = :5201')" ]
}
nlvs_wait_until 30 listening
out=$(in_client timeout 40 iperf3 -c "$LAB_VIP" -t 3 -f m 2>&1)
st=$?
rate=$(echo "$out" | awk '/receiver/ {print $7, $8}')
tap_check $st "iperf3 through the VIP completes (receiver: $rate)" "$out"
wait $srv 2> /dev/null

out=$(in_client timeout 120 python3 "$top_srcdir/tests/integration/fnat-conns.py" \
	"$LAB_VIP" 1000 20 2>&1)
case $out in "ok=1000 fail=0"*) st=0 ;; *) st=1 ;; esac
tap_check $st "1,000 TCP connections through the VIP all complete ($out)" \
	"$out
$(nlvs_stat drop.conn-table-full) conn-table-full drops"

# counters reach ipvsadm when the control thread folds the workers' (every
# tick, and only once the table it published is current): allow a moment
for try in 1 2 3 4 5 6 7 8 9 10; do
	conns=$(fnat_ipvsadm -Ln --stats | awk -v v="$LAB_VIP:80" '$2 == v {print $3}')
	[ "${conns:-0}" -ge 1000 ] && break
	sleep 0.5
done
tap_check $([ "${conns:-0}" -ge 1000 ] && echo 0 || echo 1) \
	"ipvsadm --stats counted the connections ($conns)"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
