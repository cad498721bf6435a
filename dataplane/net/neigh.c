// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Neighbours: each worker owns a table it alone writes, so the packet path
 * takes no lock.  A worker that learns a neighbour (ARP or ND addressed to
 * us) tells the others through their neighbour rings; a worker that misses
 * queues a few packets on an incomplete entry and solicits itself.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "nlvs_net.h"

#define NEIGH_SIZE	1024		/* per worker, power of two */
#define NEIGH_PENDING	4		/* packets queued per unresolved entry */
#define NEIGH_TRIES	3		/* solicitations, one a second, before giving up */
#define NEIGH_STALE_S	60		/* re-solicit (keeping the MAC) after this */

enum { NB_FREE, NB_INCOMPLETE, NB_REACHABLE };

struct nlvs_neigh {
	uint8_t state, af, tries, npending;
	uint16_t port;
	struct rte_ether_addr mac;
	union nlvs_addr addr;
	uint64_t updated, last_req;
	struct rte_mbuf *pending[NEIGH_PENDING];
};

struct nlvs_neigh_table {
	unsigned int walk;		/* timer cursor */
	struct nlvs_neigh e[NEIGH_SIZE];
};

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
	return rte_zmalloc_socket("nlvs_neigh", sizeof(struct nlvs_neigh_table),
				  RTE_CACHE_LINE_SIZE,
				  (int)rte_lcore_to_socket_id(nlvs_dp.workers[worker]->lcore));
}

void nlvs_neigh_destroy(struct nlvs_neigh_table *t)
{
	unsigned int i, j;

	if (!t)
		return;
	for (i = 0; i < NEIGH_SIZE; i++)
		for (j = 0; j < t->e[i].npending; j++)
			rte_pktmbuf_free(t->e[i].pending[j]);
	rte_free(t);
}

static inline size_t alen(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* The entry for (af, addr, port); a free slot for it when @create; NULL. */
static struct nlvs_neigh *neigh_find(struct nlvs_neigh_table *t, int af, const void *addr,
				     uint16_t port, int create)
{
	uint32_t h = rte_hash_crc(addr, (uint32_t)alen(af), (uint32_t)(af << 16 | port));
	unsigned int i, n;

	for (n = 0, i = h & (NEIGH_SIZE - 1); n < NEIGH_SIZE; n++, i = (i + 1) & (NEIGH_SIZE - 1)) {
		struct nlvs_neigh *e = &t->e[i];

		if (e->state == NB_FREE) {
			if (!create)
				return NULL;
			memset(e, 0, sizeof(*e));
			e->state = NB_INCOMPLETE;
			e->af = (uint8_t)af;
			e->port = port;
			memcpy(&e->addr, addr, alen(af));
			return e;
		}
		if (e->af == af && e->port == port && !memcmp(&e->addr, addr, alen(af)))
			return e;
	}
	return NULL;
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
		nlvs_eth_output(w, e->pending[i], e->af, e->port, &e->mac);
	e->npending = 0;
}

void nlvs_neigh_learn(struct nlvs_worker *w, int af, const void *addr, uint16_t port,
		      const struct rte_ether_addr *mac, int create, int broadcast)
{
	struct nlvs_neigh *e = neigh_find(w->neigh, af, addr, port, create);
	struct nlvs_neigh_msg msg;
	int changed;
	unsigned int i;

	if (!e)
		return;
	changed = e->state != NB_REACHABLE || !rte_is_same_ether_addr(&e->mac, mac);
	e->mac = *mac;
	e->state = NB_REACHABLE;
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
	struct nlvs_neigh *e = neigh_find(w->neigh, af, nexthop, port, 1);

	if (!e) {
		nlvs_worker_drop(w, m, NLVS_DROP_NO_NEIGHBOUR);
		return;
	}
	if (e->state == NB_REACHABLE) {
		if (w->now - e->updated > NEIGH_STALE_S * nlvs_dp.hz &&
		    w->now - e->last_req > nlvs_dp.hz)
			neigh_solicit(w, e);
		nlvs_eth_output(w, m, af, port, &e->mac);
		return;
	}
	if (e->npending == NEIGH_PENDING) {
		nlvs_worker_drop(w, m, NLVS_DROP_NO_NEIGHBOUR);
		return;
	}
	e->pending[e->npending++] = m;
	if (!e->tries || w->now - e->last_req >= nlvs_dp.hz) {
		e->tries++;
		neigh_solicit(w, e);
	}
}

/* Every millisecond; walks a slice of the table, all of it in ~128 ms. */
void nlvs_neigh_timer(struct nlvs_worker *w)
{
	struct nlvs_neigh_table *t = w->neigh;
	unsigned int i, j;

	for (i = 0; i < NEIGH_SIZE / 128; i++) {
		struct nlvs_neigh *e = &t->e[t->walk++ & (NEIGH_SIZE - 1)];

		if (e->state != NB_INCOMPLETE || !e->npending ||
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
