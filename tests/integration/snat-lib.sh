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
	nlvs_require_root
	nlvs_require_cmd ip ethtool curl python3
	[ -x "$top_builddir/dataplane/nlvsd" ] || tap_bail "nlvsd not built"
	nlvs_tmpdir_make
	LAB=$NLVS_TMP/lab
	nlvs_cleanup_add "/bin/sh '$SNAT_LAB_SH' down '$LAB'"
	LAB_ID=${LAB_ID:-$$} /bin/sh "$SNAT_LAB_SH" up "$LAB" > "$NLVS_TMP/lab.log" 2>&1 ||
		tap_bail "netns-snat-lab.sh up failed: $(cat "$NLVS_TMP/lab.log")"
	# shellcheck disable=SC1091
	. "$LAB/lab.env"
	cp "$LAB/nlvsd.conf" "$NLVS_TMP/nlvsd.conf"
	cat > "$NLVS_TMP/nlvsd-ns" <<WRAP
#!/bin/sh
exec ip netns exec $NS_G $top_builddir/dataplane/nlvsd "\$@"
WRAP
	chmod +x "$NLVS_TMP/nlvsd-ns"
	NLVSD=$NLVS_TMP/nlvsd-ns
	if nlvsd_start && grep -q 'dataplane running' "$NLVS_TMP/nlvsd.log"; then
		tap_ok "nlvsd runs as the gateway ($LAB_WORKERS worker(s))"
	else
		tap_not_ok "nlvsd runs as the gateway" "$(cat "$NLVS_TMP/nlvsd.log")"
		tap_done
	fi
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
	sleep 0.3	# published to the workers, egress addresses announced
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

# snat_udp_query SRC DST [TIMEOUT]: one UDP query to DST:53 from SRC;
# prints the answer ("ok PEER QUERY") or nothing.
snat_udp_query()
{
	in_inside python3 - "$1" "$2" "${3:-2}" <<'EOF'
import socket, sys
src, dst, tmo = sys.argv[1], sys.argv[2], float(sys.argv[3])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((src, 0))
s.settimeout(tmo)
s.sendto(b"query", (dst, 53))
try:
    print(s.recv(512).decode())
except OSError:
    pass
EOF
}

# snat_udp_burst SRC DST N [TIMEOUT]: N queries from N sockets (N new flows)
# at once; prints how many were answered.
snat_udp_burst()
{
	in_inside python3 - "$1" "$2" "$3" "${4:-2}" <<'EOF'
import socket, sys, time
src, dst, n, tmo = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []
for i in range(n):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.setblocking(False)
    s.sendto(b"q%d" % i, (dst, 53))
    socks.append(s)
ok, end = set(), time.time() + tmo
while len(ok) < n and time.time() < end:
    for i, s in enumerate(socks):
        try:
            s.recv(512)
            ok.add(i)
        except BlockingIOError:
            pass
    time.sleep(0.01)
print(len(ok))
EOF
}

# snat_stat NAME: a counter from the dump nlvsd logs on SIGUSR1.
snat_stat()
{
	_n0=$(grep -c 'stats: rx ' "$NLVS_TMP/nlvsd.log")
	kill -USR1 "$NLVSD_PID"
	_i=0
	while [ "$(grep -c 'stats: rx ' "$NLVS_TMP/nlvsd.log")" = "$_n0" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.2
	_v=$(grep "stats: $1 " "$NLVS_TMP/nlvsd.log" | tail -n 1 | sed 's/.* //')
	echo "${_v:-0}"
}

snat_alive()
{
	[ -n "$NLVSD_PID" ] && kill -0 "$NLVSD_PID" 2> /dev/null
}
