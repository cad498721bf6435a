/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Calls from helper threads (the metrics HTTP server, DPDK's telemetry
 * thread) that run on the control thread.  The control API and the
 * dataplane's counters belong to the control thread (nlvs_ctl.h): a helper
 * thread never reads them itself, it asks the control loop to, and waits.
 * Neither side ever touches the packet path.
 */
#ifndef NLVS_CTL_CALL_H
#define NLVS_CTL_CALL_H

/** Control thread, at start: returns the descriptor to poll (readable when
 *  calls wait), or -errno. */
int nlvs_ctl_call_open(void);
/** Control thread: run every waiting call (the descriptor was readable). */
void nlvs_ctl_call_run(void);
/** Control thread, at shutdown: later and waiting calls fail with
 *  -ESHUTDOWN; then the descriptor is closed. */
void nlvs_ctl_call_close(void);
/** Any other thread: run @fn(@arg) on the control thread and wait for it.
 *  0, or -ESHUTDOWN when nlvsd stops (or never opened the call queue). */
int nlvs_ctl_call(void (*fn)(void *arg), void *arg);

#endif /* NLVS_CTL_CALL_H */
