# SPDX-License-Identifier: GPL-2.0-or-later
# Golden packet tests: nlvsd on a net_pcap port replays an input pcap made
# by scapy, the output pcap and the drop counters are compared with the
# expected packets and counts.  No NIC, no namespaces.
GOLDEN_TESTS = \
	tests/integration/golden-fnat.sh \
	tests/integration/golden-hostile.sh \
	tests/integration/golden-direct.sh \
	tests/integration/golden-fuzz.sh
TESTS += $(GOLDEN_TESTS)
dist_check_SCRIPTS += $(GOLDEN_TESTS)
EXTRA_DIST += tests/integration/golden-lib.sh \
	tests/integration/golden/golden.py \
	tests/integration/golden/fnat.py \
	tests/integration/golden/hostile.py \
	tests/integration/golden/fuzz.py \
	tests/integration/golden/direct.py
