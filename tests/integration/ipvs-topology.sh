#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ipvs-topology.sh DIRECTOR OUTDIR METHOD...
#
# The topology of the kernel's IPVS selftest (tools/testing/selftests/net/
# netfilter/ipvs.sh), written anew for nlvs: three namespaces
#
#   client   br0 over cv0 and cv1, 10.0.0.2/24
#   director dc (client side, 10.0.0.1/24) <-> cv0
#            ds (server side, 172.16.0.1/24) <-> sv0
#   server   sv0 172.16.0.2/24 (the real server, on the director's side)
#            sv1 10.0.0.3/24 <-> cv1 (its way back to the client, which
#            the director is not on)
#
# and, per METHOD (dr: ipvsadm -g, tun: ipvsadm -i, ipip), one TCP service
# VIP:8080 with that real server, programmed by the same ipvsadm commands,
# then socat transfers through it compared byte for byte.  DIRECTOR says
# who forwards:
#
#   kernel  the running kernel's IPVS (the oracle's: run.sh of
#           tests/integration/kernel-topology.sh): addresses on dc/ds, the
#           VIP on the director's lo, ipvsadm in its namespace;
#   nlvsd   $NLVSD on af_packet ports dc/ds (their addresses in nlvsd.conf),
#           ipvsadm through $NLVS_EXEC.
#
# The real server takes the VIP as the selftest does: on lo with
# arp_ignore/arp_announce (dr), or behind the kernel's tunl0 (tun).  Where
# the kernel has no ipip and $TUN_DECAP (scripts/tun-decap.py) is given, that
# user-space tunnel end replaces tunl0 and the VIP sits on its TUN device.
#
# Per METHOD, in OUTDIR: METHOD.result ("pass" or "fail: WHY..."), or
# METHOD.skip (the reason: what this kernel lacks); METHOD.table (ipvsadm -Ln
# once both connections are inactive), METHOD.conns (protocol and state of
# each connection), METHOD.stats (the real server's Conns, OutPkts,
# OutBytes), METHOD.rs (how the real server took the VIP).  Logs beside them.
# Exit status 0 whatever the outcome: the caller judges the files.
set -u

director=$1
out=$2
shift 2
mkdir -p "$out"
id=$$
NC=ipvt-c-$id
ND=ipvt-d-$id
NS=ipvt-s-$id
VIP=203.0.113.10
PORT=8080
RIP=172.16.0.2

# mod NAME: load a module the oracle's trimmed module tree (or the host's)
# has; a built-in one needs nothing.
mod()
{
	if [ -d /run/oracle-mods ]; then
		modprobe -q -d /run/oracle-mods "$1" 2> /dev/null
	else
		modprobe -q "$1" 2> /dev/null
	fi
	return 0
}

nsx()
{
	_n=$1
	shift
	ip netns exec "$_n" "$@"
}

quiet_offloads()
{
	# the af_packet ports see what veth hands them: whole frames, no TSO
	nsx "$1" ethtool -K "$2" tx off tso off gso off gro off > /dev/null 2>&1 || true
}

nlvsd_pid=
teardown()
{
	if [ -n "$nlvsd_pid" ]; then
		kill -TERM "$nlvsd_pid" 2> /dev/null
		wait "$nlvsd_pid" 2> /dev/null
		nlvsd_pid=
	fi
	for _n in $NC $ND $NS; do
		# the servers' processes first: a namespace lives while they do
		for _p in $(ip netns pids "$_n" 2> /dev/null); do
			kill -KILL "$_p" 2> /dev/null
		done
		ip netns del "$_n" 2> /dev/null
	done
	return 0
}
trap teardown EXIT

# wait_for SECONDS CMD...: poll CMD every 0.1 s, at most SECONDS.
wait_for()
{
	_lim=$(($1 * 10))
	shift
	_t=0
	while [ $_t -lt $_lim ]; do
		"$@" && return 0
		sleep 0.1
		_t=$((_t + 1))
	done
	return 1
}

topology()
{
	for _n in $NC $ND $NS; do
		ip netns add "$_n" || return 1
		ip -n "$_n" link set lo up
	done
	ip link add cv0 netns $NC type veth peer name dc netns $ND || return 1
	ip link add cv1 netns $NC type veth peer name sv1 netns $NS || return 1
	ip link add ds netns $ND type veth peer name sv0 netns $NS || return 1
	ip -n $NC link add br0 type bridge || return 1
	for _d in cv0 cv1; do
		ip -n $NC link set $_d master br0 up
		quiet_offloads $NC $_d
	done
	ip -n $NC link set br0 up
	ip -n $NC addr add 10.0.0.2/24 dev br0
	ip -n $NC route add $VIP/32 via 10.0.0.1 dev br0
	for _d in sv0 sv1; do
		ip -n $NS link set $_d up
		quiet_offloads $NS $_d
	done
	ip -n $NS addr add $RIP/24 dev sv0
	ip -n $NS addr add 10.0.0.3/24 dev sv1
	for _d in dc ds; do
		quiet_offloads $ND $_d
	done
	return 0
}

