# SPDX-License-Identifier: GPL-2.0-or-later
include tests/bench/pkt.mk
