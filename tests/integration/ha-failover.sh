#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VRRP failover between two nlvsd nodes: two load balancers on one client
# LAN (a bridge), each nlvsd on af_packet veth ports with keepalived,
# unmodified, under nlvs-exec: a vrrp_instance on nlvsd's twin `lan`
# (MASTER priority 150 / BACKUP 100, same virtual_router_id, preemption)
# holding the VIP, and the same virtual server of three HTTP real servers.
# VRRP adverts cross the wire through the twins' host path.  A client opens
# a new connection to the VIP every 0.1 s meanwhile.  Round 1: stopping the
# master's keepalived moves the VIP to the other node (its dataplane answers
# ARP and echo and announces it), restarting it moves it back (preemption).
# Round 2: the master's nlvsd killed (SIGKILL: its twin and the VIP on it
# vanish) moves the VIP; the node restarted (nlvsd, keepalived) takes it
# back.  Each time the client's longest gap between two successful
# connections is printed; only a generous bound (30 s) is asserted.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ip ethtool curl python3 keepalived
[ -x "$NLVSD" ] || tap_bail "nlvsd not built"
nlvs_tmpdir_make
ID=$$
NS_C=nlvs-hac-$ID NS_N=nlvs-han-$ID NS_S=nlvs-has-$ID NS_R1=nlvs-har1-$ID NS_R2=nlvs-har2-$ID NS_R3=nlvs-har3-$ID
NS_L1=nlvs-ha1-$ID NS_L2=nlvs-ha2-$ID
VIP=10.78.1.100
nlvs_cleanup_add "for n in $NS_C $NS_N $NS_S $NS_R1 $NS_R2 $NS_R3 $NS_L1 $NS_L2; do ip netns del \$n; done \
2> /dev/null; rm -rf /var/run/dpdk/nlvs-ha1-$ID /var/run/dpdk/nlvs-ha2-$ID"

for n in $NS_C $NS_N $NS_S $NS_R1 $NS_R2 $NS_R3 $NS_L1 $NS_L2; do
	ip netns add "$n" && ip -n "$n" link set lo up || tap_bail "cannot create namespaces"
done
nsx() { _x=$1; shift; ip netns exec "$_x" "$@"; }
off() { nsx "$1" ethtool -K "$2" tx off tso off gso off gro off > /dev/null 2>&1; }
# the client LAN (NS_N) and the servers' LAN (NS_S): bridges
for n in $NS_N $NS_S; do
	ip -n "$n" link add br0 type bridge && ip -n "$n" link set br0 up
done
# plug NS DEV BRIDGE_NS PEER: a veth from NS (DEV) into the bridge of BRIDGE_NS
plug()
{
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || tap_bail "veth"
	ip -n "$3" link set "$4" master br0 up
	off "$1" "$2"
	off "$3" "$4"
}
plug "$NS_C" c0 "$NS_N" nc
ip -n "$NS_C" link set c0 up
ip -n "$NS_C" addr add 10.78.1.50/24 dev c0
for i in 1 2 3; do
	_ns=$(eval echo "\$NS_R$i")
	plug "$_ns" r0 "$NS_S" "sr$i"
	ip -n "$_ns" link set r0 up
	ip -n "$_ns" addr add "10.78.2.1$i/24" dev r0
	mkdir -p "$NLVS_TMP/www$i"
	echo "rs$i" > "$NLVS_TMP/www$i/index.html"
	(cd "$NLVS_TMP/www$i" && exec ip netns exec "$_ns" python3 -m http.server \
		--bind "10.78.2.1$i" 80) > "$NLVS_TMP/http$i.log" 2>&1 &
	nlvs_cleanup_add "kill $! 2> /dev/null"
done

