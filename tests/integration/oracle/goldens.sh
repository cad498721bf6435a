#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# goldens.sh [-u] DIR [NAME...]
#
# Runs each golden scenario NAME (default: all of ipvsadm keepalived perm)
# against the real kernel IPVS in the oracle (oracle-run.sh: user-mode-linux,
# or qemu where UML does not boot) and writes what the kernel answered as
# DIR/NAME.golden (format: transcript.sh).  The comparison tests check nlvsd
# against these files; `make goldens` runs this with -u on the checked-in
# folder tests/integration/goldens/.
#
#   ipvsadm     scenarios/ipvsadm.txt through scenario-exec.sh: every
#               command's exit status, stdout and stderr
#   keepalived  keepalived-scenario.sh with scenarios/keepalived-[12].conf:
#               the table views after each step, keepalived's exit status
#   perm        perm-cmds.sh: ipvsadm as nobody, then as root
#
# -u: DIR already holds goldens; print how the new ones differ (diff -u,
#     headers left out) and replace them.
#
# Exit status: 0 done; 1 a scenario failed in the oracle (its logs are
# printed); 77 no oracle can run here.

set -u

here=$(cd "$(dirname "$0")" && pwd -P)
scen=$(cd "$here/../scenarios" && pwd -P)
update=
if [ "${1:-}" = -u ]; then
	update=1
	shift
fi
if [ $# -lt 1 ]; then
	echo "usage: $0 [-u] DIR [NAME...]" >&2
	exit 2
fi
dest=$1
shift
[ $# -gt 0 ] || set -- ipvsadm keepalived perm
mkdir -p "$dest" || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/nlvs-goldens.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

# prepare NAME KDIR: the scenario's inputs and run.sh in KDIR.
prepare()
{
	case $1 in
	ipvsadm)
		cp "$here/scenario-exec.sh" "$scen/ipvsadm.txt" "$2/"
		cat > "$2/run.sh" <<'EOF'
SCEN_KERNEL_MODULES=$ORACLE_OUT/.oracle/modules SCEN_IPVSADM=ipvsadm \
	sh $ORACLE_OUT/scenario-exec.sh $ORACLE_OUT/ipvsadm.txt $ORACLE_OUT/kernel
EOF
		;;
	keepalived)
		cp "$here/keepalived-scenario.sh" "$scen/keepalived-1.conf" \
			"$scen/keepalived-2.conf" "$2/"
		cat > "$2/run.sh" <<'EOF'
sh $ORACLE_OUT/keepalived-scenario.sh $ORACLE_OUT $ORACLE_OUT/kernel
EOF
		;;
	perm)
		cp "$here/perm-cmds.sh" "$2/"
		cat > "$2/run.sh" <<'EOF'
ASNOBODY="setpriv --reuid=nobody --regid=$(id -gn nobody) --clear-groups" PREFIX= \
	sh $ORACLE_OUT/perm-cmds.sh $ORACLE_OUT/kernel
EOF
		;;
	*)
		echo "goldens: no scenario $1" >&2
		return 1
		;;
	esac
}

# records NAME DIR: the record files of scenario NAME in DIR, in order; fails
# when the records show the kernel side went wrong.
records()
{
	case $1 in
	ipvsadm)
		[ -s "$2/count" ] || return 1
		echo count
		i=1
		while [ "$i" -le "$(cat "$2/count")" ]; do
			id=$(printf '%04d' "$i")
			printf '%s\n' "$id.cmd" "$id.rc" "$id.out" "$id.err"
			i=$((i + 1))
		done
		;;
	keepalived)
		[ -s "$2/steps" ] || return 1
		echo steps
		while read -r step; do
			# Steps that wait for the checkers say how the wait ended
			# (the last one, after SIGTERM, waits for nothing).
			if [ -f "$2/$step.wait" ]; then
				if [ "$(cat "$2/$step.wait")" != complete ]; then
					echo "goldens: keepalived step $step: $(cat "$2/$step.wait")" >&2
					return 1
				fi
				echo "$step.wait"
			fi
			printf '%s\n' "$step.save" "$step.list" "$step.timeout" "$step.daemon"
		done < "$2/steps"
		echo keepalived.rc
		;;
	perm)
		for c in 1-list 2-add 3-save-numeric 4-root-save; do
			printf '%s\n' "$c.rc" "$c.out" "$c.err"
		done
		;;
	esac
}

rc=0
for name in "$@"; do
	kdir=$work/$name
	mkdir -p "$kdir"
	prepare "$name" "$kdir" || exit 1
	start=$(date +%s)
	sh "$here/oracle-run.sh" "$kdir/run.sh" "$kdir" > "$work/$name.log" 2>&1
	st=$?
	secs=$(($(date +%s) - start))
	if [ $st -eq 77 ]; then
		echo "goldens: no oracle can run here: $(tail -n 1 "$work/$name.log")" >&2
		exit 77
	fi
	files=
	[ $st -ne 0 ] || files=$(records "$name" "$kdir/kernel") || st=1
	if [ $st -ne 0 ]; then
		echo "goldens: $name: the kernel side failed (oracle-run status $st)" >&2
		cat "$work/$name.log" >&2
		tail -n 40 "$kdir/.oracle/script.log" >&2
		rc=1
		continue
	fi
	new=$work/$name.golden
	{
		echo "# What kernel IPVS answers in the $name scenario: records of"
		echo "# tests/integration/oracle/goldens.sh (make goldens), format of transcript.sh."
		echo "# Oracle: $(cat "$kdir/.oracle/kernel")"
		# shellcheck disable=SC2086 # one record name per word
		sh "$here/transcript.sh" pack "$kdir/kernel" $files
	} > "$new" || { rc=1; continue; }
	echo "goldens: $name: $(echo "$files" | wc -l) records in ${secs} s" \
		"($(cut -d' ' -f1 "$kdir/.oracle/kernel"): $(cut -d' ' -f2- "$kdir/.oracle/kernel"))" >&2
	if [ -n "$update" ] && [ -f "$dest/$name.golden" ]; then
		sh "$here/transcript.sh" body "$dest/$name.golden" > "$work/old.body"
		sh "$here/transcript.sh" body "$new" > "$work/new.body"
		if cmp -s "$work/old.body" "$work/new.body"; then
			echo "goldens: $name: unchanged" >&2
		else
			echo "goldens: $name: changed:" >&2
			diff -u --label "$dest/$name.golden" --label "kernel now" \
				"$work/old.body" "$work/new.body"
		fi
	fi
	cp "$new" "$dest/$name.golden" || rc=1
done
exit $rc
