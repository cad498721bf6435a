// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L3's own-address table (dataplane/net/addr.c), edited in place by the
 * control thread: after every step of random adds and deletes of a few
 * addresses by their three origins (an engine, nlvsd.conf, the kernel), in
 * batches or not, the table the workers read answers exactly as one built
 * afresh from the master list, and as the rules say (one entry per address,
 * the engine's or nlvsd.conf's over the kernel's, the kernel flag, -EEXIST
 * per namespace); a slot's address is never rewritten while the table is
 * published; 10,000 addresses cost O(1) per change; and the filter of IPv6
 * solicited-node groups (what L2 accepts) agrees with a scan of the table
 * through adds, deletes and reloads; the source addresses kept per port are
 * what a scan of the table answers.  No EAL: the DPDK
 * heap and the grace period are stand-ins below.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

/* the file itself, for its table_build() and its counters */
#include "net/addr.c"

/* ---- stand-ins for what addr.c calls outside it ---- */

struct nlvs_dp nlvs_dp;
static unsigned int grace_periods;	/* one per new table */

void nlvs_dp_rcu_synchronize(void)
{
	grace_periods++;
}

void *rte_zmalloc(const char *type, size_t size, unsigned int align)
{
	void *p;

	(void)type;
	if (posix_memalign(&p, align ? align : 64, size))
		return NULL;
	memset(p, 0, size);
	return p;
}

void rte_free(void *p)
{
	free(p);
}

struct rte_mbuf *nlvs_arp_build(struct rte_mempool *mp, uint16_t port, uint16_t op,
				const void *sip, const void *tip,
				const struct rte_ether_addr *tha)
{
	(void)mp, (void)port, (void)op, (void)sip, (void)tip, (void)tha;
	return NULL;
}

struct rte_mbuf *nlvs_nd_advert_build(struct rte_mempool *mp, uint16_t port,
				      const void *target)
{
	(void)mp, (void)port, (void)target;
	return NULL;
}

int nlvs_ctl_send(uint16_t port, struct rte_mbuf *m)
{
	(void)port, (void)m;
	return -1;
}

/* ---- the model: who holds each address ---- */

#define NADDR	6			/* 4 IPv4, 2 IPv6 (one link-local) */

struct hold {
	int on;
	uint8_t kind, origin, plen;
	uint16_t port;
};

static struct {
	int af;
	union nlvs_addr a;
	struct hold own, kern;		/* an engine's or nlvsd.conf's; the kernel's */
} m[NADDR];

static unsigned int rnd_state = 12345;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static void model_init(void)
{
	unsigned int i;

	memset(m, 0, sizeof(m));
	for (i = 0; i < NADDR; i++) {
		if (i < 4) {
			m[i].af = AF_INET;
			m[i].a.ip = htonl(0x0a000001 + i);
		} else {
			m[i].af = AF_INET6;
			inet_pton(AF_INET6, i == 4 ? "fd00::5" : "fe80::6", &m[i].a);
		}
	}
}

static void setup_empty(void)
{
	static const struct nlvs_conf none;

	nlvs_addrs_fini();
	model_init();
	nlvs_dp.nports = 2;
	assert_int_equal(nlvs_addrs_init(&none), 0);
}

/* The header the rules give address @i, from the model. */
static int model_want(unsigned int i, struct nlvs_addr_hdr *h)
{
	const struct hold *o = m[i].own.on ? &m[i].own : m[i].kern.on ? &m[i].kern : NULL;

	if (!o)
		return 0;
	memset(h, 0, sizeof(*h));
	h->state = ADDR_LIVE;
	h->af = (uint8_t)m[i].af;
	h->kind = o->kind;
	h->origin = o->origin;
	h->plen = o->plen;
	h->port = o->port;
	h->kernel = (uint8_t)m[i].kern.on;
	return 1;
}

static unsigned int rank_of(const struct nlvs_addr_table *t, int af, const union nlvs_addr *a,
			    uint16_t port)
{
	struct nlvs_addr_hdr h;

	assert_non_null(addr_find(t, af, a, &h));
	assert_int_equal(h.kind, NLVS_ADDR_PORT);
	return source_rank(&h, a, port);
}

