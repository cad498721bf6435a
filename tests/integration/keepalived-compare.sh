#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# keepalived-compare.sh: keepalived 2.2.7 (checker only) builds and changes
# an IPVS table through start-up, health-check transitions (MISC_CHECK
# pass/fail, a flipping checker, misc_dynamic weights, inhibit_on_failure,
# quorum with a sorry server, a virtual_server_group), SIGHUP reload with a
# changed configuration and SIGTERM shutdown; after each step the table
# (ipvsadm -S -n, -Ln, -L --timeout, -L --daemon) of nlvsd must equal the
# kernel's at the same step (the golden goldens/keepalived.golden, recorded
# in the oracle by `make goldens`).  The steps are in
# tests/integration/oracle/keepalived-scenario.sh, the configurations in
# tests/integration/scenarios/keepalived-[12].conf.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd keepalived ipvsadm timeout
nlvs_require_build
nlvs_tmpdir_make

driver=$NLVS_ORACLE_DIR/keepalived-scenario.sh

kdir=$NLVS_TMP/kernel
nlvs_golden keepalived "$kdir"

nsdir=$NLVS_TMP/nlvs
nlvsd_start || tap_bail "nlvsd did not start"
KA_PREFIX="'$NLVS_EXEC' -s '$NLVS_SOCK'" sh "$driver" "$NLVS_SCENARIOS" "$nsdir" \
	> "$NLVS_TMP/scenario-nlvs.log" 2>&1
nlvsd_ok=1
nlvs_alive || nlvsd_ok=0

k=$kdir
n=$nsdir
while read -r step; do
	for view in save list timeout daemon; do
		f=$step.$view
		desc="$step: $view"
		if [ ! -f "$n/$f" ]; then
			tap_not_ok "$desc" "no record on the nlvsd side"
		elif cmp -s "$k/$f" "$n/$f"; then
			tap_ok "$desc"
		else
			tap_not_ok "$desc" "step wait: kernel $(cat "$k/$step.wait" 2>/dev/null), nlvsd $(cat "$n/$step.wait" 2>/dev/null)
--- kernel, +++ nlvsd:
$(diff -u "$k/$f" "$n/$f" | sed '1,2d' | head -n 60)"
		fi
	done
done < "$k/steps"

krc=$(cat "$k/keepalived.rc")
nrc=$(cat "$n/keepalived.rc" 2>/dev/null)
tap_is "$nrc" "$krc" "keepalived exit status after SIGTERM"
if [ "$krc" != "$nrc" ] || [ "${NLVS_TEST_VERBOSE:-0}" != 0 ]; then
	tap_diag "keepalived log (nlvsd side), tail:"
	tap_diag_file "$n/keepalived.log" 200 | tail -n 40
fi

if [ "$nlvsd_ok" = 1 ]; then
	tap_ok "nlvsd still running after the scenario"
else
	tap_not_ok "nlvsd still running after the scenario" "$(tail -n 30 "$NLVS_TMP/nlvsd.log")"
fi
tap_done
