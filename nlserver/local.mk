# SPDX-License-Identifier: GPL-2.0-or-later
# nlserver/: generic-netlink framing, nlctrl, the IPVS and NLVS families and
# the AF_UNIX SOCK_SEQPACKET server (no packet code).
noinst_LTLIBRARIES += nlserver/libnlserver.la
nlserver_libnlserver_la_SOURCES = \
	nlserver/nls_server.h nlserver/nls_int.h \
	nlserver/genl.c \
	nlserver/ctrl.c \
	nlserver/ipvs_parse.c \
	nlserver/ipvs_cmd.c \
	nlserver/nlvs_proc.c \
	nlserver/peer.c \
	nlserver/server.c
nlserver_libnlserver_la_CFLAGS = $(AM_CFLAGS) $(MNL_CFLAGS)
nlserver_libnlserver_la_LIBADD = $(MNL_LIBS)
