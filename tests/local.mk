# SPDX-License-Identifier: GPL-2.0-or-later
# tests/: unit tests (cmocka, TAP), integration tests (shell, TAP) against the
# real ipvsadm/keepalived and goldens recorded from a real kernel IPVS, fuzz
# targets and benchmarks.  Everything runs under automake's TAP driver.

TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
# failing checks explain themselves on the console (CI shows only the console)
AM_LOG_DRIVER_FLAGS = --comments
AM_SH_LOG_DRIVER_FLAGS = --comments
AM_TESTS_ENVIRONMENT = \
	CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir;

EXTRA_DIST += tests/lib.sh

include tests/unit/local.mk
include tests/integration/local.mk
include tests/fuzz/local.mk
include tests/bench/local.mk

TESTS += tests/man-lint.sh
dist_check_SCRIPTS += tests/man-lint.sh
include tests/sanitize/local.mk

# `make check-unit`: the unit tests alone (the Debian package's build runs them).
check-unit:
	$(MAKE) $(AM_MAKEFLAGS) check \
		TESTS="`for t in $(TESTS); do case $$t in tests/unit/*) printf '%s ' $$t;; esac; done`"

# `make check-package`: the Debian package built with dpkg-buildpackage from
# this tree's tarball (make dist), checked with lintian, dpkg-deb and
# systemd-analyze, and its nlvsd and nlvs-exec run in the namespace lab.
# Slow (a full build): not part of `make check`; .ci/run runs it.
include tests/package/local.mk
.PHONY: check-unit
