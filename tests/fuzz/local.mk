# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz targets.  fuzz_nlmsg: the netlink request handler (libFuzzer entry in
# fuzz_nlmsg.c, which also says how to build it with clang); under
# `make check` a plain driver replays the seed corpus and a bounded run of
# mutated inputs.  Nothing here goes into nlvsd.
check_PROGRAMS += tests/fuzz/fuzz_nlmsg
tests_fuzz_fuzz_nlmsg_SOURCES = tests/fuzz/fuzz_nlmsg.c tests/fuzz/fuzz_driver.c
tests_fuzz_fuzz_nlmsg_CFLAGS = $(AM_CFLAGS) $(MNL_CFLAGS)
tests_fuzz_fuzz_nlmsg_LDADD = nlserver/libnlserver.la dataplane/libnlvsctl.la $(MNL_LIBS)
TESTS += tests/fuzz/fuzz_nlmsg

# Seeds: real request datagrams (ipvs-genl.md Appendix A and 2.1).
EXTRA_DIST += \
	tests/fuzz/corpus/batch.bin \
	tests/fuzz/corpus/del_daemon.bin \
	tests/fuzz/corpus/get_config.bin \
	tests/fuzz/corpus/get_daemon_dump.bin \
	tests/fuzz/corpus/get_dest_dump.bin \
	tests/fuzz/corpus/get_info.bin \
	tests/fuzz/corpus/get_service_dump.bin \
	tests/fuzz/corpus/getfamily_dump.bin \
	tests/fuzz/corpus/getfamily_ipvs.bin \
	tests/fuzz/corpus/getfamily_nlvs_id.bin \
	tests/fuzz/corpus/new_daemon.bin \
	tests/fuzz/corpus/new_dest.bin \
	tests/fuzz/corpus/new_service.bin \
	tests/fuzz/corpus/proc_ip_vs.bin \
	tests/fuzz/corpus/proc_ip_vs_conn.bin \
	tests/fuzz/corpus/set_config.bin \
	tests/fuzz/corpus/zero_flush.bin
