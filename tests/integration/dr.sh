#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Direct routing (ipvsadm -g) through nlvsd, IPv4 and IPv6: the real servers
# hold the VIP on lo (arp_ignore/arp_announce) and answer the client through
# a router nlvsd is not on (scripts/netns-dr-lab.sh).
LAB_FWD=dr
export LAB_FWD
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"

direct_setup
direct_scenario 4 -g
direct_scenario 6 -g

V=$LAB_VIP:80

# A SYN whose TTL runs out at nlvsd: as the kernel's DR transmitter, the
# connection is filed (SYN_RECV, counted inbound) before "time exceeded"
# goes back to the client.
# time_excds: the client's count of ICMP "time exceeded" received
time_excds()
{
	in_client awk '$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++)
		if ($i == "InTimeExcds") c = i; h = 1; next } $1 == "Icmp:" { print $c }' /proc/net/snmp
}
direct_svc "$V" 80 -g
tap_check $? "ipvsadm makes the DR service again"
te0=$(time_excds)
ttl0=$(nlvs_stat drop.ttl-exceeded)
cport=$(in_client python3 -c "import socket, time
s = socket.socket()
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 2)	# the router takes one
s.bind(('$LAB_CLIENT2', 0))
s.setblocking(False)
try:
    s.connect(('$LAB_VIP', 80))
except BlockingIOError:
    pass
print(s.getsockname()[1], flush=True)
time.sleep(0.5)")
ttl_seen() { [ "$(nlvs_stat drop.ttl-exceeded)" -gt "$ttl0" ]; }
nlvs_wait_until 10 ttl_seen
tap_check $? "TTL 1 at nlvsd: drop.ttl-exceeded counted" "$(nlvs_stat drop.ttl-exceeded)"
out=$(fnat_ipvsadm -Lcn)
case $out in
*"TCP "*" SYN_RECV "*"$LAB_CLIENT2:$cport "*"$V "*) st=0 ;;
*) st=1 ;;
esac
tap_check $st "ipvsadm -Lcn lists the connection in SYN_RECV, as the kernel files it" "$out"
te1=$(time_excds)
[ "$te1" -gt "$te0" ]
tap_check $? "the client got time exceeded ($te0 -> $te1)"
fnat_ipvsadm -D -t "$V"

# persistence: one client stays on one real server; the template is listed
direct_svc "$V" 80 -g && fnat_ipvsadm -E -t "$V" -s rr -p 600
tap_check $? "ipvsadm makes a persistent (-p 600) DR service"
out=$(direct_spread_from "$LAB_CLIENT2" 12 "http://$LAB_VIP/")
case $out in
"rs1=12 rs2=0 rs3=0 fail=0" | "rs1=0 rs2=12 rs3=0 fail=0" | "rs1=0 rs2=0 rs3=12 fail=0") st=0 ;;
*) st=1 ;;
esac
tap_check $st "-p 600: one client stays on one real server ($out)" "$out"
out=$(fnat_ipvsadm -Lcn)
case $out in *NONE*"$LAB_VIP:80"*) st=0 ;; *) st=1 ;; esac
tap_check $st "ipvsadm -Lc lists the persistence template" "$(echo "$out" | grep -v FIN_WAIT)"

direct_done
