#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# SNAT through nlvsd, configured with the unmodified ipvsadm: from inside,
# curl, a UDP query, ping and traceroute (UDP and ICMP) reach the outside;
# the outside sees only egress addresses; two egress addresses share the
# load per the scheduler; weight 0 and deletion; ipvsadm shows the service,
# its counters and connections; scans of egress addresses are dropped and
# counted; IPv6 through SNAT too.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/snat-lib.sh"

snat_setup
# shellcheck disable=SC2086
set -- $LAB_INSIDE
H1=$1 H2=$2
# shellcheck disable=SC2086
set -- $LAB_EGRESS
E1=$1 E2=$2
URL=http://$LAB_OUT/

snat_service 1 rr
tap_check $? "ipvsadm adds fwmark service 1 (rr) with two masquerading egress addresses"

out=$(in_inside curl -s -m 10 --interface "$H1" "$URL")
tap_is "$out" "outside" "curl from inside reaches the outside HTTP server" \
	"$(tail -n 20 "$NLVS_TMP/nlvsd.log")"

# from a fixed port: an ephemeral one could be one snat_queries takes later
# from $H1 (42000 up), and that "new" flow would join this connection
out=$(snat_udp_query "$H1" "$LAB_OUT" 5 41000)
case $out in
"ok $E1 query" | "ok $E2 query") st=0 ;;
*) st=1 ;;
esac
tap_check $st "a UDP query is answered; the server saw an egress address" "got '$out'"

out=$(in_inside ping -c 20 -i 0.05 -W 5 -I "$H1" "$LAB_OUT" 2>&1)
recv=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
tap_is "$recv" "20" "ping -c 20 through SNAT: 20 replies" "$out"

out=$(in_inside traceroute -n -w 5 -q 1 -m 5 -s "$H1" "$LAB_OUT" 2>&1)
hops=$(echo "$out" | awk 'NR > 1 { printf "%s ", $2 }')
tap_is "$hops" "10.88.1.1 $LAB_ROUTER $LAB_OUT " \
	"traceroute (UDP): the gateway, the router (time exceeded translated), the target" "$out"

out=$(in_inside traceroute -I -n -w 5 -q 1 -m 5 -s "$H1" "$LAB_OUT" 2>&1)
hops=$(echo "$out" | awk 'NR > 1 { printf "%s ", $2 }')
tap_is "$hops" "10.88.1.1 $LAB_ROUTER $LAB_OUT " \
	"traceroute -I (echo): time exceeded about an echo request translated" "$out"

# the outside sees only egress addresses
srcs=$( (awk '/GET/ {print $1}' "$LAB/http.log"; awk '{print $1}' "$LAB/udp.log") |
	sed 's/^::ffff://' | sort -u | tr '\n' ' ')
st=0
for s in $srcs; do
	case $s in "$E1" | "$E2") ;; *) st=1 ;; esac
done
[ -n "$srcs" ] || st=1
tap_check $st "the outside host saw only egress addresses" "sources: $srcs"

# rr over two egress addresses: 20 UDP queries split 10/10
snat_queries "$H2" 20
tap_is "$(snat_split "$E1" "$E2")" "10/10" "rr: 20 new flows leave 10 from each egress address"

nlvs_ipvsadm -E -f 1 -s wrr &&
	nlvs_ipvsadm -e -f 1 -r "$E1" -m -w 3 &&
	nlvs_ipvsadm -e -f 1 -r "$E2" -m -w 1
snat_queries "$H2" 20
tap_is "$(snat_split "$E1" "$E2")" "15/5" "wrr 3/1: 20 new flows leave 15/5"

nlvs_ipvsadm -e -f 1 -r "$E1" -m -w 0
snat_queries "$H2" 6
tap_is "$(snat_split "$E1" "$E2")" "0/6" "weight 0: new flows avoid the quiesced egress address"
nlvs_ipvsadm -e -f 1 -r "$E1" -m -w 1

