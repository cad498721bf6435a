// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The copy-on-write table of the FULLNAT engine (dataplane/lb/lb_cfg.c),
 * driven through the control API as ipvsadm drives it, without EAL: the
 * workers, L3's address table and the grace period are stand-ins below.
 * Each change is published as a step (only what it touched rebuilt); the
 * tests check the lookups and the slots against what the control API
 * holds, through adds, deletes and re-adds, slot reuse, hash growth, the
 * classic-NAT dest hash, the VIPs' reference counts, and the lists of
 * changed slots workers follow.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl/nlvs_ctl.h"
#include "ctl/ctl_priv.h"
#include "ctl/nlvs_ctl_table.h"
#include "lb/lb_priv.h"

/* ---- stand-ins for what lb_cfg.c calls outside it ---- */

struct nlvs_dp nlvs_dp;
struct lb_worker *lb_workers[NLVS_MAX_WORKERS];
unsigned int lb_nworkers;
struct lb_cfg *lb_cfg_current;
static unsigned int vips_live;		/* addresses L3 answers for */

uint64_t lb_now_ms(void)
{
	return 0;
}

int lb_worker_chunks(struct lb_worker *lw, uint32_t nsvc, uint32_t ndest)
{
	(void)lw, (void)nsvc, (void)ndest;
	return 0;
}

void lb_stats_slot_reset(struct lb_cslot *cs, int is_dest, uint32_t slot)
{
	(void)cs, (void)is_dest, (void)slot;
}

unsigned int lb_mark_nrules(void)
{
	return 0;
}

int lb_mark_vip(unsigned int i, uint32_t mark, int af, union nlvs_addr *a)
{
	(void)i, (void)mark, (void)af, (void)a;
	return 0;
}

void lb_pools_free(struct lb_pools *pl)
{
	(void)pl;
}

static unsigned int graces;		/* grace periods waited for */

void nlvs_dp_rcu_synchronize(void)
{
	graces++;
}

int nlvs_addr_add(enum nlvs_addr_kind kind, int af, const union nlvs_addr *addr, uint16_t port)
{
	(void)kind, (void)af, (void)addr, (void)port;
	vips_live++;
	return 0;
}

int nlvs_addr_del(int af, const union nlvs_addr *addr)
{
	(void)af, (void)addr;
	assert_true(vips_live > 0);
	vips_live--;
	return 0;
}

void nlvs_addr_batch_begin(void)
{
}

int nlvs_addr_batch_end(void)
{
	return 0;
}

/* ---- helpers ---- */

static struct nlvs_svc_conf svc4(uint32_t addr, uint16_t port)
{
	struct nlvs_svc_conf c;

	memset(&c, 0, sizeof(c));
	c.key.af = AF_INET;
	c.key.protocol = IPPROTO_TCP;
	c.key.addr.ip = htonl(addr);
	c.key.port = htons(port);
	snprintf(c.sched_name, sizeof(c.sched_name), "rr");
	c.flags_mask = 0xffffffff;
	c.netmask = 0xffffffff;
	return c;
}

static struct nlvs_dest_conf dest4(uint32_t addr, uint16_t port, int32_t weight)
{
	struct nlvs_dest_conf d;

	memset(&d, 0, sizeof(d));
	d.af = AF_INET;
	d.addr.ip = htonl(addr);
	d.port = htons(port);
	d.fwd = NLVS_FWD_MASQ;
	d.weight = weight;
	return d;
}

/* Publish what changed, as nlserver does before each ACK. */
static const struct lb_cfg *sync(void)
{
	assert_int_equal(lb_cfg_sync(0), 1);
	return lb_cfg_current;
}

/* The VIPs L3 answers for after the tick (with many, or on a slow machine,
 * they are published from the tick rather than per change). */
static unsigned int vips(void)
{
	static uint64_t now_ms;

	now_ms += 1000000;
	assert_int_equal(lb_cfg_update(now_ms), 1);
	return vips_live;
}

static const struct lb_svc *find(uint32_t addr, uint16_t port)
{
	union nlvs_addr a;

	memset(&a, 0, sizeof(a));
	a.ip = htonl(addr);
	return lb_svc_lookup(lb_cfg_current, AF_INET, IPPROTO_TCP, &a, htons(port));
}

