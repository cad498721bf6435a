# SPDX-License-Identifier: GPL-2.0-or-later
# Unit tests (cmocka, TAP output), one fragment per area.
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LIBS = dataplane/libnlvsctl.la $(CMOCKA_LIBS)

include tests/unit/sched.mk
include tests/unit/ctl.mk
include tests/unit/nlserver.mk
include tests/unit/dp.mk
include tests/unit/conf.mk
include tests/unit/snat.mk
include tests/unit/lb.mk
