# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# fnat-lib.sh: set-up shared by the fnat-*.sh tests: the namespace lab of
# scripts/netns-lab.sh with nlvsd on its two ports, and helpers.
#
#	. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/fnat-lib.sh"
#	fnat_setup		# LAB_WORKERS=N for more workers
#	fnat_ipvsadm -A -t "$LAB_VIP:80" -s rr
#
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

FNAT_LAB_SH=$top_srcdir/scripts/netns-lab.sh

# fnat_setup: everything up or the test bails (skips without root/tools).
fnat_setup()
{
	nlvs_require_root
	nlvs_require_cmd ip ethtool curl python3
	[ -x "$top_builddir/dataplane/nlvsd" ] || tap_bail "nlvsd not built"
	nlvs_tmpdir_make
	LAB=$NLVS_TMP/lab
	nlvs_cleanup_add "/bin/sh '$FNAT_LAB_SH' down '$LAB'"
	LAB_ID=${LAB_ID:-$$} /bin/sh "$FNAT_LAB_SH" up "$LAB" > "$NLVS_TMP/lab.log" 2>&1 ||
		tap_bail "netns-lab.sh up failed: $(cat "$NLVS_TMP/lab.log")"
	# shellcheck disable=SC1091
	. "$LAB/lab.env"
	cp "$LAB/nlvsd.conf" "$NLVS_TMP/nlvsd.conf"
	cat > "$NLVS_TMP/nlvsd-ns" <<WRAP
#!/bin/sh
exec ip netns exec $NS_L $top_builddir/dataplane/nlvsd "\$@"
WRAP
	chmod +x "$NLVS_TMP/nlvsd-ns"
	NLVSD=$NLVS_TMP/nlvsd-ns
	if nlvsd_start && grep -q 'dataplane running' "$NLVS_TMP/nlvsd.log"; then
		tap_ok "nlvsd runs on the lab's ports ($LAB_WORKERS worker(s))"
	else
		tap_not_ok "nlvsd runs on the lab's ports" "$(cat "$NLVS_TMP/nlvsd.log")"
		tap_done
	fi
}

fnat_ipvsadm()
{
	nlvs_ipvsadm "$@"
}

# in_client CMD...: run in the client namespace.
in_client()
{
	ip netns exec "$NS_C" "$@"
}

# fnat_get URL: one HTTP GET from the client, body on stdout.
fnat_get()
{
	in_client curl -s -g -m 4 "$1"
}

# fnat_spread N URL: N sequential GETs; prints "rs1=A rs2=B rs3=C fail=F".
fnat_spread()
{
	_n=0
	_a=0
	_b=0
	_c=0
	_f=0
	while [ $_n -lt "$1" ]; do
		case $(fnat_get "$2") in
		rs1) _a=$((_a + 1)) ;;
		rs2) _b=$((_b + 1)) ;;
		rs3) _c=$((_c + 1)) ;;
		*) _f=$((_f + 1)) ;;
		esac
		_n=$((_n + 1))
	done
	echo "rs1=$_a rs2=$_b rs3=$_c fail=$_f"
}

# fnat_stat NAME: a counter from the dump nlvsd logs on SIGUSR1.
fnat_stat()
{
	_n0=$(grep -c 'stats: rx ' "$NLVS_TMP/nlvsd.log")
	kill -USR1 "$NLVSD_PID"
	_i=0
	while [ "$(grep -c 'stats: rx ' "$NLVS_TMP/nlvsd.log")" = "$_n0" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.2
	_v=$(grep "stats: $1 " "$NLVS_TMP/nlvsd.log" | tail -n 1 | sed 's/.* //')
	echo "${_v:-0}"
}

# fnat_alive: nlvsd still running.
fnat_alive()
{
	[ -n "$NLVSD_PID" ] && kill -0 "$NLVSD_PID" 2> /dev/null
}
