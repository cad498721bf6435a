#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Path MTU discovery through SNAT: the outside network has a smaller MTU
# (1280 between the router and the outside host).  An inside host sending
# datagrams too big for it (DF, IPv4 and IPv6) gets the router's
# "fragmentation needed" / "packet too big", which quotes the translated
# packet (egress address and port) and which nlvsd translates back to the
# inside host: the host learns MTU 1280 for the outside host.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/snat-lib.sh"

snat_setup
# shellcheck disable=SC2086
set -- $LAB_INSIDE
H1=$1
ip -n "$NS_R" link set r1 mtu 1280
ip -n "$NS_O" link set o0 mtu 1280

snat_service 1 rr && snat_service 2 rr "$LAB_EGRESS6"
tap_check $? "SNAT services for IPv4 and IPv6; the outside link has MTU 1280"

before=$(nlvs_stat drop.no-connection)
for dst in "$LAB_OUT" "$LAB_OUT6"; do
	case $dst in *:*) src=$(echo "$LAB_INSIDE6" | cut -d' ' -f1) ;; *) src=$H1 ;; esac
	out=$(in_inside python3 "$top_srcdir/tests/integration/pmtu-probe.py" "$src" "$dst" 53 \
		1280)
	tap_check $? "$dst: the inside host learns MTU 1280 from the translated ICMP error ($out)" \
		"$out
$(nlvs_state_diag)"
done
after=$(nlvs_stat drop.no-connection)
tap_is "$((after - before))" 0 "every ICMP error found its connection"

# smaller datagrams still go through
out=$(snat_udp_query "$H1" "$LAB_OUT")
case $out in "ok "*) st=0 ;; *) st=1 ;; esac
tap_check $st "a UDP query that fits still goes through ($out)"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
