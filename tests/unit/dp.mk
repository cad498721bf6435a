# SPDX-License-Identifier: GPL-2.0-or-later
# Packet core: parsing, checksums, FULLNAT rewrite, ICMP translation,
# connection table, TCP states, local-address ports, neighbour table,
# TUN encapsulation, the kernel mirror's rtnetlink parser.
# No EAL needed.
PKT_TEST_LIBS = dataplane/libnlvspkt.la $(CMOCKA_LIBS)
EXTRA_DIST += tests/unit/test_pkt_util.h

check_PROGRAMS += tests/unit/test_pkt
TESTS += tests/unit/test_pkt
tests_unit_test_pkt_SOURCES = tests/unit/test_pkt.c tests/unit/test_pkt_util.h
tests_unit_test_pkt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pkt_LDADD = $(PKT_TEST_LIBS)

check_PROGRAMS += tests/unit/test_pkt_csum
TESTS += tests/unit/test_pkt_csum
tests_unit_test_pkt_csum_SOURCES = tests/unit/test_pkt_csum.c tests/unit/test_pkt_util.h
tests_unit_test_pkt_csum_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pkt_csum_LDADD = $(PKT_TEST_LIBS)

check_PROGRAMS += tests/unit/test_fnat
TESTS += tests/unit/test_fnat
tests_unit_test_fnat_SOURCES = tests/unit/test_fnat.c tests/unit/test_pkt_util.h
tests_unit_test_fnat_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fnat_LDADD = $(PKT_TEST_LIBS)

check_PROGRAMS += tests/unit/test_conn
TESTS += tests/unit/test_conn
tests_unit_test_conn_SOURCES = tests/unit/test_conn.c tests/unit/test_pkt_util.h
tests_unit_test_conn_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conn_LDADD = $(PKT_TEST_LIBS)

check_PROGRAMS += tests/unit/test_conn_tcp
TESTS += tests/unit/test_conn_tcp
tests_unit_test_conn_tcp_SOURCES = tests/unit/test_conn_tcp.c
tests_unit_test_conn_tcp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conn_tcp_LDADD = dataplane/libnlvspkt.la $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_conn_laddr
TESTS += tests/unit/test_conn_laddr
tests_unit_test_conn_laddr_SOURCES = tests/unit/test_conn_laddr.c
tests_unit_test_conn_laddr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conn_laddr_LDADD = $(PKT_TEST_LIBS)

check_PROGRAMS += tests/unit/test_neigh
TESTS += tests/unit/test_neigh
tests_unit_test_neigh_SOURCES = tests/unit/test_neigh.c
tests_unit_test_neigh_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_neigh_LDADD = $(PKT_TEST_LIBS)

check_PROGRAMS += tests/unit/test_tun
TESTS += tests/unit/test_tun
tests_unit_test_tun_SOURCES = tests/unit/test_tun.c tests/unit/test_pkt_util.h
tests_unit_test_tun_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tun_LDADD = $(PKT_TEST_LIBS)

check_PROGRAMS += tests/unit/test_kmirror
TESTS += tests/unit/test_kmirror
tests_unit_test_kmirror_SOURCES = tests/unit/test_kmirror.c
tests_unit_test_kmirror_CFLAGS = $(UNIT_CFLAGS) $(MNL_CFLAGS)
tests_unit_test_kmirror_LDADD = dataplane/libnlvspkt.la $(MNL_LIBS) $(CMOCKA_LIBS)

# L3's own-address table edited in place (net/addr.c itself, included by the
# test), the DPDK heap and the grace period stood in for: no EAL.
check_PROGRAMS += tests/unit/test_addr
TESTS += tests/unit/test_addr
tests_unit_test_addr_SOURCES = tests/unit/test_addr.c
tests_unit_test_addr_CFLAGS = $(UNIT_CFLAGS) $(DPDK_CFLAGS) $(MNL_CFLAGS)
tests_unit_test_addr_LDADD = $(UNIT_LIBS) $(DPDK_LIBS)
EXTRA_tests_unit_test_addr_DEPENDENCIES = dataplane/net/addr.c
