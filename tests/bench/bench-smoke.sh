#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make bench` cannot rot: its driver runs in its tiny mode (1 K flows, 64 K
# packets a phase, 50 services x 2 dests, one second of testpmd) and must
# write a bench.json with exactly the keys issue 13 names, the control
# plane's floor and the workers figures, each a number (hugepages a
# boolean), and the raw figures the chart is drawn from.  No figure is
# judged: timings are never asserted in the test suite.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

nlvs_require_root
nlvs_require_build
nlvs_require_cmd ipvsadm dpdk-testpmd python3
[ -x "$top_builddir/tests/bench/bench_worker" ] ||
	tap_bail "tests/bench/bench_worker not built (make check builds it)"
nlvs_tmpdir_make
tap_plan 4

BENCH_TINY=1 BENCH_HUGE=0 BENCH_OUT=$NLVS_TMP SHELL=${SHELL:-/bin/sh} \
	"${SHELL:-/bin/sh}" "$top_srcdir/tests/bench/bench-run.sh" > "$NLVS_TMP/bench.log" 2>&1
st=$?
[ $st = 0 ] || tap_diag_file "$NLVS_TMP/bench.log"
tap_check $st "the benchmark runs end to end in its tiny mode"

python3 - "$NLVS_TMP/bench.json" > "$NLVS_TMP/check.log" 2>&1 <<'PY'
import json, sys
keys = ["fnat4_est_64k_cpp", "fnat4_est_4m_cpp", "fnat6_est_64k_cpp", "snat4_est_64k_cpp",
        "handoff_64k_cpp", "fnat4_new_64k_cpc", "fnat4_new_4m_cpc", "l3fwd_cpp",
        "io_floor_cpp", "conn_bytes", "ipvsadm_restore_10k_s", "ipvsadm_list_10k_s",
        "ipvsadm_restore_floor_s", "ipvsadm_list_floor_s", "ctl_rtt_us",
        "fnat4_est_64k_1w_cpp", "fnat4_est_64k_2w_cpp", "fnat4_est_64k_1w_mpps",
        "fnat4_est_64k_2w_mpps", "hugepages"]
d = json.load(open(sys.argv[1]))
bad = sorted(set(d) ^ set(keys))
if bad:
    sys.exit("keys missing or extra: %s" % bad)
for k in keys[:-1]:
    v = d[k]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        sys.exit("%s is not a positive number: %r" % (k, v))
if not isinstance(d["hugepages"], bool):
    sys.exit("hugepages is not a boolean: %r" % d["hugepages"])
PY
st=$?
[ $st = 0 ] || tap_diag_file "$NLVS_TMP/check.log"
tap_check $st "bench.json has exactly the issue's keys, the floor and the workers', every figure a number"

# the chart's input: FULLNAT IPv4 rows for both table sizes, the baselines
n=$(awk '$1 == "run" && $2 == "fnat4" && $4 == 1 && $5 == "est"' \
	"$NLVS_TMP/bench.d/worker.kv" 2> /dev/null | wc -l)
grep -q '^io_floor_cpp ' "$NLVS_TMP/bench.d/io.kv" 2> /dev/null && [ "$n" -eq 2 ]
tap_check $? "bench.d/ keeps the per-size figures and the I/O floor" "$n size rows"

# the workers panel's input: cycles/pkt and Mpps of 1 and 2 workers
w=$(awk '$1 == "run" && $2 == "fnat4" && ($5 == "est_rss" || $5 == "est_rss_mpps") &&
	$6 > 0 { print $4 "/" $5 }' "$NLVS_TMP/bench.d/worker.kv" 2> /dev/null | sort | tr '\n' ' ')
tap_is "$w" "1/est_rss 1/est_rss_mpps 2/est_rss 2/est_rss_mpps " \
	"bench.d/ keeps cycles/pkt and Mpps for 1 and 2 workers"
tap_done
