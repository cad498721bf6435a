#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /proc/net/ip_vs* come from nlvsd through the shim (ipvs-genl.md 11):
# ipvsadm -Lc reads /proc/net/ip_vs_conn.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

nlvs_require_root
nlvs_require_build
nlvs_require_cmd ipvsadm
nlvs_tmpdir_make

conn_hdr='Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData'

# Without nlvsd the files cannot be opened, and the shim says why.
NLVS_SOCK=$NLVS_TMP/absent.sock
nlvs_exec cat /proc/net/ip_vs_conn > "$NLVS_TMP/out" 2> "$NLVS_TMP/err"
st=$?
[ $st -ne 0 ] && grep -q "^nlvs: cannot reach nlvsd at $NLVS_SOCK: " "$NLVS_TMP/err"
tap_check $? "/proc/net/ip_vs_conn without nlvsd fails with the shim's message" \
	"status $st: $(cat "$NLVS_TMP/err")"

NLVS_SOCK=$NLVS_TMP/ipvs.sock
if ! nlvsd_start; then
	tap_not_ok "nlvsd starts"
	tap_done
fi

got=$(nlvs_ipvsadm -L -c -n 2>&1)
tap_is "$got" "IPVS connection entries
pro expire state       source             virtual            destination" \
	"ipvsadm -Lcn prints the header of an empty table"
got=$(nlvs_ipvsadm -L -c 2>&1)
tap_is "$got" "IPVS connection entries
pro expire state       source             virtual            destination" \
	"ipvsadm -Lc (names resolved) too"

tap_is "$(nlvs_exec cat /proc/net/ip_vs_conn 2>&1)" "$conn_hdr" \
	"cat /proc/net/ip_vs_conn: the kernel's header, no entries"
tap_is "$(nlvs_exec head -n 1 /proc/self/net/ip_vs_conn 2>&1)" "$conn_hdr" \
	"/proc/self/net/ip_vs_conn is served too"

got=$(nlvs_exec cat /proc/net/ip_vs 2>&1)
tap_is "$got" "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn" \
	"/proc/net/ip_vs of an empty table"

nlvs_ipvsadm -A -t 10.0.0.1:80 -s wlc > /dev/null 2>&1
got=$(nlvs_exec sed -n 4p /proc/net/ip_vs 2>&1)
tap_is "$got" "TCP  0A000001:0050 wlc  " "/proc/net/ip_vs lists a service as the kernel does"

got=$(nlvs_exec head -n 2 /proc/net/ip_vs_stats 2>&1)
tap_is "$got" "   Total Incoming Outgoing         Incoming         Outgoing
   Conns  Packets  Packets            Bytes            Bytes" "/proc/net/ip_vs_stats header"

tap_done
