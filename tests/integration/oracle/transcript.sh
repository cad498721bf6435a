#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# transcript.sh pack DIR FILE...     > TRANSCRIPT
# transcript.sh unpack TRANSCRIPT DIR
# transcript.sh body TRANSCRIPT      > RECORDS
#
# A golden transcript holds a set of small text files (a scenario's records:
# outputs, error texts, exit statuses) in one readable file, so a change in
# what the kernel answers shows as one diff.  Each file is
#
#   @@ file NAME
#   its lines
#   @@ noeol            (only when its last line has no newline)
#
# Lines before the first "@@ file" are a header (where and from which kernel
# the records came); `body` prints the transcript without it, which is what
# two transcripts of the same scenario are compared on.  Record files must
# be text without lines that start with "@@ ".

set -eu

usage()
{
	echo "usage: $0 pack DIR FILE... | unpack TRANSCRIPT DIR | body TRANSCRIPT" >&2
	exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
shift
case $cmd in
pack)
	dir=$1
	shift
	# One awk for all the files (a scenario has thousands): each file is
	# read as a single record (RS never matches), so its last newline, or
	# the lack of one, is seen.
	(cd "$dir" && awk 'BEGIN {
		RS = "\001"
		for (i = 1; i < ARGC; i++) {
			name = ARGV[i]
			text = ""
			if ((getline text < name) < 0) {
				print "transcript: " name ": no such record" > "/dev/stderr"
				exit 1
			}
			close(name)
			if (text ~ /(^|\n)@@ /) {
				print "transcript: " name " has a line starting with \"@@ \"" > "/dev/stderr"
				exit 1
			}
			print "@@ file " name
			if (text == "")
				continue
			if (substr(text, length(text)) == "\n")
				printf "%s", text
			else
				printf "%s\n@@ noeol\n", text
		}
		exit 0
	}' "$@")
	;;
unpack)
	[ $# -eq 2 ] || usage
	mkdir -p "$2"
	awk -v dir="$2" '
		function flush() {
			if (name == "")
				return
			printf "%s", text > (dir "/" name)
			close(dir "/" name)
		}
		/^@@ file / { flush(); name = substr($0, 9); text = ""; next }
		/^@@ noeol$/ { sub(/\n$/, "", text); next }
		name != "" { text = text $0 "\n" }
		END { flush() }
	' "$1"
	;;
body)
	[ $# -eq 1 ] || usage
	sed -n '/^@@ file /,$p' "$1"
	;;
*)
	usage
	;;
esac
