#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# laddr pools change on SIGHUP without dropping connections: nlvsd starts
# with the pool 10.77.2.100 for the VIP; a reload adds 10.77.2.101 and a
# new VIP 10.77.0.11 with the pool 10.77.2.102 (services added on it
# afterwards are FULLNAT from that pool, the first VIP uses both of its
# addresses); a second reload removes 10.77.2.100 while a TCP connection
# and a UDP flow hold ports of it: both keep working, new connections use
# 10.77.2.101 only, and once they are gone 10.77.2.100 is released (no
# more ARP answers) while 10.77.2.101 still answers.  Reloads that cannot
# be applied (a bad laddr line, more local addresses than ids) are refused
# and change nothing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

VIP2=10.77.0.11

# the lab of fnat_setup, but nlvsd starts with a pool of one address
nlvs_lab_up "$FNAT_LAB_SH"
grep -v '^laddr 10\.77\.0\.10 ' "$LAB/nlvsd.conf" > "$NLVS_TMP/nlvsd.base"
conf_laddr()
{
	{
		cat "$NLVS_TMP/nlvsd.base"
		printf '%s\n' "$@"
	} > "$NLVS_TMP/nlvsd.conf"
}
conf_laddr "laddr $LAB_VIP 10.77.2.100"
nlvs_lab_start NS_L "nlvsd runs with the pool 10.77.2.100"
NS_RS1=${NS_RS%% *}

cat > "$NLVS_TMP/cl.py" <<'PY'
import os, socket, struct, sys, time
mode, vip = sys.argv[1], sys.argv[2]
RST = struct.pack("ii", 1, 0)

def get(s):
    s.settimeout(4)
    data = s.makefile("rb").read()  # all of it, until the server closes
    # RST, not FIN: no TIME_WAIT keeps the local port held for minutes
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
    s.close()
    return data.split(b"\r\n\r\n", 1)[-1].decode().strip()

if mode == "get":		# N sequential GETs: "ok=N fail=M"
    ok = fail = 0
    for i in range(int(sys.argv[3])):
        try:
            s = socket.create_connection((vip, 80), 4)
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            ok, fail = (ok + 1, fail) if get(s).startswith("rs") else (ok, fail + 1)
        except OSError:
            fail += 1
    print("ok=%d fail=%d" % (ok, fail))
elif mode == "hold":		# one GET, finished once FLAG exists (FLAG.up: begun)
    s = socket.create_connection((vip, 80), 4)
    s.sendall(b"GET / HTTP/1.0\r\n")
    open(sys.argv[3] + ".up", "w").close()
    t = time.time()
    while not os.path.exists(sys.argv[3]) and time.time() - t < 120:
        time.sleep(0.1)
    s.sendall(b"\r\n")
    print(get(s))
elif mode == "flow":		# one UDP socket, a datagram each 0.25 s until STOP
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 42000))
    s.settimeout(5)		# a busy machine is slow, not lossy
    out = open(sys.argv[4], "w")
    i = 0
    while not os.path.exists(sys.argv[3]) and i < 480:
        s.sendto(b"flow %d" % i, (vip, 7))
        try:
            d = s.recv(2048).decode()
            out.write(("ok %d\n" if d.endswith(" flow %d" % i) else "bad %d\n") % i)
        except socket.timeout:
            out.write("lost %d\n" % i)
        out.flush()
        i += 1
        time.sleep(0.25)
elif mode == "udp":		# N sockets, one datagram each: "ok=N fail=M"
    ok = fail = 0
    for i in range(int(sys.argv[3])):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(sys.argv[4]) + i))
        s.settimeout(5)
        s.sendto(b"u%d" % i, (vip, 7))
        try:
            ok, fail = (ok + 1, fail) if s.recv(2048).endswith(b" u%d" % i) else \
                (ok, fail + 1)
        except socket.timeout:
            fail += 1
        s.close()
    print("ok=%d fail=%d" % (ok, fail))
PY
cl()
{
	in_client timeout 150 python3 "$NLVS_TMP/cl.py" "$@" 2>&1
}

# mark KIND: how long the real servers' KIND logs (http, udp) are now;
# srcs KIND: the sources they logged since, sorted, unique, leaving out
# the long UDP flow (its server-side source "ADDR PORT" in $FLOW_SRC).
mark()
{
	for _f in "$LAB"/rs*."$1".log; do
		echo "$_f $(grep -c . "$_f")"
	done > "$NLVS_TMP/mark.$1"
}
srcs()
{
	while read -r _f _n; do
		tail -n "+$((_n + 1))" "$_f"
	done < "$NLVS_TMP/mark.$1" | sed 's/^::ffff://' |
		awk -v f="${FLOW_SRC:-}" 'NF && $1 " " $2 != f {print $1}' |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}
FLOW_SRC=

