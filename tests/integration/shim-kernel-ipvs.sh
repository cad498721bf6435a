#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# On a machine whose kernel has IPVS (the kernel oracle with ip_vs loaded:
# user-mode-linux, or qemu where UML does not boot),
# clients under nlvs-exec never program the kernel's table, whatever they do
# with processes and descriptors (nlvs-exec(1), "Processes and
# descriptors"): their requests reach nlvsd when it runs and fail when it
# does not, and a request addressed to the kernel's own IPVS id (learnt
# from a family dump) is refused.  Without the shim the same clients do
# program the kernel: that is what the comparison is against.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

FDOPS=$top_builddir/tests/integration/ipvs_fdops
FDOPS_PY=$top_srcdir/tests/integration/ipvs-fdops.py

nlvs_require_root
nlvs_require_cmd ipvsadm
nlvs_require_build
[ -x "$FDOPS" ] || tap_bail "$FDOPS not built (run make check)"
nlvs_tmpdir_make

# Everything runs inside the guest, against its kernel; results come back
# through the shared folder.  Host paths under /tmp, /run and /mnt are hidden
# there (the build tree may be one of them), so the programs and the Python
# client are copied into it.
kdir=$NLVS_TMP/oracle
mkdir -p "$kdir/bin"
cp "$FDOPS_PY" "$FDOPS" "$NLVSD" "$NLVS_EXEC" "$NLVS_PRELOAD_LIB" "$kdir/bin/"
cat > "$kdir/run.sh" <<EOF
out=\$ORACLE_OUT
bin=\$out/bin
export NLVS_PRELOAD_LIB=\$bin/$(basename "$NLVS_PRELOAD_LIB")
shim() { timeout -k 5 60 \$bin/$(basename "$NLVS_EXEC") -s "\$sock" "\$@"; }
fdops=\$bin/$(basename "$FDOPS")

# Without the shim the client reaches the kernel's IPVS.
"\$fdops" kernel-id 1 > \$out/plain.out 2>&1
ipvsadm -S -n > \$out/plain.table 2>&1
ipvsadm -C

# nlvsd not running: every request fails, none reaches the kernel.
sock=/run/absent.sock
shim "\$fdops" kernel-id 2 > \$out/absent-id.out 2>&1
shim "\$fdops" vfork 3 4 > \$out/absent-vfork.out 2>&1
shim "\$fdops" dup 5 6 7 8 9 10 11 > \$out/absent-dup.out 2>&1
shim ipvsadm -A -f 12 -s rr > \$out/absent-ipvsadm.out 2>&1
ipvsadm -S -n > \$out/absent.table 2>&1

# nlvsd running (control plane only): the requests reach it, not the kernel.
sock=/run/ipvs.sock
: > /run/nlvsd.conf
\$bin/$(basename "$NLVSD") -d -f /run/nlvsd.conf -s \$sock > \$out/nlvsd.log 2>&1 < /dev/null &
i=0
while [ ! -S \$sock ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
shim "\$fdops" kernel-id 20 > \$out/nlvsd-id.out 2>&1
shim "\$fdops" vfork 21 22 > \$out/nlvsd-vfork.out 2>&1
shim "\$fdops" spawn 23 24 > \$out/nlvsd-spawn.out 2>&1
shim "\$fdops" exec 25 26 > \$out/nlvsd-exec.out 2>&1
shim "\$fdops" threads 2 3 27 > \$out/nlvsd-threads.out 2>&1
shim python3 \$bin/$(basename "$FDOPS_PY") 100 > \$out/nlvsd-python.out 2>&1
shim ipvsadm -A -f 200 -s rr > \$out/nlvsd-ipvsadm.out 2>&1
shim ipvsadm -S -n > \$out/nlvsd.table 2>&1
ipvsadm -S -n > \$out/kernel.table 2>&1
EOF
nlvs_oracle_start "$kdir"
nlvs_oracle_wait "$kdir"

k=$kdir
tap_is "$(cat "$k/plain.out")" "IPVS in the kernel's family dump ok
request to the kernel's IPVS id ok" "without the shim the client programs the kernel's IPVS"
tap_is "$(cat "$k/plain.table")" "-A -f 1 -s rr" "the kernel's table shows it"

tap_is "$(cat "$k/absent-id.out")" "IPVS in the kernel's family dump ok
request to the kernel's IPVS id error 92" \
	"under the shim a request to the kernel's IPVS id is refused (ENOPROTOOPT)"
grep -q '^resolve error' "$k/absent-vfork.out"
tap_check $? "nlvsd not running: the vfork client's lookup fails" "$(cat "$k/absent-vfork.out")"
grep -q '^resolve error' "$k/absent-dup.out"
tap_check $? "nlvsd not running: the dup client's lookup fails" "$(cat "$k/absent-dup.out")"
grep -q '^nlvs: cannot reach nlvsd' "$k/absent-ipvsadm.out"
tap_check $? "nlvsd not running: ipvsadm fails" "$(cat "$k/absent-ipvsadm.out")"
tap_is "$(cat "$k/absent.table")" "" "and the kernel's table stays empty"

tap_is "$(cat "$k/nlvsd-id.out")" "IPVS in the kernel's family dump ok
request to the kernel's IPVS id error 92" "nlvsd running: the kernel's IPVS id is still refused"
for c in vfork spawn exec threads python ipvsadm; do
	! grep -q 'error' "$k/nlvsd-$c.out"
	tap_check $? "nlvsd running: the $c client succeeds" "$(cat "$k/nlvsd-$c.out")"
done
n=$(grep -c '^-A -f ' "$k/nlvsd.table")
tap_is "$n" 61 "nlvsd's table has all their services" "$(cat "$k/nlvsd.table" "$k/nlvsd.log")"
tap_is "$(cat "$k/kernel.table")" "" "the kernel's table stays empty"

tap_done
