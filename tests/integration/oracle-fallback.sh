#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# oracle-fallback.sh: where user-mode-linux panics before init (Intel CPUs
# with AMX: "ptrace set fp regs failed"), the oracle must run the same script
# in qemu and give the same environment.  On any host: a stand-in linux.uml
# that reports the real version and then dies as UML does there; the oracle
# must say it fell back and the script must find the real kernel IPVS (the
# modules loaded, an ipvsadm change applied, lo up, the shared folder
# writable).

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd qemu-system-x86_64 busybox
nlvs_tmpdir_make

real_uml=$(command -v linux.uml 2>/dev/null || echo /usr/bin/linux.uml)
kver=
[ ! -x "$real_uml" ] || kver=$("$real_uml" --version 2>/dev/null | head -n 1)
cat > "$NLVS_TMP/linux.uml" <<EOF
#!/bin/sh
if [ "\$1" = --version ]; then
	echo '$kver'
	exit 0
fi
echo 'userspace - ptrace set fp regs failed, errno = 14'
echo 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'
exit 1
EOF
chmod 755 "$NLVS_TMP/linux.uml"

cat > "$NLVS_TMP/script.sh" <<'EOF'
set -e
grep -qx ip_vs "$ORACLE_OUT/.oracle/modules"
grep -qx ip_vs_wlc "$ORACLE_OUT/.oracle/modules"
ipvsadm -A -t 10.0.0.1:80 -s wlc
ipvsadm -a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 3
ipvsadm -S -n > "$ORACLE_OUT/save"
ip -o link show lo | grep -q 'state UNKNOWN\|UP'
echo done > "$ORACLE_OUT/done"
EOF
mkdir -p "$NLVS_TMP/out"
LINUX_UML=$NLVS_TMP/linux.uml NLVS_ORACLE=auto \
	sh "$NLVS_ORACLE_DIR/oracle-run.sh" "$NLVS_TMP/script.sh" "$NLVS_TMP/out" \
	> "$NLVS_TMP/run.log" 2>&1
st=$?
[ $st -ne 77 ] || tap_skip_all "qemu cannot run here: $(tail -n 1 "$NLVS_TMP/run.log")"

tap_is "$st" 0 "the script ran to the end with status 0" \
	"$(cat "$NLVS_TMP/run.log" "$NLVS_TMP/out/.oracle/script.log" 2>/dev/null | tail -n 30)"
if grep -q 'user-mode-linux did not boot here (.*ptrace set fp regs failed.*Kernel panic.*); using qemu' "$NLVS_TMP/run.log"; then
	tap_ok "the oracle says UML did not boot and why, and that it used qemu"
else
	tap_not_ok "the oracle says UML did not boot and why, and that it used qemu" \
		"$(cat "$NLVS_TMP/run.log")"
fi
tap_is "$(cut -d' ' -f1 "$NLVS_TMP/out/.oracle/kernel" 2>/dev/null)" qemu "the guest was qemu"
tap_is "$(cat "$NLVS_TMP/out/save" 2>/dev/null)" "-A -t 10.0.0.1:80 -s wlc
-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 3" "kernel IPVS in the guest took the change"
tap_done
