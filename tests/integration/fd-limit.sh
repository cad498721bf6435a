#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fd-limit.sh: descriptor exhaustion must neither make nlvsd spin nor lock
# legitimate clients out.  nlvsd starts with a soft RLIMIT_NOFILE of 1024 and
# must raise it to the hard limit; then its limit is cut to 1024:1024 from
# outside (prlimit) and nobody opens 1,100 idle connections to it (more than
# it has descriptors).  Over an interval nlvsd must use little CPU (the old
# accept loop spun at 99 % on a listener left readable by EMFILE), log a
# bounded number of lines, and a root ipvsadm -Ln must be answered.
# Timing is never asserted tightly: the CPU bound is a tenth of the interval
# (nlvsd idles at 0; the old loop spun even when starved on a loaded machine).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ipvsadm setpriv prlimit timeout getconf
id nobody > /dev/null 2>&1 || tap_skip_all "no user nobody"
nlvs_require_build
nlvs_tmpdir_make
PY=/usr/bin/python3
[ -x "$PY" ] || tap_skip_all "no $PY"
hard=$(ulimit -H -n)
[ "$hard" = unlimited ] || [ "$hard" -gt 2048 ] || tap_skip_all "hard RLIMIT_NOFILE $hard too low"

chmod 755 "$NLVS_TMP"
mkdir -m 1777 "$NLVS_TMP/x"
ulimit -S -n 1024
nlvsd_start || tap_bail "nlvsd did not start"
chmod 666 "$NLVS_SOCK"

soft_now=$(awk '/^Max open files/ { print $4 }' "/proc/$NLVSD_PID/limits")
hard_now=$(awk '/^Max open files/ { print $5 }' "/proc/$NLVSD_PID/limits")
tap_is "$soft_now" "$hard_now" "nlvsd raised its soft descriptor limit (was 1024)"

nlvs_ipvsadm -A -t 10.8.0.1:80 -s rr || tap_bail "cannot add a service"
prlimit --pid "$NLVSD_PID" --nofile=1024:1024 || tap_bail "prlimit failed"

# hold.py SOCK N READY: open N idle connections, report how many, wait.
cat > "$NLVS_TMP/hold.py" <<'PYEOF'
import os, socket, sys, time
path, n, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
held = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    try:
        s.connect(path)
    except OSError:
        s.close()
        continue
    held.append(s)
with open(ready + ".tmp", "w") as f:
    f.write("%d\n" % len(held))
os.rename(ready + ".tmp", ready)
time.sleep(600)
PYEOF
chmod 644 "$NLVS_TMP/hold.py"

: > "$NLVS_TMP/nlvsd.log.mark"
log_before=$(wc -l < "$NLVS_TMP/nlvsd.log")
prlimit --nofile=4096:4096 setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups \
	$PY "$NLVS_TMP/hold.py" "$NLVS_SOCK" 1100 "$NLVS_TMP/x/ready" &
holder=$!
nlvs_cleanup_add "kill $holder"
t=0
while [ ! -s "$NLVS_TMP/x/ready" ] && [ $t -lt 600 ]; do
	sleep 0.1
	t=$((t + 1))
done
tap_is "$(cat "$NLVS_TMP/x/ready" 2> /dev/null)" 1100 "1,100 idle connections made"
open_fds=$(ls "/proc/$NLVSD_PID/fd" | wc -l)
tap_diag "nlvsd holds $open_fds descriptors"

# CPU time (utime + stime, in clock ticks) nlvsd used over $interval s
cputicks()
{
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$NLVSD_PID/stat"
}
interval=5
hz=$(getconf CLK_TCK)
sleep 1
c0=$(cputicks)
sleep $interval
c1=$(cputicks)
used=$((c1 - c0))
bound=$((hz * interval / 10))
if [ "$used" -lt "$bound" ]; then
	tap_ok "no busy loop: nlvsd used $used ticks of $((hz * interval)) (bound $bound)"
else
	tap_not_ok "no busy loop: nlvsd used $used ticks of $((hz * interval)) (bound $bound)"
fi

out=$(NLVS_CMD_TIMEOUT=20 nlvs_ipvsadm -Ln 2>&1)
rc=$?
tap_check $rc "root ipvsadm -Ln answered under 1,100 idle connections" "$out"
case $out in
*10.8.0.1:80*) tap_ok "the listing shows the table" ;;
*) tap_not_ok "the listing shows the table" "$out" ;;
esac
asnobody="setpriv --reuid=nobody --regid=$(id -gn nobody) --clear-groups"
out=$(timeout 20 $asnobody "$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm -Ln 2>&1 < /dev/null)
rc=$?
# served (a shed idle client made room) or refused with an error, never a hang
if [ $rc -ne 124 ]; then
	tap_ok "nobody's ipvsadm -Ln answered or refused promptly (exit $rc)"
else
	tap_not_ok "nobody's ipvsadm -Ln answered or refused promptly" "$out"
fi
lines=$(($(wc -l < "$NLVS_TMP/nlvsd.log") - log_before))
if [ "$lines" -lt 100 ]; then
	tap_ok "log stays small: $lines lines"
else
	tap_not_ok "log stays small: $lines lines" "$(tail -n 5 "$NLVS_TMP/nlvsd.log")"
fi
tap_diag_file "$NLVS_TMP/nlvsd.log"
kill "$holder" 2> /dev/null
wait "$holder" 2> /dev/null
nlvs_alive
tap_check $? "nlvsd still running"
tap_is "$(nlvs_ipvsadm -S -n)" "-A -t 10.8.0.1:80 -s rr" "table intact"
tap_done
