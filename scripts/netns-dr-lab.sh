#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# netns-dr-lab.sh: a lab for direct routing (-g) and tunnelling (-i) in
# network namespaces: the real servers answer the client themselves, through
# a router that nlvsd is not on, so only the client's half of each
# connection passes through nlvsd.
#
#   netns-dr-lab.sh up DIR      create it; DIR gets lab.env, nlvsd.conf, logs
#   netns-dr-lab.sh down DIR    stop its servers, delete its namespaces
#
#   client ns            router ns                  lb ns (nlvsd)
#   c0 10.78.1.2  <-> rc 10.78.1.1
#   fd00:78:1::2         rl 10.78.3.1      <->  l0 [port lan] 10.78.3.2
#                        rb 10.78.2.254 --+     l1 [port srv] 10.78.2.1 --+
#                                         |                               |
#                                       bridge (ns b) --------------------+
#                                         |
#                            rs1..rs3: r0 10.78.2.11..13, fd00:78:2::11..13
#                                      default route via the router (rb)
#
# The router sends the VIPs (10.78.0.0/24, fd00:78::/64) to nlvsd; nlvsd
# forwards the clients' packets to a real server on the bridge; the real
# server answers from the VIP straight to the router.
#
# LAB_FWD says how the real servers take the VIP:
#   dr (default)     VIP on lo, arp_ignore=1 / arp_announce=2 (ipvsadm -g)
#   ipip, gue, gre   VIP on a tunnel device vip0 (ipvsadm -i --tun-type ...;
#                    gue on UDP port 6080), rp_filter off.  These hosts'
#                    kernels lack ipip/gre/fou, so scripts/tun-decap.py
#                    decapsulates in user space into the TUN device vip0
#                    (log: DIR/rsN.decap.log, one line per refused packet).
# Every real server runs an HTTP server on port 80 (IPv4 and IPv6) whose /
# answers its name and /big is a 5 MB file (the same on all, DIR/big), a
# sink on TCP port 9000 that answers the SHA-256 of what it received and a
# UDP echo server on the VIPs' port 7 answering "NAME PAYLOAD" (log:
# DIR/rsN.udp.log).
#
# Environment: LAB_ID, LAB_WORKERS, LAB_MTU0 / LAB_MTU1 as netns-lab.sh.
# lab.env holds NS_C, NS_R, NS_L, NS_B, NS_RS (list), LAB_VIP, LAB_VIP6,
# LAB_RS_ADDRS, LAB_RS_ADDRS6, LAB_CLIENT2, LAB_CLIENT2_6 (the client's second
# addresses), LAB_FWD, LAB_TUN_PORT.
set -u
. "$(dirname "$0")/netns-common.sh"

lab_namespaces()
{
	echo "$NS_RS $NS_B $NS_L $NS_R $NS_C"
}

write_servers()
{
	# a UDP server behind DR or TUN answers from the VIP only when bound to
	# it (an unbound socket's answer takes the route's source address)
	cat > "$DIR/udp-echo.py" <<'PY'
# UDP echo on port 7 of each ADDR answering "NAME PAYLOAD" from that ADDR
import select, socket, sys
name = sys.argv[1].encode()
socks = []
for a in sys.argv[2:]:
    s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a, 7))
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        data, peer = s.recvfrom(65535)
        print(peer[0], peer[1], flush=True)
        s.sendto(name + b" " + data, peer)
PY
	cat > "$DIR/sink.py" <<'PY'
# TCP sink on port 9000 (IPv4 and IPv6): reads until the peer shuts down its
# side, answers the SHA-256 of what it read
import hashlib, socket, threading
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 9000))
s.listen(64)
def one(c):
    h = hashlib.sha256()
    while True:
        b = c.recv(65536)
        if not b:
            break
        h.update(b)
    c.sendall(h.hexdigest().encode() + b"\n")
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=one, args=(c,), daemon=True).start()
PY
}

# rs_vip NS I: the VIPs on the real server, as LAB_FWD wants them.
rs_vip()
{
	nsx "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	if [ "$LAB_FWD" = dr ]; then
		# the VIP is ours but not to be announced on the LAN: the director
		# owns it there
		nsx "$1" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 \
			net.ipv4.conf.r0.arp_ignore=1 net.ipv4.conf.r0.arp_announce=2
		ip -n "$1" addr add 10.78.0.10/32 dev lo
		ip -n "$1" addr add fd00:78::10/128 dev lo
		return 0
	fi
	ip -n "$1" tuntap add dev vip0 mode tun || return 1
	nsx "$1" sysctl -qw net.ipv4.conf.vip0.rp_filter=0
	ip -n "$1" link set vip0 up
	ip -n "$1" addr add 10.78.0.10/32 dev vip0
	ip -n "$1" addr add fd00:78::10/128 dev vip0 nodad
	_port=
	[ "$LAB_FWD" = gue ] && _port=$LAB_TUN_PORT
	# shellcheck disable=SC2086
	lab_bg "$DIR/rs$2.decap.log" "$1" python3 -u "$(dirname "$0")/tun-decap.py" vip0 $_port
}

