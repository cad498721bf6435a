#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# SCTP virtual services (ipvsadm --sctp-service) forwarded by direct routing
# (-g) and IPIP tunnelling (-i), IPv4 and IPv6, in the DR lab
# (scripts/netns-dr-lab.sh).  The lab's kernels have no SCTP: the client's
# associations are made with scapy (sctp-direct.py) and the real servers'
# wire is captured, where every packet must be the client's own, byte for
# byte (but for the TTL the router and nlvsd took, as the kernel's IPVS
# does; the tunnel's outer header removed).
# Checked: rr spreads 30 associations 10/10/10, each on one real server;
# ipvsadm -Lc shows the kernel's input-only SCTP states (ESTABLISHED after
# COOKIE ECHO, CLOSED after SHUTDOWN COMPLETE, INIT after two INITs);
# ActiveConn/InActConn; --stats inbound only; weight 0 drains; a chunk
# other than INIT without a connection and hostile SCTP are dropped under
# their reasons.
LAB_FWD=dr
export LAB_FWD
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"

/usr/bin/python3 -c 'import scapy.layers.sctp' 2> /dev/null ||
	tap_skip_all "python3-scapy not installed"
direct_setup

SCTP_PY=$top_srcdir/tests/integration/sctp-direct.py

# sctp_py ARGS...: the helper in the client's namespace.
sctp_py()
{
	in_client /usr/bin/python3 "$SCTP_PY" "$@"
}

# sctp_send VIP PORT SPORT N OUT CHUNK...: packets that must reach the real
# servers (sent again while a capture has not seen them).
sctp_send()
{
	_a="$1 $2 $3 $4 $5"
	shift 5
	# shellcheck disable=SC2086
	sctp_py send $_a "$(echo $SCTP_CAPS | tr ' ' ',')" "$@"
}

# sctp_capture_start TAG: a capture on each real server's wire, into
# $NLVS_TMP/TAG.rsN; returns when all listen.
sctp_capture_start()
{
	_i=1
	SCTP_CAPS=
	for _ns in $NS_RS; do
		ip netns exec "$_ns" /usr/bin/python3 "$SCTP_PY" capture r0 \
			"$NLVS_TMP/$1.rs$_i" &
		nlvs_cleanup_add "kill $!"
		SCTP_PIDS="$SCTP_PIDS $!"
		SCTP_CAPS="$SCTP_CAPS $NLVS_TMP/$1.rs$_i"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086
	nlvs_wait_until 30 ls $SCTP_CAPS > /dev/null 2>&1
}

sctp_capture_stop()
{
	# shellcheck disable=SC2086
	kill $SCTP_PIDS 2> /dev/null
	SCTP_PIDS=
}

# sctp_states VS STATE: connections of VS in STATE (ipvsadm -Lcn) from the
# scenario's client ports $_p.. (those of a deleted service stay listed
# until they expire, as on the kernel).
sctp_states()
{
	fnat_ipvsadm -Lcn | awk -v v="$1" -v s="$2" -v lo="$_p" '
		$1 == "SCTP" && $3 == s && $5 == v {
			k = split($4, a, ":"); p = a[k] + 0
			if (p >= lo && p < lo + 1000) n++
		}
		END {print n + 0}'
}

# sctp_conns VS COLUMN: ActiveConn (5) or InActConn (6) summed over VS's dests.
sctp_conns()
{
	fnat_ipvsadm -Ln | awk -v v="$1" -v c="$2" '$1 == "SCTP" {on = ($2 == v)}
		on && $1 == "->" {s += $c} END {print s + 0}'
}

