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

# persistence: one client stays on one real server; the template is listed
V=$LAB_VIP:80
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
