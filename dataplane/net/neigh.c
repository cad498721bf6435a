// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Neighbours: each worker owns a table it alone writes, so the packet path
 * takes no lock.  A worker that learns a neighbour (ARP or ND addressed to
 * us) tells the others through their neighbour rings; a worker that misses
 * queues a few packets on an incomplete entry and solicits itself.
 *
 * Hosts that talk to us are learnt only when they sit on a connected prefix
 * of the port they came from (as the kernel files neighbours), and then only
 * as "learnt" entries that any next hop we need may replace (nlvs_neigh.h).
 * A sweep on the worker's millisecond timer retries solicitations and
 * frees what nobody uses, a few entries per tick.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "nlvs_net.h"
#include "nlvs_neigh.h"

#define NEIGH_TRIES	3		/* solicitations, one a second, before giving up */
#define NEIGH_STALE_S	60		/* re-solicit (keeping the MAC) after this */
#define NEIGH_DELAY_S	5		/* ... or this, for a learnt entry never confirmed */
#define NEIGH_LEARNT_S	120		/* a learnt host not heard from is forgotten */
#define NEIGH_WANTED_S	600		/* a next hop unused and unconfirmed: forgotten */
#define NEIGH_SWEEP	8		/* entries looked at per millisecond tick */

unsigned int nlvs_neigh_entries = NLVS_NEIGH_ENTRIES_DEFAULT;

/* What a worker tells the others; the rings were made with this size. */
struct nlvs_neigh_msg {
	union nlvs_addr addr;
	struct rte_ether_addr mac;
	uint16_t port;
	uint8_t af;
	uint8_t pad[7];
};
_Static_assert(sizeof(struct nlvs_neigh_msg) == 32, "neighbour ring element size");

struct nlvs_neigh_table *nlvs_neigh_create(unsigned int worker)
{
	size_t sz = nlvs_neigh_table_size(nlvs_neigh_entries);
	struct nlvs_neigh_table *t;

	if (!sz)
		return NULL;
	t = rte_zmalloc_socket("nlvs_neigh", sz, RTE_CACHE_LINE_SIZE,
			       (int)rte_lcore_to_socket_id(nlvs_dp.workers[worker]->lcore));
	if (t)
		nlvs_neigh_table_init(t, nlvs_neigh_entries, (uint32_t)rte_rand());
	return t;
}

void nlvs_neigh_destroy(struct nlvs_neigh_table *t)
{
	unsigned int i, j;

	if (!t)
		return;
	for (i = 0; i < nlvs_neigh_table_entries(t); i++)
		for (j = 0; j < t->e[i].npending; j++)
			rte_pktmbuf_free(t->e[i].pending[j]);
	rte_free(t);
}

static inline size_t alen(int af)
{
	return af == AF_INET ? 4 : 16;
}

static inline const struct rte_ether_addr *neigh_mac(const struct nlvs_neigh *e)
{
	return (const struct rte_ether_addr *)e->mac;
}

static int neigh_solicit(struct nlvs_worker *w, struct nlvs_neigh *e)
{
	e->last_req = w->now;
	w->st.neigh_requests++;
	if (e->af == AF_INET)
		return nlvs_arp_request(w, e->port, &e->addr);
	return nlvs_nd_solicit(w, e->port, &e->addr);
}

static void neigh_flush(struct nlvs_worker *w, struct nlvs_neigh *e)
{
	unsigned int i;

	for (i = 0; i < e->npending; i++)
		nlvs_eth_output(w, e->pending[i], e->af, e->port, neigh_mac(e));
	e->npending = 0;
}

/* A host on no connected prefix of @port could be anyone's spoof: we would
 * never send to it directly, so it gets no entry. */
static int neigh_admissible(int af, const void *addr, uint16_t port)
{
	const struct nlvs_route_table *rt = __atomic_load_n(&nlvs_dp.routes, __ATOMIC_ACQUIRE);

	return rt && nlvs_route_onlink(rt, af, addr, port);
}

void nlvs_neigh_learn(struct nlvs_worker *w, int af, const void *addr, uint16_t port,
		      const struct rte_ether_addr *mac, int create, int broadcast)
{
	struct nlvs_neigh *e = nlvs_neigh_find(w->neigh, af, addr, port);
	enum nlvs_neigh_add_how how;
	struct nlvs_neigh_msg msg;
	int changed = 1;
	unsigned int i;

	if (e) {
		changed = e->state != NLVS_NB_REACHABLE ||
			  !rte_is_same_ether_addr(neigh_mac(e), mac);
		e->state = NLVS_NB_REACHABLE;
	} else {
		if (!create)
			return;
		/* from the wire (broadcast) it must be on-link; another worker checked */
		if (broadcast && !neigh_admissible(af, addr, port)) {
			w->st.neigh_offlink++;
			return;
		}
		e = nlvs_neigh_add(w->neigh, af, addr, port, 0, w->now, &how);
		if (!e) {
			w->st.neigh_full++;
			return;
		}
		if (how == NLVS_NEIGH_ADD_EVICTED)
			w->st.neigh_evicted++;
	}
	memcpy(e->mac, mac, sizeof(e->mac));
	e->updated = w->now;
	e->tries = 0;
	neigh_flush(w, e);
	if (!broadcast || !changed || nlvs_dp.nworkers < 2)
		return;
	memset(&msg, 0, sizeof(msg));
	memcpy(&msg.addr, addr, alen(af));
	msg.mac = *mac;
	msg.port = port;
	msg.af = (uint8_t)af;
	for (i = 0; i < nlvs_dp.nworkers; i++) {
		if (i == w->id)
			continue;
		if (rte_ring_mp_enqueue_elem(nlvs_dp.workers[i]->neigh_ring, &msg,
					     sizeof(msg)) < 0)
			w->st.neigh_msgs_lost++;
	}
}

