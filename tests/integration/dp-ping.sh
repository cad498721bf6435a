#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# nlvsd's own L2/L3 on a virtual port: a client namespace reaches nlvsd's
# port addresses over a veth whose other end nlvsd drives with net_af_packet
# (in a namespace of its own, no kernel address on it).  ARP/ND, echo v4/v6,
# ICMP time exceeded, drops counted, idle CPU reported.
# DP_WORKERS=2 (dp-ping-2w.sh) runs two workers over a qpairs=2 port.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ip ethtool /usr/bin/python3
[ -x "$NLVSD" ] || tap_bail "$NLVSD not built"

W=${DP_WORKERS:-1}
PING="/usr/bin/python3 $top_srcdir/tests/integration/dp-ping.py"
NS_C=nlvs-dpc-$$
NS_L=nlvs-dpl-$$
nlvs_tmpdir_make
nlvs_cleanup_add "ip netns del $NS_C 2>/dev/null; ip netns del $NS_L 2>/dev/null; \
rm -rf /var/run/dpdk/nlvs-test-$$"

ip netns add "$NS_C" && ip netns add "$NS_L" || tap_bail "cannot create namespaces"
ip link add vc0 netns "$NS_C" type veth peer name vl0 netns "$NS_L" ||
	tap_bail "cannot create veth"
for ns in "$NS_C:vc0" "$NS_L:vl0"; do
	ip netns exec "${ns%%:*}" ethtool -K "${ns#*:}" tx off tso off gso off gro off \
		> /dev/null 2>&1
done
# the kernel of NS_L sees vl0's frames too: keep it from answering there
# for the twin's address (lab_dp_ports in scripts/netns-common.sh says why)
ip netns exec "$NS_L" sysctl -qw net.ipv6.conf.vl0.disable_ipv6=1 \
	net.ipv4.conf.vl0.rp_filter=1 net.ipv4.conf.vl0.arp_ignore=8
ip -n "$NS_L" link set vl0 up
ip -n "$NS_C" link set lo up
ip -n "$NS_C" link set vc0 up
ip -n "$NS_C" addr add 10.99.0.2/24 dev vc0
ip -n "$NS_C" addr add 2001:db8:99::2/64 dev vc0 nodad
ip -n "$NS_C" route add 10.98.0.0/24 via 10.99.0.1
ip -n "$NS_C" route add 10.97.0.0/24 via 10.99.0.1
LB_MAC=$(ip -n "$NS_L" -o link show vl0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

if [ "$W" -gt 1 ]; then
	# two cores here: lcores 1 and 2 share the second CPU
	LCORES="--lcores 0@0,1@1,2@1"
else
	LCORES="-l 0-1"
fi
cat > "$NLVS_TMP/nlvsd.conf" <<CONF
eal --no-huge -m 256 --no-pci --file-prefix nlvs-test-$$ $LCORES
workers $W
mbufs 2048
ip-forward on
port lan net_af_packet0,iface=vl0,qpairs=$W
address lan 10.99.0.1/24
address lan 2001:db8:99::1/64
route 10.98.0.0/24 via 10.99.0.254 port lan
CONF

# nlvsd runs inside the namespace that holds its veth end
nlvsd_in_netns "$NS_L"

# log_more TEXT N: nlvsd's log has more than N lines containing TEXT.
log_more()
{
	[ "$(grep -cF "$1" "$NLVS_TMP/nlvsd.log")" -gt "$2" ]
}

# stat_log NAME: a counter of `nlvsctl stats` (nlvs_stat) from the dump
# nlvsd logs on SIGUSR1 instead (the dump is written line by line: wait for
# NAME's own line, not the first one).
stat_log()
{
	n0=$(grep -cF "stats: $1 " "$NLVS_TMP/nlvsd.log")
	kill -USR1 "$NLVSD_PID"
	nlvs_wait_until 20 log_more "stats: $1 " "$n0"
	grep -F "stats: $1 " "$NLVS_TMP/nlvsd.log" | tail -n 1 | sed 's/.* //'
}

if nlvsd_start && grep -q 'dataplane running' "$NLVS_TMP/nlvsd.log"; then
	tap_ok "nlvsd starts with $W worker(s) on net_af_packet"
else
	tap_not_ok "nlvsd starts with $W worker(s) on net_af_packet" \
		"$(cat "$NLVS_TMP/nlvsd.log")"
	tap_done
fi

out=$(ip netns exec "$NS_C" $PING 10.99.0.1 3 2>&1)
tap_check $? "ping 10.99.0.1 (IPv4 echo)" "$out"
out=$(ip -n "$NS_C" neigh show 10.99.0.1 dev vc0)
case $out in *"lladdr $LB_MAC"*) st=0 ;; *) st=1 ;; esac
tap_check $st "client learnt nlvsd's MAC through ARP" "$out (want $LB_MAC)"

