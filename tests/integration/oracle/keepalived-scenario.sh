#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# keepalived-scenario.sh CONFDIR RESULTDIR
#
# Drives keepalived 2.2.7 (checker only) through a fixed sequence of steps
# and records the IPVS table after each one.  Run in the oracle
# (oracle-run.sh) against the kernel, whose records are the golden
# goldens/keepalived.golden, and on the host against nlvsd
# (keepalived-compare.sh compares the two).  CONFDIR holds keepalived-1.conf and
# keepalived-2.conf; "@W@" in them becomes the work directory.
#
# Environment:
#   KA_PREFIX     command prefix (shell words, eval'd) put before keepalived
#                 and ipvsadm, e.g. "nlvs-exec -s /x/ipvs.sock"; empty for the
#                 kernel
#   KA_STEP_MAX   seconds a step may take (default 300; a step ends as soon
#                 as it is complete, see below)
#
# Records in RESULTDIR: STEP.save (ipvsadm -S -n), STEP.list (-Ln),
# STEP.timeout (-L --timeout), STEP.daemon (-L --daemon), each ending with
# "exit N"; STEP.wait ("complete" or "timed out"); steps (STEP names in
# order); keepalived.rc; keepalived.log.
#
# When is a step over?  Not after a fixed time: the oracle kernel on a busy
# machine is many times slower than the host.  Every checker is
# "check.sh ID MODE", which reads the step's generation number from
# $W/gen before its state file and records "ID.GEN" in $W/calls.  keepalived
# applies a check's result before it starts that checker again, so once
# every checker of the configuration has been called twice with the current
# generation, every consequence of the step is in the table.

set -u

confdir=$1
res=$2
prefix=${KA_PREFIX:-}
step_max=${KA_STEP_MAX:-300}
mkdir -p "$res/work/calls" || exit 1
W=$(cd "$res/work" && pwd -P)

ipvs()
{
	eval "timeout -k 5 20 $prefix ipvsadm \"\$@\""
}

for n in 1 2; do
	sed "s|@W@|$W|g" "$confdir/keepalived-$n.conf" > "$W/keepalived-$n.conf"
done
cat > "$W/check.sh" <<EOF
#!/bin/sh
# check.sh ID MODE: a MISC_CHECK whose result the test controls.
g=\$(cat '$W/gen')
case \$2 in
true) rc=0 ;;
false) rc=1 ;;
flip) [ "\$(cat '$W/flip')" = up ]; rc=\$? ;;
dyn) rc=\$(cat '$W/dyn') ;;
*) rc=1 ;;
esac
: > '$W/calls/'"\$1.\$g.\$\$"
exit \$rc
EOF
chmod 755 "$W/check.sh"
echo up > "$W/flip"
echo 0 > "$W/dyn"
gen=1
echo $gen > "$W/gen"
cp "$W/keepalived-1.conf" "$W/keepalived.conf"
: > "$res/steps"

# snapshot STEP: record the table views.
snapshot()
{
	echo "$1" >> "$res/steps"
	for v in "save:-S -n" "list:-Ln" "timeout:-L --timeout" "daemon:-L --daemon"; do
		# shellcheck disable=SC2086
		ipvs ${v#*:} > "$res/$1.${v%%:*}" 2>&1
		echo "exit $?" >> "$res/$1.${v%%:*}"
	done
}

# step_wait STEP: wait until every checker of the running configuration has
# been called twice in generation $gen, then snapshot.
step_wait()
{
	ids=$(sed -n 's|^[[:space:]]*misc_path "[^ ]*check\.sh \([^ ]*\) .*|\1|p' "$W/keepalived.conf" \
		| sort -u | tr '\n' ' ')
	t=0
	state="timed out"
	while [ $t -lt $((step_max * 5)) ]; do
		# Calls are files ID.GEN.PID; count the IDs seen < 2 times in $gen.
		# shellcheck disable=SC2012
		missing=$(ls "$W/calls" | awk -F. -v g="$gen" -v ids="$ids" '
			BEGIN { n = split(ids, id, " ") }
			$2 == g { c[$1]++ }
			END { m = 0; for (i = 1; i <= n; i++) if (c[id[i]] < 2) m++; print m }')
		if [ "$missing" = 0 ]; then
			state=complete
			break
		fi
		sleep 0.2
		t=$((t + 1))
	done
	echo "$state" > "$res/$1.wait"
	snapshot "$1"
}

# next_gen: a new generation; call after writing the state files.
next_gen()
{
	rm -f "$W"/calls/*
	gen=$((gen + 1))
	echo $gen > "$W/gen.tmp"
	mv "$W/gen.tmp" "$W/gen"
}

(eval "exec $prefix keepalived -n -l -D -G -R -C -f '$W/keepalived.conf' \
	-p '$W/keepalived.pid' -c '$W/checkers.pid'") \
	> "$res/keepalived.log" 2>&1 < /dev/null &
ka=$!

# signal SIG: to keepalived's parent process (its pid file names it, should
# the prefix not exec keepalived in place).
signal()
{
	kpid=$ka
	[ ! -s "$W/keepalived.pid" ] || kpid=$(cat "$W/keepalived.pid")
	kill -"$1" "$kpid"
}

step_wait 1-start

echo down > "$W/flip"
next_gen
step_wait 2-flip-down

echo up > "$W/flip"
next_gen
step_wait 3-flip-up

echo 7 > "$W/dyn"
next_gen
step_wait 4-dyn-weight

echo 1 > "$W/dyn"
next_gen
step_wait 5-dyn-fail

# Reload: checkers of the old configuration may still run after SIGHUP, so
# the new generation starts once keepalived says the reload is complete, and
# no state file changes before then (a check of the old configuration seeing
# the new state would race with the reload).
cp "$W/keepalived-2.conf" "$W/keepalived.conf"
reloads=$(grep -c 'Reload complete' "$res/keepalived.log")
signal HUP
t=0
while [ "$(grep -c 'Reload complete' "$res/keepalived.log")" -le "$reloads" ] && \
	[ $t -lt $((step_max * 5)) ]; do
	sleep 0.2
	t=$((t + 1))
done
echo 0 > "$W/dyn"
next_gen
step_wait 6-reload

echo down > "$W/flip"
next_gen
step_wait 7-flip-down

signal TERM
t=0
while kill -0 $ka 2> /dev/null && [ $t -lt $((step_max * 5)) ]; do
	sleep 0.2
	t=$((t + 1))
done
if kill -0 $ka 2> /dev/null; then
	kill -KILL $ka
	echo "keepalived ignored SIGTERM for $step_max s" >> "$res/keepalived.log"
fi
wait $ka
echo $? > "$res/keepalived.rc"
# A checker child left behind by a killed parent must not outlive the test.
if [ -f "$W/checkers.pid" ]; then
	kill -KILL "$(cat "$W/checkers.pid")" 2> /dev/null
fi
snapshot 8-stopped
