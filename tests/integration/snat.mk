# SPDX-License-Identifier: GPL-2.0-or-later
# SNAT end to end: nlvsd as the gateway of the namespace lab
# scripts/netns-snat-lab.sh, configured with the real ipvsadm, real traffic
# (curl, UDP, ping, traceroute).  Root only (they skip otherwise).
SNAT_INTEGRATION_TESTS = \
	tests/integration/snat-basic.sh \
	tests/integration/snat-2w.sh \
	tests/integration/snat-exhaust.sh \
	tests/integration/snat-keepalived.sh \
	tests/integration/snat-full.sh \
	tests/integration/snat-pmtu.sh \
	tests/integration/snat-ack-live.sh
TESTS += $(SNAT_INTEGRATION_TESTS)
dist_check_SCRIPTS += $(SNAT_INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/snat-lib.sh scripts/netns-snat-lab.sh \
	tests/integration/pmtu-probe.py \
	tests/integration/udp-flows.py
