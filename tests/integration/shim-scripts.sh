#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# keepalived forks and execs all the time: the checker process, a MISC_CHECK
# script every delay_loop, notify_up/notify_down scripts.  Its IPVS requests
# (the health-check driven NEW_DEST/DEL_DEST among them) all reach nlvsd and
# none the kernel (nlvs-exec(1), "Processes and descriptors"); the same for
# ipvsadm started by a Python program through subprocess (vfork).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

nlvs_require_root
nlvs_require_build
nlvs_require_cmd ipvsadm keepalived strace python3
nlvs_tmpdir_make
if ! nlvsd_start; then
	tap_not_ok "nlvsd starts"
	tap_done
fi

STRACE="strace -f -qq -yy -e trace=sendto,sendmsg,sendmmsg,write,writev"

# 1. ipvsadm run by a Python program (subprocess: vfork, close_range).
timeout -k 5 60 $STRACE -o "$NLVS_TMP/ipvsadm.trace" "$NLVS_EXEC" -s "$NLVS_SOCK" \
	python3 -c '
import subprocess, sys
for args in (["-A", "-t", "10.0.0.9:80", "-s", "rr"],
             ["-a", "-t", "10.0.0.9:80", "-r", "10.0.1.9:80", "-m"]):
    if subprocess.run(["ipvsadm"] + args).returncode:
        sys.exit(1)
' > "$NLVS_TMP/ipvsadm.out" 2>&1
tap_check $? "ipvsadm started by Python's subprocess succeeds" "$(cat "$NLVS_TMP/ipvsadm.out")"
tap_is "$(nlvs_sends_to kernel "$NLVS_TMP/ipvsadm.trace")" 0 "no request of it reaches the kernel"
n=$(nlvs_sends_to nlvsd "$NLVS_TMP/ipvsadm.trace")
[ "$n" -ge 4 ]
tap_check $? "both ipvsadm runs talk to nlvsd (lookup and request each: $n sends)"
tap_is "$(nlvs_ipvsadm -S -n)" "-A -t 10.0.0.9:80 -s rr
-a -t 10.0.0.9:80 -r 10.0.1.9:80 -m -w 1" "nlvsd has the service and its real server"
nlvs_ipvsadm -C

# 2. keepalived with a MISC_CHECK script and notify scripts.  `alpha`: the
# real server is only added after a check (a fork + exec) says it is up.
cat > "$NLVS_TMP/check.sh" <<EOF
#!/bin/sh
test -e "$NLVS_TMP/rs-up"
EOF
cat > "$NLVS_TMP/notify.sh" <<EOF
#!/bin/sh
echo "\$1" >> "$NLVS_TMP/notify.log"
EOF
chmod +x "$NLVS_TMP/check.sh" "$NLVS_TMP/notify.sh"
cat > "$NLVS_TMP/keepalived.conf" <<CONF
global_defs {
	router_id nlvs_shim_scripts
	script_user root
}
virtual_server 10.0.0.3 80 {
	delay_loop 1
	lb_algo rr
	lb_kind NAT
	protocol TCP
	alpha
	real_server 10.0.1.3 80 {
		weight 1
		notify_up "$NLVS_TMP/notify.sh up"
		notify_down "$NLVS_TMP/notify.sh down"
		MISC_CHECK {
			misc_path "$NLVS_TMP/check.sh"
			misc_timeout 5
		}
	}
}
CONF
: > "$NLVS_TMP/notify.log"
touch "$NLVS_TMP/rs-up"
$STRACE -o "$NLVS_TMP/keepalived.trace" "$NLVS_EXEC" -s "$NLVS_SOCK" \
	keepalived -n -l -D -C -f "$NLVS_TMP/keepalived.conf" \
	-p "$NLVS_TMP/keepalived.pid" -c "$NLVS_TMP/checker.pid" \
	> "$NLVS_TMP/keepalived.log" 2>&1 < /dev/null &
strace_pid=$!
nlvs_cleanup_add "kill -KILL $strace_pid"

# wait_for WHAT: up to 30 s until WHAT (a shell condition) holds.
wait_for()
{
	_i=0
	while [ $_i -lt 150 ]; do
		eval "$1" && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

rs_in_table()
{
	nlvs_ipvsadm -L -n 2> /dev/null | grep -q -- '-> 10.0.1.3:80 '
}

notified()
{
	[ "$(tr '\n' ' ' < "$NLVS_TMP/notify.log")" = "$1" ]
}

diag()
{
	nlvs_ipvsadm -L -n 2>&1
	echo "notify.log: $(tr '\n' ' ' < "$NLVS_TMP/notify.log")"
	tail -n 15 "$NLVS_TMP/keepalived.log"
}

wait_for rs_in_table
tap_check $? "the check script passes: keepalived adds the real server through nlvsd" "$(diag)"
wait_for "notified 'up '"
tap_check $? "and runs notify_up" "$(diag)"

rm -f "$NLVS_TMP/rs-up"
wait_for '! rs_in_table'
tap_check $? "the check script fails: keepalived removes it through nlvsd" "$(diag)"
wait_for "notified 'up down '"
tap_check $? "and runs notify_down" "$(diag)"

touch "$NLVS_TMP/rs-up"
wait_for rs_in_table
tap_check $? "the check passes again: the real server is back" "$(diag)"
wait_for "notified 'up down up '"
tap_check $? "and notify_up ran again" "$(diag)"

kill -TERM "$(cat "$NLVS_TMP/keepalived.pid" 2> /dev/null)" 2> /dev/null
wait_for "! kill -0 $strace_pid 2> /dev/null"
tap_check $? "keepalived stops on SIGTERM" "$(diag)"
tap_is "$(nlvs_ipvsadm -S -n)" "" "and its shutdown requests empty nlvsd's table"

tap_is "$(nlvs_sends_to kernel "$NLVS_TMP/keepalived.trace")" 0 \
	"none of keepalived's requests reaches the kernel" \
	"$(grep 'NETLINK:\[GENERIC' "$NLVS_TMP/keepalived.trace" | head -n 5)"
# lookup, GET_INFO, NEW_SERVICE, NEW_DEST, DEL_DEST, NEW_DEST, then at
# shutdown DEL_DEST and DEL_SERVICE.
n=$(nlvs_sends_to nlvsd "$NLVS_TMP/keepalived.trace")
[ "$n" -ge 8 ]
tap_check $? "all of them reach nlvsd ($n sends)"
[ "${NLVS_TEST_VERBOSE:-0}" = 0 ] || tap_diag_file "$NLVS_TMP/keepalived.log"

tap_done
