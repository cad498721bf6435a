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

/* Service hash: open addressing, entry = service slot + 1, 0 empty. */
#define LB_HASH_MIN	16u

/** Hash of a service key.  IPv4 addresses must have a zero tail: only the
 *  first word is read for AF_INET. */
uint32_t lb_svc_hash(int af, uint8_t proto, const union nlvs_addr *a, uint16_t port);
/** Table size (power of two) for @n services: at most half full. */
uint32_t lb_hash_size(uint32_t n);
/** Put @slot in the table under hash @h (the table has a free entry). */
void lb_hash_add(uint32_t *tab, uint32_t mask, uint32_t h, uint32_t slot);
/** Take @slot, filed under hash @h, out of the table; the entries after it
 *  in its probe run move back where their own hash (@home) lets them, so
 *  no lookup ever stops at the hole.  0, or -1 when @slot is not there. */
int lb_hash_del(uint32_t *tab, uint32_t mask, uint32_t h, uint32_t slot,
		uint32_t (*home)(uint32_t slot, const void *arg), const void *arg);

/*
 * Find the slot under hash @h for which @eq says yes, or -1.  Inline so that
 * the compiler sees through @eq when the caller passes a static function.
 */
static inline int64_t lb_hash_find(const uint32_t *tab, uint32_t mask, uint32_t h,
				   int (*eq)(uint32_t slot, const void *key), const void *key)
{
	uint32_t i;

	for (i = h & mask;; i = (i + 1) & mask) {
		if (!tab[i])
			return -1;
		if (eq(tab[i] - 1, key))
			return tab[i] - 1;
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