stats=$(nlvs_ipvsadm -Ln --stats)
line=$(echo "$stats" | grep -A0 '^FWM  1')
conns=$(echo "$line" | awk '{print $3}')
inp=$(echo "$line" | awk '{print $4}')
outp=$(echo "$line" | awk '{print $5}')
st=1
[ "${conns:-0}" -ge 40 ] && [ "${inp:-0}" -ge 60 ] && [ "${outp:-0}" -ge 60 ] && st=0
tap_check $st "ipvsadm -Ln --stats counts the SNAT service ($conns $inp $outp)" "$stats"

lc=$(nlvs_ipvsadm -Lcn)
st=1
echo "$lc" | grep -q "UDP .* $H2:[0-9]* *$LAB_OUT:53 *$E2:[0-9]*" && st=0
tap_check $st "ipvsadm -Lc lists SNAT connections: inside host, outside, egress" "$lc"
st=1
echo "$lc" | grep -q "ICMP .* $H1:[0-9]* *$LAB_OUT:[0-9]* *\($E1\|$E2\):[0-9]*" && st=0
tap_check $st "ipvsadm -Lc lists the ping connection" "$lc"

# a scan of an egress address from outside: dropped, counted
before=$(nlvs_stat drop.no-connection)
in_outside python3 - "$E1" <<'EOF'
import socket, sys
for port in range(2000, 2050):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"scan", (sys.argv[1], port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setblocking(False)
    try:
        t.connect((sys.argv[1], port))
    except OSError:
        pass
EOF
nlvs_wait_until 20 nlvs_stat_ge drop.no-connection $((before + 50))
after=$(nlvs_stat drop.no-connection)
st=1
[ $((after - before)) -ge 50 ] && st=0
tap_check $st "unmatched inbound traffic to an egress address is dropped and counted" \
	"no-connection $before -> $after"
out=$(in_outside ping -c 2 -W 5 "$E1" 2>&1)
tap_check $? "the egress address itself answers ping" "$out"
out=$(in_inside curl -s -m 10 --interface "$H1" "$URL")
tap_is "$out" "outside" "established service keeps working after the scan"

# persistence: one inside host keeps one egress address for new flows
nlvs_ipvsadm -E -f 1 -s rr -p 60
snat_queries "$H1" 6
n=$(sort -u "$NLVS_TMP/answers" | wc -l)
c=$(wc -l < "$NLVS_TMP/answers")
tap_is "$c/$n" "6/1" "-p 60: six flows of one inside host leave from one egress address" \
	"$(cat "$NLVS_TMP/answers")"
st=1
nlvs_ipvsadm -Lcn | grep -q "IP .* $H1:0 .*" && st=0
tap_check $st "ipvsadm -Lc lists the persistence template" "$(nlvs_ipvsadm -Lcn)"
nlvs_ipvsadm -E -f 1 -s rr

# deleting an egress address: new flows use the other one
nlvs_ipvsadm -d -f 1 -r "$E2"
snat_queries "$H2" 4
n1=$(grep -c "ok $E1 " "$NLVS_TMP/answers")
tap_is "$n1" "4" "a deleted egress address gets no new flows"

# IPv6: mark 2
# shellcheck disable=SC2086
set -- $LAB_INSIDE6
snat_service 2 rr "$LAB_EGRESS6"
out=$(in_inside curl -s -g -m 10 --interface "$1" "http://[$LAB_OUT6]/")
tap_is "$out" "outside" "IPv6: curl through SNAT"
out=$(snat_udp_query "$1" "$LAB_OUT6")
tap_is "$out" "ok $LAB_EGRESS6 query" "IPv6: UDP query from the egress address"
out=$(in_inside ping -6 -c 5 -i 0.1 -W 5 -I "$1" "$LAB_OUT6" 2>&1)
recv=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
tap_is "$recv" "5" "IPv6: ping through SNAT" "$out"
out=$(in_inside traceroute -6 -n -w 5 -q 1 -m 5 -s "$1" "$LAB_OUT6" 2>&1)
hops=$(echo "$out" | awk 'NR > 1 { printf "%s ", $2 }')
tap_is "$hops" "fd00:88:1::1 fd00:88:2::fe $LAB_OUT6 " "IPv6: traceroute" "$out"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
