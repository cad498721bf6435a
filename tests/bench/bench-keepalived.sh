#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench-keepalived.sh: keepalived starting BENCH_KA_VS (2000) virtual
# servers of 10 real servers each, every real server TCP_CHECK'ed (and
# passing), through nlvs-exec against nlvsd on the FULLNAT namespace lab.
# Prints the time from keepalived's start until ipvsadm lists the complete
# table, and what happened meanwhile to connections through a service set
# up before (LAB_VIP:80, HTTP, driven by fnat-conns.py from the start to
# past the end): the packet path must keep forwarding.  Root only; prints
# figures, asserts nothing on time.  Not run by make bench or make check:
#   sudo top_srcdir=.. top_builddir=. sh ../tests/bench/bench-keepalived.sh
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/fnat-lib.sh"

nvs=${BENCH_KA_VS:-2000}
nrs=10

nlvs_require_cmd keepalived
fnat_setup
NLVS_CMD_TIMEOUT=600
set -- $NS_RS

# ten real-server addresses spread over the lab's three servers, each
# with a listener of a deep backlog on port 9000 for the checks
# (http.server's backlog of 5 would make 20,000 checks fail)
rs=
for i in $(seq 1 $nrs); do
	ns=$(echo "$NS_RS" | awk -v i="$i" '{ print $((i - 1) % NF + 1) }')
	ip -n "$ns" addr add "10.77.2.$((120 + i))/24" dev r0
	rs="$rs 10.77.2.$((120 + i))"
done
for ns in $NS_RS; do
	ip netns exec "$ns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 9000))
s.listen(4096)
n = 0
while True:
    s.accept()[0].close()
    n += 1
    if n % 50 == 0:
        with open(sys.argv[1], "w") as f:
            f.write("%d\n" % n)
' "$NLVS_TMP/checks.$ns" > /dev/null 2>&1 &
	nlvs_cleanup_add "kill $!"
done
ip -n "$NS_B" addr add 10.77.2.250/24 dev br0

awk -v vip="$LAB_VIP" -v n="$nvs" -v rs="$rs" -v rs0="$LAB_RS_ADDRS" 'BEGIN {
	k = split(rs, r, " ")
	k0 = split(rs0, r0, " ")
	print "global_defs {\n\trouter_id nlvs_bench\n}"
	printf "virtual_server %s 80 {\n\tdelay_loop 60\n\tlb_algo rr\n", vip
	print "\tlb_kind NAT\n\tprotocol TCP"
	for (d = 1; d <= k0; d++)
		printf "\treal_server %s 80 {\n\t\tweight 1\n\t}\n", r0[d]
	print "}"
	for (s = 0; s < n; s++) {
		printf "virtual_server %s %d {\n\tdelay_loop 30\n\tlb_algo wrr\n", vip, 20000 + s
		print "\tlb_kind NAT\n\tprotocol TCP"
		for (d = 1; d <= k; d++) {
			printf "\treal_server %s 9000 {\n\t\tweight %d\n", r[d], d
			print "\t\tTCP_CHECK {\n\t\t\tconnect_timeout 10\n\t\t}\n\t}"
		}
		print "}"
	}
}' > "$NLVS_TMP/keepalived.conf"

complete()
{
	[ "$(fnat_ipvsadm -Ln | wc -l)" -ge $(( (nvs + 1) + nvs * nrs + 3 + 3 )) ]
}

# one HTTP GET after the other until the stop file appears: ok/failed
in_client timeout 900 python3 -c '
import os, socket, sys
ok = fail = 0
while not os.path.exists(sys.argv[2]):
    try:
        s = socket.create_connection((sys.argv[1], 80), 3)
        s.settimeout(3)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        ok += s.recv(64).startswith(b"HTTP/")
        s.close()
    except OSError:
        fail += 1
print("ok=%d fail=%d" % (ok, fail))
' "$LAB_VIP" "$NLVS_TMP/stop" > "$NLVS_TMP/conns.out" 2>&1 &
traffic=$!
nlvs_cleanup_add "kill $traffic 2> /dev/null"
t0=$(date +%s.%N)
nlvs_keepalived_start "$NS_B"
nlvs_wait_until 600 complete
st=$?
t1=$(date +%s.%N)
# and the dataplane's view: the last virtual server takes a connection
last_answers()
{
	in_client python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()' \
		"$LAB_VIP" $((20000 + nvs - 1)) 2> /dev/null
}
nlvs_wait_until 60 last_answers
dst=$?
td=$(date +%s.%N)
# the checks' first round (spread over delay_loop) runs meanwhile: wait
# until the listeners have taken a connection per real server of the
# burst, then see that none was taken out
checked()
{
	[ "$(cat "$NLVS_TMP"/checks.* 2> /dev/null | awk '{ n += $1 } END { print n + 0 }')" \
		-ge $((nvs * nrs - 50 * 3)) ]
}
nlvs_wait_until 300 checked
ck=$?
t2=$(date +%s.%N)
lines=$(fnat_ipvsadm -Ln | wc -l)
touch "$NLVS_TMP/stop"
wait "$traffic"
echo "keepalived: $nvs virtual servers x $nrs real servers (TCP_CHECK), $(uptime)"
awk -v a="$t0" -v b="$t1" -v st="$st" 'BEGIN {
	printf "start to complete table: %.2f s%s\n", b - a, st ? " (NOT complete)" : ""
}'
awk -v a="$t0" -v b="$t2" -v st="$ck" 'BEGIN {
	printf "start to every real server checked once: %.2f s%s\n", b - a,
		st ? " (NOT all checked)" : ""
}'
awk -v a="$t0" -v b="$td" -v st="$dst" 'BEGIN {
	printf "start to the last virtual server forwarding: %.2f s%s\n", b - a,
		st ? " (NOT forwarding)" : ""
}'
echo "checks answered: $(cat "$NLVS_TMP"/checks.* | awk '{ n += $1 } END { print n + 0 }')"
echo "ipvsadm -Ln lines then: $lines (complete: $(( (nvs + 1) + nvs * nrs + 3 + 3 )))"
echo "traffic through $LAB_VIP:80 meanwhile: $(cat "$NLVS_TMP/conns.out")"
grep -c "Removing service" "$NLVS_TMP/keepalived.log" | sed 's/^/keepalived removals (failed checks): /'
