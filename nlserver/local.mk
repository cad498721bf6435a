# SPDX-License-Identifier: GPL-2.0-or-later
noinst_LTLIBRARIES += nlserver/libnlserver.la
nlserver_libnlserver_la_SOURCES =
nlserver_libnlserver_la_CFLAGS = $(AM_CFLAGS) $(MNL_CFLAGS)