/* The published record of @svc agrees with the control API's. */
static void check_svc(const struct nlvs_svc *svc)
{
	const struct lb_cfg *c = lb_cfg_current;
	const struct lb_svc *s = lb_svc_lookup(c, svc->conf.key.af, (uint8_t)svc->conf.key.protocol,
					       &svc->conf.key.addr, svc->conf.key.port);
	uint32_t i;

	assert_non_null(s);
	assert_int_equal(s->slot, (uintptr_t)svc->dp - 1);
	assert_ptr_equal(lb_cfg_svc(c, s->slot), s);
	assert_int_equal(s->gen, lb_csvc[s->slot].gen);
	assert_int_equal(s->ndests, svc->num_dests);
	for (i = 0; i < s->ndests; i++) {
		const struct nlvs_dest *d = nlvs_ctl_dest_at(svc, i);
		const struct lb_dest *e = lb_cfg_dest(c, s->dests[i]);

		assert_int_equal(s->dests[i], (uintptr_t)d->dp - 1);
		assert_true(e->used);
		assert_int_equal(e->gen, lb_cdest[s->dests[i]].gen);
		assert_int_equal(e->addr.ip, d->conf.addr.ip);
		assert_int_equal(e->weight, d->conf.weight);
	}
}

static void check_all(void)
{
	struct nlvs_svc *svc;
	size_t cur = 0;
	uint32_t n = 0;

	while ((svc = nlvs_ctl_svc_next(&cur))) {
		check_svc(svc);
		n++;
	}
	assert_int_equal(lb_cfg_current->nhash, n);
}

static struct lb_pools no_pools;

static int setup(void **state)
{
	(void)state;
	lb_nworkers = 0;
	vips_live = 0;
	if (nlvs_ctl_init() < 0 || lb_cfg_init(&no_pools) < 0)
		return -1;
	lb_cfg_update(0);	/* the first table: full */
	return lb_cfg_current ? 0 : -1;
}

static int teardown(void **state)
{
	unsigned int w;

	(void)state;
	lb_cfg_fini();
	nlvs_ctl_fini();
	for (w = 0; w < lb_nworkers; w++) {
		free(lb_workers[w]);
		lb_workers[w] = NULL;
	}
	lb_nworkers = 0;
	return 0;
}

/* ---- tests ---- */

/* Adds and deletes are steps; enough adds grow the hash (a rebuild of it);
 * every other service deleted leaves holes in probe runs; all the while
 * every service is found, the deleted ones are not, and the VIPs answered
 * for are exactly the services'.  A step copies only the page of the hash
 * it writes, none when only a dest changed. */
static void test_steps_add_del(void **state)
{
	enum { N = 3000 };
	struct nlvs_svc_conf sc;
	struct nlvs_dest_conf dc;
	uint32_t i, hsize0 = lb_cfg_current->hash.mask + 1, npg, copied = 0;
	const struct lb_cfg *c, *prev;

	(void)state;
	for (i = 0; i < N; i++) {
		sc = svc4(0x0a000000u + i / 3, (uint16_t)(80 + i % 3));	/* 3 ports a VIP */
		assert_int_equal(nlvs_ctl_svc_add(&sc), 0);
		/* kept as retired until the next build, unless a VIP comes
		 * (then freed after the grace period, before the ACK) */
		prev = i % 3 ? lb_cfg_current : NULL;
		c = sync();
		assert_false(c->all);
		npg = lb_hash_npages(c->hash.mask);
		if (prev && c->hash.mask == prev->hash.mask && npg > 1) {
			/* the hash did not grow: one page of it copied */
			assert_int_equal(lb_hash_shared(&c->hash, &prev->hash), npg - 1);
			copied++;
		}
		dc = dest4(0xac100000u + i, 8080, 1);
		assert_int_equal(nlvs_ctl_dest_add(&sc.key, &dc), 0);
		prev = lb_cfg_current;
		c = sync();
		assert_false(c->all);
		assert_ptr_equal(c->hash.pg, prev->hash.pg);	/* a dest: the hash untouched */
	}
	assert_true(copied > N / 3);
	assert_true(lb_cfg_current->hash.mask + 1 > hsize0);	/* it grew */
	check_all();
	assert_int_equal(vips(), N / 3);
	for (i = 0; i < N; i += 2) {
		sc = svc4(0x0a000000u + i / 3, (uint16_t)(80 + i % 3));
		assert_int_equal(nlvs_ctl_svc_del(&sc.key), 0);
		prev = lb_cfg_current;	/* no VIP goes: every VIP keeps an odd port */
		c = sync();
		assert_false(c->all);
		/* a delete writes its entry and the run after it: a page or two */
		npg = lb_hash_npages(c->hash.mask);
		assert_true(lb_hash_shared(&c->hash, &prev->hash) + 2 >= npg);
		assert_null(find(0x0a000000u + i / 3, (uint16_t)(80 + i % 3)));
	}
	check_all();
	for (i = 0; i < N; i++)
		assert_int_equal(find(0x0a000000u + i / 3, (uint16_t)(80 + i % 3)) != NULL, i & 1);
	/* a VIP stays while one of its services does */
	assert_int_equal(vips(), N / 3);
	for (i = 1; i < N; i += 2) {
		sc = svc4(0x0a000000u + i / 3, (uint16_t)(80 + i % 3));
		assert_int_equal(nlvs_ctl_svc_del(&sc.key), 0);
		sync();
	}
	assert_int_equal(lb_cfg_current->nhash, 0);
	assert_int_equal(vips(), 0);
}

