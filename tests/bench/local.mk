# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks: `make bench` builds what they need and prints figures.  Not
# part of `make check` (nothing is asserted on timings).

NLVS_BENCHES = tests/bench/bench-ipvsadm.sh
dist_noinst_SCRIPTS += $(NLVS_BENCHES)

bench: dataplane/nlvsd$(EXEEXT) compat/nlvs-exec$(EXEEXT) compat/libnlvs-preload.la
	@for b in $(NLVS_BENCHES); do \
		top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
			$(SHELL) $(top_srcdir)/$$b || exit $$?; \
	done
.PHONY: bench
include tests/bench/pkt.mk
include tests/bench/worker.mk