# node N: nlvsd on lan0 (client LAN) and srv0 (servers' LAN)
node()
{
	_n=$1 _ns=$2
	plug "$_ns" lan0 "$NS_N" "n$_n"
	plug "$_ns" srv0 "$NS_S" "s$_n"
	for d in lan0 srv0; do
		# as scripts/netns-common.sh lab_dp_ports: the kernel of the
		# namespace sees these frames too and must leave them to the twin
		nsx "$_ns" sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1" \
			"net.ipv4.conf.$d.rp_filter=1" "net.ipv4.conf.$d.arp_ignore=8"
		ip -n "$_ns" link set "$d" up
	done
	mkdir -p "$NLVS_TMP/n$_n"
	cat > "$NLVS_TMP/n$_n/nlvsd.conf" <<CONF
eal --no-huge -m 256 --no-pci --file-prefix nlvs-ha$_n-$ID -l 0-1
workers 1
mbufs 2048
port lan net_af_packet0,iface=lan0
port srv net_af_packet1,iface=srv0
address lan 10.78.1.$_n/24
address srv 10.78.2.$_n/24
laddr $VIP 10.78.2.10$_n
# the VIP is answered (ARP) and announced only where keepalived put it on
# the twin: the BACKUP's dataplane serves the same virtual server silently
vip-neigh kernel
CONF
	cat > "$NLVS_TMP/n$_n/keepalived.conf" <<CONF
global_defs {
	router_id nlvs_ha$_n
	vrrp_garp_master_delay 0
}
vrrp_instance VI_1 {
	state $([ "$_n" = 1 ] && echo MASTER || echo BACKUP)
	interface lan
	virtual_router_id 78
	priority $([ "$_n" = 1 ] && echo 150 || echo 100)
	advert_int 1
	virtual_ipaddress {
		$VIP/32
	}
}
virtual_server $VIP 80 {
	delay_loop 2
	lb_algo rr
	lb_kind NAT
	protocol TCP
	real_server 10.78.2.11 80 {
	}
	real_server 10.78.2.12 80 {
	}
	real_server 10.78.2.13 80 {
	}
}
CONF
}
node 1 "$NS_L1"
node 2 "$NS_L2"

# nlvsd_up N: nlvsd of node N, its twin `lan` up with the node's address
nlvsd_up()
{
	_ns=$(eval echo "\$NS_L$1")
	ip netns exec "$_ns" "$NLVSD" -d -f "$NLVS_TMP/n$1/nlvsd.conf" \
		-s "$NLVS_TMP/n$1/ipvs.sock" >> "$NLVS_TMP/n$1/nlvsd.log" 2>&1 < /dev/null &
	eval "NLVSD$1=\$!"
	nlvs_cleanup_add "kill -KILL $! 2> /dev/null"
	nlvs_wait_until 30 ip -n "$_ns" link show lan > /dev/null 2>&1 || return 1
	ip -n "$_ns" link set lan up
	ip -n "$_ns" addr add "10.78.1.$1/24" dev lan 2> /dev/null
	nlvs_wait_until 30 nlvs_sock_alive "$NLVS_TMP/n$1/ipvs.sock"
}

# ka_up N: keepalived of node N under nlvs-exec
ka_up()
{
	_ns=$(eval echo "\$NS_L$1")
	ip netns exec "$_ns" "$NLVS_EXEC" -s "$NLVS_TMP/n$1/ipvs.sock" keepalived -n -l -D -G \
		-f "$NLVS_TMP/n$1/keepalived.conf" -p "$NLVS_TMP/n$1/ka.pid" \
		-r "$NLVS_TMP/n$1/vrrp.pid" -c "$NLVS_TMP/n$1/check.pid" \
		>> "$NLVS_TMP/n$1/keepalived.log" 2>&1 < /dev/null &
	eval "KA$1=\$!"
	nlvs_cleanup_add "kill -KILL $! 2> /dev/null"
}

# state N STATE: keepalived of node N entered STATE (its last transition)
state()
{
	[ "$(grep -o 'Entering [A-Z]* STATE' "$NLVS_TMP/n$1/keepalived.log" | tail -n 1)" = \
		"Entering $2 STATE" ]
}