# director_kernel METHOD
director_kernel()
{
	ip -n $ND link set dc up
	ip -n $ND link set ds up
	ip -n $ND addr add 10.0.0.1/24 dev dc
	ip -n $ND addr add 172.16.0.1/24 dev ds
	ip -n $ND addr add $VIP/32 dev lo
	if [ "$1" = dr ]; then
		nsx $ND sysctl -qw net.ipv4.ip_forward=1
	else
		nsx $ND sysctl -qw net.ipv4.ip_forward=0 \
			net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
	fi
	IPVSADM="ip netns exec $ND ipvsadm"
}

# director_nlvsd METHOD
director_nlvsd()
{
	for _d in dc ds; do
		nsx $ND sysctl -qw "net.ipv6.conf.$_d.disable_ipv6=1" \
			"net.ipv4.conf.$_d.arp_ignore=8"
		ip -n $ND link set $_d up
	done
	_sock=$out/$1.sock
	cat > "$out/$1.nlvsd.conf" <<EOF
eal --no-huge -m 512 --no-pci --file-prefix ipvt-$id-$1 -l 0-1
workers 1
mbufs 4096
conn-table-size 65536
port cli net_af_packet0,iface=dc
port srv net_af_packet1,iface=ds
address cli 10.0.0.1/24
address srv 172.16.0.1/24
EOF
	nsx $ND "$NLVSD" -d -f "$out/$1.nlvsd.conf" -s "$_sock" \
		> "$out/$1.nlvsd.log" 2>&1 < /dev/null &
	nlvsd_pid=$!
	wait_for 30 grep -q 'dataplane running' "$out/$1.nlvsd.log" && [ -S "$_sock" ] ||
		return 1
	IPVSADM="timeout -k 5 30 $NLVS_EXEC -s $_sock ipvsadm"
}

# server_vip METHOD: how the real server takes the VIP.
server_vip()
{
	nsx $NS sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.sv0.rp_filter=0 net.ipv4.conf.sv1.rp_filter=0
	if [ "$1" = dr ]; then
		nsx $NS sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
		ip -n $NS addr add $VIP/32 dev lo
		echo "VIP on lo, arp_ignore=1 arp_announce=2" > "$out/$1.rs"
		return 0
	fi
	mod ipip
	if ip -n $NS link show tunl0 > /dev/null 2>&1; then
		ip -n $NS link set tunl0 up
		nsx $NS sysctl -qw net.ipv4.conf.tunl0.rp_filter=0
		ip -n $NS addr add $VIP/32 dev lo
		echo "VIP on lo, the kernel's tunl0 (ipip)" > "$out/$1.rs"
		return 0
	fi
	if [ -z "${TUN_DECAP:-}" ]; then
		echo "this kernel has no ipip (tunl0) for the real server's tunnel end" > "$out/$1.skip"
		return 2
	fi
	ip -n $NS tuntap add dev vip0 mode tun || return 1
	nsx $NS sysctl -qw net.ipv4.conf.vip0.rp_filter=0
	ip -n $NS link set vip0 up
	ip -n $NS addr add $VIP/32 dev vip0
	nsx $NS python3 -u "$TUN_DECAP" vip0 > "$out/$1.decap.log" 2>&1 < /dev/null &
	echo "VIP on a TUN device fed by tun-decap.py (no ipip in this kernel)" > "$out/$1.rs"
	# its raw sockets (the only ones in this namespace) are its readiness
	wait_for 10 raw_open || return 1
	return 0
}

raw_open()
{
	[ -n "$(nsx $NS ss -wanH 2> /dev/null)" ]
}

listening()
{
	nsx $NS ss -ltnH "sport = :$PORT" | grep -q LISTEN
}

# transfer METHOD up|down: one connection through the VIP; the bytes that
# arrive must be the bytes sent.
transfer()
{
	_got=$out/$1.$2.got
	rm -f "$_got"
	if [ "$2" = up ]; then
		nsx $NS timeout 60 socat -u TCP-LISTEN:$PORT,reuseaddr "CREATE:$_got" &
	else
		nsx $NS timeout 60 socat -u "OPEN:$out/data" TCP-LISTEN:$PORT,reuseaddr &
	fi
	_srv=$!
	if ! wait_for 20 listening; then
		kill "$_srv" 2> /dev/null
		echo "$2: the real server's socat did not listen"
		return 1
	fi
	if [ "$2" = up ]; then
		nsx $NC timeout 60 socat -u "OPEN:$out/data" TCP:$VIP:$PORT
	else
		nsx $NC timeout 60 socat -u TCP:$VIP:$PORT "CREATE:$_got"
	fi
	_c=$?
	wait "$_srv"
	_s=$?
	if [ $_c -ne 0 ] || [ $_s -ne 0 ]; then
		echo "$2: socat client status $_c, server status $_s"
		return 1
	fi
	cmp "$out/data" "$_got" > /dev/null 2>&1 || {
		echo "$2: the bytes that arrived differ from those sent"
		return 1
	}
	return 0
}

