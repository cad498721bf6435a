#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Under nlvs-exec only the IPVS conversation goes to nlvsd (ipvs-genl.md R4):
# kernel generic families and rtnetlink still get the kernel's answers, even
# in the same process that resolves IPVS through nlvsd.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

PROBE=$top_builddir/tests/integration/genl_probe
FDOPS=$top_builddir/tests/integration/ipvs_fdops
IPVS_ID=1008	# NLS_IPVS_FAMILY_ID (nlserver/nls_server.h)

nlvs_require_build
[ -x "$PROBE" ] || tap_bail "$PROBE not built (run make check)"
[ -x "$FDOPS" ] || tap_bail "$FDOPS not built (run make check)"
nlvs_tmpdir_make

# nlvs-exec itself: usage errors 2, like env(1) 127/126 for exec failures,
# the socket path and the preload library handed to the command.
"$NLVS_EXEC" > /dev/null 2>&1
tap_is $? 2 "nlvs-exec without COMMAND exits 2"
"$NLVS_EXEC" -h > "$NLVS_TMP/out" 2>&1
tap_check $? "nlvs-exec -h exits 0"
grep -q '^usage: nlvs-exec' "$NLVS_TMP/out"
tap_check $? "nlvs-exec -h prints the usage"
"$NLVS_EXEC" "$NLVS_TMP/no-such-command" > /dev/null 2>&1
tap_is $? 127 "nlvs-exec of a missing command exits 127"
: > "$NLVS_TMP/not-executable"
"$NLVS_EXEC" "$NLVS_TMP/not-executable" > /dev/null 2>&1
tap_is $? 126 "nlvs-exec of a non-executable file exits 126"
got=$(LD_PRELOAD='' NLVS_SOCKET=/env/sock "$NLVS_EXEC" -s /opt/sock sh -c \
	'echo "$NLVS_SOCKET $LD_PRELOAD"')
tap_is "$got" "/opt/sock $NLVS_PRELOAD_LIB" "-s sets NLVS_SOCKET, the shim is preloaded"
got=$(LD_PRELOAD=libother.so NLVS_SOCKET=/env/sock "$NLVS_EXEC" sh -c \
	'echo "$NLVS_SOCKET $LD_PRELOAD"' 2> /dev/null)
tap_is "$got" "/env/sock $NLVS_PRELOAD_LIB:libother.so" \
	"NLVS_SOCKET kept without -s, existing LD_PRELOAD kept after the shim"

# The kernel's own answers, without the shim.  nlctrl always exists; ethtool
# and devlink are kernel families on most builds: keep those this kernel has.
families=nlctrl
for f in ethtool devlink; do
	"$PROBE" resolve "$f" > /dev/null 2>&1 && families="$families $f"
done
# shellcheck disable=SC2086
kernel_ids=$("$PROBE" resolve $families 2>&1)
kernel_links=$("$PROBE" link 2>&1)

# No nlvsd at all: the kernel families must not even try to reach it.
NLVS_SOCK=$NLVS_TMP/absent.sock
# shellcheck disable=SC2086
nlvs_exec "$PROBE" resolve $families > "$NLVS_TMP/out" 2> "$NLVS_TMP/err"
tap_is "$(cat "$NLVS_TMP/out")" "$kernel_ids" "kernel generic families resolve as without the shim"
tap_is "$(cat "$NLVS_TMP/err")" "" "no attempt to reach nlvsd for kernel families"
tap_is "$(nlvs_exec "$PROBE" link 2>&1)" "$kernel_links" "rtnetlink link dump unchanged"

# The IPVS lookup is the shim's business: without nlvsd it says so.
nlvs_exec "$PROBE" resolve IPVS > "$NLVS_TMP/out" 2> "$NLVS_TMP/err"
st=$?
grep -q "^nlvs: cannot reach nlvsd at $NLVS_SOCK: " "$NLVS_TMP/err"
tap_check $? "IPVS lookup without nlvsd reports the socket" "$(cat "$NLVS_TMP/err")"
[ $st -ne 0 ]
tap_check $? "IPVS lookup without nlvsd fails (status $st)"

# With nlvsd: IPVS gets nlvsd's fixed id, the kernel families in the same
# process still get the kernel's ids.
NLVS_SOCK=$NLVS_TMP/ipvs.sock
if nlvsd_start; then
	# shellcheck disable=SC2086
	got=$(nlvs_exec "$PROBE" resolve $families IPVS $families 2>&1)
	tap_is "$got" "$kernel_ids
IPVS $IPVS_ID
$kernel_ids" "IPVS resolves to nlvsd's id, kernel families to the kernel's"
	got=$(nlvs_exec "$PROBE" link 2>&1)
	tap_is "$got" "$kernel_links" "rtnetlink unchanged while nlvsd runs"
	# A request to a kernel family (not only its lookup): the shim checks it
	# is not the kernel's IPVS, then lets the kernel answer.
	for f in $families; do
		[ "$f" = nlctrl ] && continue
		tap_is "$(nlvs_exec "$FDOPS" genl "$f" 2>&1)" "$("$FDOPS" genl "$f" 2>&1)" \
			"a request to family $f gets the kernel's answer"
	done
	got=$(nlvs_exec "$PROBE" resolve NLVS 2>&1)
	tap_is "$got" "NLVS 1009" "the NLVS family resolves through nlvsd"
else
	tap_not_ok "nlvsd starts"
fi

tap_done