# answers N: the client resolves the VIP to node N's MAC
answers()
{
	_ns=$(eval echo "\$NS_L$1")
	_mac=$(ip -n "$_ns" -o link show lan0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n "$NS_C" neigh show "$VIP" dev c0 | grep -q "lladdr $_mac"
}

# node_stat N NAME: counter NAME of node N's nlvsd
node_stat()
{
	"$NLVSCTL" -s "$NLVS_TMP/n$1/ipvs.sock" stats 2> /dev/null |
		awk -v n="$2" '$1 == n { v = $2 } END { print v + 0 }'
}
# dp_answers N: the client pings the VIP; node N's dataplane answers (its
# echo_replies counter moves)
dp_answers()
{
	_e=$(node_stat "$1" echo_replies)
	nsx "$NS_C" $PING "$VIP" 2 > /dev/null 2>&1 && [ "$(node_stat "$1" echo_replies)" -gt "$_e" ]
}
PING="/usr/bin/python3 $top_srcdir/tests/integration/dp-ping.py"

for n in 1 2; do
	nlvsd_up $n
	tap_check $? "node $n: nlvsd runs, its twin lan is there" "$(cat "$NLVS_TMP/n$n/nlvsd.log")"
done
ka_up 1
ka_up 2
nlvs_wait_until 30 state 1 MASTER && nlvs_wait_until 30 state 2 BACKUP
tap_check $? "node 1 MASTER, node 2 BACKUP" \
	"$(tail -n 5 "$NLVS_TMP/n1/keepalived.log" "$NLVS_TMP/n2/keepalived.log")"
# a backup that hears no advert takes over after 3 intervals (3.6 s): it
# must not: the adverts cross both twins and the client bridge
! nlvs_wait_until 6 state 2 MASTER
tap_check $? "node 2 hears node 1's adverts: it stays BACKUP" \
	"$(tail -n 5 "$NLVS_TMP/n2/keepalived.log")"
out=$(nsx "$NS_C" curl -s -m 5 "http://$VIP/")
case $out in rs[123]) st=0 ;; *) st=1 ;; esac
tap_check $st "HTTP through the VIP on node 1" "got '$out'"
nlvs_wait_until 10 answers 1
tap_check $? "the client's ARP entry for the VIP is node 1's (node 2 does not answer)" \
	"$(ip -n "$NS_C" neigh show "$VIP")"

# the client loop: a new connection every 0.1 s, one line per try
cat > "$NLVS_TMP/loop.py" <<'PY'
import socket, sys, time
vip = sys.argv[1]
while True:
    t = time.time()
    try:
        s = socket.create_connection((vip, 80), 1)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        s.settimeout(1)
        ok = b"\r\n\r\nrs" in s.makefile("rb").read()
        s.close()
    except OSError:
        ok = False
    print("%.3f %s" % (t, "ok" if ok else "fail"), flush=True)
    time.sleep(0.1)
PY
ip netns exec "$NS_C" python3 -u "$NLVS_TMP/loop.py" "$VIP" > "$NLVS_TMP/loop.log" 2>&1 &
LOOP=$!
nlvs_cleanup_add "kill $LOOP 2> /dev/null"

# gap_since T: the longest time between two successful connections, the
# last one before T included (the event's own outage counts), in ms
gap_since()
{
	awk -v t0="$1" '$2 == "ok" { if (last && $1 >= t0) { g = $1 - last; if (g > m) m = g }
		last = $1 } END { printf "%d\n", m * 1000 }' "$NLVS_TMP/loop.log"
}
# oks_since T N: at least N successes after T
oks_since()
{
	[ "$(awk -v t0="$1" '$1 >= t0 && $2 == "ok"' "$NLVS_TMP/loop.log" | wc -l)" -ge "$2" ]
}

