#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench-run.sh: `make bench`.  One run, every figure, baselines included:
#   bench_worker       the worker loop: FULLNAT IPv4 at 64 K..4 M flows, IPv6,
#                      SNAT, hand-off, plain IPv4 forwarding, and 1 and 2
#                      workers with traffic spread as RSS would (tests/bench/)
#   bench_fnat         the packet core alone (not in the tiny mode)
#   bench-iofloor.sh   dpdk-testpmd io forwarding over net_null: the I/O floor
#   bench-ipvsadm.sh   ipvsadm -R / -Ln of 10,000 services x 10 dests
# then writes bench.json in the build directory with the keys issue 13
# names, and keeps the raw figures in bench.d/ (the chart is drawn from
# them: make bench-chart).
#
# As root it reserves 2 MiB hugepages (/proc/sys/vm/nr_hugepages) for the
# run and gives them back afterwards; otherwise, or when the kernel cannot
# find them, EAL runs on 4 KiB pages.  bench.json says which.
#
# Env: BENCH_TINY=1 a smoke run (1 K flows, 50 services x 2 dests: the
# figures mean nothing, the file has every key); BENCH_HUGE=0 never
# reserves hugepages; BENCH_OUT=DIR writes bench.json and bench.d/ there
# instead of the build directory.  Nothing here is asserted on speed: it fails only
# when a case could not run or its packets were dropped or mangled.

