# SPDX-License-Identifier: GPL-2.0-or-later
# Schedulers: the registry and one file per kernel IPVS scheduler.
dataplane_libnlvsctl_la_SOURCES += \
	dataplane/sched.c dataplane/sched_priv.h dataplane/sched_hash.c \
	dataplane/sched_rr.c dataplane/sched_wrr.c \
	dataplane/sched_lc.c dataplane/sched_wlc.c \
	dataplane/sched_sed.c dataplane/sched_nq.c \
	dataplane/sched_fo.c dataplane/sched_ovf.c \
	dataplane/sched_twos.c \
	dataplane/sched_dh.c dataplane/sched_sh.c dataplane/sched_mh.c \
	dataplane/sched_loc.h dataplane/sched_lblc.c dataplane/sched_lblcr.c