lab_up()
{
	LAB_FWD=${LAB_FWD:-dr}
	LAB_TUN_PORT=6080
	NS_C=nlvs-drc-$ID
	NS_R=nlvs-drr-$ID
	NS_L=nlvs-drl-$ID
	NS_B=nlvs-drb-$ID
	NS_RS=
	RS=
	RS6=
	for i in 1 2 3; do
		NS_RS="$NS_RS nlvs-drs$i-$ID"
		RS="$RS 10.78.2.$((10 + i))"
		RS6="$RS6 fd00:78:2::$((10 + i))"
	done
	cat > "$DIR/lab.env" <<EOF
NS_C=$NS_C
NS_R=$NS_R
NS_L=$NS_L
NS_B=$NS_B
NS_RS="${NS_RS# }"
LAB_VIP=10.78.0.10
LAB_VIP6=fd00:78::10
LAB_RS_ADDRS="${RS# }"
LAB_RS_ADDRS6="${RS6# }"
LAB_CLIENT2=10.78.1.3
LAB_CLIENT2_6=fd00:78:1::3
LAB_FWD=$LAB_FWD
LAB_TUN_PORT=$LAB_TUN_PORT
LAB_WORKERS=$W
EOF
	# shellcheck disable=SC2086
	lab_netns_add $NS_C $NS_R $NS_L $NS_B $NS_RS
	ip link add c0 netns "$NS_C" type veth peer name rc netns "$NS_R" || exit 1
	ip link add rl netns "$NS_R" type veth peer name l0 netns "$NS_L" || exit 1
	ip link add l1 netns "$NS_L" type veth peer name b0 netns "$NS_B" || exit 1
	ip link add rb netns "$NS_R" type veth peer name b9 netns "$NS_B" || exit 1
	ip -n "$NS_B" link add br0 type bridge
	ip -n "$NS_B" link set br0 up
	for d in b0 b9; do
		ip -n "$NS_B" link set "$d" master br0 up
		offloads_off "$NS_B" "$d"
	done
	lab_dp_ports "$NS_L" l0 l1
	# the client
	offloads_off "$NS_C" c0
	lab_host "$NS_C" c0 10.78.1.2/24 fd00:78:1::2/64 10.78.1.1 fd00:78:1::1
	# a second client address: flows no earlier connection has seen
	ip -n "$NS_C" addr add 10.78.1.3/24 dev c0
	ip -n "$NS_C" addr add fd00:78:1::3/64 dev c0 nodad
	# the router: VIPs via nlvsd, everything else connected
	for d in rc rl rb; do
		offloads_off "$NS_R" "$d"
		ip -n "$NS_R" link set "$d" up
	done
	nsx "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	ip -n "$NS_R" addr add 10.78.1.1/24 dev rc
	ip -n "$NS_R" addr add fd00:78:1::1/64 dev rc nodad
	ip -n "$NS_R" addr add 10.78.3.1/24 dev rl
	ip -n "$NS_R" addr add fd00:78:3::1/64 dev rl nodad
	ip -n "$NS_R" addr add 10.78.2.254/24 dev rb
	ip -n "$NS_R" addr add fd00:78:2::fe/64 dev rb nodad
	ip -n "$NS_R" route add 10.78.0.0/24 via 10.78.3.2
	ip -n "$NS_R" -6 route add fd00:78::/64 via fd00:78:3::2
	write_servers
	head -c 5000000 /dev/urandom > "$DIR/big"
	i=1
	for ns in $NS_RS; do
		ip link add r0 netns "$ns" type veth peer name "b$i" netns "$NS_B" || exit 1
		ip -n "$NS_B" link set "b$i" master br0 up
		offloads_off "$NS_B" "b$i"
		offloads_off "$ns" r0
		lab_host "$ns" r0 "10.78.2.$((10 + i))/24" "fd00:78:2::$((10 + i))/64" \
			10.78.2.254 fd00:78:2::fe
		rs_vip "$ns" $i || return 1
		lab_http "$ns" "$DIR/www$i" "rs$i" "$DIR/rs$i.http.log"
		ln "$DIR/big" "$DIR/www$i/big"
		lab_bg "$DIR/rs$i.sink.log" "$ns" python3 -u "$DIR/sink.py"
		lab_bg "$DIR/rs$i.udp.log" "$ns" python3 -u "$DIR/udp-echo.py" "rs$i" \
			10.78.0.10 fd00:78::10
		i=$((i + 1))
	done
	{
		lab_conf_head nlvs-drlab lan srv
		cat <<EOF
address lan 10.78.3.2/24
address lan fd00:78:3::2/64
address srv 10.78.2.1/24
address srv fd00:78:2::1/64
route 10.78.1.0/24 via 10.78.3.1 port lan
route fd00:78:1::/64 via fd00:78:3::1 port lan
EOF
	} > "$DIR/nlvsd.conf"
	lab_wait_servers 10.78.2
}

lab_main "$@"
