/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pure arithmetic of the FULLNAT engine: no DPDK, no global state, so unit
 * tests (tests/unit/test_lb.c) run it without EAL.  lb_cfg.c, lb_worker.c
 * and lb_fnat.c call these; nothing here is on a path that may not inline.
 */
#ifndef NLVS_LB_CALC_H
#define NLVS_LB_CALC_H

#include <stdint.h>

#include "ctl/nlvs_ctl.h"

/*
 * Service hash (and the classic-NAT dests' hash): open addressing, linear
 * probing, entry = slot + 1, 0 empty.  It is paged so that a table built
 * from another (lb_cfg.c) shares its pages and copies only those a change
 * writes (LB_HPAGE entries, 4 KiB), never the whole hash.
 */
#define LB_HASH_MIN	16u
#define LB_HPAGE_SHIFT	10
#define LB_HPAGE	(1u << LB_HPAGE_SHIFT)

struct lb_hash {
	uint32_t mask;		/* entries - 1, a power of two minus one */
	uint32_t *pg0;		/* pg[0], read without the array: a hash of one
				 * page (up to 512 services) costs a lookup no
				 * more loads than a flat array */
	uint32_t **pg;		/* lb_hash_npages() pages; NULL: no hash */
};

/** Pages of a hash of @mask + 1 entries (each min(mask + 1, LB_HPAGE) long). */
static inline uint32_t lb_hash_npages(uint32_t mask)
{
	return (mask >> LB_HPAGE_SHIFT) + 1;
}

static inline uint32_t lb_hash_at(const struct lb_hash *h, uint32_t i)
{
	if (i < LB_HPAGE)
		return h->pg0[i];
	return h->pg[i >> LB_HPAGE_SHIFT][i & (LB_HPAGE - 1)];
}

/** Hash of a service key.  IPv4 addresses must have a zero tail: only the
 *  first word is read for AF_INET. */
uint32_t lb_svc_hash(int af, uint8_t proto, const union nlvs_addr *a, uint16_t port);
/** Table size (power of two) for @n services: at most half full. */
uint32_t lb_hash_size(uint32_t n);
/** An empty hash of @size entries (a power of two); 0 or -ENOMEM. */
int lb_hash_init(struct lb_hash *h, uint32_t size);
/** Free what @h does not share with @keep (NULL: everything); @h is empty after. */
void lb_hash_free(struct lb_hash *h, const struct lb_hash *keep);
/** How many pages @h shares with @base (for the tests). */
uint32_t lb_hash_shared(const struct lb_hash *h, const struct lb_hash *base);
/*
 * Writers: @h was copied from @base (or @base is NULL: @h owns everything);
 * a page still shared with @base, and the page array, are copied before the
 * first write, so @base never changes.
 */
/** Put @slot in @h under hash @hv (it has a free entry).  0 or -ENOMEM. */
int lb_hash_add(struct lb_hash *h, const struct lb_hash *base, uint32_t hv, uint32_t slot);
/** Take @slot, filed under hash @hv, out of @h; the entries after it in its
 *  probe run move back where their own hash (@home) lets them, so no lookup
 *  ever stops at the hole.  1 when taken out, 0 when @slot is not there,
 *  -ENOMEM (then @h is half done: the table being built is dropped). */
int lb_hash_del(struct lb_hash *h, const struct lb_hash *base, uint32_t hv, uint32_t slot,
		uint32_t (*home)(uint32_t slot, const void *arg), const void *arg);

/*
 * Find the slot under hash @hv for which @eq says yes, or -1.  Inline so that
 * the compiler sees through @eq when the caller passes a static function.
 */
static inline int64_t lb_hash_find(const struct lb_hash *h, uint32_t hv,
				   int (*eq)(uint32_t slot, const void *key), const void *key)
{
	uint32_t i, e;

	for (i = hv & h->mask;; i = (i + 1) & h->mask) {
		e = lb_hash_at(h, i);
		if (!e)
			return -1;
		if (eq(e - 1, key))
			return e - 1;
	}
}

/** A persistence netmask as IPVS carries it (IPv4: a mask, IPv6: a prefix
 *  length) as a prefix length. */
uint8_t lb_svc_plen(int af, uint32_t netmask);

/** Each of @nworkers workers enforces its share of a dest's thresholds:
 *  ceil(u / W) and max(1, l / W) (0 stays 0: no threshold). */
void lb_threshold_share(unsigned int nworkers, uint32_t u, uint32_t l, uint32_t *uw,
			uint32_t *lw);

/** ICMP errors whose connection may sit on any worker travel along a chain
 *  (w -> w + 1 mod N).  After @hops hand-offs from worker @id of @n: 1 with
 *  *@next set when the packet goes on, 0 when every worker has looked. */
int lb_chain_next(unsigned int id, unsigned int n, unsigned int hops, unsigned int *next);

#endif /* NLVS_LB_CALC_H */
