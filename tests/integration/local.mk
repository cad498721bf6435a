# SPDX-License-Identifier: GPL-2.0-or-later
# Integration tests (shell, TAP): nlvsd driven by the real ipvsadm and
# keepalived through nlvs-exec, compared with the real kernel IPVS running
# in user-mode-linux (tests/integration/uml/).  They need root and skip
# otherwise.

INTEGRATION_TESTS = \
	tests/integration/ipvsadm-compare.sh \
	tests/integration/keepalived-compare.sh \
	tests/integration/perm.sh \
	tests/integration/perm-connect.sh \
	tests/integration/fd-limit.sh \
	tests/integration/state-full.sh \
	tests/integration/state-damage.sh \
	tests/integration/compact-aside.sh \
	tests/integration/restart.sh
TESTS += $(INTEGRATION_TESTS)
dist_check_SCRIPTS += $(INTEGRATION_TESTS)
EXTRA_DIST += \
	tests/integration/uml/uml-run.sh \
	tests/integration/uml/scenario-exec.sh \
	tests/integration/uml/keepalived-scenario.sh \
	tests/integration/scenarios/ipvsadm.txt \
	tests/integration/scenarios/keepalived-1.conf \
	tests/integration/scenarios/keepalived-2.conf

include tests/integration/compat.mk
include tests/integration/dp.mk
include tests/integration/lb.mk
include tests/integration/snat.mk
include tests/integration/golden.mk
