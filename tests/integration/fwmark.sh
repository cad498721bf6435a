#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Firewall-mark services (ipvsadm -A -f) through nlvsd: "mark" lines of
# nlvsd.conf mark the VIP's TCP ports 80 and 9000 (what iptables' mangle
# MARK rule does for the kernel), one fwmark service takes both, its real
# servers forwarded by direct routing and then by FULLNAT.  The lab is
# scripts/netns-dr-lab.sh (real servers hold the VIP on lo).
LAB_FWD=dr
export LAB_FWD
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"

nlvs_require_cmd sha256sum
nlvs_lab_up "$FNAT_LAB_SH"
{
	echo "mark 7 to $LAB_VIP/32 proto tcp dport 80"
	echo "mark 7 to $LAB_VIP/32 proto tcp dport 9000"
	echo "laddr $LAB_VIP 10.78.2.2"
} >> "$NLVS_TMP/nlvsd.conf"
nlvs_lab_start NS_L "nlvsd runs on the lab's ports with mark rules"

# fwmark_svc FWD...: service -f 7 (rr) with the three real servers by FWD
fwmark_svc()
{
	fnat_ipvsadm -A -f 7 -s rr || return 1
	for _r in $LAB_RS_ADDRS; do
		fnat_ipvsadm -a -f 7 -r "$_r" "$@" || return 1
	done
}

# fwmark_col FIELD: FIELD ($3 conns, $5 out-pkts, $7 out-bytes) of FWM 7
# in ipvsadm -Ln --stats
fwmark_col()
{
	fnat_ipvsadm -Ln --stats | awk -v f="$1" '$1 == "FWM" && $2 == "7" {print $f}'
}

unsup0=$(nlvs_stat drop.forwarding-method-unsupported)
fwmark_svc -g
tap_check $? "ipvsadm adds fwmark service 7 with three DR real servers" "$(fnat_ipvsadm -Ln)"
out=$(fnat_ipvsadm -Ln)
case $out in *"FWM  7 rr"*) st=0 ;; *) st=1 ;; esac
tap_check $st "ipvsadm -Ln lists FWM 7" "$out"

direct_transfers "fwmark DR" "$LAB_VIP" "$LAB_VIP"

out=$(fnat_ipvsadm -Lcn)
case $out in *"$LAB_VIP:80 "*) st=0 ;; *) st=1 ;; esac
tap_check $st "ipvsadm -Lcn shows fwmark connections with the packet's VIP:80" "$out"
case $out in *"$LAB_VIP:9000 "*) st=0 ;; *) st=1 ;; esac
tap_check $st "ipvsadm -Lcn shows the connection to VIP:9000 too" "$out"

conns=$(fwmark_col 3)
[ "${conns:-0}" -ge 32 ] && [ "$(fwmark_col 5)" = 0 ] && [ "$(fwmark_col 7)" = 0 ]
tap_check $? "--stats of FWM 7: $conns connections, outbound zero" "$(fnat_ipvsadm -Ln --stats)"

tap_is "$(nlvs_stat drop.forwarding-method-unsupported)" "$unsup0" \
	"nothing counted as forwarding-method-unsupported"

# traffic no rule marks is not the fwmark service's: UDP to the VIP goes
# to its own service
fnat_ipvsadm -A -u "$LAB_VIP:7" -s rr && for r in $LAB_RS_ADDRS; do
	fnat_ipvsadm -a -u "$LAB_VIP:7" -r "$r:7" -g || break
done
c0=$(fwmark_col 3)
out=$(direct_udp "$LAB_VIP" 6)
tap_is "$out" "rs1=2 rs2=2 rs3=2 fail=0" "UDP (no mark rule) goes to its own service"
tap_is "$(fwmark_col 3)" "$c0" "the fwmark service took none of the unmarked flows"
fnat_ipvsadm -D -u "$LAB_VIP:7"

# weight 0 drains
rs1=${LAB_RS_ADDRS%% *}
fnat_ipvsadm -e -f 7 -r "$rs1" -w 0 -g
out=$(fnat_spread 12 "http://$LAB_VIP/")
tap_is "$out" "rs1=0 rs2=6 rs3=6 fail=0" "weight 0 drains: new connections avoid rs1"
fnat_ipvsadm -e -f 7 -r "$rs1" -w 1 -g