/* A service deleted and added again takes a freed slot with a new
 * generation (connections of the old one see it gone); so does a dest. */
static void test_slot_reuse(void **state)
{
	struct nlvs_svc_conf a = svc4(0x0a000001u, 80), b = svc4(0x0a000002u, 80);
	struct nlvs_dest_conf d1 = dest4(0xac100001u, 80, 1), d2 = dest4(0xac100002u, 80, 1);
	uint32_t slot, gen, dslot, dgen;

	(void)state;
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	assert_int_equal(nlvs_ctl_dest_add(&a.key, &d1), 0);
	sync();
	slot = find(0x0a000001u, 80)->slot;
	gen = find(0x0a000001u, 80)->gen;
	dslot = find(0x0a000001u, 80)->dests[0];
	dgen = lb_cfg_dest(lb_cfg_current, dslot)->gen;

	assert_int_equal(nlvs_ctl_svc_del(&a.key), 0);
	sync();
	assert_null(find(0x0a000001u, 80));
	assert_false(lb_cfg_svc(lb_cfg_current, slot)->used);
	assert_int_not_equal(lb_cfg_svc(lb_cfg_current, slot)->gen, gen);
	assert_false(lb_cfg_dest(lb_cfg_current, dslot)->used);
	assert_int_not_equal(lb_cfg_dest(lb_cfg_current, dslot)->gen, dgen);

	assert_int_equal(nlvs_ctl_svc_add(&b), 0);
	assert_int_equal(nlvs_ctl_dest_add(&b.key, &d2), 0);
	sync();
	assert_int_equal(find(0x0a000002u, 80)->slot, slot);
	assert_int_not_equal(find(0x0a000002u, 80)->gen, gen);
	assert_int_equal(find(0x0a000002u, 80)->dests[0], dslot);
	assert_int_not_equal(lb_cfg_dest(lb_cfg_current, dslot)->gen, dgen);
	check_all();
}

/* A step is published without waiting for the workers' grace period (its
 * ACK follows at once); the table it retired is freed after one, by
 * lb_cfg_reclaim() (nlvsd's loop, once the answers are out) or by the next
 * build, never twice.  A new VIP goes live only after one: by then every
 * worker reads a table with its service. */
