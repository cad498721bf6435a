# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# tests/lib.sh: shared helpers for the shell integration tests (POSIX sh).
#
# Use:
#	. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
#	nlvs_require_root
#	nlvs_tmpdir_make		# $NLVS_TMP, removed at exit
#	nlvsd_start			# nlvsd -d -s $NLVS_TMP/ipvs.sock
#	nlvs_ipvsadm -A -t 10.0.0.1:80	# ipvsadm through nlvs-exec
#	tap_is "$(nlvs_ipvsadm -S -n)" "$expected" "table saved"
#	tap_done			# prints the plan, exits 0/1
#
# Environment (tests/local.mk exports the first two under `make check`):
#   top_srcdir, top_builddir  source and build trees (absolute).  When unset
#                             they default to the tree this file lives in.
#   NLVSD, NLVS_EXEC, NLVSCTL override the daemon / wrapper / nlvsctl binaries.
#   NLVS_PRELOAD_LIB          preload library given to nlvs-exec (exported).
#   NLVS_TEST_VERBOSE=1       copy diagnostics of passing tests too.
#   NLVS_SANITIZE_REPORTS=DIR at exit, copy every file of $NLVS_TMP that holds
#                             a sanitizer report (nlvsd's log) into DIR
#                             (`make check-sanitize` sets it).
#
# TAP: the tests run under automake's TAP driver, which counts a non-zero
# exit status as an error, so a test that cannot run prints "1..0 # SKIP why"
# and exits 0 (tap_skip_all); that is how the driver records a skip.
#
# Stable interface (other tests rely on it): every function documented
# below.  Names starting with _nlvs are private.

# ---------------------------------------------------------------- locations

if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")" && while [ ! -f tests/lib.sh ] && \
		[ "$(pwd)" != / ]; do cd ..; done; pwd)
fi
if [ -z "${top_builddir:-}" ]; then
	top_builddir=$top_srcdir
fi
export top_srcdir top_builddir

NLVSD=${NLVSD:-$top_builddir/dataplane/nlvsd}
NLVS_EXEC=${NLVS_EXEC:-$top_builddir/compat/nlvs-exec}
NLVSCTL=${NLVSCTL:-$top_builddir/tools/nlvsctl}
NLVS_PRELOAD_LIB=${NLVS_PRELOAD_LIB:-$top_builddir/compat/.libs/libnlvs-preload.so}
export NLVS_PRELOAD_LIB
NLVS_ORACLE_DIR=$top_srcdir/tests/integration/oracle
NLVS_GOLDENS=$top_srcdir/tests/integration/goldens
NLVS_SCENARIOS=$top_srcdir/tests/integration/scenarios

# Bound for one client command (ipvsadm through nlvs-exec); a hang is a bug.
NLVS_CMD_TIMEOUT=${NLVS_CMD_TIMEOUT:-20}

# ---------------------------------------------------------------------- TAP

_nlvs_tap_n=0
_nlvs_tap_failed=0
_nlvs_tap_planned=

# tap_plan N: announce N tests up front (optional: tap_done prints the plan
# at the end when none was given).
tap_plan()
{
	_nlvs_tap_planned=$1
	echo "1..$1"
}

# tap_diag TEXT...: diagnostic lines ("# ..."), each input line prefixed.
tap_diag()
{
	printf '%s\n' "$*" | sed 's/^/# /'
}

# tap_diag_file FILE [MAXLINES]: a file's content as diagnostics.
tap_diag_file()
{
	[ -f "$1" ] || return 0
	head -n "${2:-60}" "$1" | sed 's/^/#   /'
}

# tap_ok DESC: a passing test.
tap_ok()
{
	_nlvs_tap_n=$((_nlvs_tap_n + 1))
	echo "ok $_nlvs_tap_n - $*"
}

