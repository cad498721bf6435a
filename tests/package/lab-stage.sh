# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# The second half of check-package.sh, sourced by it inside a private mount
# namespace (unshare -m): the namespace lab on the unpacked package's nlvsd,
# nlvsctl and nlvs-exec.  NLVS_PKG_ROOT is the unpacked tree, NLVS_PKG_TAP_N
# the checks counted so far; the count is left in NLVS_PKG_TAP_FILE.
. "$top_srcdir/tests/integration/fnat-lib.sh"
_nlvs_tap_n=$NLVS_PKG_TAP_N
X=$NLVS_PKG_ROOT
L=/usr/lib/$NLVS_PKG_MULTIARCH
pkg_out()
{
	echo "$_nlvs_tap_n" > "$NLVS_PKG_TAP_FILE"
}
nlvs_cleanup_add pkg_out

# The package's directories over the system's, here only: its programs,
# the shim at the path nlvs-exec was built with, units, man pages.
U=$NLVS_PKG_UNITDIR
out=
for dir in /usr/sbin /usr/bin /usr/libexec "$L" "$U" /usr/share/man; do
	mount -t overlay overlay -o "lowerdir=$X$dir:$dir" "$dir" 2>&1 || out="$out $dir"
done
tap_is "$out" "" "a private mount namespace shows the package as if installed"
[ -f "$L/nlvs/libnlvs-preload.so" ] && [ -x /usr/sbin/nlvsd ] ||
	{ tap_not_ok "package in place"; exit 1; }

# systemd-analyze: clean means no output at all (it warns on stderr, exit 0)
out=$(systemd-analyze verify nlvsd.service 2>&1)
st=$?
[ -z "$out" ] || st=1
tap_check $st "systemd-analyze verify nlvsd.service: clean" "$out"
if [ -f "$U/keepalived.service" ]; then
	out=$(systemd-analyze verify keepalived.service 2>&1)
	st=$?
	[ -z "$out" ] || st=1
	tap_check $st "systemd-analyze verify keepalived.service with the drop-in: clean" "$out"
	# what systemd made of it (its dump of the loaded unit)
	out=$(SYSTEMD_LOG_LEVEL=debug systemd-analyze verify keepalived.service 2>&1 |
		sed -n 's/^[[:space:]]*\(DropIn Path\|Requires\|After\|Command Line\): \(.*nlvs.*\)$/\1: \2/p' |
		sed 's/ (origin-file)//' | sort -u)
	tap_is "$out" "After: nlvsd.service
Command Line: /usr/bin/nlvs-exec /usr/sbin/keepalived --dont-fork \"\\\$DAEMON_ARGS\"
DropIn Path: $(readlink -f "$U")/keepalived.service.d/nlvs.conf
Requires: nlvsd.service" "systemd runs keepalived under nlvs-exec, after nlvsd and with it"
else
	tap_skip "keepalived.service with the drop-in" "keepalived not installed"
fi

# nlvsd with the capabilities nlvsd.service bounds it to, nothing more
nlvs_tmpdir_make
cat > "$NLVS_TMP/nlvsd-caps" <<WRAP
#!/bin/sh
exec setpriv --bounding-set -all,+net_admin,+net_raw,+ipc_lock /usr/sbin/nlvsd "\$@"
WRAP
chmod +x "$NLVS_TMP/nlvsd-caps"
NLVSD=$NLVS_TMP/nlvsd-caps
NLVSCTL=/usr/sbin/nlvsctl
NLVS_EXEC=/usr/bin/nlvs-exec
unset NLVS_PRELOAD_LIB

nlvs_lab_up "$top_srcdir/scripts/netns-lab.sh"
{
	sed 's/^#metrics-listen /metrics-listen /' "$X/etc/nlvs/nlvsd.conf"
	echo "# the lab's dataplane (scripts/netns-lab.sh), for the commented lines above"
	grep -v '^#' "$LAB/nlvsd.conf"
} > "$NLVS_TMP/nlvsd.conf"
metrics=$(awk '$1 == "metrics-listen" {print $2}' "$NLVS_TMP/nlvsd.conf")
nlvs_lab_start NS_L "the package's nlvsd runs the lab from the packaged example configuration"

caps=$(awk '$1 == "CapEff:" {print $2}' "/proc/$NLVSD_PID/status")
tap_is "$caps" "0000000000007000" "nlvsd holds CAP_NET_ADMIN, CAP_NET_RAW and CAP_IPC_LOCK only"
fnat_rr_service
tap_check $? "the package's nlvs-exec runs ipvsadm against it (shim from $L/nlvs)"
out=$(fnat_spread 9 "http://$LAB_VIP/")
tap_is "$out" "rs1=3 rs2=3 rs3=3 fail=0" "9 requests through the VIP, spread 3/3/3"
# (counters reach the control API on its next tick: poll)
totals_9()
{
	out=$("$NLVSCTL" -s "$NLVS_SOCK" -j totals |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["conns"])')
	[ "$out" = 9 ]
}
nlvs_wait_until 20 totals_9
tap_check $? "the package's nlvsctl -j totals counts 9 connections ($out)"
out=$(ip netns exec "$NS_L" curl -sf -m 10 "http://$metrics/metrics" |
	awk '$1 == "node_ipvs_connections_total" {print $2}')
tap_is "$out" "9" "the packaged configuration's metrics endpoint ($metrics) counts them"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
[ "$_nlvs_tap_failed" -eq 0 ]
