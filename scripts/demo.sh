#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Quick start: build nlvs, start nlvsd on virtual DPDK ports (net_af_packet
# on veth pairs) in network namespaces, configure a FULLNAT service with the
# unmodified ipvsadm through nlvs-exec, and send real HTTP requests from a
# client namespace through it to three real servers.  Everything is removed
# at exit.  Needs root (namespaces); works on a fresh Debian 12.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/install-deps.sh
[ -x configure ] || { mkdir -p m4 && autoreconf -fi; }
mkdir -p build
cd build
[ -f Makefile ] || ../configure --prefix=/usr/local -q
make -j"$(nproc)" >/dev/null
build=$PWD

tmp=$(mktemp -d /tmp/nlvs-demo.XXXXXX)
lab=$tmp/lab
sock=$tmp/ipvs.sock
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	sh "$top/scripts/netns-lab.sh" down "$lab" || true
	rm -rf "$tmp" "/var/run/dpdk/nlvs-lab-demo$$"
}
trap cleanup EXIT

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
export NLVS_PRELOAD_LIB=$build/compat/.libs/libnlvs-preload.so
ipvsadm() { "$build/compat/nlvs-exec" -s "$sock" ipvsadm "$@"; }

echo "demo: building the lab (client, nlvsd, three real servers in namespaces)"
LAB_ID=demo$$ sh "$top/scripts/netns-lab.sh" up "$lab" >/dev/null
# shellcheck disable=SC1091
. "$lab/lab.env"
echo "demo: nlvsd.conf:"
sed 's/^/    /' "$lab/nlvsd.conf"
ip netns exec "$NS_L" "$build/dataplane/nlvsd" -d -f "$lab/nlvsd.conf" -s "$sock" \
	2>"$tmp/nlvsd.log" &
pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$tmp/nlvsd.log"; exit 1; }

say "nlvs-exec ipvsadm -A -t $LAB_VIP:80 -s rr"
ipvsadm -A -t "$LAB_VIP:80" -s rr
for rs in $LAB_RS_ADDRS; do
	say "nlvs-exec ipvsadm -a -t $LAB_VIP:80 -r $rs:80 -m"
	ipvsadm -a -t "$LAB_VIP:80" -r "$rs:80" -m
done
say "nlvs-exec ipvsadm -Ln"
ipvsadm -Ln

say "ip netns exec $NS_C curl http://$LAB_VIP/   (x9)"
for i in $(seq 9); do
	printf 'request %d answered by %s\n' "$i" \
		"$(ip netns exec "$NS_C" curl -s -m 4 "http://$LAB_VIP/" || echo FAILED)"
done
echo "(the real servers saw the local address as the client:"
tail -n 1 "$lab/rs1.http.log" | sed 's/^/    /'
echo ")"

say "nlvs-exec ipvsadm -Ln --stats"
ipvsadm -Ln --stats
say "nlvs-exec ipvsadm -Lcn"
ipvsadm -Lcn
say "nlvsctl stats | grep -v ' 0\$'"
"$build/tools/nlvsctl" -s "$sock" stats | grep -v ' 0$' | head -30
