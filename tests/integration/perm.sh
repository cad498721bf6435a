#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# perm.sh: an unprivileged user (nobody) who can reach nlvsd's socket must be
# refused like the kernel refuses a process without CAP_NET_ADMIN:
# "Permission denied (you must be root)" and the same exit status, for a
# listing and for a change, and the change must not happen.  The kernel's
# answers are taken live from user-mode-linux.
#
# ipvsadm execs /sbin/modprobe when its initialisation fails; modprobe's
# message names the running kernel's module directory, so lines starting
# with "modprobe: " are left out of the comparison (host-dependent).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ipvsadm setpriv timeout
nlvs_require_uml
id nobody > /dev/null 2>&1 || tap_skip_all "no user nobody"
nlvs_require_build
nlvs_tmpdir_make

# nobody runs the wrapper and the shim: copies it can read (the build tree
# may sit in a directory only root can enter, e.g. made by mktemp -d)
mkdir -p "$NLVS_TMP/bin"
cp "$NLVS_EXEC" "$NLVS_PRELOAD_LIB" "$NLVS_TMP/bin/"
chmod 755 "$NLVS_TMP/bin" "$NLVS_TMP/bin/"*
NLVS_EXEC=$NLVS_TMP/bin/$(basename "$NLVS_EXEC")
NLVS_PRELOAD_LIB=$NLVS_TMP/bin/$(basename "$NLVS_PRELOAD_LIB")

asnobody="setpriv --reuid=nobody --regid=$(id -gn nobody) --clear-groups"

# run_cmds DIR PREFIX: the commands of this test, records in DIR.
cat > "$NLVS_TMP/cmds.sh" <<'EOF'
dir=$1
shift
run()
{
	name=$1
	shift
	"$@" > "$dir/$name.out" 2> "$dir/$name.err.raw" < /dev/null
	echo $? > "$dir/$name.rc"
	grep -v '^modprobe: ' "$dir/$name.err.raw" > "$dir/$name.err"
}
mkdir -p "$dir"
run 1-list $ASNOBODY $PREFIX ipvsadm -Ln
run 2-add $ASNOBODY $PREFIX ipvsadm -A -t 10.0.0.1:80 -s rr
run 3-save-numeric $ASNOBODY $PREFIX ipvsadm -S -n
run 4-root-save $PREFIX ipvsadm -S -n
exit 0
EOF

kdir=$NLVS_TMP/uml
mkdir -p "$kdir"
cp "$NLVS_TMP/cmds.sh" "$kdir/"
cat > "$kdir/run.sh" <<EOF
ASNOBODY="$asnobody" PREFIX= sh \$UML_OUT/cmds.sh \$UML_OUT/kernel
EOF
UML_TIMEOUT=${UML_TIMEOUT:-120} nlvs_uml_run "$kdir/run.sh" "$kdir" \
	> "$NLVS_TMP/uml-run.log" 2>&1 &
umlpid=$!
nlvs_cleanup_add "kill -TERM $umlpid"

# The socket must be reachable by nobody for the server's own check to be
# what refuses it.
chmod 755 "$NLVS_TMP"
nlvsd_ok=
if nlvsd_start; then
	nlvsd_ok=1
	chmod 666 "$NLVS_SOCK"
	ASNOBODY="$asnobody" PREFIX="timeout -k 5 $NLVS_CMD_TIMEOUT $NLVS_EXEC -s $NLVS_SOCK" \
		sh "$NLVS_TMP/cmds.sh" "$NLVS_TMP/nlvs"
fi

wait $umlpid
urc=$?
case $urc in
0) ;;
77) tap_skip_all "user-mode-linux cannot run: $(tail -n 1 "$NLVS_TMP/uml-run.log")" ;;
*)
	tap_diag_file "$NLVS_TMP/uml-run.log"
	tap_diag_file "$kdir/.uml/script.log"
	tap_bail "no kernel reference (uml-run status $urc)"
	;;
esac
[ -n "$nlvsd_ok" ] || tap_bail "nlvsd did not start"

k=$kdir/kernel
n=$NLVS_TMP/nlvs
for c in 1-list 2-add 3-save-numeric 4-root-save; do
	for s in rc out err; do
		tap_is "$(cat "$n/$c.$s")" "$(cat "$k/$c.$s")" "$c: $s same as the kernel's"
	done
done
if grep -q 'Permission denied (you must be root)' "$k/1-list.err"; then
	tap_ok "kernel reference refuses nobody"
else
	tap_not_ok "kernel reference refuses nobody" "$(cat "$k/1-list.err")"
fi

# With the socket closed to nobody the request must fail too (never fall
# back to anything that succeeds) and change nothing.
chmod 600 "$NLVS_SOCK"
$asnobody "$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm -A -t 10.0.0.2:80 -s rr \
	> "$NLVS_TMP/closed.out" 2>&1 < /dev/null
rc=$?
if [ $rc -ne 0 ]; then
	tap_ok "socket closed to nobody: ipvsadm -A fails (exit $rc)"
else
	tap_not_ok "socket closed to nobody: ipvsadm -A fails" "$(cat "$NLVS_TMP/closed.out")"
fi
tap_is "$(nlvs_ipvsadm -S -n)" "" "table still empty"
tap_done