# hup WHAT: SIGHUP, then nlvsd's verdict: 0 applied, 1 refused, 2 no answer
hup()
{
	_ok=$(grep -c 'configuration reloaded' "$NLVS_TMP/nlvsd.log")
	_no=$(grep -c 'keeping the' "$NLVS_TMP/nlvsd.log")
	kill -HUP "$NLVSD_PID"
	_t=0
	while [ $_t -lt 50 ]; do
		[ "$(grep -c 'configuration reloaded' "$NLVS_TMP/nlvsd.log")" -gt "$_ok" ] &&
			return 0
		[ "$(grep -c 'keeping the' "$NLVS_TMP/nlvsd.log")" -gt "$_no" ] && return 1
		sleep 0.1
		_t=$((_t + 1))
	done
	return 2
}

# rs_ping ADDR: does ADDR answer a real server that has to ask ARP afresh?
rs_ping()
{
	ip -n "$NS_RS1" neigh flush all
	ip netns exec "$NS_RS1" ping -c 2 -i 0.3 -W 1 "$1" > /dev/null 2>&1
}

# is GOT EXPECTED DESC [DIAG]: tap_is, with the state of nlvsd on failure
is()
{
	if [ "$1" = "$2" ]; then
		tap_ok "$3"
	else
		tap_not_ok "$3" "$(nlvs_diff_text "$2" "$1")
${4:-$(nlvs_state_diag)}"
	fi
}

add_services()
{
	fnat_ipvsadm -A -t "$1:80" -s rr && fnat_ipvsadm -A -u "$1:7" -s rr || return 1
	for _r in $LAB_RS_ADDRS; do
		fnat_ipvsadm -a -t "$1:80" -r "$_r:80" -m &&
			fnat_ipvsadm -a -u "$1:7" -r "$_r:7" -m || return 1
	done
}
add_services "$LAB_VIP" && fnat_ipvsadm --set 0 0 3
tap_check $? "ipvsadm adds TCP and UDP services on $LAB_VIP, UDP timeout 3 s"

mark http
out=$(cl get "$LAB_VIP" 6)
is "$out/$(srcs http)" "ok=6 fail=0/10.77.2.100" \
	"6 requests to $LAB_VIP come from 10.77.2.100, the only address of its pool"

# a TCP connection and a UDP flow through 10.77.2.100, alive across both reloads
cl hold "$LAB_VIP" "$NLVS_TMP/release" > "$NLVS_TMP/held.out" &
held=$!
mark udp
cl flow "$LAB_VIP" "$NLVS_TMP/stop" "$NLVS_TMP/flow.out" > "$NLVS_TMP/flow.err" &
flow=$!
nlvs_cleanup_add "touch '$NLVS_TMP/release' '$NLVS_TMP/stop'"
# both up before the reloads (python may take seconds to start on a loaded
# machine)
nlvs_wait_until 30 test -f "$NLVS_TMP/release.up"
tap_check $? "a TCP connection through $LAB_VIP is established"
nlvs_wait_until 30 eval '[ -n "$(srcs udp)" ]'
is "$(srcs udp)" "10.77.2.100" "the UDP flow reaches the servers from 10.77.2.100"
FLOW_SRC=$(cat "$LAB"/rs*.udp.log | sed 's/^::ffff://' | awk '{print $1, $2}' | tail -n 1)

conf_laddr "laddr $LAB_VIP 10.77.2.100 10.77.2.101" "laddr $VIP2 10.77.2.102"
hup
st=$?
tap_check $st "reload adding 10.77.2.101 and the VIP $VIP2 with pool 10.77.2.102 is applied" \
	"$(tail -n 5 "$NLVS_TMP/nlvsd.log")"
add_services "$VIP2"
tap_check $? "ipvsadm adds services on $VIP2"

mark http
out=$(cl get "$VIP2" 6)
is "$out/$(srcs http)" "ok=6 fail=0/10.77.2.102" \
	"6 requests to the new VIP $VIP2 come from its pool 10.77.2.102"
mark udp
out=$(cl udp "$VIP2" 4 43000)
is "$out/$(srcs udp)" "ok=4 fail=0/10.77.2.102" \
	"4 UDP flows to $VIP2 come from 10.77.2.102"
mark http
out=$(cl get "$LAB_VIP" 12)
is "$out/$(srcs http)" "ok=12 fail=0/10.77.2.100 10.77.2.101" \
	"12 requests to $LAB_VIP come from 10.77.2.100 and the added 10.77.2.101"

conf_laddr "laddr $LAB_VIP 10.77.2.101" "laddr $VIP2 10.77.2.102"
hup
st=$?
tap_check $st "reload removing 10.77.2.100 is applied" "$(tail -n 5 "$NLVS_TMP/nlvsd.log")"
grep -q 'laddr 10.77.2.100 retires' "$NLVS_TMP/nlvsd.log"
tap_check $? "nlvsd says 10.77.2.100 retires"

n0=$(grep -c . "$NLVS_TMP/flow.out")
# five more datagrams of the flow (a datagram each 0.25 s when not loaded)
nlvs_wait_until 30 eval '[ "$(grep -c . "$NLVS_TMP/flow.out")" -ge $((n0 + 5)) ]'
got=$(tail -n "+$((n0 + 1))" "$NLVS_TMP/flow.out" | awk '{print $1}' | sort | uniq -c |
	awk '{printf "%s=%d ", $2, ($1 >= 5 ? 5 : $1)}')
