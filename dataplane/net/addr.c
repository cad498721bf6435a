// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Own addresses: port addresses from the configuration and from the kernel
 * (the mirror of the twins' addresses, kmirror.c) plus VIPs, local and
 * egress addresses the L4 engines register.  The control thread keeps the
 * master list and an open-addressing hash built from it that the workers
 * read without locks.
 *
 * One address may be held by several origins at once (keepalived puts a
 * VIP on the twin that ipvsadm also made a service of; nlvsd.conf and the
 * kernel name the same port address): the list holds one entry per origin,
 * so each one adds and removes its own, and the published table holds the
 * address once, with the kind the engines need (VIP, local, egress) winning
 * over a plain port address.
 *
 * A change costs O(1), whatever the number of addresses (kernel IPVS
 * answers for a new VIP as soon as ipvsadm has its ACK): the list has a
 * hash index, and the control thread edits the published table in place.
 * Each slot's header (kind, port, flags) is one 64-bit word the workers
 * load once: an insert writes the address, then the header with a release
 * store; a delete leaves a tombstone that lookups probe past; a change of
 * the kind or of the kernel flag is one store of the word.  A slot's
 * address is never rewritten (a worker in the middle of a probe could pair
 * the old header with the new address): once the live entries and the
 * tombstones fill half the table, it is built anew from the list, twice as
 * big as the addresses held, and swapped under RCU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "nlvs_net.h"
#include "base/nlvs_log.h"

enum {
	ADDR_EMPTY,			/* never used: a probe stops here */
	ADDR_LIVE,
	ADDR_DEAD,			/* tombstone (af 0): probed past, never reused */
};

/* What a worker needs of a slot, in one word it loads at once. */
struct nlvs_addr_hdr {
	uint8_t state, af, kind;
	uint8_t origin;			/* enum nlvs_addr_origin */
	uint8_t plen;			/* prefix length (port addresses), for display */
	uint8_t kernel;			/* published table: the kernel holds it too */
	uint16_t port;			/* port index or NLVS_PORT_ANY */
};

struct nlvs_addr_ent {
	union {
		struct nlvs_addr_hdr h;
		uint64_t word;
	};
	union nlvs_addr addr;
};
_Static_assert(sizeof(struct nlvs_addr_hdr) == sizeof(uint64_t), "one word");

/* The source address of what we send out of each port (ICMP errors, ARP and
 * ND requests, tunnels), per family: the answer of a scan of the table
 * (src_scan), kept with the table and made again when a port address comes,
 * goes or changes, which is rare, so that a VIP change stays O(1) and a
 * worker never scans the table per packet. */
struct nlvs_addr_src {
	uint8_t ok[2][NLVS_MAX_PORTS];
	union nlvs_addr a[2][NLVS_MAX_PORTS];
};

struct nlvs_addr_table {
	uint32_t mask;
	struct nlvs_addr_src *src;	/* replaced under RCU (src_refresh) */
	struct nlvs_addr_ent e[];
};

/* The control thread's master list, one entry per address and origin, with
 * a hash index (chains through .next) to find an entry in O(1). */
struct addr_own {
	struct nlvs_addr_ent e;
	int next;
};
static struct addr_own *alist;
static unsigned int alist_n, alist_cap;
static int *aidx;			/* first entry of each chain, -1 */
static uint32_t aidx_mask;
/* slots of the published table not EMPTY (live or tombstones) */
static uint32_t tab_filled;
/* IPv6 entries of the list per bit of nlvs_dp.v6_sn */
static uint32_t sn_count[NLVS_V6_SN_BITS];

static inline size_t addr_len(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* rte_hash_crc() over the address, spelt out by size: a crc32 instruction
 * or two in the packet path rather than a call. */
static __rte_always_inline uint32_t addr_hash(int af, const union nlvs_addr *a)
{
	uint64_t w[2];

	if (af == AF_INET)
		return rte_hash_crc_4byte(a->ip, (uint32_t)af);
	memcpy(w, a, sizeof(w));
	return rte_hash_crc_8byte(w[1], rte_hash_crc_8byte(w[0], (uint32_t)af));
}

/* The header of @e as one load: what is read of the address after it was
 * written before it (release store, hdr_store). */
static inline struct nlvs_addr_hdr hdr_load(const struct nlvs_addr_ent *e)
{
	union {
		uint64_t w;
		struct nlvs_addr_hdr h;
	} u;

	u.w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
	return u.h;
}

static inline void hdr_store(struct nlvs_addr_ent *e, struct nlvs_addr_hdr h)
{
	union {
		uint64_t w;
		struct nlvs_addr_hdr h;
	} u = { .h = h };

	__atomic_store_n(&e->word, u.w, __ATOMIC_RELEASE);
}

/* Find @addr: its header in *@h and its slot, or NULL. */
static inline const struct nlvs_addr_ent *addr_find(const struct nlvs_addr_table *t, int af,
						    const void *addr, struct nlvs_addr_hdr *h)
{
	const struct nlvs_addr_ent *e;
	union nlvs_addr key;
	uint32_t i;

	/* @addr usually points into the packet, at any alignment: the hash
	 * reads an aligned copy.  Every packet comes here, so the copy and the
	 * compare have constant sizes: loads, not calls to memcpy/memcmp.  A
	 * tombstone's af is 0: it never matches. */
	if (af == AF_INET)
		memcpy(&key, addr, 4);
	else
		memcpy(&key, addr, 16);
	for (i = addr_hash(af, &key) & t->mask;; i = (i + 1) & t->mask) {
		e = &t->e[i];
		*h = hdr_load(e);
		if (h->state == ADDR_EMPTY)
			return NULL;
		if (h->af == af && nlvs_addr_equal(af, &e->addr, &key))
			return e;
	}
}

/* Kind of the own address @addr on port index @port, NLVS_ADDR_NONE if none. */
int nlvs_addr_lookup(const struct nlvs_addr_table *t, int af, const void *addr, uint16_t port)
{
	struct nlvs_addr_hdr h;

	if (!addr_find(t, af, addr, &h) ||
	    (h.port != NLVS_PORT_ANY && port != NLVS_PORT_ANY && h.port != port))
		return NLVS_ADDR_NONE;
	return h.kind;
}

/* Whether ARP/ND for @addr on port index @port is ours to answer: an own
 * address, but with "vip-neigh kernel" a VIP only while the kernel holds it
 * (keepalived's VRRP MASTER): the BACKUP node's dataplane must stay silent
 * for the VIP it also serves, as kernel IPVS does. */
int nlvs_addr_answers(const struct nlvs_addr_table *t, int af, const void *addr, uint16_t port)
{
	struct nlvs_addr_hdr h;

	if (!addr_find(t, af, addr, &h) ||
	    (h.port != NLVS_PORT_ANY && port != NLVS_PORT_ANY && h.port != port))
		return 0;
	return h.kind != NLVS_ADDR_VIP || !nlvs_dp.vip_neigh_kernel || h.kernel;
}

/* Whether the kernel holds @addr on a twin, whatever kind the dataplane
 * gives it (keepalived's virtual_ipaddress that is also a service VIP). */
int nlvs_addr_kernel_held(const struct nlvs_addr_table *t, int af, const void *addr)
{
	struct nlvs_addr_hdr h;

	return addr_find(t, af, addr, &h) && h.kernel;
}

/* How well a port address suits as the source of what we send out of
 * @port: one of that port first, then nlvsd.conf's over the kernel's (a
 * VRRP address comes and goes), then not IPv6 link-local (an ICMP error may
 * travel further than the link). */
static unsigned int source_rank(const struct nlvs_addr_hdr *h, const union nlvs_addr *a,
				uint16_t port)
{
	return (h->port == port ? 4u : 0u) + (h->origin == NLVS_ORIGIN_CONFIG ? 2u : 0u) +
	       (h->af == AF_INET6 && a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80 ? 0u : 1u);
}

/* The best-ranked port address of @af for @port in @t; among equals, the
 * first in the table.  O(table): for src_build and other ports only. */
static int src_scan(const struct nlvs_addr_table *t, int af, uint16_t port,
		    union nlvs_addr *out)
{
	const struct nlvs_addr_ent *e, *best = NULL;
	unsigned int r, best_r = 0;
	struct nlvs_addr_hdr h;
	uint32_t i;

	for (i = 0; i <= t->mask; i++) {
		e = &t->e[i];
		h = hdr_load(e);
		if (h.state != ADDR_LIVE || h.af != af || h.kind != NLVS_ADDR_PORT)
			continue;
		r = source_rank(&h, &e->addr, port);
		if (!best || r > best_r) {
			best = e;
			best_r = r;
			if (r == 7)
				break;
		}
	}
	if (!best)
		return -ENOENT;
	*out = best->addr;
	return 0;
}

/* The answers of src_scan for every port of both families, in one pass. */
static struct nlvs_addr_src *src_build(const struct nlvs_addr_table *t)
{
	unsigned int r, best_r[2][NLVS_MAX_PORTS] = { { 0 } }, f;
	struct nlvs_addr_src *s;
	struct nlvs_addr_hdr h;
	uint16_t p;
	uint32_t i;

	s = rte_zmalloc("nlvs_addr_src", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (!s)
		return NULL;
	for (i = 0; i <= t->mask; i++) {
		const struct nlvs_addr_ent *e = &t->e[i];

		h = hdr_load(e);
		if (h.state != ADDR_LIVE || h.kind != NLVS_ADDR_PORT ||
		    (h.af != AF_INET && h.af != AF_INET6))
			continue;
		f = h.af == AF_INET6;
		for (p = 0; p < NLVS_MAX_PORTS; p++) {
			r = source_rank(&h, &e->addr, p);
			if (!s->ok[f][p] || r > best_r[f][p]) {
				s->ok[f][p] = 1;
				best_r[f][p] = r;
				s->a[f][p] = e->addr;
			}
		}
	}
	return s;
}

/* A port address of @af on @port, the source of ICMP errors and requests. */
int nlvs_addr_port_source(const struct nlvs_addr_table *t, int af, uint16_t port,
			  union nlvs_addr *out)
{
	const struct nlvs_addr_src *s = __atomic_load_n(&t->src, __ATOMIC_ACQUIRE);
	unsigned int f = af == AF_INET6;

	if (unlikely(!s || port >= NLVS_MAX_PORTS || (af != AF_INET && af != AF_INET6)))
		return src_scan(t, af, port, out);
	if (!s->ok[f][port])
		return -ENOENT;
	*out = s->a[f][port];
	return 0;
}

/* May the multicast MAC 33:33:ff:xx:xx:xx be the solicited-node group of one
 * of our IPv6 addresses?  One bit of a filter (sn_note), whatever the
 * number of addresses: these frames come as fast as a LAN sends them. */
int nlvs_addr_v6_solicited(const uint8_t *mac)
{
	uint32_t b = nlvs_v6_sn_bit(mac + 3);

	return (int)(__atomic_load_n(&nlvs_dp.v6_sn[b / 64], __ATOMIC_RELAXED) >> (b % 64) & 1);
}

static int same_addr(const struct nlvs_addr_ent *e, int af, const union nlvs_addr *addr)
{
	return e->h.af == af && !memcmp(&e->addr, addr, addr_len(af));
}

/* The kernel's entries are apart: nlvsd.conf and the engines share one
 * namespace (a VIP that is also a port address is refused, as before the
 * mirror), the kernel's copy of an address never conflicts with theirs. */
static int alist_find(int af, const union nlvs_addr *addr, int kernel)
{
	int i;

	if (!aidx)
		return -ENOENT;
	for (i = aidx[addr_hash(af, addr) & aidx_mask]; i >= 0; i = alist[i].next)
		if (same_addr(&alist[i].e, af, addr) &&
		    (alist[i].e.h.origin == NLVS_ORIGIN_KERNEL) == !!kernel)
			return i;
	return -ENOENT;
}

static void aidx_link(unsigned int i)
{
	int *b = &aidx[addr_hash(alist[i].e.h.af, &alist[i].e.addr) & aidx_mask];

	alist[i].next = *b;
	*b = (int)i;
}

static void aidx_unlink(unsigned int i)
{
	int *p = &aidx[addr_hash(alist[i].e.h.af, &alist[i].e.addr) & aidx_mask];

	while (*p != (int)i)
		p = &alist[*p].next;
	*p = alist[i].next;
}

/* Index the list again, with @nb buckets (a power of two), or the same. */
static int aidx_rehash(uint32_t nb)
{
	unsigned int i;
	int *n = nb ? malloc(nb * sizeof(*n)) : aidx;

	if (!n)
		return -ENOMEM;
	if (nb) {
		free(aidx);
		aidx = n;
		aidx_mask = nb - 1;
	}
	memset(aidx, 0xff, (aidx_mask + 1) * sizeof(*aidx));
	for (i = 0; i < alist_n; i++)
		aidx_link(i);
	return 0;
}

/* An IPv6 entry comes into the list (@add) or leaves it: its solicited-node
 * group's filter bit follows the count of entries that have it.  A frame
 * to a group is accepted (l2.c) as long as one of the addresses may need
 * it; a bit shared by another group only lets a frame on to L3, which
 * drops what is not for us. */
static void sn_note(const struct nlvs_addr_ent *e, int add)
{
	uint32_t b;
	uint64_t *w, v;

	if (e->h.af != AF_INET6)
		return;
	b = nlvs_v6_sn_bit(&e->addr.b[13]);
	w = &nlvs_dp.v6_sn[b / 64];
	if (add ? sn_count[b]++ != 0 : --sn_count[b] != 0)
		return;
	v = add ? *w | 1ull << (b % 64) : *w & ~(1ull << (b % 64));
	__atomic_store_n(w, v, __ATOMIC_RELAXED);
}

static int alist_add(enum nlvs_addr_kind kind, enum nlvs_addr_origin origin, int af,
		     const union nlvs_addr *addr, uint8_t plen, uint16_t port)
{
	struct nlvs_addr_ent *e;

	if (alist_find(af, addr, origin == NLVS_ORIGIN_KERNEL) >= 0)
		return -EEXIST;
	if (alist_n == alist_cap) {
		unsigned int cap = alist_cap ? alist_cap * 2 : 64;
		struct addr_own *n = realloc(alist, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		alist = n;
		alist_cap = cap;
	}
	/* as many buckets as entries at most: chains of one or two */
	if (!aidx || alist_n + 1 > aidx_mask + 1) {
		if (aidx_rehash(aidx ? (aidx_mask + 1) * 2 : 64) < 0)
			return -ENOMEM;
	}
	e = &alist[alist_n].e;
	memset(e, 0, sizeof(*e));
	e->h.state = ADDR_LIVE;
	e->h.af = (uint8_t)af;
	e->h.kind = (uint8_t)kind;
	e->h.origin = (uint8_t)origin;
	e->h.plen = plen;
	e->h.port = port;
	memcpy(&e->addr, addr, addr_len(af));
	sn_note(e, 1);
	aidx_link(alist_n++);
	return 0;
}

/* Drop entry @i: the last one takes its place (nlvsctl addrs lists them in
 * that order). */
static void alist_remove(unsigned int i)
{
	unsigned int last = alist_n - 1;

	sn_note(&alist[i].e, 0);
	aidx_unlink(i);
	if (i != last) {
		aidx_unlink(last);
		alist[i] = alist[last];
		aidx_link(i);
	}
	alist_n--;
}

/*
 * What the published table holds for @addr, from the list: the entry of
 * nlvsd.conf or the engines (the kind that decides where packets go; a port
 * address of nlvsd.conf ranks above the kernel's as a source), else the
 * kernel's, with the kernel flag set while the kernel holds it.  0 when no
 * origin holds it.
 */
static int addr_want(int af, const union nlvs_addr *addr, struct nlvs_addr_hdr *h)
{
	int own = alist_find(af, addr, 0), kern = alist_find(af, addr, 1);

	if (own < 0 && kern < 0)
		return 0;
	*h = alist[own >= 0 ? own : kern].e.h;
	h->kernel = kern >= 0;
	return 1;
}

/* The first slot of @t from @addr's hash that holds it (live) or is empty. */
static uint32_t tab_probe(const struct nlvs_addr_table *t, int af, const union nlvs_addr *addr)
{
	uint32_t i = addr_hash(af, addr) & t->mask;

	while (t->e[i].h.state != ADDR_EMPTY &&
	       !(t->e[i].h.state == ADDR_LIVE && same_addr(&t->e[i], af, addr)))
		i = (i + 1) & t->mask;
	return i;
}

static struct nlvs_addr_table *table_build(uint32_t *filled)
{
	struct nlvs_addr_table *t;
	uint32_t size = 16, i, j, n = 0;

	/* at most a quarter full: as many inserts as addresses before the
	 * next build, so that a change costs O(1) amortised */
	while (size < alist_n * 4)
		size <<= 1;
	t = rte_zmalloc("nlvs_addrs", sizeof(*t) + size * sizeof(t->e[0]), RTE_CACHE_LINE_SIZE);
	if (!t)
		return NULL;
	t->mask = size - 1;
	for (j = 0; j < alist_n; j++) {
		const struct nlvs_addr_ent *a = &alist[j].e;

		i = tab_probe(t, a->h.af, &a->addr);
		if (t->e[i].h.state != ADDR_EMPTY)
			continue;		/* held twice: done with the first */
		t->e[i].addr = a->addr;
		addr_want(a->h.af, &a->addr, &t->e[i].h);
		n++;
	}
	t->src = src_build(t);
	if (!t->src) {
		rte_free(t);
		return NULL;
	}
	*filled = n;
	return t;
}

static void table_free(struct nlvs_addr_table *t)
{
	if (t)
		rte_free(t->src);
	rte_free(t);
}

static int table_publish(void)
{
	struct nlvs_addr_table *old = nlvs_dp.addrs, *t;
	uint32_t filled;

	t = table_build(&filled);
	if (!t)
		return -ENOMEM;
	__atomic_store_n(&nlvs_dp.addrs, t, __ATOMIC_RELEASE);
	tab_filled = filled;
	nlvs_log_debug("address table rebuilt: %u addresses in %u slots", filled, t->mask + 1);
	if (old) {
		nlvs_dp_rcu_synchronize();
		table_free(old);
	}
	return 0;
}

/* Workers cache what they found by scanning the table (a tunnel's source
 * address, lb_direct.c): a port address that changes in place makes them
 * look again, a VIP does not. */
static void port_gen_bump(void)
{
	__atomic_store_n(&nlvs_dp.addrs_port_gen, nlvs_dp.addrs_port_gen + 1, __ATOMIC_RELEASE);
}

/* A port address of @t came, went or changed in place: its sources anew.
 * Without memory for them the old answers stay (a source that may be gone
 * or not the best): said, and tried again at the next change. */
static void src_refresh(struct nlvs_addr_table *t)
{
	struct nlvs_addr_src *old = t->src, *s = src_build(t);

	if (!s) {
		nlvs_log_warnx("address table: no memory for the port sources");
		return;
	}
	__atomic_store_n(&t->src, s, __ATOMIC_RELEASE);
	nlvs_dp_rcu_synchronize();
	rte_free(old);
}

/* Bring the published entry of @addr in line with the list: a header
 * stored in place, a tombstone, an insert into an empty slot, or when the
 * table is half full a new table. */
static int addr_sync(int af, const union nlvs_addr *addr)
{
	struct nlvs_addr_table *t = nlvs_dp.addrs;
	struct nlvs_addr_hdr h;
	int held = addr_want(af, addr, &h);
	uint32_t i;

	if (!t)
		return table_publish();
	i = tab_probe(t, af, addr);
	if (t->e[i].h.state == ADDR_LIVE) {
		int port_addr = t->e[i].h.kind == NLVS_ADDR_PORT ||
				(held && h.kind == NLVS_ADDR_PORT);

		if (!held) {
			memset(&h, 0, sizeof(h));
			h.state = ADDR_DEAD;
		}
		if (!memcmp(&h, &t->e[i].h, sizeof(h)))
			return 0;
		hdr_store(&t->e[i], h);
		if (port_addr) {
			src_refresh(t);
			port_gen_bump();
		}
		return 0;
	}
	if (!held)
		return 0;
	if ((tab_filled + 1) * 2 > t->mask + 1)
		return table_publish();
	/* the slot was empty: no worker reads its address before the header */
	memcpy(&t->e[i].addr, addr, addr_len(af));
	hdr_store(&t->e[i], h);
	tab_filled++;
	if (h.kind == NLVS_ADDR_PORT) {
		src_refresh(t);
		port_gen_bump();
	}
	return 0;
}

/* Gratuitous ARP / unsolicited NA for one address, sent by worker 0. */
static void announce(const struct nlvs_addr_ent *e)
{
	unsigned int p;

	/* with "vip-neigh kernel" the kernel's entry for it is announced */
	if (e->h.kind == NLVS_ADDR_VIP && nlvs_dp.vip_neigh_kernel)
		return;
	for (p = 0; p < nlvs_dp.nports; p++) {
		struct rte_mbuf *m;

		if (e->h.port != NLVS_PORT_ANY && e->h.port != p)
			continue;
		if (e->h.af == AF_INET)
			m = nlvs_arp_build(nlvs_dp.workers[0]->pool, (uint16_t)p,
					   RTE_ARP_OP_REQUEST, &e->addr, &e->addr, NULL);
		else
			m = nlvs_nd_advert_build(nlvs_dp.workers[0]->pool, (uint16_t)p,
						 &e->addr);
		if (m && nlvs_ctl_send((uint16_t)p, m) < 0)
			rte_pktmbuf_free(m);
	}
}

void nlvs_addrs_announce(void)
{
	unsigned int i;

	for (i = 0; i < alist_n; i++)
		announce(&alist[i].e);
}

/* Between nlvs_addr_batch_begin() and _end() changes are published as they
 * come (each costs O(1)), but the addresses added are announced once, at
 * the end, if they are still there. */
static unsigned int batch_depth;
static struct nlvs_addr_ent *batch_new;
static unsigned int batch_new_n, batch_new_cap;

void nlvs_addr_batch_begin(void)
{
	batch_depth++;
}

int nlvs_addr_batch_end(void)
{
	unsigned int i;

	if (!batch_depth || --batch_depth)
		return 0;
	if (nlvs_dp.workers[0])
		for (i = 0; i < batch_new_n; i++)
			if (alist_find(batch_new[i].h.af, &batch_new[i].addr,
				       batch_new[i].h.origin == NLVS_ORIGIN_KERNEL) >= 0)
				announce(&batch_new[i]);
	free(batch_new);
	batch_new = NULL;
	batch_new_n = batch_new_cap = 0;
	return 0;
}

static void batch_note(const struct nlvs_addr_ent *e)
{
	if (batch_new_n == batch_new_cap) {
		unsigned int cap = batch_new_cap ? batch_new_cap * 2 : 64;
		struct nlvs_addr_ent *n = realloc(batch_new, cap * sizeof(*n));

		if (!n)
			return;		/* not announced: ARP finds it anyway */
		batch_new = n;
		batch_new_cap = cap;
	}
	batch_new[batch_new_n++] = *e;
}

static int addr_add(enum nlvs_addr_kind kind, enum nlvs_addr_origin origin, int af,
		    const union nlvs_addr *addr, uint8_t plen, uint16_t port)
{
	int rc = alist_add(kind, origin, af, addr, plen, port);

	if (rc < 0)
		return rc;
	rc = addr_sync(af, addr);
	if (rc < 0) {
		/* only a new table can fail, and the old one is still in place */
		alist_remove(alist_n - 1);
		return rc;
	}
	if (batch_depth)
		batch_note(&alist[alist_n - 1].e);
	else if (nlvs_dp.workers[0])
		announce(&alist[alist_n - 1].e);
	return 0;
}

int nlvs_addr_add(enum nlvs_addr_kind kind, int af, const union nlvs_addr *addr,
		  uint16_t port)
{
	return addr_add(kind, NLVS_ORIGIN_ENGINE, af, addr, af == AF_INET ? 32 : 128, port);
}

static int addr_del(int af, const union nlvs_addr *addr, int kernel)
{
	int i = alist_find(af, addr, kernel);

	if (i < 0)
		return i;
	alist_remove((unsigned int)i);
	/* the slot is there: a header store, never a new table */
	return addr_sync(af, addr);
}

int nlvs_addr_del(int af, const union nlvs_addr *addr)
{
	return addr_del(af, addr, 0);
}

int nlvs_addr_kernel_add(int af, const union nlvs_addr *addr, uint8_t plen, uint16_t port)
{
	return addr_add(NLVS_ADDR_PORT, NLVS_ORIGIN_KERNEL, af, addr, plen, port);
}

int nlvs_addr_kernel_del(int af, const union nlvs_addr *addr)
{
	return addr_del(af, addr, 1);
}

/* (Re)build the port addresses from the configuration, keeping the ones the
 * engines registered and the kernel's: a reload, rare, so one new table. */
int nlvs_addrs_init(const struct nlvs_conf *conf)
{
	unsigned int i, j = 0;
	int rc;

	for (i = 0; i < alist_n; i++) {
		if (alist[i].e.h.origin != NLVS_ORIGIN_CONFIG)
			alist[j++] = alist[i];
		else
			sn_note(&alist[i].e, 0);
	}
	alist_n = j;
	if (aidx)
		aidx_rehash(0);
	for (i = 0; i < conf->naddrs; i++) {
		const struct nlvs_conf_addr *a = &conf->addrs[i];

		rc = alist_add(NLVS_ADDR_PORT, NLVS_ORIGIN_CONFIG, a->pfx.af, &a->pfx.addr,
			       a->pfx.len, (uint16_t)a->port);
		if (rc == -EEXIST) {
			nlvs_log_warnx("address %u of the configuration is given twice", i + 1);
			continue;
		}
		if (rc < 0)
			return rc;
	}
	return table_publish();
}

void nlvs_addrs_fini(void)
{
	table_free(nlvs_dp.addrs);
	nlvs_dp.addrs = NULL;
	tab_filled = 0;
	free(alist);
	alist = NULL;
	alist_n = alist_cap = 0;
	free(aidx);
	aidx = NULL;
	aidx_mask = 0;
	memset(sn_count, 0, sizeof(sn_count));
	memset(nlvs_dp.v6_sn, 0, sizeof(nlvs_dp.v6_sn));
}

static const char *addr_kind_name(unsigned int kind)
{
	static const char *const names[] = {
		[NLVS_ADDR_PORT] = "port", [NLVS_ADDR_VIP] = "vip",
		[NLVS_ADDR_LADDR] = "laddr", [NLVS_ADDR_EGRESS] = "egress",
	};

	return kind < RTE_DIM(names) && names[kind] ? names[kind] : "?";
}

/* Where an address came from: the engines' are named after what made them
 * (an IPVS service for a VIP or an egress address, a laddr line). */
static const char *addr_origin_name(const struct nlvs_addr_ent *e)
{
	if (e->h.origin == NLVS_ORIGIN_KERNEL)
		return "kernel";
	if (e->h.origin == NLVS_ORIGIN_CONFIG || e->h.kind == NLVS_ADDR_LADDR)
		return "config";
	return "ipvs";
}

/* nlvsctl addrs: one line per address and origin (an address two origins
 * hold shows twice; it is answered while either holds it). */
void nlvs_addrs_write(FILE *f)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned int i;

	fprintf(f, "%-40s %-6s %-8s %s\n", "address", "kind", "port", "origin");
	for (i = 0; i < alist_n; i++) {
		const struct nlvs_addr_ent *e = &alist[i].e;
		char a[INET6_ADDRSTRLEN + 4];

		snprintf(a, sizeof(a), "%s/%u",
			 nlvs_addr_str(e->h.af, &e->addr, buf, sizeof(buf)), e->h.plen);
		fprintf(f, "%-40s %-6s %-8s %s\n", a, addr_kind_name(e->h.kind),
			e->h.port == NLVS_PORT_ANY ? "*" : nlvs_dp.ports[e->h.port].name,
			addr_origin_name(e));
	}
}
