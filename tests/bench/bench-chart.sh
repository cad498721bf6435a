#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench-chart.sh BENCH_D OUT.svg: draw the benchmark's own figures (the
# bench.d/ that `make bench` leaves) with gnuplot: cycles per packet of the
# worker path against the connection table's size, next to the plain
# forwarding and testpmd floors of the same run; every case of the run
# side by side, one and two workers; and established FULLNAT IPv4 both
# ways spread over 1 and 2 workers as RSS would: cycles per packet (summed
# over the workers) and Mpps.  `make bench-chart` runs it.

d=${1:?usage: bench-chart.sh BENCH_D OUT.svg}
svg=${2:?usage: bench-chart.sh BENCH_D OUT.svg}
command -v gnuplot > /dev/null ||
	{ echo "bench-chart: gnuplot not installed (package gnuplot-nox)" >&2; exit 77; }
[ -s "$d/worker.kv" ] || { echo "bench-chart: no $d/worker.kv: run make bench" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nlvs-chart.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# flows est est_in est_out new, FULLNAT IPv4, one worker
awk '$1 == "run" && $2 == "fnat4" && $4 == 1 { v[$3 " " $5] = $6; f[$3] = 1 }
END { for (x in f) printf "%d %s %s %s %s\n", x, v[x " est"], v[x " est_in"],
	v[x " est_out"], v[x " new"] }' "$d/worker.kv" | sort -n > "$tmp/size.dat"
floor=$(awk '$1 == "io_floor_cpp" { print $2 }' "$d/io.kv" 2> /dev/null)
l3=$(awk '$1 == "run" && $5 == "l3fwd" { print $6; exit }' "$d/worker.kv")
small=$(head -n1 "$tmp/size.dat" | cut -d' ' -f1)
# label cycles: every case of the run at the smallest table
awk -v s="$small" -v floor="${floor:-0}" '
$1 == "run" && $3 == s {
	k = $2 " " $5 " " $4
	if (k == "fnat4 est 1") n["a"] = "FULLNAT4 est. " $6
	if (k == "fnat6 est 1") n["b"] = "FULLNAT6 est. " $6
	if (k == "snat4 est 1") n["c"] = "SNAT4 est. " $6
	if (k == "fnat4 new 1") n["d"] = "FULLNAT4 new " $6
	if (k == "fnat4 est_out_2w 2") n["e"] = "RS->client,_2_workers " $6
	if (k == "fnat4 handoff 2") n["f"] = "same,_handed_over " $6
	if (k == "fnat4 l3fwd 1") n["g"] = "plain_IPv4_fwd " $6
}
END {
	split("a b c d e f g", o, " ")
	for (i = 1; i <= 7; i++) if (o[i] in n) {
		split(n[o[i]], p, " ")
		name = p[1] (p[3] == "" ? "" : "_" p[2])
		val = p[3] == "" ? p[2] : p[3]
		printf "\"%s\" %s\n", name, val
	}
	if (floor > 0) printf "\"testpmd_io_floor\" %s\n", floor
}' "$d/worker.kv" | sed 's/_/ /g' > "$tmp/cases.dat"
# workers cycles/pkt Mpps: established both ways, each flow on its owner
awk '$1 == "run" && $2 == "fnat4" && $5 == "est_rss" { c[$4] = $6; f = $3 }
$1 == "run" && $2 == "fnat4" && $5 == "est_rss_mpps" { m[$4] = $6 }
END { for (w in c) printf "%d %s %s\n", w, c[w], m[w]; print f > "/dev/stderr" }' \
	"$d/worker.kv" 2> "$tmp/wflows" | sort -n > "$tmp/workers.dat"
wflows=$(awk '{ printf "%d K", $1 / 1024 }' "$tmp/wflows")
cpus=$(awk '$1 == "cpus" { print $2 }' "$d/machine.kv" 2> /dev/null)
load=$(awk '$1 == "load_avg" { print $2 }' "$d/machine.kv" 2> /dev/null)
huge=$(awk '$1 == "hugepages" { print ($2 == 1 ? "2 MiB hugepages" : "4 KiB pages") }' \
	"$d/worker.kv")

gnuplot <<EOF || exit 1
$(case "$svg" in *.png) echo "set terminal png size 1700,480";; *) echo "set terminal svg size 1700,480 dynamic font \"sans,12\"";; esac)
set output "$svg"
set multiplot layout 1,3 title "nlvs worker path, net\\\\_null ports, one run (EAL on $huge, load average ${load:-?})"
set grid ytics
set key top left
set logscale x 2
set xlabel "connections in the table"
set ylabel "TSC cycles per packet"
set yrange [0:*]
set format x "%.0s%c"
plot "$tmp/size.dat" using 1:2 with linespoints lw 2 title "established, both ways", \
     "" using 1:3 with linespoints title "established client->RS", \
     "" using 1:4 with linespoints title "established RS->client", \
     "" using 1:5 with linespoints dt 2 title "new connection (SYN)", \
     ${l3:-0} with lines dt 3 lw 2 title "plain IPv4 forwarding", \
     ${floor:-0} with lines dt 4 lw 2 title "testpmd io floor"
unset logscale x
unset format x
set xlabel ""
set key off
set style fill solid 0.6
set boxwidth 0.7
set xtics rotate by -35 left
set yrange [0:*]
plot "$tmp/cases.dat" using 0:2:xtic(1) with boxes, \
     "" using 0:2:(sprintf("%.0f", \$2)) with labels offset 0,0.7
set title "established FULLNAT IPv4 both ways, ${wflows:-?} flows,\\neach flow on its worker's queues (RSS); ${cpus:-?} CPUs for it all"
set xtics norotate 1
set xrange [0.4:2.6]
set xlabel "workers"
set ylabel "TSC cycles per packet (all workers)"
set y2label "Mpps (packets / busiest worker's busy time)"
set ytics nomirror
set y2tics
set y2range [0:*]
set boxwidth 0.5
set key below horizontal
plot "$tmp/workers.dat" using 1:2 with boxes title "cycles/pkt", \
     "" using 1:2:(sprintf("%.0f", \$2)) with labels offset 0,0.7 notitle, \
     "" using 1:3 axes x1y2 with linespoints lw 2 pt 7 title "Mpps", \
     "" using 1:3:(sprintf("%.1f Mpps", \$3)) axes x1y2 with labels offset 0,-1 notitle
unset multiplot
EOF
echo "bench-chart: wrote $svg"