# sctp_scenario 4|6 SPORT FWD...: one family, one method, the client's
# associations from ports SPORT on (each scenario its own: a connection of
# a deleted service would take a port again, as on the kernel).
sctp_scenario()
{
	_fam=$1
	_p=$2
	shift 2
	_fwd=$*
	_what="IPv$_fam SCTP ($*)"
	direct_fam "$_fam"
	_vs=$_v:5000
	_tag=$(echo "$_fam$_fwd" | tr -cd 'a-z0-9')
	_sent=$NLVS_TMP/$_tag.sent
	fnat_ipvsadm -A --sctp-service "$_vs" -s rr && for _r in $(direct_rs "$_fam"); do
		fnat_ipvsadm -a --sctp-service "$_vs" -r "$_r:5000" "$@" || break
	done
	tap_check $? "$_what: ipvsadm adds an rr SCTP service with three real servers" \
		"$(fnat_ipvsadm -Ln)"
	sctp_capture_start "$_tag"

	# 30 associations: INIT, COOKIE ECHO, DATA each
	sctp_send "$_vip" 5000 "$_p" 30 "$_sent" init cookie data
	_out=$(/usr/bin/python3 "$SCTP_PY" compare "$_sent" $SCTP_CAPS)
	tap_is "$_out" "rs1=10 rs2=10 rs3=10 pkts=90 foreign=0 split=0" \
		"$_what: rr spreads 30 associations 10/10/10, packets unchanged"
	tap_is "$(sctp_states "$_vs" ESTABLISHED)" 30 \
		"$_what: ipvsadm -Lc: 30 ESTABLISHED (input-only: COOKIE ECHO)" \
		"$(fnat_ipvsadm -Lcn | head -n 5)"
	tap_is "$(sctp_conns "$_vs" 5) $(sctp_conns "$_vs" 6)" "30 0" \
		"$_what: ActiveConn 30, InActConn 0"

	# 15 shut down by the client: SHUTDOWN, SHUTDOWN COMPLETE -> CLOSED
	sctp_send "$_vip" 5000 "$_p" 15 "$_sent" shutdown shutdown-complete
	tap_is "$(sctp_states "$_vs" CLOSED) $(sctp_states "$_vs" ESTABLISHED)" "15 15" \
		"$_what: SHUTDOWN then SHUTDOWN COMPLETE: 15 CLOSED, 15 ESTABLISHED" \
		"$(fnat_ipvsadm -Lcn | head -n 5)"
	tap_is "$(sctp_conns "$_vs" 5) $(sctp_conns "$_vs" 6)" "15 15" \
		"$_what: ActiveConn 15, InActConn 15"

	# a retransmitted INIT: INIT1 -> INIT (the 61 s state)
	sctp_send "$_vip" 5000 $((_p + 100)) 1 "$_sent" init init2
	tap_is "$(sctp_states "$_vs" INIT)" 1 "$_what: INIT twice: state INIT" \
		"$(fnat_ipvsadm -Lcn | grep -v -e ESTABLISHED -e CLOSED)"

	# no connection and no INIT: the kernel drops it; hostile chunks too
	_ni=$(nlvs_stat drop.sctp-not-init)
	_bad=$(nlvs_stat drop.bad-sctp)
	sctp_py send "$_vip" 5000 $((_p + 200)) 1 "$_sent" - data
	sctp_py send "$_vip" 5000 $((_p + 300)) 1 "$_sent" - badlen0 badlong short
	nlvs_wait_until 20 nlvs_stat_ge drop.sctp-not-init $((_ni + 1))
	tap_check $? "$_what: DATA without a connection counted as sctp-not-init"
	nlvs_wait_until 20 nlvs_stat_ge drop.bad-sctp $((_bad + 3))
	tap_check $? "$_what: chunk length 0, past the packet, a short header: bad-sctp" \
		"bad-sctp $_bad -> $(nlvs_stat drop.bad-sctp)"

	# (at least: a packet lost on the way was sent again)
	_st=$(fnat_ipvsadm -Ln --stats | awk -v v="$_vs" '$2 == v {
		print $3, ($4 >= 122 ? "122+" : $4), $5, $7}')
	tap_is "$_st" "31 122+ 0 0" \
		"$_what: --stats counts inbound only (conns in-pkts out-pkts out-bytes)" \
		"$(fnat_ipvsadm -Ln --stats)"

	# weight 0 drains: six new associations avoid rs1
	fnat_ipvsadm -e --sctp-service "$_vs" -r "$_rs1:5000" -w 0 $_fwd
	sctp_send "$_vip" 5000 $((_p + 400)) 6 "$_sent.w0" init
	_out=$(/usr/bin/python3 "$SCTP_PY" compare "$_sent.w0" $SCTP_CAPS)
	case $_out in "rs1=0 rs2=3 rs3=3 pkts=6 "*) _st=0 ;; *) _st=1 ;; esac
	tap_check $_st "$_what: weight 0 drains: 6 new associations avoid rs1 ($_out)" "$_out"

	sctp_capture_stop
	fnat_ipvsadm -D --sctp-service "$_vs"
}

sctp_scenario 4 41000 -g
sctp_scenario 6 42000 -g
sctp_scenario 4 43000 -i
sctp_scenario 6 44000 -i --tun-type ipip

# NAT and FULLNAT would need the CRC32c recomputed: counted, not forwarded
fnat_ipvsadm -A --sctp-service "$LAB_VIP:5001" -s rr &&
	fnat_ipvsadm -a --sctp-service "$LAB_VIP:5001" -r "${LAB_RS_ADDRS%% *}:5001" -m
_n=$(nlvs_stat drop.sctp-nat-unsupported)
sctp_py send "$LAB_VIP" 5001 45000 1 "$NLVS_TMP/nat.sent" - init
nlvs_wait_until 20 nlvs_stat_ge drop.sctp-nat-unsupported $((_n + 1))
tap_check $? "an SCTP INIT to a NAT dest is counted as sctp-nat-unsupported"
tap_is "$(nlvs_stat drop.unknown-protocol)" 0 "nothing dropped as unknown-protocol"

direct_done
