#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Two workers over ports with two queues (af_packet qpairs=2): return
# traffic from the real servers lands on either queue, so packets for a
# local port the other worker owns are handed over.  Everything completes
# and the hand-off counters moved.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

LAB_WORKERS=2
export LAB_WORKERS
fnat_setup
set -- $LAB_RS_ADDRS
RS1=$1

fnat_rr_service &&
	fnat_ipvsadm -A -u "$LAB_VIP:7" -s rr &&
	fnat_ipvsadm -a -u "$LAB_VIP:7" -r "$RS1:7" -m
tap_check $? "ipvsadm adds TCP and UDP services"

h0=$(($(nlvs_stat worker.0.handoff_out) + $(nlvs_stat worker.1.handoff_out)))
out=$(fnat_spread 40 "http://$LAB_VIP/")
case $out in *fail=0) st=0 ;; *) st=1 ;; esac
tap_check $st "40 sequential requests complete ($out)" "$out"

out=$(in_client timeout 120 python3 "$top_srcdir/tests/integration/fnat-conns.py" \
	"$LAB_VIP" 400 10 2>&1)
case $out in "ok=400 fail=0"*) st=0 ;; *) st=1 ;; esac
tap_check $st "400 parallel connections complete ($out)" "$out"

out=$(in_client python3 -c "
import socket
ok = 0
for i in range(20):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(b'w%d' % i, ('$LAB_VIP', 7))
    try:
        ok += s.recv(100).decode() == 'rs1 w%d' % i
    except OSError:
        pass
print(ok)" 2>&1)
tap_is "$out" "20" "20 UDP echo round trips from 20 sockets complete"

w0=$(nlvs_stat worker.0.rx)
w1=$(nlvs_stat worker.1.rx)
tap_check $([ "$w0" -gt 0 ] && [ "$w1" -gt 0 ] && echo 0 || echo 1) \
	"both workers received traffic ($w0 / $w1)"
h1=$(($(nlvs_stat worker.0.handoff_out) + $(nlvs_stat worker.1.handoff_out)))
tap_check $([ $((h1 - h0)) -gt 0 ] && echo 0 || echo 1) \
	"return traffic was handed to the owning worker ($((h1 - h0)) packets)"
drops=$(nlvs_stat drop.no-connection)
tap_diag "no-connection drops: $drops"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
