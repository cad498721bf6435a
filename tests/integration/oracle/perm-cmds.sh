#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# perm-cmds.sh RESULTDIR: what perm.sh checks, recorded per command NAME as
# RESULTDIR/NAME.rc, .out and .err.  An unprivileged user (nobody) lists
# and changes the table, then root saves it.  Run in the oracle against the
# kernel and on the host against nlvsd.
#
# Environment: ASNOBODY (command prefix that runs the rest as nobody),
# PREFIX (command prefix before ipvsadm, e.g. nlvs-exec; empty for the
# kernel).
#
# ipvsadm execs /sbin/modprobe when its initialisation fails; modprobe's
# message names the running kernel's module directory, so lines starting
# with "modprobe: " are left out of .err (host-dependent).

dir=$1
run()
{
	name=$1
	shift
	"$@" > "$dir/$name.out" 2> "$dir/$name.err.raw" < /dev/null
	echo $? > "$dir/$name.rc"
	grep -v '^modprobe: ' "$dir/$name.err.raw" > "$dir/$name.err"
	rm -f "$dir/$name.err.raw"
}
mkdir -p "$dir"
# shellcheck disable=SC2086 # prefixes are word lists
{
	run 1-list $ASNOBODY $PREFIX ipvsadm -Ln
	run 2-add $ASNOBODY $PREFIX ipvsadm -A -t 10.0.0.1:80 -s rr
	run 3-save-numeric $ASNOBODY $PREFIX ipvsadm -S -n
	run 4-root-save $PREFIX ipvsadm -S -n
}
exit 0
