#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# perm.sh: an unprivileged user (nobody) who can reach nlvsd's socket must be
# refused like the kernel refuses a process without CAP_NET_ADMIN:
# "Permission denied (you must be root)" and the same exit status, for a
# listing and for a change, and the change must not happen.  The commands
# are tests/integration/oracle/perm-cmds.sh; the kernel's answers to them
# are the golden goldens/perm.golden, recorded in the oracle by `make
# goldens`.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ipvsadm setpriv timeout
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

kdir=$NLVS_TMP/kernel
nlvs_golden perm "$kdir"

# The socket must be reachable by nobody for the server's own check to be
# what refuses it.
chmod 755 "$NLVS_TMP"
nlvsd_start || tap_bail "nlvsd did not start"
chmod 666 "$NLVS_SOCK"
ASNOBODY="$asnobody" PREFIX="timeout -k 5 $NLVS_CMD_TIMEOUT $NLVS_EXEC -s $NLVS_SOCK" \
	sh "$NLVS_ORACLE_DIR/perm-cmds.sh" "$NLVS_TMP/nlvs"

k=$kdir
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