: "${top_srcdir:?}" "${top_builddir:?}"
dest=${BENCH_OUT:-$top_builddir}
out=$dest/bench.d
json=$dest/bench.json
mkdir -p "$out" || exit 1
rm -f "$out"/*.kv "$json"
tiny=${BENCH_TINY:-0}
nr=/proc/sys/vm/nr_hugepages
ours=0

huge_release()
{
	[ "$ours" -gt 0 ] || return 0
	_now=$(cat "$nr")
	echo $((_now > ours ? _now - ours : 0)) > "$nr"
	ours=0
}
trap huge_release EXIT
trap 'exit 1' INT TERM

# Each EAL instance (one at a time) takes 256 MiB: 128 pages, and some room.
huge=0
if [ "${BENCH_HUGE:-1}" = 1 ] && [ -w "$nr" ]; then
	want=192
	before=$(cat "$nr")
	echo $((before + want)) > "$nr" 2> /dev/null
	after=$(cat "$nr")
	ours=$((after - before))
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	if [ "$ours" -ge 160 ] && [ "${free:-0}" -ge 160 ]; then
		huge=1
	else
		huge_release
	fi
fi
if [ $huge = 1 ]; then
	echo "bench: $ours 2 MiB hugepages reserved for the run (given back at the end)"
else
	echo "bench: no hugepages (not root, or none free): EAL on 4 KiB pages"
fi

load=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "bench: $(nproc) CPUs, $cpu; load average $load"

wargs=
[ "$tiny" = 1 ] && wargs=--tiny
[ $huge = 1 ] && wargs="$wargs --huge"
# shellcheck disable=SC2086
"$top_builddir/tests/bench/bench_worker" $wargs --kv "$out/worker.kv" || exit 1
hz=$(awk '$1 == "tsc_hz" { print $2 }' "$out/worker.kv")

# the packet core alone (lookup, state, rewrite), no I/O: for comparison
if [ "$tiny" != 1 ] && [ -x "$top_builddir/tests/bench/bench_fnat" ]; then
	echo
	"$top_builddir/tests/bench/bench_fnat" || exit 1
fi

echo
BENCH_HUGE=$huge BENCH_IO_SECONDS=$([ "$tiny" = 1 ] && echo 1 || echo 3) \
	"$SHELL" "$top_srcdir/tests/bench/bench-iofloor.sh" "$hz" "$out/io.kv"
rc=$?
if [ $rc = 77 ]; then
	echo "bench: no dpdk-testpmd (package dpdk-dev): io_floor_cpp is null"
elif [ $rc != 0 ]; then
	exit 1
fi

echo
if [ "$tiny" = 1 ]; then
	export BENCH_SERVICES=50 BENCH_DESTS=2
fi
BENCH_HUGE=$huge BENCH_KV=$out/ctl.kv "$SHELL" "$top_srcdir/tests/bench/bench-ipvsadm.sh"
rc=$?
[ $rc = 0 ] || [ $rc = 77 ] || exit 1
huge_release

{
	echo "load_avg $load"
	echo "cpus $(nproc)"
	echo "cpu $cpu"
	echo "tiny $tiny"
} > "$out/machine.kv"

# bench.json: the keys of issue 13; the control plane's floor on this
# machine (one round trip between processes per command, and that round
# trip); then the workers figures (established FULLNAT IPv4 both ways
# spread over 1 and 2 workers as RSS would: cycles per packet summed over
# the workers, and Mpps).  A figure that could not be taken (no testpmd,
# no ipvsadm) is null, never made up.
cat "$out"/worker.kv "$out"/io.kv "$out"/ctl.kv 2> /dev/null | awk '
function num(k) { return (k in v) ? v[k] : "null" }
$1 == "run" { run[$2 " " $3 " " $4 " " $5] = $6; if ($2 == "fnat4" && $4 == 1) {
	if (!(small) || $3 + 0 < small) small = $3 + 0
	if ($3 + 0 > large) large = $3 + 0 } next }
$1 == "mem" { mem[$2 " " $3] = $5; next }
{ v[$1] = $2 }
END {
	s = small; l = large
	printf "{\n"
	printf "  \"fnat4_est_64k_cpp\": %s,\n", run["fnat4 " s " 1 est"]
	printf "  \"fnat4_est_4m_cpp\": %s,\n", run["fnat4 " l " 1 est"]
	printf "  \"fnat6_est_64k_cpp\": %s,\n", run["fnat6 " s " 1 est"]
	printf "  \"snat4_est_64k_cpp\": %s,\n", run["snat4 " s " 1 est"]
	printf "  \"handoff_64k_cpp\": %s,\n", run["fnat4 " s " 2 handoff"]
	printf "  \"fnat4_new_64k_cpc\": %s,\n", run["fnat4 " s " 1 new"]
	printf "  \"fnat4_new_4m_cpc\": %s,\n", run["fnat4 " l " 1 new"]
	printf "  \"l3fwd_cpp\": %s,\n", run["fnat4 " s " 1 l3fwd"]
	printf "  \"io_floor_cpp\": %s,\n", num("io_floor_cpp")
	printf "  \"conn_bytes\": %s,\n", mem["fnat4 " l]
	printf "  \"ipvsadm_restore_10k_s\": %s,\n", num("ipvsadm_restore_10k_s")
	printf "  \"ipvsadm_list_10k_s\": %s,\n", num("ipvsadm_list_10k_s")
	printf "  \"ipvsadm_restore_floor_s\": %s,\n", num("ipvsadm_restore_floor_s")
	printf "  \"ipvsadm_list_floor_s\": %s,\n", num("ipvsadm_list_floor_s")
	printf "  \"ctl_rtt_us\": %s,\n", num("ctl_rtt_us")
	printf "  \"fnat4_est_64k_1w_cpp\": %s,\n", run["fnat4 " s " 1 est_rss"]
	printf "  \"fnat4_est_64k_2w_cpp\": %s,\n", run["fnat4 " s " 2 est_rss"]
	printf "  \"fnat4_est_64k_1w_mpps\": %s,\n", run["fnat4 " s " 1 est_rss_mpps"]
	printf "  \"fnat4_est_64k_2w_mpps\": %s,\n", run["fnat4 " s " 2 est_rss_mpps"]
	printf "  \"hugepages\": %s\n", v["hugepages"] == 1 ? "true" : "false"
	printf "}\n"
}' > "$json.tmp" && mv "$json.tmp" "$json" || exit 1
echo
echo "bench: wrote $json"
cat "$json"