# persistence: one template per client for every port of the mark
fnat_ipvsadm -E -f 7 -s rr -p 600
tap_check $? "ipvsadm makes FWM 7 persistent (-p 600)"
c2=$LAB_CLIENT2
out=$(direct_spread_from "$c2" 6 "http://$LAB_VIP/")
case $out in
"rs1=6 rs2=0 rs3=0 fail=0" | "rs1=0 rs2=6 rs3=0 fail=0" | "rs1=0 rs2=0 rs3=6 fail=0") st=0 ;;
*) st=1 ;;
esac
tap_check $st "-p 600: a client stays on one real server over port 80 ($out)"
got=$(in_client python3 -c "import socket
s = socket.create_connection(('$LAB_VIP', 9000), 10, ('$c2', 0))
s.sendall(b'x'); s.shutdown(socket.SHUT_WR)
print(s.makefile('rb').read().decode().strip())")
tap_is "$got" "$(printf x | sha256sum | cut -d' ' -f1)" "-p 600: the client's port 9000 answers"
out=$(fnat_ipvsadm -Lcn)
dests=$(echo "$out" | awk -v v="$LAB_VIP" -v c="$c2" '$1 == "TCP" && $4 ~ "^" c ":" &&
	($5 == v ":80" || $5 == v ":9000") { split($6, d, ":"); print d[1] }' | sort -u)
[ -n "$dests" ] && [ "$(echo "$dests" | wc -w)" = 1 ]
tap_check $? "-p 600: ports 80 and 9000 went to the same server ($dests)" "$out"
case $out in *NONE*"0.0.0.7:0 "*) st=0 ;; *) st=1 ;; esac
tap_check $st "ipvsadm -Lcn lists one template for the mark (vaddr 0.0.0.7:0)" "$out"
fnat_ipvsadm -D -f 7

# FULLNAT dests of the same mark (the VIP's laddr pool)
fwmark_svc -m
tap_check $? "ipvsadm adds FWM 7 with three masquerading (FULLNAT) real servers"
out=$(fnat_spread 30 "http://$LAB_VIP/")
tap_is "$out" "rs1=10 rs2=10 rs3=10 fail=0" "fwmark FULLNAT: rr spreads 30 requests 10/10/10"
fnat_ipvsadm -D -f 7

# keepalived: virtual_server fwmark 7 with lb_kind DR, checked from the
# router that shares the real servers' bridge
if command -v keepalived > /dev/null; then
	{
		printf 'global_defs {\n\trouter_id nlvs_fwm\n}\n'
		printf 'virtual_server fwmark 7 {\n\tdelay_loop 1\n\tlb_algo rr\n\tlb_kind DR\n'
		for r in $LAB_RS_ADDRS; do
			printf '\treal_server %s 80 {\n\t\tweight 1\n' "$r"
			printf '\t\tTCP_CHECK {\n\t\t\tconnect_port 80\n\t\t\tconnect_timeout 5\n'
			printf '\t\t\tretry 1\n\t\t\tdelay_before_retry 1\n\t\t}\n\t}\n'
		done
		echo "}"
	} > "$NLVS_TMP/keepalived.conf"
	nlvs_keepalived_start "$NS_R"
	nlvs_wait_until 30 fnat_table_has ' Route +1 ' 3
	tap_check $? "keepalived puts virtual_server fwmark 7 in with three Route real servers" \
		"$(fnat_ka_diag)"
	out=$(fnat_ipvsadm -Ln)
	case $out in *"FWM  7 rr"*) st=0 ;; *) st=1 ;; esac
	tap_check $st "ipvsadm -Ln lists keepalived's FWM 7" "$out"
	out=$(fnat_spread 30 "http://$LAB_VIP/")
	tap_is "$out" "rs1=10 rs2=10 rs3=10 fail=0" "keepalived fwmark DR: rr spreads 30 requests 10/10/10"
	kill -TERM "$NLVS_KA_PID"
	wait "$NLVS_KA_PID" 2> /dev/null
	nlvs_wait_until 30 fnat_table_has 'FWM' 0
	tap_check $? "SIGTERM: keepalived removes FWM 7" "$(fnat_ipvsadm -Ln)"
else
	for t in "puts FWM 7 in" "listed" "rr spreads" "SIGTERM removes it"; do
		tap_skip "keepalived fwmark: $t" "keepalived not installed"
	done
fi

nlvs_alive
tap_check $? "nlvsd is still running"
tap_done
