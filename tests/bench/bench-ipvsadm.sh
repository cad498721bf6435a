#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench-ipvsadm.sh: control-plane throughput of nlvsd as ipvsadm sees it.
# Generates BENCH_SERVICES (10000) TCP services with BENCH_DESTS (10) NAT
# dests each as an ipvsadm -R file, then times, through nlvs-exec:
#   ipvsadm -R < file      (one NEW_SERVICE/NEW_DEST per line)
#   ipvsadm -Ln            (one GET_SERVICE dump + one GET_DEST dump per
#                           service, a new socket each, as ipvsadm does)
#   ipvsadm -S -n
#   ipvsadm -C
# and prints wall times and rates.  nlvsd runs with its dataplane (one
# worker, two net_null ports), as in production, unless BENCH_DATAPLANE=0.
# Before nlvsd starts, bench_rtt measures the round trip between two
# processes on this machine: ipvsadm waits for each answer, so a restore
# through nlvs-exec needs at least one per command, and the listing one per
# service; those products are printed as the floor of this machine (the
# kernel's IPVS answers inside the system call and has no such floor).
# BENCH_KV=FILE: also write "ipvsadm_restore_10k_s S",
# "ipvsadm_list_10k_s S", the two floors and the round trip there.
# BENCH_CONF="LINE;LINE": more nlvsd.conf lines (e.g. "snat-rule mark 1 in
# client": the SNAT engine's table then follows every change too).
# BENCH_HUGE=1: EAL on hugepages (reserved by the caller).  Run by `make bench`; not part of `make check`: the
# figures are printed, never asserted.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nsvc=${BENCH_SERVICES:-10000}
ndest=${BENCH_DESTS:-10}

command -v ipvsadm > /dev/null || { echo "bench: ipvsadm not installed" >&2; exit 77; }
for f in "$NLVSD" "$NLVS_EXEC" "$NLVS_PRELOAD_LIB"; do
	[ -e "$f" ] || { echo "bench: $f not built" >&2; exit 1; }
done
nlvs_tmpdir_make
# No per-command bound here: a big restore legitimately takes long.
# shellcheck disable=SC2034 # read by nlvs_exec in tests/lib.sh
NLVS_CMD_TIMEOUT=3600
if [ "${BENCH_DATAPLANE:-1}" = 1 ]; then
	if [ "${BENCH_HUGE:-0}" = 1 ]; then
		mem="--in-memory -m 256"
	else
		mem="--no-huge -m 256 --file-prefix nlvs-benchctl-$$"
	fi
	cat > "$NLVS_TMP/nlvsd.conf" <<EOF
eal $mem --no-pci -l 0-1 --log-level lib.eal:warning
workers 1
port client net_null0,no-rx=1
port rs net_null1,no-rx=1
address client 198.51.100.1/24
address rs 10.2.0.1/24
EOF
	[ -z "${BENCH_CONF:-}" ] || printf '%s\n' "$BENCH_CONF" | tr ';' '\n' >> "$NLVS_TMP/nlvsd.conf"
fi
rtt=$("$top_builddir/tests/bench/bench_rtt" --kv "$NLVS_TMP/rtt.kv" |
	awk '$1 == "ctl_rtt_us" { print $2 }')
nlvsd_start > "$NLVS_TMP/start.log" || { cat "$NLVS_TMP/start.log"; exit 1; }
grep -q "dataplane running" "$NLVS_TMP/nlvsd.log" && dp="with its dataplane" ||
	dp="control plane only"

awk -v ns="$nsvc" -v nd="$ndest" 'BEGIN {
	for (s = 0; s < ns; s++) {
		vip = sprintf("10.%d.%d.%d", int(s / 62500) + 100, int(s / 250) % 250, s % 250 + 1)
		printf "-A -t %s:80 -s wrr\n", vip
		for (d = 0; d < nd; d++)
			printf "-a -t %s:80 -r 172.%d.%d.%d:8080 -m -w %d\n", vip,
				16 + d, int(s / 250) % 250, s % 250 + 1, d + 1
	}
}' > "$NLVS_TMP/rules"
lines=$(wc -l < "$NLVS_TMP/rules")

now() { date +%s.%N; }
# report WHAT START END COUNT UNIT
report()
{
	awk -v w="$1" -v a="$2" -v b="$3" -v n="$4" -v u="$5" 'BEGIN {
		t = b - a
		printf "%-28s %9.2f s  %10.0f %s/s\n", w, t, (t > 0 ? n / t : 0), u
	}'
}

echo "nlvsd ($dp), ipvsadm through nlvs-exec: $nsvc services x $ndest dests" \
	"($lines restore lines)"
t0=$(now)
nlvs_ipvsadm -R < "$NLVS_TMP/rules" || echo "bench: ipvsadm -R failed (exit $?)"
t1=$(now)
report "ipvsadm -R" "$t0" "$t1" "$lines" "commands"
restore_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
report "" "$t0" "$t1" "$nsvc" "services"

t0=$(now)
nlvs_ipvsadm -Ln > "$NLVS_TMP/list" || echo "bench: ipvsadm -Ln failed (exit $?)"
t1=$(now)
report "ipvsadm -Ln" "$t0" "$t1" "$nsvc" "services"
list_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
want=$((nsvc * (ndest + 1) + 3))
got=$(wc -l < "$NLVS_TMP/list")
if [ "$got" -ne "$want" ]; then
	echo "bench: ipvsadm -Ln listed $got lines, $want expected: no figures" >&2
	restore_s= list_s=
fi
echo "  ($(wc -l < "$NLVS_TMP/list") lines listed)"
# floor COUNT: COUNT round trips, in seconds
floor() { awk -v r="$rtt" -v n="$1" 'BEGIN { printf "%.3f", n * r / 1e6 }'; }
if [ -n "$rtt" ]; then
	floor_restore=$(floor "$lines") floor_list=$(floor "$nsvc")
	echo "floor: one round trip between two processes per command, $rtt us here:"
	printf '  %-26s %9.2f s\n' "ipvsadm -R" "$floor_restore" "ipvsadm -Ln" "$floor_list"
fi

t0=$(now)
nlvs_ipvsadm -S -n > "$NLVS_TMP/save" || echo "bench: ipvsadm -S -n failed (exit $?)"
t1=$(now)
report "ipvsadm -S -n" "$t0" "$t1" "$nsvc" "services"
if ! cmp -s "$NLVS_TMP/save" "$NLVS_TMP/rules"; then
	echo "bench: warning: ipvsadm -S -n differs from the restored rules"
fi

t0=$(now)
nlvs_ipvsadm -C || echo "bench: ipvsadm -C failed (exit $?)"
t1=$(now)
report "ipvsadm -C" "$t0" "$t1" "$nsvc" "services"
nlvsd_stop
if [ -n "${BENCH_KV:-}" ] && [ -n "$restore_s" ]; then
	{
		printf 'ipvsadm_restore_10k_s %s\nipvsadm_list_10k_s %s\nipvsadm_services %s\n' \
			"$restore_s" "$list_s" "$nsvc"
		[ -z "$rtt" ] || printf 'ipvsadm_restore_floor_s %s\nipvsadm_list_floor_s %s\n' \
			"$floor_restore" "$floor_list"
		cat "$NLVS_TMP/rtt.kv" 2> /dev/null
	} > "$BENCH_KV"
fi
[ -n "$restore_s" ]
