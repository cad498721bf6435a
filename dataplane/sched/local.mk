# SPDX-License-Identifier: GPL-2.0-or-later
# sched/: the registry and one file per kernel IPVS scheduler (nlvs_sched.h).
dataplane_libnlvsctl_la_SOURCES += \
	dataplane/sched/nlvs_sched.h \
	dataplane/sched/sched.c dataplane/sched/sched_priv.h dataplane/sched/sched_hash.c \
	dataplane/sched/sched_rr.c dataplane/sched/sched_wrr.c \
	dataplane/sched/sched_lc.c dataplane/sched/sched_wlc.c \
	dataplane/sched/sched_sed.c dataplane/sched/sched_nq.c \
	dataplane/sched/sched_fo.c dataplane/sched/sched_ovf.c \
	dataplane/sched/sched_twos.c \
	dataplane/sched/sched_dh.c dataplane/sched/sched_sh.c dataplane/sched/sched_mh.c \
	dataplane/sched/sched_loc.h dataplane/sched/sched_lblc.c dataplane/sched/sched_lblcr.c
