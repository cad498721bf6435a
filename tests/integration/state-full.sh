#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# state-full.sh: nothing acknowledged is lost on a full file system.  The
# state directory is a 16 KiB tmpfs (in a private mount namespace); services
# are added one by one until the journal no longer fits.  Every add must
# either be acknowledged, or fail with "No space left on device" and not be
# made; after kill -9 and a restart exactly the acknowledged ones are back.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ipvsadm unshare mount umount timeout
nlvs_require_build
if [ -z "${NLVS_IN_MNTNS:-}" ]; then
	NLVS_IN_MNTNS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
nlvs_tmpdir_make
mkdir "$NLVS_TMP/state"
mount -t tmpfs -o size=16k,mode=0700 nlvs-full "$NLVS_TMP/state" || \
	tap_skip_all "cannot mount a tmpfs"
nlvs_cleanup_add "umount '$NLVS_TMP/state'"
echo "state-file $NLVS_TMP/state/ipvs.state" > "$NLVS_TMP/nlvsd.conf"

nlvsd_start || tap_bail "nlvsd did not start"

: > "$NLVS_TMP/acked"
: > "$NLVS_TMP/errors"
acked=0
refused=0
other=0
i=0
while [ $i -lt 400 ]; do
	vip=10.7.$((i / 250)).$((i % 250 + 1)):80
	if nlvs_ipvsadm -A -t "$vip" -s rr > "$NLVS_TMP/err" 2>&1; then
		acked=$((acked + 1))
		echo "-A -t $vip -s rr" >> "$NLVS_TMP/acked"
	elif grep -q 'No space left on device' "$NLVS_TMP/err"; then
		refused=$((refused + 1))
	else
		other=$((other + 1))
		cat "$NLVS_TMP/err" >> "$NLVS_TMP/errors"
	fi
	i=$((i + 1))
done
tap_diag "$acked adds acknowledged, $refused refused with ENOSPC, $other other failures"
if [ $acked -gt 0 ] && [ $refused -gt 0 ]; then
	tap_ok "the file system filled up: some adds acknowledged, then ENOSPC"
else
	tap_not_ok "the file system filled up: some adds acknowledged, then ENOSPC" \
		"acked $acked, refused $refused"
fi
tap_is "$other" 0 "no other failure" "$(head -n 5 "$NLVS_TMP/errors")"

# compare as sorted "-A -t VIP -s rr" lines
nlvs_ipvsadm -S -n | sort > "$NLVS_TMP/live"
sort "$NLVS_TMP/acked" > "$NLVS_TMP/acked.sorted"
tap_is "$(cat "$NLVS_TMP/live")" "$(cat "$NLVS_TMP/acked.sorted")" \
	"the running table holds exactly the acknowledged services"

nlvsd_kill9
nlvsd_start || tap_bail "nlvsd did not restart"
nlvs_ipvsadm -S -n | sort > "$NLVS_TMP/after"
tap_is "$(wc -l < "$NLVS_TMP/after")" "$acked" "after kill -9 and restart: $acked services"
tap_is "$(cat "$NLVS_TMP/after")" "$(cat "$NLVS_TMP/acked.sorted")" \
	"after kill -9 and restart: exactly the acknowledged services"
tap_done
