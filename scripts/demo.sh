#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Quick start: build nlvs, start nlvsd and manage it with the unmodified
# ipvsadm through nlvs-exec.  Everything lives in a temporary directory and
# is removed at exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/install-deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --prefix=/usr/local -q
make -j"$(nproc)" >/dev/null
build=$PWD

tmp=$(mktemp -d /tmp/nlvs-demo.XXXXXX)
sock=$tmp/ipvs.sock
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

export NLVS_PRELOAD_LIB=$build/compat/.libs/libnlvs-preload.so
ipvsadm() { "$build/compat/nlvs-exec" -s "$sock" ipvsadm "$@"; }
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

"$build/dataplane/nlvsd" -d -s "$sock" 2>"$tmp/nlvsd.log" &
pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

say "nlvs-exec ipvsadm -A -t 192.0.2.1:80 -s rr"
ipvsadm -A -t 192.0.2.1:80 -s rr
for rs in 198.51.100.10 198.51.100.11 198.51.100.12; do
	say "nlvs-exec ipvsadm -a -t 192.0.2.1:80 -r $rs:8080 -m"
	ipvsadm -a -t 192.0.2.1:80 -r $rs:8080 -m
done
say "nlvs-exec ipvsadm -A -u [2001:db8::1]:53 -s mh -b mh-port"
ipvsadm -A -u '[2001:db8::1]:53' -s mh -b mh-port
say "nlvs-exec ipvsadm -Ln"
ipvsadm -Ln
say "nlvs-exec ipvsadm -S -n"
ipvsadm -S -n
