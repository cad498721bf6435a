#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# SNAT changes are in force when ipvsadm gets their ACK, beside a big IPVS
# table: with 2,000 services of 5 NAT dests restored (none of them SNAT's),
# the SNAT service added, an egress address added, more services restored,
# the SNAT service deleted and added again, and the table flushed: each is
# seen by the very next query from inside (no sleep, no poll).  nlvsd
# follows the few SNAT services by the slots each change lists, and a
# change to any other service leaves the SNAT table as it is
# (dataplane/lb/snat_cfg.c): these are the paths that bookkeeping takes.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/snat-lib.sh"

nsvc=${NSVC:-2000}
snat_setup
# shellcheck disable=SC2086
set -- $LAB_INSIDE
H1=$1
# shellcheck disable=SC2086
set -- $LAB_EGRESS
E1=$1 E2=$2

# rules FIRST N: N TCP services 198.18.0.1:FIRST.. of 5 NAT dests each
rules()
{
	awk -v f="$1" -v n="$2" 'BEGIN {
		for (s = f; s < f + n; s++) {
			printf "-A -t 198.18.0.1:%d -s rr\n", s
			for (d = 1; d <= 5; d++)
				printf "-a -t 198.18.0.1:%d -r 198.19.%d.%d:80 -m\n", s,
					int(s / 50) % 250, (s % 50) * 5 + d
		}
	}' > "$NLVS_TMP/rules"
}

rules 20000 "$nsvc"
NLVS_CMD_TIMEOUT=600 nlvs_ipvsadm -R < "$NLVS_TMP/rules"
tap_check $? "ipvsadm -R of $nsvc services of 5 NAT dests" \
	"$(nlvs_ipvsadm -Ln | wc -l) lines listed"

# query [TIMEOUT]: a query from a source port never used before (a new
# flow); the answer in $out
port=41000
query()
{
	port=$((port + 1))
	out=$(snat_udp_query "$H1" "$LAB_OUT" "${1:-5}" "$port")
}

nlvs_ipvsadm -A -f 1 -s rr && nlvs_ipvsadm -a -f 1 -r "$E1" -m
query
tap_is "$out" "ok $E1 query" "right after the ACK the new SNAT service takes a new flow"

nlvs_ipvsadm -a -f 1 -r "$E2" -m
snat_queries "$H1" 4
tap_is "$(snat_split "$E1" "$E2")" "2/2" \
	"right after the ACK a new egress address takes its share (rr)" \
	"$(cat "$NLVS_TMP/answers")"

# more services that are not SNAT's: the SNAT table is left as it is
rules 30000 500
nlvs_ipvsadm -R < "$NLVS_TMP/rules"
query
case $out in "ok $E1 query" | "ok $E2 query") st=0 ;; *) st=1 ;; esac
tap_check $st "after 500 more services that are not SNAT's, SNAT still leaves" "got '$out'"
nlvs_ipvsadm -e -f 1 -r "$E1" -m -w 0
snat_queries "$H1" 3
tap_is "$(snat_split "$E1" "$E2")" "0/3" \
	"right after the ACK of weight 0 new flows avoid that egress address" \
	"$(cat "$NLVS_TMP/answers")"

before=$(nlvs_stat drop.no-service)
nlvs_ipvsadm -D -f 1
query 2
tap_is "$out" "" "right after the ACK of the SNAT service's deletion a new flow is not answered"
nlvs_wait_until 20 nlvs_stat_ge drop.no-service $((before + 1))
tap_check $? "and it was dropped as no-service" \
	"no-service $before -> $(nlvs_stat drop.no-service)"

nlvs_ipvsadm -A -f 1 -s rr && nlvs_ipvsadm -a -f 1 -r "$E2" -m
query
tap_is "$out" "ok $E2 query" "right after the ACK the service added again takes new flows"

nlvs_ipvsadm -C && nlvs_ipvsadm -A -f 1 -s rr && nlvs_ipvsadm -a -f 1 -r "$E1" -m
query
tap_is "$out" "ok $E1 query" "after a flush, the service added again takes new flows"
tap_is "$(nlvs_ipvsadm -Ln | grep -c -- '->.*Masq')" "1" "ipvsadm -Ln lists only it"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
