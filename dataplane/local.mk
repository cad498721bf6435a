# SPDX-License-Identifier: GPL-2.0-or-later
# dataplane/: the control API (service table, schedulers, state file) in a
# library without DPDK so unit tests need no EAL; the packet path (ports,
# workers, connections, forwarding) in a second library; the daemon nlvsd.

noinst_LTLIBRARIES += dataplane/libnlvsctl.la
dataplane_libnlvsctl_la_SOURCES = \
	dataplane/nlvs_ctl.h dataplane/nlvs_sched.h dataplane/nlvs_log.h \
	dataplane/log.c \
	dataplane/nlvs_conf.h dataplane/conf.c
dataplane_libnlvsctl_la_CFLAGS = $(AM_CFLAGS)

include dataplane/ctl.mk
include dataplane/sched.mk
include dataplane/pktcore.mk
include dataplane/dp.mk

sbin_PROGRAMS += dataplane/nlvsd
dataplane_nlvsd_SOURCES = dataplane/nlvsd.c
dataplane_nlvsd_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS) $(MNL_CFLAGS)
dataplane_nlvsd_LDADD = nlserver/libnlserver.la dataplane/libnlvsdp.la dataplane/libnlvspkt.la \
	dataplane/libnlvsctl.la \
	$(MNL_LIBS) $(DPDK_LIBS)
include dataplane/snat.mk
