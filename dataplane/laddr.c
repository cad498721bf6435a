// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-worker local-address port allocator: a ring of free ports per address
 * (FIFO, so recently freed ports rest longest) and an in-use bitmap that
 * catches double frees and frees of ports we never handed out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "nlvs_drop.h"
#include "nlvs_laddr.h"

struct laddr_slice {
	union nlvs_addr addr;
	uint32_t head, count;		/* ring of free ports (host order) */
	uint16_t *ring;
	uint64_t used[65536 / 64];
};

struct nlvs_laddr_ports {
	int af;
	unsigned int n, next, worker, nworkers;
	uint32_t size;			/* ports in each slice */
	struct laddr_slice *s;
};

static int addr_eq(int af, const union nlvs_addr *a, const union nlvs_addr *b)
{
	return af == AF_INET ? a->ip == b->ip : !memcmp(a, b, sizeof(*a));
}

struct nlvs_laddr_ports *nlvs_laddr_ports_create(int af, const union nlvs_addr *addrs,
						 unsigned int n, unsigned int worker,
						 unsigned int nworkers, uint16_t port_min,
						 uint16_t port_max)
{
	struct nlvs_laddr_ports *lp;
	uint32_t p, size = 0;
	unsigned int i;

	if (!n || !nworkers || worker >= nworkers || port_min > port_max ||
	    (af != AF_INET && af != AF_INET6))
		return NULL;
	for (p = port_min; p <= port_max; p++)
		size += nlvs_laddr_port_owner((uint16_t)p, nworkers) == worker;
	lp = calloc(1, sizeof(*lp));
	if (!lp)
		return NULL;
	lp->s = calloc(n, sizeof(*lp->s));
	if (!lp->s)
		goto fail;
	lp->af = af;
	lp->n = n;
	lp->worker = worker;
	lp->nworkers = nworkers;
	lp->size = size;
	for (i = 0; i < n; i++) {
		struct laddr_slice *s = &lp->s[i];

		s->addr = addrs[i];
		if (af == AF_INET)
			memset(s->addr.b + 4, 0, 12);
		s->ring = malloc((size ? size : 1) * sizeof(*s->ring));
		if (!s->ring)
			goto fail;
		/* start from a different place on each address so that two
		 * addresses do not hand out the same port sequence */
		for (p = port_min; p <= port_max; p++)
			if (nlvs_laddr_port_owner((uint16_t)p, nworkers) == worker)
				s->ring[s->count++] = (uint16_t)p;
		s->head = size ? (i * 7919u) % size : 0;
	}
	return lp;
fail:
	nlvs_laddr_ports_destroy(lp);
	return NULL;
}

void nlvs_laddr_ports_destroy(struct nlvs_laddr_ports *lp)
{
	unsigned int i;

	if (!lp)
		return;
	for (i = 0; lp->s && i < lp->n; i++)
		free(lp->s[i].ring);
	free(lp->s);
	free(lp);
}

int nlvs_laddr_port_alloc(struct nlvs_laddr_ports *lp, union nlvs_addr *addr,
			  uint16_t *port)
{
	unsigned int k;

	for (k = 0; k < lp->n; k++) {
		struct laddr_slice *s = &lp->s[lp->next];
		uint16_t p;

		lp->next = lp->next + 1 == lp->n ? 0 : lp->next + 1;
		if (!s->count)
			continue;
		p = s->ring[s->head];
		s->head = s->head + 1 == lp->size ? 0 : s->head + 1;
		s->count--;
		s->used[p / 64] |= 1ull << (p % 64);
		*addr = s->addr;
		*port = htons(p);
		return 0;
	}
	return NLVS_DROP_NO_LADDR_PORT;
}

static struct laddr_slice *slice_find(const struct nlvs_laddr_ports *lp,
				      const union nlvs_addr *addr)
{
	unsigned int i;

	for (i = 0; i < lp->n; i++)
		if (addr_eq(lp->af, &lp->s[i].addr, addr))
			return &lp->s[i];
	return NULL;
}

int nlvs_laddr_port_free(struct nlvs_laddr_ports *lp, const union nlvs_addr *addr,
			 uint16_t port)
{
	struct laddr_slice *s = slice_find(lp, addr);
	uint16_t p = ntohs(port);
	uint32_t tail;

	if (!s || !(s->used[p / 64] & (1ull << (p % 64))))
		return -EINVAL;
	s->used[p / 64] &= ~(1ull << (p % 64));
	tail = s->head + s->count;
	if (tail >= lp->size)
		tail -= lp->size;
	s->ring[tail] = p;
	s->count++;
	return 0;
}

uint32_t nlvs_laddr_ports_avail(const struct nlvs_laddr_ports *lp)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < lp->n; i++)
		sum += lp->s[i].count;
	return sum;
}

int nlvs_laddr_owner(const struct nlvs_laddr_ports *lp, const union nlvs_addr *addr,
		     uint16_t port)
{
	if (!slice_find(lp, addr))
		return -1;
	return (int)nlvs_laddr_port_owner(ntohs(port), lp->nworkers);
}
