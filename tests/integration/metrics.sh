#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Prometheus metrics (metrics-listen): in the FULLNAT lab with HTTP traffic,
# the endpoint's figures equal what ipvsadm -Ln --stats, /proc/net/ip_vs_stats
# (nlvsctl totals), nlvsctl stats and nlvsctl laddrs show at the same moment;
# promtool accepts the exposition; node_exporter's IPVS metrics have its
# names, types, help texts and labels.  Then the same without a dataplane.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"

METRICS=127.0.0.1:9100
nlvs_lab_up "$FNAT_LAB_SH"
echo "metrics-listen $METRICS" >> "$NLVS_TMP/nlvsd.conf"
nlvs_lab_start NS_L "nlvsd runs on the lab's ports with metrics-listen $METRICS"

scrape()
{
	ip netns exec "$NS_L" curl -sf -m 10 "http://$METRICS/metrics"
}

out=$(ip netns exec "$NS_L" curl -s -m 10 -o /dev/null -w '%{http_code} %{content_type}' \
	"http://$METRICS/metrics")
tap_is "$out" "200 text/plain; version=0.0.4; charset=utf-8" \
	"GET /metrics answers 200 with the exposition format's content type"
out=$(ip netns exec "$NS_L" curl -s -m 10 -o /dev/null -w '%{http_code}' \
	"http://$METRICS/other")
tap_is "$out" "404" "another path is not found"

fnat_rr_service
tap_check $? "ipvsadm adds a rr service with three masquerading dests"
out=$(fnat_spread 30 "http://$LAB_VIP/")
tap_is "$out" "rs1=10 rs2=10 rs3=10 fail=0" "30 requests through the VIP"
# a connection held open: ActiveConn is not zero while the figures are read
# (a minute: long enough for the reads below on a loaded machine)
fnat_held_get 60 40 "$NLVS_TMP/held.up" > /dev/null 2>&1 &
held=$!
nlvs_cleanup_add "kill $held"
fnat_held_wait "$NLVS_TMP/held.up"
tap_check $? "a connection is held open"

# Read everything, then the first two again: the moment is good when neither
# moved meanwhile (idle sleeps move all the time: left out of the check).
D=$NLVS_TMP/cmp
mkdir -p "$D"
snapshot()
{
	"$NLVSCTL" -s "$NLVS_SOCK" stats | grep -v '\.sleeps ' > "$D/nlvsctl" &&
		scrape > "$D/metrics" &&
		fnat_ipvsadm -Ln --stats --exact > "$D/stats" &&
		fnat_ipvsadm -Ln > "$D/list" &&
		"$NLVSCTL" -s "$NLVS_SOCK" totals > "$D/totals" &&
		"$NLVSCTL" -s "$NLVS_SOCK" laddrs > "$D/laddrs" &&
		"$NLVSCTL" -s "$NLVS_SOCK" stats | grep -v '\.sleeps ' > "$D/nlvsctl.2" &&
		scrape > "$D/metrics.2" &&
		fnat_ipvsadm -Ln --stats --exact > "$D/stats.2" &&
		cmp -s "$D/nlvsctl" "$D/nlvsctl.2" &&
		cmp -s "$D/stats" "$D/stats.2" &&
		grep -Ev '^nlvs_(worker|host)_idle_sleeps_total' "$D/metrics" > "$D/m1" &&
		grep -Ev '^nlvs_(worker|host)_idle_sleeps_total' "$D/metrics.2" > "$D/m2" &&
		cmp -s "$D/m1" "$D/m2"
}
nlvs_wait_until 60 snapshot
tap_check $? "a quiet moment: two reads of everything agree" "$(diff "$D/m1" "$D/m2")"
act=$(awk '/->/ {s += $5} END {print s + 0}' "$D/list")
tap_check $([ "$act" -ge 1 ] && echo 0 || echo 1) "ipvsadm -Ln shows the held connection ($act)" \
	"$(cat "$D/list")"

out=$(python3 "$top_srcdir/tests/integration/metrics-compare.py" "$D" 2>&1)
tap_check $? "the metrics equal ipvsadm --stats, ip_vs_stats, nlvsctl stats and laddrs ($(echo "$out" | tail -n 1))" \
	"$(echo "$out" | grep -v '^ok')"
