# SPDX-License-Identifier: GPL-2.0-or-later
# daemon/: nlvsd itself: start-up, the control loop, the packet path's life
# cycle (nlvs_dp.h) and the workers' loop.  Uses every other folder.
dataplane_libnlvsdp_la_SOURCES += \
	dataplane/daemon/nlvs_dp.h dataplane/daemon/daemon_priv.h \
	dataplane/daemon/dp.c dataplane/daemon/worker.c

sbin_PROGRAMS += dataplane/nlvsd
dataplane_nlvsd_SOURCES = dataplane/daemon/nlvsd.c \
	dataplane/daemon/ctl_call.h dataplane/daemon/ctl_call.c \
	dataplane/daemon/metrics.h dataplane/daemon/metrics.c dataplane/daemon/metrics_text.c \
	dataplane/daemon/telemetry.h dataplane/daemon/telemetry.c
dataplane_nlvsd_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS) $(MNL_CFLAGS) $(MHD_CFLAGS) \
	$(SYSTEMD_CFLAGS)
dataplane_nlvsd_LDADD = nlserver/libnlserver.la dataplane/libnlvsdp.la dataplane/libnlvspkt.la \
	dataplane/libnlvsctl.la \
	$(MNL_LIBS) $(DPDK_LIBS) $(MHD_LIBS) $(SYSTEMD_LIBS) -lpthread
