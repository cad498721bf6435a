# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# golden-lib.sh: golden packet tests through the real forwarding code, no NIC.
# A scenario script (tests/integration/golden/*.py) writes the input pcap,
# the IPVS state nlvsd loads before its dataplane starts and the addresses
# of the topology; nlvsd runs with one worker on a net_pcap port that
# replays the input and records what it sends; once every input packet is
# received and the output is quiet, nlvsd's counters are saved, it stops
# (SIGTERM: net_pcap has flushed each burst, the port close ends the file)
# and the scenario compares the output and the drop counters with what it
# expects.
#
#	. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/golden-lib.sh"
#	golden_setup
#	golden_pass fnat.py pass1	# gen, run nlvsd, check
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

GOLDEN_PY=/usr/bin/python3
GOLDEN_SRC=$top_srcdir/tests/integration/golden
# bound for one nlvsd run to consume its input (seconds)
GOLDEN_TIMEOUT=${GOLDEN_TIMEOUT:-15}
_golden_n=0

# golden_setup: skip without scapy or DPDK's pcap driver, bail without a build.
golden_setup()
{
	"$GOLDEN_PY" -c 'import scapy.all' 2> /dev/null ||
		tap_skip_all "python3-scapy not installed"
	[ -x "$NLVSD" ] || tap_bail "$NLVSD not built (run make first)"
	[ -x "$NLVSCTL" ] || tap_bail "$NLVSCTL not built (run make first)"
	_pcap_pmd=
	for _f in /usr/lib/*/dpdk/pmds-*/librte_net_pcap.so* /usr/lib/*/librte_net_pcap.so* \
		/usr/local/lib/*/librte_net_pcap.so* /usr/local/lib/librte_net_pcap.so*; do
		[ -e "$_f" ] && _pcap_pmd=$_f
	done
	[ -n "$_pcap_pmd" ] || tap_skip_all "DPDK's net_pcap driver is not installed"
	nlvs_tmpdir_make
}

# golden_run DIR: nlvsd on DIR/in.pcap -> DIR/out.pcap with DIR/state and
# DIR/topology.conf; DIR/stats and DIR/nlvsd.log afterwards.  Reports one
# TAP result; returns 1 if nlvsd did not run, consume and stop cleanly.
golden_run()
{
	_d=$1
	_golden_n=$((_golden_n + 1))
	_prefix=nlvs-golden-$$-$_golden_n
	_want=$(cat "$_d/npkts")
	{
		echo "eal --no-huge -m 256 --no-pci --file-prefix $_prefix -l 0-1"
		echo "workers 1"
		echo "mbufs 2047"
		# no kernel twin: it would live in this (the host's) namespace,
		# its name shared by tests running side by side, and the kernel's
		# own frames (MLD, router solicitations) would come out of the port
		echo "port lan net_pcap0,rx_pcap=$_d/in.pcap,tx_pcap=$_d/out.pcap twin off"
		cat "$_d/topology.conf"
		echo "state-file $_d/state"
	} > "$NLVS_TMP/nlvsd.conf"
	rm -f "$_d/out.pcap" "$NLVS_TMP/nlvsd.log"
	nlvs_cleanup_add "rm -rf /var/run/dpdk/$_prefix '${XDG_RUNTIME_DIR:-/tmp}/dpdk/$_prefix'"
	if ! nlvsd_start; then
		tap_not_ok "$(basename "$_d"): nlvsd starts on the pcap port"
		return 1
	fi
	_mac=$(sed -n 's/.*port lan: dpdk port [0-9]*, \([0-9a-f:]*\),.*/\1/p' \
		"$NLVS_TMP/nlvsd.log")
	_rx=
	_t=0
	while [ $_t -lt $((GOLDEN_TIMEOUT * 10)) ]; do
		_rx=$(nlvs_stat rx)
		[ "${_rx:-0}" -ge "$_want" ] && break
		sleep 0.1
		_t=$((_t + 1))
	done
	# what the last packets caused is sent within the same poll; wait until
	# the transmit counter stands still to be sure
	_tx=$(nlvs_stat tx)
	_t=0
	while [ $_t -lt 25 ]; do
		sleep 0.2
		_tx2=$(nlvs_stat tx)
		[ "$_tx2" = "$_tx" ] && break
		_tx=$_tx2
		_t=$((_t + 1))
	done
	"$NLVSCTL" -s "$NLVS_SOCK" stats > "$_d/stats" 2>&1
	nlvsd_stop
	_st=$?
	cp "$NLVS_TMP/nlvsd.log" "$_d/nlvsd.log"
	rm -rf "/var/run/dpdk/$_prefix" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/$_prefix"
	_diag="rx $_rx of $_want, exit status $_st, port MAC $_mac
$(tail -n 20 "$_d/nlvsd.log")"
	if [ "${_rx:-0}" -ne "$_want" ] || [ "$_st" -ne 0 ] || [ ! -s "$_d/out.pcap" ]; then
		tap_not_ok "$(basename "$_d"): nlvsd consumes the $_want input packets and stops" \
			"$_diag"
		return 1
	fi
	if [ "$_mac" != "$(golden_lb_mac)" ]; then
		tap_not_ok "$(basename "$_d"): the pcap port has the MAC the packets were made for" \
			"$_diag"
		return 1
	fi
	tap_ok "$(basename "$_d"): nlvsd consumed the $_want input packets and stopped cleanly"
	return 0
}

# golden_lb_mac: the port MAC the scenarios address their frames to.
golden_lb_mac()
{
	"$GOLDEN_PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import golden
print(golden.LB_MAC)' "$GOLDEN_SRC"
}

_golden_py()
{
	_s=$1
	shift
	timeout 60 "$GOLDEN_PY" "$GOLDEN_SRC/$_s" "$@"
}

# golden_check SCRIPT DIR [LEARN_DIR]: the scenario's verdict on DIR as TAP.
golden_check()
{
	_golden_py "$1" check "$2" ${3:+"$3"} > "$2/verdict" 2>&1
	_st=$?
	while IFS= read -r _line; do
		case $_line in
		"ok "*) tap_ok "${_line#ok }" ;;
		"not ok "*) tap_not_ok "${_line#not ok }" ;;
		"#"*) echo "$_line" ;;
		*) echo "# $_line" ;;
		esac
	done < "$2/verdict"
	if [ $_st -ne 0 ] && ! grep -q '^not ok ' "$2/verdict"; then
		tap_not_ok "$1 $2: checker failed (status $_st)"
	fi
}

# golden_pass SCRIPT NAME [LEARN_NAME]: generate the input of pass NAME,
# run nlvsd over it and check the result.  Returns 1 when there is nothing
# to check (generation or the run failed).
golden_pass()
{
	_dir=$NLVS_TMP/$2
	mkdir -p "$_dir"
	if ! _golden_py "$1" gen "$_dir" ${3:+"$NLVS_TMP/$3"} > "$_dir/gen.log" 2>&1; then
		tap_not_ok "$2: $1 generates the input" "$(cat "$_dir/gen.log")"
		return 1
	fi
	golden_run "$_dir" || return 1
	golden_check "$1" "$_dir" ${3:+"$NLVS_TMP/$3"}
}
