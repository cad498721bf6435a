/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus metrics (metrics-listen in nlvsd.conf): an HTTP server on a
 * thread of its own (libmicrohttpd) serving GET /metrics; the text is written
 * on the control thread (ctl_call.h), which owns every figure in it.
 */
#ifndef NLVS_METRICS_H
#define NLVS_METRICS_H

#include <stdio.h>

#include "ctl/nlvs_conf.h"

/** Start serving on @l (the call queue must be open).  0 or -errno. */
int nlvs_metrics_start(const struct nlvs_conf_listen *l);
/** Stop the server: after nlvs_ctl_call_close(), which frees a scrape
 *  waiting for the control thread (the server's thread could not stop). */
void nlvs_metrics_stop(void);
/** Control thread: the whole exposition into @f. */
void nlvs_metrics_write(FILE *f);

#endif /* NLVS_METRICS_H */
