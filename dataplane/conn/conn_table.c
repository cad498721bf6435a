// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Connection pools and the two-tuple hash.  Buckets are one cache line of
 * seven (signature, entry) pairs; a full bucket chains to an overflow
 * bucket.  With a random per-table seed an adversary cannot aim at a chain
 * and chain lengths are Poisson: at the fullest (both pools full, about
 * 4.27 entries per main bucket) 7 % of the main buckets overflow, almost
 * never twice, so the overflow pool has one bucket for every eight main
 * ones (tests/unit/test_conn.c measures it across seeds).  Should it run
 * out anyway, the new connection is refused (conn-index-full) and the
 * table stays as it was.  Sizing the overflow for the worst case (every
 * entry in one chain) cost 18 bytes per connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "conn_priv.h"

static uint32_t pow2_at_least(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static uint32_t nb_main_for(uint32_t cap4, uint32_t cap6)
{
	/* two entries per connection: as many buckets as 15/32 of the
	 * connections, rounded up to a power of two, hold at most 4.27 each
	 * (the default 2^k IPv4 and 2^k / 16 IPv6 connections get the 2^(k-1)
	 * buckets that 2^k IPv4 ones alone had) */
	uint32_t n = (uint32_t)(((uint64_t)cap4 + cap6) * 15 / 32);

	return pow2_at_least(n ? n : 1);
}

static uint32_t nb_ovf_for(uint32_t nb_main)
{
	/* the few buckets of a tiny table overflow more often than not */
	return nb_main / 8 + 8;
}

static size_t pool_bytes(uint32_t cap4, uint32_t cap6)
{
	return (size_t)cap4 * sizeof(struct nlvs_conn) + (size_t)cap6 * sizeof(struct nlvs_conn6);
}

size_t nlvs_conn_tab_memsize(uint32_t capacity, uint32_t capacity6)
{
	uint32_t nb_main = nb_main_for(capacity, capacity6);

	return sizeof(struct nlvs_conn_tab) + pool_bytes(capacity, capacity6) +
	       ((size_t)capacity + capacity6) * sizeof(struct conn_cold) +
	       ((size_t)nb_main + nb_ovf_for(nb_main)) * sizeof(struct conn_bucket);
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

static size_t bkt_bytes(const struct nlvs_conn_tab *t)
{
	return ((size_t)t->nb_main + t->nb_ovf) * sizeof(struct conn_bucket);
}

/* Chain the entries at lines [from, to), @step lines each, into a free list. */
static uint32_t free_list(struct nlvs_conn_tab *t, uint32_t from, uint32_t to, uint32_t step)
{
	uint32_t i;

	for (i = from; i < to; i += step)
		conn_cold(t, i)->tw_next = i + step < to ? i + step : NLVS_CONN_NONE;
	return from < to ? from : NLVS_CONN_NONE;
}

struct nlvs_conn_tab *nlvs_conn_tab_create(uint32_t capacity, uint32_t capacity6,
					   uint64_t now_ms)
{
	uint32_t i, nov, ncold = capacity + capacity6, nlines = ncold + capacity6;
	struct nlvs_conn_tab *t;
	size_t nbkt;

	/* index entries hold a line and a side in 32 bits, wheel links a line
	 * under CONN_TW_FIRST */
	if (capacity == 0 || (uint64_t)capacity + 2ull * capacity6 > NLVS_CONN_LINES_MAX)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cap4 = capacity;
	t->cap6 = capacity6;
	t->nb_main = nb_main_for(capacity, capacity6);
	t->mask = t->nb_main - 1;
	nov = t->nb_ovf = nb_ovf_for(t->nb_main);
	nbkt = (size_t)t->nb_main + nov;
	/* mmap'd memory stays untouched (and unbacked) until used */
	t->huge = 1;
	t->pool = big_alloc(pool_bytes(capacity, capacity6), &t->huge);
	t->bkt = big_alloc(nbkt * sizeof(*t->bkt), &t->huge);
	t->cold = big_alloc((size_t)ncold * sizeof(*t->cold), &t->huge);
	if (!t->pool || !t->bkt || !t->cold)
		goto fail;
	memset(t->bkt, 0, t->nb_main * sizeof(*t->bkt));
	for (i = 0; i < nov; i++) {
		memset(&t->bkt[t->nb_main + i], 0, sizeof(*t->bkt));
		t->bkt[t->nb_main + i].next = i + 1 < nov ? t->nb_main + i + 2 : 0;
	}
	t->ovf_free = t->nb_main + 1;
	t->ovf_nfree = nov;
	t->free4 = free_list(t, 0, capacity, 1);
	t->free6 = free_list(t, capacity, nlines, 2);
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
	big_free(t->pool, pool_bytes(t->cap4, t->cap6));
	big_free(t->cold, ((size_t)t->cap4 + t->cap6) * sizeof(*t->cold));
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
	return t->cap4 + t->cap6;
}

/* 40-byte key as five words, multiply-xorshift mixing with a per-table
 * secret so remote hosts cannot aim at one bucket. */
static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ h >> 32;
}

/* (written out: the words stay in registers, no loop on the stack) */
static inline uint64_t words_hash(const struct nlvs_conn_tab *t, const uint64_t w[5])
{
	uint64_t h = mix(mix(mix(mix(mix(t->seed, w[0]), w[1]), w[2]), w[3]), w[4]);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h;
}

static inline uint64_t tuple_hash(const struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k)
{
	uint64_t w[5];

	memcpy(w, k, sizeof(w));
	return words_hash(t, w);
}

_Static_assert(sizeof(struct nlvs_conn_tuple) == 40 &&
	       offsetof(struct nlvs_conn_tuple, daddr) == 16 &&
	       offsetof(struct nlvs_conn_tuple, sport) == 32, "a key is five words");

/*
 * tuple_hash() of the key side @s of @c is found under (nlvs_conn_tuple()),
 * its words made in registers: the key written to memory field by field
 * and read back whole, as filing did, waited for the stores each time (a
 * store-forwarding stall per new or freed connection side).
 */
static inline uint64_t side_hash(const struct nlvs_conn_tab *t, const struct nlvs_conn *c,
				 unsigned int s)
{
	union {
		struct { uint16_t sport, dport; uint8_t af, proto, kind, pad; } f;
		uint64_t w;
	} last = { { c->side[s].sport, c->side[s].dport, (uint8_t)nlvs_conn_af(c), c->proto,
		     s == 0 && (c->flags & NLVS_CONN_F_TEMPLATE), 0 } };
	uint64_t w[5];

	if (c->flags & NLVS_CONN_F_INET6) {
		memcpy(w, &nlvs_conn6_of(c)->addr6[s].saddr, 16);
		memcpy(w + 2, &nlvs_conn6_of(c)->addr6[s].daddr, 16);
	} else {
		union { uint32_t a[2]; uint64_t w; } sa = { { c->side[s].saddr4, 0 } },
						     da = { { c->side[s].daddr4, 0 } };

		w[0] = sa.w;
		w[1] = 0;
		w[2] = da.w;
		w[3] = 0;
	}
	w[4] = last.w;
	return words_hash(t, w);
}

/* Is tuple @s of @c the key @k?  For IPv4 only its line is read. */
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
	return !memcmp(&nlvs_conn6_of(c)->addr6[s].saddr, &k->saddr, sizeof(k->saddr)) &&
	       !memcmp(&nlvs_conn6_of(c)->addr6[s].daddr, &k->daddr, sizeof(k->daddr));
}

