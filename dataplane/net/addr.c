// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Own addresses: port addresses from the configuration and from the kernel
 * (the mirror of the twins' addresses, kmirror.c) plus VIPs, local and
 * egress addresses the L4 engines register.  The control thread keeps the
 * master list and publishes an open-addressing hash built from it; workers
 * only read the published table, which is freed after an RCU grace period.
 *
 * One address may be held by several origins at once (keepalived puts a
 * VIP on the twin that ipvsadm also made a service of; nlvsd.conf and the
 * kernel name the same port address): the list holds one entry per origin,
 * so each one adds and removes its own, and the published table holds the
 * address once, with the kind the engines need (VIP, local, egress) winning
 * over a plain port address.
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

struct nlvs_addr_ent {
	uint8_t used, af, kind;
	uint8_t origin;			/* enum nlvs_addr_origin */
	uint8_t plen;			/* prefix length (port addresses), for display */
	uint8_t kernel;			/* published table: the kernel holds it too */
	uint16_t port;			/* port index or NLVS_PORT_ANY */
	union nlvs_addr addr;
};

struct nlvs_addr_table {
	uint32_t mask;
	struct nlvs_addr_ent e[];
};

/* The control thread's master list. */
static struct nlvs_addr_ent *alist;
static unsigned int alist_n;

static inline size_t addr_len(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* rte_hash_crc() over the address, spelt out by size: a crc32 instruction
 * or two in the packet path rather than a call. */
static inline uint32_t addr_hash(int af, const union nlvs_addr *a)
{
	uint64_t w[2];

	if (af == AF_INET)
		return rte_hash_crc_4byte(a->ip, (uint32_t)af);
	memcpy(w, a, sizeof(w));
	return rte_hash_crc_8byte(w[1], rte_hash_crc_8byte(w[0], (uint32_t)af));
}

static const struct nlvs_addr_ent *addr_find(const struct nlvs_addr_table *t, int af,
					     const void *addr)
{
	const struct nlvs_addr_ent *e;
	union nlvs_addr key;
	uint32_t i;

	/* @addr usually points into the packet, at any alignment: the hash
	 * reads an aligned copy.  Every packet comes here, so the copy and the
	 * compare have constant sizes: loads, not calls to memcpy/memcmp. */
	if (af == AF_INET)
		memcpy(&key, addr, 4);
	else
		memcpy(&key, addr, 16);
	for (i = addr_hash(af, &key) & t->mask;; i = (i + 1) & t->mask) {
		e = &t->e[i];
		if (!e->used)
			return NULL;
		if (e->af == af && nlvs_addr_equal(af, &e->addr, &key))
			return e;
	}
}

/* Kind of the own address @addr on port index @port, NLVS_ADDR_NONE if none. */
int nlvs_addr_lookup(const struct nlvs_addr_table *t, int af, const void *addr, uint16_t port)
{
	const struct nlvs_addr_ent *e = addr_find(t, af, addr);

	if (!e || (e->port != NLVS_PORT_ANY && port != NLVS_PORT_ANY && e->port != port))
		return NLVS_ADDR_NONE;
	return e->kind;
}

/* Whether ARP/ND for @addr on port index @port is ours to answer: an own
 * address, but with "vip-neigh kernel" a VIP only while the kernel holds it
 * (keepalived's VRRP MASTER): the BACKUP node's dataplane must stay silent
 * for the VIP it also serves, as kernel IPVS does. */
int nlvs_addr_answers(const struct nlvs_addr_table *t, int af, const void *addr, uint16_t port)
{
	const struct nlvs_addr_ent *e = addr_find(t, af, addr);

	if (!e || (e->port != NLVS_PORT_ANY && port != NLVS_PORT_ANY && e->port != port))
		return 0;
	return e->kind != NLVS_ADDR_VIP || !nlvs_dp.vip_neigh_kernel || e->kernel;
}

/* Whether the kernel holds @addr on a twin, whatever kind the dataplane
 * gives it (keepalived's virtual_ipaddress that is also a service VIP). */
int nlvs_addr_kernel_held(const struct nlvs_addr_table *t, int af, const void *addr)
{
	const struct nlvs_addr_ent *e = addr_find(t, af, addr);

	return e && e->kernel;
}

/* How well a port address suits as the source of what we send out of
 * @port: one of that port first, then nlvsd.conf's over the kernel's (a
 * VRRP address comes and goes), then not IPv6 link-local (an ICMP error may
 * travel further than the link). */
static unsigned int source_rank(const struct nlvs_addr_ent *e, uint16_t port)
{
	return (e->port == port ? 4u : 0u) + (e->origin == NLVS_ORIGIN_CONFIG ? 2u : 0u) +
	       (e->af == AF_INET6 && e->addr.b[0] == 0xfe && (e->addr.b[1] & 0xc0) == 0x80 ?
		0u : 1u);
}

/* A port address of @af on @port, the source of ICMP errors and requests. */
int nlvs_addr_port_source(const struct nlvs_addr_table *t, int af, uint16_t port,
			  union nlvs_addr *out)
{
	const struct nlvs_addr_ent *e, *best = NULL;
	unsigned int r, best_r = 0;
	uint32_t i;

	for (i = 0; i <= t->mask; i++) {
		e = &t->e[i];
		if (!e->used || e->af != af || e->kind != NLVS_ADDR_PORT)
			continue;
		r = source_rank(e, port);
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

/* Does the multicast MAC 33:33:ff:xx:xx:xx belong to one of our v6 addresses? */
int nlvs_addr_v6_solicited(const struct nlvs_addr_table *t, const uint8_t *mac)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++) {
		const struct nlvs_addr_ent *e = &t->e[i];

		if (e->used && e->af == AF_INET6 && !memcmp(&e->addr.b[13], mac + 3, 3))
			return 1;
	}
	return 0;
}

static int same_addr(const struct nlvs_addr_ent *e, int af, const union nlvs_addr *addr)
{
	return e->af == af && !memcmp(&e->addr, addr, addr_len(af));
}

static struct nlvs_addr_table *table_build(void)
{
	struct nlvs_addr_table *t;
	uint32_t size = 16, i, j;
	int kernel;

	while (size < alist_n * 2)
		size <<= 1;
	t = rte_zmalloc("nlvs_addrs", sizeof(*t) + size * sizeof(t->e[0]), RTE_CACHE_LINE_SIZE);
	if (!t)
		return NULL;
	t->mask = size - 1;
	for (j = 0; j < alist_n; j++) {
		i = addr_hash(alist[j].af, &alist[j].addr) & t->mask;
		while (t->e[i].used && !same_addr(&t->e[i], alist[j].af, &alist[j].addr))
			i = (i + 1) & t->mask;
		kernel = alist[j].origin == NLVS_ORIGIN_KERNEL ||
			 (t->e[i].used && t->e[i].kernel);
		/* held twice: an engine's kind decides where its packets go */
		if (!t->e[i].used || t->e[i].kind == NLVS_ADDR_PORT)
			t->e[i] = alist[j];
		t->e[i].kernel = (uint8_t)kernel;
	}
	return t;
}

static int table_publish(void)
{
	struct nlvs_addr_table *t = table_build(), *old = nlvs_dp.addrs;

	if (!t)
		return -ENOMEM;
	__atomic_store_n(&nlvs_dp.addrs, t, __ATOMIC_RELEASE);
	if (old) {
		nlvs_dp_rcu_synchronize();
		rte_free(old);
	}
	return 0;
}

/* The kernel's entries are apart: nlvsd.conf and the engines share one
 * namespace (a VIP that is also a port address is refused, as before the
 * mirror), the kernel's copy of an address never conflicts with theirs. */
static int alist_find(int af, const union nlvs_addr *addr, int kernel)
{
	unsigned int i;

	for (i = 0; i < alist_n; i++)
		if (same_addr(&alist[i], af, addr) &&
		    (alist[i].origin == NLVS_ORIGIN_KERNEL) == !!kernel)
			return (int)i;
	return -ENOENT;
}

static int alist_add(enum nlvs_addr_kind kind, enum nlvs_addr_origin origin, int af,
		     const union nlvs_addr *addr, uint8_t plen, uint16_t port)
{
	struct nlvs_addr_ent *n;

	if (alist_find(af, addr, origin == NLVS_ORIGIN_KERNEL) >= 0)
		return -EEXIST;
	n = realloc(alist, (alist_n + 1) * sizeof(*alist));
	if (!n)
		return -ENOMEM;
	alist = n;
	memset(&alist[alist_n], 0, sizeof(alist[0]));
	alist[alist_n].used = 1;
	alist[alist_n].af = (uint8_t)af;
	alist[alist_n].kind = (uint8_t)kind;
	alist[alist_n].origin = (uint8_t)origin;
	alist[alist_n].plen = plen;
	alist[alist_n].port = port;
	memcpy(&alist[alist_n].addr, addr, addr_len(af));
	alist_n++;
	return 0;
}

/* Gratuitous ARP / unsolicited NA for one address, sent by worker 0. */
static void announce(const struct nlvs_addr_ent *e)
{
	unsigned int p;

	/* with "vip-neigh kernel" the kernel's entry for it is announced */
	if (e->kind == NLVS_ADDR_VIP && nlvs_dp.vip_neigh_kernel)
		return;
	for (p = 0; p < nlvs_dp.nports; p++) {
		struct rte_mbuf *m;

		if (e->port != NLVS_PORT_ANY && e->port != p)
			continue;
		if (e->af == AF_INET)
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
		announce(&alist[i]);
}

/* Between nlvs_addr_batch_begin() and _end() changes only touch the list;
 * the end publishes once and announces what was added, so registering
 * thousands of VIPs costs one table build, not one each. */
static unsigned int batch_depth;
static int batch_dirty;
static struct nlvs_addr_ent *batch_new;
static unsigned int batch_new_n;

void nlvs_addr_batch_begin(void)
{
	batch_depth++;
}

int nlvs_addr_batch_end(void)
{
	unsigned int i;
	int rc = 0;

	if (!batch_depth || --batch_depth)
		return 0;
	if (batch_dirty)
		rc = table_publish();
	batch_dirty = 0;
	if (rc == 0 && nlvs_dp.workers[0])
		for (i = 0; i < batch_new_n; i++)
			if (alist_find(batch_new[i].af, &batch_new[i].addr,
				       batch_new[i].origin == NLVS_ORIGIN_KERNEL) >= 0)
				announce(&batch_new[i]);
	free(batch_new);
	batch_new = NULL;
	batch_new_n = 0;
	return rc;
}

static int addr_add(enum nlvs_addr_kind kind, enum nlvs_addr_origin origin, int af,
		    const union nlvs_addr *addr, uint8_t plen, uint16_t port)
{
	int rc = alist_add(kind, origin, af, addr, plen, port);

	if (rc < 0)
		return rc;
	if (batch_depth) {
		struct nlvs_addr_ent *n = realloc(batch_new, (batch_new_n + 1) * sizeof(*n));

		if (n) {
			batch_new = n;
			batch_new[batch_new_n++] = alist[alist_n - 1];
		}
		batch_dirty = 1;
		return 0;
	}
	rc = table_publish();
	if (rc < 0) {
		alist_n--;
		return rc;
	}
	if (nlvs_dp.workers[0])
		announce(&alist[alist_n - 1]);
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
	alist[i] = alist[--alist_n];
	if (batch_depth) {
		batch_dirty = 1;
		return 0;
	}
	return table_publish();
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
 * engines registered and the kernel's. */
int nlvs_addrs_init(const struct nlvs_conf *conf)
{
	unsigned int i, j = 0;
	int rc;

	for (i = 0; i < alist_n; i++)
		if (alist[i].origin != NLVS_ORIGIN_CONFIG)
			alist[j++] = alist[i];
	alist_n = j;
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
	rte_free(nlvs_dp.addrs);
	nlvs_dp.addrs = NULL;
	free(alist);
	alist = NULL;
	alist_n = 0;
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
	if (e->origin == NLVS_ORIGIN_KERNEL)
		return "kernel";
	if (e->origin == NLVS_ORIGIN_CONFIG || e->kind == NLVS_ADDR_LADDR)
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
		const struct nlvs_addr_ent *e = &alist[i];
		char a[INET6_ADDRSTRLEN + 4];

		snprintf(a, sizeof(a), "%s/%u", nlvs_addr_str(e->af, &e->addr, buf, sizeof(buf)),
			 e->plen);
		fprintf(f, "%-40s %-6s %-8s %s\n", a, addr_kind_name(e->kind),
			e->port == NLVS_PORT_ANY ? "*" : nlvs_dp.ports[e->port].name,
			addr_origin_name(e));
	}
}
