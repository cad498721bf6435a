#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ipvsadm-compare.sh: runs the ipvsadm scenario
# (tests/integration/scenarios/ipvsadm.txt) against nlvsd through nlvs-exec
# and compares every command with what the real kernel IPVS answered to the
# same scenario: the golden goldens/ipvsadm.golden, recorded in the oracle
# by `make goldens` (oracle-goldens.sh checks it is still what the kernel
# says).  One TAP test per command: stdout, stderr and exit status must be
# identical.
#
# NLVS_KEEP_TMP=1 keeps the records (NNNN.cmd/.out/.err/.rc of both sides).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

scen=$NLVS_SCENARIOS/ipvsadm.txt

nlvs_require_root
nlvs_require_cmd ipvsadm timeout
nlvs_require_build
nlvs_tmpdir_make

kdir=$NLVS_TMP/kernel
nlvs_golden ipvsadm "$kdir"

nsdir=$NLVS_TMP/nlvs
nlvsd_start || tap_bail "nlvsd did not start"
SCEN_IPVSADM="'$NLVS_EXEC' -s '$NLVS_SOCK' ipvsadm" SCEN_TIMEOUT=${NLVS_CMD_TIMEOUT} \
	sh "$NLVS_ORACLE_DIR/scenario-exec.sh" "$scen" "$nsdir" \
	2> "$NLVS_TMP/scenario-nlvs.log"
nlvsd_ok=1
nlvs_alive || nlvsd_ok=0

count=$(cat "$kdir/count")
tap_plan $((count + 1))
i=1
while [ "$i" -le "$count" ]; do
	id=$(printf '%04d' "$i")
	k=$kdir/$id
	n=$nsdir/$id
	desc=$(sed 's/\t/: /' "$k.cmd")
	if [ ! -f "$n.rc" ]; then
		tap_not_ok "$desc" "not run against nlvsd (earlier commands timed out)"
		i=$((i + 1))
		continue
	fi
	if ! cmp -s "$k.cmd" "$n.cmd"; then
		tap_bail "records out of step at $id: $(cat "$k.cmd") / $(cat "$n.cmd")" \
			"(scenario changed since the golden was recorded? run make goldens)"
	fi
	krc=$(cat "$k.rc")
	nrc=$(cat "$n.rc")
	if [ "$krc" = "$nrc" ] && cmp -s "$k.out" "$n.out" && cmp -s "$k.err" "$n.err"; then
		tap_ok "$desc"
	else
		diag="exit status: kernel $krc, nlvsd $nrc"
		for s in out err; do
			cmp -s "$k.$s" "$n.$s" && continue
			diag="$diag
std$s (--- kernel, +++ nlvsd):
$(diff -u "$k.$s" "$n.$s" | sed '1,2d' | head -n 40)"
		done
		tap_not_ok "$desc" "$diag"
	fi
	i=$((i + 1))
done

if [ "$nlvsd_ok" = 1 ]; then
	tap_ok "nlvsd still running after the scenario"
else
	tap_not_ok "nlvsd still running after the scenario" "$(tail -n 30 "$NLVS_TMP/nlvsd.log")"
fi
tap_done
