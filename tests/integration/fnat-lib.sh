# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# fnat-lib.sh: set-up shared by the fnat-*.sh tests: the namespace lab of
# scripts/netns-lab.sh with nlvsd on its two ports, and helpers.
#
#	. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"
#	fnat_setup		# LAB_WORKERS=N for more workers
#	fnat_ipvsadm -A -t "$LAB_VIP:80" -s rr
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

FNAT_LAB_SH=$top_srcdir/scripts/netns-lab.sh

# fnat_setup: everything up or the test bails (skips without root/tools).
fnat_setup()
{
	nlvs_lab_setup "$FNAT_LAB_SH" NS_L "nlvsd runs on the lab's ports"
}

fnat_ipvsadm()
{
	nlvs_ipvsadm "$@"
}

# in_client CMD...: run in the client namespace.
in_client()
{
	ip netns exec "$NS_C" "$@"
}

# fnat_get URL: one HTTP GET from the client, body on stdout.
fnat_get()
{
	in_client curl -s -g -m 10 "$1"
}

# fnat_rr_service [VIP]: ipvsadm adds the TCP service VIP:80 (rr; default
# $LAB_VIP) with every real server of the lab as a masquerading dest (the
# IPv6 ones for an IPv6 VIP).
fnat_rr_service()
{
	_vip=${1:-$LAB_VIP}
	case $_vip in
	*:*) _svc="[$_vip]:80" _rs=$LAB_RS_ADDRS6 ;;
	*) _svc="$_vip:80" _rs=$LAB_RS_ADDRS ;;
	esac
	fnat_ipvsadm -A -t "$_svc" -s rr || return 1
	for _r in $_rs; do
		case $_r in *:*) _r="[$_r]" ;; esac
		fnat_ipvsadm -a -t "$_svc" -r "$_r:80" -m || return 1
	done
}

# fnat_held_get DELAY TIMEOUT [READY]: a GET to $LAB_VIP:80 from the client
# whose request ends only after DELAY seconds (the connection stays open that
# long); the body on stdout once the server closes (TIMEOUT per receive).
# The file READY is created once the connection is up and the first half of
# the request sent: start it in the background, then wait for READY (a
# loaded machine may take seconds to start python).
fnat_held_get()
{
	in_client python3 - "$LAB_VIP" "$1" "$2" "${3:-}" <<'EOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 80), 4)
s.sendall(b"GET / HTTP/1.0\r\n")
if sys.argv[4]:
    open(sys.argv[4], "w").close()
time.sleep(float(sys.argv[2]))
s.sendall(b"\r\n")
s.settimeout(float(sys.argv[3]))
data = s.makefile("rb").read()  # all of it, until the server closes
print(data.split(b"\r\n\r\n", 1)[-1].decode().strip())
EOF
}

# fnat_held_wait READY: wait (up to 30 s) for fnat_held_get's READY file.
fnat_held_wait()
{
	nlvs_wait_until 30 test -f "$1"
}

# fnat_tally N CMD...: run CMD N times, one after the other, and count what
# each printed; prints "rs1=A rs2=B rs3=C fail=F" (anything else: fail).
fnat_tally()
{
	_n=0 _a=0 _b=0 _c=0 _f=0 _times=$1
	shift
	while [ $_n -lt "$_times" ]; do
		case $("$@") in
		rs1) _a=$((_a + 1)) ;;
		rs2) _b=$((_b + 1)) ;;
		rs3) _c=$((_c + 1)) ;;
		*) _f=$((_f + 1)) ;;
		esac
		_n=$((_n + 1))
	done
	echo "rs1=$_a rs2=$_b rs3=$_c fail=$_f"
}

# fnat_spread N URL: N sequential GETs; prints "rs1=A rs2=B rs3=C fail=F".
fnat_spread()
{
	fnat_tally "$1" fnat_get "$2"
}

# fnat_stat NAME, fnat_alive: older names of nlvs_stat and nlvs_alive
# (tests/lib.sh).
fnat_stat()
{
	nlvs_stat "$1"
}

fnat_alive()
{
	nlvs_alive
}

# fnat_ka_real_server ADDR WEIGHT CHECK: a keepalived real_server block for
# ADDR:80, CHECK being HTTP_GET (GET / must answer 200) or TCP_CHECK.
# connect_timeout 5: a server (single-threaded python) slow to answer twice
# on a loaded machine must not be taken out in the middle of a spread; a
# stopped one refuses at once.
fnat_ka_real_server()
{
	cat <<CONF
	real_server $1 80 {
		weight $2
		$3 {
CONF
	if [ "$3" = HTTP_GET ]; then
		cat <<CONF
			url {
				path /
				status_code 200
			}
CONF
	fi
	cat <<CONF
			connect_timeout 5
			retry 1
			delay_before_retry 1
		}
	}
CONF
}

