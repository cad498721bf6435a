#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install dependencies, build nlvs out of tree in ./build and run every test
# (make check).  Integration tests need root (network namespaces).
# Ends with one line "check: N passed, N failed, N skipped".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/install-deps.sh
[ -x configure ] || { mkdir -p m4 && autoreconf -fi; }
mkdir -p build
cd build
[ -f Makefile ] || ../configure --prefix=/usr/local -q
make -j"$(nproc)"

rc=0
make -j1 check || rc=$?

# Summarise the TAP results of every test.
pass=0 fail=0 skip=0
for trs in $(find . -name '*.trs'); do
	while read -r key val; do
		case "$key" in
		:test-result:)
			case "$val" in
			PASS|XFAIL) pass=$((pass + 1)) ;;
			SKIP) skip=$((skip + 1)) ;;
			*) fail=$((fail + 1)) ;;
			esac ;;
		esac
	done < "$trs"
done
if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
	fail=1
fi
[ "$rc" = 0 ] || find . -name 'test-suite.log' -exec cat {} \; | tail -200
echo "check: $pass passed, $fail failed, $skip skipped"
exit "$rc"
