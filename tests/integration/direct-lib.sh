# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# direct-lib.sh: what the direct routing and tunnelling tests (dr.sh,
# tun-*.sh) share: the lab of scripts/netns-dr-lab.sh (real servers that
# answer the client through a router nlvsd is not on) with nlvsd on its two
# ports, and one scenario run per address family.
#
#	LAB_FWD=gue; export LAB_FWD
#	. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"
#	direct_setup
#	direct_scenario 4 -i --tun-type gue --tun-port 6080
#	direct_done
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

FNAT_LAB_SH=$top_srcdir/scripts/netns-dr-lab.sh

direct_setup()
{
	nlvs_require_cmd sha256sum
	fnat_setup
}

# direct_rs 4|6: the real servers' addresses as ipvsadm takes them.
direct_rs()
{
	if [ "$1" = 6 ]; then
		for _r in $LAB_RS_ADDRS6; do echo "[$_r]"; done
	else
		echo "$LAB_RS_ADDRS"
	fi
}

# direct_svc SVC PORT FWD...: the TCP service SVC (rr) with the lab's three
# real servers of its family on PORT, forwarded by FWD (e.g. -g).
direct_svc()
{
	_svc=$1
	_port=$2
	shift 2
	case $_svc in
	\[*) _rs=$LAB_RS_ADDRS6 ;;
	*) _rs=$LAB_RS_ADDRS ;;
	esac
	fnat_ipvsadm -A -t "$_svc" -s rr || return 1
	for _r in $_rs; do
		case $_r in *:*) _r="[$_r]" ;; esac
		fnat_ipvsadm -a -t "$_svc" -r "$_r:$_port" "$@" || return 1
	done
}

# direct_ports N: the first of N client ports that no connection of this
# test used before (from 20000 up: outside the ephemeral ranges the lab
# uses).  Only the client's half of a DR/TUN connection passes through
# nlvsd, so a finished one waits in FIN_WAIT for minutes, and a SYN from its
# port stays on its real server, as on the kernel (conn_reuse_mode 1); the
# client's kernel hands out a port again as soon as its last connection is
# closed (seen within 30 requests), so the spreads name their ports.  A file
# keeps the count: callers run in subshells.
direct_ports()
{
	_dpf=${NLVS_TMP:?}/direct.ports
	_dp=$(cat "$_dpf" 2> /dev/null || echo 20000)
	echo $((_dp + $1)) > "$_dpf"
	echo "$_dp"
}

# direct_get ADDR URL [CURL_ARGS...]: fnat_get from the client's address ADDR
# (empty: its own) and a port of its own (direct_ports).
direct_get()
{
	_da=$1 _du=$2
	shift 2
	in_client curl -s -g -m 10 ${_da:+--interface "$_da"} --local-port "$(direct_ports 1)" \
		"$@" "$_du"
}

# direct_diag: what a failed spread check shows: the connections (their
# client ports and real servers) and the dataplane's state (nlvs_state_diag).
direct_diag()
{
	echo "connections (ipvsadm -Lcn):"
	fnat_ipvsadm -Lcn 2>&1
	nlvs_state_diag
}

# direct_spread_from ADDR N URL: fnat_spread through direct_get.
direct_spread_from()
{
	fnat_tally "$2" direct_get "$1" "$3"
}

# direct_spread N URL: fnat_spread for services with DR or TUN dests.
direct_spread()
{
	direct_spread_from "" "$@"
}

# direct_transfers WHAT V VIP: through the HTTP service V:80 (V: the VIP as
# a URL host) rr spreads 30 requests 10/10/10, and the lab's 5 MB file goes
# down and (direct_upload to VIP) up byte for byte; three checks.
direct_transfers()
{
	# each request from a port of its own (direct_get); each answer
	# with its port and the time to connect, for the diagnostic: where
	# the rr order breaks, and whether a SYN was sent again (1 s and
	# more), tells what happened
	_seq=$(_n=0; while [ $_n -lt 30 ]; do
		# shellcheck disable=SC2046
		echo $(direct_get "" "http://$2/" -w '\n%{local_port} %{time_connect}')
		_n=$((_n + 1))
	done)
	_out=$(echo "$_seq" | awk '
		$1 == "rs1" {a++} $1 == "rs2" {b++} $1 == "rs3" {c++}
		$1 !~ /^rs[123]$/ {f++}
		END {printf "rs1=%d rs2=%d rs3=%d fail=%d\n", a, b, c, f}')
	_want="rs1=10 rs2=10 rs3=10 fail=0"
	_diag=
	[ "$_out" = "$_want" ] || _diag="answers (body, client port, connect time):
$_seq
$(direct_diag)"
	tap_is "$_out" "$_want" "$1: rr spreads 30 requests 10/10/10" "$_diag"
	_want=$(sha256sum < "$LAB/big" | cut -d' ' -f1)
	_got=$(in_client curl -s -g -m 60 "http://$2/big" | sha256sum | cut -d' ' -f1)
	tap_is "$_got" "$_want" "$1: a 5 MB download arrives byte for byte"
	_got=$(direct_upload "$3" 2>&1)
	tap_is "$_got" "$_want" "$1: a 5 MB upload arrives byte for byte"
}

# direct_tun_hlen 4|6 FWD: bytes of tunnel headers the options FWD of a
# dest of that family ask for (outer IP + GUE/UDP or GRE).
direct_tun_hlen()
{
	_h=20
	[ "$1" = 6 ] && _h=40
	case "$2" in
	*gue*) _h=$((_h + 12)) ;;
	*gre*--tun-csum*) _h=$((_h + 8)) ;;
	*gre*) _h=$((_h + 4)) ;;
	esac
	echo $_h
}