# tap_not_ok DESC [DIAG]: a failing test; DIAG (multi-line) follows as "# ".
tap_not_ok()
{
	_nlvs_tap_n=$((_nlvs_tap_n + 1))
	_nlvs_tap_failed=$((_nlvs_tap_failed + 1))
	echo "not ok $_nlvs_tap_n - $1"
	[ $# -lt 2 ] || tap_diag "$2"
}

# tap_skip DESC REASON: one skipped test.
tap_skip()
{
	_nlvs_tap_n=$((_nlvs_tap_n + 1))
	echo "ok $_nlvs_tap_n - $1 # SKIP $2"
}

# tap_check STATUS DESC [DIAG]: ok when STATUS is 0, not ok otherwise.
tap_check()
{
	if [ "$1" -eq 0 ]; then
		tap_ok "$2"
		[ "${NLVS_TEST_VERBOSE:-0}" = 0 ] || [ $# -lt 3 ] || tap_diag "$3"
	else
		tap_not_ok "$2" "${3:-}"
	fi
}

# tap_is GOT EXPECTED DESC [DIAG]: string equality, unified diff (then DIAG)
# on mismatch.
tap_is()
{
	if [ "$1" = "$2" ]; then
		tap_ok "$3"
	else
		tap_not_ok "$3" "$(nlvs_diff_text "$2" "$1")${4:+
$4}"
	fi
}

# tap_skip_all REASON: the whole test cannot run here (missing precondition).
tap_skip_all()
{
	echo "1..0 # SKIP $*"
	exit 0
}

# tap_bail REASON: abort the whole test as an error.
tap_bail()
{
	echo "Bail out! $*"
	exit 1
}

# tap_done: print the plan if none was given; exit 1 if anything failed.
tap_done()
{
	[ -n "$_nlvs_tap_planned" ] || echo "1..$_nlvs_tap_n"
	[ "$_nlvs_tap_failed" -eq 0 ] || exit 1
	exit 0
}

# nlvs_diff_text EXPECTED GOT: unified diff of two strings (labelled
# "expected"/"got"), for diagnostics.
nlvs_diff_text()
{
	_d=$(mktemp -d "${TMPDIR:-/tmp}/nlvs-diff.XXXXXX") || return 0
	printf '%s\n' "$1" > "$_d/expected"
	printf '%s\n' "$2" > "$_d/got"
	(cd "$_d" && diff -u expected got | sed '1,2d')
	rm -rf "$_d"
}

# ------------------------------------------------------------ preconditions

# nlvs_require_root: skip the test unless running as root.
nlvs_require_root()
{
	[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root"
}

# nlvs_require_cmd CMD...: skip unless every CMD is on PATH (or executable).
nlvs_require_cmd()
{
	for _c in "$@"; do
		command -v "$_c" > /dev/null 2>&1 || [ -x "$_c" ] || \
			tap_skip_all "$_c not installed"
	done
}

# nlvs_require_build: the daemon, wrapper and preload library must exist
# (built by `make check`); missing ones are an error, not a skip.
nlvs_require_build()
{
	for _f in "$NLVSD" "$NLVS_EXEC" "$NLVS_PRELOAD_LIB"; do
		[ -e "$_f" ] || tap_bail "$_f not built (run make first)"
	done
}

# -------------------------------------------------------- temp dir, cleanup

_nlvs_cleanup_cmds=

# nlvs_cleanup_add CMD: run CMD (a shell string) at exit, last added first.
nlvs_cleanup_add()
{
	_nlvs_cleanup_cmds="$1
$_nlvs_cleanup_cmds"
}

_nlvs_cleanup_run()
{
	_st=$?
	trap - EXIT HUP INT TERM
	_cmds=$_nlvs_cleanup_cmds
	_nlvs_cleanup_cmds=
	printf '%s\n' "$_cmds" | while IFS= read -r _cmd; do
		[ -z "$_cmd" ] || eval "$_cmd" > /dev/null 2>&1
	done
	exit "$_st"
}
trap _nlvs_cleanup_run EXIT
trap 'exit 130' HUP INT TERM

# nlvs_tmpdir_make: create $NLVS_TMP, $TMPDIR/nlvs-<test name>.XXXXXX (removed
# at exit unless
# NLVS_KEEP_TMP=1) and set $NLVS_SOCK to $NLVS_TMP/ipvs.sock.
nlvs_tmpdir_make()
{
	NLVS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nlvs-$(basename "$0" .sh).XXXXXX") || \
		tap_bail "mktemp failed"
	if [ "${NLVS_KEEP_TMP:-0}" = 1 ]; then
		echo "# keeping $NLVS_TMP"
	else
		nlvs_cleanup_add "rm -rf '$NLVS_TMP'"
	fi
	# runs after nlvsd_stop (added later, run earlier): LeakSanitizer included
	[ -z "${NLVS_SANITIZE_REPORTS:-}" ] || nlvs_cleanup_add "_nlvs_sanitize_collect"
	NLVS_SOCK=$NLVS_TMP/ipvs.sock
	export NLVS_TMP NLVS_SOCK
}

# UBSan beside ASan writes to stderr whatever log_path says, so its reports
# are found in the logs the test kept of nlvsd.
_nlvs_sanitize_collect()
{
	grep -l -r -E 'runtime error:|ERROR: (Address|Leak)Sanitizer' "$NLVS_TMP" 2> /dev/null |
		while IFS= read -r _f; do
			cp "$_f" "$NLVS_SANITIZE_REPORTS/$(basename "$0" .sh).$(basename "$_f")"
		done
}

# ------------------------------------------------------------------- nlvsd

NLVSD_PID=

# nlvsd_start [ARGS...]: start `nlvsd -d -f $NLVS_TMP/nlvsd.conf -s
# $NLVS_SOCK ARGS` in the background (log: $NLVS_TMP/nlvsd.log, appended)
# and wait until its socket accepts connections.  The config file is
# created empty (control plane only) unless the test wrote one.  The state
# file is nlvsd's default: $NLVS_SOCK.state.  Returns 1 (diagnostics on
# stdout) if nlvsd died or the socket did not appear within
# $NLVSD_START_TIMEOUT seconds (default 15).  Stopped at exit.
# shellcheck disable=SC2120
nlvsd_start()
{
	[ -n "${NLVS_TMP:-}" ] || nlvs_tmpdir_make
	[ -f "$NLVS_TMP/nlvsd.conf" ] || : > "$NLVS_TMP/nlvsd.conf"
	"$NLVSD" -d -f "$NLVS_TMP/nlvsd.conf" -s "$NLVS_SOCK" "$@" \
		>> "$NLVS_TMP/nlvsd.log" 2>&1 < /dev/null &
	NLVSD_PID=$!
	nlvs_cleanup_add "nlvsd_stop"
	_t=0
	_limit=$((${NLVSD_START_TIMEOUT:-15} * 10))
	while [ $_t -lt $_limit ]; do
		if ! kill -0 "$NLVSD_PID" 2> /dev/null; then
			wait "$NLVSD_PID" 2> /dev/null
			tap_diag "nlvsd exited during start-up (status $?):"
			tap_diag_file "$NLVS_TMP/nlvsd.log"
			NLVSD_PID=
			return 1
		fi
		if [ -S "$NLVS_SOCK" ] && nlvs_sock_alive "$NLVS_SOCK"; then
			return 0
		fi
		sleep 0.1
		_t=$((_t + 1))
	done
	tap_diag "nlvsd socket $NLVS_SOCK did not come up; log:"
	tap_diag_file "$NLVS_TMP/nlvsd.log"
	return 1
}

# nlvs_sock_alive PATH: true if a SOCK_SEQPACKET listener accepts on PATH.
nlvs_sock_alive()
{
	if command -v socat > /dev/null 2>&1; then
		timeout 5 socat -u OPEN:/dev/null "UNIX-CONNECT:$1,type=5" 2> /dev/null
		return
	fi
	timeout 5 /usr/bin/python3 - "$1" <<'EOF' 2> /dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
EOF
}

# nlvsd_stop: SIGTERM, then SIGKILL after 10 s.  Returns nlvsd's exit status
# (0 when it was not running).
nlvsd_stop()
{
	[ -n "$NLVSD_PID" ] || return 0
	kill -TERM "$NLVSD_PID" 2> /dev/null
	_t=0
	while kill -0 "$NLVSD_PID" 2> /dev/null && [ $_t -lt 100 ]; do
		sleep 0.1
		_t=$((_t + 1))
	done
	kill -KILL "$NLVSD_PID" 2> /dev/null
	wait "$NLVSD_PID" 2> /dev/null
	_st=$?
	NLVSD_PID=
	return $_st
}

# nlvsd_kill9: SIGKILL nlvsd (crash simulation) and reap it.
nlvsd_kill9()
{
	[ -n "$NLVSD_PID" ] || return 0
	kill -KILL "$NLVSD_PID" 2> /dev/null
	wait "$NLVSD_PID" 2> /dev/null
	NLVSD_PID=
	return 0
}

# nlvs_exec CMD [ARGS...]: run CMD through nlvs-exec against $NLVS_SOCK,
# bounded by $NLVS_CMD_TIMEOUT seconds (exit 124 on timeout).
nlvs_exec()
{
	timeout -k 5 "$NLVS_CMD_TIMEOUT" "$NLVS_EXEC" -s "$NLVS_SOCK" "$@"
}

# nlvs_ipvsadm ARGS...: ipvsadm through nlvs-exec (see nlvs_exec).
nlvs_ipvsadm()
{
	nlvs_exec ipvsadm "$@"
}

# nlvs_alive: true while the nlvsd started by nlvsd_start runs.
nlvs_alive()
{
	[ -n "$NLVSD_PID" ] && kill -0 "$NLVSD_PID" 2> /dev/null
}

# nlvs_state_diag [FILE...]: what to look at when traffic fails: the IPVS
# table, the dataplane counters that are not zero, the end of nlvsd's log
# and of each FILE (e.g. keepalived's log).  For a failing check's DIAG.
nlvs_state_diag()
{
	echo "ipvsadm -Ln:"
	nlvs_ipvsadm -Ln 2>&1
	echo "dataplane counters (not zero):"
	"$NLVSCTL" -s "$NLVS_SOCK" stats 2>&1 |
		awk '$2 != "0" && $1 !~ /^port\.[^.]*\.(x|rxq|txq)/'
	for _f in "$NLVS_TMP/nlvsd.log" "$@"; do
		echo "end of $(basename "$_f"):"
		tail -n 15 "$_f" 2>&1
	done
}

# nlvsd_in_netns NS: later nlvsd_start calls run nlvsd inside namespace NS
# (through a wrapper script in $NLVS_TMP; $NLVSD points at it).
nlvsd_in_netns()
{
	[ -n "${NLVS_TMP:-}" ] || nlvs_tmpdir_make
	cat > "$NLVS_TMP/nlvsd-ns" <<WRAP
#!/bin/sh
exec ip netns exec $1 $NLVSD "\$@"
WRAP
	chmod +x "$NLVS_TMP/nlvsd-ns"
	NLVSD=$NLVS_TMP/nlvsd-ns
}

# nlvs_stat NAME: one dataplane counter, read from the "NAME VALUE" lines of
# `nlvsctl stats` ($NLVSCTL).  When nlvsd reports no NAME (not running, no
# dataplane, no such counter) it prints 0, so arithmetic on it still works,
# and returns 1.
nlvs_stat()
{
	_nlvs_v=$("$NLVSCTL" -s "$NLVS_SOCK" stats 2> /dev/null |
		awk -v n="$1" '$1 == n { print $2; exit }')
	if [ -z "$_nlvs_v" ]; then
		echo 0
		return 1
	fi
	echo "$_nlvs_v"
}

# nlvs_wait_until SECONDS CMD [ARGS...]: run CMD every 0.1 s until it
# succeeds or SECONDS (wall clock) have passed; 0 when it succeeded, 1
# otherwise.  For what a loaded machine does late (a counter that moves, a
# server that starts listening): bound it generously, a pass costs only the
# time the condition takes.
nlvs_wait_until()
{
	_nlvs_wu_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$_nlvs_wu_end" ] || return 1
		sleep 0.1
	done
	return 0
}

# nlvs_stat_ge NAME MIN: true when the counter NAME (nlvs_stat) is at least
# MIN, e.g. nlvs_wait_until 20 nlvs_stat_ge drop.no-route $((before + 3)).
nlvs_stat_ge()
{
	[ "$(nlvs_stat "$1")" -ge "$2" ]
}

# nlvs_keepalived_start [NS]: keepalived (checker only, in the foreground,
# logging to $NLVS_TMP/keepalived.log) with $NLVS_TMP/keepalived.conf,
# through nlvs-exec against $NLVS_SOCK, in the background (in network
# namespace NS when given, e.g. where its health checks reach the real
# servers): $NLVS_KA_PID, killed at exit.
nlvs_keepalived_start()
{
	if [ $# -gt 0 ]; then
		set -- ip netns exec "$1"
	fi
	"$@" "$NLVS_EXEC" -s "$NLVS_SOCK" keepalived -n -l -D -C -G \
		-f "$NLVS_TMP/keepalived.conf" \
		-p "$NLVS_TMP/keepalived.pid" -c "$NLVS_TMP/checker.pid" \
		> "$NLVS_TMP/keepalived.log" 2>&1 < /dev/null &
	NLVS_KA_PID=$!
	nlvs_cleanup_add "kill -KILL $NLVS_KA_PID"
}

# ------------------------------------------------------------ namespace lab

# nlvs_lab_setup SCRIPT NSVAR DESC: bring up the namespace lab of SCRIPT
# (scripts/netns-lab.sh or netns-snat-lab.sh, `up|down DIR`) in $LAB
# ($NLVS_TMP/lab, torn down at exit), load its lab.env and start nlvsd with
# the lab's nlvsd.conf in the namespace named by lab.env's variable NSVAR.
# Reports "DESC (N worker(s))"; bails or skips when something is missing, and
# ends the test when nlvsd does not run.
nlvs_lab_setup()
{
	nlvs_lab_up "$1"
	nlvs_lab_start "$2" "$3"
}

# nlvs_lab_up SCRIPT: the first half of nlvs_lab_setup: the lab up, lab.env
# loaded, its nlvsd.conf copied to $NLVS_TMP/nlvsd.conf (to edit before
# nlvs_lab_start).
nlvs_lab_up()
{
	nlvs_require_root
	nlvs_require_cmd ip ethtool curl python3
	[ -x "$NLVSD" ] || tap_bail "nlvsd not built"
	nlvs_tmpdir_make
	LAB=$NLVS_TMP/lab
	nlvs_cleanup_add "/bin/sh '$1' down '$LAB'"
	LAB_ID=${LAB_ID:-$$} /bin/sh "$1" up "$LAB" > "$NLVS_TMP/lab.log" 2>&1 ||
		tap_bail "$(basename "$1") up failed: $(cat "$NLVS_TMP/lab.log")"
	# shellcheck disable=SC1091
	. "$LAB/lab.env"
	cp "$LAB/nlvsd.conf" "$NLVS_TMP/nlvsd.conf"
}

# nlvs_lab_start NSVAR DESC: the second half: nlvsd with $NLVS_TMP/nlvsd.conf
# in the namespace named by lab.env's variable NSVAR, reported as DESC.
nlvs_lab_start()
{
	eval "nlvsd_in_netns \"\$$1\""
	# shellcheck disable=SC2119
	if nlvsd_start && grep -q 'dataplane running' "$NLVS_TMP/nlvsd.log"; then
		tap_ok "$2 ($LAB_WORKERS worker(s))"
	else
		tap_not_ok "$2" "$(cat "$NLVS_TMP/nlvsd.log")"
		tap_done
	fi
}

# ------------------------------------------------------- kernel reference

# nlvs_golden NAME DIR: unpack the golden transcript of scenario NAME (what
# the real kernel IPVS answered, tests/integration/goldens/NAME.golden,
# recorded by `make goldens`) into DIR.  A missing or unreadable golden is an
# error: the comparison needs no kernel at run time.
nlvs_golden()
{
	_g=$NLVS_GOLDENS/$1.golden
	[ -f "$_g" ] || tap_bail "no golden $_g (make goldens records it)"
	sh "$NLVS_ORACLE_DIR/transcript.sh" unpack "$_g" "$2" || \
		tap_bail "cannot unpack $_g"
	tap_diag "kernel reference: $_g ($(sed -n 's/^# Oracle: //p' "$_g"))"
}

_nlvs_oracle_pid=

# nlvs_oracle_start DIR: for a test that needs a live kernel IPVS rather than
# a golden: run DIR/run.sh in the oracle (tests/integration/oracle/
# oracle-run.sh: user-mode-linux, or qemu where UML does not boot) in the
# background, with DIR as its shared folder ($ORACLE_OUT inside; log:
# $NLVS_TMP/oracle-run.log); stopped at exit.
nlvs_oracle_start()
{
	sh "$NLVS_ORACLE_DIR/oracle-run.sh" "$1/run.sh" "$1" > "$NLVS_TMP/oracle-run.log" 2>&1 &
	_nlvs_oracle_pid=$!
	nlvs_cleanup_add "kill -TERM $_nlvs_oracle_pid"
}

# nlvs_oracle_wait DIR: wait for nlvs_oracle_start DIR; skips the test when
# no oracle can run here, bails (with the logs) when the kernel side failed.
nlvs_oracle_wait()
{
	wait "$_nlvs_oracle_pid"
	_st=$?
	case $_st in
	0) ;;
	77) tap_skip_all "no kernel oracle runs here: $(tail -n 1 "$NLVS_TMP/oracle-run.log")" ;;
	*)
		tap_diag "kernel side failed (oracle-run status $_st):"
		tap_diag_file "$NLVS_TMP/oracle-run.log"
		tap_diag_file "$1/.oracle/script.log"
		tap_bail "no kernel reference"
		;;
	esac
}