static void test_grace_after_ack(void **state)
{
	struct nlvs_svc_conf a = svc4(0x0a000001u, 80), b = svc4(0x0a000001u, 81);
	struct nlvs_dest_conf d1 = dest4(0xac100001u, 80, 1), d2 = dest4(0xac100002u, 80, 1),
			      d3 = dest4(0xac100003u, 80, 1);
	unsigned int g, live;

	(void)state;
	lb_cfg_reclaim();
	g = graces;
	live = vips_live;
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	sync();
	if (vips_live > live)
		assert_int_equal(graces, g + 1);	/* before the VIP */
	lb_cfg_reclaim();
	g = graces;

	assert_int_equal(nlvs_ctl_dest_add(&a.key, &d1), 0);
	sync();
	assert_int_equal(graces, g);		/* the ACK did not wait */
	lb_cfg_reclaim();
	assert_int_equal(graces, g + 1);
	lb_cfg_reclaim();
	assert_int_equal(graces, g + 1);	/* nothing left to free */

	assert_int_equal(nlvs_ctl_dest_add(&a.key, &d2), 0);
	sync();
	assert_int_equal(graces, g + 1);
	assert_int_equal(nlvs_ctl_dest_add(&a.key, &d3), 0);
	sync();					/* reclaims the previous one first */
	assert_int_equal(graces, g + 2);
	/* same VIP, new service: no VIP to wait for */
	assert_int_equal(nlvs_ctl_svc_add(&b), 0);
	sync();
	assert_int_equal(graces, g + 3);
	lb_cfg_reclaim();
	assert_int_equal(graces, g + 4);
	check_all();
	assert_int_equal(find(0x0a000001u, 80)->ndests, 3);
	assert_non_null(find(0x0a000001u, 81));
}

/* Weight edits keep the slot and generation, move dests_ver, and keep the
 * kernel's last_weight (the latest non-zero weight); a dest deleted and
 * added again within one step (several changes before one sync) is a new
 * one. */
static void test_weights_and_batches(void **state)
{
	struct nlvs_svc_conf a = svc4(0x0a000001u, 80);
	struct nlvs_dest_conf d1 = dest4(0xac100001u, 80, 5), d2 = dest4(0xac100002u, 80, 1);
	const struct lb_svc *s;
	const struct lb_dest *e;
	uint32_t ver, sched_ver, dslot, dgen;

	(void)state;
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	assert_int_equal(nlvs_ctl_dest_add(&a.key, &d1), 0);
	assert_int_equal(nlvs_ctl_dest_add(&a.key, &d2), 0);
	sync();
	s = find(0x0a000001u, 80);
	ver = s->dests_ver;
	sched_ver = s->sched_ver;
	dslot = s->dests[1];	/* kernel order: newest first, d1 second */
	dgen = lb_cfg_dest(lb_cfg_current, dslot)->gen;

	d1.weight = 0;
	assert_int_equal(nlvs_ctl_dest_edit(&a.key, &d1), 0);
	sync();
	s = find(0x0a000001u, 80);
	e = lb_cfg_dest(lb_cfg_current, dslot);
	assert_int_not_equal(s->dests_ver, ver);
	assert_int_equal(s->sched_ver, sched_ver);
	assert_int_equal(e->gen, dgen);
	assert_int_equal(e->weight, 0);
	assert_int_equal(e->last_weight, 5);
	assert_int_equal(lb_cfg_current->nchg_svc, 1);

	/* nothing changed: a step keeps the versions */
	ver = s->dests_ver;
	assert_int_equal(nlvs_ctl_dest_edit(&a.key, &d1), 0);
	sync();
	assert_int_equal(find(0x0a000001u, 80)->dests_ver, ver);

	/* deleted and added again before one publication */
	assert_int_equal(nlvs_ctl_dest_del(&a.key, &d1), 0);
	assert_int_equal(nlvs_ctl_dest_add(&a.key, &d1), 0);
	sync();
	s = find(0x0a000001u, 80);
	assert_int_equal(s->ndests, 2);
	e = lb_cfg_dest(lb_cfg_current, s->dests[0]);
	assert_int_not_equal(e->gen, dgen);
	assert_int_equal(e->last_weight, 0);
	check_all();
}

/* Classic NAT dests (two workers) are in nat_rs while their service is,
 * through dest and service deletes. */
