# SPDX-License-Identifier: GPL-2.0-or-later
# nlserver: framing, nlctrl, every IPVS command, the NLVS family and the
# socket server, byte for byte against ipvs-genl.md.
NLS_TEST_SOURCES = tests/unit/test_nls_util.c tests/unit/test_nls_util.h
NLS_TEST_LIBS = nlserver/libnlserver.la $(UNIT_LIBS) $(MNL_LIBS)
NLS_TEST_CFLAGS = $(UNIT_CFLAGS) $(MNL_CFLAGS)

check_PROGRAMS += tests/unit/test_nls_genl
tests_unit_test_nls_genl_SOURCES = tests/unit/test_nls_genl.c $(NLS_TEST_SOURCES)
tests_unit_test_nls_genl_CFLAGS = $(NLS_TEST_CFLAGS)
tests_unit_test_nls_genl_LDADD = $(NLS_TEST_LIBS)
TESTS += tests/unit/test_nls_genl

check_PROGRAMS += tests/unit/test_nls_ipvs
tests_unit_test_nls_ipvs_SOURCES = tests/unit/test_nls_ipvs.c $(NLS_TEST_SOURCES)
tests_unit_test_nls_ipvs_CFLAGS = $(NLS_TEST_CFLAGS)
tests_unit_test_nls_ipvs_LDADD = $(NLS_TEST_LIBS)
TESTS += tests/unit/test_nls_ipvs

check_PROGRAMS += tests/unit/test_nls_proc
tests_unit_test_nls_proc_SOURCES = tests/unit/test_nls_proc.c $(NLS_TEST_SOURCES)
tests_unit_test_nls_proc_CFLAGS = $(NLS_TEST_CFLAGS)
tests_unit_test_nls_proc_LDADD = $(NLS_TEST_LIBS)
TESTS += tests/unit/test_nls_proc

check_PROGRAMS += tests/unit/test_nls_server
tests_unit_test_nls_server_SOURCES = tests/unit/test_nls_server.c $(NLS_TEST_SOURCES)
tests_unit_test_nls_server_CFLAGS = $(NLS_TEST_CFLAGS)
tests_unit_test_nls_server_LDADD = $(NLS_TEST_LIBS)
TESTS += tests/unit/test_nls_server
