// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pure helpers of the FULLNAT engine (see lb_calc.h): kept apart from the
 * DPDK code so the unit tests exercise exactly what the workers run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lb_calc.h"

uint32_t lb_svc_hash(int af, uint8_t proto, const union nlvs_addr *a, uint16_t port)
{
	uint64_t h = (uint64_t)af << 40 ^ (uint64_t)proto << 32 ^ port;
	unsigned int i, n = af == AF_INET ? 1 : 4;

	for (i = 0; i < n; i++) {
		h ^= a->ip6[i];
		h *= 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ h >> 32);
}

uint32_t lb_hash_size(uint32_t n)
{
	uint32_t size = LB_HASH_MIN;

	while (size < 2 * (uint64_t)n)
		size <<= 1;
	return size;
}

static uint32_t page_len(uint32_t mask)
{
	return mask < LB_HPAGE ? mask + 1 : LB_HPAGE;
}

int lb_hash_init(struct lb_hash *h, uint32_t size)
{
	uint32_t n = lb_hash_npages(size - 1), p;

	h->mask = size - 1;
	h->pg = calloc(n, sizeof(*h->pg));
	if (!h->pg)
		return -ENOMEM;
	for (p = 0; p < n; p++) {
		h->pg[p] = calloc(page_len(h->mask), sizeof(**h->pg));
		if (!h->pg[p]) {
			lb_hash_free(h, NULL);
			return -ENOMEM;
		}
	}
	h->pg0 = h->pg[0];
	return 0;
}

/* Is page @p of @h also @base's? */
static int page_shared(const struct lb_hash *h, const struct lb_hash *base, uint32_t p)
{
	return base && base->pg && base->mask == h->mask && base->pg[p] == h->pg[p];
}

void lb_hash_free(struct lb_hash *h, const struct lb_hash *keep)
{
	uint32_t p;

	if (!h->pg)
		return;
	if (!keep || h->pg != keep->pg) {
		for (p = 0; p < lb_hash_npages(h->mask); p++)
			if (!page_shared(h, keep, p))
				free(h->pg[p]);
		free(h->pg);
	}
	h->pg = NULL;
	h->pg0 = NULL;
	h->mask = 0;
}

uint32_t lb_hash_shared(const struct lb_hash *h, const struct lb_hash *base)
{
	uint32_t p, n = 0;

	if (!h->pg)
		return 0;
	for (p = 0; p < lb_hash_npages(h->mask); p++)
		n += (uint32_t)page_shared(h, base, p);
	return n;
}

/* Entry @i of @h, to be written: its page (and the page array) copied
 * first if @base has them; NULL when out of memory. */
static uint32_t *entry_w(struct lb_hash *h, const struct lb_hash *base, uint32_t i)
{
	uint32_t p = i >> LB_HPAGE_SHIFT, n = lb_hash_npages(h->mask);

	if (base && h->pg == base->pg) {
		uint32_t **pg = malloc(n * sizeof(*pg));

		if (!pg)
			return NULL;
		memcpy(pg, h->pg, n * sizeof(*pg));
		h->pg = pg;
	}
	if (page_shared(h, base, p)) {
		uint32_t *v = malloc(page_len(h->mask) * sizeof(*v));

		if (!v)
			return NULL;
		memcpy(v, h->pg[p], page_len(h->mask) * sizeof(*v));
		h->pg[p] = v;
		if (!p)
			h->pg0 = v;
	}
	return &h->pg[p][i & (LB_HPAGE - 1)];
}

int lb_hash_add(struct lb_hash *h, const struct lb_hash *base, uint32_t hv, uint32_t slot)
{
	uint32_t i = hv & h->mask, *e;

	while (lb_hash_at(h, i))
		i = (i + 1) & h->mask;
	e = entry_w(h, base, i);
	if (!e)
		return -ENOMEM;
	*e = slot + 1;
	return 0;
}

int lb_hash_del(struct lb_hash *h, const struct lb_hash *base, uint32_t hv, uint32_t slot,
		uint32_t (*home)(uint32_t slot, const void *arg), const void *arg)
{
	uint32_t mask = h->mask, i = hv & mask, j, k, v, *e;

	while ((v = lb_hash_at(h, i)) != slot + 1) {
		if (!v)
			return 0;
		i = (i + 1) & mask;
	}
	/* i is the hole; an entry further on may fill it unless its home lies
	 * cyclically in (i, j], where a lookup reaches it without passing i */
	for (j = (i + 1) & mask; (v = lb_hash_at(h, j)); j = (j + 1) & mask) {
		k = home(v - 1, arg) & mask;
		if (((j - k) & mask) < ((j - i) & mask))
			continue;
		e = entry_w(h, base, i);
		if (!e)
			return -ENOMEM;
		*e = v;
		i = j;
	}
	e = entry_w(h, base, i);
	if (!e)
		return -ENOMEM;
	*e = 0;
	return 1;
}

uint8_t lb_svc_plen(int af, uint32_t netmask)
{
	if (af == AF_INET)
		return (uint8_t)__builtin_popcount(netmask);
	return (uint8_t)(netmask > 128 ? 128 : netmask);
}

void lb_threshold_share(unsigned int nworkers, uint32_t u, uint32_t l, uint32_t *uw,
			uint32_t *lw)
{
	uint64_t n = nworkers ? nworkers : 1;

	*uw = u ? (uint32_t)((u + n - 1) / n) : 0;
	*lw = l ? (l / n ? (uint32_t)(l / n) : 1) : 0;
}

int lb_chain_next(unsigned int id, unsigned int n, unsigned int hops, unsigned int *next)
{
	if (n < 2 || hops + 1 >= n)
		return 0;
	*next = (id + 1) % n;
	return 1;
}
