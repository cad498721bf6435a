# SPDX-License-Identifier: GPL-2.0-or-later
# compat/: the LD_PRELOAD shim that sends an unmodified client's IPVS netlink
# conversation to nlvsd, and nlvs-exec, which runs a client with it.  libc only.

pkglib_LTLIBRARIES += compat/libnlvs-preload.la
compat_libnlvs_preload_la_SOURCES = \
	compat/shim.h compat/shim_fd.c compat/shim_conn.c compat/shim_family.c \
	compat/shim_io.c compat/shim_sock.c compat/shim_proc.c
# never sanitized (--enable-sanitizers): it is preloaded into programs that are not
compat_libnlvs_preload_la_CFLAGS = $(WARN_CFLAGS)
compat_libnlvs_preload_la_LDFLAGS = -module -avoid-version -shared
compat_libnlvs_preload_la_LIBADD = -ldl

bin_PROGRAMS += compat/nlvs-exec
compat_nlvs_exec_SOURCES = compat/nlvs_exec.c

