# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# netns-common.sh: what the namespace labs share.  netns-lab.sh and
# netns-snat-lab.sh source it, define lab_up (builds the lab in $DIR) and
# lab_namespaces (prints the lab's namespaces once lab.env is loaded), and end
# with `lab_main "$@"`, which reads the command line (up|down DIR) and the
# settings both labs take: LAB_ID ($ID, namespace suffix, default the PID)
# and LAB_WORKERS ($W, default 1).
#
# DIR/pids lists the background servers; lab_down stops them and deletes the
# namespaces.

lab_usage()
{
	echo "usage: $0 up|down DIR" >&2
	exit 2
}

lab_main()
{
	[ $# -eq 2 ] || lab_usage
	DIR=$2
	ID=${LAB_ID:-$$}
	W=${LAB_WORKERS:-1}
	case $1 in
	up)	mkdir -p "$DIR" || exit 1
		lab_up ;;
	down)	lab_down ;;
	*)	lab_usage ;;
	esac
}

# nsx NS CMD...: run CMD in namespace NS.
nsx()
{
	_ns=$1
	shift
	ip netns exec "$_ns" "$@"
}

# offloads_off NS DEV: TCP through af_packet breaks with veth offloads on.
offloads_off()
{
	nsx "$1" ethtool -K "$2" tx off tso off gso off gro off > /dev/null 2>&1 || true
}

lab_down()
{
	[ -f "$DIR/lab.env" ] || return 0
	# shellcheck disable=SC1091
	. "$DIR/lab.env"
	if [ -f "$DIR/pids" ]; then
		while read -r pid; do
			kill "$pid" 2> /dev/null
		done < "$DIR/pids"
		sleep 0.2
		while read -r pid; do
			kill -9 "$pid" 2> /dev/null
		done < "$DIR/pids"
		rm -f "$DIR/pids"
	fi
	for ns in $(lab_namespaces); do
		ip netns del "$ns" 2> /dev/null
	done
	# nlvsd's DPDK runtime directory: its memory files live in /var/run (RAM)
	_prefix=$(sed -n 's/.*--file-prefix \([^ ]*\).*/\1/p' "$DIR/nlvsd.conf" 2> /dev/null)
	[ -z "$_prefix" ] || rm -rf "/var/run/dpdk/$_prefix"
	return 0
}

# lab_netns_add NS...: create the namespaces with loopback up (after
# lab.env is written: on failure the lab is removed and the script exits).
lab_netns_add()
{
	: > "$DIR/pids"
	for ns in "$@"; do
		ip netns add "$ns" || { lab_down; exit 1; }
		ip -n "$ns" link set lo up
	done
}

# lab_dp_ports NS DEV...: veth ends nlvsd drives with net_af_packet: no
# kernel IPv6 (no address, no answers of the kernel's own), offloads off, up.
# The kernel of NS also sees every frame arriving on them; nlvsd's twins in
# NS carry the port's MAC and may carry its addresses, and Linux accepts a
# local address on any interface: strict reverse-path filtering (no route
# leads back out of DEV) and arp_ignore 8 keep it from answering on DEV what
# only the twin should see (af_packet has its copy before these checks).
lab_dp_ports()
{
	_ns=$1
	shift
	for d in "$@"; do
		offloads_off "$_ns" "$d"
		nsx "$_ns" sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1" \
			"net.ipv4.conf.$d.rp_filter=1" "net.ipv4.conf.$d.arp_ignore=8"
		ip -n "$_ns" link set "$d" up
	done
}

# lab_host NS DEV ADDR4/LEN ADDR6/LEN GW4 GW6: an end host on DEV with one
# address per family and default routes.
lab_host()
{
	ip -n "$1" link set "$2" up
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" addr add "$4" dev "$2" nodad
	ip -n "$1" route add default via "$5"
	ip -n "$1" -6 route add default via "$6"
}

# lab_bg LOG NS CMD...: run CMD in namespace NS in the background, output to
# LOG; lab_down stops it.
lab_bg()
{
	_log=$1
	shift
	ip netns exec "$@" > "$_log" 2>&1 &
	echo $! >> "$DIR/pids"
}

# lab_http NS DOCDIR BODY LOG: an HTTP server on port 80 (IPv4 and IPv6) in
# NS answering BODY.
lab_http()
{
	mkdir -p "$2"
	echo "$3" > "$2/index.html"
	(cd "$2" && exec ip netns exec "$1" python3 -u -m http.server \
		--bind :: 80) > "$4" 2>&1 &
	echo $! >> "$DIR/pids"
}

# lab_wait_http NS ADDR WHAT: wait up to 30 s for the HTTP server on ADDR
# (python takes seconds to start on a loaded machine).
lab_wait_http()
{
	_end=$(($(date +%s) + 30))
	while ! nsx "$1" python3 -c "import socket
socket.create_connection(('$2', 80), 1)" 2> /dev/null; do
		[ "$(date +%s)" -lt "$_end" ] || { echo "$3 did not come up" >&2; return 1; }
		sleep 0.1
	done
}

# lab_wait_udp NS PORT WHAT: wait up to 30 s for a UDP socket bound to PORT
# in NS (the echo servers: a datagram sent before they bind is lost).
lab_wait_udp()
{
	_end=$(($(date +%s) + 30))
	while [ -z "$(nsx "$1" ss -Hlun "sport = :$2" 2> /dev/null)" ]; do
		[ "$(date +%s)" -lt "$_end" ] || { echo "$3 did not come up" >&2; return 1; }
		sleep 0.1
	done
}

# lab_wait_servers NET: wait for the HTTP and UDP echo servers of each real
# server namespace in $NS_RS (the i-th at NET.(10+i)).
lab_wait_servers()
{
	_i=1
	for _ns in $NS_RS; do
		lab_wait_http "$_ns" "$1.$((10 + _i))" "server rs$_i" || return 1
		lab_wait_udp "$_ns" 7 "UDP echo server rs$_i" || return 1
		_i=$((_i + 1))
	done
}

# lab_conf_head PREFIX PORT0 PORT1: the start of nlvsd.conf: EAL (file prefix
# PREFIX-$ID), $W workers, ports PORT0 on l0 and PORT1 on l1 (with an "mtu"
# from LAB_MTU0 / LAB_MTU1 when set); LAB_CONN_TABLE connections per worker
# table (default 65536).
lab_conf_head()
{
	if [ "$W" -gt 1 ]; then
		# two CPUs here: the workers share the second one
		_lcores="--lcores 0@0,1@1,2@1"
	else
		_lcores="-l 0-1"
	fi
	cat <<EOF
eal --no-huge -m 512 --no-pci --file-prefix $1-$ID $_lcores
workers $W
mbufs 4096
conn-table-size ${LAB_CONN_TABLE:-65536}
port $2 net_af_packet0,iface=l0,qpairs=$W${LAB_MTU0:+ mtu $LAB_MTU0}
port $3 net_af_packet1,iface=l1,qpairs=$W${LAB_MTU1:+ mtu $LAB_MTU1}
EOF
}