/* File @ent under @k.  An overflow bucket is taken only beyond those
 * reserved for pending tuples, unless the entry is one of them (@reserved). */
static int hash_add(struct nlvs_conn_tab *t, uint64_t h, uint32_t ent, int reserved)
{
	struct conn_bucket *b = &t->bkt[h & t->mask];

	while (b->count == CONN_BKT_ENTRIES) {
		if (!b->next) {
			uint32_t nb = t->ovf_free;

			if (!nb || (!reserved && t->ovf_nfree <= t->npend))
				return -ENOSPC;	/* nothing changed */
			t->ovf_free = t->bkt[nb - 1].next;
			t->ovf_nfree--;
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
static void hash_del(struct nlvs_conn_tab *t, uint64_t h, uint32_t ent)
{
	struct conn_bucket *head = &t->bkt[h & t->mask];
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
		t->ovf_nfree++;
	}
}

_Static_assert(offsetof(struct conn_bucket, next) == 4 * CONN_BKT_ENTRIES &&
	       CONN_BKT_ENTRIES < 8, "the signatures and the link are eight lanes");

/*
 * The entries of bucket @b whose signature is @sig, bit i for entry i.  The
 * signatures and the link are compared as eight lanes at once, the link and
 * the lanes past the fill count masked off: a hit then costs one pass over
 * its (almost always single) candidate, not a loop over the bucket whose
 * exit the branch predictor cannot guess (the matching slot is random).
 */
static inline unsigned int bucket_match(const struct conn_bucket *b, uint32_t sig)
{
#if defined(__SSE2__)
	const __m128i *v = (const __m128i *)b->sig;
	__m128i s = _mm_set1_epi32((int)sig);
	unsigned int m = (unsigned int)_mm_movemask_ps(_mm_castsi128_ps(
				_mm_cmpeq_epi32(_mm_load_si128(v), s))) |
			 (unsigned int)_mm_movemask_ps(_mm_castsi128_ps(
				_mm_cmpeq_epi32(_mm_load_si128(v + 1), s))) << 4;

	return m & ((1u << b->count) - 1);
#else
	unsigned int i, m = 0;

	for (i = 0; i < b->count; i++)
		m |= (unsigned int)(b->sig[i] == sig) << i;
	return m;
#endif
}

static inline struct nlvs_conn *bucket_find(struct nlvs_conn_tab *t,
					    const struct conn_bucket *b, uint32_t sig,
					    const struct nlvs_conn_tuple *k, unsigned int *side)
{
	for (;;) {
		unsigned int m;

		for (m = bucket_match(b, sig); m; m &= m - 1) {
			uint32_t ent = b->ent[__builtin_ctz(m)];
			struct nlvs_conn *c = conn_at(t, ent >> 1);

			if (tuple_is(c, ent & 1, k)) {
				*side = ent & 1;
				return c;
			}
		}
		if (!b->next)
			return NULL;
		b = &t->bkt[b->next - 1];
	}
}

static void file_pending(struct nlvs_conn_tab *t);

struct nlvs_conn *nlvs_conn_lookup_nopend(struct nlvs_conn_tab *t,
					  const struct nlvs_conn_tuple *k, unsigned int *side)
{
	uint64_t h = tuple_hash(t, k);

	return bucket_find(t, &t->bkt[h & t->mask], (uint32_t)(h >> 32), k, side);
}

struct nlvs_conn *nlvs_conn_lookup(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k,
				   unsigned int *side)
{
	if (t->npend)	/* @k may be one of them */
		file_pending(t);
	return nlvs_conn_lookup_nopend(t, k, side);
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

/* Pull in the connections whose signature matches in bucket @b: the line
 * of an IPv4 one (everything a hit reads and writes), both of an IPv6 one. */
static inline void entries_prefetch(const struct nlvs_conn_tab *t, const struct conn_bucket *b,
				    uint32_t sig, int af)
{
	unsigned int m;

	for (m = bucket_match(b, sig); m; m &= m - 1) {
		const struct nlvs_conn *c = conn_at(t, b->ent[__builtin_ctz(m)] >> 1);

		conn_prefetch(c);
		if (af != AF_INET)
			conn_prefetch(nlvs_conn6_of(c)->addr6);
	}
}

unsigned int nlvs_conn_lookup_bulk(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *keys,
				   unsigned int n, struct nlvs_conn **conns, uint8_t *sides)
{
	uint64_t h[NLVS_CONN_BULK_MAX];
	unsigned int i, hits = 0;

	if (n > NLVS_CONN_BULK_MAX)
		n = NLVS_CONN_BULK_MAX;
	if (t->npend)
		file_pending(t);
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

void nlvs_conn_prefetch_insert(const struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k)
{
	__builtin_prefetch(&t->bkt[tuple_hash(t, k) & t->mask], 1);
}

/* Side @s of a new connection from key @k (the family is already set). */
static void tuple_store(struct nlvs_conn *c, unsigned int s, const struct nlvs_conn_tuple *k)
{
	c->side[s].sport = k->sport;
	c->side[s].dport = k->dport;
	if (c->flags & NLVS_CONN_F_INET6) {
		struct nlvs_conn6 *c6 = (struct nlvs_conn6 *)c;

		c6->addr6[s].saddr = k->saddr;
		c6->addr6[s].daddr = k->daddr;
	} else {
		c->side[s].saddr4 = k->saddr.ip;
		c->side[s].daddr4 = k->daddr.ip;
	}
}

/* File (@add: 1, or 2 for a pending tuple) or remove side @s under its
 * tuple as stored (an IPv4 tuple's first 4 address bytes):
 * nlvs_conn_free() finds what new filed. */
static int hash_side(struct nlvs_conn_tab *t, struct nlvs_conn *c, unsigned int s, int add)
{
	uint64_t h = side_hash(t, c, s);

	if (add)
		return hash_add(t, h, conn_line(t, c) << 1 | s, add == 2);
	hash_del(t, h, conn_line(t, c) << 1 | s);
	return 0;
}

/* File the pending tuples.  It cannot fail: each needs at most one new
 * overflow bucket and one stayed free for each (hash_add). */
static void file_pending(struct nlvs_conn_tab *t)
{
	uint32_t i;

	for (i = 0; i < t->npend; i++)
		(void)hash_side(t, conn_at(t, t->pend[i]), 1, 2);
	t->npend = 0;
}

static inline uint32_t *free_head(struct nlvs_conn_tab *t, uint32_t line)
{
	return line < t->cap4 ? &t->free4 : &t->free6;
}

struct nlvs_conn *nlvs_conn_new(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *t0,
				const struct nlvs_conn_tuple *t1, uint32_t flags,
				uint32_t timeout_ms, uint64_t now_ms, unsigned int *reason)
{
	uint32_t *head = t0->af == AF_INET6 ? &t->free6 : &t->free4, line = *head;
	struct nlvs_conn *c;

	if (line == NLVS_CONN_NONE) {
		*reason = NLVS_DROP_CONN_TABLE_FULL;
		return NULL;
	}
	c = conn_at(t, line);
	memset(c, 0, t0->af == AF_INET6 ? sizeof(struct nlvs_conn6) : sizeof(*c));
	c->flags = (flags & ~(NLVS_CONN_F_HASHED | NLVS_CONN_F_CONTROLLED | NLVS_CONN_F_INET6 |
			      NLVS_CONN_F_FILE_LATER)) |
		   (t0->af == AF_INET6 ? NLVS_CONN_F_INET6 : 0);
	c->proto = t0->proto;
	tuple_store(c, 0, t0);
	if (t1)
		tuple_store(c, 1, t1);
	if (timeout_ms > NLVS_CONN_TIMEOUT_MAX)
		timeout_ms = NLVS_CONN_TIMEOUT_MAX;
	c->timeout = timeout_ms;
	c->expires = (uint32_t)(now_ms + timeout_ms);
	if (!(flags & NLVS_CONN_F_ONE_PACKET)) {
		if (hash_side(t, c, 0, 1) < 0)
			goto index_full;
		if (!t1 || (flags & NLVS_CONN_F_TEMPLATE)) {
			/* one tuple */
		} else if ((flags & NLVS_CONN_F_FILE_LATER) && t->defer &&
			   t->npend < NLVS_CONN_PEND_MAX &&
			   t->ovf_nfree > t->npend) {
			t->pend[t->npend++] = line;	/* a bucket stays for it */
		} else if (hash_side(t, c, 1, 1) < 0) {
			hash_side(t, c, 0, 0);
			goto index_full;
		}
		c->flags |= NLVS_CONN_F_HASHED;
	}
	*head = conn_cold(t, line)->tw_next;
	conn_cold(t, line)->ctrl = NLVS_CONN_NONE;
	conn_cold(t, line)->tw_next = conn_cold(t, line)->tw_prev = NLVS_CONN_NONE;
	nlvs_conn_tw_add(t, c, conn_tw_tick(now_ms + timeout_ms));
	t->count++;
	/* the next new connection's entry and free-list link: once
	 * connections expire, the free list is in no particular order */
	if (*head != NLVS_CONN_NONE) {
		__builtin_prefetch(conn_at(t, *head), 1);
		__builtin_prefetch(conn_cold(t, *head), 1);
	}
	return c;
index_full:
	c->flags = 0;		/* still free: not listed */
	*reason = NLVS_DROP_CONN_INDEX_FULL;
	return NULL;
}

void nlvs_conn_defer_begin(struct nlvs_conn_tab *t)
{
	t->defer = 1;
}

void nlvs_conn_defer_end(struct nlvs_conn_tab *t)
{
	file_pending(t);
	t->defer = 0;
}

void nlvs_conn_free(struct nlvs_conn_tab *t, struct nlvs_conn *c)
{
	uint32_t line = conn_line(t, c);
	struct conn_cold *k = conn_cold(t, line);

	if (t->npend)	/* it may be one of them */
		file_pending(t);
	if (c->flags & NLVS_CONN_F_HASHED) {
		hash_side(t, c, 0, 0);
		if (!(c->flags & NLVS_CONN_F_TEMPLATE))
			hash_side(t, c, 1, 0);
	}
	nlvs_conn_tw_del(t, c);
	if (k->ctrl != NLVS_CONN_NONE)
		conn_n_control(conn_at(t, k->ctrl))--;
	c->flags = 0;
	k->ctrl = NLVS_CONN_NONE;
	k->tw_next = *free_head(t, line);
	*free_head(t, line) = line;
	t->count--;
}

void nlvs_conn_set_template(struct nlvs_conn_tab *t, struct nlvs_conn *c,
			    struct nlvs_conn *tmpl)
{
	struct conn_cold *k = conn_cold(t, conn_line(t, c));

	if (k->ctrl != NLVS_CONN_NONE)
		conn_n_control(conn_at(t, k->ctrl))--;
	k->ctrl = tmpl ? conn_line(t, tmpl) : NLVS_CONN_NONE;
	if (tmpl) {
		conn_n_control(tmpl)++;
		c->flags |= NLVS_CONN_F_CONTROLLED;
	} else {
		c->flags &= ~NLVS_CONN_F_CONTROLLED;
	}
}

uint32_t nlvs_conn_n_control(const struct nlvs_conn_tab *t, const struct nlvs_conn *tmpl)
{
	(void)t;
	return conn_n_control(tmpl);
}

struct nlvs_conn *nlvs_conn_template(struct nlvs_conn_tab *t, const struct nlvs_conn *c)
{
	uint32_t ctrl = conn_cold(t, conn_line(t, c))->ctrl;

	return ctrl == NLVS_CONN_NONE ? NULL : conn_at(t, ctrl);
}

struct nlvs_conn *nlvs_conn_next(struct nlvs_conn_tab *t, uint32_t *cursor)
{
	while (*cursor < t->cap4 + 2 * t->cap6) {
		struct nlvs_conn *c = conn_at(t, *cursor);

		*cursor += *cursor < t->cap4 ? 1 : 2;

		if (c->flags & (NLVS_CONN_F_HASHED | NLVS_CONN_F_ONE_PACKET))
			return c;
	}
	return NULL;
}
