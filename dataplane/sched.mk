# SPDX-License-Identifier: GPL-2.0-or-later
# Schedulers: the registry and one file per kernel IPVS scheduler.
dataplane_libnlvsctl_la_SOURCES += \
	dataplane/sched.c dataplane/sched_priv.h \
	dataplane/sched_rr.c
