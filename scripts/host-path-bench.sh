#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# host-path-bench.sh: throughput and latency of the host path (port -> kernel
# twin -> port) in the namespace lab of netns-lab.sh.  Figures, no verdict.
#
#   host-path-bench.sh BUILDDIR [HOST_RATE]
#
# nlvsd (BUILDDIR/dataplane/nlvsd) runs in the lab with "host-rate HOST_RATE"
# (default: nlvsd's default); the LB's address 10.77.1.1 is put on the twin
# "lan" too, where iperf3 listens.  Prints:
#   - ICMPv6 echo RTT to the twin's link-local address (answered by the
#     kernel through the host path) beside the RTT to fd00:77:1::1 (answered
#     by the dataplane itself), at 5 and 500 requests a second;
#   - iperf3 TCP client -> host and host -> client (-R), 10 s each;
#   - iperf3 UDP client -> host at 200 Mbit/s: loss and jitter;
#   - the host-path counters afterwards.
set -u
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [HOST_RATE]" >&2; exit 2; }
B=$(cd "$1" && pwd)
RATE=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/nlvs-hostbench.XXXXXX")
export LAB_ID=hb$$
PID=

cleanup()
{
	[ -z "$PID" ] || kill "$PID" 2> /dev/null
	[ -z "$PID" ] || wait "$PID" 2> /dev/null
	/bin/sh "$HERE/netns-lab.sh" down "$DIR"
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

/bin/sh "$HERE/netns-lab.sh" up "$DIR" > "$DIR/lab.log" 2>&1 || { cat "$DIR/lab.log"; exit 1; }
. "$DIR/lab.env"
[ -z "$RATE" ] || echo "host-rate $RATE" >> "$DIR/nlvsd.conf"
ip netns exec "$NS_L" "$B/dataplane/nlvsd" -d -f "$DIR/nlvsd.conf" -s "$DIR/ipvs.sock" \
	> "$DIR/nlvsd.log" 2>&1 &
PID=$!
i=0
while ! ip -n "$NS_L" link show dev lan > /dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 300 ] || { cat "$DIR/nlvsd.log"; exit 1; }
	sleep 0.1
done
ip -n "$NS_L" addr add 10.77.1.1/24 dev lan
ll=
while [ -z "$ll" ]; do
	sleep 0.2
	ll=$(ip -n "$NS_L" -6 -o addr show dev lan scope link |
		sed -n 's/.*inet6 \([^/]*\).*/\1/p')
done
ip netns exec "$NS_L" iperf3 -s -B 10.77.1.1 -D --logfile "$DIR/iperf3-s.log"
sleep 1

rtt()
{
	ip netns exec "$NS_C" ping -6 -q -c "$1" -i "$2" "$3" 2>&1 | tail -n 1
}
# warm-up: neighbour discovery both ways, out of the figures
rtt 3 0.2 "$ll%c0" > /dev/null
rtt 3 0.2 fd00:77:1::1 > /dev/null
echo "host-rate: ${RATE:-default}"
echo "RTT to the dataplane (fd00:77:1::1), 5/s:      $(rtt 20 0.2 fd00:77:1::1)"
echo "RTT through the twin ($ll), 5/s:   $(rtt 20 0.2 "$ll%c0")"
echo "RTT to the dataplane (fd00:77:1::1), 500/s:    $(rtt 1000 0.002 fd00:77:1::1)"
echo "RTT through the twin ($ll), 500/s: $(rtt 1000 0.002 "$ll%c0")"
echo "iperf3 TCP client -> host:"
ip netns exec "$NS_C" iperf3 -c 10.77.1.1 -t 10 2>&1 | grep -E 'sender|receiver'
echo "iperf3 TCP host -> client (-R):"
ip netns exec "$NS_C" iperf3 -c 10.77.1.1 -t 10 -R 2>&1 | grep -E 'sender|receiver'
echo "iperf3 UDP client -> host, 200 Mbit/s:"
ip netns exec "$NS_C" iperf3 -c 10.77.1.1 -t 10 -u -b 200M 2>&1 | grep -E 'sender|receiver'
echo "counters:"
"$B/tools/nlvsctl" -s "$DIR/ipvs.sock" stats |
	grep -E '^(host\.|drop\.host|drop\.exception|port\.lan\.twin)'
