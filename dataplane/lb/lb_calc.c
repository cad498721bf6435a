// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pure helpers of the FULLNAT engine (see lb_calc.h): kept apart from the
 * DPDK code so the unit tests exercise exactly what the workers run.
 */
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

void lb_hash_add(uint32_t *tab, uint32_t mask, uint32_t h, uint32_t slot)
{
	uint32_t i = h & mask;

	while (tab[i])
		i = (i + 1) & mask;
	tab[i] = slot + 1;
}

int lb_hash_del(uint32_t *tab, uint32_t mask, uint32_t h, uint32_t slot,
		uint32_t (*home)(uint32_t slot, const void *arg), const void *arg)
{
	uint32_t i = h & mask, j, k;

	while (tab[i] != slot + 1) {
		if (!tab[i])
			return -1;
		i = (i + 1) & mask;
	}
	/* i is the hole; an entry further on may fill it unless its home lies
	 * cyclically in (i, j], where a lookup reaches it without passing i */
	for (j = (i + 1) & mask; tab[j]; j = (j + 1) & mask) {
		k = home(tab[j] - 1, arg) & mask;
		if (((j - k) & mask) < ((j - i) & mask))
			continue;
		tab[i] = tab[j];
		i = j;
	}
	tab[i] = 0;
	return 0;
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
