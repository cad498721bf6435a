# SPDX-License-Identifier: GPL-2.0-or-later
# tools/: nlvsctl, the operator's view of dataplane state IPVS cannot express.
sbin_PROGRAMS += tools/nlvsctl
tools_nlvsctl_SOURCES = tools/nlvsctl.c tools/nlvsctl.h tools/nlvsctl_json.c
tools_nlvsctl_CFLAGS = $(AM_CFLAGS) $(MNL_CFLAGS) $(JANSSON_CFLAGS)
tools_nlvsctl_LDADD = $(MNL_LIBS) $(JANSSON_LIBS)
