#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# UDP through the VIP: echo round trips spread by rr, one socket stays on one
# server, one-packet scheduling (--ops) spreads every datagram, and an ICMP
# port unreachable from a real server reaches the client translated.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

fnat_setup
set -- $LAB_RS_ADDRS
RS1=$1 RS2=$2 RS3=$3

cat > "$NLVS_TMP/udp.py" <<'PY'
import socket, sys, collections
vip, port, mode, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
fam = socket.AF_INET6 if ":" in vip else socket.AF_INET
got = collections.Counter()
any_addr = "::" if fam == socket.AF_INET6 else "0.0.0.0"
if mode == "many":	# n sockets, one datagram each
    # distinct source ports: a random one could repeat an earlier socket's,
    # and (as in the kernel) join that socket's connection instead of rr
    for i in range(n):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((any_addr, 41000 + i))
        s.settimeout(5)
        s.sendto(b"hello %d" % i, (vip, port))
        try:
            d = s.recv(2048).decode()
            ok = d.endswith(" hello %d" % i)
            got[d.split()[0] if ok else "bad"] += 1
        except socket.timeout:
            got["lost"] += 1
        s.close()
elif mode == "one":	# one socket, n datagrams
    # fixed ports for "one" and "fire" too: an ephemeral port could be one
    # "many" used, and its datagrams would join that earlier connection
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((any_addr, 42000))
    s.settimeout(5)
    for i in range(n):
        s.sendto(b"x%d" % i, (vip, port))
        try:
            got[s.recv(2048).decode().split()[0]] += 1
        except socket.timeout:
            got["lost"] += 1
elif mode == "fire":	# one socket, n datagrams, no answers expected
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((any_addr, 42001))
    for i in range(n):
        s.sendto(b"f%d" % i, (vip, port))
elif mode == "refused":	# connected socket: ICMP unreachable -> ECONNREFUSED
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.connect((vip, port))
    s.send(b"anyone?")
    try:
        s.recv(100)
        got["answer"] += 1
    except ConnectionRefusedError:
        got["refused"] += 1
    except socket.timeout:
        got["timeout"] += 1
print(" ".join("%s=%d" % kv for kv in sorted(got.items())))
PY
udp()
{
	in_client timeout 60 python3 "$NLVS_TMP/udp.py" "$@" 2>&1
}

fnat_ipvsadm -A -u "$LAB_VIP:7" -s rr &&
	fnat_ipvsadm -a -u "$LAB_VIP:7" -r "$RS1:7" -m &&
	fnat_ipvsadm -a -u "$LAB_VIP:7" -r "$RS2:7" -m &&
	fnat_ipvsadm -a -u "$LAB_VIP:7" -r "$RS3:7" -m
tap_check $? "ipvsadm adds a UDP rr service"

out=$(udp "$LAB_VIP" 7 many 30)
tap_is "$out" "rs1=10 rs2=10 rs3=10" "30 UDP echo round trips from 30 sockets spread 10/10/10"
out=$(udp "$LAB_VIP" 7 one 10)
case $out in rs[123]=10) st=0 ;; *) st=1 ;; esac
tap_check $st "one socket's datagrams stay on one server ($out)" "$out"

srcs=$(cat "$LAB"/rs*.udp.log | awk '{print $1}' | sort -u | tr '\n' ' ')
case " $srcs" in *10.77.1.2*) st=1 ;; *10.77.2.10[01]*) st=0 ;; *) st=1 ;; esac
tap_check $st "UDP real servers see the local address" "$srcs"

out=$(fnat_ipvsadm -Lcn | grep -c "UDP.*$LAB_VIP:7")
tap_check $([ "$out" -ge 30 ] && echo 0 || echo 1) "ipvsadm -Lc lists the UDP connections ($out)"

fnat_ipvsadm -E -u "$LAB_VIP:7" -s rr -o
sleep 0.2
a0=$(grep -c . "$LAB/rs1.udp.log")
b0=$(grep -c . "$LAB/rs2.udp.log")
c0=$(grep -c . "$LAB/rs3.udp.log")
udp "$LAB_VIP" 7 fire 9 > /dev/null
# logged()/N: the real servers logged N datagrams more than before
logged()
{
	echo $(($(grep -c . "$LAB/rs1.udp.log") + $(grep -c . "$LAB/rs2.udp.log") +
		$(grep -c . "$LAB/rs3.udp.log") - a0 - b0 - c0))
}
nlvs_wait_until 20 eval '[ "$(logged)" -ge 9 ]'
a=$(($(grep -c . "$LAB/rs1.udp.log") - a0))
b=$(($(grep -c . "$LAB/rs2.udp.log") - b0))
c=$(($(grep -c . "$LAB/rs3.udp.log") - c0))
tap_is "$a $b $c" "3 3 3" "--ops: 9 datagrams of one socket are scheduled one by one (3/3/3)"
fnat_ipvsadm -E -u "$LAB_VIP:7" -s rr

# no listener on port 9 of the real servers: their ICMP port unreachable
# must come back translated (to the VIP, quoting the client's own packet)
fnat_ipvsadm -A -u "$LAB_VIP:9" -s rr && fnat_ipvsadm -a -u "$LAB_VIP:9" -r "$RS1:9" -m
out=$(udp "$LAB_VIP" 9 refused 1)
tap_is "$out" "refused=1" "ICMP port unreachable from a real server reaches the client translated"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
