#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel mirror: addresses and routes the kernel holds on a port's twin
# (the TAP interface nlvsd makes for the port, named after it) are answered
# and followed by the dataplane.  The twins are nlvsd's own (the test fails
# when they are missing).  Traffic is real: the client pings and ARPs
# through the af_packet port, the real servers' packets are forwarded along
# mirrored routes.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

nlvs_require_cmd tcpdump
PING="/usr/bin/python3 $top_srcdir/tests/integration/dp-ping.py"
nlvs_lab_up "$FNAT_LAB_SH"
NS_RS1=$(echo "$NS_RS" | cut -d' ' -f1)
echo "ip-forward on" >> "$NLVS_TMP/nlvsd.conf"
LB_MAC=$(ip -n "$NS_L" -o link show l0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

lb() { ip -n "$NS_L" "$@"; }
ctl() { "$NLVSCTL" -s "$NLVS_SOCK" "$@"; }
# has CMD PATTERN: the output of `nlvsctl CMD` has a line matching PATTERN
has() { ctl "$1" | grep -Eq "$2"; }
hasnt() { ! has "$@"; }

# twin NAME DEV: nlvsd's kernel twin of port NAME (on veth DEV) is there,
# with the port's MAC (net_tap's, made by nlvsd, not a stand-in), up.
twin()
{
	_mac=$(ip -n "$NS_L" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n "$NS_L" -o link show "$1" 2> /dev/null | grep -q "link/ether $_mac " &&
		lb link set "$1" up
}

nlvs_lab_start NS_L "nlvsd runs on the lab's ports"
twin lan l0 || tap_bail "nlvsd made no twin lan: $(lb -o link)"

# --- addresses
lb addr add 10.77.1.60/32 dev lan
nlvs_wait_until 20 has addrs '^10\.77\.1\.60/32 +port +lan +kernel'
tap_check $? "address on the twin lan: mirrored" "$(ctl addrs)"
out=$(in_client $PING 10.77.1.60 2 2>&1)
tap_check $? "it answers echo through the dataplane" "$out"

# a new address: gratuitous ARP at once, then ARP and echo answered
ip netns exec "$NS_C" tcpdump -tt -l -n -i c0 arp or icmp6 > "$NLVS_TMP/arp.txt" 2> "$NLVS_TMP/tcpdump.err" &
TCPDUMP_PID=$!
nlvs_cleanup_add "kill $TCPDUMP_PID 2> /dev/null"
nlvs_wait_until 20 grep -q "listening on" "$NLVS_TMP/tcpdump.err" ||
	tap_bail "tcpdump did not start: $(cat "$NLVS_TMP/tcpdump.err")"
arp0=$(nlvs_stat arp_replies)
t0=$(date +%s.%N)
lb addr add 10.77.1.50/32 dev lan
nlvs_wait_until 20 grep -Eq "who-has 10\.77\.1\.50 .*tell 10\.77\.1\.50" "$NLVS_TMP/arp.txt"
tap_check $? "ip addr add: the dataplane announces it (gratuitous ARP on the client's LAN)" \
	"$(cat "$NLVS_TMP/arp.txt")"
t1=$(grep -E "who-has 10\.77\.1\.50 .*tell 10\.77\.1\.50" "$NLVS_TMP/arp.txt" | head -n 1 |
	cut -d' ' -f1)
tap_diag "ip addr add to gratuitous ARP on the wire: $(echo "$t0 $t1" |
	awk '{printf "%d", ($2 - $1) * 1000}') ms (ip's own start-up included)"
out=$(in_client $PING 10.77.1.50 3 2>&1)
tap_check $? "ip addr add: the new address answers echo" "$out"
out=$(in_client ip neigh show 10.77.1.50 dev c0)
case $out in *"lladdr $LB_MAC"*) st=0 ;; *) st=1 ;; esac
tap_check $st "the client resolved it by ARP to the port's MAC" "$out (want $LB_MAC)"
nlvs_stat_ge arp_replies $((arp0 + 1))
tap_check $? "the dataplane answered that ARP (arp_replies moved)" \
	"arp_replies before $arp0 now $(nlvs_stat arp_replies)"

