// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "nlvs_log.h"

static int log_foreground = 1;
static int log_verbosity;	/* 0: warnings and info, 1: + debug */

void nlvs_log_init(const char *ident, int foreground, int verbosity)
{
	log_foreground = foreground;
	log_verbosity = verbosity;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void nlvs_log_set_verbosity(int verbosity)
{
	log_verbosity = verbosity;
}

static void vlog(int prio, const char *fmt, va_list ap, int with_errno)
{
	char msg[1024];
	int saved = errno;

	if (prio == LOG_DEBUG && log_verbosity < 1)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_foreground) {
		if (with_errno)
			fprintf(stderr, "nlvsd: %s: %s\n", msg, strerror(saved));
		else
			fprintf(stderr, "nlvsd: %s\n", msg);
		fflush(stderr);
	} else if (with_errno) {
		syslog(prio, "%s: %s", msg, strerror(saved));
	} else {
		syslog(prio, "%s", msg);
	}
	errno = saved;
}

#define NLVS_LOG_FN(fn, prio, with_errno)		\
	void fn(const char *fmt, ...)			\
	{						\
		va_list ap;				\
		va_start(ap, fmt);			\
		vlog(prio, fmt, ap, with_errno);	\
		va_end(ap);				\
	}

NLVS_LOG_FN(nlvs_log_warn, LOG_WARNING, 1)
NLVS_LOG_FN(nlvs_log_warnx, LOG_WARNING, 0)
NLVS_LOG_FN(nlvs_log_info, LOG_INFO, 0)
NLVS_LOG_FN(nlvs_log_debug, LOG_DEBUG, 0)

void nlvs_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void nlvs_fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
