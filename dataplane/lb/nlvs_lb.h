/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lb/: the L4 engines, FULLNAT and classic NAT (lb*.c) and SNAT (snat*.c),
 * the packet path they share, the configuration they publish to the workers
 * and the local-address and egress port pools (nlvs_laddr.h).  lb/ uses
 * base/, sched/, ctl/, net/ and conn/; the daemon uses lb/ through the hooks
 * below (net/ reaches the engine only through the nlvs_dp.lb_input the daemon
 * sets to nlvs_lb_input_burst()).
 */
#ifndef NLVS_LB_H
#define NLVS_LB_H

#include "ctl/nlvs_conf.h"
#include "net/nlvs_l3.h"

/** Control thread, after ports and before workers run.  0 or -errno. */
int nlvs_lb_init(const struct nlvs_conf *conf);
/** Control thread, SIGHUP.  0 or -errno (then nothing changed). */
int nlvs_lb_reload(const struct nlvs_conf *conf);
/** Control thread, ~10 ms. */
void nlvs_lb_tick(void);
/** Control thread, once the answers to control requests are sent: free what
 *  the changes they made retired, after the workers' grace period. */
void nlvs_lb_reclaim(void);
void nlvs_lb_fini(void);
/** Control thread: connections filed in worker @worker's table and its
 *  capacity (read while the worker runs: a moment's value), for metrics. */
void nlvs_lb_conn_usage(unsigned int worker, uint32_t *count, uint32_t *capacity);
/** Worker: a packet for a VIP/laddr/egress address, or transit traffic when
 *  the configuration has snat rules or nlvs_dp.lb_transit is set.  Consumes @m
 *  (send, hand off or drop). */
void nlvs_lb_input(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3);
/** Worker: the same for @n packets (what L3 input found, per packet, in
 *  @l3s), handled in order; the workers' loop passes a turn's worth. */
void nlvs_lb_input_burst(struct nlvs_worker *w, struct rte_mbuf **ms,
			 const struct nlvs_l3_info *l3s, unsigned int n);
/** Worker: about every millisecond (timers, expiry). */
void nlvs_lb_worker_poll(struct nlvs_worker *w);

#endif /* NLVS_LB_H */
