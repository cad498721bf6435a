#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# compact-aside.sh: compacting the state never stalls other clients.  While
# ipvsadm -R restores 110,000 entries (10,000 services with 10 dests each),
# a probe client sends GET_INFO requests one after the other and watches
# nlvsd's children.  When a compaction child appears it is stopped
# (SIGSTOP): the compaction is then provably in progress, and the probe's
# requests and the restore's changes must still be answered.  Afterwards
# (the child resumed), a kill -9 and a restart must give the whole table.
# The worst probe latency is printed; it is asserted only against a very
# generous bound (timing is not what this test proves).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ipvsadm timeout
nlvs_require_build
nlvs_tmpdir_make
PY=/usr/bin/python3
[ -x "$PY" ] || tap_skip_all "no $PY"

awk 'BEGIN {
	for (s = 0; s < 10000; s++) {
		vip = sprintf("10.%d.%d.%d:80", 100 + int(s / 62500), int(s / 250) % 250, s % 250 + 1)
		printf "-A -t %s -s wrr\n", vip
		for (d = 1; d <= 10; d++)
			printf "-a -t %s -r 192.168.%d.%d:8080 -m -w %d\n", vip, d, s % 250 + 1, d
	}
}' > "$NLVS_TMP/table"
tap_is "$(wc -l < "$NLVS_TMP/table")" 110000 "110,000 entries to restore"

# probe.py SOCK NLVSD_PID DONE OUT: GET_INFO in a loop until DONE exists.
cat > "$NLVS_TMP/probe.py" <<'PYEOF'
import os, signal, socket, struct, sys, time
path, nlvsd, done, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(path)
s.settimeout(30)
children = "/proc/%d/task/%d/children" % (nlvsd, nlvsd)
def state(pid):
    try:
        return open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
lat = []
seq = 0
stopped = None          # the compaction child we hold
stopped_answers = 0     # answered while it was provably stopped
seen = set()
lost = 0
while not os.path.exists(done):
    if stopped is None and stopped_answers == 0:
        kids = open(children).read().split()
        for k in kids:
            k = int(k)
            if k in seen:
                continue
            seen.add(k)
            try:
                os.kill(k, signal.SIGSTOP)
            except OSError:
                continue
            # in a system call (fsync: state D) it stops on its way out
            for _ in range(200):
                if state(k) in ("T", "Z", "X", "gone"):
                    break
                time.sleep(0.01)
            if state(k) == "T":
                stopped = k
                t_stop = time.monotonic()
            else:
                os.kill(k, signal.SIGCONT)
            break
    seq += 1
    msg = struct.pack("=IHHII", 20, 0x3f0, 1, seq, 0) + struct.pack("=BBH", 15, 1, 0)
    t0 = time.monotonic()
    s.send(msg)
    try:
        r = s.recv(65536)
    except socket.timeout:
        lost += 1
        continue
    lat.append(time.monotonic() - t0)
    if stopped is not None:
        if state(stopped) == "T":
            stopped_answers += 1
        if time.monotonic() - t_stop > 1.0:
            os.kill(stopped, signal.SIGCONT)
            stopped = None
    time.sleep(0.001)
for k in seen:
    try:
        os.kill(k, signal.SIGCONT)
    except OSError:
        pass
lat.sort()
with open(out, "w") as f:
    f.write("%d %d %d %.3f %.3f %d\n" % (len(lat), stopped_answers, len(seen),
            lat[len(lat) // 2] * 1000, lat[-1] * 1000, lost))
PYEOF

nlvsd_start || tap_bail "nlvsd did not start"
$PY "$NLVS_TMP/probe.py" "$NLVS_SOCK" "$NLVSD_PID" "$NLVS_TMP/done" "$NLVS_TMP/probe.out" &
probe=$!
nlvs_cleanup_add "kill $probe"
t0=$(date +%s)
NLVS_CMD_TIMEOUT=600 nlvs_ipvsadm -R < "$NLVS_TMP/table" > "$NLVS_TMP/restore.log" 2>&1
tap_check $? "ipvsadm -R of 110,000 entries" "$(head -n 5 "$NLVS_TMP/restore.log")"
t1=$(date +%s)
touch "$NLVS_TMP/done"
wait $probe
read -r answers held compactions median worst lost < "$NLVS_TMP/probe.out"
tap_diag "restore took $((t1 - t0)) s; probe: $answers answers, median ${median} ms," \
	"worst ${worst} ms, $lost timeouts; $compactions compaction children seen"
grep -E 'compact' "$NLVS_TMP/nlvsd.log" | sed 's/^/  /' > "$NLVS_TMP/compactions"
tap_diag_file "$NLVS_TMP/compactions"
if [ "${held:-0}" -gt 0 ]; then
	tap_ok "$held requests answered while a compaction child was held stopped"
else
	tap_not_ok "requests answered while a compaction is in progress" \
		"no compaction child caught ($compactions seen)"
fi
tap_is "${lost:-1}" 0 "no probe request went unanswered (30 s each)"
if awk -v w="${worst:-99999}" 'BEGIN { exit !(w < 2000) }'; then
	tap_ok "worst probe latency ${worst} ms (generous bound 2000 ms)"
else
	tap_not_ok "worst probe latency ${worst} ms (generous bound 2000 ms)"
fi
# let the last compaction finish (at most 2 minutes)
t=0
while [ -n "$(cat "/proc/$NLVSD_PID/task/$NLVSD_PID/children" 2> /dev/null)" ] && \
	[ $t -lt 1200 ]; do
	sleep 0.1
	t=$((t + 1))
done
nlvs_ipvsadm -S -n | sort > "$NLVS_TMP/before"
tap_is "$(wc -l < "$NLVS_TMP/before")" 110000 "table has 110,000 entries"
nlvsd_kill9
nlvsd_start || tap_bail "nlvsd did not restart"
nlvs_ipvsadm -S -n | sort > "$NLVS_TMP/after"
if cmp -s "$NLVS_TMP/before" "$NLVS_TMP/after"; then
	tap_ok "after kill -9 and restart the table is whole"
else
	tap_not_ok "after kill -9 and restart the table is whole" \
		"$(diff "$NLVS_TMP/before" "$NLVS_TMP/after" | head -n 5)"
fi
tap_done
