// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the rest of net/ and the engines share with the daemon: the dataplane
 * state (struct nlvs_dp, filled in by the daemon at start-up), RCU grace
 * periods, and a worker's ways out: its TX buffers, the hand-off rings to the
 * other workers, the control thread's ring, and the queue of packets for the
 * L4 engine, which reaches the engine through the function the daemon set.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "nlvs_net.h"

struct nlvs_dp nlvs_dp;

void nlvs_dp_rcu_synchronize(void)
{
	if (nlvs_dp.qsbr)
		rte_rcu_qsbr_synchronize(nlvs_dp.qsbr, RTE_QSBR_THRID_INVALID);
}

unsigned int nlvs_worker_id(const struct nlvs_worker *w)
{
	return w->id;
}

unsigned int nlvs_worker_count(void)
{
	return nlvs_dp.nworkers;
}

void nlvs_lb_drop(struct nlvs_worker *w, struct rte_mbuf *m, unsigned int reason)
{
	nlvs_worker_drop(w, m, reason < NLVS_DROP_MAX ? reason : NLVS_DROP_NOT_FOR_US);
}

void nlvs_worker_tx(struct nlvs_worker *w, uint16_t port, struct rte_mbuf *m)
{
	w->st.tx++;
	rte_eth_tx_buffer(nlvs_dp.ports[port].port_id, w->txq, w->txb[port], m);
}

void nlvs_worker_handoff(struct nlvs_worker *w, unsigned int owner, struct rte_mbuf *m)
{
	if (owner == w->id || owner >= nlvs_dp.nworkers) {
		nlvs_l2_input(w, m);
		return;
	}
	if (rte_ring_sp_enqueue(w->handoff_out[owner], m) < 0) {
		nlvs_worker_drop(w, m, NLVS_DROP_HANDOFF_RING_FULL);
		return;
	}
	w->st.handoff_out++;
}

void nlvs_worker_lb_flush(struct nlvs_worker *w)
{
	struct rte_mbuf *pkts[NLVS_BURST];
	struct nlvs_l3_info l3[NLVS_BURST];
	unsigned int n;

	/* emptied before the engine runs: what it hands to this very worker
	 * comes back through L2 and queues up behind */
	while ((n = w->lb_n) != 0) {
		memcpy(pkts, w->lb_pkts, n * sizeof(pkts[0]));
		memcpy(l3, w->lb_l3, n * sizeof(l3[0]));
		w->lb_n = 0;
		nlvs_dp.lb_input(w, pkts, l3, n);
	}
}

/* Control thread: frames it builds (gratuitous ARP, NA) leave through worker
 * 0's TX queue, since a port may have no spare queue for the control lcore. */
int nlvs_ctl_send(uint16_t port, struct rte_mbuf *m)
{
	m->port = port;
	return rte_ring_sp_enqueue(nlvs_dp.workers[0]->ctl_ring, m) < 0 ? -ENOBUFS : 0;
}

struct rte_mbuf *nlvs_ctl_alloc(void)
{
	return rte_pktmbuf_alloc(nlvs_dp.workers[0]->pool);
}
