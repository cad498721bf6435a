# SPDX-License-Identifier: GPL-2.0-or-later
# `make check-sanitize`: the hostile-traffic tests (and the unit tests of the
# packet path, of the engine's hashes and table, test_lb and test_lb_cfg, and
# of L3's own addresses, test_addr) against an ASan+UBSan build.  It
# configures a second tree, build/sanitize (--enable-sanitizers, same
# source), builds it there and runs SANITIZE_TESTS with every sanitizer
# report gathered under
# sanitize/reports/; it fails when a test fails or when any report exists
# (UBSan stops nlvsd at its first finding, ASan at every error).  The build
# dominates: 3 minutes with the tree built, 6 to 12 from scratch on 2 busy
# cores (make -j2).
SANITIZE_TESTS = \
	tests/unit/test_pkt tests/unit/test_pkt_csum tests/unit/test_fnat \
	tests/unit/test_conn tests/unit/test_neigh tests/unit/test_lb tests/unit/test_lb_cfg \
	tests/unit/test_addr \
	tests/integration/golden-hostile.sh \
	tests/integration/golden-fuzz.sh \
	tests/integration/fnat-hostile.sh \
	tests/integration/fnat-neigh-flood.sh \
	tests/integration/dp-ping.sh \
	tests/integration/host-twin.sh
SANITIZE_DIR = sanitize
# ASan writes its reports there itself; UBSan (beside ASan) only to stderr, so
# tests/lib.sh copies the logs of nlvsd that hold one (NLVS_SANITIZE_REPORTS).
# LeakSanitizer stays on: nlvsd frees what it allocates before it exits, the
# DPDK heap included, and no suppression has been needed.
SANITIZE_REPORTS = $(abs_builddir)/$(SANITIZE_DIR)/reports
SANITIZE_ENV = \
	NLVS_SANITIZE_REPORTS=$(SANITIZE_REPORTS) \
	ASAN_OPTIONS=log_path=$(SANITIZE_REPORTS)/asan:detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

check-sanitize:
	$(AM_V_at)$(MKDIR_P) $(SANITIZE_DIR)
	$(AM_V_at)cd $(SANITIZE_DIR) && { test -f Makefile || \
		$(abs_top_srcdir)/configure -q --enable-sanitizers CFLAGS='-O1 -g'; }
	$(AM_V_at)rm -rf $(SANITIZE_DIR)/reports && $(MKDIR_P) $(SANITIZE_DIR)/reports
	$(AM_V_at)st=0; \
	env $(SANITIZE_ENV) $(MAKE) $(AM_MAKEFLAGS) -C $(SANITIZE_DIR) check check_PROGRAMS= \
		TESTS='$(SANITIZE_TESTS)' || st=1; \
	for f in $(SANITIZE_DIR)/reports/*; do \
		[ -f "$$f" ] || continue; \
		echo "check-sanitize: sanitizer report $$f:"; cat "$$f"; st=1; \
	done; \
	[ $$st = 0 ] && echo "check-sanitize: no sanitizer report, every test passed"; \
	exit $$st

clean-local: clean-sanitize
clean-sanitize:
	-rm -rf $(SANITIZE_DIR)
.PHONY: check-sanitize clean-sanitize
