#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The same figures as JSON: `nlvsctl -j` prints each of its views as JSON
# (python's json module parses them and they say what the text views say),
# and DPDK telemetry answers /nlvs/... commands to the stock
# dpdk-telemetry.py with the figures of nlvsctl.  In the FULLNAT lab with
# HTTP traffic.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

fnat_setup
fnat_rr_service
tap_check $? "ipvsadm adds a rr service with three masquerading dests"
out=$(fnat_spread 9 "http://$LAB_VIP/")
tap_is "$out" "rs1=3 rs2=3 rs3=3 fail=0" "9 requests through the VIP"

D=$NLVS_TMP/json
mkdir -p "$D"
ctl()
{
	"$NLVSCTL" -s "$NLVS_SOCK" "$@"
}

for v in stats conns services totals laddrs ports; do
	ctl -j "$v" > "$D/$v.json" 2> "$D/$v.err"
	st=$?
	out=$(python3 -m json.tool "$D/$v.json" 2>&1 > /dev/null)
	tap_check $((st || $?)) "nlvsctl -j $v is JSON" "$(cat "$D/$v.err") $out"
done

# what the JSON says, checked against the text views and the lab
check()
{
	python3 - "$D" "$LAB_VIP" "$LAB_RS_ADDRS" <<'PY'
import json, sys
d, vip, rs = sys.argv[1], sys.argv[2], sys.argv[3].split()
j = lambda v: json.load(open('%s/%s.json' % (d, v)))
bad = []
svcs = j('services')
s = [x for x in svcs if x.get('address') == vip and x.get('port') == 80]
if len(s) != 1 or s[0]['proto'] != 'TCP' or s[0]['scheduler'] != 'rr':
    bad.append('services: no TCP %s:80 rr in %s' % (vip, svcs))
elif sorted(x['address'] for x in s[0]['dests']) != sorted(rs) or \
        any(x['port'] != 80 or x['weight'] != 1 or x['forward'] != 'Masq'
            for x in s[0]['dests']):
    bad.append('services: dests %s' % s[0]['dests'])
conns = j('conns')
if not [c for c in conns if c['virtual'] == {'address': vip, 'port': 80}
        and c['dest']['address'] in rs and c['proto'] == 'TCP']:
    bad.append('conns: none to %s:80 in %s' % (vip, conns[:3]))
tot = j('totals')
if tot.get('conns', 0) < 9 or tot.get('inpkts', 0) < 9 * 5:
    bad.append('totals: %s' % tot)
st = j('stats')
if not isinstance(st.get('worker.0.rx'), int) or st['worker.0.rx'] < 9 * 5 or \
        not any(k.startswith('drop.') for k in st):
    bad.append('stats: %s' % list(st.items())[:8])
po = j('ports')
if sorted(x['name'] for x in po) != ['lan', 'srv'] or \
        any(x['link'] != 'up' or not isinstance(x['mtu'], int) for x in po):
    bad.append('ports: %s' % po)
la = j('laddrs')
if not [x for x in la if x['kind'] == 'laddr' and x['address'] == '10.77.2.100'
        and isinstance(x['held'], int) and x['ports'] > 0]:
    bad.append('laddrs: %s' % la)
print('\n'.join(bad))
PY
}
out=$(check)
tap_is "$out" "" "the JSON views hold the lab's service, connections, counters, addresses and ports"

# -j stats and the text say the same at a quiet moment
same_stats()
{
	ctl stats | grep -v '\.sleeps ' > "$D/s1" &&
		ctl -j stats > "$D/sj" &&
		ctl stats | grep -v '\.sleeps ' > "$D/s2" &&
		cmp -s "$D/s1" "$D/s2" &&
		python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
t = dict(l.split(None, 1) for l in open(sys.argv[2]).read().splitlines())
sys.exit(0 if all(str(j[k]) == v for k, v in t.items()) and len(j) >= len(t) else 1)
' "$D/sj" "$D/s1"
}
nlvs_wait_until 60 same_stats
tap_check $? "nlvsctl -j stats holds every figure of nlvsctl stats" "$(head -c 2000 "$D/sj")"

# DPDK telemetry, through the stock client
if ! command -v dpdk-telemetry.py > /dev/null 2>&1; then
	tap_skip "dpdk-telemetry.py" "not installed (Debian package dpdk)"
	nlvsd_stop
	tap_done
