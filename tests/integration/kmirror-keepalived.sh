#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# keepalived, unmodified, on the load balancer itself under nlvs-exec: a
# vrrp_instance on nlvsd's twin of port lan with a virtual_ipaddress, and a
# virtual server.  When keepalived becomes MASTER it puts the addresses on
# the twin; the kernel mirror makes the dataplane answer them (ARP, echo)
# and announce them; when keepalived stops, they go and are no longer
# answered.  Its IPVS commands reach nlvsd through the shim meanwhile: the
# service VIP answers HTTP through FULLNAT.  The service VIP is one of the
# VRRP addresses too: TCP to it on a port no service has (ssh-like) goes up
# the twin to the LB's kernel while keepalived holds it, and is dropped as
# no-service once it does not.  The twin is nlvsd's (net_tap); keepalived's
# own gratuitous ARPs reach the LAN through it too (kmirror.sh shows the
# dataplane's alone).  A second node's failover: ha-failover.sh.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

nlvs_require_cmd keepalived tcpdump socat
PING="/usr/bin/python3 $top_srcdir/tests/integration/dp-ping.py"
nlvs_lab_up "$FNAT_LAB_SH"
VADDR=10.77.1.70
LB_MAC=$(ip -n "$NS_L" -o link show l0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
set -- $LAB_RS_ADDRS
RS1=$1 RS2=$2 RS3=$3

ctl() { "$NLVSCTL" -s "$NLVS_SOCK" "$@"; }
has() { ctl "$1" | grep -Eq "$2"; }
hasnt() { ! has "$@"; }

nlvs_lab_start NS_L "nlvsd runs on the lab's ports"
ip -n "$NS_L" -o link show lan 2> /dev/null | grep -q "link/ether $LB_MAC " ||
	tap_bail "nlvsd made no twin lan: $(ip -n "$NS_L" -o link)"
ip -n "$NS_L" link set lan up
# the host's own address on the twin (VRRP needs an IPv4 address there to
# send from): nlvsd.conf's port address, now held by the kernel too
ip -n "$NS_L" addr add 10.77.1.1/24 dev lan
# an ssh-like service of the LB's own host, on every address
ip netns exec "$NS_L" socat TCP-LISTEN:2222,reuseaddr,fork SYSTEM:'echo host-lb' \
	> "$NLVS_TMP/socat.log" 2>&1 &
SOCAT_PID=$!
nlvs_cleanup_add "kill $SOCAT_PID 2> /dev/null"

cat > "$NLVS_TMP/keepalived.conf" <<CONF
global_defs {
	router_id nlvs_lb1
	vrrp_garp_master_delay 0
}
vrrp_instance VI_1 {
	state BACKUP
	interface lan
	virtual_router_id 51
	priority 100
	advert_int 1
	virtual_ipaddress {
		$VADDR/32
		$LAB_VIP/32
	}
}
virtual_server $LAB_VIP 80 {
	delay_loop 2
	lb_algo rr
	lb_kind NAT
	protocol TCP
	real_server $RS1 80 {
	}
	real_server $RS2 80 {
	}
	real_server $RS3 80 {
	}
}
CONF
# the client's side of the LAN: gratuitous ARP for the virtual address
ip netns exec "$NS_C" tcpdump -l -n -i c0 arp > "$NLVS_TMP/arp.txt" 2> "$NLVS_TMP/tcpdump.err" &
TCPDUMP_PID=$!
nlvs_cleanup_add "kill $TCPDUMP_PID 2> /dev/null"
nlvs_wait_until 20 grep -q "listening on" "$NLVS_TMP/tcpdump.err" ||
	tap_bail "tcpdump did not start: $(cat "$NLVS_TMP/tcpdump.err")"
ip netns exec "$NS_L" "$NLVS_EXEC" -s "$NLVS_SOCK" keepalived -n -l -D -G \
	-f "$NLVS_TMP/keepalived.conf" -p "$NLVS_TMP/keepalived.pid" \
	-r "$NLVS_TMP/vrrp.pid" -c "$NLVS_TMP/checker.pid" \
	> "$NLVS_TMP/keepalived.log" 2>&1 < /dev/null &
KA_PID=$!
nlvs_cleanup_add "kill -KILL $KA_PID 2> /dev/null"

nlvs_wait_until 30 grep -q "Entering MASTER STATE" "$NLVS_TMP/keepalived.log"
tap_check $? "keepalived's VRRP instance on lan becomes MASTER" \
	"$(tail -n 20 "$NLVS_TMP/keepalived.log")"
nlvs_wait_until 20 has addrs "^$VADDR/32 +port +lan +kernel"
tap_check $? "its virtual_ipaddress is mirrored into the dataplane" "$(ctl addrs)"
nlvs_wait_until 20 grep -Eq "who-has $VADDR .*tell $VADDR" "$NLVS_TMP/arp.txt"
tap_check $? "it is announced on the client's LAN (gratuitous ARP)" \
	"$(cat "$NLVS_TMP/arp.txt")"
arp0=$(nlvs_stat arp_replies) echo0=$(nlvs_stat echo_replies)
in_client ip neigh flush dev c0 2> /dev/null
out=$(in_client $PING $VADDR 3 2>&1) &&
	[ "$(nlvs_stat arp_replies)" -gt "$arp0" ] && [ "$(nlvs_stat echo_replies)" -gt "$echo0" ]
tap_check $? "the virtual address answers ARP and echo through the dataplane" \
	"$out; arp_replies $arp0 -> $(nlvs_stat arp_replies), echo_replies $echo0 -> $(nlvs_stat echo_replies)"
out=$(in_client ip neigh show $VADDR dev c0)
case $out in *"lladdr $LB_MAC"*) st=0 ;; *) st=1 ;; esac
tap_check $st "the client resolved it by ARP to the port's MAC" "$out (want $LB_MAC)"