lb addr del 10.77.1.50/32 dev lan
nlvs_wait_until 20 hasnt addrs '^10\.77\.1\.50/'
tap_check $? "ip addr del: the address leaves the dataplane's table" "$(ctl addrs)"
er=$(nlvs_stat echo_replies)
out=$(in_client $PING 10.77.1.50 2 64 1 2>&1)
tap_check $((! $?)) "ip addr del: the address no longer answers echo" "$out"
tap_is "$(nlvs_stat echo_replies)" "$er" "the dataplane sent no echo reply for it"

# IPv6 (the kernel's own IPv6 is off on the af_packet port)
lb -6 addr add fd00:77:1::50/128 dev lan nodad
nlvs_wait_until 20 has addrs '^fd00:77:1::50/128 .*kernel'
# before the client asks for it: the advertisement is unsolicited
nlvs_wait_until 20 grep -q "neighbor advertisement, tgt is fd00:77:1::50" "$NLVS_TMP/arp.txt"
tap_check $? "IPv6 address: the dataplane announces it (unsolicited neighbour advertisement)" \
	"$(grep -i icmp6 "$NLVS_TMP/arp.txt")"
out=$(in_client $PING fd00:77:1::50 2 2>&1)
tap_check $? "IPv6 address on the twin answers ND and echo" "$out"

# nlvsd.conf's address and the kernel's copy of it: deleting the kernel's
# leaves nlvsd.conf's
lb addr add 10.77.1.1/24 dev lan
nlvs_wait_until 20 has addrs '^10\.77\.1\.1/24 .*kernel'
tap_check $? "the same address from the kernel and nlvsd.conf: both listed" "$(ctl addrs)"
lb addr del 10.77.1.1/24 dev lan
nlvs_wait_until 20 hasnt addrs '^10\.77\.1\.1/24 .*kernel'
has addrs '^10\.77\.1\.1/24 +port +lan +config'
tap_check $? "the kernel's deletion leaves nlvsd.conf's address" "$(ctl addrs)"
out=$(in_client $PING 10.77.1.1 2 2>&1)
tap_check $? "and it still answers echo" "$out"

# --- routes: the real servers reach 10.77.9.1 (on the client) only along a
# route the kernel holds on the twin
in_client ip addr add 10.77.9.1/32 dev c0
in_client ip addr add 10.77.1.3/24 dev c0
in_client ip route add 10.77.2.0/24 via 10.77.1.1
nr=$(nlvs_stat drop.no-route)
ip netns exec "$NS_RS1" $PING 10.77.9.1 1 64 1 > /dev/null 2>&1
nlvs_wait_until 20 nlvs_stat_ge drop.no-route $((nr + 1))
tap_check $? "no route yet: dropped as no-route" "no-route $nr -> $(nlvs_stat drop.no-route)"

lb route add 10.77.9.0/24 via 10.77.1.2 dev lan onlink
nlvs_wait_until 20 has routes '^10\.77\.9\.0/24 via 10\.77\.1\.2 dev lan origin kernel'
tap_check $? "ip route add: nlvsctl routes shows it" "$(ctl routes)"
out=$(ip netns exec "$NS_RS1" $PING 10.77.9.1 3 2>&1)
tap_check $? "ip route add: traffic follows it through the dataplane" "$out"

lb route del 10.77.9.0/24
nlvs_wait_until 20 hasnt routes '^10\.77\.9\.0/24'
tap_check $? "ip route del: gone from nlvsctl routes" "$(ctl routes)"
nr=$(nlvs_stat drop.no-route)
ip netns exec "$NS_RS1" $PING 10.77.9.1 1 64 1 > /dev/null 2>&1
nlvs_wait_until 20 nlvs_stat_ge drop.no-route $((nr + 1))
tap_check $? "ip route del: dropped as no-route again" "no-route $nr -> $(nlvs_stat drop.no-route)"

# ECMP: two next hops, both listed, both used (by destination)
for i in 1 2 3 4 5 6 7 8; do
	in_client ip addr add "10.77.8.$i/32" dev c0
done
lb route add 10.77.8.0/24 nexthop via 10.77.1.2 dev lan onlink \
	nexthop via 10.77.1.3 dev lan onlink