void nlvs_neigh_msgs(struct nlvs_worker *w)
{
	struct nlvs_neigh_msg msg[8];
	unsigned int i, n;

	n = rte_ring_sc_dequeue_burst_elem(w->neigh_ring, msg, sizeof(msg[0]), RTE_DIM(msg),
					   NULL);
	for (i = 0; i < n; i++)
		nlvs_neigh_learn(w, msg[i].af, &msg[i].addr, msg[i].port, &msg[i].mac, 1, 0);
}

void nlvs_ip_output(struct nlvs_worker *w, struct rte_mbuf *m, int af, uint16_t port,
		    const union nlvs_addr *nexthop)
{
	struct nlvs_neigh *e = nlvs_neigh_find(w->neigh, af, nexthop, port);
	enum nlvs_neigh_add_how how;

	if (!e) {
		/* a next hop we need: it may take the place of a learnt entry */
		e = nlvs_neigh_add(w->neigh, af, nexthop, port, 1, w->now, &how);
		if (!e) {
			w->st.neigh_full++;
			nlvs_worker_drop(w, m, NLVS_DROP_NO_NEIGHBOUR);
			return;
		}
		if (how == NLVS_NEIGH_ADD_EVICTED)
			w->st.neigh_evicted++;
	}
	e->wanted = 1;
	e->used = w->now;
	if (e->state != NLVS_NB_INCOMPLETE) {
		/* learnt and not confirmed for a few seconds, or not confirmed for a
		 * while: send on the MAC we have and ask again, as the kernel's
		 * STALE -> DELAY -> PROBE does */
		if (w->now - e->updated > (e->state == NLVS_NB_STALE ? NEIGH_DELAY_S :
					   NEIGH_STALE_S) * nlvs_dp.hz &&
		    w->now - e->last_req > nlvs_dp.hz)
			neigh_solicit(w, e);
		nlvs_eth_output(w, m, af, port, neigh_mac(e));
		return;
	}
	if (e->npending == NLVS_NEIGH_PENDING) {
		nlvs_worker_drop(w, m, NLVS_DROP_NO_NEIGHBOUR);
		return;
	}
	e->pending[e->npending++] = m;
	if (!e->tries || w->now - e->last_req >= nlvs_dp.hz) {
		e->tries++;
		neigh_solicit(w, e);
	}
}

/* Every millisecond: a few entries, the whole default table in 128 ms. */
void nlvs_neigh_timer(struct nlvs_worker *w)
{
	const struct nlvs_neigh_times tm = {
		.retry = NEIGH_TRIES * nlvs_dp.hz,
		.learnt_idle = NEIGH_LEARNT_S * nlvs_dp.hz,
		.wanted_idle = NEIGH_WANTED_S * nlvs_dp.hz,
	};
	struct nlvs_neigh *e = nlvs_neigh_sweep_next(w->neigh, NEIGH_SWEEP);
	unsigned int i, j;

	for (i = 0; i < NEIGH_SWEEP; i++, e++) {
		if (nlvs_neigh_expired(e, w->now, &tm)) {
			nlvs_neigh_del(w->neigh, e);
			w->st.neigh_reclaimed++;
			continue;
		}
		if (e->state != NLVS_NB_INCOMPLETE || !e->npending ||
		    w->now - e->last_req < nlvs_dp.hz)
			continue;
		if (e->tries < NEIGH_TRIES) {
			e->tries++;
			neigh_solicit(w, e);
			continue;
		}
		for (j = 0; j < e->npending; j++)
			nlvs_worker_drop(w, e->pending[j], NLVS_DROP_NO_NEIGHBOUR);
		e->npending = 0;
		e->tries = 0;
	}
}

void nlvs_neigh_stats(const struct nlvs_neigh_table *t, unsigned int *used, unsigned int *size)
{
	*used = t->count;
	*size = nlvs_neigh_table_entries(t);
}

static const char *neigh_state_name(unsigned int state)
{
	static const char *const names[] = {
		[NLVS_NB_FREE] = "free", [NLVS_NB_INCOMPLETE] = "incomplete",
		[NLVS_NB_REACHABLE] = "reachable", [NLVS_NB_STALE] = "stale",
	};

	return state < RTE_DIM(names) ? names[state] : "?";
}

/* nlvsctl neigh: every worker's table as `ip neigh` prints it.  Read from
 * the control thread while the workers run (as their counters are): an
 * entry changing at that instant may show half old, half new. */
void nlvs_neigh_write(FILE *f)
{
	char buf[64];
	unsigned int w, i;

	for (w = 0; w < nlvs_dp.nworkers; w++) {
		const struct nlvs_neigh_table *t = nlvs_dp.workers[w]->neigh;

		for (i = 0; t && i < nlvs_neigh_table_entries(t); i++) {
			struct nlvs_neigh e = t->e[i];

			if (e.state == NLVS_NB_FREE || e.port >= nlvs_dp.nports)
				continue;
			fprintf(f, "%s dev %s", nlvs_addr_str(e.af, &e.addr, buf, sizeof(buf)),
				nlvs_dp.ports[e.port].name);
			if (e.state != NLVS_NB_INCOMPLETE)
				fprintf(f, " lladdr %02x:%02x:%02x:%02x:%02x:%02x", e.mac[0],
					e.mac[1], e.mac[2], e.mac[3], e.mac[4], e.mac[5]);
			fprintf(f, " %s%s worker %u\n", neigh_state_name(e.state),
				e.wanted ? " nexthop" : "", w);
		}
	}
}
