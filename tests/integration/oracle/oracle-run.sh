#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# oracle-run.sh SCRIPT OUTDIR
#
# Runs SCRIPT with /bin/sh, as root, inside a real Linux 6.1 kernel with the
# ip_vs modules, over the host's root file system (read-only): the reference
# the goldens under tests/integration/goldens/ are recorded from.  Two guests
# give the same environment and the same answers:
#
#   uml   Debian's user-mode-linux (package user-mode-linux, 6.1.176), hostfs
#         root; boots in a few seconds.  It panics before init on Intel hosts
#         whose XSAVE area is large (AMX): "ptrace set fp regs failed".
#   qemu  Debian's own 6.1.176 kernel package (linux-image-6.1.0-50-amd64),
#         extracted, never installed (oracle-kernel.sh), in qemu-system-x86_64
#         with software emulation; the root shared over virtio-9p.  Boots on
#         any x86-64 host.
#
# NLVS_ORACLE picks one: "uml", "qemu", or "auto" (default): uml, and qemu
# when uml is missing or its kernel did not reach init.
#
# Inside the guest:
#   * proc, sysfs, devtmpfs are mounted; tmpfs on /run, /tmp and /mnt;
#   * OUTDIR (host folder, writable) is mounted at /mnt/out; SCRIPT runs with
#     its working directory there and $ORACLE_OUT=/mnt/out.  Host paths under
#     /tmp, /run and /mnt are hidden by the tmpfs mounts: pass inputs through
#     OUTDIR (SCRIPT itself is copied there);
#   * lo is up (without it the kernel rejects destinations with EINVAL);
#   * ip_vs, every scheduler module present and ip_vs_pe_sip are loaded; the
#     names of the loaded ones are in $ORACLE_OUT/.oracle/modules;
#   * variables named in $ORACLE_PASS_ENV (space-separated) are exported with
#     the host's values (no spaces/quotes in values).
#
# Results on the host: whatever SCRIPT wrote into OUTDIR, plus
#   OUTDIR/.oracle/console.log  kernel and init messages (SCRIPT's own output
#                               goes to OUTDIR/.oracle/script.log)
#   OUTDIR/.oracle/status       SCRIPT's exit status
#   OUTDIR/.oracle/kernel       which guest ran and its kernel (uname -srv)
#
# Exit status: SCRIPT's exit status; 77 if no guest can run here (neither
# package installed); 99 if the guest did not finish (boot failure, crash or
# timeout; see console.log).
#
# Environment: ORACLE_TIMEOUT (seconds for boot+script+poweroff, default
# 1800: the ipvsadm scenario's 456 commands take 3-9 minutes in either guest
# on a loaded 2-core machine), ORACLE_MEM
# (default 512M), LINUX_UML (the UML kernel binary), NLVS_ORACLE_CACHE (the
# extracted kernel for qemu, see oracle-kernel.sh).

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SCRIPT OUTDIR" >&2
	exit 2
fi
script=$1
outdir=$2
here=$(cd "$(dirname "$0")" && pwd -P)
mode=${NLVS_ORACLE:-auto}
timeout_s=${ORACLE_TIMEOUT:-1800}
mem=${ORACLE_MEM:-512M}

if [ ! -f "$script" ]; then
	echo "oracle-run: $script: no such file" >&2
	exit 2
fi
case $mode in
auto | uml | qemu) ;;
*)
	echo "oracle-run: NLVS_ORACLE=$mode: use auto, uml or qemu" >&2
	exit 2
	;;
esac

mkdir -p "$outdir/.oracle" || exit 99
outdir=$(cd "$outdir" && pwd -P) || exit 99
ctl=$outdir/.oracle
cp "$script" "$ctl/script.sh" || exit 99

# Values are frozen now, on the host, into the generated init.
: > "$ctl/env.sh"
for v in ${ORACLE_PASS_ENV:-}; do
	val=
	eval "val=\${$v:-}"
	printf "%s='%s'; export %s\n" "$v" "$val" "$v" >> "$ctl/env.sh"
done

# write_init OUTMOUNT MODDIR ORACLE: the guest's PID 1 (both guests run it
# from the host's root file system).  OUTMOUNT mounts OUTDIR at /mnt/out.
# It must never exit (kernel panic): every path ends in poweroff.
write_init()
{
	cat > "$ctl/init.sh" <<EOF
#!/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
HOME=/root
export HOME
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /mnt
mkdir -p /mnt/out
$1
: > /mnt/out/.oracle/started
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
chmod 1777 /tmp
ip link set lo up
echo '$3' "\$(uname -srv)" > /mnt/out/.oracle/kernel
mkdir -p /run/oracle-mods/lib/modules
ln -s '$2' /run/oracle-mods/lib/modules/\$(uname -r)
: > /mnt/out/.oracle/modules
for m in ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh \\
	ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh ip_vs_twos ip_vs_pe_sip; do
	if modprobe -d /run/oracle-mods -- \$m 2>/dev/null; then
		echo \$m >> /mnt/out/.oracle/modules
	fi
done
ORACLE_OUT=/mnt/out
export ORACLE_OUT
. /mnt/out/.oracle/env.sh
cd /mnt/out
/bin/sh /mnt/out/.oracle/script.sh > /mnt/out/.oracle/script.log 2>&1 < /dev/null
echo \$? > /mnt/out/.oracle/status
cd /
sync
umount /mnt/out 2>/dev/null
poweroff -f
echo o > /proc/sysrq-trigger
sleep 10
EOF
	chmod 755 "$ctl/init.sh"
}