static void check_same_answers(const struct nlvs_addr_table *a, const struct nlvs_addr_table *b)
{
	static const uint16_t ports[] = { 0, 1, NLVS_PORT_ANY };
	union nlvs_addr sa, sb;
	unsigned int i, p;
	int ra, rb;

	for (i = 0; i < NADDR; i++) {
		struct nlvs_addr_hdr ha, hb, hm;
		const struct nlvs_addr_ent *ea = addr_find(a, m[i].af, &m[i].a, &ha);
		const struct nlvs_addr_ent *eb = addr_find(b, m[i].af, &m[i].a, &hb);
		int want = model_want(i, &hm);

		assert_int_equal(!!ea, want);
		assert_int_equal(!!eb, want);
		if (!want)
			continue;
		assert_memory_equal(&ha, &hm, sizeof(hm));
		assert_memory_equal(&hb, &hm, sizeof(hm));
		assert_memory_equal(&ea->addr, &m[i].a, sizeof(m[i].a));
		for (p = 0; p < RTE_DIM(ports); p++) {
			assert_int_equal(nlvs_addr_lookup(a, m[i].af, &m[i].a, ports[p]),
					 nlvs_addr_lookup(b, m[i].af, &m[i].a, ports[p]));
			assert_int_equal(nlvs_addr_answers(a, m[i].af, &m[i].a, ports[p]),
					 nlvs_addr_answers(b, m[i].af, &m[i].a, ports[p]));
		}
		assert_int_equal(nlvs_addr_kernel_held(a, m[i].af, &m[i].a), hm.kernel);
	}
	/* the best-ranked port address; among equals, the first in the table */
	for (i = 0; i < 2 * RTE_DIM(ports); i++) {
		int af = i % 2 ? AF_INET6 : AF_INET;

		p = i / 2;
		ra = nlvs_addr_port_source(a, af, ports[p], &sa);
		rb = nlvs_addr_port_source(b, af, ports[p], &sb);
		assert_int_equal(ra, rb);
		if (!ra)
			assert_int_equal(rank_of(a, af, &sa, ports[p]), rank_of(b, af, &sb, ports[p]));
	}
}

/* What the solicited-node filter must say for @mac: whether a live IPv6
 * entry of @t has a group with the same filter bit (the table scanned). */
static int sn_want(const struct nlvs_addr_table *t, const uint8_t *mac)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++)
		if (t->e[i].h.state == ADDR_LIVE && t->e[i].h.af == AF_INET6 &&
		    nlvs_v6_sn_bit(&t->e[i].addr.b[13]) == nlvs_v6_sn_bit(mac + 3))
			return 1;
	return 0;
}

/* The sources kept with @t are what a scan of @t answers, address for
 * address, for every port and family. */
static void check_sources(const struct nlvs_addr_table *t)
{
	static const int afs[] = { AF_INET, AF_INET6 };
	union nlvs_addr sa, sb;
	unsigned int f;
	uint16_t p;
	int ra, rb;

	for (f = 0; f < RTE_DIM(afs); f++) {
		for (p = 0; p < NLVS_MAX_PORTS; p++) {
			memset(&sa, 0, sizeof(sa));
			memset(&sb, 0, sizeof(sb));
			ra = nlvs_addr_port_source(t, afs[f], p, &sa);
			rb = src_scan(t, afs[f], p, &sb);
			assert_int_equal(ra, rb);
			assert_memory_equal(&sa, &sb, sizeof(sa));
		}
	}
}

/* The filter against the table: the groups of the model's IPv6 addresses,
 * and random ones (a group no address has is refused unless it shares a bit). */
static void check_solicited(const struct nlvs_addr_table *t)
{
	uint8_t mac[6] = { 0x33, 0x33, 0xff };
	unsigned int i;

	for (i = 4; i < NADDR; i++) {
		struct nlvs_addr_hdr h;

		memcpy(mac + 3, &m[i].a.b[13], 3);
		assert_int_equal(nlvs_addr_v6_solicited(mac), sn_want(t, mac));
		if (addr_find(t, m[i].af, &m[i].a, &h))
			assert_int_equal(nlvs_addr_v6_solicited(mac), 1);
	}
	for (i = 0; i < 16; i++) {
		mac[3] = (uint8_t)rnd(256);
		mac[4] = (uint8_t)rnd(256);
		mac[5] = (uint8_t)rnd(256);
		assert_int_equal(nlvs_addr_v6_solicited(mac), sn_want(t, mac));
	}
}

