#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A process asks nlvsd once what the IPVS (or NLVS) family is; the shim
# answers its later lookups on blocking sockets from that answer, with the
# bytes nlvsd would send (nlvs-exec(1), "Family lookups").  Checked with a
# raw netlink client (genl_lookup) and strace: the answers are identical
# but for the sequence number and port id each request gets back; blocking
# lookups after the first send nothing; non-blocking sockets (event loops
# wait in poll(), which cannot see an answer made in the process), a lookup
# followed by a request before either answer is read, and NLVS_LOCAL_LOOKUP=0
# keep the kernel's behaviour; ipvsadm -R through it builds the same table.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

LOOKUP=$top_builddir/tests/integration/genl_lookup

nlvs_require_root
nlvs_require_build
nlvs_require_cmd ipvsadm strace
[ -x "$LOOKUP" ] || tap_bail "$LOOKUP not built (run make check)"
nlvs_tmpdir_make
if ! nlvsd_start; then
	tap_not_ok "nlvsd starts"
	tap_done
fi

# answers NAME: how many different family answers NAME printed (1 = all alike).
answers()
{
	grep -o 'family:[0-9a-f]*' "$NLVS_TMP/$1.out" | sort -u | wc -l
}

for fam in IPVS NLVS; do
	nlvs_traced "block-$fam" "$LOOKUP" "$fam" 5 block
	tap_check $st "$fam: 5 blocking lookups succeed" "$(cat "$NLVS_TMP/block-$fam.err")"
	tap_is "$(tail -n 1 "$NLVS_TMP/block-$fam.out")" "headers ok" \
		"$fam: each answer carries its request's sequence number and port id"
	tap_is "$(answers "block-$fam")" 1 "$fam: the 5 answers are the same bytes" \
		"$(cat "$NLVS_TMP/block-$fam.out")"
	tap_is "$(grep -c 'ack(lookup,0)' "$NLVS_TMP/block-$fam.out")" 5 \
		"$fam: each lookup is acknowledged"
	tap_is "$(nlvs_sends_to lookups "$NLVS_TMP/block-$fam.trace")" 1 \
		"$fam: only the first lookup reaches nlvsd"
	tap_is "$(nlvs_sends_to kernel "$NLVS_TMP/block-$fam.trace")" 0 \
		"$fam: none reaches the kernel"
done

# The same lookups answered by nlvsd itself every time: the same bytes.
export NLVS_LOCAL_LOOKUP=0
nlvs_traced off "$LOOKUP" IPVS 5 block
unset NLVS_LOCAL_LOOKUP
tap_check $st "NLVS_LOCAL_LOOKUP=0: 5 lookups succeed" "$(cat "$NLVS_TMP/off.err")"
tap_is "$(nlvs_sends_to lookups "$NLVS_TMP/off.trace")" 5 \
	"NLVS_LOCAL_LOOKUP=0: every lookup reaches nlvsd"
tap_is "$(cat "$NLVS_TMP/off.out")" "$(cat "$NLVS_TMP/block-IPVS.out")" \
	"nlvsd's answers are the bytes the shim gave"

nlvs_traced poll "$LOOKUP" IPVS 5 poll
tap_check $st "non-blocking sockets read after poll(): 5 lookups succeed" \
	"$(cat "$NLVS_TMP/poll.out" "$NLVS_TMP/poll.err")"
tap_is "$(nlvs_sends_to lookups "$NLVS_TMP/poll.trace")" 5 \
	"non-blocking sockets: every lookup reaches nlvsd"
tap_is "$(cat "$NLVS_TMP/poll.out")" "$(cat "$NLVS_TMP/block-IPVS.out")" \
	"non-blocking sockets: the same answers"

# A request sent before the lookup's answer is read: answers in order.
nlvs_traced pipeline "$LOOKUP" IPVS 4 pipeline
tap_check $st "lookup and GET_INFO sent together: both answered" \
	"$(cat "$NLVS_TMP/pipeline.out" "$NLVS_TMP/pipeline.err")"
tap_is "$(sed -n '2,4s/family:[0-9a-f]*/family/p' "$NLVS_TMP/pipeline.out")" \
	"lookup 1: family ack(lookup,0) info-reply ack(info,0)
lookup 2: family ack(lookup,0) info-reply ack(info,0)
lookup 3: family ack(lookup,0) info-reply ack(info,0)" \
	"the lookup's answer and ACK come before GET_INFO's, as sent" \
	"$(cat "$NLVS_TMP/pipeline.out")"
tap_is "$(answers pipeline)" 1 "the lookups' answers are the same bytes"

# ipvsadm: a socket and a lookup per request (a GET_INFO first, then one per
# line): one lookup sent of 41; every request reaches nlvsd; the table is complete.
awk 'BEGIN { for (s = 1; s <= 20; s++) {
	printf "-A -t 10.9.0.%d:80 -s rr\n", s
	printf "-a -t 10.9.0.%d:80 -r 10.9.1.%d:80 -m -w 2\n", s, s } }' > "$NLVS_TMP/rules"
nlvs_traced ipvsadm ipvsadm -R < "$NLVS_TMP/rules"
tap_check $st "ipvsadm -R of 40 commands succeeds" "$(cat "$NLVS_TMP/ipvsadm.err")"
tap_is "$(nlvs_sends_to lookups "$NLVS_TMP/ipvsadm.trace")" 1 \
	"ipvsadm -R: 1 of its 41 lookups reaches nlvsd"
tap_is "$(nlvs_sends_to commands "$NLVS_TMP/ipvsadm.trace")" 41 \
	"ipvsadm -R: all 41 requests reach nlvsd"
tap_is "$(nlvs_ipvsadm -S -n)" "$(cat "$NLVS_TMP/rules")" "nlvsd holds exactly the rules"

tap_done