# gap_ok WHAT T: once the change is over (called after its checks), 20
# more successes; the client's longest gap since T, printed, under 30 s
gap_ok()
{
	_t2=$(date +%s.%N)
	nlvs_wait_until 60 oks_since "$_t2" 20
	_g=$(gap_since "$2")
	tap_diag "$1: client gap $_g ms"
	tap_check $([ "$_g" -lt 30000 ] && echo 0 || echo 1) \
		"$1: the client's new connections resume (gap $_g ms, bound 30 s)"
}

# ka1_preempts DESC WHAT T: keepalived started on node 1 (the change began at
# T) preempts: node 1 MASTER and node 2 BACKUP again, the client's ARP entry
# and node 1's dataplane answer for the VIP, the client's gap checked
ka1_preempts()
{
	ka_up 1
	nlvs_wait_until 30 state 1 MASTER && nlvs_wait_until 30 state 2 BACKUP
	tap_check $? "$1: it preempts, node 2 BACKUP again" \
		"$(tail -n 5 "$NLVS_TMP/n1/keepalived.log" "$NLVS_TMP/n2/keepalived.log")"
	nlvs_wait_until 30 answers 1
	tap_check $? "the client's ARP entry for the VIP is node 1's again" \
		"$(ip -n "$NS_C" neigh show "$VIP")"
	gap_ok "$2" "$3"
	nlvs_wait_until 10 dp_answers 1
	tap_check $? "node 1's dataplane answers echo for the VIP again"
}

nlvs_wait_until 30 oks_since 0 5
tap_check $? "the client loop connects through node 1" "$(tail -n 3 "$NLVS_TMP/loop.log")"

# round 1: the master's keepalived stops
t=$(date +%s.%N)
kill -TERM "$KA1"
nlvs_wait_until 30 state 2 MASTER
tap_check $? "keepalived stopped on node 1: node 2 becomes MASTER" \
	"$(tail -n 5 "$NLVS_TMP/n2/keepalived.log")"
nlvs_wait_until 10 answers 2
tap_check $? "the client's ARP entry for the VIP is node 2's (announced)" \
	"$(ip -n "$NS_C" neigh show "$VIP")"
gap_ok "keepalived stopped" "$t"
nlvs_wait_until 10 dp_answers 2
tap_check $? "node 2's dataplane answers echo for the VIP"

# the old master back: preemption moves the VIP back
wait "$KA1" 2> /dev/null
t=$(date +%s.%N)
ka1_preempts "keepalived back on node 1" "preemption" "$t"

# round 2: the master's nlvsd dies (its twin and the VIP on it go)
t=$(date +%s.%N)
kill -KILL "$NLVSD1"
nlvs_wait_until 30 state 2 MASTER
tap_check $? "nlvsd killed on node 1: node 2 becomes MASTER" \
	"$(tail -n 5 "$NLVS_TMP/n2/keepalived.log")"
nlvs_wait_until 10 answers 2
tap_check $? "the client's ARP entry for the VIP is node 2's" \
	"$(ip -n "$NS_C" neigh show "$VIP")"
gap_ok "nlvsd killed" "$t"
nlvs_wait_until 10 dp_answers 2
tap_check $? "node 2's dataplane answers echo for the VIP"

# node 1 restarted as a service manager would: nlvsd, then keepalived
kill -TERM "$KA1" 2> /dev/null
nlvs_wait_until 30 eval '! kill -0 "$KA1" 2> /dev/null' || kill -KILL "$KA1" 2> /dev/null
wait "$KA1" "$NLVSD1" 2> /dev/null
rm -f "$NLVS_TMP/n1/ipvs.sock"
t=$(date +%s.%N)
nlvsd_up 1
tap_check $? "node 1: nlvsd restarted, its twin lan is back" "$(tail -n 20 "$NLVS_TMP/n1/nlvsd.log")"
ka1_preempts "node 1 restarted" "node 1 restarted" "$t"
out=$(awk '$2 == "ok"' "$NLVS_TMP/loop.log" | wc -l)/$(wc -l < "$NLVS_TMP/loop.log")
tap_diag "client loop: $out connections succeeded"
tap_done
