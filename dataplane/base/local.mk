# SPDX-License-Identifier: GPL-2.0-or-later
# base/: what every folder may use: the IPVS vocabulary (constants, the
# address union), the log and the control side's clock.  Uses nothing.
dataplane_libnlvsctl_la_SOURCES += dataplane/base/nlvs_ipvs.h \
	dataplane/base/nlvs_log.h dataplane/base/log.c dataplane/base/nlvs_time.h
