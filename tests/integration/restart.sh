#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# restart.sh: nlvsd killed with SIGKILL must (a) make its clients fail
# clearly and quickly, never report a false success, and (b) come back on
# the same socket with the same IPVS table (state file), since keepalived
# never re-reads the table.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ipvsadm timeout
nlvs_require_build
nlvs_tmpdir_make

# Seconds a client may take to give up on a dead server.
quick=10

nlvsd_start || tap_bail "nlvsd did not start"

cat > "$NLVS_TMP/table" <<'EOF'
-A -t 10.2.0.1:80 -s wrr -p 300 -M 255.255.255.0
-a -t 10.2.0.1:80 -r 192.168.50.1:8080 -m -w 3 -x 100 -y 10
-a -t 10.2.0.1:80 -r 192.168.50.2 -g -w 0
-a -t 10.2.0.1:80 -r 192.168.50.3 -i --tun-type gue --tun-port 6080 --tun-csum
-A -u 10.2.0.2:53 -s sh -b sh-fallback,sh-port -o
-a -u 10.2.0.2:53 -r 192.168.50.4:5353 -m
-A -f 12 -s mh -b mh-port
-a -f 12 -r 192.168.50.5 -m -w 7
-A -f 13 -6 -s lc -p 60 -M 64
-a -f 13 -6 -r [2001:db8:5::1]:0 -m
-A -t [2001:db8:5::10]:443 -s twos
-a -t [2001:db8:5::10]:443 -r [2001:db8:5::11]:8443 -m -w 2
-a -t [2001:db8:5::10]:443 -r 192.168.50.6 -i --tun-type gre
-A --sctp-service 10.2.0.3:5000 -s rr --pe sip -p 30
EOF
nlvs_ipvsadm -R < "$NLVS_TMP/table" > "$NLVS_TMP/restore.log" 2>&1
tap_check $? "table built with ipvsadm -R" "$(cat "$NLVS_TMP/restore.log")"
nlvs_ipvsadm --set 100 50 60
tap_check $? "timeouts set"
before=$(nlvs_ipvsadm -S -n)
before_to=$(nlvs_ipvsadm -L --timeout)
if [ "$(printf '%s\n' "$before" | wc -l)" -eq 14 ]; then
	tap_ok "table has the 14 objects"
else
	tap_not_ok "table has the 14 objects" "$before"
fi

# --- server killed between two commands of a session
nlvsd_kill9

# timed CMD...: run CMD, set $elapsed (s) and $rc; output in $NLVS_TMP/out.
timed()
{
	t0=$(date +%s.%N)
	"$@" > "$NLVS_TMP/out" 2>&1 < /dev/null
	rc=$?
	elapsed=$(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }')
}

check_dead_client()
{
	desc=$1
	shift
	timed nlvs_ipvsadm "$@"
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ -s "$NLVS_TMP/out" ] && \
		awk -v e="$elapsed" -v q=$quick 'BEGIN { exit !(e < q) }'; then
		tap_ok "$desc fails in ${elapsed}s (exit $rc)"
		tap_diag "$(head -n 3 "$NLVS_TMP/out")"
	else
		tap_not_ok "$desc fails clearly within ${quick}s" \
			"exit $rc after ${elapsed}s, output: $(head -n 5 "$NLVS_TMP/out")"
	fi
}
check_dead_client "dead server: ipvsadm -Ln" -Ln
check_dead_client "dead server: ipvsadm -A" -A -t 10.2.9.9:80 -s rr
check_dead_client "dead server: ipvsadm -a" -a -t 10.2.0.1:80 -r 192.168.50.9 -m
check_dead_client "dead server: ipvsadm -D" -D -t 10.2.0.1:80

# --- restart on the same (now stale) socket path
nlvsd_start
tap_check $? "nlvsd restarted on the same socket" "$(tail -n 20 "$NLVS_TMP/nlvsd.log")"
tap_is "$(nlvs_ipvsadm -S -n)" "$before" "ipvsadm -S -n after restart equals before the kill"
tap_is "$(nlvs_ipvsadm -L --timeout)" "$before_to" "timeouts survive the restart"
nlvs_ipvsadm -A -t 10.2.9.9:80 -s rr
tap_check $? "restarted server takes changes"
nlvs_ipvsadm -D -t 10.2.9.9:80

# --- server killed while a long ipvsadm -R is running
i=0
while [ $i -lt 40000 ]; do
	echo "-A -t 10.$((i / 62500 + 3)).$((i / 250 % 250)).$((i % 250 + 1)):80 -s rr"
	i=$((i + 1))
done > "$NLVS_TMP/big"
t0=$(date +%s.%N)
nlvs_ipvsadm -R < "$NLVS_TMP/big" > "$NLVS_TMP/big.out" 2>&1 &
rpid=$!
sleep 0.3
if kill -0 $rpid 2> /dev/null; then
	nlvsd_kill9
	wait $rpid
	rc=$?
	elapsed=$(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }')
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && \
		awk -v e="$elapsed" -v q=$quick 'BEGIN { exit !(e < q) }'; then
		tap_ok "ipvsadm -R cut off by the kill fails in ${elapsed}s (exit $rc)"
		tap_diag "$(tail -n 2 "$NLVS_TMP/big.out")"
	else
		tap_not_ok "ipvsadm -R cut off by the kill fails within ${quick}s" \
			"exit $rc after ${elapsed}s: $(tail -n 5 "$NLVS_TMP/big.out")"
	fi
	nlvsd_start
	tap_check $? "nlvsd restarted after the second kill"
	nlvs_ipvsadm -S -n > "$NLVS_TMP/after2" 2>&1
	tap_check $? "table readable after the second restart" "$(head "$NLVS_TMP/after2")"
	if grep -qx -- '-A -t 10.2.0.1:80 -s wrr -p 300 -M 255.255.255.0' "$NLVS_TMP/after2"; then
		tap_ok "earlier objects still there after the second restart"
	else
		tap_not_ok "earlier objects still there after the second restart"
	fi
else
	wait $rpid
	tap_skip "ipvsadm -R cut off by the kill" "40000 services restored in under 0.3 s"
fi
tap_done
