#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The load balancer's own host through the kernel twins (net_tap): in the
# lab of scripts/netns-lab.sh the twins "lan" and "srv" appear in nlvsd's
# namespace with their ports' MAC and MTU; TCP (socat, IPv4 and IPv6) from
# the client to the LB's own address reaches a listener on the twin and
# comes back through the port; VRRP advertisements cross both ways; the
# kernel's own ping goes out and its reply comes up; its neighbour table
# learns from the ARP copies; a flood of 200k UDP packets to the host
# address is cut by host-rate and counted while an established FULLNAT
# connection and new ones keep working; the twins vanish
# when nlvsd stops, and when it is killed; "twin off" keeps the old drop;
# a twin's carrier follows its port's link (on a net_tap port).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

nlvs_require_cmd socat cmp
# the client-side port with an MTU of its own, so the twin's is no default
LAB_MTU0=1400
export LAB_MTU0
nlvs_lab_up "$FNAT_LAB_SH"
# a low host rate, so the flood below is cut whatever this machine's speed
echo "host-rate 2000" >> "$NLVS_TMP/nlvsd.conf"
nlvs_lab_start NS_L "nlvsd runs on the lab's ports with kernel twins"

in_lb()
{
	ip netns exec "$NS_L" "$@"
}

# link_attr NS DEV FIELD: "mtu" or "ether" of DEV in NS, empty if no DEV.
link_attr()
{
	ip -n "$1" -o link show dev "$2" 2> /dev/null |
		sed -n "s/.* $3 \([^ ]*\).*/\1/p"
}

no_link()
{
	! ip -n "$NS_L" link show dev "$1" > /dev/null 2>&1
}

for pair in lan:l0:1400 srv:l1:1500; do
	twin=${pair%%:*} rest=${pair#*:}
	dev=${rest%%:*} mtu=${rest#*:}
	got="$(link_attr "$NS_L" "$twin" ether) $(link_attr "$NS_L" "$twin" mtu)"
	tap_is "$got" "$(link_attr "$NS_L" "$dev" ether) $mtu" \
		"twin $twin exists in nlvsd's namespace with port $twin's MAC and MTU"
done
out=$("$NLVSCTL" -s "$NLVS_SOCK" ports)
case $out in
*"lan "*" 1400 "*" up "*" lan "*" up "*) st=0 ;;
*) st=1 ;;
esac
tap_check $st "nlvsctl ports shows each port with its twin and their links" "$out"

# the LB's own address: from nlvsd.conf (the dataplane answers ARP/echo for
# it) and on the twin for the kernel, where the listeners bind
ip -n "$NS_L" addr add 10.77.1.1/24 dev lan
ip -n "$NS_L" addr add fd00:77:1::1/64 dev lan nodad
in_lb socat TCP6-LISTEN:2222,ipv6only=0,reuseaddr,fork PIPE > "$NLVS_TMP/socat.log" 2>&1 &
socat_pid=$!
nlvs_cleanup_add "kill $socat_pid"
nlvs_wait_until 30 sh -c "ip netns exec $NS_L ss -Hltn 'sport = :2222' | grep -q ."

head -c 200000 /dev/urandom > "$NLVS_TMP/blob"
# echo_ok ADDR: 200 kB through a TCP echo on the LB's ADDR:2222 and back
echo_ok()
{
	rm -f "$NLVS_TMP/blob.back"
	in_client timeout 30 socat -t 10 -T 20 - "TCP:$1:2222" < "$NLVS_TMP/blob" \
		> "$NLVS_TMP/blob.back" 2> "$NLVS_TMP/socat-c.log" &&
		cmp -s "$NLVS_TMP/blob" "$NLVS_TMP/blob.back"
}

before=$(nlvs_stat host.up)
echo_ok 10.77.1.1
tap_check $? "TCP from the client to the LB's own address reaches the twin and back" \
	"$(cat "$NLVS_TMP/socat-c.log"; ls -l "$NLVS_TMP/blob.back"; nlvs_state_diag)"
after=$(nlvs_stat host.up)
down=$(nlvs_stat host.down)
tap_check $((after - before >= 100 && down >= 100 ? 0 : 1)) \
	"the stream went up and down the host path" "host.up $before -> $after, host.down $down"
echo_ok "[fd00:77:1::1]"
tap_check $? "the same over IPv6" "$(cat "$NLVS_TMP/socat-c.log"; nlvs_state_diag)"

out=$(in_client ping -c 3 -i 0.2 -W 5 10.77.1.1 2>&1)
tap_check $? "ping to the LB's own address" "$out"
out=$(in_lb ping -c 3 -i 0.2 -W 5 10.77.1.2 2>&1)
tap_check $? "the LB's kernel pings the client: its echo goes out, the reply comes up" "$out"
c0mac=$(link_attr "$NS_C" c0 ether)
out=$(ip -n "$NS_L" neigh show 10.77.1.2 dev lan)
case $out in *"lladdr $c0mac"*) st=0 ;; *) st=1 ;; esac
tap_check $st "the kernel's neighbour table on the twin knows the client" "$out (want $c0mac)"
ll=$(ip -n "$NS_L" -6 -o addr show dev lan scope link | sed -n 's/.*inet6 \([^/]*\).*/\1/p')
out=$(in_client ping -6 -c 2 -i 0.2 -W 5 "$ll%c0" 2>&1)
tap_check $? "ping to the twin's IPv6 link-local address (answered by its kernel)" "$out"