# direct_upload HOST: 5 MB (the lab's DIR/big) to the sink on HOST:9000;
# prints the SHA-256 it answers.
direct_upload()
{
	in_client python3 - "$1" "$LAB/big" <<'EOF'
import socket, sys
s = socket.create_connection((sys.argv[1], 9000), 10)
s.settimeout(60)
with open(sys.argv[2], "rb") as f:
    s.sendall(f.read())
s.shutdown(socket.SHUT_WR)
print(s.makefile("rb").read().decode().strip())
EOF
}

# direct_udp HOST N: N datagrams to the echo on HOST:7, each from a new
# client port (a new connection); prints "rs1=A rs2=B rs3=C fail=F".  The
# sockets stay open to the end: a closed one's port could come back for a
# later flow, which would then be the earlier flow's connection.
direct_udp()
{
	in_client python3 - "$1" "$2" <<'EOF'
import collections, socket, sys
host, n = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
got = collections.Counter()
socks = []
for i in range(n):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    socks.append(s)
    s.settimeout(2)
    ans = "fail"
    for _ in range(3):  # a datagram may be lost: the same port again
        s.sendto(b"ping %d" % i, (host, 7))
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        if peer[0] == host and peer[1] == 7:
            ans = data.split()[0].decode()
        break
    got[ans] += 1
for s in socks:
    s.close()
print("rs1=%d rs2=%d rs3=%d fail=%d" % (got["rs1"], got["rs2"], got["rs3"], got["fail"]))
EOF
}

# direct_unreach 4|6: destination-unreachable errors the real servers'
# kernels have received, summed.
direct_unreach()
{
	_n=0
	for _ns in $NS_RS; do
		if [ "$1" = 6 ]; then
			_c=$(ip netns exec "$_ns" awk '$1 == "Icmp6InDestUnreachs" {print $2}' \
				/proc/net/snmp6)
		else
			_c=$(ip netns exec "$_ns" awk '$1 == "Icmp:" && !h {
				for (i = 2; i <= NF; i++) if ($i == "InDestUnreachs") c = i; h = 1; next }
				$1 == "Icmp:" {print $c}' /proc/net/snmp)
		fi
		_n=$((_n + ${_c:-0}))
	done
	echo $_n
}

# direct_unreach_more 4|6 HOST BEFORE: one datagram to HOST:7 from a port
# closed at once, so the echo's answer meets "port unreachable", which the
# client sends to the VIP; true once the real servers got more than BEFORE.
direct_unreach_more()
{
	in_client python3 -c "import socket
s = socket.socket(socket.AF_INET6 if ':' in '$2' else socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'gone', ('$2', 7))
s.close()"
	sleep 0.2
	[ "$(direct_unreach "$1")" -gt "$3" ]
}

# direct_fam 4|6: that family's VIP in _vip, as ipvsadm and URLs take it in
# _v, the first real server as ipvsadm takes it in _rs1.
direct_fam()
{
	if [ "$1" = 6 ]; then
		_vip=$LAB_VIP6 _v="[$LAB_VIP6]" _rs1="[${LAB_RS_ADDRS6%% *}]"
	else
		_vip=$LAB_VIP _v=$LAB_VIP _rs1=${LAB_RS_ADDRS%% *}
	fi
}

