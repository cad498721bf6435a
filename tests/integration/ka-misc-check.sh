#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# keepalived's MISC_CHECK through nlvs-exec: the checker forks a script per
# real server (misc_dynamic: exit 0 up, 1 down, 2+N up with weight N), and
# the script runs with the shim preloaded, as every child of keepalived does.
# A script that fails takes its real server out, one that exits 2+N sets its
# weight, and an ipvsadm run from inside the script reads nlvsd's table, as
# it reads the kernel's under kernel IPVS.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

fnat_ka_setup

# the checkers' vantage point: an address on the real servers' bridge
ip -n "$NS_B" addr add 10.77.2.250/24 dev br0

# check.sh N: what $NLVS_TMP/rsN.state says ("down", "weight K" or nothing:
# up); rs1's script also records the table ipvsadm shows it.
cat > "$NLVS_TMP/check.sh" <<EOF
#!/bin/sh
[ "\$1" = 1 ] && ipvsadm -Ln > "$NLVS_TMP/script-table.new" 2>&1 &&
	mv "$NLVS_TMP/script-table.new" "$NLVS_TMP/script-table"
read -r what k < "$NLVS_TMP/rs\$1.state" 2> /dev/null
case \$what in
down) exit 1 ;;
weight) exit \$((k + 2)) ;;
esac
exit 0
EOF
chmod +x "$NLVS_TMP/check.sh"
: > "$NLVS_TMP/rs1.state"
: > "$NLVS_TMP/rs2.state"
: > "$NLVS_TMP/rs3.state"

{
	cat <<CONF
global_defs {
	router_id nlvs_misc
}
virtual_server $LAB_VIP 80 {
	delay_loop 1
	lb_algo wrr
	lb_kind NAT
	protocol TCP
CONF
	for rs in "$RS1" "$RS2" "$RS3"; do
		n=${rs##*.}
		n=$((n - 10))
		cat <<CONF
	real_server $rs 80 {
		weight 1
		MISC_CHECK {
			misc_path "$NLVS_TMP/check.sh $n"
			misc_timeout 10
			misc_dynamic
		}
	}
CONF
	done
	echo "}"
} > "$NLVS_TMP/keepalived.conf"

nlvs_keepalived_start "$NS_B"
fnat_ka_wait_table 30 ' Masq +1 ' 3
tap_check $? "MISC_CHECK scripts exit 0: keepalived adds the three real servers" \
	"$(fnat_ka_diag)"
fnat_ka_spread_is 30 "rs1=10 rs2=10 rs3=10 fail=0" "wrr 1/1/1 through keepalived's service: 10/10/10"

nlvs_wait_until 30 grep -qs "^TCP  $LAB_VIP:80 wrr" "$NLVS_TMP/script-table"
tap_check $? "ipvsadm run by the check script (shim inherited) reads nlvsd's table" \
	"$(cat "$NLVS_TMP/script-table" 2>&1)"

echo down > "$NLVS_TMP/rs2.state"
fnat_ka_wait_table 30 "$RS2:80" 0
tap_check $? "rs2's script exits 1: keepalived removes rs2" "$(fnat_ka_diag)"

echo "weight 3" > "$NLVS_TMP/rs3.state"
fnat_ka_wait_table 30 "$RS3:80 +Masq +3 " 1
tap_check $? "rs3's script exits 5 (misc_dynamic): keepalived sets rs3's weight to 3" \
	"$(fnat_ka_diag)"
fnat_ka_spread_is 40 "rs1=10 rs2=0 rs3=30 fail=0" "wrr 1/-/3 without rs2: 10/0/30"

: > "$NLVS_TMP/rs2.state"
fnat_ka_wait_table 30 "$RS2:80 +Masq +1 " 1
tap_check $? "rs2's script exits 0 again: keepalived puts rs2 back" "$(fnat_ka_diag)"

fnat_ka_done
