#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A change is in force when ipvsadm gets its ACK, whatever the size of the
# table: with 3,000 services of 10 dests restored, one weight set to 0, one
# real server deleted, one added, one service added and one deleted are
# each seen by the very next connections, opened right after the ACK (no
# sleep, no poll: ack-live.py).  So is a service on a brand-new VIP at the
# end of a restore of 30,000 services on as many VIPs (while L3's address
# table was rebuilt whole per VIP change, a new VIP in a table that big was
# held back and published from the tick).  nlvsd publishes a change by rebuilding
# only what it touched, so publishing before the ACK costs the change, not
# the table.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

nsvc=${NSVC:-3000}
fnat_setup
set -- $LAB_RS_ADDRS
rs1=$1 rs2=$2

fnat_rr_service
tap_check $? "ipvsadm adds the service that carries the traffic"

# services $LAB_VIP:20000.. of 10 dests each (addresses of a benchmark range)
awk -v vip="$LAB_VIP" -v n="$nsvc" 'BEGIN {
	for (s = 0; s < n; s++) {
		printf "-A -t %s:%d -s rr\n", vip, 20000 + s
		for (d = 1; d <= 10; d++)
			printf "-a -t %s:%d -r 198.18.%d.%d:80 -m\n", vip, 20000 + s,
				int(s / 25), (s % 25) * 10 + d
	}
}' > "$NLVS_TMP/rules"
t0=$(date +%s.%N)
NLVS_CMD_TIMEOUT=600 nlvs_ipvsadm -R < "$NLVS_TMP/rules"
st=$?
t1=$(date +%s.%N)
tap_check $st "ipvsadm -R of $nsvc services of 10 dests" "$(fnat_ipvsadm -Ln | wc -l) lines listed"
echo "# restore took $(echo "$t1 - $t0" | bc) s"
# let a restore's coalesced rebuilds (if any) settle first
sleep 2

ACK="$top_srcdir/tests/integration/ack-live.py"
exe()
{
	in_client python3 "$ACK" "$LAB_VIP" "$@"
}
# CMD... through nlvs-exec (ipvsadm reaches nlvsd by its socket, from
# the client's namespace too)
ipv()
{
	echo timeout -k 5 "$NLVS_CMD_TIMEOUT" "$NLVS_EXEC" -s "$NLVS_SOCK" ipvsadm "$@"
}

out=$(exe 80 6 $(ipv -e -t "$LAB_VIP:80" -r "$rs1:80" -m -w 0))
case " $out " in *" rs1 "*|*" - "*|*failed*) st=1 ;; *) st=0 ;; esac
tap_check $st "right after the ACK of weight 0 no new connection goes to rs1" "got '$out'"

out=$(exe 80 6 $(ipv -d -t "$LAB_VIP:80" -r "$rs2:80"))
case " $out " in *" rs1 "*|*" rs2 "*|*" - "*|*failed*) st=1 ;; *) st=0 ;; esac
tap_check $st "right after the ACK of a delete no new connection goes to rs2" "got '$out'"

out=$(exe 80 4 $(ipv -a -t "$LAB_VIP:80" -r "$rs2:80" -m))
case " $out " in *" rs2 "*) st=0 ;; *) st=1 ;; esac
case " $out " in *" rs1 "*|*" - "*) st=1 ;; esac
tap_check $st "right after the ACK of an add connections go to rs2 again" "got '$out'"

nlvs_ipvsadm -A -t "$LAB_VIP:81" -s rr
out=$(exe 81 2 $(ipv -a -t "$LAB_VIP:81" -r "$rs1:80" -m))
tap_is "$out" "rs1 rs1" "right after the ACK a new service on port 81 answers"

out=$(exe 81 1 $(ipv -D -t "$LAB_VIP:81"))
tap_is "$out" "-" "right after the ACK of its delete it does not"

# a restore of 30,000 more services, each on a VIP of its own, that ends
# with a service on a brand-new VIP: that one answers right after the ACK
# (kernel IPVS does), not once a tick publishes the VIPs held back
nvip=${NVIP:-30000}
newvip=10.77.0.99
awk -v n="$nvip" -v newvip="$newvip" -v rs="$rs1" 'BEGIN {
	for (s = 0; s < n; s++) {
		vip = sprintf("10.78.%d.%d", int(s / 250), s % 250 + 1)
		printf "-A -t %s:80 -s rr\n-a -t %s:80 -r 198.18.200.1:80 -m\n", vip, vip
	}
	printf "-A -t %s:80 -s rr\n-a -t %s:80 -r %s:80 -m\n", newvip, newvip, rs
}' > "$NLVS_TMP/vips"
to=$NLVS_CMD_TIMEOUT
NLVS_CMD_TIMEOUT=600
t0=$(date +%s.%N)
out=$(in_client python3 "$ACK" "$newvip" 80 2 $(ipv -R) < "$NLVS_TMP/vips")
t1=$(date +%s.%N)
NLVS_CMD_TIMEOUT=$to
echo "# restore of $nvip services on as many VIPs took $(echo "$t1 - $t0" | bc) s"
tap_is "$out" "rs1 rs1" "right after the ACK of a restore of $nvip VIPs the last, new one answers"

out=$(in_client python3 "$ACK" "$newvip" 80 1 $(ipv -D -t "$newvip:80"))
tap_is "$out" "-" "right after the ACK of its delete the VIP does not"

out=$(fnat_get "http://$LAB_VIP:80/")
case $out in rs[23]) st=0 ;; *) st=1 ;; esac
tap_check $st "the service still answers" "got '$out'"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
