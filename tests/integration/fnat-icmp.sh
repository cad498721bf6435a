#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Two workers over two-queue ports.  ICMP errors from the client side quote a
# VIP -> client packet, and nothing in them names the worker that owns the
# connection (RSS put the client's packets there): they travel along the
# worker chain until one finds it.  Each error reaches the real server
# translated.  Classic NAT replies (transit traffic without a local port)
# find their connection the same way.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

LAB_WORKERS=2
LAB_NAT=1
export LAB_WORKERS LAB_NAT
fnat_setup
set -- $LAB_RS_ADDRS
RS1=$1
nlvs_require_cmd tcpdump
NS_RS1=$(echo "$NS_RS" | cut -d' ' -f1)

# client addresses: the port's RSS spreads the errors by address
CADDRS="10.77.1.2 10.77.1.3 10.77.1.4 10.77.1.5 10.77.1.6 10.77.1.7"
for a in $CADDRS; do
	[ "$a" = 10.77.1.2 ] || ip -n "$NS_C" addr add "$a/32" dev c0
done

cat > "$NLVS_TMP/icmp.py" <<'PY'
# UDP round trips from several client addresses, then for each one an ICMP
# port unreachable quoting the reply it got (as the client's kernel would).
import socket, struct, sys

vip, vport, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[4])
caddrs = sys.argv[3].split()

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def reply_packet(src, dst, sport, dport, data):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    ulen = 8 + len(data)
    pseudo = s + d + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + data
    uck = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", uck) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0x1234, 0, 63, 17, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + udp

ok, flows = 0, []
for a in caddrs:
    for i in range(per):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a, 0))
        s.settimeout(5)
        msg = b"icmp %s %d" % (a.encode(), i)
        s.sendto(msg, (vip, vport))
        try:
            data, peer = s.recvfrom(200)
        except OSError:
            continue
        ok += 1
        flows.append((a, s.getsockname()[1], data, s))
sent = 0
for a, port, data, _ in flows:
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    r.bind((a, 0))
    quoted = reply_packet(vip, a, vport, port, data)
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quoted
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    r.sendto(icmp, (vip, 0))
    sent += 1
print("ok=%d sent=%d" % (ok, sent))
for a, port, _, _ in flows:
    print("flow %s %d" % (a, port))
PY

fnat_ipvsadm -A -u "$LAB_VIP:7" -s rr &&
	fnat_ipvsadm -a -u "$LAB_VIP:7" -r "$RS1:7" -m &&
	fnat_rr_service "$LAB_NAT_VIP"
tap_check $? "ipvsadm adds a FULLNAT UDP service and a classic NAT TCP service"

ip netns exec "$NS_RS1" tcpdump -l -n -i r0 icmp > "$NLVS_TMP/rs1.icmp" \
	2> "$NLVS_TMP/tcpdump.err" &
TCPDUMP=$!
nlvs_cleanup_add "kill $TCPDUMP 2> /dev/null"
# tcpdump says so once it captures (a loaded machine takes its time)
nlvs_wait_until 30 grep -q 'listening on' "$NLVS_TMP/tcpdump.err" ||
	tap_diag "tcpdump not listening yet: $(cat "$NLVS_TMP/tcpdump.err")"

h0=$(($(nlvs_stat worker.0.handoff_out) + $(nlvs_stat worker.1.handoff_out)))
nc0=$(nlvs_stat drop.no-connection)
r00=$(nlvs_stat worker.0.rx)
r10=$(nlvs_stat worker.1.rx)
N=6
out=$(in_client timeout 60 python3 "$NLVS_TMP/icmp.py" "$LAB_VIP" 7 "$CADDRS" $N 2>&1)
tap_diag "$(echo "$out" | head -n 1)"
total=$(($(echo "$CADDRS" | wc -w) * N))
case $out in "ok=$total sent=$total"*) st=0 ;; *) st=1 ;; esac
tap_check $st "$total UDP round trips from 6 client addresses, one ICMP error each" "$out"

# each error arrives from the flow's local address, about its local port
translated()
{
	grep -c "$RS1: ICMP 10\.77\.2\.10[01] udp port [0-9]* unreachable" "$NLVS_TMP/rs1.icmp"
}
nlvs_wait_until 20 eval '[ "$(translated)" -ge "$total" ]'
kill "$TCPDUMP" 2> /dev/null
wait "$TCPDUMP" 2> /dev/null
n=$(translated)
tap_is "$n" "$total" "every ICMP error reaches the real server translated"
bad=$(grep -c '10\.77\.1\.' "$NLVS_TMP/rs1.icmp")
tap_is "$bad" "0" "no client address leaks to the real server side"

r01=$(nlvs_stat worker.0.rx)
r11=$(nlvs_stat worker.1.rx)
tap_check "$([ $((r01 - r00)) -gt 0 ] && [ $((r11 - r10)) -gt 0 ] && echo 0 || echo 1)" \
	"both workers received this traffic ($((r01 - r00)) / $((r11 - r10)))"
h1=$(($(nlvs_stat worker.0.handoff_out) + $(nlvs_stat worker.1.handoff_out)))
tap_check "$([ $((h1 - h0)) -gt 0 ] && echo 0 || echo 1)" \
	"errors travelled to the owning worker ($((h1 - h0)) hand-offs)"
nc1=$(nlvs_stat drop.no-connection)
tap_is "$((nc1 - nc0))" "0" "no error was dropped as no-connection"

# an error about no connection at all: every worker looks, then it is dropped
in_client python3 -c "
import socket, struct
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
q = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 28, 0, 0, 64, 17, 0,
                socket.inet_aton('$LAB_VIP'), socket.inet_aton('10.77.1.2'))
q = q[:10] + struct.pack('!H', csum(q)) + q[12:] + struct.pack('!HHHH', 7, 4, 8, 0)
m = struct.pack('!BBHI', 3, 3, 0, 0) + q
m = m[:2] + struct.pack('!H', csum(m)) + m[4:]
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
r.sendto(m, ('$LAB_VIP', 0))"
nlvs_wait_until 20 nlvs_stat_ge drop.no-connection $((nc1 + 1))
nc2=$(nlvs_stat drop.no-connection)
tap_is "$((nc2 - nc1))" "1" "an error about an unknown flow is dropped once, as no-connection"

out=$(fnat_spread 30 "http://$LAB_NAT_VIP/")
case $out in *fail=0) st=0 ;; *) st=1 ;; esac
tap_check $st "classic NAT over two workers: 30 requests complete ($out)" "$out"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
