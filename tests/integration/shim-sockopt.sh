#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The legacy IPVS sockopt interface (ipvs-genl.md 10, R3) is refused by the
# shim itself, on every socket, so a client whose genl lookup failed can
# never program a kernel IPVS instead of nlvsd.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

PROBE=$top_builddir/tests/integration/genl_probe

nlvs_require_root	# raw socket, like ipvsadm's fallback
nlvs_require_build
[ -x "$PROBE" ] || tap_bail "$PROBE not built (run make check)"
nlvs_tmpdir_make
NLVS_SOCK=$NLVS_TMP/absent.sock

out=$(nlvs_exec "$PROBE" sockopt 2>&1)
tap_check $? "probe runs under nlvs-exec" "$out"
n=$(printf '%s\n' "$out" | grep -c '^[gs]et 11[56][0-9] ENOPROTOOPT$')
tap_is "$n" 24 "IP_VS_SO_GET_* (8) and IP_VS_SO_SET_* (16) give ENOPROTOOPT"
tap_is "$(printf '%s\n' "$out" | grep IP_TTL)" "get IP_TTL OK" "other IP options still work"

# The refusal comes from the shim, not the kernel: on a closed descriptor
# the kernel would say EBADF.
tap_is "$("$PROBE" sockopt-badfd 2>&1)" "badfd EBADF" "kernel answers EBADF without the shim"
tap_is "$(nlvs_exec "$PROBE" sockopt-badfd 2>&1)" "badfd ENOPROTOOPT" \
	"shim refuses before the kernel sees the call"

# ipvsadm's own fallback never reaches the kernel: strace shows no IPVS
# socket option call.  The pattern is matched on the syscall's own level and
# option arguments (strace names the IPVS options IP_VS_SO_*, or prints
# their numbers, 1152-1167), never anywhere in the line, where a PID or an
# address could match.  Without the shim the same pattern must find
# ipvsadm's fallback (this host's kernel has no ip_vs, so the generic netlink
# lookup fails and ipvsadm falls back): proof that the check can fail.
nlvs_require_cmd strace
ipvs_sockopt='^([0-9]+ +)?[gs]etsockopt\([0-9]+, (SOL_IP|0), (IP_VS_SO_[A-Z_]+|11[56][0-9]),'
strace -f -o "$NLVS_TMP/trace-kernel" -e trace=getsockopt,setsockopt \
	ipvsadm -L -n > /dev/null 2>&1
if grep -Eq "$ipvs_sockopt" "$NLVS_TMP/trace-kernel"; then
	tap_ok "without the shim, ipvsadm's IP_VS_SO_* fallback is seen reaching the kernel"
else
	tap_not_ok "without the shim, ipvsadm's IP_VS_SO_* fallback is seen reaching the kernel" \
		"$(cat "$NLVS_TMP/trace-kernel")"
fi
nlvs_exec strace -f -o "$NLVS_TMP/trace" -e trace=getsockopt,setsockopt \
	ipvsadm -L -n > /dev/null 2>&1
if grep -Eq "$ipvs_sockopt" "$NLVS_TMP/trace"; then
	tap_not_ok "ipvsadm's IP_VS_SO_* fallback never reaches the kernel" \
		"$(grep -E "$ipvs_sockopt" "$NLVS_TMP/trace")"
else
	tap_ok "ipvsadm's IP_VS_SO_* fallback never reaches the kernel"
fi

tap_done