# what a health checker on the LB does: its kernel connects to a real server
# from the LB's address on the server side, over the twin srv
ip -n "$NS_L" addr add 10.77.2.1/24 dev srv
set -- $LAB_RS_ADDRS
out=$(in_lb curl -s -m 10 "http://$1/" 2>&1)
tap_is "$out" rs1 "the LB's kernel reaches a real server's HTTP over the twin srv"

# VRRP (IP protocol 112 to 224.0.0.18) both ways: the client's
# advertisement reaches a socket of the LB's kernel that joined the group on
# the twin, and the LB kernel's comes out of the port to the client
cat > "$NLVS_TMP/vrrp.py" <<'EOF'
import os, socket, sys, time
mode, dev, addr, flag = sys.argv[1:5]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
if mode == "recv":
    mreq = socket.inet_aton("224.0.0.18") + socket.inet_aton(addr)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    open(flag, "w").close()
    s.settimeout(30)
    while True:
        data = s.recv(2048)
        if data[20:].startswith(b"nlvs-vrrp-test"):
            print("got", socket.inet_ntoa(data[12:16]))
            break
else:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(addr))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    for i in range(100):
        s.sendto(b"nlvs-vrrp-test", ("224.0.0.18", 0))
        time.sleep(0.2)
        if os.path.exists(flag):
            break
EOF
# vrrp_once RECV_NS RECV_DEV RECV_ADDR SEND_NS SEND_DEV SEND_ADDR: what the
# receiver got ("got SOURCE"); the sender repeats until then (20 s at most)
vrrp_once()
{
	rm -f "$NLVS_TMP/vrrp.ready" "$NLVS_TMP/vrrp.got"
	ip netns exec "$1" python3 "$NLVS_TMP/vrrp.py" recv "$2" "$3" "$NLVS_TMP/vrrp.ready" \
		> "$NLVS_TMP/vrrp.out" 2>&1 &
	_r=$!
	nlvs_wait_until 30 test -f "$NLVS_TMP/vrrp.ready"
	ip netns exec "$4" python3 "$NLVS_TMP/vrrp.py" send "$5" "$6" "$NLVS_TMP/vrrp.got" \
		> /dev/null 2>&1 &
	_s=$!
	wait "$_r"
	touch "$NLVS_TMP/vrrp.got"
	wait "$_s"
	cat "$NLVS_TMP/vrrp.out"
}
out=$(vrrp_once "$NS_L" lan 10.77.1.1 "$NS_C" c0 10.77.1.2)
tap_is "$out" "got 10.77.1.2" "a VRRP advertisement from the client reaches the LB's kernel"
out=$(vrrp_once "$NS_C" c0 10.77.1.2 "$NS_L" lan 10.77.1.1)
tap_is "$out" "got 10.77.1.1" "the LB kernel's VRRP advertisement leaves through the port"

# the flood: an established FULLNAT connection (held open until the flood
# is over) and new connections must get through while 200k UDP packets to
# the host address are cut by host-rate
fnat_rr_service
tap_check $? "ipvsadm adds the FULLNAT service"
in_client python3 - "$LAB_VIP" "$NLVS_TMP/held.ready" "$NLVS_TMP/flood.done" \
	> "$NLVS_TMP/held.out" 2>&1 <<'EOF' &
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], 80), 10)
s.sendall(b"GET / HTTP/1.0\r\n")
open(sys.argv[2], "w").close()
end = time.time() + 300
while not os.path.exists(sys.argv[3]) and time.time() < end:
    time.sleep(0.1)
s.sendall(b"\r\n")
s.settimeout(20)
print(s.makefile("rb").read().split(b"\r\n\r\n", 1)[-1].decode().strip())
EOF
held=$!
nlvs_wait_until 30 test -f "$NLVS_TMP/held.ready"
tap_check $? "a FULLNAT connection through the VIP is established"

# udp_noports: datagrams the LB's kernel got for a port nobody listens on
udp_noports()
{
	in_lb awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $3; exit }' /proc/net/snmp
}
rate0=$(nlvs_stat drop.host-rate)
up0=$(nlvs_stat host.up_queued)
full0=$(nlvs_stat drop.host-queue-full)
miss0=$(nlvs_stat port.lan.imissed)
noports0=$(udp_noports)
in_client python3 - <<'EOF' > "$NLVS_TMP/flood.out" 2>&1 &
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("10.77.1.1", 9))
buf = b"x" * 64
sent = 0
while sent < 200000:
    try:
        s.send(buf)
        sent += 1
    except OSError:
        pass