/* The published table against a fresh build, the model and its own counters. */
static void check_table(void)
{
	const struct nlvs_addr_table *t = nlvs_dp.addrs;
	struct nlvs_addr_table *fresh;
	uint32_t filled, i, n = 0;

	assert_non_null(t);
	fresh = table_build(&filled);
	assert_non_null(fresh);
	check_same_answers(t, fresh);
	check_same_answers(fresh, t);
	check_solicited(t);
	check_sources(t);
	check_sources(fresh);
	for (i = 0; i <= t->mask; i++)
		n += t->e[i].h.state != ADDR_EMPTY;
	assert_int_equal(n, tab_filled);
	assert_true(tab_filled * 2 <= t->mask + 1);
	table_free(fresh);
}

/* One random add or delete through addr.c's entry points, its result
 * checked against the rules. */
static void random_step(void)
{
	static const uint8_t kinds[] = {
		NLVS_ADDR_VIP, NLVS_ADDR_LADDR, NLVS_ADDR_EGRESS
	};
	unsigned int i = rnd(NADDR), what = rnd(6);
	uint16_t port = (uint16_t)(rnd(3) == 2 ? NLVS_PORT_ANY : rnd(2));
	uint8_t plen = (uint8_t)(m[i].af == AF_INET ? 24 + rnd(9) : 64 + rnd(65));
	struct hold *h;
	int rc, want;

	switch (what) {
	case 0:				/* an engine's VIP, laddr or egress */
	case 1:				/* nlvsd.conf's port address */
		h = &m[i].own;
		want = h->on ? -EEXIST : 0;
		if (what == 0) {
			uint8_t kind = kinds[rnd(RTE_DIM(kinds))];

			rc = nlvs_addr_add(kind, m[i].af, &m[i].a, port);
			if (!rc)
				*h = (struct hold){ 1, kind, NLVS_ORIGIN_ENGINE,
						    m[i].af == AF_INET ? 32 : 128, port };
		} else {
			rc = addr_add(NLVS_ADDR_PORT, NLVS_ORIGIN_CONFIG, m[i].af, &m[i].a, plen,
				      port);
			if (!rc)
				*h = (struct hold){ 1, NLVS_ADDR_PORT, NLVS_ORIGIN_CONFIG, plen,
						    port };
		}
		break;
	case 2:
		h = &m[i].kern;
		want = h->on ? -EEXIST : 0;
		rc = nlvs_addr_kernel_add(m[i].af, &m[i].a, plen, port);
		if (!rc)
			*h = (struct hold){ 1, NLVS_ADDR_PORT, NLVS_ORIGIN_KERNEL, plen, port };
		break;
	case 3:
	case 4:
		h = &m[i].own;
		want = h->on ? 0 : -ENOENT;
		rc = nlvs_addr_del(m[i].af, &m[i].a);
		h->on = 0;
		break;
	default:
		h = &m[i].kern;
		want = h->on ? 0 : -ENOENT;
		rc = nlvs_addr_kernel_del(m[i].af, &m[i].a);
		h->on = 0;
		break;
	}
	assert_int_equal(rc, want);
}

/* Random sequences, some of them in batches: the table edited in place is
 * the table a build would make, after every step. */
static void test_random_equivalence(void **state)
{
	struct nlvs_addr_table *before = NULL, *snap;
	unsigned int step, i, n, built = 0;
	size_t size = 0;

	(void)state;
	setup_empty();
	snap = malloc(sizeof(*snap) + 4096 * sizeof(snap->e[0]));
	assert_non_null(snap);
	for (step = 0; step < 20000; step++) {
		int batch = rnd(8) == 0;

		if (batch)
			nlvs_addr_batch_begin();
		for (n = batch ? 1 + rnd(5) : 1; n; n--)
			random_step();
		if (batch)
			assert_int_equal(nlvs_addr_batch_end(), 0);
		check_table();
		/* while a table is published, a slot once filled keeps its
		 * address and is never empty again */
		if (nlvs_dp.addrs == before) {
			for (i = 0; i <= snap->mask; i++) {
				if (snap->e[i].h.state == ADDR_EMPTY)
					continue;
				assert_int_not_equal(before->e[i].h.state, ADDR_EMPTY);
				assert_memory_equal(&before->e[i].addr, &snap->e[i].addr,
						    sizeof(snap->e[i].addr));
			}
		} else {
			built++;
		}
		before = nlvs_dp.addrs;
		size = sizeof(*snap) + (before->mask + 1) * sizeof(snap->e[0]);
		assert_true(before->mask < 4096);
		memcpy(snap, before, size);
	}
	/* a build now and then, as tombstones fill the table */
	assert_true(built > 10 && built < step / 4);
	free(snap);
	nlvs_addrs_fini();
}

/* An address held by nlvsd.conf and the kernel keeps nlvsd.conf's entry
 * whichever came first; an engine's kind wins over both. */
