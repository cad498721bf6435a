# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# snat-lib.sh: set-up shared by the snat-*.sh tests: the namespace lab of
# scripts/netns-snat-lab.sh with nlvsd as the gateway, and helpers.
#
#	. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/snat-lib.sh"
#	snat_setup		# LAB_WORKERS, LAB_HOSTS, LAB_SNAT_PORTS as the lab
#	snat_service 1 rr	# ipvsadm -A -f 1 -s rr + both egress addresses
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

SNAT_LAB_SH=$top_srcdir/scripts/netns-snat-lab.sh

# snat_setup: everything up or the test bails (skips without root/tools).
snat_setup()
{
	nlvs_lab_setup "$SNAT_LAB_SH" NS_G "nlvsd runs as the gateway"
}

# snat_service MARK SCHED [EGRESS...]: a fwmark service leaving from the
# egress addresses (default: the lab's IPv4 ones); IPv6 egress addresses
# make it an IPv6 service (ipvsadm -6).
snat_service()
{
	_m=$1
	_s=$2
	shift 2
	# shellcheck disable=SC2086
	[ $# -gt 0 ] || set -- $LAB_EGRESS
	case $1 in *:*) _f=-6 ;; *) _f= ;; esac
	# shellcheck disable=SC2086
	nlvs_ipvsadm -A -f "$_m" $_f -s "$_s" || return 1
	for _e in "$@"; do
		nlvs_ipvsadm -a -f "$_m" $_f -r "$_e" -m || return 1
	done
	# in force (egress addresses answered for) once ipvsadm has the ACK
}

# in_inside / in_outside CMD...: run in the inside / outside namespace.
in_inside()
{
	ip netns exec "$NS_I" "$@"
}

in_outside()
{
	ip netns exec "$NS_O" "$@"
}

# snat_udp_query SRC DST [TIMEOUT [SPORT]]: one UDP query to DST:53 from SRC
# (source port SPORT, default any); prints the answer ("ok PEER QUERY") or
# nothing.  TIMEOUT defaults to 5 s: an answer ends the wait at once, and a
# loaded machine may take seconds to give one.
snat_udp_query()
{
	in_inside python3 - "$1" "$2" "${3:-5}" "${4:-0}" <<'EOF'
import socket, sys
src, dst, tmo, sport = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((src, sport))
s.settimeout(tmo)
s.sendto(b"query", (dst, 53))
try:
    print(s.recv(512).decode())
except OSError:
    pass
EOF
}

# snat_queries SRC N: N queries from SRC to the outside host, one after the
# other (N new flows); the answers go to $NLVS_TMP/answers.  Each query has
# a source port never used before in the test: a repeated random one would
# join an earlier query's connection (as in the kernel) instead of being a
# new flow.
SNAT_QPORT=42000
snat_queries()
{
	: > "$NLVS_TMP/answers"
	_i=0
	while [ $_i -lt "$2" ]; do
		snat_udp_query "$1" "$LAB_OUT" 5 "$SNAT_QPORT" >> "$NLVS_TMP/answers"
		SNAT_QPORT=$((SNAT_QPORT + 1))
		_i=$((_i + 1))
	done
}

# snat_split E1 E2: "A/B", how many of those answers came back through
# egress address E1 and E2.
snat_split()
{
	echo "$(grep -c "ok $1 " "$NLVS_TMP/answers")/$(grep -c "ok $2 " "$NLVS_TMP/answers")"
}

# snat_udp_burst SRC DST N [TIMEOUT]: N queries from N sockets (N new flows,
# from source ports never used before in the test) at once; prints how many
# were answered within TIMEOUT seconds (default 5; pass a short one where
# no answer is expected).
# (The next port lives in a file: callers run this in a subshell.)
snat_udp_burst()
{
	_p=$(cat "$NLVS_TMP/burst-port" 2> /dev/null || echo 30000)
	echo $((_p + $3)) > "$NLVS_TMP/burst-port"
	in_inside python3 "$top_srcdir/tests/integration/udp-flows.py" "$1" "$2" 53 "$3" \
		"${4:-5}" "$_p"
}

# snat_stat NAME, snat_alive: older names of nlvs_stat and nlvs_alive
# (tests/lib.sh).
snat_stat()
{
	nlvs_stat "$1"
}

snat_alive()
{
	nlvs_alive
}