n=$(echo "$out" | grep -c '^ok')
tap_check $([ "$n" -ge 100 ] && echo 0 || echo 1) "... over $n figures, traffic counted" "$out"
conns=$(awk '$1 == "node_ipvs_connections_total" {print $2}' "$D/metrics")
tap_check $([ "${conns:-0}" -ge 31 ] && echo 0 || echo 1) \
	"node_ipvs_connections_total counts the connections ($conns)"

if command -v promtool > /dev/null 2>&1; then
	out=$(promtool check metrics < "$D/metrics" 2>&1)
	tap_check $? "promtool check metrics accepts the exposition" "$out"
else
	tap_skip "promtool check metrics" "promtool not installed (Debian package prometheus)"
fi

# node_exporter's families: HELP, TYPE and the label names of every sample
names_ok()
{
	grep -v '^#' "$top_srcdir/tests/integration/metrics-node-ipvs.txt" |
	while read -r name type labels help; do
		grep -qxF "# HELP $name $help" "$1" || { echo "HELP of $name differs"; continue; }
		grep -qxF "# TYPE $name $type" "$1" || { echo "TYPE of $name differs"; continue; }
		want=$(echo "$labels" | tr ',' '\n' | sort | tr '\n' ' ')
		[ "$labels" = - ] && want=
		samples=$(grep -c "^$name[{ ]" "$1")
		[ "$samples" -ge 1 ] || echo "no sample of $name"
		grep "^$name[{ ]" "$1" | while read -r s _v; do
			got=$(echo "$s" | sed -n 's/^[^{]*{\(.*\)}$/\1/p' |
				grep -o '[a-z_]*="' | tr -d '="' | sort | tr '\n' ' ')
			[ "$got" = "$want" ] || echo "labels of $s: want '$want'"
		done
	done
}
out=$(names_ok "$D/metrics")
tap_is "$out" "" "node_ipvs_* carry node_exporter's names, types, help and labels"

# without a dataplane: a second nlvsd, control plane only, in the client's
# namespace (its own socket and metrics port)
cat > "$NLVS_TMP/cp.conf" <<CONF
metrics-listen 127.0.0.1:9101
CONF
ip netns exec "$NS_C" "$top_builddir/dataplane/nlvsd" -d -f "$NLVS_TMP/cp.conf" \
	-s "$NLVS_TMP/cp.sock" >> "$NLVS_TMP/cp.log" 2>&1 < /dev/null &
cp=$!
nlvs_cleanup_add "kill $cp"
cp_up()
{
	ip netns exec "$NS_C" curl -sf -m 5 http://127.0.0.1:9101/metrics > "$NLVS_TMP/cp.metrics"
}
nlvs_wait_until 30 cp_up
tap_check $? "without ports (no eal line), nlvsd serves metrics too" "$(cat "$NLVS_TMP/cp.log")"
(
	NLVS_SOCK=$NLVS_TMP/cp.sock
	nlvs_ipvsadm -A -u 10.9.9.9:53 -s rr &&
		nlvs_ipvsadm -a -u 10.9.9.9:53 -r 10.9.9.10:5353 -m -w 7
)
tap_check $? "ipvsadm configures it"
cp_up
out=$(grep -E '^(node_ipvs_backend_weight|nlvs_dataplane_running)' "$NLVS_TMP/cp.metrics")
tap_is "$out" 'node_ipvs_backend_weight{local_address="10.9.9.9",local_port="53",remote_address="10.9.9.10",remote_port="5353",proto="UDP",local_mark=""} 7
nlvs_dataplane_running 0' "it shows the service and reports no dataplane"
if command -v promtool > /dev/null 2>&1; then
	out=$(promtool check metrics < "$NLVS_TMP/cp.metrics" 2>&1)
	tap_check $? "promtool accepts the control-plane-only exposition" "$out"
fi
kill -TERM $cp
wait $cp
tap_is "$?" "0" "the control-plane-only nlvsd stops cleanly"

wait $held
nlvs_alive
tap_check $? "nlvsd still running"
nlvsd_stop
tap_check $? "nlvsd stops cleanly"
tap_done