out=$(ip netns exec "$NS_C" $PING 2001:db8:99::1 3 2>&1)
tap_check $? "ping 2001:db8:99::1 (IPv6 echo)" "$out"
out=$(ip -n "$NS_C" -6 neigh show 2001:db8:99::1 dev vc0)
case $out in *"lladdr $LB_MAC"*) st=0 ;; *) st=1 ;; esac
tap_check $st "client learnt nlvsd's MAC through ND" "$out (want $LB_MAC)"

before=$(nlvs_stat drop.no-route)
ip netns exec "$NS_C" $PING 10.97.0.5 3 64 0.5 > /dev/null 2>&1
nlvs_wait_until 20 nlvs_stat_ge drop.no-route $((before + 3))
after=$(nlvs_stat drop.no-route)
tap_check $((after - before >= 3 ? 0 : 1)) "packets to an unroutable address are dropped as no-route" \
	"no-route before $before after $after"

out=$(ip netns exec "$NS_C" $PING 10.98.0.5 1 1 5 2>&1)
case $out in *"time exceeded from 10.99.0.1"*) st=0 ;; *) st=1 ;; esac
tap_check $st "TTL 1 through nlvsd gets ICMP time exceeded" "$out"

before=$(nlvs_stat drop.no-neighbour)
ip netns exec "$NS_C" $PING 10.98.0.5 1 64 0.5 > /dev/null 2>&1
# nlvsd gives up after three solicitations a second apart: on a loaded
# machine its worker gets there later than that
nlvs_wait_until 30 nlvs_stat_ge drop.no-neighbour $((before + 1))
after=$(nlvs_stat drop.no-neighbour)
tap_check $((after - before >= 1 ? 0 : 1)) "unresolvable next hop: dropped as no-neighbour" \
	"no-neighbour before $before after $after"

# TCP to a port address that no service owns is the host's: it goes up the
# kernel twin "lan", whose kernel (holding the address too) refuses it with a
# RST that leaves through the port
ip -n "$NS_L" addr add 10.99.0.1/24 dev lan
before=$(nlvs_stat host.up)
out=$(ip netns exec "$NS_C" /usr/bin/python3 -c '
import socket
s = socket.socket()
s.settimeout(10)
print(s.connect_ex(("10.99.0.1", 22)))' 2>&1)
after=$(nlvs_stat host.up)
case $out in 111) st=0 ;; *) st=1 ;; esac
tap_check $((st || after - before < 1)) \
	"TCP to a port address goes up the twin; its kernel's RST comes back" \
	"connect_ex: $out (111 = refused); host.up before $before after $after
$(ip -n "$NS_L" addr show dev lan 2>&1)"
out=$(nlvs_stat drop.host-traffic)
tap_is "$out" 0 "nothing dropped as host-traffic while the port has a twin"

# SIGHUP: a new address is published to the running workers (RCU)
echo "address lan 10.99.0.3/24" >> "$NLVS_TMP/nlvsd.conf"
kill -HUP "$NLVSD_PID"
# the reload is asynchronous (publish, RCU grace period, gratuitous ARP):
# give a loaded machine a few tries
for try in 1 2 3 4 5; do
	out=$(ip netns exec "$NS_C" $PING 10.99.0.3 2 2>&1) && break
	sleep 1
done
tap_check $? "address added by reload answers echo" "$out"

a=$(nlvs_stat drop.no-route)
b=$(stat_log drop.no-route)
tap_is "$b" "$a" "SIGUSR1 logs the counters nlvsctl shows"

if [ "$W" -gt 1 ]; then
	out=$(nlvs_stat worker.1.lcore)
	tap_check $? "second worker runs (lcore $out)"
fi

# idle cost: CPU time nlvsd used over 5 s with no traffic
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' "/proc/$NLVSD_PID/stat")
sleep 5
t1=$(awk '{print $14 + $15}' "/proc/$NLVSD_PID/stat")
pct=$(( (t1 - t0) * 100 / (hz * 5) ))
tap_diag "idle nlvsd with $W worker(s): ${pct}% of one CPU over 5 s"
tap_ok "idle CPU measured (${pct}%)"

nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
