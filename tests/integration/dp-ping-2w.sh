#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dp-ping.sh with two workers over a port with two queue pairs.
DP_WORKERS=2
export DP_WORKERS
exec sh "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/dp-ping.sh"