# nlvs_traced NAME CMD...: run CMD through nlvs-exec (nlvsd at $NLVS_SOCK)
# under strace -f, its send calls only, for nlvs_sends_to; output in
# $NLVS_TMP/NAME.out and .err, trace in $NLVS_TMP/NAME.trace, status in $st.
nlvs_traced()
{
	_name=$1
	shift
	timeout -k 5 60 strace -f -qq -yy -e trace=sendto,sendmsg,sendmmsg,write,writev \
		-o "$NLVS_TMP/$_name.trace" "$NLVS_EXEC" -s "$NLVS_SOCK" "$@" \
		> "$NLVS_TMP/$_name.out" 2> "$NLVS_TMP/$_name.err"
	st=$?
}

# nlvs_sends_to KIND TRACE: how many send calls in an `strace -f -yy` log went
# to a kernel NETLINK_GENERIC socket (KIND kernel) or to one of the shim's
# nlvsd connections (KIND nlvsd); of the latter, how many were family
# lookups of IPVS or NLVS (KIND lookups) and how many anything else (KIND
# commands).  Judged on the syscall and its descriptor argument, and for
# lookups on the family name in the data strace shows (a PID never reads
# "IPVS\0"); never on anything else in the line.  A process answers its
# own lookups once nlvsd answered one (nlvs-exec(1)): those send nothing.
nlvs_sends_to()
{
	case $1 in
	kernel) _re='<NETLINK:\[GENERIC:' ;;
	nlvsd | lookups | commands) _re='<UNIX:\[[0-9]+(->[0-9]+)?,@"nlvs-shim:' ;;
	esac
	awk -v re="^(sendto|sendmsg|sendmmsg|write|writev)\\\\([0-9]+$_re" -v kind="$1" '
		{ sub(/^[0-9]+ +/, "") }
		$0 !~ re { next }
		kind == "nlvsd" || kind == "kernel" { n++; next }
		{ lookup = index($0, "IPVS\\0") || index($0, "NLVS\\0") }
		(kind == "lookups") == (lookup != 0) { n++ }
		END { print n + 0 }' "$2"
}
