#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# nlvsd-hugepages, nlvsd.service's ExecStartPre: the megabytes an eal line
# asks for (-m, --socket-mem, none with --no-huge or without eal), and a
# real reservation of 2 MiB pages (given back at the end).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

H=$top_builddir/systemd/nlvsd-hugepages
[ -x "$H" ] || tap_bail "$H not built"
nlvs_tmpdir_make
C=$NLVS_TMP/nlvsd.conf

asks()
{
	printf '%s\n' "$1" > "$C"
	"$H" -n "$C"
}
tap_is "$(asks 'eal -l 0-2 -m 1024 --file-prefix x')" 1024 "-m 1024"
tap_is "$(asks 'eal -l 0-2 --socket-mem 512,256')" 768 "--socket-mem 512,256 (summed)"
tap_is "$(asks 'eal -l 0-2 --socket-mem=64')" 64 "--socket-mem=64"
tap_is "$(asks 'eal --no-huge -m 512 --no-pci')" 0 "--no-huge: none"
tap_is "$(asks '#eal -m 512')" 0 "no eal line: none"
tap_is "$("$H" -n "$NLVS_TMP/absent.conf")" 0 "no file: none"

nlvs_require_root
S=/sys/kernel/mm/hugepages/hugepages-2048kB
[ -w "$S/nr_hugepages" ] || { tap_skip "reservation" "no 2 MiB hugepages here"; tap_done; }
before=$(cat "$S/nr_hugepages")
free=$(cat "$S/free_hugepages")
# give back what this test added, unless someone changed the count meanwhile
restore()
{
	[ "$(cat "$S/nr_hugepages")" != "$added" ] || echo "$before" > "$S/nr_hugepages"
}
added=$before
nlvs_cleanup_add restore
want=$((free + 4))
printf 'eal -l 0-1 -m %s --file-prefix t\n' $((want * 2)) > "$C"
out=$("$H" "$C" 2>&1)
st=$?
added=$(cat "$S/nr_hugepages")
tap_check $st "it reserves what -m $((want * 2)) asks for ($out)" "$out"
tap_check $([ "$(cat "$S/free_hugepages")" -ge "$want" ] && echo 0 || echo 1) \
	"$want pages of 2 MiB free now ($(cat "$S/free_hugepages"))"
out=$("$H" "$C" 2>&1)
tap_check $([ "$(cat "$S/nr_hugepages")" = "$added" ] && echo 0 || echo 1) \
	"run again, it adds nothing ($out)"
restore
tap_is "$(cat "$S/nr_hugepages")" "$before" "the pages are given back"
tap_done
