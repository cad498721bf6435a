#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The neighbour table under a flood from the client side (issue #15): 1,100
# ARP requests for nlvsd's client-side address from off-link senders
# (192.168.x.y) and 1,100 neighbour solicitations from off-link IPv6 sources
# file nothing; 2,000 solicitations from on-link sources fill the table with
# learnt entries.  A real server nlvsd has never talked to, added afterwards,
# must answer at once (IPv4 and IPv6): the next hop evicts a learnt entry.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

/usr/bin/python3 -c 'import scapy.all' 2> /dev/null ||
	tap_skip_all "python3-scapy not installed"
fnat_setup
set -- $LAB_RS_ADDRS
RS1=$1 RS2=$2
set -- $LAB_RS_ADDRS6
RS1_6=$1 RS2_6=$2

fnat_ipvsadm -A -t "$LAB_VIP:80" -s rr &&
	fnat_ipvsadm -a -t "$LAB_VIP:80" -r "$RS1:80" -m &&
	fnat_ipvsadm -A -t "[$LAB_VIP6]:80" -s rr &&
	fnat_ipvsadm -a -t "[$LAB_VIP6]:80" -r "[$RS1_6]:80" -m
tap_check $? "ipvsadm adds an IPv4 and an IPv6 service with rs1 only"
tap_is "$(fnat_get "http://$LAB_VIP/")" rs1 "the IPv4 service answers before the floods"
tap_is "$(fnat_get "http://[$LAB_VIP6]/")" rs1 "the IPv6 service answers before the floods"

flood()
{
	in_client timeout 120 /usr/bin/python3 \
		"$top_srcdir/tests/integration/fnat-neigh-flood.py" c0 "$@" > /dev/null 2>&1
}

# the workers' neighbour entries, summed: "USED SIZE"
entries()
{
	"$NLVSCTL" -s "$NLVS_SOCK" stats 2> /dev/null | awk '
		$1 ~ /^worker\.[0-9]+\.neigh_entries$/ { u += $2 }
		$1 ~ /^worker\.[0-9]+\.neigh_size$/ { s += $2 }
		END { print u + 0, s + 0 }'
}

e0=$(entries)
o0=$(nlvs_stat neigh_offlink)
flood arp-offlink 1100
flood nd-offlink 1100
sleep 0.5
o1=$(nlvs_stat neigh_offlink)
e1=$(entries)
# almost all of them must have arrived; none may be filed
tap_check $([ $((o1 - o0)) -ge 2000 ] && echo 0 || echo 1) \
	"2,200 off-link senders are not learnt (neigh_offlink +$((o1 - o0)))"
# (the lab's own hosts may add an entry or two meanwhile: IPv6 reachability probes)
tap_check $([ $((${e1% *} - ${e0% *})) -lt 16 ] && echo 0 || echo 1) \
	"the off-link floods file no neighbour entry (entries ${e0% *} -> ${e1% *})"

flood nd-onlink 2000
sleep 0.5
e2=$(entries)
used=${e2% *} size=${e2#* }
tap_check $([ "$size" -gt 0 ] && [ "$used" -ge $((size * 9 / 10)) ] && echo 0 || echo 1) \
	"2,000 on-link senders fill the table with learnt entries ($used of $size)"

nn0=$(nlvs_stat drop.no-neighbour)
ev0=$(nlvs_stat neigh_evicted)
fnat_ipvsadm -a -t "$LAB_VIP:80" -r "$RS2:80" -m &&
	fnat_ipvsadm -e -t "$LAB_VIP:80" -r "$RS1:80" -m -w 0 &&
	fnat_ipvsadm -a -t "[$LAB_VIP6]:80" -r "[$RS2_6]:80" -m &&
	fnat_ipvsadm -e -t "[$LAB_VIP6]:80" -r "[$RS1_6]:80" -m -w 0
tap_check $? "ipvsadm adds rs2, never talked to, and quiesces rs1"
tap_is "$(fnat_get "http://$LAB_VIP/")" rs2 "the new IPv4 real server answers at once"
tap_is "$(fnat_get "http://[$LAB_VIP6]/")" rs2 "the new IPv6 real server answers at once"
nn1=$(nlvs_stat drop.no-neighbour)
ev1=$(nlvs_stat neigh_evicted)
tap_is "$nn1" "$nn0" "no packet dropped for want of a neighbour"
tap_check $([ "$ev1" -gt "$ev0" ] && echo 0 || echo 1) \
	"the new next hops took the place of learnt entries (neigh_evicted $ev0 -> $ev1)"
tap_diag "$("$NLVSCTL" -s "$NLVS_SOCK" stats | grep -E '^(neigh|worker\.[0-9]+\.neigh)')"

nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