wait_rs()
{
	[ "$(fnat_ipvsadm -Ln 2> /dev/null | grep -c -- '->.*Masq')" = 3 ]
}
nlvs_wait_until 30 wait_rs
tap_check $? "keepalived's virtual server reached nlvsd through nlvs-exec" \
	"$(fnat_ipvsadm -Ln 2>&1)"
out=$(fnat_spread 6 "http://$LAB_VIP/")
tap_is "$out" "rs1=2 rs2=2 rs3=2 fail=0" "HTTP through the service VIP: rr over the three"

# the VIP is the kernel's too: what no service takes goes up the twin
up0=$(nlvs_stat host.up) ns0=$(nlvs_stat drop.no-service)
out=$(in_client timeout 20 socat -T 10 - "TCP:$LAB_VIP:2222" < /dev/null 2>&1)
case $out in host-*) st=0 ;; *) st=1 ;; esac
[ $st = 0 ] && [ "$(nlvs_stat host.up)" -gt "$up0" ] && [ "$(nlvs_stat drop.no-service)" = "$ns0" ]
tap_check $? "TCP to the VIP on a port without a service reaches the LB's kernel (up the twin)" \
	"got '$out'; host.up $up0 -> $(nlvs_stat host.up), drop.no-service $ns0 -> $(nlvs_stat drop.no-service)"

# a service VIP the kernel does not hold: no service on that port, dropped
fnat_ipvsadm -A -t 10.77.0.11:80 -s rr
ns0=$(nlvs_stat drop.no-service)
out=$(in_client timeout 10 socat -T 3 - "TCP:10.77.0.11:2222,connect-timeout=2" < /dev/null 2>&1)
case $out in host-*) st=1 ;; *) st=0 ;; esac
[ $st = 0 ] && nlvs_wait_until 10 nlvs_stat_ge drop.no-service $((ns0 + 1))
tap_check $? "a VIP the kernel does not hold: TCP to a port without a service is dropped as no-service" \
	"got '$out'; drop.no-service $ns0 -> $(nlvs_stat drop.no-service)"

kill -TERM $KA_PID
nlvs_wait_until 30 hasnt addrs "^$VADDR/"
tap_check $? "keepalived stopped: the virtual address leaves the dataplane" "$(ctl addrs)"
out=$(in_client $PING $VADDR 2 64 1 2>&1)
tap_check $((! $?)) "and no longer answers echo" "$out"
out=$(in_client timeout 10 socat -T 3 - "TCP:$LAB_VIP:2222,connect-timeout=2" < /dev/null 2>&1)
case $out in host-*) st=1 ;; *) st=0 ;; esac
tap_check $st "nor does TCP to the former VIP reach the LB's kernel" "got '$out'"
wait $KA_PID 2> /dev/null

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
