#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Readiness for systemd (nlvsd.service is Type=notify): nlvsd sends READY=1
# only once its control socket accepts and its ports are up, STOPPING=1 when
# it stops.  In the FULLNAT lab (two ports), then with the control plane only.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

if ! objdump -p "$NLVSD" 2> /dev/null | grep -q 'NEEDED.*libsystemd'; then
	tap_skip_all "nlvsd built without libsystemd (configure found no libsystemd-dev)"
fi
nlvs_lab_up "$FNAT_LAB_SH"
D=$NLVS_TMP/notify
mkdir -p "$D"
out=$(ip netns exec "$NS_L" python3 "$top_srcdir/tests/integration/sd-notify.py" "$D" \
	"$NLVSCTL" "$NLVSD" -d -f "$NLVS_TMP/nlvsd.conf" -s "$D/ipvs.sock")
tap_is "$out" "ready READY=1
socket accepts
stats 2 port lines
stopping STOPPING=1
exit 0" "with ports: READY=1 when the socket accepts and both ports are up; STOPPING=1" \
	"$(cat "$D/nlvsd.out")"

mkdir -p "$D/cp"
: > "$D/cp/empty.conf"
out=$(python3 "$top_srcdir/tests/integration/sd-notify.py" "$D/cp" "$NLVSCTL" \
	"$NLVSD" -d -f "$D/cp/empty.conf" -s "$D/cp/ipvs.sock")
tap_is "$out" "ready READY=1
socket accepts
stats failed: nlvsctl: nlvsd runs no dataplane (no eal directive)
stopping STOPPING=1
exit 0" "control plane only: READY=1 when the socket accepts" "$(cat "$D/cp/nlvsd.out")"
tap_done
