# SPDX-License-Identifier: GPL-2.0-or-later
# SNAT: the classifier of snat-rule lines (no EAL) in the packet core; the
# engine (egress addresses and ports, packet path) in the DPDK library.
dataplane_libnlvspkt_la_SOURCES += dataplane/nlvs_snat.h dataplane/snat_class.c
dataplane_libnlvsdp_la_SOURCES += dataplane/snat_priv.h dataplane/snat_cfg.c dataplane/snat.c
