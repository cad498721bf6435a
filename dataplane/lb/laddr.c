// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Local-address ports.  A slice is one worker's ports of one address: a
 * ring of free ports (FIFO, so recently freed ports rest longest) and an
 * in-use bitmap that catches double frees and frees of ports we never
 * handed out.  The free count is the only field another thread reads: the
 * owner stores it last, with release order, so that once the control
 * thread sees a slice idle the owner has finished with it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "net/nlvs_drop.h"
#include "nlvs_laddr.h"

struct nlvs_laddr_slice {
	uint32_t size;			/* ports owned */
	uint32_t head;
	uint32_t count;			/* free; written by the owner only */
	uint16_t *ring;			/* free ports (host order) from head */
	uint64_t used[65536 / 64];
};


struct nlvs_laddr_slice *nlvs_laddr_slice_create(unsigned int worker, unsigned int nworkers,
						 uint16_t port_min, uint16_t port_max,
						 unsigned int seed)
{
	struct nlvs_laddr_slice *s;
	uint32_t p, size = 0;

	if (!nworkers || worker >= nworkers || port_min > port_max)
		return NULL;
	for (p = port_min; p <= port_max; p++)
		size += nlvs_laddr_port_owner((uint16_t)p, nworkers) == worker;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ring = malloc((size ? size : 1) * sizeof(*s->ring));
	if (!s->ring) {
		free(s);
		return NULL;
	}
	for (p = port_min; p <= port_max; p++)
		if (nlvs_laddr_port_owner((uint16_t)p, nworkers) == worker)
			s->ring[s->count++] = (uint16_t)p;
	s->size = size;
	s->head = size ? (uint32_t)((seed * 7919ull) % size) : 0;
	return s;
}

void nlvs_laddr_slice_destroy(struct nlvs_laddr_slice *s)
{
	if (!s)
		return;
	free(s->ring);
	free(s);
}

int nlvs_laddr_slice_alloc(struct nlvs_laddr_slice *s, uint16_t *port)
{
	uint16_t p;

	if (!s->count)
		return NLVS_DROP_NO_LADDR_PORT;
	p = s->ring[s->head];
	s->head = s->head + 1 == s->size ? 0 : s->head + 1;
	s->used[p / 64] |= 1ull << (p % 64);
	__atomic_store_n(&s->count, s->count - 1, __ATOMIC_RELAXED);
	*port = htons(p);
	return 0;
}

int nlvs_laddr_slice_free(struct nlvs_laddr_slice *s, uint16_t port)
{
	uint16_t p = ntohs(port);
	uint32_t tail;

	if (!(s->used[p / 64] & (1ull << (p % 64))))
		return -EINVAL;
	s->used[p / 64] &= ~(1ull << (p % 64));
	tail = s->head + s->count;
	if (tail >= s->size)
		tail -= s->size;
	s->ring[tail] = p;
	/* last: the control thread may free an idle slice after a grace period */
	__atomic_store_n(&s->count, s->count + 1, __ATOMIC_RELEASE);
	return 0;
}

uint32_t nlvs_laddr_slice_avail(const struct nlvs_laddr_slice *s)
{
	return __atomic_load_n(&s->count, __ATOMIC_RELAXED);
}

uint32_t nlvs_laddr_slice_size(const struct nlvs_laddr_slice *s)
{
	return s->size;
}

int nlvs_laddr_slice_idle(const struct nlvs_laddr_slice *s)
{
	return __atomic_load_n(&s->count, __ATOMIC_ACQUIRE) == s->size;
}

int nlvs_laddr_pool_alloc(struct nlvs_laddr_slice *const *slices, const uint16_t *ids,
			  unsigned int n, uint32_t *rr, unsigned int *which, uint16_t *port)
{
	unsigned int k, i = *rr < n ? *rr : 0;

	for (k = 0; k < n; k++) {
		struct nlvs_laddr_slice *s = slices[ids[i]];
		unsigned int at = i;

		i = i + 1 == n ? 0 : i + 1;
		if (s && nlvs_laddr_slice_alloc(s, port) == 0) {
			*rr = i;
			*which = at;
			return 0;
		}
	}
	*rr = i;
	return NLVS_DROP_NO_LADDR_PORT;
}

/* --- the id registry --- */

void nlvs_laddr_ids_init(struct nlvs_laddr_ids *t, unsigned int max)
{
	memset(t, 0, sizeof(*t));
	t->max = max && max < NLVS_LADDR_IDS_MAX ? max : NLVS_LADDR_IDS_MAX;
}

int nlvs_laddr_ids_find(const struct nlvs_laddr_ids *t, int af, const union nlvs_addr *addr)
{
	unsigned int i;

	for (i = 0; i < t->max; i++)
		if (t->e[i].state != NLVS_LADDR_ID_FREE && t->e[i].af == af &&
		    nlvs_addr_equal(af, &t->e[i].addr, addr))
			return (int)i;
	return -ENOENT;
}

