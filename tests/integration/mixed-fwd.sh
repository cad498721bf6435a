#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# One service, three forwarding methods: FULLNAT (-m, the VIP has a laddr
# pool), direct routing (-g) and an ipip tunnel (-i) side by side
# (scripts/netns-dr-lab.sh).  Each connection keeps the method of the real
# server it was scheduled to: FULLNAT's real server sees the local address
# and answers through nlvsd, the others see the client and answer directly.
LAB_FWD=ipip
export LAB_FWD
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/direct-lib.sh"

nlvs_require_cmd sha256sum
nlvs_lab_up "$FNAT_LAB_SH"
echo "laddr $LAB_VIP 10.78.2.100" >> "$NLVS_TMP/nlvsd.conf"
nlvs_lab_start NS_L "nlvsd runs on the lab's ports with a laddr pool for the VIP"
set -- $LAB_RS_ADDRS
RS1=$1 RS2=$2 RS3=$3
V=$LAB_VIP:80

fnat_ipvsadm -A -t "$V" -s rr &&
	fnat_ipvsadm -a -t "$V" -r "$RS1:80" -m &&
	fnat_ipvsadm -a -t "$V" -r "$RS2:80" -g &&
	fnat_ipvsadm -a -t "$V" -r "$RS3:80" -i
tap_check $? "ipvsadm adds a rr service with a -m, a -g and a -i real server" \
	"$(fnat_ipvsadm -Ln)"

out=$(direct_spread 30 "http://$LAB_VIP/")
tap_is "$out" "rs1=10 rs2=10 rs3=10 fail=0" "rr spreads 30 requests 10/10/10 over three methods"

srcs()
{
	awk '/GET \/ / {sub(/^::ffff:/, "", $1); print $1}' "$LAB/rs$1.http.log" |
		sort -u | tr '\n' ' '
}
tap_is "$(srcs 1)" "10.78.2.100 " "the -m real server sees the local address"
tap_is "$(srcs 2)" "10.78.1.2 " "the -g real server sees the client"
tap_is "$(srcs 3)" "10.78.1.2 " "the -i real server sees the client"

want=$(sha256sum < "$LAB/big" | cut -d' ' -f1)
ok=0
for i in 1 2 3; do
	got=$(in_client curl -s -m 60 "http://$LAB_VIP/big" | sha256sum | cut -d' ' -f1)
	[ "$got" = "$want" ] && ok=$((ok + 1))
done
tap_is "$ok" 3 "a 5 MB download by each method arrives byte for byte"

st=$(fnat_ipvsadm -Ln --stats | awk '/->/ {printf "%s ", $5}')
set -- $st
tap_check $([ "${1:-0}" -gt 0 ] && [ "${2:-1}" = 0 ] && [ "${3:-1}" = 0 ] && echo 0 || echo 1) \
	"only the -m real server's connections count outbound packets ($st)" \
	"$(fnat_ipvsadm -Ln --stats)"

out=$(fnat_ipvsadm -Lcn)
n=0
for r in "$RS1" "$RS2" "$RS3"; do
	case $out in *"$r:80"*) n=$((n + 1)) ;; esac
done
tap_is "$n" 3 "ipvsadm -Lc lists connections to all three" "$(echo "$out" | head -n 8)"

direct_done