# fnat_keepalived_conf ROUTER_ID SCHED W3: $NLVS_TMP/keepalived.conf, the
# service $LAB_VIP:80 (scheduler SCHED) over the lab's three real servers:
# rs1 and rs2 HTTP_GET-checked of weight 1, rs3 TCP_CHECK-checked of
# weight W3.
fnat_keepalived_conf()
{
	set -- "$1" "$2" "$3" $LAB_RS_ADDRS
	{
		cat <<CONF
global_defs {
	router_id $1
}
virtual_server $LAB_VIP 80 {
	delay_loop 1
	lb_algo $2
	lb_kind NAT
	protocol TCP
CONF
		fnat_ka_real_server "$4" 1 HTTP_GET
		fnat_ka_real_server "$5" 1 HTTP_GET
		fnat_ka_real_server "$6" "$3" TCP_CHECK
		echo "}"
	} > "$NLVS_TMP/keepalived.conf"
}

# fnat_table_has PATTERN COUNT: COUNT lines of ipvsadm -Ln match PATTERN
# (grep -E); for nlvs_wait_until.
fnat_table_has()
{
	[ "$(fnat_ipvsadm -Ln 2> /dev/null | grep -cE "$1")" = "$2" ]
}

# fnat_ka_setup: the start of a keepalived test in the lab: keepalived
# needed, the lab up with nlvsd, URL (the VIP's), RS1 RS2 RS3 (the real
# servers' addresses).
fnat_ka_setup()
{
	nlvs_require_cmd keepalived
	fnat_setup
	URL=http://$LAB_VIP/
	set -- $LAB_RS_ADDRS
	RS1=$1 RS2=$2 RS3=$3
}

# fnat_ka_wait_table SECONDS PATTERN COUNT: up to SECONDS until COUNT lines
# of ipvsadm -Ln match PATTERN (grep -E), as keepalived's changes land.
fnat_ka_wait_table()
{
	_s=$1
	shift
	nlvs_wait_until "$_s" fnat_table_has "$@"
}

# fnat_ka_spread_is N EXPECTED DESC: fnat_spread N through $URL is EXPECTED
# ("rs1=A rs2=B rs3=C fail=F"), with nlvsd's state on failure.
fnat_ka_spread_is()
{
	_out=$(fnat_spread "$1" "$URL")
	if [ "$_out" = "$2" ]; then
		tap_ok "$3"
	else
		tap_not_ok "$3" "got $_out
$(nlvs_state_diag "$NLVS_TMP/keepalived.log")"
	fi
}

# fnat_ka_diag: the table and keepalived's last words, for a failed check.
fnat_ka_diag()
{
	fnat_ipvsadm -Ln
	tail -n 20 "$NLVS_TMP/keepalived.log"
}

# fnat_ka_term: SIGTERM to keepalived (nlvs_keepalived_start), which must
# remove its service $LAB_VIP:80 from the table.
fnat_ka_term()
{
	kill -TERM "$NLVS_KA_PID"
	wait "$NLVS_KA_PID" 2> /dev/null
	nlvs_wait_until 30 fnat_table_has "$LAB_VIP:80" 0
	tap_check $? "SIGTERM: keepalived removes its service" "$(fnat_ipvsadm -Ln)"
}

# fnat_ka_done: the end of a keepalived test: keepalived's SIGTERM removes
# its service (fnat_ka_term), nlvsd ran throughout and stops cleanly.
fnat_ka_done()
{
	fnat_ka_term
	nlvs_alive
	tap_check $? "nlvsd still running"
	nlvsd_stop
	tap_check $? "nlvsd stops cleanly"
	tap_done
}

# fnat_rs2_http_pid: the PID of rs2's HTTP server.
fnat_rs2_http_pid()
{
	set -- $NS_RS
	for _p in $(ip netns pids "$2"); do
		case $(tr '\0' ' ' < "/proc/$_p/cmdline" 2> /dev/null) in
		*http.server*) echo "$_p" ;;
		esac
	done
}

# fnat_rs2_http_start: rs2's HTTP server started again (as the lab does),
# logging to $LAB/rs2.http.log and stopped with the lab.
fnat_rs2_http_start()
{
	set -- $NS_RS
	(cd "$LAB/www2" && exec ip netns exec "$2" python3 -u -m http.server --bind :: 80) \
		>> "$LAB/rs2.http.log" 2>&1 &
	echo $! >> "$LAB/pids"
}
