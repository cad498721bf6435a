#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A dead or missing nlvsd (ipvs-genl.md 4.6, R2): clients get an error
# quickly, never a hang, a false success or a busy loop; the shim says once
# on stderr which socket it could not reach.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

nlvs_require_root
nlvs_require_build
nlvs_require_cmd ipvsadm keepalived
nlvs_tmpdir_make

# run_timed LIMIT CMD...: run CMD with stdout/stderr in $NLVS_TMP/out and
# $NLVS_TMP/err; status in $st, wall time (tenths of seconds) in $tenths.
run_timed()
{
	_limit=$1
	shift
	_t0=$(date +%s%N)
	timeout -k 1 "$_limit" "$@" > "$NLVS_TMP/out" 2> "$NLVS_TMP/err"
	st=$?
	tenths=$((($(date +%s%N) - _t0) / 100000000))
}

warn_re="^nlvs: cannot reach nlvsd at $NLVS_SOCK: "

# 1. No nlvsd at all.
run_timed 2 "$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm -L -n
[ $st -ne 124 ] && [ $st -ne 137 ]
tap_check $? "ipvsadm -Ln without nlvsd returns within 2 s (${tenths}/10 s)"
[ $st -ne 0 ]
tap_check $? "ipvsadm -Ln without nlvsd fails (status $st)" "$(cat "$NLVS_TMP/err")"
tap_is "$(grep -c "$warn_re" "$NLVS_TMP/err")" 1 "the shim names the socket once"

run_timed 2 "$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm -A -t 10.0.0.1:80 -s rr
[ $st -ne 0 ] && [ $st -ne 124 ] && [ $st -ne 137 ]
tap_check $? "ipvsadm -A without nlvsd fails fast (status $st)" "$(cat "$NLVS_TMP/err")"

# 2. nlvsd killed between two ipvsadm runs, then back.
if ! nlvsd_start; then
	tap_not_ok "nlvsd starts"
	tap_done
fi
run_timed 5 "$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm -A -t 10.0.0.1:80 -s rr
tap_check $st "ipvsadm -A with nlvsd succeeds" "$(cat "$NLVS_TMP/err")"
nlvsd_kill9
run_timed 2 "$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm -a -t 10.0.0.1:80 -r 10.0.1.1:80 -m
[ $st -ne 0 ] && [ $st -ne 124 ] && [ $st -ne 137 ]
tap_check $? "ipvsadm -a after nlvsd died fails fast (status $st)" "$(cat "$NLVS_TMP/err")"
grep -q "$warn_re" "$NLVS_TMP/err"
tap_check $? "and names the socket" "$(cat "$NLVS_TMP/err")"
if nlvsd_start; then
	run_timed 5 "$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm -L -n
	tap_check $st "ipvsadm works again once nlvsd is back" "$(cat "$NLVS_TMP/err")"
else
	tap_not_ok "nlvsd restarts"
fi

# 3. keepalived loses nlvsd while running: it logs errors, does not spin,
# and still stops on SIGTERM.
rs_port=$((20000 + $$ % 20000))
# rs_start: a TCP listener for keepalived's TCP_CHECK ($rs_pid).
rs_start()
{
	python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
while True:
    c, _ = s.accept(); c.close()
' "$rs_port" > /dev/null 2>&1 &
	rs_pid=$!
	nlvs_cleanup_add "kill $rs_pid"
}
rs_start

cat > "$NLVS_TMP/keepalived.conf" <<CONF
global_defs {
	router_id nlvs_shim_dead
}
virtual_server 10.0.0.2 80 {
	delay_loop 1
	lb_algo rr
	lb_kind NAT
	protocol TCP
	real_server 127.0.0.1 $rs_port {
		weight 1
		TCP_CHECK {
			connect_timeout 1
			retry 0
		}
	}
}
CONF
nlvs_keepalived_start
ka_pid=$NLVS_KA_PID

# ka_cpu: CPU time (clock ticks) used so far by keepalived and its children.
ka_cpu()
{
	_sum=0
	for _p in $ka_pid $(ps -o pid= --ppid "$ka_pid" 2> /dev/null); do
		# utime and stime are fields 14 and 15 of /proc/PID/stat.
		_t=$(awk '{ print $14 + $15 }' "/proc/$_p/stat" 2> /dev/null) || continue
		_sum=$((_sum + ${_t:-0}))
	done
	echo "$_sum"
}

# Wait until the checker has programmed its service through nlvsd.
i=0
while [ $i -lt 50 ]; do
	"$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm -L -n 2> /dev/null | grep -q '10.0.0.2:80' && break
	sleep 0.2
	i=$((i + 1))
done
[ $i -lt 50 ]
tap_check $? "keepalived programs its virtual server through nlvsd" \
	"$(tail -n 20 "$NLVS_TMP/keepalived.log")"

nlvsd_kill9
kill "$rs_pid"		# the health check fails: keepalived sends DEL_DEST
i=0
while ! grep -q 'IPVS.*error' "$NLVS_TMP/keepalived.log" && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q 'IPVS.*error' "$NLVS_TMP/keepalived.log"
tap_check $? "keepalived logs the failed IPVS command" "$(tail -n 20 "$NLVS_TMP/keepalived.log")"
grep -q "$warn_re" "$NLVS_TMP/keepalived.log"
tap_check $? "keepalived's log names the unreachable socket"

# The check keeps failing every second, so keepalived keeps talking to the
# dead socket during this window.
cpu0=$(ka_cpu)
sleep 3
cpu1=$(ka_cpu)
hz=$(getconf CLK_TCK)
used=$((cpu1 - cpu0))
[ "$used" -lt $((hz / 2)) ]
tap_check $? "keepalived does not spin without nlvsd ($used ticks in 3 s)"

# table_wait PRESENT|ABSENT: wait up to 15 s until keepalived's real server
# is (or is no longer) in nlvsd's table.
table_wait()
{
	_i=0
	while [ $_i -lt 75 ]; do
		"$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm -L -n > "$NLVS_TMP/table" 2> /dev/null
		if grep -q "127.0.0.1:$rs_port" "$NLVS_TMP/table"; then
			[ "$1" = PRESENT ] && return 0
		else
			[ "$1" = ABSENT ] && return 0
		fi
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

# keepalived's long-lived socket reconnects once nlvsd is back.  nlvsd kept
# the real server (the DEL_DEST failed), keepalived keeps retrying it, so
# the removal now goes through; then the real server returns and
# keepalived's NEW_DEST goes through too.
if nlvsd_start; then
	table_wait ABSENT
	tap_check $? "keepalived's retried DEL_DEST reaches the restarted nlvsd" \
		"$(cat "$NLVS_TMP/table"; tail -n 10 "$NLVS_TMP/keepalived.log")"
	rs_start
	table_wait PRESENT
	tap_check $? "keepalived's NEW_DEST reaches it too" \
		"$(cat "$NLVS_TMP/table"; tail -n 10 "$NLVS_TMP/keepalived.log")"
	nlvsd_kill9
else
	tap_not_ok "nlvsd restarts"
fi

kill -TERM "$ka_pid"
i=0
while kill -0 "$ka_pid" 2> /dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$ka_pid" 2> /dev/null; then
	tap_not_ok "keepalived stops on SIGTERM without nlvsd" \
		"$(tail -n 20 "$NLVS_TMP/keepalived.log")"
else
	tap_ok "keepalived stops on SIGTERM without nlvsd (${i}/10 s)"
fi
[ "${NLVS_TEST_VERBOSE:-0}" = 0 ] || tap_diag_file "$NLVS_TMP/keepalived.log"

tap_done
