# SPDX-License-Identifier: GPL-2.0-or-later
# Dataplane benchmark through the real worker loop (EAL without hugepages,
# net_null ports, traffic synthesized into the worker's RX bursts): built
# with the tests so it keeps compiling, run by `make bench` only.  It
# prints figures and asserts nothing about speed; it fails only when the
# path drops or mangles packets.
check_PROGRAMS += tests/bench/bench_worker
tests_bench_bench_worker_SOURCES = tests/bench/bench_worker.h tests/bench/bench_worker.c \
	tests/bench/bench_worker_gen.c tests/bench/bench_worker_run.c
tests_bench_bench_worker_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS) -O2
tests_bench_bench_worker_LDADD = dataplane/libnlvsdp.la dataplane/libnlvspkt.la \
	dataplane/libnlvsctl.la $(DPDK_LIBS)

bench-worker: tests/bench/bench_worker$(EXEEXT)
	./tests/bench/bench_worker$(EXEEXT)
.PHONY: bench-worker
