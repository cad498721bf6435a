# SPDX-License-Identifier: GPL-2.0-or-later
# dataplane/: nlvsd, one sub-folder per concern.  Dependencies run one way,
# each folder using only those before it (README.md says what each holds):
#
#   base -> sched -> ctl -> net -> conn -> lb -> daemon
#
# Three libraries cut by what they need, not by folder: libnlvsctl.la (the
# control API, schedulers, nlvsd.conf, log: no DPDK, so unit tests need no
# EAL), libnlvspkt.la (parsing, rewrite, connections, port pools, the SNAT
# classifier: plain C for unit tests and benchmarks) and libnlvsdp.la (the
# DPDK packet path).  Each folder's local.mk adds its files to them.

noinst_LTLIBRARIES += dataplane/libnlvsctl.la dataplane/libnlvspkt.la dataplane/libnlvsdp.la
dataplane_libnlvsctl_la_SOURCES =
dataplane_libnlvsctl_la_CFLAGS = $(AM_CFLAGS)
dataplane_libnlvspkt_la_SOURCES =
dataplane_libnlvspkt_la_CFLAGS = $(AM_CFLAGS)
dataplane_libnlvsdp_la_SOURCES =
dataplane_libnlvsdp_la_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
EXTRA_DIST += dataplane/README.md

include dataplane/base/local.mk
include dataplane/sched/local.mk
include dataplane/ctl/local.mk
include dataplane/net/local.mk
include dataplane/conn/local.mk
include dataplane/lb/local.mk
include dataplane/daemon/local.mk
