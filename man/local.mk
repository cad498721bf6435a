# SPDX-License-Identifier: GPL-2.0-or-later
dist_man_MANS += man/nlvsd.8 man/nlvsd.conf.5 man/nlvs-exec.1 man/nlvsctl.8
