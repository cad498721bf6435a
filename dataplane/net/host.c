// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host path, worker side.  Where the fast path misses (traffic for a
 * port address, link-local multicast such as VRRP, ARP and ND copies) the
 * packet goes up the port's kernel twin: the worker puts it on its own ring
 * to the host thread (host_twin.c), which writes it into the net_tap device.
 * What the kernel sends out of a twin comes back on another ring and leaves
 * through the port like any frame of this worker.
 *
 * Both rings are single-producer/single-consumer (one worker, one host
 * thread): rte_ring's SP/SC paths only load and store the head and tail
 * indexes with acquire/release ordering, no compare-and-swap and no lock, so
 * the worker never waits for the host thread.  A full ring or an exhausted
 * host-rate bucket drops the packet here, counted, so a flood to the host
 * costs the worker a counter increment per packet and nothing more.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "nlvs_net.h"

#define HOST_TICKS	1000	/* host-rate bucket: refilled each 1/1000 s */
#define HOST_BURST_MIN	64	/* bucket depth at least (two RX bursts) */

/* host-rate: a per-worker token bucket, refilled each millisecond, as deep
 * as 10 ms of the rate, so TCP's bursts pass and a flood is cut within
 * milliseconds.  One division per millisecond, none per packet. */
static int host_admit(struct nlvs_worker *w)
{
	uint64_t rate = nlvs_dp.host_rate, tick = nlvs_dp.hz / HOST_TICKS, el, add, depth;

	if (!rate)
		return 1;
	el = w->now - w->host_refill;
	if (unlikely(el >= tick)) {
		el /= tick;
		depth = rate / 100 > HOST_BURST_MIN ? rate / 100 : HOST_BURST_MIN;
		add = el >= HOST_TICKS ? depth : el * rate / HOST_TICKS;
		/* below 1000/s a millisecond earns nothing: let them add up */
		if (add) {
			w->host_refill += el * tick;
			w->host_tokens += add;
			if (w->host_tokens > depth)
				w->host_tokens = depth;
		}
	}
	if (!w->host_tokens)
		return 0;
	w->host_tokens--;
	return 1;
}

/* Up the worker's ring to the host thread; a full ring drops, counted. */
static void host_enqueue(struct nlvs_worker *w, struct rte_mbuf *m)
{
	if (unlikely(rte_ring_sp_enqueue(w->host_up, m) < 0)) {
		nlvs_worker_drop(w, m, NLVS_DROP_HOST_QUEUE_FULL);
		return;
	}
	w->st.host_up++;
}

void nlvs_host_input(struct nlvs_worker *w, struct rte_mbuf *m)
{
	if (!nlvs_dp.ports[m->port].has_twin) {
		nlvs_worker_drop(w, m, NLVS_DROP_HOST_TRAFFIC);
		return;
	}
	if (unlikely(!host_admit(w))) {
		nlvs_worker_drop(w, m, NLVS_DROP_HOST_RATE);
		return;
	}
	host_enqueue(w, m);
}

/* Only where the engine missed (no service): a second lookup, off the fast
 * path, in the table the worker already reads. */
int nlvs_host_claim(struct nlvs_worker *w, struct rte_mbuf *m, int af, const void *daddr)
{
	const struct nlvs_addr_table *t = __atomic_load_n(&nlvs_dp.addrs, __ATOMIC_ACQUIRE);

	if (!nlvs_dp.ports[m->port].has_twin || !t || !nlvs_addr_kernel_held(t, af, daddr))
		return 0;
	nlvs_host_input(w, m);
	return 1;
}

void nlvs_host_copy(struct nlvs_worker *w, const struct rte_mbuf *m)
{
	struct rte_mbuf *c;

	if (!nlvs_dp.ports[m->port].has_twin)
		return;
	/* the bucket first: a flood of ARP must not cost a copy each */
	if (unlikely(!host_admit(w))) {
		w->st.drops[NLVS_DROP_HOST_RATE]++;
		return;
	}
	c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
	if (unlikely(!c)) {
		w->st.drops[NLVS_DROP_NO_MBUF]++;
		return;
	}
	c->port = m->port;
	host_enqueue(w, c);
}

unsigned int nlvs_host_down(struct nlvs_worker *w)
{
	struct rte_mbuf *pkts[NLVS_BURST];
	unsigned int i, n;

	if (!w->host_down)
		return 0;
	n = rte_ring_sc_dequeue_burst(w->host_down, (void **)pkts, NLVS_BURST, NULL);
	for (i = 0; i < n; i++)
		nlvs_worker_tx(w, pkts[i]->port, pkts[i]);
	w->st.host_down += n;
	return n;
}
