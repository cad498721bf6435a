# SPDX-License-Identifier: GPL-2.0-or-later
# SNAT classifier (no EAL).
check_PROGRAMS += tests/unit/test_snat_class
TESTS += tests/unit/test_snat_class
tests_unit_test_snat_class_SOURCES = tests/unit/test_snat_class.c
tests_unit_test_snat_class_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_snat_class_LDADD = dataplane/libnlvspkt.la $(UNIT_LIBS)