static void test_nat_rs(void **state)
{
	enum { N = 200 };
	struct nlvs_svc_conf sc;
	struct nlvs_dest_conf dc;
	union nlvs_addr ra;
	uint32_t i, j;

	(void)state;
	lb_nworkers = 2;
	for (i = 0; i < 2; i++)
		lb_workers[i] = calloc(1, sizeof(struct lb_worker));
	for (i = 0; i < N; i++) {
		sc = svc4(0x0a000000u + i, 80);
		assert_int_equal(nlvs_ctl_svc_add(&sc), 0);
		for (j = 0; j < 4; j++) {
			dc = dest4(0xac100000u + i * 4 + j, 80, 1);
			assert_int_equal(nlvs_ctl_dest_add(&sc.key, &dc), 0);
			sync();
		}
	}
	assert_int_equal(lb_cfg_current->nnat_rs, N * 4);
	memset(&ra, 0, sizeof(ra));
	for (i = 0; i < N; i++) {	/* one dest of each, every other service */
		sc = svc4(0x0a000000u + i, 80);
		dc = dest4(0xac100000u + i * 4 + 1, 80, 1);
		assert_int_equal(nlvs_ctl_dest_del(&sc.key, &dc), 0);
		if (i & 1)
			assert_int_equal(nlvs_ctl_svc_del(&sc.key), 0);
		sync();
	}
	assert_int_equal(lb_cfg_current->nnat_rs, N / 2 * 3);
	for (i = 0; i < N; i++)
		for (j = 0; j < 4; j++) {
			ra.ip = htonl(0xac100000u + i * 4 + j);
			assert_int_equal(lb_nat_rs_is(lb_cfg_current, AF_INET, IPPROTO_TCP, &ra,
						      htons(80)),
					 !(i & 1) && j != 1);
		}
	check_all();
}

/* A table lists the slots changed since the oldest table a worker follows:
 * a worker one table behind finds both tables' changes in the newest. */
static void test_lists_for_workers_behind(void **state)
{
	struct nlvs_svc_conf a = svc4(0x0a000001u, 80), b = svc4(0x0a000002u, 80);
	const struct lb_cfg *c;
	uint32_t sa;

	(void)state;
	lb_nworkers = 1;
	lb_workers[0] = calloc(1, sizeof(struct lb_worker));
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	c = sync();
	sa = find(0x0a000001u, 80)->slot;
	lb_workers[0]->cfg_seq = c->seq;	/* it followed */
	assert_int_equal(nlvs_ctl_svc_add(&b), 0);
	c = sync();
	assert_int_equal(c->from_seq, c->seq - 1);
	assert_int_equal(c->nchg_svc, 1);
	/* the worker did not follow that one */
	assert_int_equal(nlvs_ctl_svc_del(&b.key), 0);
	c = sync();
	assert_int_equal(c->from_seq, c->seq - 2);
	assert_int_equal(c->nchg_svc, 1);	/* b's slot, once */
	assert_int_not_equal(c->chg_svc[0], sa);
	/* a full table says all; the next lists start from it */
	nlvs_ctl_changed();
	c = sync();
	assert_true(c->all);
	lb_workers[0]->cfg_seq = c->seq;
	assert_int_equal(nlvs_ctl_svc_del(&a.key), 0);
	c = sync();
	assert_false(c->all);
	assert_int_equal(c->from_seq, c->seq - 1);
	assert_int_equal(c->nchg_svc, 1);
	assert_int_equal(c->chg_svc[0], sa);
}

/* A flush (global: a full rebuild) frees every slot and VIP. */
static void test_flush(void **state)
{
	struct nlvs_svc_conf sc;
	uint32_t i;

	(void)state;
	for (i = 0; i < 50; i++) {
		sc = svc4(0x0a000000u + i, 80);
		assert_int_equal(nlvs_ctl_svc_add(&sc), 0);
	}
	sync();
	assert_int_equal(vips(), 50);
	assert_int_equal(nlvs_ctl_flush(), 0);
	sync();
	assert_true(lb_cfg_current->all);
	assert_int_equal(lb_cfg_current->nhash, 0);
	assert_int_equal(vips(), 0);
	for (i = 0; i < 50; i++)
		assert_null(find(0x0a000000u + i, 80));
	sc = svc4(0x0a000007u, 80);
	assert_int_equal(nlvs_ctl_svc_add(&sc), 0);
	sync();
	assert_false(lb_cfg_current->all);
	check_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_steps_add_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slot_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grace_after_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weights_and_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nat_rs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists_for_workers_behind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