nlvs_wait_until 20 has routes '^10\.77\.8\.0/24 origin kernel'
out=$(ctl routes)
st=1
echo "$out" | grep -A2 '^10\.77\.8\.0/24' | grep -q 'nexthop via 10\.77\.1\.2 dev lan' &&
	echo "$out" | grep -A2 '^10\.77\.8\.0/24' | grep -q 'nexthop via 10\.77\.1\.3 dev lan' &&
	st=0
tap_check $st "ECMP route: nlvsctl routes shows both next hops" "$out"
fail=0
for i in 1 2 3 4 5 6 7 8; do
	ip netns exec "$NS_RS1" $PING "10.77.8.$i" 1 > /dev/null 2>&1 || fail=$((fail + 1))
done
tap_is "$fail" 0 "ECMP route: traffic to 8 destinations through it"
out=$(ctl neigh)
st=1
echo "$out" | grep -q '^10\.77\.1\.2 dev lan lladdr .* nexthop' &&
	echo "$out" | grep -q '^10\.77\.1\.3 dev lan lladdr .* nexthop' && st=0
tap_check $st "ECMP route: both next hops resolved and used (nlvsctl neigh)" "$out"

# IPv6 ECMP: the kernel adds and deletes the siblings one by one
lb -6 route add fd00:77:8::/64 nexthop via fd00:77:1::2 dev lan onlink \
	nexthop via fd00:77:1::3 dev lan onlink
nlvs_wait_until 20 has routes '^fd00:77:8::/64 origin kernel'
out=$(ctl routes | grep -A2 '^fd00:77:8::/64')
st=1
echo "$out" | grep -q 'nexthop via fd00:77:1::2 dev lan' &&
	echo "$out" | grep -q 'nexthop via fd00:77:1::3 dev lan' && st=0
tap_check $st "IPv6 ECMP route: both next hops" "$(ctl routes)"
lb -6 route del fd00:77:8::/64 via fd00:77:1::2 dev lan
nlvs_wait_until 20 has routes '^fd00:77:8::/64 via fd00:77:1::3 dev lan origin kernel'
tap_check $? "IPv6 ECMP: one sibling deleted, the other stays" "$(ctl routes)"
lb -6 route del fd00:77:8::/64
nlvs_wait_until 20 hasnt routes '^fd00:77:8::/64'
tap_check $? "IPv6 ECMP: the last one deleted, the route is gone" "$(ctl routes)"

# route_batch N A B M: ip -batch lines adding N /24 routes via 10.77.1.2,
# the i-th A.(B + i / M).(i % M).0/24 (M of them per /16)
route_batch()
{
	_i=0
	while [ $_i -lt "$1" ]; do
		echo "route add $2.$(($3 + _i / $4)).$((_i % $4)).0/24 via 10.77.1.2 dev lan onlink"
		_i=$((_i + 1))
	done
}
# nroutes RE N: N of nlvsd's routes from the kernel start with RE
nroutes() { [ "$(ctl routes | grep -c "$1.* origin kernel")" = "$2" ]; }

# a burst: 1000 routes added in one go are all mirrored (events read in
# batches, one table published per batch), then all removed
route_batch 1000 10 100 250 > "$NLVS_TMP/routes.batch"	# 10.100.0.0/24 ...
t0=$(date +%s%N)
lb -batch "$NLVS_TMP/routes.batch"
nlvs_wait_until 60 nroutes '^10\.1[0-9][0-9]\.' 1000
tap_check $? "1000 routes added at once: all mirrored" \
	"$(ctl routes | grep -c '^10\.1[0-9][0-9]\.') of 1000"
t1=$(date +%s%N)
tap_diag "1000 kernel routes mirrored in $(((t1 - t0) / 1000000)) ms (ip -batch included)"
sed 's/^route add/route del/' "$NLVS_TMP/routes.batch" > "$NLVS_TMP/routes-del.batch"
lb -batch "$NLVS_TMP/routes-del.batch"
nlvs_wait_until 60 nroutes '^10\.1[0-9][0-9]\.' 0
tap_check $? "and all removed" "$(ctl routes | grep -c '^10\.1[0-9][0-9]\.') left"

