#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# IPv6 FULLNAT end to end: HTTP and UDP through an IPv6 VIP to IPv6 real
# servers from the VIP's IPv6 local address, echo to the VIP, -Lc in IPv6.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

fnat_setup
URL="http://[$LAB_VIP6]/"
set -- $LAB_RS_ADDRS6
RS1=$1

fnat_rr_service "$LAB_VIP6"
tap_check $? "ipvsadm adds an IPv6 rr service"

out=$(fnat_spread 30 "$URL")
tap_is "$out" "rs1=10 rs2=10 rs3=10 fail=0" "IPv6 rr: 30 requests spread 10/10/10"

srcs=$(cat "$LAB"/rs*.http.log | grep 'GET / ' | awk '{print $1}' | sort -u | tr '\n' ' ')
case " $srcs" in *fd00:77:1::2*) st=1 ;; *"$LAB_LADDR6"*) st=0 ;; *) st=1 ;; esac
tap_check $st "IPv6 real servers see the IPv6 local address" "$srcs"

fnat_ipvsadm -A -u "[$LAB_VIP6]:7" -s rr &&
	fnat_ipvsadm -a -u "[$LAB_VIP6]:7" -r "[$RS1]:7" -m
out=$(in_client python3 -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b'six', ('$LAB_VIP6', 7))
print(s.recv(100).decode())" 2>&1)
tap_is "$out" "rs1 six" "IPv6 UDP echo through the VIP"

out=$(in_client ping -6 -c 2 -W 5 "$LAB_VIP6" 2>&1)
tap_check $? "ping to the IPv6 VIP answers" "$out"

out=$(fnat_ipvsadm -Lcn)
case $out in *"[$LAB_VIP6]:80"*) st=0 ;; *) st=1 ;; esac
tap_check $st "ipvsadm -Lc lists IPv6 connections" "$(echo "$out" | head -n 5)"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
