# SPDX-License-Identifier: GPL-2.0-or-later
# The control API (nlvs_ctl.h): service table, dests, daemons, timeouts and
# the state file, in libnlvsctl.la (no DPDK).
dataplane_libnlvsctl_la_SOURCES += \
	dataplane/ctl_priv.h \
	dataplane/ctl_svc.c \
	dataplane/ctl_dest.c \
	dataplane/ctl_config.c \
	dataplane/ctl_record.c \
	dataplane/ctl_state.c \
	dataplane/ctl_state_file.c \
	dataplane/ctl_text.c
