#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# MTU through FULLNAT.  nlvsd never fragments: a connection's packet longer
# than the MTU of the port it would leave through is answered with
# "fragmentation needed" (IPv4 with DF) or "packet too big" (IPv6) quoting
# the packet as its sender sent it, so path MTU discovery works across the
# load balancer in both directions:
#  1. client-side port at MTU 1280: the real servers' full-size segments do
#     not fit; they learn the MTU and downloads (IPv4, IPv6) complete intact;
#  2. server-side port at MTU 1280: a client sending datagrams too big for
#     it (DF) learns the MTU for the VIP.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

LAB_MTU0=1280
export LAB_MTU0
fnat_setup

grep -q 'port lan: .*mtu 1280' "$NLVS_TMP/nlvsd.log"
tap_check $? "the client-side port runs at MTU 1280 (nlvsd.conf: mtu)" \
	"$(grep 'port ' "$NLVS_TMP/nlvsd.log")"

# the same 300 kB file on every real server
head -c 300000 /dev/urandom > "$NLVS_TMP/big"
want=$(md5sum < "$NLVS_TMP/big")
for d in "$LAB"/www*; do
	cp "$NLVS_TMP/big" "$d/big"
done

fnat_rr_service && fnat_rr_service "$LAB_VIP6"
tap_check $? "ipvsadm adds rr services on the IPv4 and the IPv6 VIP"

before=$(nlvs_stat drop.mtu-exceeded)
# three downloads per family: one from each real server (rr)
for url in "http://$LAB_VIP/big" "http://[$LAB_VIP6]/big"; do
	ok=0
	i=0
	while [ $i -lt 3 ]; do
		got=$(in_client curl -s -g -m 15 "$url" | md5sum)
		[ "$got" = "$want" ] && ok=$((ok + 1))
		i=$((i + 1))
	done
	tap_is "$ok" 3 "$url: 3 downloads of 300 kB through the 1280-byte port arrive intact"
done
after=$(nlvs_stat drop.mtu-exceeded)
tap_check $([ $((after - before)) -ge 2 ] && echo 0 || echo 1) \
	"too-big segments were refused with an ICMP error, counted as mtu-exceeded ($before -> $after)" \
	"$(nlvs_state_diag)"

# the real servers learnt the MTU towards the local addresses
set -- $NS_RS
pmtu=$(for a in $LAB_LADDR $LAB_LADDR6; do ip -n "$1" route get "$a"; done 2>&1)
echo "$pmtu" | grep -q 'mtu 1280'
tap_check $? "a real server has a path MTU of 1280 towards a local address" "$pmtu"

# 2. the other direction: restart nlvsd with the small MTU on the server side
nlvsd_stop
tap_check $? "nlvsd stops"
sed -e 's/^\(port lan .*\) mtu 1280$/\1 mtu 1500/' -e 's/^\(port srv .*\)$/\1 mtu 1280/' \
	"$NLVS_TMP/nlvsd.conf" > "$NLVS_TMP/nlvsd.conf.new" &&
	mv "$NLVS_TMP/nlvsd.conf.new" "$NLVS_TMP/nlvsd.conf"
nlvsd_start && [ "$(grep -c 'dataplane running' "$NLVS_TMP/nlvsd.log")" = 2 ] &&
	grep -q 'port srv: .*mtu 1280' "$NLVS_TMP/nlvsd.log"
tap_check $? "nlvsd runs again with the server-side port at MTU 1280" \
	"$(tail -n 20 "$NLVS_TMP/nlvsd.log")"
fnat_ipvsadm -A -u "$LAB_VIP:7" -s rr && fnat_ipvsadm -A -u "[$LAB_VIP6]:7" -s rr &&
	for r in $LAB_RS_ADDRS; do fnat_ipvsadm -a -u "$LAB_VIP:7" -r "$r:7" -m; done &&
	for r in $LAB_RS_ADDRS6; do fnat_ipvsadm -a -u "[$LAB_VIP6]:7" -r "[$r]:7" -m; done
tap_check $? "ipvsadm adds UDP echo services on both VIPs"

# datagrams of 1400 bytes with DF from the client: the first leaves (the
# client's own link has MTU 1500), nlvsd answers it; the next send fails
# with EMSGSIZE and the socket's path MTU is 1280
for vip in "$LAB_VIP" "$LAB_VIP6"; do
	out=$(in_client python3 "$top_srcdir/tests/integration/pmtu-probe.py" "" "$vip" 7 1280)
	tap_check $? "$vip: a client sending too big datagrams learns MTU 1280 ($out)" \
		"$out
$(nlvs_state_diag)"
done

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
