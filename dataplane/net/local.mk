# SPDX-License-Identifier: GPL-2.0-or-later
# net/: DPDK ports, L2/L3 (ARP/ND, neighbours, routes, own addresses, ICMP),
# the seam to the L4 engines (nlvs_l3.h); packet parsing, checksums, header
# rewrite, drop reasons, the neighbour table and the kernel mirror's rtnetlink
# parser without EAL (libnlvspkt.la); the kernel mirror itself (kmirror.c).
dataplane_libnlvspkt_la_SOURCES += \
	dataplane/net/nlvs_drop.h dataplane/net/drop.c \
	dataplane/net/nlvs_csum.h dataplane/net/nlvs_pkt.h \
	dataplane/net/pkt_parse.c dataplane/net/fnat_rewrite.c dataplane/net/icmp_xlate.c \
	dataplane/net/tun_encap.c \
	dataplane/net/nlvs_neigh.h dataplane/net/neigh_table.c \
	dataplane/net/nlvs_kmirror.h dataplane/net/kmirror_parse.c
# the kernel mirror's parser reads rtnetlink with libmnl
dataplane_libnlvspkt_la_CFLAGS += $(MNL_CFLAGS)
dataplane_libnlvspkt_la_LIBADD = $(MNL_LIBS)
dataplane_libnlvsdp_la_CFLAGS += $(MNL_CFLAGS)
dataplane_libnlvsdp_la_SOURCES += \
	dataplane/net/nlvs_net.h dataplane/net/nlvs_l3.h \
	dataplane/net/port.c dataplane/net/port_flow.c dataplane/net/l2.c \
	dataplane/net/neigh.c dataplane/net/neigh_arp.c dataplane/net/neigh_nd.c \
	dataplane/net/addr.c dataplane/net/route.c dataplane/net/route_input.c \
	dataplane/net/route_output.c dataplane/net/icmp_echo.c \
	dataplane/net/net.c dataplane/net/host.c dataplane/net/host_twin.c \
	dataplane/net/kmirror.c
