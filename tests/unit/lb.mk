# SPDX-License-Identifier: GPL-2.0-or-later
# FULLNAT engine: its pure parts (lb_calc.c), no EAL.
check_PROGRAMS += tests/unit/test_lb
TESTS += tests/unit/test_lb
tests_unit_test_lb_SOURCES = tests/unit/test_lb.c dataplane/lb/lb_calc.h dataplane/lb/lb_calc.c
tests_unit_test_lb_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_lb_LDADD = dataplane/libnlvspkt.la $(UNIT_LIBS)
