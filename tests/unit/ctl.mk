# SPDX-License-Identifier: GPL-2.0-or-later
# Control API: services, dests, daemons, timeouts; the state file.
check_PROGRAMS += tests/unit/test_ctl tests/unit/test_ctl_state
TESTS += tests/unit/test_ctl tests/unit/test_ctl_state
tests_unit_test_ctl_SOURCES = tests/unit/test_ctl.c
tests_unit_test_ctl_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ctl_LDADD = $(UNIT_LIBS)
tests_unit_test_ctl_state_SOURCES = tests/unit/test_ctl_state.c
tests_unit_test_ctl_state_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ctl_state_LDADD = $(UNIT_LIBS)
