/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * base/ (see nlvs_ipvs.h).  Logging for the control side: stderr in the foreground (-d), syslog
 * otherwise.  The packet path never logs; it counts.
 * The *_warn variants append ": strerror(errno)", the *x variants do not.
 */
#ifndef NLVS_LOG_H
#define NLVS_LOG_H

#include <stdarg.h>

enum nlvs_log_level { NLVS_LOG_ERR, NLVS_LOG_WARNING, NLVS_LOG_INFO, NLVS_LOG_DEBUG };

void nlvs_log_init(const char *ident, int foreground, int verbosity);
void nlvs_log_set_verbosity(int verbosity);
void nlvs_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nlvs_log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nlvs_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nlvs_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nlvs_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void nlvs_fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* NLVS_LOG_H */
