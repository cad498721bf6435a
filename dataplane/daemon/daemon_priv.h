/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the daemon: the workers' life cycle, which dp.c drives
 * (worker.c).
 */
#ifndef NLVS_DAEMON_PRIV_H
#define NLVS_DAEMON_PRIV_H

#include "ctl/nlvs_conf.h"

/* Worker structs, pools and rings; ports are set up afterwards from these. */
int nlvs_workers_create(const struct nlvs_conf *conf);
int nlvs_workers_launch(void);
void nlvs_workers_destroy(void);

#endif /* NLVS_DAEMON_PRIV_H */
