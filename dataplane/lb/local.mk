# SPDX-License-Identifier: GPL-2.0-or-later
# lb/: the L4 engines: FULLNAT and classic NAT (lb*.c), SNAT (snat*.c), the
# packet path they share, the configuration they publish to the workers and
# the local-address / egress port pools (nlvs_laddr.h).  The pools and the
# SNAT classifier are plain C (libnlvspkt.la), the rest needs DPDK.
dataplane_libnlvspkt_la_SOURCES += \
	dataplane/lb/nlvs_laddr.h dataplane/lb/laddr.c \
	dataplane/lb/nlvs_snat.h dataplane/lb/snat_class.c
dataplane_libnlvsdp_la_SOURCES += \
	dataplane/lb/nlvs_lb.h dataplane/lb/lb_priv.h \
	dataplane/lb/lb.c dataplane/lb/lb_cfg.c dataplane/lb/lb_worker.c \
	dataplane/lb/lb_fnat.c dataplane/lb/lb_mark.c dataplane/lb/lb_path.c dataplane/lb/lb_direct.c dataplane/lb/lb_stats.c \
	dataplane/lb/lb_calc.h dataplane/lb/lb_calc.c \
	dataplane/lb/snat_priv.h dataplane/lb/snat_cfg.c dataplane/lb/snat.c