int nlvs_laddr_ids_plan(struct nlvs_laddr_ids *t, int af, const union nlvs_addr *addr)
{
	int id = nlvs_laddr_ids_find(t, af, addr);
	unsigned int i;

	if (id >= 0) {
		t->e[id].planned = 1;
		return id;
	}
	for (i = 0; i < t->max; i++) {
		struct nlvs_laddr_id *e = &t->e[i];

		if (e->state != NLVS_LADDR_ID_FREE)
			continue;
		memset(e, 0, sizeof(*e));
		e->state = NLVS_LADDR_ID_NEW;
		e->af = (uint8_t)af;
		e->addr = *addr;
		nlvs_addr_normalize(af, &e->addr);
		e->planned = 1;
		return (int)i;
	}
	return -ENOSPC;
}

unsigned int nlvs_laddr_ids_commit(struct nlvs_laddr_ids *t)
{
	unsigned int i, retired = 0;

	for (i = 0; i < t->max; i++) {
		struct nlvs_laddr_id *e = &t->e[i];

		if (e->state == NLVS_LADDR_ID_FREE)
			continue;
		if (e->planned) {
			e->state = NLVS_LADDR_ID_ACTIVE;
		} else if (e->state == NLVS_LADDR_ID_ACTIVE) {
			e->state = NLVS_LADDR_ID_RETIRING;
			retired++;
		}
		e->planned = 0;
	}
	return retired;
}

void nlvs_laddr_ids_abort(struct nlvs_laddr_ids *t)
{
	unsigned int i;

	for (i = 0; i < t->max; i++) {
		if (t->e[i].state == NLVS_LADDR_ID_NEW)
			t->e[i].state = NLVS_LADDR_ID_FREE;
		t->e[i].planned = 0;
	}
}

void nlvs_laddr_ids_release(struct nlvs_laddr_ids *t, unsigned int id)
{
	if (id < t->max && t->e[id].state == NLVS_LADDR_ID_RETIRING)
		memset(&t->e[id], 0, sizeof(t->e[id]));
}

/* --- several addresses at once --- */

struct nlvs_laddr_ports {
	int af;
	unsigned int n, nworkers;
	uint32_t next;
	union nlvs_addr *addrs;
	uint16_t *ids;			/* 0..n-1, for nlvs_laddr_pool_alloc */
	struct nlvs_laddr_slice **s;
};

struct nlvs_laddr_ports *nlvs_laddr_ports_create(int af, const union nlvs_addr *addrs,
						 unsigned int n, unsigned int worker,
						 unsigned int nworkers, uint16_t port_min,
						 uint16_t port_max)
{
	struct nlvs_laddr_ports *lp;
	unsigned int i;

	if (!n || n > 65536 || !nworkers || worker >= nworkers || port_min > port_max ||
	    (af != AF_INET && af != AF_INET6))
		return NULL;
	lp = calloc(1, sizeof(*lp));
	if (!lp)
		return NULL;
	lp->af = af;
	lp->nworkers = nworkers;
	lp->addrs = calloc(n, sizeof(*lp->addrs));
	lp->ids = calloc(n, sizeof(*lp->ids));
	lp->s = calloc(n, sizeof(*lp->s));
	if (!lp->addrs || !lp->ids || !lp->s)
		goto fail;
	lp->n = n;
	for (i = 0; i < n; i++) {
		lp->addrs[i] = addrs[i];
		nlvs_addr_normalize(af, &lp->addrs[i]);
		lp->ids[i] = (uint16_t)i;
		lp->s[i] = nlvs_laddr_slice_create(worker, nworkers, port_min, port_max, i);
		if (!lp->s[i])
			goto fail;
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
		nlvs_laddr_slice_destroy(lp->s[i]);
	free(lp->s);
	free(lp->ids);
	free(lp->addrs);
	free(lp);
}

int nlvs_laddr_port_alloc(struct nlvs_laddr_ports *lp, union nlvs_addr *addr,
			  uint16_t *port)
{
	unsigned int which;
	int rc = nlvs_laddr_pool_alloc(lp->s, lp->ids, lp->n, &lp->next, &which, port);

	if (rc == 0)
		*addr = lp->addrs[which];
	return rc;
}

static int slice_find(const struct nlvs_laddr_ports *lp, const union nlvs_addr *addr)
{
	unsigned int i;

	for (i = 0; i < lp->n; i++)
		if (nlvs_addr_equal(lp->af, &lp->addrs[i], addr))
			return (int)i;
	return -1;
}

int nlvs_laddr_port_free(struct nlvs_laddr_ports *lp, const union nlvs_addr *addr,
			 uint16_t port)
{
	int i = slice_find(lp, addr);

	return i < 0 ? -EINVAL : nlvs_laddr_slice_free(lp->s[i], port);
}

uint32_t nlvs_laddr_ports_avail(const struct nlvs_laddr_ports *lp)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < lp->n; i++)
		sum += nlvs_laddr_slice_avail(lp->s[i]);
	return sum;
}

uint32_t nlvs_laddr_ports_size(const struct nlvs_laddr_ports *lp)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < lp->n; i++)
		sum += nlvs_laddr_slice_size(lp->s[i]);
	return sum;
}

int nlvs_laddr_owner(const struct nlvs_laddr_ports *lp, const union nlvs_addr *addr,
		     uint16_t port)
{
	if (slice_find(lp, addr) < 0)
		return -1;
	return (int)nlvs_laddr_port_owner(ntohs(port), lp->nworkers);
}
