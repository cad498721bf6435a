# SPDX-License-Identifier: GPL-2.0-or-later
# Shim tests: libnlvs-preload.so under the real ipvsadm/keepalived and a
# libnl probe (tests/integration/genl_probe.c) and raw-netlink clients that
# fork, exec and dup (ipvs_fdops.c, ipvs-fdops.py).

check_PROGRAMS += tests/integration/genl_probe
tests_integration_genl_probe_SOURCES = tests/integration/genl_probe.c
tests_integration_genl_probe_CFLAGS = $(AM_CFLAGS) $(NL3_CFLAGS)
tests_integration_genl_probe_LDADD = $(NL3_LIBS)

check_PROGRAMS += tests/integration/genl_lookup
tests_integration_genl_lookup_SOURCES = tests/integration/genl_lookup.c

check_PROGRAMS += tests/integration/ipvs_fdops
tests_integration_ipvs_fdops_SOURCES = tests/integration/ipvs_fdops.c
tests_integration_ipvs_fdops_LDADD = -lpthread

SHIM_TESTS = \
	tests/integration/shim-passthrough.sh \
	tests/integration/shim-sockopt.sh \
	tests/integration/shim-dead.sh \
	tests/integration/shim-proc.sh \
	tests/integration/shim-fdops.sh \
	tests/integration/shim-lookup.sh \
	tests/integration/shim-scripts.sh \
	tests/integration/shim-kernel-ipvs.sh
TESTS += $(SHIM_TESTS)
dist_check_SCRIPTS += $(SHIM_TESTS)
EXTRA_DIST += tests/integration/ipvs-fdops.py tests/integration/ipvs-pyroute2.py
