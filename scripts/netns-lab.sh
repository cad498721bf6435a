#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# netns-lab.sh: a load-balancing lab in network namespaces, for the FULLNAT
# tests and the README demo.
#
#   netns-lab.sh up DIR      create it; DIR gets lab.env, nlvsd.conf, logs
#   netns-lab.sh down DIR    stop its servers, delete its namespaces
#
#            client ns                    lb ns (nlvsd)                 rs1..rs3
#   c0 10.77.1.2, fd00:77:1::2  <->  l0 [port lan] 10.77.1.1
#                                    l1 [port srv] 10.77.2.1  <-> bridge -- r0 10.77.2.11..13
#                                                                          fd00:77:2::11..13
# nlvsd drives l0 and l1 with net_af_packet; the kernel holds no address on
# them (and IPv6 is off there), offloads are off on every veth end.
# VIPs: 10.77.0.10 and fd00:77::10 (routed by the client via nlvsd);
# local addresses (laddr pools): 10.77.2.100-101 and fd00:77:2::100.
# With LAB_NAT=1 the lab also offers VIPs without a laddr pool for classic NAT
# (10.77.0.20 and fd00:77::20): the real servers' default routes lead back
# through nlvsd, so they see and answer the client itself.
# Every real server runs an HTTP server on port 80 answering its own name
# (log: DIR/rsN.http.log) and a UDP echo server on port 7 answering
# "NAME PAYLOAD" (log: DIR/rsN.udp.log).
#
# Environment: LAB_ID (namespace suffix, default: the PID), LAB_WORKERS
# (default 1; 2 puts both workers on qpairs=2 ports), LAB_RS (servers, 3),
# LAB_MTU0 / LAB_MTU1 (MTU of the client-side / server-side port).
# lab.env holds NS_C, NS_L, NS_B, NS_RS (list), LAB_VIP, LAB_VIP6,
# LAB_LADDR, LAB_LADDR6, LAB_RS_ADDRS, LAB_RS_ADDRS6, and with LAB_NAT=1
# LAB_NAT_VIP, LAB_NAT_VIP6.
set -u
. "$(dirname "$0")/netns-common.sh"

lab_namespaces()
{
	echo "$NS_RS $NS_B $NS_L $NS_C"
}

write_servers()
{
	cat > "$DIR/udp-echo.py" <<'EOF'
# UDP echo answering "NAME PAYLOAD", IPv4 and IPv6
import socket, sys
name = sys.argv[1].encode()
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 7))
# a burst of a thousand datagrams must not overflow the socket while python
# (slow on a loaded machine) catches up: 4 MiB, past rmem_max (root)
try:
    s.setsockopt(socket.SOL_SOCKET, 33, 4 << 20)	# SO_RCVBUFFORCE
except OSError:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
while True:
    data, peer = s.recvfrom(65535)
    print(peer[0], peer[1], flush=True)
    s.sendto(name + b" " + data, peer)
EOF
}

lab_up()
{
	NRS=${LAB_RS:-3}
	NS_C=nlvs-c-$ID
	NS_L=nlvs-l-$ID
	NS_B=nlvs-b-$ID
	NS_RS=
	RS=
	RS6=
	i=1
	while [ $i -le "$NRS" ]; do
		NS_RS="$NS_RS nlvs-rs$i-$ID"
		RS="$RS 10.77.2.$((10 + i))"
		RS6="$RS6 fd00:77:2::$((10 + i))"
		i=$((i + 1))
	done
	cat > "$DIR/lab.env" <<EOF
NS_C=$NS_C
NS_L=$NS_L
NS_B=$NS_B
NS_RS="${NS_RS# }"
LAB_VIP=10.77.0.10
LAB_VIP6=fd00:77::10
LAB_LADDR="10.77.2.100 10.77.2.101"
LAB_LADDR6=fd00:77:2::100
LAB_RS_ADDRS="${RS# }"
LAB_RS_ADDRS6="${RS6# }"
LAB_WORKERS=$W
EOF
	if [ "${LAB_NAT:-0}" = 1 ]; then
		# no laddr line names them: -m on these VIPs is classic NAT
		printf 'LAB_NAT_VIP=10.77.0.20\nLAB_NAT_VIP6=fd00:77::20\n' >> "$DIR/lab.env"
	fi
	# shellcheck disable=SC2086
	lab_netns_add $NS_C $NS_L $NS_B $NS_RS
	# client <-> nlvsd
	ip link add c0 netns "$NS_C" type veth peer name l0 netns "$NS_L" || exit 1
	# nlvsd <-> bridge of the real servers
	ip link add l1 netns "$NS_L" type veth peer name b0 netns "$NS_B" || exit 1
	ip -n "$NS_B" link add br0 type bridge
	ip -n "$NS_B" link set br0 up
	ip -n "$NS_B" link set b0 master br0 up
	offloads_off "$NS_C" c0
	offloads_off "$NS_B" b0
	lab_dp_ports "$NS_L" l0 l1
	ip -n "$NS_C" link set c0 up
	ip -n "$NS_C" addr add 10.77.1.2/24 dev c0
	ip -n "$NS_C" addr add fd00:77:1::2/64 dev c0 nodad
	ip -n "$NS_C" route add 10.77.0.0/24 via 10.77.1.1
	ip -n "$NS_C" route add fd00:77::/64 via fd00:77:1::1
	write_servers
	i=1
	for ns in $NS_RS; do
		ip link add r0 netns "$ns" type veth peer name "b$i" netns "$NS_B" || exit 1
		ip -n "$NS_B" link set "b$i" master br0 up
		offloads_off "$NS_B" "b$i"
		offloads_off "$ns" r0
		lab_host "$ns" r0 "10.77.2.$((10 + i))/24" "fd00:77:2::$((10 + i))/64" \
			10.77.2.1 fd00:77:2::1
		lab_http "$ns" "$DIR/www$i" "rs$i" "$DIR/rs$i.http.log"
		lab_bg "$DIR/rs$i.udp.log" "$ns" python3 -u "$DIR/udp-echo.py" "rs$i"
		i=$((i + 1))
	done
	{
		lab_conf_head nlvs-lab lan srv
		cat <<EOF
address lan 10.77.1.1/24
address lan fd00:77:1::1/64
address srv 10.77.2.1/24
address srv fd00:77:2::1/64
laddr 10.77.0.10 10.77.2.100 10.77.2.101
laddr fd00:77::10 fd00:77:2::100
EOF
	} > "$DIR/nlvsd.conf"
	lab_wait_servers 10.77.2
}

lab_main "$@"
