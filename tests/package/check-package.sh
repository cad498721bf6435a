#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-package.sh TARBALL: the Debian package from the tree (`make
# check-package` passes the tarball of `make dist`, what a fresh clone
# gives): dpkg-buildpackage -us -uc -b builds nlvs and nlvs-keepalived;
# lintian finds no error and no warning; dpkg-deb lists the files and the
# conffile.  Then, in a private mount namespace where the unpacked package
# lies over the system's directories (as if installed, without touching the
# host): systemd-analyze verify accepts nlvsd.service and keepalived.service
# with the drop-in, and the namespace lab runs on the package's own nlvsd,
# nlvsctl and nlvs-exec (which finds the shim where the package put it),
# nlvsd confined to the capabilities nlvsd.service grants.
#
# The configuration is the packaged /etc/nlvs/nlvsd.conf with its
# metrics-listen line uncommented and the lab's dataplane lines (eal, ports,
# addresses, laddrs: scripts/netns-lab.sh) in place of its commented ones.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

[ $# -eq 1 ] && [ -f "$1" ] || tap_bail "usage: check-package.sh TARBALL"
tarball=$1

# Inside the private mount namespace (see the end), the second half.
if [ "${NLVS_PKG_STAGE:-}" = lab ]; then
	. "$top_srcdir/tests/package/lab-stage.sh"
	exit
fi

for c in dpkg-buildpackage dpkg-deb lintian systemd-analyze fakeroot; do
	command -v "$c" > /dev/null 2>&1 ||
		tap_skip_all "$c not installed (scripts/install-deps.sh installs it)"
done
nlvs_tmpdir_make
B=$NLVS_TMP/build
mkdir -p "$B"
tar -C "$B" -xzf "$tarball" || tap_bail "cannot unpack $tarball"
src=$(echo "$B"/nlvs-*)
[ -d "$src/debian" ] || tap_bail "no debian/ in $tarball"

# --- build -----------------------------------------------------------------
(cd "$src" && DEB_BUILD_OPTIONS="parallel=2 ${NLVS_PKG_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b) > "$NLVS_TMP/build.log" 2>&1
tap_check $? "dpkg-buildpackage -us -uc -b builds from the tarball" \
	"$(tail -n 40 "$NLVS_TMP/build.log")"
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(cd "$src" && dpkg-parsechangelog -S Version)
deb=$B/nlvs_${version}_$arch.deb
kadeb=$B/nlvs-keepalived_${version}_all.deb
[ -f "$deb" ] && [ -f "$kadeb" ] || {
	tap_not_ok "both packages exist" "$(ls "$B")"
	tap_done
}
grep -q 'check-unit' "$NLVS_TMP/build.log" &&
	grep -q '^# FAIL: *0' "$NLVS_TMP/build.log"
tap_check $? "the package build ran the unit tests, none failed" \
	"$(grep -E '^(FAIL|ERROR|# )' "$NLVS_TMP/build.log" | tail -n 20)"

# --- lintian ---------------------------------------------------------------
out=$(lintian --fail-on error,warning "$deb" "$kadeb" 2>&1)
st=$?
tap_check $st "lintian: no error, no warning on the two packages" "$out"
tap_diag "$out"

# --- contents --------------------------------------------------------------
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
unitdir=${unitdir#/}
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./||' > "$NLVS_TMP/nlvs.list"
dpkg-deb -c "$kadeb" | awk '{print $NF}' | sed 's|^\./||' > "$NLVS_TMP/ka.list"
missing=
for f in usr/sbin/nlvsd usr/sbin/nlvsctl usr/bin/nlvs-exec \
	"usr/lib/$multiarch/nlvs/libnlvs-preload.so" usr/libexec/nlvs/nlvsd-hugepages \
	etc/nlvs/nlvsd.conf "$unitdir/nlvsd.service" \
	usr/share/man/man8/nlvsd.8.gz usr/share/man/man8/nlvsctl.8.gz \
	usr/share/man/man5/nlvsd.conf.5.gz usr/share/man/man1/nlvs-exec.1.gz \
	usr/share/doc/nlvs/copyright; do
	grep -qxF "$f" "$NLVS_TMP/nlvs.list" || missing="$missing $f"
done
tap_is "${missing# }" "" "dpkg-deb -c nlvs: programs in /usr, the shim in /usr/lib/$multiarch/nlvs, unit, man pages, configuration"
grep -qxF "$unitdir/keepalived.service.d/nlvs.conf" "$NLVS_TMP/ka.list"
tap_check $? "dpkg-deb -c nlvs-keepalived: the keepalived drop-in" "$(cat "$NLVS_TMP/ka.list")"
out=$(grep -E '\.la$|^usr/local' "$NLVS_TMP/nlvs.list")
tap_is "$out" "" "no libtool archive, nothing under /usr/local"
out=$(dpkg-deb -f "$deb" Depends)
case $out in *libdpdk* | *librte*) st=0 ;; *) st=1 ;; esac
tap_check $st "nlvs depends on the DPDK libraries it links ($out)"

X=$NLVS_TMP/root
mkdir -p "$X"
dpkg-deb -x "$deb" "$X" && dpkg-deb -x "$kadeb" "$X" && dpkg-deb -e "$deb" "$X/DEBIAN"
tap_check $? "dpkg-deb -x unpacks both"
grep -qxF /etc/nlvs/nlvsd.conf "$X/DEBIAN/conffiles"
tap_check $? "/etc/nlvs/nlvsd.conf is a conffile" "$(cat "$X/DEBIAN/conffiles" 2>&1)"
out=$(strings "$X/usr/bin/nlvs-exec" | grep 'libnlvs-preload\.so')
tap_is "$out" "/usr/lib/$multiarch/nlvs/libnlvs-preload.so" \
	"nlvs-exec looks for the shim where the package puts it"
out=$("$X/usr/sbin/nlvsd" -n -f "$X/etc/nlvs/nlvsd.conf" 2>&1)
tap_is "$out" "configuration OK" "the packaged nlvsd accepts the packaged example configuration"
out=$(grep -E '^(Type|ExecStart|ExecStartPre|Restart|CapabilityBoundingSet|RuntimeDirectory)=' \
	"$X/$unitdir/nlvsd.service")
tap_is "$out" "Type=notify
ExecStartPre=/usr/sbin/nlvsd -n -f /etc/nlvs/nlvsd.conf
ExecStartPre=+/usr/libexec/nlvs/nlvsd-hugepages /etc/nlvs/nlvsd.conf
ExecStart=/usr/sbin/nlvsd -d -f /etc/nlvs/nlvsd.conf
Restart=on-failure
RuntimeDirectory=nlvs
CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK" "nlvsd.service: notify, checks, hugepages, restart, capabilities"
out=$(objdump -p "$X/usr/sbin/nlvsd" | awk '$1 == "NEEDED" {print $2}' | grep -c 'libsystemd')
tap_is "$out" "1" "nlvsd reports readiness through libsystemd"

# --- the lab, on the package's programs ----------------------------------------
nlvs_require_root
NLVS_PKG_ROOT=$X NLVS_PKG_MULTIARCH=$multiarch NLVS_PKG_UNITDIR=/$unitdir NLVS_PKG_STAGE=lab \
	NLVS_PKG_TAP_N=$_nlvs_tap_n NLVS_PKG_TAP_FILE=$NLVS_TMP/tap.n \
	unshare -m --propagation private /bin/sh "$0" "$tarball"
st=$?
# the child numbered its own checks: carry on after them
_nlvs_tap_n=$(cat "$NLVS_TMP/tap.n" 2> /dev/null || echo "$_nlvs_tap_n")
[ $st = 0 ] || _nlvs_tap_failed=$((_nlvs_tap_failed + 1))
tap_done
