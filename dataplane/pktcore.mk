# SPDX-License-Identifier: GPL-2.0-or-later
# The packet core without EAL: parsing, checksums, FULLNAT rewrite, ICMP
# error translation, per-worker connection table, TCP states, local-address
# ports, the neighbour table.  Plain C so unit tests and benchmarks need no DPDK.
noinst_LTLIBRARIES += dataplane/libnlvspkt.la
dataplane_libnlvspkt_la_SOURCES = \
	dataplane/nlvs_drop.h dataplane/drop.c \
	dataplane/nlvs_csum.h dataplane/nlvs_pkt.h \
	dataplane/pkt_parse.c dataplane/fnat_rewrite.c dataplane/icmp_xlate.c \
	dataplane/nlvs_conn.h dataplane/conn_priv.h dataplane/conn_table.c \
	dataplane/conn_timer.c dataplane/conn_tuple.c dataplane/tcp_state.c \
	dataplane/nlvs_laddr.h dataplane/laddr.c \
	dataplane/nlvs_neigh.h dataplane/neigh_table.c
dataplane_libnlvspkt_la_CFLAGS = $(AM_CFLAGS)
