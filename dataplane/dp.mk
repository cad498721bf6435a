# SPDX-License-Identifier: GPL-2.0-or-later
# The packet path: DPDK ports and workers, L2/L3 (ARP/ND, routes, own
# addresses, ICMP), the seam to the L4 engines (dp_lb.h).
noinst_LTLIBRARIES += dataplane/libnlvsdp.la
dataplane_libnlvsdp_la_SOURCES = dataplane/nlvs_dp.h dataplane/dp.c \
	dataplane/dp_priv.h dataplane/dp_lb.h \
	dataplane/port.c dataplane/port_flow.c dataplane/worker.c dataplane/l2.c \
	dataplane/neigh.c dataplane/neigh_arp.c dataplane/neigh_nd.c \
	dataplane/addr.c dataplane/route.c dataplane/route_input.c dataplane/route_output.c \
	dataplane/icmp_echo.c \
	dataplane/lb_priv.h dataplane/lb.c dataplane/lb_cfg.c dataplane/lb_worker.c \
	dataplane/lb_fnat.c dataplane/lb_path.c dataplane/lb_stats.c \
	dataplane/lb_calc.h dataplane/lb_calc.c
dataplane_libnlvsdp_la_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
