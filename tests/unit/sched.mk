# SPDX-License-Identifier: GPL-2.0-or-later
# Schedulers: pick sequences, hashing (against the kernel's), locality.
check_PROGRAMS += tests/unit/test_sched
TESTS += tests/unit/test_sched
tests_unit_test_sched_SOURCES = tests/unit/test_sched.c tests/unit/test_sched_util.h
tests_unit_test_sched_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sched_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_sched_hash
TESTS += tests/unit/test_sched_hash
tests_unit_test_sched_hash_SOURCES = tests/unit/test_sched_hash.c tests/unit/test_sched_util.h
tests_unit_test_sched_hash_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sched_hash_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_sched_loc
TESTS += tests/unit/test_sched_loc
tests_unit_test_sched_loc_SOURCES = tests/unit/test_sched_loc.c tests/unit/test_sched_util.h
tests_unit_test_sched_loc_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sched_loc_LDADD = $(UNIT_LIBS)
