#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# uml-run.sh SCRIPT OUTDIR
#
# Boots the Debian user-mode-linux kernel (6.1, with the ip_vs modules) over
# the host's root file system (hostfs, read-only) and runs SCRIPT inside it
# with /bin/sh, as root, against the real kernel IPVS.  This is the reference
# the integration tests compare nlvsd with.
#
# Inside the guest:
#   * proc, sysfs, devtmpfs are mounted; tmpfs on /run, /tmp and /mnt;
#   * OUTDIR (host folder, writable) is mounted at /mnt/out; SCRIPT runs with
#     its working directory there and $UML_OUT=/mnt/out.  Host paths under
#     /tmp, /run and /mnt are hidden by the tmpfs mounts: pass inputs through
#     OUTDIR (SCRIPT itself is copied there);
#   * lo is up (without it the kernel rejects destinations with EINVAL);
#   * ip_vs, every scheduler module present and ip_vs_pe_sip are loaded; the
#     names of the loaded ones are in $UML_OUT/.uml/modules, one per line;
#   * variables named in $UML_PASS_ENV (space-separated) are exported with
#     the host's values (no spaces/quotes in values).
#
# Results on the host: whatever SCRIPT wrote into OUTDIR, plus
#   OUTDIR/.uml/console.log  kernel and init messages (SCRIPT's own stdout and
#                            stderr go to OUTDIR/.uml/script.log)
#   OUTDIR/.uml/status       SCRIPT's exit status
#
# Exit status: SCRIPT's exit status; 77 if linux.uml or its modules are not
# installed (package user-mode-linux); 99 if the guest did not finish
# (boot failure, crash or timeout; see console.log).
#
# Environment: UML_TIMEOUT (seconds for the whole boot+script+poweroff,
# default 300), UML_MEM (default 512M), LINUX_UML (path of the kernel binary).

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SCRIPT OUTDIR" >&2
	exit 2
fi
script=$1
outdir=$2

uml=${LINUX_UML:-}
if [ -z "$uml" ]; then
	uml=$(command -v linux.uml 2>/dev/null || true)
	[ -n "$uml" ] || uml=/usr/bin/linux.uml
fi
if [ ! -x "$uml" ]; then
	echo "uml-run: linux.uml not found (install the Debian package user-mode-linux)" >&2
	exit 77
fi
kver=$("$uml" --version 2>/dev/null | head -n 1)
moddir=/usr/lib/uml/modules/$kver
if [ -z "$kver" ] || [ ! -f "$moddir/modules.dep" ]; then
	echo "uml-run: no modules for UML kernel '$kver' under /usr/lib/uml/modules" >&2
	exit 77
fi
if [ ! -f "$script" ]; then
	echo "uml-run: $script: no such file" >&2
	exit 2
fi

mkdir -p "$outdir/.uml" || exit 99
outdir=$(cd "$outdir" && pwd -P) || exit 99
ctl=$outdir/.uml
rm -f "$ctl/status" "$ctl/modules" "$ctl/console.log" "$ctl/script.log"
cp "$script" "$ctl/script.sh" || exit 99

# Values are frozen now, on the host, into the generated init.
: > "$ctl/env.sh"
for v in ${UML_PASS_ENV:-}; do
	val=
	eval "val=\${$v:-}"
	printf "%s='%s'; export %s\n" "$v" "$val" "$v" >> "$ctl/env.sh"
done

# The init runs as PID 1 in the guest.  It must never exit (kernel panic):
# every path ends in poweroff -f.
cat > "$ctl/init.sh" <<EOF
#!/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
HOME=/root
export HOME
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /mnt
mkdir -p /mnt/out
mount -t hostfs none /mnt/out -o '$outdir'
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
chmod 1777 /tmp
ip link set lo up
mkdir -p /run/uml-mods/lib/modules
ln -s '$moddir' /run/uml-mods/lib/modules/\$(uname -r)
: > /mnt/out/.uml/modules
for m in ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh \\
	ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh ip_vs_twos ip_vs_pe_sip; do
	if modprobe -d /run/uml-mods -- \$m 2>/dev/null; then
		echo \$m >> /mnt/out/.uml/modules
	fi
done
UML_OUT=/mnt/out
export UML_OUT
. /mnt/out/.uml/env.sh
cd /mnt/out
/bin/sh /mnt/out/.uml/script.sh > /mnt/out/.uml/script.log 2>&1 < /dev/null
echo \$? > /mnt/out/.uml/status
sync
poweroff -f
EOF
chmod 755 "$ctl/init.sh"

# UML keeps its guest memory in a file under TMPDIR: give it a private one so
# an interrupted run leaves nothing behind elsewhere.
umltmp=$(mktemp -d "${TMPDIR:-/tmp}/uml-run.XXXXXX") || exit 99
trap 'rm -rf "$umltmp"' EXIT

# timeout signals its whole process group (on expiry and when it is itself
# terminated), which takes the UML helper processes down with the kernel.
TMPDIR=$umltmp timeout -k 10 "${UML_TIMEOUT:-300}" "$uml" \
	mem="${UML_MEM:-512M}" rootfstype=hostfs rootflags=/ ro \
	init="$ctl/init.sh" con0=null,fd:2 con=null \
	< /dev/null > "$ctl/console.log" 2>&1 &
tpid=$!
trap 'kill -TERM $tpid 2> /dev/null; wait $tpid; exit 99' HUP INT TERM
wait $tpid
urc=$?

if [ ! -s "$ctl/status" ]; then
	echo "uml-run: guest did not finish (linux.uml exit $urc); see $ctl/console.log" >&2
	tail -n 20 "$ctl/console.log" >&2
	exit 99
fi
exit "$(cat "$ctl/status")"
