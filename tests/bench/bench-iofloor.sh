#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench-iofloor.sh: the I/O floor under the worker path.  dpdk-testpmd
# io-forwards between two net_null ports (the kind bench_worker uses) on
# one forwarding lcore; the packets it moved and the CPU time its
# forwarding thread spent (schedstat, so preemption by others on a busy
# machine is not counted) give cycles per packet.
#
#   bench-iofloor.sh TSC_HZ [KVFILE]
# Env: BENCH_HUGE=1 runs EAL on hugepages (reserved by the caller),
# BENCH_IO_SECONDS (3) how long to forward.  Prints the figure; with KVFILE
# writes "io_floor_cpp N" (and the rate) into it.  Exit 77 without testpmd.

hz=$1
kv=${2:-}
secs=${BENCH_IO_SECONDS:-3}
testpmd=$(command -v dpdk-testpmd) ||
	{ echo "bench-iofloor: dpdk-testpmd not installed (package dpdk-dev)" >&2; exit 77; }
[ -n "$hz" ] || { echo "usage: bench-iofloor.sh TSC_HZ [KVFILE]" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/nlvs-iofloor.XXXXXX") || exit 1
pid=
cleanup()
{
	exec 3>&- 2> /dev/null
	[ -z "$pid" ] || { kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null; }
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ "${BENCH_HUGE:-0}" = 1 ]; then
	mem="--in-memory -m 256"
	memname="2 MiB hugepages"
else
	mem="--no-huge -m 256 --file-prefix nlvs-iofloor-$$"
	memname="4 KiB pages"
fi
mkfifo "$dir/in" || exit 1
# shellcheck disable=SC2086 # $mem is a word list
stdbuf -oL "$testpmd" $mem --no-pci -l 0-1 --vdev net_null0 --vdev net_null1 \
	--log-level lib.eal:warning --no-telemetry -- -i --total-num-mbufs=8192 \
	--forward-mode=io < "$dir/in" > "$dir/log" 2>&1 &
pid=$!
exec 3> "$dir/in"

# wait_for PATTERN: until the log shows it (bounded: 30 s)
wait_for()
{
	_n=0
	while ! grep -q "$1" "$dir/log"; do
		kill -0 "$pid" 2> /dev/null || return 1
		_n=$((_n + 1))
		[ $_n -lt 300 ] || return 1
		sleep 0.1
	done
}

# the forwarding lcore's thread (EAL names it rte-worker-1)
worker_ns()
{
	for t in /proc/"$pid"/task/*; do
		[ "$(cat "$t/comm" 2> /dev/null)" = rte-worker-1 ] || continue
		read -r ns _ < "$t/schedstat" && echo "$ns" && return 0
	done
	return 1
}

wait_for "testpmd>" || { echo "bench-iofloor: testpmd did not start:" >&2; cat "$dir/log" >&2; exit 1; }
ns0=$(worker_ns) || { echo "bench-iofloor: no forwarding thread" >&2; exit 1; }
echo start >&3
sleep "$secs"
echo stop >&3
wait_for "Accumulated forward statistics" || { cat "$dir/log" >&2; exit 1; }
ns1=$(worker_ns)
echo quit >&3
exec 3>&-
wait "$pid"
pid=
pkts=$(awk '/Accumulated forward statistics/ { acc = 1 } acc && /RX-packets:/ { print $2; exit }' \
	"$dir/log")
[ -n "$pkts" ] && [ "$pkts" -gt 0 ] ||
	{ echo "bench-iofloor: no packets forwarded" >&2; cat "$dir/log" >&2; exit 1; }
awk -v p="$pkts" -v a="$ns0" -v b="$ns1" -v hz="$hz" -v kv="$kv" -v m="$memname" 'BEGIN {
	ns = b - a
	cpp = ns * hz / 1e9 / p
	printf "dpdk-testpmd io forwarding, 2 net_null ports, 1 lcore, %s:\n", m
	printf "  %d packets, %.3f s on the CPU: %.1f cycles/pkt (%.1f Mpps on one core)\n",
		p, ns / 1e9, cpp, hz / cpp / 1e6
	if (kv != "") {
		printf "io_floor_cpp %.1f\nio_floor_mpps %.2f\n", cpp, hz / cpp / 1e6 > kv
	}
}'
