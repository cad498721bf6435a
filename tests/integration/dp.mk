# SPDX-License-Identifier: GPL-2.0-or-later
# Dataplane L2/L3 on virtual ports (net_af_packet on veth in namespaces).
DP_INTEGRATION_TESTS = \
	tests/integration/dp-ping.sh \
	tests/integration/dp-ping-2w.sh \
	tests/integration/kmirror.sh \
	tests/integration/kmirror-keepalived.sh \
	tests/integration/ha-failover.sh
TESTS += $(DP_INTEGRATION_TESTS)
dist_check_SCRIPTS += $(DP_INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/dp-ping.py