static void test_origins(void **state)
{
	struct nlvs_addr_hdr h;
	union nlvs_addr a;

	(void)state;
	setup_empty();
	memset(&a, 0, sizeof(a));
	a.ip = htonl(0x0a000001);
	assert_int_equal(nlvs_addr_kernel_add(AF_INET, &a, 24, 1), 0);
	assert_int_equal(addr_add(NLVS_ADDR_PORT, NLVS_ORIGIN_CONFIG, AF_INET, &a, 16, 1), 0);
	assert_non_null(addr_find(nlvs_dp.addrs, AF_INET, &a, &h));
	assert_int_equal(h.origin, NLVS_ORIGIN_CONFIG);
	assert_int_equal(h.plen, 16);
	assert_int_equal(h.kernel, 1);
	assert_int_equal(nlvs_addr_add(NLVS_ADDR_VIP, AF_INET, &a, NLVS_PORT_ANY), -EEXIST);
	assert_int_equal(nlvs_addr_del(AF_INET, &a), 0);
	assert_int_equal(nlvs_addr_add(NLVS_ADDR_VIP, AF_INET, &a, NLVS_PORT_ANY), 0);
	assert_int_equal(nlvs_addr_lookup(nlvs_dp.addrs, AF_INET, &a, 0), NLVS_ADDR_VIP);
	assert_int_equal(nlvs_addr_kernel_del(AF_INET, &a), 0);
	assert_int_equal(nlvs_addr_kernel_held(nlvs_dp.addrs, AF_INET, &a), 0);
	assert_int_equal(nlvs_addr_lookup(nlvs_dp.addrs, AF_INET, &a, 0), NLVS_ADDR_VIP);
	assert_int_equal(nlvs_addr_del(AF_INET, &a), 0);
	assert_int_equal(nlvs_addr_lookup(nlvs_dp.addrs, AF_INET, &a, 0), NLVS_ADDR_NONE);
	assert_int_equal(nlvs_addr_del(AF_INET, &a), -ENOENT);
	nlvs_addrs_fini();
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* 10,000 VIPs, then 10,000 changes (a new VIP added, an old one deleted):
 * new tables are few (amortised O(1) per change) and every VIP is found. */
static void test_many(void **state)
{
	const unsigned int n = 10000;
	unsigned int i, gp;
	union nlvs_addr a;
	uint64_t t0, t1;

	(void)state;
	setup_empty();
	memset(&a, 0, sizeof(a));
	gp = grace_periods;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		a.ip = htonl(0x0b000000 + i);
		assert_int_equal(nlvs_addr_add(NLVS_ADDR_VIP, AF_INET, &a, NLVS_PORT_ANY), 0);
	}
	t1 = now_ns();
	printf("# %u VIPs added: %.2f us each, %u new tables\n", n,
	       (double)(t1 - t0) / n / 1000, grace_periods - gp);
	assert_true(grace_periods - gp <= 12);
	gp = grace_periods;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		a.ip = htonl(0x0b000000 + n + i);
		assert_int_equal(nlvs_addr_add(NLVS_ADDR_VIP, AF_INET, &a, NLVS_PORT_ANY), 0);
		a.ip = htonl(0x0b000000 + i);
		assert_int_equal(nlvs_addr_del(AF_INET, &a), 0);
	}
	t1 = now_ns();
	printf("# at %u VIPs, one added and one deleted: %.2f us the pair, %u new tables\n",
	       n, (double)(t1 - t0) / n / 1000, grace_periods - gp);
	assert_true(grace_periods - gp <= 3);
	for (i = 0; i < 2 * n; i++) {
		a.ip = htonl(0x0b000000 + i);
		assert_int_equal(nlvs_addr_lookup(nlvs_dp.addrs, AF_INET, &a, 0),
				 i < n ? NLVS_ADDR_NONE : NLVS_ADDR_VIP);
	}
	assert_int_equal(alist_n, n);
	/* the source of an ICMP error or an ARP request, beside 10,000 VIPs */
	a.ip = htonl(0x0a000001);
	assert_int_equal(nlvs_addr_kernel_add(AF_INET, &a, 24, 0), 0);
	t0 = now_ns();
	for (i = 0; i < 1000; i++)
		gp += nlvs_addr_port_source(nlvs_dp.addrs, AF_INET, (uint16_t)(i & 1), &a) == 0;
	t1 = now_ns();
	for (i = 0; i < 100; i++)
		gp += src_scan(nlvs_dp.addrs, AF_INET, (uint16_t)(i & 1), &a) == 0;
	printf("# at %u VIPs, the source address of a port: %.1f ns (a scan of the %u slots: "
	       "%.1f us)\n", n, (double)(t1 - t0) / 1000, nlvs_dp.addrs->mask + 1,
	       (double)(now_ns() - t1) / 100 / 1000);
	nlvs_addrs_fini();
}

