#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# netns-snat-lab.sh: a SNAT gateway lab in network namespaces, for the
# snat-*.sh tests and as a worked example.
#
#   netns-snat-lab.sh up DIR      create it; DIR gets lab.env, nlvsd.conf, logs
#   netns-snat-lab.sh down DIR    stop its servers, delete its namespaces
#
#    inside ns                 gw ns (nlvsd)                 router ns            outside ns
#  i0 10.88.1.2..      <-> l0 [port in]  10.88.1.1
#     fd00:88:1::2..          l1 [port out] 10.88.2.1  <-> r0 10.88.2.254
#                                                         r1 10.88.3.1   <-> o0 10.88.3.2
#                                                                              fd00:88:3::2
# nlvsd drives l0 and l1 with net_af_packet: no kernel address on them and
# IPv6 off there; offloads are off on every veth end.  Its default route
# points at the router, which knows nothing of the inside network: only
# egress addresses (10.88.2.100, 10.88.2.101, fd00:88:2::100; answered by
# nlvsd once they are dests of a SNAT service) can get answers.
# The outside host runs an HTTP server on port 80 (log: DIR/http.log), a
# DNS-like UDP server on port 53 answering "ok PEER" (log: DIR/udp.log) and
# answers ping; traceroute sees the router on the way.
#
# Environment: LAB_ID (namespace suffix, default: the PID), LAB_WORKERS
# (default 1; 2 puts both workers on qpairs=2 ports), LAB_HOSTS (inside
# addresses, default 4: 10.88.1.2 up), LAB_SNAT_PORTS ("MIN MAX" for
# snat-ports, default the built-in range).
# lab.env holds NS_I, NS_G, NS_R, NS_O, LAB_INSIDE (list), LAB_INSIDE6,
# LAB_OUT, LAB_OUT6, LAB_ROUTER, LAB_EGRESS (list), LAB_EGRESS6.
set -u
. "$(dirname "$0")/netns-common.sh"

lab_namespaces()
{
	echo "$NS_O $NS_R $NS_G $NS_I"
}

write_servers()
{
	cat > "$DIR/udp-dns.py" <<'EOF'
# A DNS-like UDP server: answers every datagram with "ok PEER-ADDRESS QUERY"
# and logs "PEER PORT" per query, IPv4 and IPv6.
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 53))
# a burst of a thousand datagrams must not overflow the socket while python
# (slow on a loaded machine) catches up: 4 MiB, past rmem_max (root)
try:
    s.setsockopt(socket.SOL_SOCKET, 33, 4 << 20)	# SO_RCVBUFFORCE
except OSError:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
while True:
    data, peer = s.recvfrom(65535)
    host = peer[0][7:] if peer[0].startswith("::ffff:") else peer[0]
    print(host, peer[1], flush=True)
    s.sendto(b"ok " + host.encode() + b" " + data, peer)
EOF
}

lab_up()
{
	NH=${LAB_HOSTS:-4}
	NS_I=nlvs-si-$ID
	NS_G=nlvs-sg-$ID
	NS_R=nlvs-sr-$ID
	NS_O=nlvs-so-$ID
	INSIDE=
	INSIDE6=
	i=0
	while [ $i -lt "$NH" ]; do
		INSIDE="$INSIDE 10.88.1.$((2 + i))"
		INSIDE6="$INSIDE6 fd00:88:1::$((2 + i))"
		i=$((i + 1))
	done
	cat > "$DIR/lab.env" <<EOF
NS_I=$NS_I
NS_G=$NS_G
NS_R=$NS_R
NS_O=$NS_O
LAB_INSIDE="${INSIDE# }"
LAB_INSIDE6="${INSIDE6# }"
LAB_OUT=10.88.3.2
LAB_OUT6=fd00:88:3::2
LAB_ROUTER=10.88.2.254
LAB_EGRESS="10.88.2.100 10.88.2.101"
LAB_EGRESS6=fd00:88:2::100
LAB_WORKERS=$W
EOF
	lab_netns_add "$NS_I" "$NS_G" "$NS_R" "$NS_O"
	ip link add i0 netns "$NS_I" type veth peer name l0 netns "$NS_G" || exit 1
	ip link add l1 netns "$NS_G" type veth peer name r0 netns "$NS_R" || exit 1
	ip link add r1 netns "$NS_R" type veth peer name o0 netns "$NS_O" || exit 1
	offloads_off "$NS_I" i0
	offloads_off "$NS_R" r0
	offloads_off "$NS_R" r1
	offloads_off "$NS_O" o0
	lab_dp_ports "$NS_G" l0 l1
	# inside hosts: one namespace, many addresses (sources chosen per flow)
	ip -n "$NS_I" link set i0 up
	for a in $INSIDE; do
		ip -n "$NS_I" addr add "$a/24" dev i0
	done
	for a in $INSIDE6; do
		ip -n "$NS_I" addr add "$a/64" dev i0 nodad
	done
	ip -n "$NS_I" route add default via 10.88.1.1
	ip -n "$NS_I" -6 route add default via fd00:88:1::1
	# the upstream router: forwards, knows only its two networks
	for d in r0 r1; do
		ip -n "$NS_R" link set $d up
	done
	ip -n "$NS_R" addr add 10.88.2.254/24 dev r0
	ip -n "$NS_R" addr add fd00:88:2::fe/64 dev r0 nodad
	ip -n "$NS_R" addr add 10.88.3.1/24 dev r1
	ip -n "$NS_R" addr add fd00:88:3::1/64 dev r1 nodad
	nsx "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	nsx "$NS_R" sysctl -qw net.ipv6.conf.all.forwarding=1
	nsx "$NS_R" sysctl -qw net.ipv4.icmp_ratelimit=0
	nsx "$NS_R" sysctl -qw net.ipv6.icmp.ratelimit=0
	# the outside host
	lab_host "$NS_O" o0 10.88.3.2/24 fd00:88:3::2/64 10.88.3.1 fd00:88:3::1
	nsx "$NS_O" sysctl -qw net.ipv4.icmp_ratelimit=0
	nsx "$NS_O" sysctl -qw net.ipv6.icmp.ratelimit=0
	write_servers
	lab_http "$NS_O" "$DIR/www" outside "$DIR/http.log"
	lab_bg "$DIR/udp.log" "$NS_O" python3 -u "$DIR/udp-dns.py"
	{
		lab_conf_head nlvs-snat in out
		cat <<EOF
address in 10.88.1.1/24
address in fd00:88:1::1/64
address out 10.88.2.1/24
address out fd00:88:2::1/64
route 0.0.0.0/0 via 10.88.2.254 port out
route ::/0 via fd00:88:2::fe port out
# inside hosts leave through fwmark services 1 (IPv4) and 2 (IPv6)
snat-rule mark 1 from 10.88.1.0/24 in in
snat-rule mark 2 from fd00:88:1::/64 in in
EOF
		[ -z "${LAB_SNAT_PORTS:-}" ] || echo "snat-ports $LAB_SNAT_PORTS"
	} > "$DIR/nlvsd.conf"
	lab_wait_http "$NS_O" 10.88.3.2 "the HTTP server" &&
		lab_wait_udp "$NS_O" 53 "the UDP server"
}

lab_main "$@"
