#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# nlvsd-hugepages [-n] [CONF]: reserve the 2 MiB hugepages nlvsd's eal line asks
# for (-m MB, or --socket-mem MB,MB... summed) before nlvsd starts
# (nlvsd.service runs it as ExecStartPre).  Nothing to do without an eal line,
# with --no-huge, or when enough pages are free already.  Pages are added,
# never taken away (another program may hold them).
set -eu
# -n: print the megabytes the eal line asks for, reserve nothing (tests)
dry=0
if [ "${1:-}" = -n ]; then
	dry=1
	shift
fi
conf=${1:-/etc/nlvs/nlvsd.conf}
sysfs=/sys/kernel/mm/hugepages/hugepages-2048kB

mb=0
[ ! -r "$conf" ] || mb=$(awk '
	$1 == "eal" {
		for (i = 2; i <= NF; i++) {
			a = $i
			if (a == "--no-huge") { print 0; exit }
			if (a == "-m" || a == "--socket-mem") { v = $(i + 1); i++ }
			else if (a ~ /^--socket-mem=/) v = substr(a, 14)
			else continue
			n = split(v, p, ",")
			for (j = 1; j <= n; j++) mb += p[j]
		}
		print mb + 0
		exit
	}' "$conf")
if [ $dry = 1 ]; then
	echo "${mb:-0}"
	exit 0
fi
[ "${mb:-0}" -gt 0 ] || exit 0
if [ ! -d "$sysfs" ]; then
	echo "nlvsd-hugepages: no 2 MiB hugepages in this kernel" >&2
	exit 1
fi
want=$(((mb + 1) / 2))
free=$(cat "$sysfs/free_hugepages")
[ "$free" -lt "$want" ] || exit 0
total=$(cat "$sysfs/nr_hugepages")
echo $((total + want - free)) > "$sysfs/nr_hugepages"
free=$(cat "$sysfs/free_hugepages")
if [ "$free" -lt "$want" ]; then
	echo "nlvsd-hugepages: $want pages of 2 MiB wanted (${mb} MB), only $free free" >&2
	exit 1
fi
echo "nlvsd-hugepages: $free pages of 2 MiB free for ${mb} MB"
