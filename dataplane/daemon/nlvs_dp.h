/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon/: nlvsd itself (nlvsd.c: options, configuration file, control
 * loop), the workers' loop (worker.c) and the packet path's life cycle
 * (dp.c).  The daemon may use every other folder; none uses it: it hands
 * net/ what net/ must call (the engine's input, nlvs_dp.lb_input).
 *
 * The packet path as the daemon sees it: start EAL, ports and workers from
 * the configuration, stop them.  With no "eal" directive nlvsd runs the
 * control plane only and never calls these.
 */
#ifndef NLVS_DP_H
#define NLVS_DP_H

#include <stdio.h>

#include "ctl/nlvs_conf.h"

/** Initialise EAL with conf->eal_argv, then ports and workers.  Called once,
 *  on the main (control) lcore.  0 or -errno with the reason logged. */
int nlvs_dp_start(const struct nlvs_conf *conf);
/** Apply a reloaded configuration where that can be done live (SIGHUP). */
int nlvs_dp_reload(const struct nlvs_conf *conf);
/** Called from the control loop about every 10 ms: publish control changes,
 *  fold worker counters, run estimators. */
void nlvs_dp_tick(void);
/** Called from the control loop once it has answered control requests:
 *  free what their changes retired, after the workers' grace period (the
 *  answers did not wait for it). */
void nlvs_dp_reclaim(void);
/** Stop workers and ports, clean up EAL. */
void nlvs_dp_stop(void);
/** Write port (incl. per-queue and extended) and worker counters, drops by
 *  reason, as "name value" lines.  The daemon does this on SIGUSR1. */
void nlvs_dp_stats_write(FILE *f);

#endif /* NLVS_DP_H */
