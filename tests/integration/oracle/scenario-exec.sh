#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scenario-exec.sh SCENARIO RESULTDIR
#
# Runs an ipvsadm scenario (tests/integration/scenarios/ipvsadm.txt) and
# records, per command N (4 digits): RESULTDIR/N.cmd ("block<TAB>line"),
# N.out, N.err, N.rc.  The same file is run in the oracle (oracle-run.sh)
# against the kernel, whose records are the golden goldens/ipvsadm.golden,
# and on the host against nlvsd; ipvsadm-compare.sh compares the two.
#
# Environment:
#   SCEN_IPVSADM   command prefix (shell words, eval'd) that runs ipvsadm,
#                  e.g. "ipvsadm" or "nlvs-exec -s /tmp/x/ipvs.sock ipvsadm"
#   SCEN_KERNEL_MODULES  set on the kernel side only: file listing the loaded
#                  IPVS modules (enables %kernel-sub)
#   SCEN_TIMEOUT   seconds per command (default 20; exit 124 on timeout);
#                  after 3 timeouts in a row the remaining commands are not
#                  run (a hung server would otherwise cost minutes)
#
# Scenario syntax, one item per line:
#   # text               comment (also blank lines)
#   ARGS                 one ipvsadm run; ARGS are shell words (quotes work,
#                        no redirections); stdin is /dev/null
#   <NAME ARGS           the same with stdin read from work file NAME
#   %noargs              ipvsadm run without any argument
#   %block NAME          start a block: NAME prefixes the test descriptions
#                        and ends any %kernel-sub
#   %save NAME           save the previous command's stdout as work file NAME
#   %sh COMMAND          shell command run in the work directory on both
#                        sides (e.g. to write a -R input); not compared
#   %kernel-sub MODULE FROM TO
#                        kernel side only, and only if MODULE is not loaded
#                        (the oracle kernel is 6.1 and lacks newer modules):
#                        until the end of the block the word FROM in commands
#                        is replaced by TO, and TO in the kernel's outputs by
#                        FROM.  The block must not otherwise use the word TO.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SCENARIO RESULTDIR" >&2
	exit 2
fi
scen=$1
res=$2
prefix=${SCEN_IPVSADM:-ipvsadm}
tmo=${SCEN_TIMEOUT:-20}
mkdir -p "$res/work" || exit 1
W=$(cd "$res/work" && pwd -P)
export W

n=0
timeouts=0
prev=
block=
sub_from=
sub_to=

# Word-wise substitution ($1 -> $2) of stdin, for %kernel-sub.
sub_words()
{
	sed "s/\\<$1\\>/$2/g"
}

while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'' | '#'*)
		continue
		;;
	'%block '*)
		block=${line#%block }
		sub_from=
		sub_to=
		continue
		;;
	'%sh '*)
		(cd "$W" && eval "${line#%sh }") < /dev/null > /dev/null 2>&1
		continue
		;;
	'%save '*)
		[ -z "$prev" ] || cp "$res/$prev.out" "$W/${line#%save }"
		continue
		;;
	'%kernel-sub '*)
		if [ -n "${SCEN_KERNEL_MODULES:-}" ]; then
			# shellcheck disable=SC2086 # split into MODULE FROM TO
			set -- ${line#%kernel-sub }
			if ! grep -qx "$1" "$SCEN_KERNEL_MODULES"; then
				sub_from=$2
				sub_to=$3
			fi
		fi
		continue
		;;
	esac

	n=$((n + 1))
	id=$(printf '%04d' $n)
	prev=$id
	printf '%s\t%s\n' "$block" "$line" > "$res/$id.cmd"
	stdin=/dev/null
	args=$line
	case $line in
	%noargs)
		args=
		;;
	'<'*)
		stdin=${line%% *}
		stdin=$W/${stdin#<}
		args=${line#* }
		;;
	esac
	if [ -n "$sub_from" ]; then
		args=$(printf '%s\n' "$args" | sub_words "$sub_from" "$sub_to")
	fi
	(cd "$W" && eval "exec timeout -k 5 $tmo $prefix $args") \
		< "$stdin" > "$res/$id.out" 2> "$res/$id.err"
	rc=$?
	echo $rc > "$res/$id.rc"
	if [ $rc -eq 124 ]; then
		timeouts=$((timeouts + 1))
		if [ $timeouts -ge 3 ]; then
			echo "scenario-exec: 3 timeouts in a row, giving up after $id" >&2
			break
		fi
	else
		timeouts=0
	fi
	if [ -n "$sub_from" ]; then
		for f in out err; do
			sub_words "$sub_to" "$sub_from" < "$res/$id.$f" > "$res/$id.$f.tmp"
			mv "$res/$id.$f.tmp" "$res/$id.$f"
		done
	fi
done < "$scen"
echo "$n" > "$res/count"
