# SPDX-License-Identifier: GPL-2.0-or-later
# ctl/: the control API (nlvs_ctl.h): service table, dests, daemons, timeouts
# and the state file; the configuration file nlvsd.conf (nlvs_conf.h).  In
# libnlvsctl.la (no DPDK).
dataplane_libnlvsctl_la_SOURCES += \
	dataplane/ctl/nlvs_ctl.h \
	dataplane/ctl/nlvs_ctl_table.h \
	dataplane/ctl/ctl_priv.h \
	dataplane/ctl/ctl_svc.c \
	dataplane/ctl/ctl_dest.c \
	dataplane/ctl/ctl_config.c \
	dataplane/ctl/ctl_record.c \
	dataplane/ctl/ctl_state.c \
	dataplane/ctl/ctl_state_file.c \
	dataplane/ctl/ctl_text.c \
	dataplane/ctl/nlvs_conf.h dataplane/ctl/conf.c
