// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workers: one per worker lcore, each with its own mbuf pool, RX queues, a
 * TX queue and TX buffer per port, hand-off rings from every other worker and
 * a neighbour table.  The loop polls, processes (what L3 input keeps for the
 * L4 engine reaches it as one burst per RX burst), flushes and, when there is
 * nothing to do, backs off into short sleeps so an idle daemon leaves the
 * CPU to everything else on the machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "net/nlvs_net.h"
#include "lb/nlvs_lb.h"
#include "base/nlvs_log.h"
#include "daemon_priv.h"

#define NEIGH_MSG_SIZE	32	/* struct nlvs_neigh_msg, see neigh.c */

static void idle_sleep(struct nlvs_worker *w)
{
	struct timespec ts;

	if (++w->idle_polls < NLVS_IDLE_POLLS || !nlvs_dp.idle_adaptive || !nlvs_dp.idle_max_us)
		return;
	/* asleep we are offline: a grace period need not wait for us */
	rte_rcu_qsbr_thread_offline(nlvs_dp.qsbr, w->id);
	ts.tv_sec = 0;
	ts.tv_nsec = (long)w->sleep_us * 1000;
	nanosleep(&ts, NULL);
	rte_rcu_qsbr_thread_online(nlvs_dp.qsbr, w->id);
	w->st.sleeps++;
	w->sleep_us *= 2;
	if (w->sleep_us > nlvs_dp.idle_max_us)
		w->sleep_us = nlvs_dp.idle_max_us;
}

static unsigned int worker_poll(struct nlvs_worker *w)
{
	struct rte_mbuf *pkts[NLVS_BURST];
	unsigned int i, j, n, total = 0;

	for (i = 0; i < w->nrxq; i++) {
		const struct nlvs_rxq *q = &w->rxq[i];

		n = rte_eth_rx_burst(nlvs_dp.ports[q->port].port_id, q->queue, pkts, NLVS_BURST);
		for (j = 0; j < n; j++) {
			pkts[j]->port = q->port;
			nlvs_l2_input(w, pkts[j]);
		}
		nlvs_worker_lb_flush(w);
		w->st.rx += n;
		total += n;
	}
	for (i = 0; i < nlvs_dp.nworkers; i++) {
		if (!w->handoff_in[i])
			continue;
		n = rte_ring_sc_dequeue_burst(w->handoff_in[i], (void **)pkts, NLVS_BURST, NULL);
		for (j = 0; j < n; j++)
			nlvs_l2_input(w, pkts[j]);
		nlvs_worker_lb_flush(w);
		w->st.handoff_in += n;
		total += n;
	}
	n = rte_ring_sc_dequeue_burst(w->ctl_ring, (void **)pkts, NLVS_BURST, NULL);
	for (j = 0; j < n; j++)
		nlvs_worker_tx(w, pkts[j]->port, pkts[j]);
	w->st.ctl_tx += n;
	total += n;
	return total + nlvs_host_down(w);
}

static int worker_main(void *arg)
{
	struct nlvs_worker *w = arg;
	uint64_t ms = nlvs_dp.hz / 1000;
	unsigned int p;

	rte_rcu_qsbr_thread_register(nlvs_dp.qsbr, w->id);
	rte_rcu_qsbr_thread_online(nlvs_dp.qsbr, w->id);
	w->sleep_us = NLVS_IDLE_MIN_US;
	w->now = rte_get_tsc_cycles();
	w->next_timer = w->now + ms;
	while (!nlvs_dp.quit) {
		unsigned int n;

		rte_rcu_qsbr_quiescent(nlvs_dp.qsbr, w->id);
		w->now = rte_get_tsc_cycles();
		n = worker_poll(w);
		nlvs_neigh_msgs(w);
		for (p = 0; p < nlvs_dp.nports; p++)
			rte_eth_tx_buffer_flush(nlvs_dp.ports[p].port_id, w->txq, w->txb[p]);
		if (w->now >= w->next_timer) {
			w->next_timer = w->now + ms;
			nlvs_neigh_timer(w);
			nlvs_lb_worker_poll(w);
		}
		if (n) {
			w->idle_polls = 0;
			w->sleep_us = NLVS_IDLE_MIN_US;
		} else {
			idle_sleep(w);
		}
	}
	rte_rcu_qsbr_thread_offline(nlvs_dp.qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(nlvs_dp.qsbr, w->id);
	return 0;
}

static struct rte_ring *ring_make(const char *what, unsigned int a, unsigned int b,
				  unsigned int esize, unsigned int flags)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "nlvs_%s_%u_%u", what, a, b);
	return rte_ring_create_elem(name, esize, NLVS_RING_SIZE, SOCKET_ID_ANY, flags);
}