print(sent)
EOF
flood=$!
fail=0
n=0
while kill -0 "$flood" 2> /dev/null || [ $n -lt 5 ]; do
	case $(fnat_get "http://$LAB_VIP/") in rs[123]) ;; *) fail=$((fail + 1)) ;; esac
	n=$((n + 1))
done
wait "$flood"
touch "$NLVS_TMP/flood.done"
tap_is "$fail" 0 "$n new FULLNAT requests during the flood all succeed"
wait "$held"
out=$(cat "$NLVS_TMP/held.out")
case $out in rs[123]) st=0 ;; *) st=1 ;; esac
tap_check $st "the connection established before the flood completes after it" "got '$out'"
rate1=$(nlvs_stat drop.host-rate)
up1=$(nlvs_stat host.up_queued)
full1=$(nlvs_stat drop.host-queue-full)
miss1=$(nlvs_stat port.lan.imissed)
noports1=$(udp_noports)
drops=$((rate1 - rate0 + full1 - full0))
seen=$((drops + up1 - up0))
tap_diag "flood: $(cat "$NLVS_TMP/flood.out") sent; up the twin +$((up1 - up0))," \
	"drop.host-rate +$((rate1 - rate0)), drop.host-queue-full +$((full1 - full0))," \
	"port.lan.imissed +$((miss1 - miss0)), kernel Udp NoPorts +$((noports1 - noports0))"
# at 2000/s the host takes a sliver of the flood, whatever the rate the
# dataplane saw it at (af_packet may lose some on a loaded machine: imissed)
tap_check $((rate1 - rate0 >= 1000 && drops * 10 >= seen * 8 ? 0 : 1)) \
	"the flood to the host address is cut by host-rate and counted" \
	"drop.host-rate $rate0 -> $rate1, host.up_queued $up0 -> $up1"
tap_check $((noports1 > noports0 ? 0 : 1)) \
	"what host-rate let through reached the LB's kernel" \
	"Udp NoPorts $noports0 -> $noports1"
echo_ok 10.77.1.1
tap_check $? "after the flood the host path carries TCP again" \
	"$(cat "$NLVS_TMP/socat-c.log")"

nlvsd_stop
tap_check $? "nlvsd stops cleanly"
nlvs_wait_until 10 no_link lan && nlvs_wait_until 10 no_link srv
tap_check $? "the twins vanish when nlvsd stops" "$(ip -n "$NS_L" link show 2>&1)"

# killed, the kernel closes its TAP descriptors: the twins go with them.
# This run keeps srv without a twin: its host traffic is dropped as before.
sed -i 's/^port srv .*/& twin off/' "$NLVS_TMP/nlvsd.conf"
nlvsd_start
tap_check $? "nlvsd starts again with \"twin off\" on port srv"
nlvs_wait_until 10 ip -n "$NS_L" link show dev lan > /dev/null 2>&1
tap_check $? "twin lan is back"
no_link srv
tap_check $? "no twin srv with \"twin off\""
before=$(nlvs_stat drop.host-traffic)
set -- $NS_RS
ip netns exec "$1" python3 -c '
import socket
s = socket.socket()
s.settimeout(1)
s.connect_ex(("10.77.2.1", 22))' > /dev/null 2>&1
nlvs_wait_until 20 nlvs_stat_ge drop.host-traffic $((before + 1))
tap_check $? "without a twin, TCP to a port address is dropped as host-traffic"
nlvsd_kill9
nlvs_wait_until 10 no_link lan
tap_check $? "the twin vanishes when nlvsd is killed (SIGKILL)" \
	"$(ip -n "$NS_L" link show 2>&1)"
# The twin's carrier follows its port's link.  af_packet ports report their
# link up whatever the veth does, so this runs nlvsd on a net_tap port (its
# link is the state of the kernel interface nlvsw0 the driver creates).
{
	grep '^eal ' "$NLVS_TMP/nlvsd.conf"
	echo "workers 1"
	echo "mbufs 2048"
	echo "port wan net_tap9,iface=nlvsw0"
} > "$NLVS_TMP/nlvsd-tap.conf"
cp "$NLVS_TMP/nlvsd-tap.conf" "$NLVS_TMP/nlvsd.conf"
nlvsd_start
tap_check $? "nlvsd starts on a net_tap port with the twin wan"
has_flag()
{
	ip -n "$NS_L" link show dev wan 2> /dev/null | grep -q "$1"
}
nlvs_wait_until 20 has_flag LOWER_UP
tap_check $? "twin wan has carrier while port wan has link" \
	"$(ip -n "$NS_L" link show dev wan 2>&1)"
ip -n "$NS_L" link set nlvsw0 down
nlvs_wait_until 20 has_flag NO-CARRIER
tap_check $? "twin wan loses carrier when port wan loses link" \
	"$(ip -n "$NS_L" link show dev wan; "$NLVSCTL" -s "$NLVS_SOCK" ports)"
ip -n "$NS_L" link set nlvsw0 up
nlvs_wait_until 20 has_flag LOWER_UP
tap_check $? "and regains it with the link" "$(ip -n "$NS_L" link show dev wan)"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