fi
prefix=$(awk '$1 == "eal" { for (i = 2; i < NF; i++) if ($i == "--file-prefix") print $(i + 1) }' \
	"$NLVS_TMP/nlvsd.conf")
tel()
{
	printf '%s\n' "$@" | timeout 30 dpdk-telemetry.py -f "$prefix"
}
out=$(tel /)
st=0
for c in totals services service stats laddrs; do
	case $out in *"\"/nlvs/$c\""*) ;; *) st=1 ;; esac
done
tap_check $st "dpdk-telemetry.py lists the /nlvs/ commands" "$out"

tel_same()
{
	ctl -j totals > "$D/t1" &&
		tel /nlvs/totals /nlvs/services "/nlvs/service,TCP $LAB_VIP:80" /nlvs/stats,drop. \
			/nlvs/laddrs > "$D/tel" &&
		ctl -j totals > "$D/t2" && cmp -s "$D/t1" "$D/t2" &&
		fnat_ipvsadm -Ln --stats --exact > "$D/ipvsadm" &&
		ctl stats > "$D/stats" && ctl laddrs > "$D/laddrs" &&
		python3 - "$D" "$LAB_VIP" > "$D/tel.check" <<'PY'
import json, sys
d, vip = sys.argv[1], sys.argv[2]
r = [json.loads(l) for l in open(d + '/tel').read().splitlines() if l.startswith('{')]
bad = []
if len(r) != 5:
    sys.exit('got %d answers: %s' % (len(r), r))
tot, svcs, svc, drops, la = (list(x.values())[0] for x in r)
if tot != json.load(open(d + '/t1')):
    bad.append('totals %s, nlvsctl -j totals %s' % (tot, open(d + '/t1').read()))
name = 'TCP %s:80' % vip
if svcs != [name]:
    bad.append('services %s' % svcs)
cols = ['conns', 'inpkts', 'outpkts', 'inbytes', 'outbytes']
for l in open(d + '/ipvsadm').read().splitlines():
    w = l.split()
    if len(w) == 7 and w[1] == vip + ':80':
        want = dict(zip(cols, map(int, w[2:])))
        if any(svc.get(k) != v for k, v in want.items()):
            bad.append('service %s, ipvsadm %s' % (svc, want))
    elif len(w) == 7 and w[0] == '->':
        if w[1] not in svc.get('dests', []):
            bad.append('dest %s missing: %s' % (w[1], svc))
            continue
        i = svc['dests'].index(w[1])
        got = [svc['dest_' + k][i] for k in cols]
        if got != list(map(int, w[2:])):
            bad.append('dest %s: %s, ipvsadm %s' % (w[1], got, w[2:]))
want = {k.replace('.', '_').replace('-', '_'): int(v)
        for k, v in (l.split() for l in open(d + '/stats')) if k.startswith('drop.')}
if drops != want:
    bad.append('drops %s, nlvsctl %s' % (drops, want))
rows = [l.split() for l in open(d + '/laddrs').read().splitlines()[1:]]
want = {'kind': [w[0] for w in rows], 'address': [w[1] for w in rows],
        'state': [w[2] for w in rows], 'held': [int(w[3]) for w in rows],
        'ports': [int(w[4]) for w in rows]}
if la != want or not rows:
    bad.append('laddrs %s, nlvsctl %s' % (la, want))
print('\n'.join(bad))
sys.exit(1 if bad else 0)
PY
}
nlvs_wait_until 60 tel_same
tap_check $? "/nlvs/totals, service, stats and laddrs equal nlvsctl and ipvsadm --stats" \
	"$(cat "$D/tel.check" "$D/tel")"

# /nlvs/stats without a prefix: every name, or 255 and how many were left out
tel /nlvs/stats > "$D/tel.all"
ctl stats > "$D/stats.all"
out=$(python3 - "$D" <<'PY'
import json, sys
d = sys.argv[1]
t = [json.loads(l) for l in open(d + '/tel.all') if l.startswith('{')][-1]['/nlvs/stats']
n = len(open(d + '/stats.all').read().splitlines())
ok = len(t) == n if n <= 255 else len(t) == 256 and t.get('omitted') == n - 255
print('ok' if ok else 'telemetry %d names (omitted %s), nlvsctl %d' % (len(t), t.get('omitted'), n))
PY
)
tap_is "$out" "ok" "/nlvs/stats holds every name of nlvsctl stats or says how many it left out"

nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
