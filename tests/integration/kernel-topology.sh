#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel's IPVS selftest topology (client, director, real server in
# namespaces; socat transfers compared byte for byte), for direct routing
# and ipip tunnelling, run by the same script (ipvs-topology.sh) twice: with
# the kernel's IPVS as the director inside the kernel oracle (one boot for
# both methods), and with nlvsd on af_packet veth ports here.  Both must
# pass, and ipvsadm must show the same table, connection states and counters
# afterwards.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

TOPO=$top_srcdir/tests/integration/ipvs-topology.sh

nlvs_require_root
nlvs_require_cmd ipvsadm socat ip ss python3
nlvs_require_build
nlvs_tmpdir_make

# The kernel's side, in the guest (host paths under /tmp are hidden there:
# the script travels in the shared folder).  Started first: the guest boots
# while nlvsd's side runs.
kdir=$NLVS_TMP/oracle
mkdir -p "$kdir"
cp "$TOPO" "$kdir/ipvs-topology.sh"
cat > "$kdir/run.sh" << 'EOF'
/bin/sh "$ORACLE_OUT/ipvs-topology.sh" kernel "$ORACLE_OUT/kernel" dr tun
EOF
nlvs_oracle_start "$kdir"

# nlvsd's side, here.  This host's kernel may lack ipip: the real server's
# tunnel end is then scripts/tun-decap.py (the script says which it used).
ndir=$NLVS_TMP/nlvsd
NLVSD=$NLVSD NLVS_EXEC=$NLVS_EXEC TUN_DECAP=$top_srcdir/scripts/tun-decap.py \
	/bin/sh "$TOPO" nlvsd "$ndir" dr tun > "$NLVS_TMP/nlvsd-side.log" 2>&1

nlvs_oracle_wait "$kdir"
k=$kdir/kernel
[ ! -f "$k/skip" ] || tap_skip_all "kernel oracle ($(cat "$kdir/.oracle/kernel")): $(cat "$k/skip")"
[ ! -f "$ndir/skip" ] || tap_skip_all "here: $(cat "$ndir/skip")"
tap_diag "kernel side: $(cat "$kdir/.oracle/kernel")"

# the ICMP messages the client received, without their source address
icmp_says()
{
	sed 's/^[^ ]* > //' "$1" 2> /dev/null
}

icmp_from()
{
	cut -d' ' -f1 "$1" 2> /dev/null | sort -u
}

for m in dr tun; do
	case $m in
	dr) what="direct routing (-g)" ;;
	tun) what="ipip tunnelling (-i)" ;;
	esac
	if [ -f "$k/$m.skip" ]; then
		# never a silent pass: each check is reported as skipped, with
		# what the oracle's kernel lacks
		why="kernel oracle: $(cat "$k/$m.skip")"
		for c in "the kernel passes" "nlvsd passes" "same table" "same connection states" \
			"same Conns" "same outbound counters" "same ICMP to the client" \
			"same ICMP source"; do
			tap_skip "$what: $c" "$why"
		done
		continue
	fi
	tap_is "$(cat "$k/$m.result" 2> /dev/null)" pass \
		"$what: the transfers pass with the kernel's IPVS as the director ($(cat "$k/$m.rs" 2> /dev/null))" \
		"$(cat "$kdir/.oracle/script.log" "$k/$m.ipvsadm.log" 2> /dev/null)"
	tap_is "$(cat "$ndir/$m.result" 2> /dev/null)" pass \
		"$what: the same transfers pass with nlvsd as the director ($(cat "$ndir/$m.rs" 2> /dev/null))" \
		"$(cat "$NLVS_TMP/nlvsd-side.log" "$ndir/$m.ipvsadm.log" "$ndir/$m.nlvsd.log" \
			"$ndir/$m.decap.log" 2> /dev/null | tail -n 40)"
	tap_is "$(cat "$ndir/$m.table" 2> /dev/null)" "$(cat "$k/$m.table" 2> /dev/null)" \
		"$what: ipvsadm -Ln afterwards is the kernel's"
	tap_is "$(cat "$ndir/$m.conns" 2> /dev/null)" "$(cat "$k/$m.conns" 2> /dev/null)" \
		"$what: ipvsadm -Lc shows the kernel's connection states ($(tr '\n' ' ' < "$k/$m.conns"))"
	tap_is "$(cut -d' ' -f1 "$ndir/$m.stats" 2> /dev/null)" \
		"$(cut -d' ' -f1 "$k/$m.stats" 2> /dev/null)" "$what: Conns is the kernel's"
	tap_is "$(icmp_says "$ndir/$m.icmp")" "$(icmp_says "$k/$m.icmp")" \
		"$what: the client receives the kernel's ICMP messages ($(icmp_says "$k/$m.icmp" | tr '\n' ' '))"
	kout=$(cut -d' ' -f2- "$k/$m.stats" 2> /dev/null)
	nout=$(cut -d' ' -f2- "$ndir/$m.stats" 2> /dev/null)
	if [ "$m" = dr ]; then
		tap_is "$nout" "$kout" "$what: OutPkts OutBytes are the kernel's ($kout)"
		tap_is "$(icmp_from "$ndir/$m.icmp")" "$(icmp_from "$k/$m.icmp")" \
			"$what: ICMP sources are the kernel's"
		continue
	fi
	# The kernel's "fragmentation needed" for a tunnelled packet goes
	# through its own LOCAL_OUT hook, where IPVS finds the connection in
	# the quoted packet: it leaves from the VIP and is counted outbound
	# (576 bytes each); nlvsd does the same.
	n=$(cat "$k/$m.icmp.count" 2> /dev/null)
	tap_is "$kout" "$n $((n * 576))" \
		"$what: the kernel counts each of its $n ICMP errors as an outbound packet"
	tap_is "$nout" "$(cat "$ndir/$m.icmp.count") $(($(cat "$ndir/$m.icmp.count") * 576))" \
		"$what: nlvsd counts its ICMP errors outbound as the kernel does"
	tap_is "$(icmp_from "$ndir/$m.icmp")" "$(icmp_from "$k/$m.icmp")" \
		"$what: the frag-needed comes from the kernel's source (the VIP)"
done

tap_done
