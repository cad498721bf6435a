#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# oracle-goldens.sh: the checked-in goldens (tests/integration/goldens/*.golden,
# what ipvsadm-compare.sh, keepalived-compare.sh and perm.sh hold nlvsd to)
# must still be what the real kernel IPVS answers.  Runs every golden
# scenario again in the oracle (user-mode-linux, or qemu where UML does not
# boot: tests/integration/oracle/oracle-run.sh) and compares the records, one
# TAP test per scenario.  Skipped, with the reason, only when no oracle can
# run on this machine, or when NLVS_ORACLE_CHECK=skip says the same sources
# were checked already (.ci/run sets it for `make distcheck`, which runs the
# suite a second time from the tarball).  `make goldens` records them anew.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

[ "${NLVS_ORACLE_CHECK:-}" != skip ] ||
	tap_skip_all "NLVS_ORACLE_CHECK=skip: the goldens were checked against the kernel earlier in this run"
nlvs_require_root
nlvs_tmpdir_make

names="ipvsadm keepalived perm"
sh "$NLVS_ORACLE_DIR/goldens.sh" "$NLVS_TMP/fresh" $names > "$NLVS_TMP/goldens.log" 2>&1
st=$?
[ $st -ne 77 ] || tap_skip_all "no kernel oracle runs here: $(tail -n 1 "$NLVS_TMP/goldens.log")"

tap_plan 3
for name in $names; do
	fresh=$NLVS_TMP/fresh/$name.golden
	if [ ! -f "$fresh" ]; then
		tap_not_ok "$name: the oracle recorded the scenario" \
			"$(grep -v '^IPVS' "$NLVS_TMP/goldens.log" | tail -n 40)"
		continue
	fi
	sh "$NLVS_ORACLE_DIR/transcript.sh" body "$NLVS_GOLDENS/$name.golden" > "$NLVS_TMP/old"
	sh "$NLVS_ORACLE_DIR/transcript.sh" body "$fresh" > "$NLVS_TMP/new"
	if cmp -s "$NLVS_TMP/old" "$NLVS_TMP/new"; then
		tap_ok "$name: golden is what the kernel answers now ($(sed -n 's/^# Oracle: //p' "$fresh"))"
	else
		tap_not_ok "$name: golden is what the kernel answers now" \
			"$(sed -n 's/^# Oracle: //p' "$fresh"); --- checked in, +++ kernel now:
$(diff -u "$NLVS_TMP/old" "$NLVS_TMP/new" | sed '1,2d' | head -n 60)"
	fi
done
grep '^goldens: ' "$NLVS_TMP/goldens.log" | sed 's/^/# /'
tap_done
