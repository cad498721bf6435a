// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Connection pool and the two-tuple hash.  Buckets are one cache line of
 * seven (signature, entry) pairs; a full bucket chains to an overflow bucket
 * from a pool sized for the worst case, so an insert can only fail when the
 * connection pool itself is empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "conn_priv.h"

static uint32_t pow2_at_least(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static uint32_t nb_main_for(uint32_t capacity)
{
	/* two entries per connection, about four per seven-entry bucket */
	return pow2_at_least(capacity / 2);
}

static uint32_t nb_ovf_for(uint32_t capacity)
{
	return (uint32_t)((2ull * capacity) / CONN_BKT_ENTRIES + 1);
}

size_t nlvs_conn_tab_memsize(uint32_t capacity)
{
	return sizeof(struct nlvs_conn_tab) +
	       (size_t)capacity * (sizeof(struct nlvs_conn) + sizeof(struct conn_cold)) +
	       ((size_t)nb_main_for(capacity) + nb_ovf_for(capacity)) *
	       sizeof(struct conn_bucket);
}

#define HUGE_2M		(2u << 20)

static size_t big_len(size_t size)
{
	/* small tables (unit tests, tiny configurations) stay on small pages */
	size_t unit = size < HUGE_2M ? 4096 : HUGE_2M;

	return (size + unit - 1) & ~(unit - 1);
}

/*
 * Big arrays on transparent huge pages where the kernel gives them (THP
 * "always" or "madvise"): at millions of connections every lookup is a
 * TLB miss on 4 KiB pages.  Faulted in here, at start, so that new
 * connections do not pay for zeroing (and perhaps compacting) 2 MiB pages
 * in the packet path; *@huge is cleared when the advice is refused.
 */
static void *big_alloc(size_t size, int *huge)
{
	size_t len = big_len(size);
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (len < HUGE_2M || madvise(p, len, MADV_HUGEPAGE) < 0)
		*huge = 0;
#ifdef MADV_POPULATE_WRITE
	if (madvise(p, len, MADV_POPULATE_WRITE) == 0)
		return p;
#endif
	memset(p, 0, len);
	return p;
}

static void big_free(void *p, size_t size)
{
	if (p)
		munmap(p, big_len(size));
}

static size_t pool_bytes(uint32_t capacity)
{
	return (size_t)capacity * sizeof(struct nlvs_conn);
}

static size_t bkt_bytes(const struct nlvs_conn_tab *t)
{
	return ((size_t)t->nb_main + nb_ovf_for(t->capacity)) * sizeof(struct conn_bucket);
}

struct nlvs_conn_tab *nlvs_conn_tab_create(uint32_t capacity, uint64_t now_ms)
{
	struct nlvs_conn_tab *t;
	uint32_t i, nov;
	size_t nbkt;

	if (capacity == 0 || capacity > (UINT32_MAX >> 2))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->capacity = capacity;
	t->nb_main = nb_main_for(capacity);
	t->mask = t->nb_main - 1;
	nov = nb_ovf_for(capacity);
	nbkt = (size_t)t->nb_main + nov;
	/* mmap'd memory stays untouched (and unbacked) until used */
	t->huge = 1;
	t->pool = big_alloc(pool_bytes(capacity), &t->huge);
	t->bkt = big_alloc(nbkt * sizeof(*t->bkt), &t->huge);
	t->cold = big_alloc((size_t)capacity * sizeof(*t->cold), &t->huge);
	if (!t->pool || !t->bkt || !t->cold)
		goto fail;
	memset(t->bkt, 0, t->nb_main * sizeof(*t->bkt));
	for (i = 0; i < nov; i++) {
		memset(&t->bkt[t->nb_main + i], 0, sizeof(*t->bkt));
		t->bkt[t->nb_main + i].next = i + 1 < nov ? t->nb_main + i + 2 : 0;
	}
	t->ovf_free = t->nb_main + 1;
	for (i = 0; i < capacity; i++)
		t->cold[i].tw_next = i + 1 < capacity ? i + 1 : NLVS_CONN_NONE;
	t->free_head = 0;
	for (i = 0; i <= CONN_TW_SLOTS; i++)
		t->tw_head[i] = NLVS_CONN_NONE;
	t->tw_tick = conn_tw_tick(now_ms);
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = 0x243f6a8885a308d3ull ^ (uintptr_t)t;
	return t;
fail:
	nlvs_conn_tab_destroy(t);
	return NULL;
}

void nlvs_conn_tab_destroy(struct nlvs_conn_tab *t)
{
	if (!t)
		return;
	if (t->bkt)
		big_free(t->bkt, bkt_bytes(t));
	big_free(t->pool, pool_bytes(t->capacity));
	big_free(t->cold, (size_t)t->capacity * sizeof(*t->cold));
	free(t);
}

int nlvs_conn_tab_huge(const struct nlvs_conn_tab *t)
{
	return t->huge;
}

uint32_t nlvs_conn_tab_count(const struct nlvs_conn_tab *t)
{
	return t->count;
}

uint32_t nlvs_conn_tab_capacity(const struct nlvs_conn_tab *t)
{
	return t->capacity;
}

/* 40-byte key as five words, multiply-xorshift mixing with a per-table
 * secret so remote hosts cannot aim at one bucket. */
static inline uint64_t tuple_hash(const struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k)
{
	uint64_t w[5], h = t->seed;
	unsigned int i;

	memcpy(w, k, sizeof(w));
	for (i = 0; i < 5; i++) {
		h ^= w[i];
		h *= 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h;
}

/* Is tuple @s of @c the key @k?  For IPv4 only line 0 is read. */
static inline int tuple_is(const struct nlvs_conn *c, unsigned int s,
			   const struct nlvs_conn_tuple *k)
{
	const struct nlvs_conn_side *e = &c->side[s];
	unsigned int kind = s == 0 && (c->flags & NLVS_CONN_F_TEMPLATE);

	if (e->sport != k->sport || e->dport != k->dport || c->proto != k->proto ||
	    k->kind != kind || k->af != nlvs_conn_af(c))
		return 0;
	if (k->af == AF_INET)
		return e->saddr4 == k->saddr.ip && e->daddr4 == k->daddr.ip;
	return !memcmp(&c->addr6[s].saddr, &k->saddr, sizeof(k->saddr)) &&
	       !memcmp(&c->addr6[s].daddr, &k->daddr, sizeof(k->daddr));
}

static int hash_add(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k, uint32_t ent)
{
	uint64_t h = tuple_hash(t, k);
	struct conn_bucket *b = &t->bkt[h & t->mask];

	while (b->count == CONN_BKT_ENTRIES) {
		if (!b->next) {
			uint32_t nb = t->ovf_free;

			if (!nb)
				return -ENOSPC;	/* cannot happen: sized for the worst case */
			t->ovf_free = t->bkt[nb - 1].next;
			t->bkt[nb - 1].next = 0;
			t->bkt[nb - 1].count = 0;
			b->next = nb;
		}
		b = &t->bkt[b->next - 1];
	}
	b->sig[b->count] = (uint32_t)(h >> 32);
	b->ent[b->count] = ent;
	b->count++;
	return 0;
}

/*
 * Remove @ent.  Chains keep every bucket but the tail full (inserts go to
 * the tail, removals refill the hole from the tail), so the tail's last
 * entry fills the hole and an emptied overflow tail goes back to the pool.
 */
static void hash_del(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k, uint32_t ent)
{
	struct conn_bucket *head = &t->bkt[tuple_hash(t, k) & t->mask];
	struct conn_bucket *b, *hb = NULL, *prev = NULL, *tail = head;
	unsigned int i, hi = 0;

	for (b = head;; prev = b, b = &t->bkt[b->next - 1]) {
		for (i = 0; !hb && i < b->count; i++)
			if (b->ent[i] == ent) {
				hb = b;
				hi = i;
			}
		tail = b;
		if (!b->next)
			break;
	}
	if (!hb)
		return;
	hb->sig[hi] = tail->sig[tail->count - 1];
	hb->ent[hi] = tail->ent[tail->count - 1];
	if (--tail->count == 0 && prev) {
		prev->next = 0;
		tail->next = t->ovf_free;
		t->ovf_free = (uint32_t)(tail - t->bkt) + 1;
	}
}

static inline struct nlvs_conn *bucket_find(struct nlvs_conn_tab *t,
					    const struct conn_bucket *b, uint32_t sig,
					    const struct nlvs_conn_tuple *k, unsigned int *side)
{
	for (;;) {
		unsigned int i;

		for (i = 0; i < b->count; i++) {
			if (b->sig[i] == sig) {
				struct nlvs_conn *c = &t->pool[b->ent[i] >> 1];
				unsigned int s = b->ent[i] & 1;

				if (tuple_is(c, s, k)) {
					*side = s;
					return c;
				}
			}
		}
		if (!b->next)
			return NULL;
		b = &t->bkt[b->next - 1];
	}
}

struct nlvs_conn *nlvs_conn_lookup(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k,
				   unsigned int *side)
{
	uint64_t h = tuple_hash(t, k);

	return bucket_find(t, &t->bkt[h & t->mask], (uint32_t)(h >> 32), k, side);
}

/*
 * A prefetch the compiler keeps.  GCC 12 at -O2 deletes a loop whose only
 * effect is __builtin_prefetch (its aggressive loop optimizations: the
 * prefetches came back with -fno-aggressive-loop-optimizations), and it
 * did delete entries_prefetch()'s: the lookup compared entries it had
 * never asked for.  An asm statement is not deleted.
 */
static inline void conn_prefetch(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("prefetcht0 %0" : : "m"(*(const volatile char *)p));
#elif defined(__aarch64__)
	__asm__ volatile("prfm pldl1keep, [%0]" : : "r"(p));
#else
	__builtin_prefetch(p);
#endif
}

/* Pull in the connections whose signature matches in bucket @b: line 0
 * (IPv4: everything a hit reads and writes), line 1 too for IPv6. */
static inline void entries_prefetch(const struct nlvs_conn_tab *t, const struct conn_bucket *b,
				    uint32_t sig, int af)
{
	unsigned int j;

	for (j = 0; j < b->count; j++)
		if (b->sig[j] == sig) {
			const struct nlvs_conn *c = &t->pool[b->ent[j] >> 1];

			conn_prefetch(c);
			if (af != AF_INET)
				conn_prefetch(c->addr6);
		}
}

unsigned int nlvs_conn_lookup_bulk(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *keys,
				   unsigned int n, struct nlvs_conn **conns, uint8_t *sides)
{
	uint64_t h[NLVS_CONN_BULK_MAX];
	unsigned int i, hits = 0;

	if (n > NLVS_CONN_BULK_MAX)
		n = NLVS_CONN_BULK_MAX;
	/* stage 1: hash everything and pull the buckets in */
	for (i = 0; i < n; i++) {
		h[i] = tuple_hash(t, &keys[i]);
		__builtin_prefetch(&t->bkt[h[i] & t->mask]);
	}
	/* stage 2: pull in the connections whose signature matches.  (A
	 * pipeline prefetching entries 2, 4 or 8 keys ahead of the compare
	 * measured no better than whole-burst stages, but that was while GCC
	 * deleted the entry prefetches: see conn_prefetch() and
	 * doc/performance.md.) */
	for (i = 0; i < n; i++)
		entries_prefetch(t, &t->bkt[h[i] & t->mask], (uint32_t)(h[i] >> 32), keys[i].af);
	/* stage 3: compare */
	for (i = 0; i < n; i++) {
		unsigned int s = 0;

		conns[i] = bucket_find(t, &t->bkt[h[i] & t->mask], (uint32_t)(h[i] >> 32),
				       &keys[i], &s);
		sides[i] = (uint8_t)s;
		hits += conns[i] != NULL;
	}
	return hits;
}

/* Side @s of a new connection from key @k (the family is already set). */
static void tuple_store(struct nlvs_conn *c, unsigned int s, const struct nlvs_conn_tuple *k)
{
	c->side[s].sport = k->sport;
	c->side[s].dport = k->dport;
	if (c->flags & NLVS_CONN_F_INET6) {
		c->addr6[s].saddr = k->saddr;
		c->addr6[s].daddr = k->daddr;
	} else {
		c->side[s].saddr4 = k->saddr.ip;
		c->side[s].daddr4 = k->daddr.ip;
	}
}

/* File (@add) or remove side @s under its tuple as stored (an IPv4
 * tuple's first 4 address bytes): nlvs_conn_free() finds what new filed. */
static void hash_side(struct nlvs_conn_tab *t, struct nlvs_conn *c, unsigned int s, int add)
{
	struct nlvs_conn_tuple k;

	nlvs_conn_tuple(c, s, &k);
	if (add)
		hash_add(t, &k, conn_idx(t, c) << 1 | s);
	else
		hash_del(t, &k, conn_idx(t, c) << 1 | s);
}

struct nlvs_conn *nlvs_conn_new(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *t0,
				const struct nlvs_conn_tuple *t1, uint32_t flags,
				uint32_t timeout_ms, uint64_t now_ms, unsigned int *reason)
{
	struct nlvs_conn *c;
	uint32_t idx = t->free_head;

	if (idx == NLVS_CONN_NONE) {
		*reason = NLVS_DROP_CONN_TABLE_FULL;
		return NULL;
	}
	c = &t->pool[idx];
	t->free_head = t->cold[idx].tw_next;
	memset(c, 0, sizeof(*c));
	c->flags = (flags & ~(NLVS_CONN_F_HASHED | NLVS_CONN_F_CONTROLLED | NLVS_CONN_F_INET6)) |
		   (t0->af == AF_INET6 ? NLVS_CONN_F_INET6 : 0);
	c->proto = t0->proto;
	tuple_store(c, 0, t0);
	if (t1)
		tuple_store(c, 1, t1);
	if (timeout_ms > NLVS_CONN_TIMEOUT_MAX)
		timeout_ms = NLVS_CONN_TIMEOUT_MAX;
	c->timeout = timeout_ms;
	c->expires = (uint32_t)(now_ms + timeout_ms);
	t->cold[idx].ctrl = NLVS_CONN_NONE;
	t->cold[idx].n_control = 0;
	t->cold[idx].tw_next = t->cold[idx].tw_prev = NLVS_CONN_NONE;
	if (!(flags & NLVS_CONN_F_ONE_PACKET)) {
		/* cannot fail: the overflow pool covers every entry */
		hash_side(t, c, 0, 1);
		if (t1 && !(flags & NLVS_CONN_F_TEMPLATE))
			hash_side(t, c, 1, 1);
		c->flags |= NLVS_CONN_F_HASHED;
	}
	nlvs_conn_tw_add(t, c, conn_tw_tick(now_ms + timeout_ms));
	t->count++;
	return c;
}

void nlvs_conn_free(struct nlvs_conn_tab *t, struct nlvs_conn *c)
{
	uint32_t idx = conn_idx(t, c);
	struct conn_cold *k = &t->cold[idx];

	if (c->flags & NLVS_CONN_F_HASHED) {
		hash_side(t, c, 0, 0);
		if (!(c->flags & NLVS_CONN_F_TEMPLATE))
			hash_side(t, c, 1, 0);
	}
	nlvs_conn_tw_del(t, c);
	if (k->ctrl != NLVS_CONN_NONE)
		t->cold[k->ctrl].n_control--;
	c->flags = 0;
	k->ctrl = NLVS_CONN_NONE;
	k->tw_next = t->free_head;
	t->free_head = idx;
	t->count--;
}

void nlvs_conn_set_template(struct nlvs_conn_tab *t, struct nlvs_conn *c,
			    struct nlvs_conn *tmpl)
{
	struct conn_cold *k = &t->cold[conn_idx(t, c)];

	if (k->ctrl != NLVS_CONN_NONE)
		t->cold[k->ctrl].n_control--;
	k->ctrl = tmpl ? conn_idx(t, tmpl) : NLVS_CONN_NONE;
	if (tmpl) {
		t->cold[conn_idx(t, tmpl)].n_control++;
		c->flags |= NLVS_CONN_F_CONTROLLED;
	} else {
		c->flags &= ~NLVS_CONN_F_CONTROLLED;
	}
}

uint32_t nlvs_conn_n_control(const struct nlvs_conn_tab *t, const struct nlvs_conn *tmpl)
{
	return t->cold[conn_idx(t, tmpl)].n_control;
}

struct nlvs_conn *nlvs_conn_template(struct nlvs_conn_tab *t, const struct nlvs_conn *c)
{
	uint32_t ctrl = t->cold[conn_idx(t, c)].ctrl;

	return ctrl == NLVS_CONN_NONE ? NULL : &t->pool[ctrl];
}

struct nlvs_conn *nlvs_conn_next(struct nlvs_conn_tab *t, uint32_t *cursor)
{
	while (*cursor < t->capacity) {
		struct nlvs_conn *c = &t->pool[(*cursor)++];

		if (c->flags & (NLVS_CONN_F_HASHED | NLVS_CONN_F_ONE_PACKET))
			return c;
	}
	return NULL;
}
