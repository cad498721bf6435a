# SPDX-License-Identifier: GPL-2.0-or-later
# Integration tests (shell, TAP): nlvsd driven by the real ipvsadm and
# keepalived through nlvs-exec, compared with what the real kernel IPVS
# answered to the same scenarios: goldens under tests/integration/goldens/,
# recorded in a kernel oracle (tests/integration/oracle/: user-mode-linux,
# or qemu where UML does not boot) by `make goldens`.  oracle-goldens.sh
# checks that the goldens are still what the kernel says.  They need root and
# skip otherwise.

INTEGRATION_TESTS = \
	tests/integration/ipvsadm-compare.sh \
	tests/integration/keepalived-compare.sh \
	tests/integration/perm.sh \
	tests/integration/perm-connect.sh \
	tests/integration/fd-limit.sh \
	tests/integration/state-full.sh \
	tests/integration/state-damage.sh \
	tests/integration/compact-aside.sh \
	tests/integration/restart.sh \
	tests/integration/oracle-fallback.sh \
	tests/integration/oracle-goldens.sh
TESTS += $(INTEGRATION_TESTS)
dist_check_SCRIPTS += $(INTEGRATION_TESTS)
EXTRA_DIST += \
	tests/integration/oracle/oracle-run.sh \
	tests/integration/oracle/oracle-kernel.sh \
	tests/integration/oracle/goldens.sh \
	tests/integration/oracle/transcript.sh \
	tests/integration/oracle/scenario-exec.sh \
	tests/integration/oracle/keepalived-scenario.sh \
	tests/integration/oracle/perm-cmds.sh \
	tests/integration/goldens/ipvsadm.golden \
	tests/integration/goldens/keepalived.golden \
	tests/integration/goldens/perm.golden \
	tests/integration/scenarios/ipvsadm.txt \
	tests/integration/scenarios/keepalived-1.conf \
	tests/integration/scenarios/keepalived-2.conf

# make goldens: record anew what the kernel answers to every comparison
# scenario (in the oracle; as root), show how it differs from the
# checked-in goldens and replace them in the source tree.
goldens:
	$(SHELL) $(top_srcdir)/tests/integration/oracle/goldens.sh -u \
		$(top_srcdir)/tests/integration/goldens
.PHONY: goldens

include tests/integration/compat.mk
include tests/integration/dp.mk
include tests/integration/lb.mk
include tests/integration/snat.mk
include tests/integration/golden.mk