# events lost: nlvsd stopped while 40000 routes come and go overflows its
# socket (ENOBUFS); it reads the tables again and ends up with what the
# kernel holds
route_batch 40000 100 64 256 > "$NLVS_TMP/routes-big.batch"	# 100.64.0.0/24 ...
kill -STOP "$NLVSD_PID"
lb -batch "$NLVS_TMP/routes-big.batch"
lb addr add 10.77.1.61/32 dev lan	# its event is lost: the buffer is full
kill -CONT "$NLVSD_PID"
nlvs_wait_until 60 grep -q "events lost" "$NLVS_TMP/nlvsd.log"
tap_check $? "40000 route events while nlvsd is stopped: it notices the loss"
nlvs_wait_until 60 nroutes '^100\.' 40000
tap_check $? "and re-reads the tables: all 40000 routes mirrored" \
	"$(ctl routes | grep -c '^100\.') of 40000"
nlvs_wait_until 20 has addrs '^10\.77\.1\.61/32 +port +lan +kernel'
tap_check $? "and the address added meanwhile" "$(ctl addrs)"
sed 's/^route add/route del/' "$NLVS_TMP/routes-big.batch" | lb -batch -
nlvs_wait_until 60 nroutes '^100\.' 0
tap_check $? "and all gone again when deleted" \
	"$(ctl routes | grep -c '^100\.') left"

# a reload (SIGHUP) rebuilds nlvsd.conf's addresses and routes and keeps the
# kernel's
n0=$(grep -c "configuration reloaded" "$NLVS_TMP/nlvsd.log")
kill -HUP "$NLVSD_PID"
reloaded() { [ "$(grep -c "configuration reloaded" "$NLVS_TMP/nlvsd.log")" -gt "$n0" ]; }
nlvs_wait_until 20 reloaded
has addrs '^10\.77\.1\.60/32 +port +lan +kernel' && has routes '^10\.77\.8\.0/24 origin kernel' &&
	has routes '^10\.77\.1\.0/24 dev lan origin config'
tap_check $? "after a reload the kernel's addresses and routes are still there" \
	"$(ctl addrs; ctl routes)"
out=$(in_client $PING 10.77.1.60 2 2>&1)
tap_check $? "and still answered" "$out"

# --- the other twin: srv
twin srv l1 && lb addr add 10.77.2.60/32 dev srv
nlvs_wait_until 20 has addrs '^10\.77\.2\.60/32 +port +srv +kernel'
tap_check $? "an address on the twin srv is mirrored to port srv" "$(ctl addrs)"
out=$(ip netns exec "$NS_RS1" $PING 10.77.2.60 2 2>&1)
tap_check $? "its address answers echo on its port" "$out"

# a twin set down: the kernel drops its IPv4 routes without a word; the
# mirror, re-reading the tables on the link change, drops them too
lb route add 10.77.7.0/24 via 10.77.2.11 dev srv onlink
nlvs_wait_until 20 has routes '^10\.77\.7\.0/24 via 10\.77\.2\.11 dev srv origin kernel'
tap_check $? "a route through the twin srv is mirrored" "$(ctl routes)"
lb link set srv down
nlvs_wait_until 20 hasnt routes '^10\.77\.7\.0/24'
tap_check $? "twin set down: the routes the kernel flushed silently leave the dataplane" \
	"$(ctl routes)"
lb link set srv up

tap_diag "nlvsctl addrs:"
tap_diag "$(ctl addrs)"
nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"

# kernel-mirror off: the twin's addresses stay the kernel's alone (a mirror
# would have them in milliseconds: 3 s without is enough)
echo "kernel-mirror off" >> "$NLVS_TMP/nlvsd.conf"
nlvsd_start
tap_check $? "nlvsd starts with kernel-mirror off"
twin srv l1 && lb addr add 10.77.2.61/32 dev srv &&
	! nlvs_wait_until 3 has addrs 'kernel' && has addrs '^10\.77\.2\.1/24 +port +srv +config'
tap_check $? "kernel-mirror off: nothing mirrored" "$(ctl addrs; lb addr show dev srv)"
nlvsd_stop
tap_done
