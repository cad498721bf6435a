# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks: `make bench` builds what they need and prints figures.  Not
# part of `make check` (nothing is asserted on timings).

# One run: tests/bench/bench-run.sh runs the worker benchmark, the
# dpdk-testpmd I/O floor and the ipvsadm control-plane figures one after
# the other and writes bench.json (and bench.d/) in the build directory.
dist_noinst_SCRIPTS += tests/bench/bench-run.sh tests/bench/bench-ipvsadm.sh \
	tests/bench/bench-keepalived.sh \
	tests/bench/bench-iofloor.sh tests/bench/bench-chart.sh
EXTRA_DIST += doc/performance.md doc/performance.svg

bench: dataplane/nlvsd$(EXEEXT) compat/nlvs-exec$(EXEEXT) compat/libnlvs-preload.la \
		tests/bench/bench_worker$(EXEEXT) tests/bench/bench_fnat$(EXEEXT) \
		tests/bench/bench_rtt$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' SHELL='$(SHELL)' \
		$(SHELL) $(top_srcdir)/tests/bench/bench-run.sh
.PHONY: bench

# doc/performance.svg from the last `make bench` (bench.d/), with gnuplot
bench-chart:
	$(SHELL) $(top_srcdir)/tests/bench/bench-chart.sh bench.d $(top_srcdir)/doc/performance.svg
.PHONY: bench-chart

# `make check` runs the driver once in its tiny mode: it must keep working
# and keep writing every key (no timing is asserted).
TESTS += tests/bench/bench-smoke.sh
dist_check_SCRIPTS += tests/bench/bench-smoke.sh
include tests/bench/pkt.mk
include tests/bench/worker.mk
