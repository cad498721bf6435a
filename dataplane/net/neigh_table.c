// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The neighbour table's storage and admission rules (nlvs_neigh.h): a
 * set-associative array, per-bucket eviction, a sweep cursor.  Plain C: the
 * packet path (neigh.c) and the unit tests share it.
 */
#include <string.h>
#include <sys/socket.h>

#include "nlvs_neigh.h"

static inline size_t alen(int af)
{
	return af == AF_INET ? 4 : 16;
}

size_t nlvs_neigh_table_size(unsigned int entries)
{
	unsigned int n = NLVS_NEIGH_MIN;

	while (n < entries) {
		if (n >= 1u << 24)
			return 0;
		n <<= 1;
	}
	return sizeof(struct nlvs_neigh_table) + (size_t)n * sizeof(struct nlvs_neigh);
}

void nlvs_neigh_table_init(struct nlvs_neigh_table *t, unsigned int entries, uint32_t seed)
{
	unsigned int n = NLVS_NEIGH_MIN;

	while (n < entries && n < 1u << 24)
		n <<= 1;
	t->nbuckets = n / NLVS_NEIGH_WAYS;
	t->seed = seed;
	t->count = 0;
	t->walk = 0;
}

/* A multiplicative hash of 32-bit words of an aligned key; the seed makes
 * the buckets of given addresses differ from table to table. */
static inline uint32_t neigh_hash(const struct nlvs_neigh_table *t, int af,
				  const union nlvs_addr *k, uint16_t port)
{
	uint32_t h = t->seed ^ ((uint32_t)af << 16 | port);
	unsigned int i;

	for (i = 0; i < alen(af) / 4; i++) {
		h ^= k->ip6[i];
		h *= 0x9e3779b1u;
		h ^= h >> 15;
	}
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

static inline struct nlvs_neigh *bucket_of(struct nlvs_neigh_table *t, int af,
					   const union nlvs_addr *k, uint16_t port)
{
	return &t->e[(neigh_hash(t, af, k, port) & (t->nbuckets - 1)) * NLVS_NEIGH_WAYS];
}

static inline int same(const struct nlvs_neigh *e, int af, const union nlvs_addr *k,
		       uint16_t port)
{
	return e->state != NLVS_NB_FREE && e->af == af && e->port == port &&
	       nlvs_addr_equal(af, &e->addr, k);
}

/* The key copied out of the packet and hashed, the ways compared: with @af
 * a constant (see nlvs_neigh_find) the copy, the hash loop and the compare
 * have fixed sizes, so a lookup makes no memcpy/memcmp call. */
static inline __attribute__((always_inline)) struct nlvs_neigh *
find_af(struct nlvs_neigh_table *t, int af, const void *addr, uint16_t port)
{
	union nlvs_addr k;
	struct nlvs_neigh *b;
	unsigned int i;

	/* @addr often lies in a packet at any alignment: work on a copy */
	memset(&k, 0, sizeof(k));
	memcpy(&k, addr, alen(af));
	b = bucket_of(t, af, &k, port);
	for (i = 0; i < NLVS_NEIGH_WAYS; i++)
		if (same(&b[i], af, &k, port))
			return &b[i];
	return NULL;
}

struct nlvs_neigh *nlvs_neigh_find(struct nlvs_neigh_table *t, int af, const void *addr,
				   uint16_t port)
{
	if (af == AF_INET)
		return find_af(t, AF_INET, addr, port);
	return find_af(t, AF_INET6, addr, port);
}

/* When the entry last did anything useful: confirmed, used or asked for. */
static inline uint64_t last_activity(const struct nlvs_neigh *e)
{
	uint64_t a = e->updated;

	if (e->used > a)
		a = e->used;
	if (e->last_req > a)
		a = e->last_req;
	return a;
}

/* The way a new entry may take: learnt entries before wanted ones, the
 * least recently active first; never one with packets waiting. */
static struct nlvs_neigh *victim(struct nlvs_neigh *b, int wanted)
{
	struct nlvs_neigh *v = NULL;
	unsigned int i;

	for (i = 0; i < NLVS_NEIGH_WAYS; i++) {
		struct nlvs_neigh *e = &b[i];

		if (e->npending || (e->wanted && !wanted))
			continue;
		if (!v || e->wanted < v->wanted ||
		    (e->wanted == v->wanted && last_activity(e) < last_activity(v)))
			v = e;
	}
	return v;
}

struct nlvs_neigh *nlvs_neigh_add(struct nlvs_neigh_table *t, int af, const void *addr,
				  uint16_t port, int wanted, uint64_t now,
				  enum nlvs_neigh_add_how *how)
{
	enum nlvs_neigh_add_how h = NLVS_NEIGH_ADD_FREE;
	struct nlvs_neigh *b, *e = NULL;
	union nlvs_addr k;
	unsigned int i;

	memset(&k, 0, sizeof(k));
	memcpy(&k, addr, alen(af));
	b = bucket_of(t, af, &k, port);
	for (i = 0; i < NLVS_NEIGH_WAYS && !e; i++)
		if (b[i].state == NLVS_NB_FREE)
			e = &b[i];
	if (!e) {
		e = victim(b, wanted);
		if (!e) {
			if (how)
				*how = NLVS_NEIGH_ADD_FULL;
			return NULL;
		}
		h = NLVS_NEIGH_ADD_EVICTED;
		t->count--;
	}
	memset(e, 0, sizeof(*e));
	e->state = wanted ? NLVS_NB_INCOMPLETE : NLVS_NB_STALE;
	e->wanted = wanted ? 1 : 0;
	e->af = (uint8_t)af;
	e->port = port;
	e->addr = k;
	e->updated = now;
	if (wanted)
		e->used = now;
	t->count++;
	if (how)
		*how = h;
	return e;
}

void nlvs_neigh_del(struct nlvs_neigh_table *t, struct nlvs_neigh *e)
{
	if (e->state == NLVS_NB_FREE)
		return;
	memset(e, 0, sizeof(*e));
	t->count--;
}

int nlvs_neigh_expired(const struct nlvs_neigh *e, uint64_t now,
		       const struct nlvs_neigh_times *tm)
{
	uint64_t idle;

	if (e->state == NLVS_NB_FREE || e->npending)
		return 0;
	idle = now - last_activity(e);
	if (e->state == NLVS_NB_INCOMPLETE)	/* given up, nobody waits: forget it */
		return idle > tm->retry;
	return idle > (e->wanted ? tm->wanted_idle : tm->learnt_idle);
}

struct nlvs_neigh *nlvs_neigh_sweep_next(struct nlvs_neigh_table *t, unsigned int n)
{
	unsigned int size = nlvs_neigh_table_entries(t);
	unsigned int i = t->walk & (size - 1);

	t->walk = (i + n) & (size - 1);
	return &t->e[i];
}
