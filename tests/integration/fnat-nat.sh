#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Classic NAT: -m on a VIP without a laddr pool rewrites only the
# destination.  The real servers see the client's own address and answer it
# through nlvsd (their default route), which puts VIP:vport back as the
# source.  TCP and UDP, IPv4 and IPv6, an ICMP error from a real server,
# next to a FULLNAT VIP that keeps using its local addresses.
# LAB_WORKERS=2 in the environment runs the same over two workers.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

LAB_NAT=1
export LAB_NAT
fnat_setup
set -- $LAB_RS_ADDRS
RS1=$1 RS2=$2 RS3=$3
set -- $LAB_RS_ADDRS6
RS61=$1 RS62=$2 RS63=$3
NVIP=$LAB_NAT_VIP
NVIP6=$LAB_NAT_VIP6

fnat_ipvsadm -A -t "$NVIP:80" -s rr &&
	fnat_ipvsadm -a -t "$NVIP:80" -r "$RS1:80" -m &&
	fnat_ipvsadm -a -t "$NVIP:80" -r "$RS2:80" -m &&
	fnat_ipvsadm -a -t "$NVIP:80" -r "$RS3:80" -m &&
	fnat_ipvsadm -A -u "$NVIP:7" -s rr &&
	fnat_ipvsadm -a -u "$NVIP:7" -r "$RS1:7" -m &&
	fnat_ipvsadm -A -u "$NVIP:9" -s rr &&
	fnat_ipvsadm -a -u "$NVIP:9" -r "$RS2:9" -m &&
	fnat_ipvsadm -A -t "[$NVIP6]:80" -s rr &&
	fnat_ipvsadm -a -t "[$NVIP6]:80" -r "[$RS61]:80" -m &&
	fnat_ipvsadm -a -t "[$NVIP6]:80" -r "[$RS62]:80" -m &&
	fnat_ipvsadm -a -t "[$NVIP6]:80" -r "[$RS63]:80" -m &&
	fnat_ipvsadm -A -t "$LAB_VIP:80" -s rr &&
	fnat_ipvsadm -a -t "$LAB_VIP:80" -r "$RS1:80" -m
tap_check $? "ipvsadm adds classic NAT services (no laddr pool) and a FULLNAT one"

# requests seen by the real servers from now on
for i in 1 2 3; do
	eval "h$i=\$(grep -c . '$LAB/rs$i.http.log')"
done
# spread: rr is exact with one worker; each worker has its own rr otherwise
spread_ok()
{
	if [ "$LAB_WORKERS" = 1 ]; then
		[ "$1" = "$2" ]
	else
		case $1 in rs1=0* | *rs2=0* | *rs3=0* | *fail=[1-9]*) false ;; *) true ;; esac
	fi
}

out=$(fnat_spread 30 "http://$NVIP/")
spread_ok "$out" "rs1=10 rs2=10 rs3=10 fail=0"
tap_check $? "30 HTTP requests to a NAT VIP spread over the real servers ($out)" "$out"

n=0
srcs=$(for i in 1 2 3; do
	eval "n=\$h$i"
	tail -n "+$((n + 1))" "$LAB/rs$i.http.log" | grep ' "GET ' | awk '{print $1}'
done | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')
tap_is "$srcs" "::ffff:10.77.1.2=30 " "the real servers see the client's address as source"

out=$(fnat_ipvsadm -Lcn | grep -c "TCP.*10.77.1.2:[0-9]* *$NVIP:80 *10.77.2.1[123]:80")
tap_check "$([ "$out" -ge 30 ] && echo 0 || echo 1)" \
	"ipvsadm -Lcn lists the NAT connections client -> VIP -> real server ($out)"

out=$(in_client python3 -c "
import socket
ok = 0
for i in range(10):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(b'n%d' % i, ('$NVIP', 7))
    try:
        d, peer = s.recvfrom(100)
        ok += d.decode() == 'rs1 n%d' % i and peer == ('$NVIP', 7)
    except OSError:
        pass
print(ok)" 2>&1)
tap_is "$out" "10" "10 UDP echo round trips through a NAT VIP, answers from VIP:7"
last=$(tail -n 1 "$LAB/rs1.udp.log" | awk '{print $1}')
tap_is "$last" "::ffff:10.77.1.2" "the UDP real server saw the client's address"

# nothing listens on port 9: the real server's port unreachable goes to the
# client through nlvsd, which puts the VIP back into it
out=$(in_client python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.connect(('$NVIP', 9))
s.send(b'anyone?')
try:
    s.recv(100)
    print('answer')
except ConnectionRefusedError:
    print('refused')
except socket.timeout:
    print('timeout')" 2>&1)
tap_is "$out" "refused" "ICMP port unreachable from a real server reaches the client translated"

out=$(fnat_spread 12 "http://[$NVIP6]/")
spread_ok "$out" "rs1=4 rs2=4 rs3=4 fail=0"
tap_check $? "IPv6: 12 HTTP requests to a NAT VIP spread over the real servers ($out)" "$out"
last=$(tail -n 1 "$LAB/rs3.http.log" | awk '{print $1}')
tap_is "$last" "fd00:77:1::2" "IPv6: the real servers see the client's address"

n0=$(grep -c . "$LAB/rs1.http.log")
out=$(fnat_get "http://$LAB_VIP/")
tap_is "$out" "rs1" "the FULLNAT VIP still answers"
src=$(tail -n "+$((n0 + 1))" "$LAB/rs1.http.log" | grep ' "GET ' | awk '{print $1}')
case $src in *10.77.2.10[01]) st=0 ;; *) st=1 ;; esac
tap_check $st "its real server sees a local address ($src)" "$src"

# transit traffic that belongs to no connection is still not forwarded
d0=$(nlvs_stat drop.not-for-us)
ip netns exec "$(echo "$NS_RS" | cut -d' ' -f1)" ping -c 2 -W 1 -q 10.77.1.2 > /dev/null 2>&1
st=$?
nlvs_wait_until 20 nlvs_stat_ge drop.not-for-us $((d0 + 2))
d1=$(nlvs_stat drop.not-for-us)
tap_check "$([ $st -ne 0 ] && [ "$d1" -ge $((d0 + 2)) ] && echo 0 || echo 1)" \
	"other transit traffic is dropped as not-for-us without ip-forward ($d0 -> $d1)"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
