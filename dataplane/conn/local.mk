# SPDX-License-Identifier: GPL-2.0-or-later
# conn/: the per-worker connection table, its tuples, timer wheel and TCP
# states (nlvs_conn.h).  Plain C (libnlvspkt.la): unit tests need no DPDK.
dataplane_libnlvspkt_la_SOURCES += \
	dataplane/conn/nlvs_conn.h dataplane/conn/conn_priv.h dataplane/conn/conn_table.c \
	dataplane/conn/conn_timer.c dataplane/conn/conn_tuple.c dataplane/conn/tcp_state.c dataplane/conn/sctp_state.c