# direct_scenario 4|6 FWD...: one family through the VIP: services on ports
# 80 (HTTP) and 9000 (sink) with the three real servers forwarded by FWD
# (ipvsadm's dest options), then rr spread, 5 MB each way compared byte for
# byte, 1,000 short connections, the connection list, inbound-only counters,
# weight 0 draining.  The services are deleted at the end.
direct_scenario()
{
	_fam=$1
	shift
	_fwd=$*
	_what="IPv$_fam $LAB_FWD ($*)"
	direct_fam "$_fam"
	direct_svc "$_v:80" 80 "$@" && direct_svc "$_v:9000" 9000 "$@"
	tap_check $? "$_what: ipvsadm adds rr services with three real servers" \
		"$(fnat_ipvsadm -Ln)"

	fnat_ipvsadm -A -u "$_v:7" -s rr && for _r in $(direct_rs "$_fam"); do
		fnat_ipvsadm -a -u "$_v:7" -r "$_r:7" "$@" || break
	done
	_out=$(direct_udp "$_vip" 30)
	_diag=
	[ "$_out" = "rs1=10 rs2=10 rs3=10 fail=0" ] || _diag=$(direct_diag)
	tap_is "$_out" "rs1=10 rs2=10 rs3=10 fail=0" \
		"$_what: UDP: 30 flows spread 10/10/10, answered from the VIP" "$_diag"
	# ICMP errors about a connection (sent to the VIP about the real
	# server's datagram) reach that real server by the same method
	_before=$(direct_unreach "$_fam")
	nlvs_wait_until 20 direct_unreach_more "$_fam" "$_vip" "$_before"
	tap_check $? "$_what: the client's port unreachable reaches the real server" \
		"before $_before, now $(direct_unreach "$_fam")"
	fnat_ipvsadm -D -u "$_v:7"

	direct_transfers "$_what" "$_v" "$_vip"
	if [ "$LAB_FWD" != dr ]; then
		# full-size segments no longer fit once encapsulated: nlvsd told
		# the client the MTU left inside the tunnel, as the kernel would
		_mtu=$((1500 - $(direct_tun_hlen "$_fam" "$_fwd")))
		_out=$(in_client ip route get "$_vip")
		case $_out in *" mtu $_mtu "* | *" mtu $_mtu") _st=0 ;; *) _st=1 ;; esac
		tap_check $_st "$_what: the client learnt the tunnel's path MTU $_mtu" "$_out"
	fi

	_out=$(in_client timeout 300 python3 "$top_srcdir/tests/integration/fnat-conns.py" \
		"$_vip" 1000 4 2>&1)
	case $_out in ok=1000\ fail=0*) _st=0 ;; *) _st=1 ;; esac
	tap_check $_st "$_what: 1,000 short connections complete" "$_out"

	_out=$(fnat_ipvsadm -Lcn)
	case $_out in *"$_v:80"*FIN_WAIT*) _st=0 ;; *) _st=1 ;; esac
	tap_check $_st "$_what: ipvsadm -Lc lists the connections (input-only: FIN_WAIT)" \
		"$(echo "$_out" | head -n 8)"

	_st=$(fnat_ipvsadm -Ln --stats | awk -v v="$_v:80" '$2 == v {print $3, $4, $5, $7}')
	# shellcheck disable=SC2086
	set -- $_st
	# (a client port used again while its last connection waits in
	# FIN_WAIT reopens that one, as on the kernel: fewer than 1,000 new)
	tap_check $([ "${1:-0}" -ge 100 ] && [ "${2:-0}" -ge 5000 ] && [ "${3:-1}" = 0 ] &&
		[ "${4:-1}" = 0 ] && echo 0 || echo 1) \
		"$_what: --stats counts inbound only (conns in-pkts out-pkts out-bytes: $_st)" \
		"$(fnat_ipvsadm -Ln --stats)"

	_inact=$(fnat_ipvsadm -Ln | awk -v p=":80" '/->/ && index($2, p) {s += $6} END {print s + 0}')
	tap_check $([ "$_inact" -ge 1 ] && echo 0 || echo 1) \
		"$_what: finished connections count as InActConn ($_inact)" "$(fnat_ipvsadm -Ln)"
	if [ "$_fam" = 4 ]; then
		# a connection held open: ESTABLISHED from the client's ACK alone
		fnat_held_get 3 10 "$NLVS_TMP/held.up" > "$NLVS_TMP/held.out" 2>&1 &
		_held=$!
		fnat_held_wait "$NLVS_TMP/held.up"
		direct_active()
		{
			_act=$(fnat_ipvsadm -Ln | awk -v p=":80" '/->/ && index($2, p) {s += $5}
				END {print s + 0}')
			[ "$_act" -ge 1 ]
		}
		nlvs_wait_until 20 direct_active
		tap_check $? "$_what: an open connection counts as ActiveConn" \
			"$(fnat_ipvsadm -Lcn | grep -v FIN_WAIT)"
		wait $_held
		case $(cat "$NLVS_TMP/held.out") in rs[123]) _st=0 ;; *) _st=1 ;; esac
		tap_check $_st "$_what: the held connection completes" "$(cat "$NLVS_TMP/held.out")"
	fi

	# (ipvsadm -e takes the method again: without it, it would be -g)
	# shellcheck disable=SC2086
	fnat_ipvsadm -e -t "$_v:80" -r "$_rs1:80" -w 0 $_fwd
	# from the client's second address: a port of the first one used again
	# while its connection to rs1 waits in FIN_WAIT would rightly go on to
	# rs1 (the kernel reschedules only TIME_WAIT and CLOSE ones)
	_c2=$LAB_CLIENT2
	[ "$_fam" = 6 ] && _c2=$LAB_CLIENT2_6
	_out=$(direct_spread_from "$_c2" 10 "http://$_v/")
	case $_out in "rs1=0 "*"fail=0") _st=0 ;; *) _st=1 ;; esac
	_diag=$_out
	[ $_st = 0 ] || _diag="$_out
