# SPDX-License-Identifier: GPL-2.0-or-later
# Packet-core benchmark: built with the tests (so it keeps compiling), run
# by `make bench` only; it prints figures and asserts nothing about speed.
check_PROGRAMS += tests/bench/bench_fnat
tests_bench_bench_fnat_SOURCES = tests/bench/bench_fnat.c
tests_bench_bench_fnat_CFLAGS = $(AM_CFLAGS) -O2
tests_bench_bench_fnat_LDADD = dataplane/libnlvspkt.la

bench-fnat: tests/bench/bench_fnat$(EXEEXT)
	./tests/bench/bench_fnat$(EXEEXT)
.PHONY: bench-fnat

# The round trip between two processes and a system call's cost: the floor
# under a control plane in another process (bench-ipvsadm.sh prints it).
check_PROGRAMS += tests/bench/bench_rtt
tests_bench_bench_rtt_SOURCES = tests/bench/bench_rtt.c
tests_bench_bench_rtt_CFLAGS = $(AM_CFLAGS) -O2
