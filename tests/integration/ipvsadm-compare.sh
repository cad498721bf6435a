#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ipvsadm-compare.sh [SCENARIO]
#
# Runs an ipvsadm scenario (default tests/integration/scenarios/ipvsadm.txt)
# twice: inside user-mode-linux against the real kernel IPVS, and on the
# host against nlvsd through nlvs-exec.  One TAP test per command: stdout,
# stderr and exit status must be identical.  Both sides run at the same
# time (the UML kernel is a separate process).
#
# NLVS_KEEP_TMP=1 keeps the records (NNNN.cmd/.out/.err/.rc of both sides).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

scen=${1:-$NLVS_SCENARIOS/ipvsadm.txt}

nlvs_require_root
nlvs_require_cmd ipvsadm timeout
nlvs_require_uml
nlvs_require_build
nlvs_tmpdir_make

# Kernel side: the guest sees host paths under /tmp hidden by its own tmpfs,
# so everything it needs is copied into the shared folder.
kdir=$NLVS_TMP/uml
mkdir -p "$kdir"
cp "$top_srcdir/tests/integration/uml/scenario-exec.sh" "$scen" "$kdir/"
cat > "$kdir/run.sh" <<EOF
SCEN_KERNEL_MODULES=\$UML_OUT/.uml/modules SCEN_IPVSADM=ipvsadm \\
	sh \$UML_OUT/scenario-exec.sh \$UML_OUT/$(basename "$scen") \$UML_OUT/kernel
EOF
nlvs_uml_start "$kdir"

# nlvsd side, meanwhile.
nsdir=$NLVS_TMP/nlvs
if nlvsd_start; then
	SCEN_IPVSADM="'$NLVS_EXEC' -s '$NLVS_SOCK' ipvsadm" SCEN_TIMEOUT=${NLVS_CMD_TIMEOUT} \
		sh "$top_srcdir/tests/integration/uml/scenario-exec.sh" "$scen" "$nsdir" \
		2> "$NLVS_TMP/scenario-nlvs.log"
	nlvsd_ok=1
	nlvs_alive || nlvsd_ok=0
else
	nlvsd_ok=
fi

nlvs_uml_wait "$kdir"

[ -n "$nlvsd_ok" ] || tap_bail "nlvsd did not start"

count=$(cat "$kdir/kernel/count")
tap_plan $((count + 1))
i=1
while [ "$i" -le "$count" ]; do
	id=$(printf '%04d' "$i")
	k=$kdir/kernel/$id
	n=$nsdir/$id
	desc=$(sed 's/\t/: /' "$k.cmd")
	if [ ! -f "$n.rc" ]; then
		tap_not_ok "$desc" "not run against nlvsd (earlier commands timed out)"
		i=$((i + 1))
		continue
	fi
	if ! cmp -s "$k.cmd" "$n.cmd"; then
		tap_bail "records out of step at $id: $(cat "$k.cmd") / $(cat "$n.cmd")"
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
