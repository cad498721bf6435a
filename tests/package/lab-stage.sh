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

# The package's library directory over the system's, here only: nlvs-exec
# then finds the shim at the path it was built with.
mount -t overlay overlay -o "lowerdir=$X$L:$L" "$L"
tap_check $? "a private mount shows the package's $L/nlvs"
[ -f "$L/nlvs/libnlvs-preload.so" ] || { tap_not_ok "shim in place"; exit 1; }

# nlvsd with the capabilities nlvsd.service bounds it to, nothing more
nlvs_tmpdir_make
cat > "$NLVS_TMP/nlvsd-caps" <<WRAP
#!/bin/sh
exec setpriv --bounding-set -all,+net_admin,+net_raw,+ipc_lock $X/usr/sbin/nlvsd "\$@"
WRAP
chmod +x "$NLVS_TMP/nlvsd-caps"
NLVSD=$NLVS_TMP/nlvsd-caps
NLVSCTL=$X/usr/sbin/nlvsctl
NLVS_EXEC=$X/usr/bin/nlvs-exec
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
out=$("$NLVSCTL" -s "$NLVS_SOCK" -j totals | python3 -c 'import json,sys; print(json.load(sys.stdin)["conns"])')
tap_is "$out" "9" "the package's nlvsctl -j totals counts 9 connections"
out=$(ip netns exec "$NS_L" curl -sf -m 10 "http://$metrics/metrics" |
	awk '$1 == "node_ipvs_connections_total" {print $2}')
tap_is "$out" "9" "the packaged configuration's metrics endpoint ($metrics) counts them"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
[ "$_nlvs_tap_failed" -eq 0 ]
