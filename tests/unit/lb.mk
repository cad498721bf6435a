# SPDX-License-Identifier: GPL-2.0-or-later
# FULLNAT engine: its pure parts (lb_calc.c), no EAL.
check_PROGRAMS += tests/unit/test_lb
TESTS += tests/unit/test_lb
tests_unit_test_lb_SOURCES = tests/unit/test_lb.c dataplane/lb/lb_calc.h dataplane/lb/lb_calc.c
tests_unit_test_lb_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_lb_LDADD = dataplane/libnlvspkt.la $(UNIT_LIBS)

# The copy-on-write table (lb_cfg.c) through the control API, its
# surroundings (workers, L3's addresses, RCU) stood in for: no EAL.
check_PROGRAMS += tests/unit/test_lb_cfg
TESTS += tests/unit/test_lb_cfg
tests_unit_test_lb_cfg_SOURCES = tests/unit/test_lb_cfg.c dataplane/lb/lb_cfg.c \
	dataplane/lb/lb_calc.c
tests_unit_test_lb_cfg_CFLAGS = $(UNIT_CFLAGS) $(DPDK_CFLAGS)
tests_unit_test_lb_cfg_LDADD = dataplane/libnlvspkt.la $(UNIT_LIBS)
