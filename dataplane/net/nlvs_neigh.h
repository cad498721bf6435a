/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-worker neighbour table without EAL (neigh.c drives it from the
 * packet path; unit tests drive it directly).  Set-associative: an address
 * hashes to one bucket of NLVS_NEIGH_WAYS entries, so finding, adding and
 * evicting cost a bucket, never the table.
 *
 * Admission follows the kernel's priorities.  Entries the dataplane asked
 * for (next hops of packets it sends: gateways, real servers) are "wanted";
 * entries filed because a host talked to us are "learnt" and may be evicted
 * by anything.  A learnt entry only ever replaces another learnt one, so a
 * flood of senders (even on-link ones) can churn the learnt part of a
 * bucket but never take the place of a next hop; a wanted entry takes the
 * place of the stalest learnt entry, or of the longest-unused wanted one.
 * Entries with packets waiting for resolution are never evicted.
 */
#ifndef NLVS_NEIGH_H
#define NLVS_NEIGH_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/nlvs_ctl.h"

#define NLVS_NEIGH_WAYS		8	/* entries per bucket */
#define NLVS_NEIGH_PENDING	4	/* packets queued per unresolved entry */
#define NLVS_NEIGH_MIN		64	/* smallest table */

enum nlvs_neigh_state {
	NLVS_NB_FREE,
	NLVS_NB_INCOMPLETE,		/* asked, no answer yet (or given up) */
	NLVS_NB_REACHABLE,		/* confirmed at @updated */
	NLVS_NB_STALE,			/* learnt from a host we never asked: verify on use */
};

struct rte_mbuf;

struct nlvs_neigh {
	uint8_t state, af, tries, npending;
	uint8_t mac[6];			/* read as a struct rte_ether_addr: 2-byte aligned */
	uint8_t wanted;			/* a next hop the dataplane sends to */
	uint8_t pad;
	uint16_t port;
	union nlvs_addr addr;
	uint64_t updated;		/* last confirmation or learning (TSC) */
	uint64_t used;			/* last packet sent through it */
	uint64_t last_req;		/* last solicitation */
	struct rte_mbuf *pending[NLVS_NEIGH_PENDING];
};

_Static_assert(offsetof(struct nlvs_neigh, mac) % 2 == 0, "MAC usable as rte_ether_addr");

struct nlvs_neigh_table {
	uint32_t nbuckets;		/* power of two */
	uint32_t seed;			/* per table: collisions are not predictable */
	uint32_t count;			/* entries in use */
	uint32_t walk;			/* sweep cursor */
	struct nlvs_neigh e[];		/* nbuckets * NLVS_NEIGH_WAYS */
};

/** Bytes for a table of @entries (rounded up to a power of two, at least
 *  NLVS_NEIGH_MIN); 0 if too large. */
size_t nlvs_neigh_table_size(unsigned int entries);
/** Initialise @t (nlvs_neigh_table_size() bytes, zeroed) for @entries. */
void nlvs_neigh_table_init(struct nlvs_neigh_table *t, unsigned int entries, uint32_t seed);
static inline unsigned int nlvs_neigh_table_entries(const struct nlvs_neigh_table *t)
{
	return t->nbuckets * NLVS_NEIGH_WAYS;
}

/** The entry for (@af, @addr, @port), NULL if none.  @addr at any alignment. */
struct nlvs_neigh *nlvs_neigh_find(struct nlvs_neigh_table *t, int af, const void *addr,
				   uint16_t port);

/** How nlvs_neigh_add() made room. */
enum nlvs_neigh_add_how {
	NLVS_NEIGH_ADD_FREE,		/* a free way */
	NLVS_NEIGH_ADD_EVICTED,		/* replaced an idle entry */
	NLVS_NEIGH_ADD_FULL,		/* no entry given up: NULL returned */
};

/** A new entry for (@af, @addr, @port), which must not exist: INCOMPLETE and
 *  wanted when @wanted, else STALE and learnt (the caller fills the MAC).
 *  Evicts by the rules above; NULL when the bucket holds nothing @wanted may
 *  replace.  @how (may be NULL) tells which. */
struct nlvs_neigh *nlvs_neigh_add(struct nlvs_neigh_table *t, int af, const void *addr,
				  uint16_t port, int wanted, uint64_t now,
				  enum nlvs_neigh_add_how *how);

/** Free @e (its pending packets must have been handed on). */
void nlvs_neigh_del(struct nlvs_neigh_table *t, struct nlvs_neigh *e);

/** Reclaim times, in TSC ticks (hz = ticks per second). */
struct nlvs_neigh_times {
	uint64_t retry;			/* between solicitations */
	uint64_t learnt_idle;		/* a learnt entry not heard from: freed */
	uint64_t wanted_idle;		/* a wanted entry neither used nor confirmed: freed */
};

/** Would the sweep free @e at @now?  Entries with pending packets: never. */
int nlvs_neigh_expired(const struct nlvs_neigh *e, uint64_t now,
		       const struct nlvs_neigh_times *tm);

/** The next @n entries of the sweep (round robin over the table); the caller
 *  looks at each (retries, reclaim).  Returns the first of @n consecutive;
 *  @n a power of two no larger than NLVS_NEIGH_MIN. */
struct nlvs_neigh *nlvs_neigh_sweep_next(struct nlvs_neigh_table *t, unsigned int n);

#endif /* NLVS_NEIGH_H */
