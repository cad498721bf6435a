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
