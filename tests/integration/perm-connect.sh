#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# perm-connect.sh: the right to change the table is bound to the credentials
# of the process that connected, as the kernel binds it to the opener of the
# netlink socket.  nobody connects to a reachable socket, then execs a
# setuid-root program (or one with file capabilities) before nlvsd accepts;
# a child holding the same socket sends IPVS_CMD_FLUSH.  It must be refused
# with EPERM and the table stay.  Controls: nobody without the trick is
# refused, nobody with an ambient CAP_NET_ADMIN (systemd's
# AmbientCapabilities=) is allowed.  nlvsd is held with SIGSTOP while the
# client connects and execs, so that the accept provably comes after the exec.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

nlvs_require_root
nlvs_require_cmd ipvsadm setpriv setcap timeout
id nobody > /dev/null 2>&1 || tap_skip_all "no user nobody"
nlvs_require_build
nlvs_tmpdir_make
PY=/usr/bin/python3
[ -x "$PY" ] || tap_skip_all "no $PY"

chmod 755 "$NLVS_TMP"
mkdir -m 1777 "$NLVS_TMP/x"
asnobody="setpriv --reuid=nobody --regid=$(id -gn nobody) --clear-groups"

# A setuid-root and a file-capability program that just waits.
cp "$(command -v sleep)" "$NLVS_TMP/suid-sleep"
chmod 4755 "$NLVS_TMP/suid-sleep"
cp "$(command -v sleep)" "$NLVS_TMP/cap-sleep"
chmod 755 "$NLVS_TMP/cap-sleep"
setcap cap_net_admin+ep "$NLVS_TMP/cap-sleep" || tap_skip_all "setcap failed"

# flush.py SOCK RESULT [PROG ARGS...]: connect, fork; the child waits for
# RESULT.go, sends FLUSH and writes the errno of the answer to RESULT; the
# parent execs PROG (or sends itself when there is none).
cat > "$NLVS_TMP/flush.py" <<'PYEOF'
import os, socket, struct, sys, time
sock, result = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sock)
def flush():
    msg = struct.pack("=IHHII", 20, 0x3f0, 0x5, 1, 0) + struct.pack("=BBH", 17, 1, 0)
    s.send(msg)
    s.settimeout(20)
    r = s.recv(4096)
    err = struct.unpack_from("=i", r, 16)[0] if struct.unpack_from("=H", r, 4)[0] == 2 else 999
    with open(result + ".tmp", "w") as f:
        f.write("%d\n" % err)
    os.rename(result + ".tmp", result)
if len(sys.argv) == 3:
    flush()
    sys.exit(0)
if os.fork() == 0:
    while not os.path.exists(result + ".go"):
        time.sleep(0.05)
    flush()
    os._exit(0)
os.set_inheritable(s.fileno(), True)
os.execv(sys.argv[3], sys.argv[3:])
PYEOF
chmod 644 "$NLVS_TMP/flush.py"

nlvsd_start || tap_bail "nlvsd did not start"
chmod 666 "$NLVS_SOCK"

table_add()
{
	nlvs_ipvsadm -A -t 10.9.0.1:80 -s rr && nlvs_ipvsadm -a -t 10.9.0.1:80 -r 10.9.1.1 -m
}
table_add || tap_bail "cannot build the table"
table=$(nlvs_ipvsadm -S -n)

# result_of NAME: the errno FLUSH got (waits up to 20 s).
result_of()
{
	_t=0
	while [ ! -s "$NLVS_TMP/x/$1" ] && [ $_t -lt 200 ]; do
		sleep 0.1
		_t=$((_t + 1))
	done
	cat "$NLVS_TMP/x/$1" 2> /dev/null || echo none
}

# --- control: nobody, no trick
timeout 30 $asnobody $PY "$NLVS_TMP/flush.py" "$NLVS_SOCK" "$NLVS_TMP/x/plain"
tap_is "$(result_of plain)" "-1" "nobody: FLUSH refused with EPERM"
tap_is "$(nlvs_ipvsadm -S -n)" "$table" "nobody: table unchanged"

# trick NAME PROG: nobody connects while nlvsd is stopped, execs PROG, nlvsd
# resumes and accepts, the child sends FLUSH.
trick()
{
	_name=$1
	shift
	kill -STOP "$NLVSD_PID"
	$asnobody $PY "$NLVS_TMP/flush.py" "$NLVS_SOCK" "$NLVS_TMP/x/$_name" "$@" &
	_pid=$!
	# wait until PROG runs (its comm is sleep's name)
	_t=0
	while [ "$(cat /proc/$_pid/comm 2> /dev/null)" != "$(basename "$1")" ] && \
		[ $_t -lt 200 ]; do
		sleep 0.05
		_t=$((_t + 1))
	done
	grep -E '^(Uid|CapEff)' /proc/$_pid/status > "$NLVS_TMP/$_name.creds"
	kill -CONT "$NLVSD_PID"
	# let nlvsd accept the connection (its credentials are decided there)
	nlvs_ipvsadm -Ln > /dev/null
	touch "$NLVS_TMP/x/$_name.go"
	_r=$(result_of "$_name")
	kill "$_pid" 2> /dev/null
	wait "$_pid" 2> /dev/null
	echo "$_r"
}

r=$(trick setuid "$NLVS_TMP/suid-sleep" 60)
tap_diag_file "$NLVS_TMP/setuid.creds"
tap_is "$r" "-1" "connect as nobody, exec setuid root: FLUSH refused with EPERM"
tap_is "$(nlvs_ipvsadm -S -n)" "$table" "setuid trick: table unchanged"

r=$(trick filecap "$NLVS_TMP/cap-sleep" 60)
tap_diag_file "$NLVS_TMP/filecap.creds"
tap_is "$r" "-1" "connect as nobody, exec a cap_net_admin+ep program: FLUSH refused"
tap_is "$(nlvs_ipvsadm -S -n)" "$table" "file capability trick: table unchanged"

# --- control: nobody holding CAP_NET_ADMIN when it connects is admin
timeout 30 $asnobody --inh-caps=+net_admin --ambient-caps=+net_admin \
	$PY "$NLVS_TMP/flush.py" "$NLVS_SOCK" "$NLVS_TMP/x/ambient"
tap_is "$(result_of ambient)" "0" "nobody with ambient CAP_NET_ADMIN: FLUSH allowed"
tap_is "$(nlvs_ipvsadm -S -n)" "" "ambient CAP_NET_ADMIN: table flushed"
nlvs_alive
tap_check $? "nlvsd still running"
tap_done