/* Worker structs, pools and rings; ports are set up afterwards from these. */
int nlvs_workers_create(const struct nlvs_conf *conf)
{
	unsigned int lcore, i, j, n = 0;
	char name[RTE_MEMPOOL_NAMESIZE];
	size_t sz;

	nlvs_neigh_entries = conf->neigh_entries;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct nlvs_worker *w;

		if (n == NLVS_MAX_WORKERS || (conf->workers && n == conf->workers))
			break;
		w = rte_zmalloc_socket("nlvs_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
				       (int)rte_lcore_to_socket_id(lcore));
		if (!w)
			return -ENOMEM;
		nlvs_dp.workers[n] = w;
		w->id = n;
		w->lcore = lcore;
		w->txq = (uint16_t)n;
		snprintf(name, sizeof(name), "nlvs_pool_%u", n);
		w->pool = rte_pktmbuf_pool_create(name, conf->mbufs, 256, 0,
						  RTE_MBUF_DEFAULT_BUF_SIZE,
						  (int)rte_lcore_to_socket_id(lcore));
		if (!w->pool) {
			nlvs_log_warnx("worker %u: mbuf pool of %u: %s", n, conf->mbufs,
				       rte_strerror(rte_errno));
			return -ENOMEM;
		}
		w->ctl_ring = ring_make("ctl", n, 0, sizeof(void *),
					RING_F_SP_ENQ | RING_F_SC_DEQ);
		w->neigh_ring = ring_make("nb", n, 0, NEIGH_MSG_SIZE, RING_F_SC_DEQ);
		w->neigh = nlvs_neigh_create(n);
		/* the host path: this worker and the host thread, one each way */
		w->host_up = ring_make("hup", n, 0, sizeof(void *),
				       RING_F_SP_ENQ | RING_F_SC_DEQ);
		w->host_down = ring_make("hdn", n, 0, sizeof(void *),
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!w->ctl_ring || !w->neigh_ring || !w->neigh || !w->host_up || !w->host_down)
			return -ENOMEM;
		n++;
	}
	if (!n) {
		nlvs_log_warnx("no worker lcore: give EAL at least two lcores (e.g. -l 0-1)");
		return -EINVAL;
	}
	if (conf->workers && n < conf->workers)
		nlvs_log_warnx("workers %u asked, only %u lcores available", conf->workers, n);
	nlvs_dp.nworkers = n;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			struct rte_ring *r;

			if (i == j)
				continue;
			r = ring_make("ho", i, j, sizeof(void *),
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (!r)
				return -ENOMEM;
			nlvs_dp.workers[i]->handoff_out[j] = r;
			nlvs_dp.workers[j]->handoff_in[i] = r;
		}
	}
	sz = rte_rcu_qsbr_get_memsize(n);
	nlvs_dp.qsbr = rte_zmalloc("nlvs_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (!nlvs_dp.qsbr || rte_rcu_qsbr_init(nlvs_dp.qsbr, n) < 0)
		return -ENOMEM;
	nlvs_log_info("%u worker%s, %u mbufs each", n, n > 1 ? "s" : "", conf->mbufs);
	return 0;
}

int nlvs_workers_launch(void)
{
	unsigned int i;
	int rc;

	for (i = 0; i < nlvs_dp.nworkers; i++) {
		struct nlvs_worker *w = nlvs_dp.workers[i];

		rc = rte_eal_remote_launch(worker_main, w, w->lcore);
		if (rc < 0) {
			nlvs_log_warnx("worker %u on lcore %u: %s", i, w->lcore, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void ring_drain_free(struct rte_ring *r)
{
	void *m;

	if (!r)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void nlvs_workers_destroy(void)
{
	unsigned int i, j;

	for (i = 0; i < NLVS_MAX_WORKERS; i++) {
		struct nlvs_worker *w = nlvs_dp.workers[i];

		if (!w)
			continue;
		for (j = 0; j < NLVS_MAX_WORKERS; j++)
			ring_drain_free(w->handoff_in[j]);
		ring_drain_free(w->ctl_ring);
		ring_drain_free(w->host_up);
		ring_drain_free(w->host_down);
		rte_ring_free(w->neigh_ring);
		nlvs_neigh_destroy(w->neigh);
		for (j = 0; j < NLVS_MAX_PORTS; j++)
			rte_free(w->txb[j]);
		rte_mempool_free(w->pool);
		rte_free(w);
		nlvs_dp.workers[i] = NULL;
	}
	rte_free(nlvs_dp.qsbr);
	nlvs_dp.qsbr = NULL;
	nlvs_dp.nworkers = 0;
}
