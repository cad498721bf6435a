#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# keepalived, unmodified, on the load balancer itself under nlvs-exec: a
# vrrp_instance on the twin of port lan with a virtual_ipaddress, and a
# virtual server.  When keepalived becomes MASTER it puts the address on the
# twin; the kernel mirror makes the dataplane answer it (ARP, echo) and
# announce it; when keepalived stops, the address goes and is no longer
# answered.  Its IPVS commands reach nlvsd through the shim meanwhile: the
# service VIP answers HTTP through FULLNAT.
# Where nlvsd makes no twins itself, a tap named `lan` held open by a reader
# (so it has carrier, as net_tap's has: keepalived puts an instance on an
# interface without carrier in FAULT) stands in for it; VRRP adverts and
# keepalived's own gratuitous ARPs go into it and no further, so the one seen
# on the client's LAN is the dataplane's (with nlvsd's twins keepalived's
# reach the LAN too; kmirror.sh shows the dataplane's own).  A second
# node's failover: ha-failover.sh.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

nlvs_require_cmd keepalived tcpdump
[ -c /dev/net/tun ] || tap_skip_all "no /dev/net/tun"
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
# the stand-in twin, with carrier: a persistent tap and a reader holding it
if ! ip -n "$NS_L" link show lan > /dev/null 2>&1; then
	ip -n "$NS_L" tuntap add lan mode tap || tap_bail "cannot make the stand-in twin lan"
	cat > "$NLVS_TMP/tap-hold.py" <<'PY'
# open the tap named argv[1] (IFF_TAP | IFF_NO_PI) and drain it
import fcntl, os, struct, sys
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0002 | 0x1000))
print("holding", flush=True)
while True:
    os.read(fd, 65536)
PY
	ip netns exec "$NS_L" python3 -u "$NLVS_TMP/tap-hold.py" lan \
		> "$NLVS_TMP/tap-hold.log" 2>&1 &
	HOLD_PID=$!
	nlvs_cleanup_add "kill $HOLD_PID 2> /dev/null"
	nlvs_wait_until 30 grep -q holding "$NLVS_TMP/tap-hold.log" ||
		tap_bail "tap reader did not start: $(cat "$NLVS_TMP/tap-hold.log")"
fi
ip -n "$NS_L" link set lan up
# the host's own address on the twin (VRRP needs an IPv4 address there to
# send from): nlvsd.conf's port address, now held by the kernel too
ip -n "$NS_L" addr add 10.77.1.1/24 dev lan

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
# the client's side of the LAN: the dataplane's gratuitous ARP for the
# virtual address (keepalived's own go into the stand-in twin, nowhere)
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
tap_check $? "the dataplane announces it on the client's LAN (gratuitous ARP)" \
	"$(cat "$NLVS_TMP/arp.txt")"
out=$(in_client $PING $VADDR 3 2>&1)
tap_check $? "the virtual address answers echo through the dataplane" "$out"
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

kill -TERM $KA_PID
nlvs_wait_until 30 hasnt addrs "^$VADDR/"
tap_check $? "keepalived stopped: the virtual address leaves the dataplane" "$(ctl addrs)"
out=$(in_client $PING $VADDR 2 64 1 2>&1)
tap_check $((! $?)) "and no longer answers echo" "$out"
wait $KA_PID 2> /dev/null

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