both_inactive()
{
	$IPVSADM -Ln | grep -Eq "^  -> $RIP:$PORT +(Route|Tunnel) +1 +0 +2 *\$"
}

# rs_stats: the real server's Conns, OutPkts and OutBytes.
rs_stats()
{
	$IPVSADM -Ln --stats | awk -v r="$RIP:$PORT" '$2 == r { print $3, $5, $7 }'
}

# stats_settled: the kernel folds its per-CPU counters into what
# `ipvsadm --stats` shows on its estimator's 2-second tick, so a reading
# right after the traffic may miss the last connection or ICMP error: true
# once two readings a tick apart agree and Conns counts both connections
# (up to 8 ticks).
stats_settled()
{
	_s2=$(rs_stats)
	for _t in 1 2 3 4 5 6 7 8; do
		_s1=$_s2
		sleep 2.1
		_s2=$(rs_stats)
		[ "$_s1" = "$_s2" ] && [ "${_s2%% *}" = 2 ] && return 0
	done
	return 1
}

# run METHOD
run()
{
	_m=$1
	rm -f "$out/$_m.result" "$out/$_m.skip"
	topology || { echo "fail: cannot build the topology" > "$out/$_m.result"; return; }
	server_vip "$_m"
	case $? in
	0) ;;
	2) return ;;
	*) echo "fail: real server set-up" > "$out/$_m.result"; return ;;
	esac
	if ! "director_$director" "$_m"; then
		echo "fail: director $director did not start" > "$out/$_m.result"
		return
	fi
	_fwd=-g
	[ "$_m" = tun ] && _fwd=-i
	if ! $IPVSADM -A -t $VIP:$PORT -s rr > "$out/$_m.ipvsadm.log" 2>&1 ||
		! $IPVSADM -a -t $VIP:$PORT -r $RIP:$PORT $_fwd >> "$out/$_m.ipvsadm.log" 2>&1; then
		echo "fail: ipvsadm: $(cat "$out/$_m.ipvsadm.log")" > "$out/$_m.result"
		return
	fi
	# what ICMP the client receives (the director's "fragmentation
	# needed" for tunnelled packets that no longer fit, say)
	# (ip netns exec execs tcpdump: $! is tcpdump itself)
	ip netns exec $NC tcpdump -U -l -n -i br0 -p icmp > "$out/$_m.icmp.raw" \
		2> "$out/$_m.tcpdump.log" &
	_dump=$!
	wait_for 20 grep -q 'listening on' "$out/$_m.tcpdump.log" ||
		{ echo "fail: tcpdump did not start" > "$out/$_m.result"; return; }
	_why=
	_r=$(transfer "$_m" up) || _why="$_why $_r;"
	_r=$(transfer "$_m" down) || _why="$_why $_r;"
	# the client's last packets (FIN, ACK) reach the director after socat
	# exits: the table is read once it has seen them
	wait_for 20 both_inactive || _why="$_why the connections did not become inactive;"
	kill -TERM "$_dump" 2> /dev/null
	wait "$_dump"
	# one line per kind of message: source, destination, what it says
	sed -n 's/^[0-9:.]* IP \([^ ]*\) > \([^:]*\): ICMP \(.*\), length [0-9]*$/\1 > \2: \3/p' \
		"$out/$_m.icmp.raw" | sort | uniq > "$out/$_m.icmp"
	grep -c ' ICMP ' "$out/$_m.icmp.raw" > "$out/$_m.icmp.count"
	$IPVSADM -Ln > "$out/$_m.table" 2>&1
	$IPVSADM -Lcn | awk 'NR > 2 { print $1, $3 }' | sort > "$out/$_m.conns"
	stats_settled || _why="$_why the counters did not settle;"
	rs_stats > "$out/$_m.stats"
	if [ -n "$_why" ]; then
		echo "fail:$_why" > "$out/$_m.result"
	else
		echo pass > "$out/$_m.result"
	fi
}

missing=
for m in veth bridge; do
	mod $m
done
for t in ip socat ipvsadm ss cmp tcpdump; do
	command -v $t > /dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	echo "missing commands:$missing" > "$out/skip"
	exit 0
fi
ip netns add ipvt-probe-$id && ip -n ipvt-probe-$id link add p0 type veth peer name p1 ||
	missing="$missing veth"
ip -n ipvt-probe-$id link add pb type bridge 2> /dev/null || missing="$missing bridge"
ip netns del ipvt-probe-$id 2> /dev/null
if [ -n "$missing" ]; then
	echo "this kernel lacks:$missing" > "$out/skip"
	exit 0
fi
# 1 MiB each way: many segments and windows, not a single packet
head -c 1048576 /dev/urandom > "$out/data"
for m in "$@"; do
	run "$m"
	teardown
done
exit 0