$(direct_diag)"
	tap_check $_st "$_what: weight 0 drains: new connections avoid it ($_out)" "$_diag"

	fnat_ipvsadm -D -t "$_v:80" && fnat_ipvsadm -D -t "$_v:9000"
}

# direct_done: nothing counted as unsupported, nlvsd alive and stopped.
direct_done()
{
	tap_is "$(nlvs_stat drop.forwarding-method-unsupported)" 0 \
		"nothing dropped as forwarding-method-unsupported"
	if [ "$LAB_FWD" != dr ]; then
		# GRE checksum, GUE version: what a kernel tunnel end would refuse
		_n=$(cat "$LAB"/rs*.decap.log | grep -c refused)
		tap_is "$_n" 0 "the real servers' tunnel ends refused no packet" \
			"$(grep -h refused "$LAB"/rs*.decap.log | head -n 5)"
	fi
	nlvs_alive
	tap_check $? "nlvsd still running"
	nlvsd_stop
	tap_check $? "nlvsd stops cleanly"
	tap_done
}

# direct_cross 4|6 FWD...: tunnels across families (the kernel allows them
# for -i only): a service of family 4|6 whose real servers are addressed in
# the other family; rr spread, 5 MB down and up, the path MTU the client
# learnt (the outer header is the real servers' family), and ipvsadm -Lc
# showing each dest in its own family.
direct_cross()
{
	_fam=$1
	shift
	_fwd=$*
	if [ "$_fam" = 6 ]; then
		_vip=$LAB_VIP6 _v="[$LAB_VIP6]" _rsf=4
	else
		_vip=$LAB_VIP _v=$LAB_VIP _rsf=6
	fi
	_what="IPv$_fam over IPv$_rsf $LAB_FWD ($*)"
	# client ports the same-family scenarios never used: a SYN from a port
	# one of their connections (FIN_WAIT for minutes) still holds would
	# stay on that connection's real server, as on the kernel, and the rr
	# spread below counts new connections only
	in_client sysctl -qw net.ipv4.ip_local_port_range="10000 19999"
	# the path MTU the same-family tunnel taught the client must go first
	in_client ip route flush cache
	in_client ip -6 route flush cache
	_ok=0
	for _s in 80 9000; do
		fnat_ipvsadm -A -t "$_v:$_s" -s rr || _ok=1
		for _r in $(direct_rs "$_rsf"); do
			fnat_ipvsadm -a -t "$_v:$_s" -r "$_r:$_s" "$@" || _ok=1
		done
	done
	tap_check $_ok "$_what: ipvsadm adds real servers of the other family" \
		"$(fnat_ipvsadm -Ln)"
	direct_transfers "$_what" "$_v" "$_vip"
	_mtu=$((1500 - $(direct_tun_hlen "$_rsf" "$_fwd")))
	_out=$(in_client ip route get "$_vip")
	case $_out in *" mtu $_mtu "* | *" mtu $_mtu") _st=0 ;; *) _st=1 ;; esac
	tap_check $_st "$_what: the client learnt the tunnel's path MTU $_mtu" "$_out"
	_out=$(fnat_ipvsadm -Lcn)
	_r=$(direct_rs "$_rsf" | tr ' ' '\n' | head -n 1)
	case $_out in *"$_v:80 "*"$_r:80"*) _st=0 ;; *) _st=1 ;; esac
	tap_check $_st "$_what: ipvsadm -Lc shows the dest in its own family" \
		"$(echo "$_out" | head -n 6)"
	fnat_ipvsadm -D -t "$_v:80" && fnat_ipvsadm -D -t "$_v:9000"
}