/* test_solicited's address @i: fd00:77::, byte 12 = i % 2, low 24 bits from
 * i / 2, so that 2k and 2k + 1 share a solicited-node group */
static void sn_addr(unsigned int i, union nlvs_addr *a)
{
	uint32_t v = i / 2 * 7;

	memset(a, 0, sizeof(*a));
	inet_pton(AF_INET6, "fd00:77::", a);
	a->b[12] = (uint8_t)(i & 1);
	a->b[13] = (uint8_t)(v >> 16);
	a->b[14] = (uint8_t)(v >> 8);
	a->b[15] = (uint8_t)v;
}

/* the group's MAC of address @i */
static void sn_mac(unsigned int i, uint8_t *mac)
{
	union nlvs_addr a;

	sn_addr(i, &a);
	mac[0] = mac[1] = 0x33;
	mac[2] = 0xff;
	memcpy(mac + 3, &a.b[13], 3);
}

/* IPv6 VIPs by the thousand, deleted again, and a configured IPv6 address
 * dropped by a reload: the solicited-node filter says what a scan of the
 * table says for every group involved, and no group stays accepted once
 * no address has its bit (the count per bit is right). */
static void test_solicited(void **state)
{
	const unsigned int n = 5000;
	struct nlvs_conf conf = { 0 };
	struct nlvs_conf_addr ca = { 0 };
	uint8_t mac[6];
	union nlvs_addr a;
	unsigned int i, k, set = 0, hits = 0;
	uint64_t t0, t1, t2;

	(void)state;
	setup_empty();
	for (i = 0; i < n; i++) {
		sn_addr(i, &a);
		assert_int_equal(nlvs_addr_add(NLVS_ADDR_VIP, AF_INET6, &a, NLVS_PORT_ANY), 0);
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		sn_mac(i, mac);
		hits += nlvs_addr_v6_solicited(mac);
	}
	t1 = now_ns();
	assert_int_equal(hits, n);
	/* what a frame to a solicited-node group cost when the table was scanned */
	for (i = 0; i < 100; i++) {
		mac[5] = (uint8_t)i;
		hits += sn_want(nlvs_dp.addrs, mac);
	}
	t2 = now_ns();
	printf("# %u IPv6 addresses: %.1f ns a frame to a solicited-node group "
	       "(a scan of the %u slots: %.1f us)\n", n, (double)(t1 - t0) / n,
	       nlvs_dp.addrs->mask + 1, (double)(t2 - t1) / 100 / 1000);
	/* every other one goes: each group stays, its pair still has it */
	for (i = 0; i < n; i += 2) {
		sn_addr(i, &a);
		assert_int_equal(nlvs_addr_del(AF_INET6, &a), 0);
	}
	for (i = 0; i < n; i++) {
		sn_mac(i, mac);
		assert_int_equal(nlvs_addr_v6_solicited(mac),
				 sn_want(nlvs_dp.addrs, mac));
	}
	/* the rest go too: nothing is accepted any more */
	for (i = 1; i < n; i += 2) {
		sn_addr(i, &a);
		assert_int_equal(nlvs_addr_del(AF_INET6, &a), 0);
	}
	for (k = 0; k < RTE_DIM(nlvs_dp.v6_sn); k++)
		set += nlvs_dp.v6_sn[k] != 0;
	assert_int_equal(set, 0);
	/* a configured address, then a reload without it */
	ca.pfx.af = AF_INET6;
	inet_pton(AF_INET6, "fd00:1::abcd:ef12", &ca.pfx.addr);
	ca.pfx.len = 64;
	conf.addrs = &ca;
	conf.naddrs = 1;
	assert_int_equal(nlvs_addrs_init(&conf), 0);
	memcpy(mac + 3, &ca.pfx.addr.b[13], 3);
	assert_int_equal(nlvs_addr_v6_solicited(mac), 1);
	conf.naddrs = 0;
	assert_int_equal(nlvs_addrs_init(&conf), 0);
	assert_int_equal(nlvs_addr_v6_solicited(mac), 0);
	nlvs_addrs_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_random_equivalence),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_solicited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
