# SPDX-License-Identifier: GPL-2.0-or-later
# The packet path: DPDK ports and workers, L2/L3, connections, FULLNAT/SNAT.
noinst_LTLIBRARIES += dataplane/libnlvsdp.la
dataplane_libnlvsdp_la_SOURCES = dataplane/nlvs_dp.h dataplane/dp.c
dataplane_libnlvsdp_la_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