is "$got" "ok=5 " "the UDP flow through 10.77.2.100 keeps working after the reload" \
	"$(tail -n 12 "$NLVS_TMP/flow.out")"
mark http
out=$(cl get "$LAB_VIP" 8)
is "$out/$(srcs http)" "ok=8 fail=0/10.77.2.101" \
	"8 new requests to $LAB_VIP come from 10.77.2.101 only"
mark udp
out=$(cl udp "$LAB_VIP" 4 44000)
is "$out/$(srcs udp)" "ok=4 fail=0/10.77.2.101" \
	"4 new UDP flows to $LAB_VIP come from 10.77.2.101 only"
rs_ping 10.77.2.100
tap_check $? "10.77.2.100 still answers while connections hold it"
la=$("$NLVSCTL" -s "$NLVS_SOCK" laddrs)
echo "$la" | awk '$1 == "laddr" && $2 == "10.77.2.100" && $3 == "retiring" && $4 >= 2 &&
	$6 == "-" { r = 1 } $1 == "laddr" && $2 == "10.77.2.101" && $3 == "active" &&
	$6 == "'"$LAB_VIP"'" { a = 1 } END { exit !(r && a) }'
tap_check $? "nlvsctl laddrs: 10.77.2.100 retiring with the ports its connections hold" "$la"

touch "$NLVS_TMP/release"
wait "$held"
out=$(cat "$NLVS_TMP/held.out")
case $out in rs[123]) st=0 ;; *) st=1 ;; esac
tap_check $st "the TCP connection opened before both reloads completes ($out)" \
	"$(nlvs_state_diag)"
touch "$NLVS_TMP/stop"
wait "$flow"
lost=$(grep -vc '^ok' "$NLVS_TMP/flow.out")
tap_is "$lost" 0 "the UDP flow lost no datagram ($(grep -c . "$NLVS_TMP/flow.out") sent)"

# its connections end (RST: CLOSE 10 s, UDP 3 s), then it is released
t=0
while [ $t -lt 300 ] && ! grep -q 'laddr 10.77.2.100 released' "$NLVS_TMP/nlvsd.log"; do
	sleep 0.1
	t=$((t + 1))
done
grep -q 'laddr 10.77.2.100 released' "$NLVS_TMP/nlvsd.log"
tap_check $? "10.77.2.100 is released once its connections are gone ($((t / 10)) s)" \
	"$(nlvs_state_diag; fnat_ipvsadm -Lcn)"
rs_ping 10.77.2.100
tap_check $((! $?)) "10.77.2.100 no longer answers ARP"
rs_ping 10.77.2.101
tap_check $? "10.77.2.101 still answers"
la=$("$NLVSCTL" -s "$NLVS_SOCK" laddrs)
echo "$la" | grep -q ' 10\.77\.2\.100 '
tap_check $((! $?)) "nlvsctl laddrs no longer lists 10.77.2.100" "$la"

# refused reloads: the running pools stay
conf_laddr "laddr $LAB_VIP 10.77.2.101 not-an-address" "laddr $VIP2 10.77.2.102"
hup
tap_is $? 1 "a reload with a bad laddr line is refused"
{
	cat "$NLVS_TMP/nlvsd.base"
	echo "laddr $LAB_VIP 10.77.2.101 10.77.2.100"
	echo "laddr $VIP2 10.77.2.102"
	i=0
	while [ $i -lt 70 ]; do	# 70 x 60 addresses: more than there are ids
		printf 'laddr 10.78.%d.1' "$i"
		j=1
		while [ $j -le 60 ]; do
			printf ' 10.79.%d.%d' "$i" "$j"
			j=$((j + 1))
		done
		echo
		i=$((i + 1))
	done
} > "$NLVS_TMP/nlvsd.conf"
hup
tap_is $? 1 "a reload with more local addresses than nlvsd can name is refused"
grep -q 'reload: laddr pools not changed' "$NLVS_TMP/nlvsd.log"
tap_check $? "nlvsd says why" "$(tail -n 5 "$NLVS_TMP/nlvsd.log")"
# the pools could be set up, but another part of the reload is refused: the
# address set up for it is taken back
conf_laddr "laddr $LAB_VIP 10.77.2.101 10.77.2.103" "laddr $VIP2 10.77.2.102" \
	"snat-ports 2000 3000"
hup
tap_is $? 1 "a reload adding 10.77.2.103 with a snat-ports change is refused"
rs_ping 10.77.2.103
tap_check $((! $?)) "10.77.2.103 does not answer"
mark http
out=$(cl get "$LAB_VIP" 4)
out2=$(cl get "$VIP2" 4)
is "$out $out2/$(srcs http)" "ok=4 fail=0 ok=4 fail=0/10.77.2.101 10.77.2.102" \
	"after the refused reloads both VIPs still use their pools"
rs_ping 10.77.2.100
tap_check $((! $?)) "10.77.2.100 stays released"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
