#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Whatever a client does with processes and descriptors (vfork, posix_spawn,
# system, clone(CLONE_VM), fork, exec, dup*, fcntl, close_range, threads,
# signal handlers), every IPVS request reaches nlvsd and none the kernel
# (nlvs-exec(1), "Processes and descriptors").  Clients: ipvs_fdops (C, raw
# netlink), ipvs-fdops.py (Python's subprocess, os.system, posix_spawn) and
# ipvs-pyroute2.py (pyroute2's generic netlink socket, when installed).
# Each request creates a firewall-mark service, so nlvsd's table shows that
# it arrived; strace shows where each netlink request was sent.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

FDOPS=$top_builddir/tests/integration/ipvs_fdops
FDOPS_PY=$top_srcdir/tests/integration/ipvs-fdops.py
FDOPS_PYROUTE2=$top_srcdir/tests/integration/ipvs-pyroute2.py

nlvs_require_root
nlvs_require_build
nlvs_require_cmd ipvsadm strace python3
[ -x "$FDOPS" ] || tap_bail "$FDOPS not built (run make check)"
nlvs_tmpdir_make
if ! nlvsd_start; then
	tap_not_ok "nlvsd starts"
	tap_done
fi

# check NAME COMMANDS LOOKUPS EXPECTED CMD...: CMD prints EXPECTED and exits
# 0; its COMMANDS IPVS requests (or at least that many when COMMANDS is "N+")
# all went to nlvsd, none to the kernel.  Of its LOOKUPS family lookups, the
# first of each process image went to nlvsd; later ones may be answered by
# the shim from nlvsd's first answer (nlvs-exec(1)), so between 1 and
# LOOKUPS of them are sent.
check()
{
	_name=$1
	_want=$2
	_lookups=$3
	_expected=$4
	shift 4
	nlvs_traced "$_name" "$@"
	tap_is "$(cat "$NLVS_TMP/$_name.out")" "$_expected" "$_name: every step succeeds" \
		"status $st; $(cat "$NLVS_TMP/$_name.err")"
	_k=$(nlvs_sends_to kernel "$NLVS_TMP/$_name.trace")
	_n=$(nlvs_sends_to commands "$NLVS_TMP/$_name.trace")
	_l=$(nlvs_sends_to lookups "$NLVS_TMP/$_name.trace")
	tap_is "$_k" 0 "$_name: no request reaches the kernel" \
		"$(grep 'NETLINK:\[GENERIC' "$NLVS_TMP/$_name.trace" | head -n 5)"
	case $_want in
	*+) [ "$_n" -ge "${_want%+}" ] ;;
	*) [ "$_n" -eq "$_want" ] ;;
	esac
	tap_check $? "$_name: its $_want requests all reach nlvsd ($_n)"
	[ "$_l" -ge 1 ] && [ "$_l" -le "$_lookups" ]
	tap_check $? "$_name: 1 to $_lookups of its lookups reach nlvsd ($_l)"
}

after_child()
{
	echo "request after $1 ok
lookup on a socket opened before $1 ok
request on it ok"
}

check vfork 2 2 "vfork child ok
$(after_child vfork)" "$FDOPS" vfork 1 2

check posix_spawn 2 2 "posix_spawn child ok
system ok
$(after_child posix_spawn)" "$FDOPS" spawn 3 4

check clone 2 2 "clone child ok
$(after_child clone)" "$FDOPS" clone 5 6

check fork 2 1 "request in fork child ok
request in parent after fork ok" "$FDOPS" fork 7 8

check fork-early 2 2 "request in fork child ok
request in parent after fork ok" "$FDOPS" fork-early 9 10

check exec 2 3 "close-on-exec socket gone after exec ok
inherited socket still netlink after exec ok
request on inherited socket after exec ok
lookup on inherited kernel socket after exec ok
request on it ok" "$FDOPS" exec 11 12

check dup 7 3 "request on dup ok
request on dup2 ok
request on dup3 ok
request on F_DUPFD ok
request on F_DUPFD_CLOEXEC, others closed ok
lookup on a kernel socket ok
request on its earlier dup ok
lookup on a reused number ok
request on it ok" "$FDOPS" dup 13 14 15 16 17 18 19

check close_range 3 2 "request after close_range above it ok
FD_CLOEXEC set by close_range ok
request after CLOSE_RANGE_CLOEXEC ok
lookup on a kernel socket after it ok
request on it ok" "$FDOPS" close-range 20 21 22

# What the kernel's sockets keep: a message numbered like nlvsd's IPVS family
# on a NETLINK_ROUTE socket gets rtnetlink's own answer (EOPNOTSUPP); after
# the lookup, bind() to the socket's own port id succeeds and one with an
# AF_UNIX name fails, as on a bound netlink socket.
check sockets 1 1 "IPVS-numbered request on a route socket: answer 95
own name ok
bind to its own port id after the lookup ok
same name after it ok
bind to an AF_UNIX name: EINVAL
request after them ok" "$FDOPS" sockets 23

# 4 threads x (lookup + 5 requests).
check threads 20 4 "threads: 0 of 20 requests failed" "$FDOPS" threads 4 5 100

# 20 x (lookup + request) in the handler, plus the main thread's lookup and
# as many GET_INFO as it made meanwhile.
check signal 21+ 21 "signal handler: 0 of 20 requests failed
main thread: all requests ok" "$FDOPS" signal 20 200

# Python: 1 lookup, 3 x 3 around children, 1 in the exec'd child, 1 after,
# 4 threads x (lookup + 10).
check python 48 8 "lookup ok
subprocess.run ok
$(after_child subprocess.run)
os.system ok
$(after_child os.system)
os.posix_spawn ok
$(after_child os.posix_spawn)
inherited socket is netlink in the child ok
request from the child ok
child using the inherited socket ok
request after it ok
4 threads, 10 requests each, children started meanwhile ok" python3 "$FDOPS_PY" 300

# pyroute2 (a third-party netlink library): 1 lookup after children, GET_INFO,
# 2 requests, 4 threads x (lookup + 5) while another thread starts children.
pyroute2_marks=
for py in python3 /usr/bin/python3; do
	"$py" -c 'import pyroute2' 2> /dev/null && break
	py=
done
if [ -n "$py" ]; then
	check pyroute2 23 5 "subprocess.run ok
os.system ok
lookup after the children ok
GET_INFO ok
NEW_SERVICE ok
subprocess.run again ok
NEW_SERVICE after it ok
4 threads, 5 requests each: ok" "$py" "$FDOPS_PYROUTE2" 500
	pyroute2_marks=$(seq 500 521)
else
	for t in "every step succeeds" "no request reaches the kernel" \
		"its requests all reach nlvsd" "its lookups reach nlvsd at least once"; do
		tap_skip "pyroute2: $t" "python3-pyroute2 not installed"
	done
fi

# nlvsd's table holds exactly the services all of those requests created.
expected=$( (seq 1 23; seq 100 119; seq 200 219; seq 300 347; echo "$pyroute2_marks") |
	sed '/^$/d' | sort -n)
got=$(nlvs_ipvsadm -S -n | awk '$1 == "-A" && $2 == "-f" { print $3 }' | sort -n)
tap_is "$got" "$expected" "nlvsd's table has one service per request, no more, no less"

tap_done
