#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# state-damage.sh: a damaged state file never silently drops acknowledged
# records.  300 services go into the snapshot (clean stop), 200 more into
# the journal (kill -9).  Then one byte of the snapshot's epoch is changed,
# or the snapshot is replaced by binary junk, or a journal line is changed:
# nlvsd must refuse to start, name the file, and leave both files exactly
# as they were; with the files put back all 500 services return.  nlvsd -r
# starts from a damaged journal with every record its checksum proves and
# keeps the damaged files.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ipvsadm timeout cmp dd
nlvs_require_build
nlvs_tmpdir_make
PY=/usr/bin/python3
[ -x "$PY" ] || tap_skip_all "no $PY"
state=$NLVS_SOCK.state
journal=$state.journal

services()
{
	awk -v base="$1" -v n="$2" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "-A -t 10.%d.%d.%d:80 -s rr\n", base, int(i / 250), i % 250 + 1 }'
}

nlvsd_start || tap_bail "nlvsd did not start"
services 1 300 | nlvs_ipvsadm -R
tap_check $? "300 services added"
nlvsd_stop
nlvsd_start || tap_bail "nlvsd did not restart"
services 2 200 | nlvs_ipvsadm -R
tap_check $? "200 more services added"
tap_is "$(nlvs_ipvsadm -S -n | wc -l)" 500 "500 services before the kill"
nlvsd_kill9
cp "$state" "$NLVS_TMP/state.good"
cp "$journal" "$NLVS_TMP/journal.good"

# refused WHAT: nlvsd must not start, must name a state file, touch nothing.
refused()
{
	cp "$state" "$NLVS_TMP/state.before"
	cp "$journal" "$NLVS_TMP/journal.before"
	timeout 20 "$NLVSD" -d -f "$NLVS_TMP/nlvsd.conf" -s "$NLVS_SOCK" \
		> "$NLVS_TMP/refused.log" 2>&1 < /dev/null
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "$state" "$NLVS_TMP/refused.log" && \
		grep -q damaged "$NLVS_TMP/refused.log"; then
		tap_ok "$1: nlvsd refuses to start (exit $rc) and names the file"
		tap_diag_file "$NLVS_TMP/refused.log"
	else
		tap_not_ok "$1: nlvsd refuses to start and names the file" \
			"exit $rc; $(cat "$NLVS_TMP/refused.log")"
	fi
	if cmp -s "$state" "$NLVS_TMP/state.before" && \
		cmp -s "$journal" "$NLVS_TMP/journal.before"; then
		tap_ok "$1: both files left untouched"
	else
		tap_not_ok "$1: both files left untouched"
	fi
	rm -f "$NLVS_SOCK"
}

# flip FILE STRING: change the byte after the first STRING in FILE.
flip()
{
	$PY - "$1" "$2" <<'PYEOF'
import sys
path, s = sys.argv[1], sys.argv[2].encode()
b = bytearray(open(path, "rb").read())
i = b.index(s) + len(s)
b[i] ^= 0x01
open(path, "wb").write(bytes(b))
PYEOF
}

flip "$state" "epoch="
refused "one byte of the snapshot's epoch changed"
cp "$NLVS_TMP/state.good" "$state"

$PY -c 'import random, sys
r = random.Random(9)
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(8192)))' > "$state"
refused "binary junk as the snapshot"
cp "$NLVS_TMP/state.good" "$state"

flip "$journal" "addr=10.2.0.100 "
refused "one byte of a journal record changed"
cp "$NLVS_TMP/journal.good" "$journal"

nlvsd_start || tap_bail "nlvsd did not start on the files put back"
tap_is "$(nlvs_ipvsadm -S -n | wc -l)" 500 "files put back: all 500 services"
nlvsd_kill9

flip "$journal" "addr=10.2.0.100 "
nlvsd_start -r || tap_bail "nlvsd -r did not start"
tap_is "$(nlvs_ipvsadm -S -n | wc -l)" 499 "nlvsd -r: every record but the damaged one"
if grep -q "dropped 1 damaged" "$NLVS_TMP/nlvsd.log" && [ -f "$journal.damaged" ]; then
	tap_ok "nlvsd -r says what it dropped and keeps the damaged journal"
else
	tap_not_ok "nlvsd -r says what it dropped and keeps the damaged journal" \
		"$(tail -n 5 "$NLVS_TMP/nlvsd.log")"
fi
nlvsd_stop
tap_done