# Exit status 99 with the console's last lines, for a guest that did not
# finish.
not_finished()
{
	echo "oracle-run: $1 guest did not finish; see $ctl/console.log" >&2
	tail -n 20 "$ctl/console.log" >&2
	return 99
}

# run_guest PID: wait for the guest started in the background (under
# timeout, which signals its whole process group on expiry and when it is
# itself terminated).
run_guest()
{
	trap 'kill -TERM $1 2> /dev/null; wait $1; exit 99' HUP INT TERM
	wait "$1"
	trap - HUP INT TERM
}

uml_run()
{
	uml=${LINUX_UML:-}
	if [ -z "$uml" ]; then
		uml=$(command -v linux.uml 2>/dev/null || true)
		[ -n "$uml" ] || uml=/usr/bin/linux.uml
	fi
	[ -x "$uml" ] || { echo "oracle-run: linux.uml not installed" >&2; return 77; }
	kver=$("$uml" --version 2>/dev/null | head -n 1)
	moddir=/usr/lib/uml/modules/$kver
	if [ -z "$kver" ] || [ ! -f "$moddir/modules.dep" ]; then
		echo "oracle-run: no modules for UML kernel '$kver'" >&2
		return 77
	fi
	write_init "mount -t hostfs none /mnt/out -o '$outdir'" "$moddir" uml
	rm -f "$ctl/status" "$ctl/started" "$ctl/kernel"
	# UML keeps its guest memory in a file under TMPDIR: a private one, so
	# an interrupted run leaves nothing behind elsewhere.
	umltmp=$(mktemp -d "${TMPDIR:-/tmp}/oracle-uml.XXXXXX") || return 99
	TMPDIR=$umltmp timeout -k 10 "$timeout_s" "$uml" \
		mem="$mem" rootfstype=hostfs rootflags=/ ro \
		init="$ctl/init.sh" con0=null,fd:2 con=null \
		< /dev/null > "$ctl/console.log" 2>&1 &
	run_guest $!
	rm -rf "$umltmp"
	[ -s "$ctl/status" ] || not_finished uml
}

qemu_run()
{
	qemu=$(command -v qemu-system-x86_64 2>/dev/null) || {
		echo "oracle-run: qemu-system-x86_64 not installed (package qemu-system-x86)" >&2
		return 77
	}
	kdir=$(sh "$here/oracle-kernel.sh") || {
		echo "oracle-run: no kernel for qemu (oracle-kernel.sh failed)" >&2
		return 77
	}
	. "$kdir/kernel.env"
	write_init "mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /mnt/out" \
		"$kdir/lib/modules/$KVER" qemu
	rm -f "$ctl/status" "$ctl/started" "$ctl/kernel"
	# TCG: /dev/kvm here is often a backend that cannot run a stock kernel.
	timeout -k 10 "$timeout_s" "$qemu" -machine pc -accel tcg -cpu max -smp 1 \
		-m "$mem" -nographic -no-reboot -nic none \
		-kernel "$kdir/vmlinuz" -initrd "$kdir/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet nlvs_init=$ctl/init.sh" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$outdir,mount_tag=out,security_model=none" \
		< /dev/null > "$ctl/console.log" 2>&1 &
	run_guest $!
	[ -s "$ctl/status" ] || not_finished qemu
}

case $mode in
uml)
	uml_run || exit $?
	;;
qemu)
	qemu_run || exit $?
	;;
auto)
	uml_run
	rc=$?
	if [ $rc -ne 0 ] && [ ! -e "$ctl/started" ]; then
		# UML never reached its init (e.g. the AMX panic): the same run
		# in qemu.
		why=$(grep -i 'panic\|failed\|error' "$ctl/console.log" 2>/dev/null | head -n 2 |
			tr '\n' '/' | sed 's|/$||; s|/| / |g')
		echo "oracle-run: user-mode-linux did not boot here (${why:-no init}); using qemu" >&2
		mv "$ctl/console.log" "$ctl/console-uml.log" 2> /dev/null
		qemu_run || exit $?
	elif [ $rc -ne 0 ]; then
		exit $rc
	fi
	;;
esac
exit "$(cat "$ctl/status")"
