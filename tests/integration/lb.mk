# SPDX-License-Identifier: GPL-2.0-or-later
# FULLNAT end to end: nlvsd on net_af_packet ports of the namespace lab
# (scripts/netns-lab.sh), configured with the real ipvsadm, real traffic
# from curl, python and iperf3.  Root only (they skip otherwise).
LB_INTEGRATION_TESTS = \
	tests/integration/fnat-http.sh \
	tests/integration/fnat-udp.sh \
	tests/integration/fnat-ipv6.sh \
	tests/integration/fnat-burst.sh \
	tests/integration/fnat-2w.sh \
	tests/integration/fnat-hostile.sh \
	tests/integration/fnat-neigh-flood.sh \
	tests/integration/fnat-nat.sh \
	tests/integration/fnat-icmp.sh \
	tests/integration/fnat-mtu.sh \
	tests/integration/fnat-reload.sh \
	tests/integration/fnat-ctl-burst.sh \
	tests/integration/fnat-ack-live.sh \
	tests/integration/fnat-full.sh \
	tests/integration/fnat-keepalived.sh \
	tests/integration/ka-misc-check.sh \
	tests/integration/host-twin.sh \
	tests/integration/metrics.sh \
	tests/integration/json-views.sh \
	tests/integration/sd-notify.sh \
	tests/integration/hugepages.sh \
	tests/integration/dr.sh \
	tests/integration/fwmark.sh \
	tests/integration/tun-ipip.sh \
	tests/integration/sctp-direct.sh \
	tests/integration/tun-gue.sh \
	tests/integration/tun-gre.sh \
	tests/integration/mixed-fwd.sh \
	tests/integration/dr-keepalived.sh \
	tests/integration/host-keepalived.sh \
	tests/integration/kernel-topology.sh
TESTS += $(LB_INTEGRATION_TESTS)
dist_check_SCRIPTS += $(LB_INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/metrics-compare.py tests/integration/metrics-node-ipvs.txt \
	tests/integration/sd-notify.py
EXTRA_DIST += tests/integration/fnat-lib.sh tests/integration/fnat-conns.py \
	tests/integration/ack-live.py \
	tests/integration/fnat-hostile.py tests/integration/fnat-neigh-flood.py \
	tests/integration/sctp-direct.py \
	scripts/netns-lab.sh scripts/netns-common.sh scripts/host-path-bench.sh \
	tests/integration/direct-lib.sh scripts/netns-dr-lab.sh scripts/tun-decap.py \
	tests/integration/ipvs-topology.sh
