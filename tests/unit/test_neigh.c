// SPDX-License-Identifier: GPL-2.0-or-later
/* The neighbour table (nlvs_neigh.h): lookups at any alignment, admission
 * (learnt entries never displace next hops, next hops always find room
 * while learnt or idle entries exist), eviction order, reclaim, the sweep. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "net/nlvs_neigh.h"

#define HZ	1000u		/* ticks per second in these tests */

static struct nlvs_neigh_table *table(unsigned int entries)
{
	struct nlvs_neigh_table *t = calloc(1, nlvs_neigh_table_size(entries));

	assert_non_null(t);
	nlvs_neigh_table_init(t, entries, 0x5eed);
	return t;
}

static void v4(union nlvs_addr *a, uint32_t host)
{
	memset(a, 0, sizeof(*a));
	a->ip = htonl(0x0a000000u | host);	/* 10.x.y.z */
}

static unsigned int bucket(const struct nlvs_neigh_table *t, const struct nlvs_neigh *e)
{
	return (unsigned int)(e - t->e) / NLVS_NEIGH_WAYS;
}

static void test_sizes(void **state)
{
	struct nlvs_neigh_table *t;

	(void)state;
	assert_int_equal(nlvs_neigh_table_size(1),
			 sizeof(*t) + NLVS_NEIGH_MIN * sizeof(struct nlvs_neigh));
	assert_int_equal(nlvs_neigh_table_size(1000),
			 sizeof(*t) + 1024 * sizeof(struct nlvs_neigh));
	t = table(1000);
	assert_int_equal(nlvs_neigh_table_entries(t), 1024);
	assert_int_equal(t->nbuckets, 1024 / NLVS_NEIGH_WAYS);
	free(t);
}

/* Addresses straight out of a packet: any alignment, IPv4 and IPv6. */
static void test_find_unaligned(void **state)
{
	struct nlvs_neigh_table *t = table(64);
	uint8_t buf[64];
	union nlvs_addr a, b;
	struct nlvs_neigh *e;
	unsigned int off;

	(void)state;
	v4(&a, 7);
	inet_pton(AF_INET6, "fd00:77:1::2", &b);
	e = nlvs_neigh_add(t, AF_INET, &a, 1, 1, 5, NULL);
	assert_non_null(e);
	assert_int_equal(e->state, NLVS_NB_INCOMPLETE);
	assert_int_equal(e->wanted, 1);
	e = nlvs_neigh_add(t, AF_INET6, &b, 1, 0, 5, NULL);
	assert_non_null(e);
	assert_int_equal(e->state, NLVS_NB_STALE);
	assert_int_equal(e->wanted, 0);
	assert_int_equal(t->count, 2);
	for (off = 1; off < 8; off++) {
		memcpy(buf + off, &a, 4);
		assert_non_null(nlvs_neigh_find(t, AF_INET, buf + off, 1));
		assert_null(nlvs_neigh_find(t, AF_INET, buf + off, 0));	/* other port */
		memcpy(buf + off, &b, 16);
		assert_ptr_equal(nlvs_neigh_find(t, AF_INET6, buf + off, 1), e);
	}
	nlvs_neigh_del(t, e);
	assert_null(nlvs_neigh_find(t, AF_INET6, &b, 1));
	assert_int_equal(t->count, 1);
	free(t);
}

/* A flood of learnt senders (ten times the table) never displaces a next
 * hop; it only ever finds the table full where a bucket holds nothing but
 * next hops. */
static void test_flood_keeps_wanted(void **state)
{
	struct nlvs_neigh_table *t = table(64);
	enum nlvs_neigh_add_how how;
	union nlvs_addr a;
	unsigned int i, full = 0, evicted = 0;

	(void)state;
	for (i = 0; i < 16; i++) {
		v4(&a, 0x10000 + i);
		assert_non_null(nlvs_neigh_add(t, AF_INET, &a, 0, 1, i, NULL));
	}
	for (i = 0; i < 640; i++) {
		struct nlvs_neigh *e;

		v4(&a, 0x20000 + i);
		e = nlvs_neigh_add(t, AF_INET, &a, 0, 0, 100 + i, &how);
		if (!e) {
			assert_int_equal(how, NLVS_NEIGH_ADD_FULL);
			full++;
		} else if (how == NLVS_NEIGH_ADD_EVICTED) {
			evicted++;
		}
	}
	assert_true(evicted > 500);	/* learnt entries churn among themselves */
	assert_int_equal(t->count, 64);
	for (i = 0; i < 16; i++) {
		v4(&a, 0x10000 + i);
		assert_non_null(nlvs_neigh_find(t, AF_INET, &a, 0));
	}
	(void)full;
	free(t);
}

/* After a flood fills every way with learnt entries, each new next hop gets
 * a place at once, by evicting a learnt one. */
static void test_wanted_after_flood(void **state)
{
	struct nlvs_neigh_table *t = table(1024);
	enum nlvs_neigh_add_how how;
	union nlvs_addr a;
	unsigned int i;

	(void)state;
	for (i = 0; i < 11000; i++) {
		v4(&a, 0x30000 + i);
		assert_non_null(nlvs_neigh_add(t, AF_INET, &a, 0, 0, i, NULL));
	}
	assert_int_equal(t->count, 1024);
	for (i = 0; i < 64; i++) {
		struct nlvs_neigh *e;

		v4(&a, 0x40000 + i);
		e = nlvs_neigh_add(t, AF_INET, &a, 0, 1, 20000 + i, &how);
		assert_non_null(e);
		assert_int_equal(how, NLVS_NEIGH_ADD_EVICTED);
		assert_int_equal(e->wanted, 1);
	}
	assert_int_equal(t->count, 1024);
	free(t);
}

/* Next hops among themselves: the least recently active goes first; never
 * one with packets waiting for resolution. */
static void test_evict_order(void **state)
{
	struct nlvs_neigh_table *t = table(64);
	enum nlvs_neigh_add_how how;
	uint64_t when[200];
	union nlvs_addr a;
	unsigned int i, j, checked = 0;

	(void)state;
	for (i = 0; i < 200; i++) {
		struct nlvs_neigh *e;
		unsigned int gone = 200;

		v4(&a, 0x50000 + i);
		/* activity out of order: "used" later than added for some */
		when[i] = 1000 + (i * 7919u) % 1000;
		e = nlvs_neigh_add(t, AF_INET, &a, 0, 1, when[i], &how);
		assert_non_null(e);
		if (how != NLVS_NEIGH_ADD_EVICTED)
			continue;
		for (j = 0; j < i; j++) {
			v4(&a, 0x50000 + j);
			if (when[j] && !nlvs_neigh_find(t, AF_INET, &a, 0)) {
				assert_int_equal(gone, 200);	/* exactly one went */
				gone = j;
			}
		}
		assert_true(gone < 200);
		/* nothing still in that bucket was less recently active */
		for (j = 0; j < NLVS_NEIGH_WAYS; j++) {
			const struct nlvs_neigh *o = &t->e[bucket(t, e) * NLVS_NEIGH_WAYS + j];

			if (o != e)
				assert_true(o->used >= when[gone]);
		}
		when[gone] = 0;
		checked++;
	}
	assert_true(checked >= 100);
	/* every way waits for resolution: a next hop finds no room */
	for (i = 0; i < nlvs_neigh_table_entries(t); i++)
		t->e[i].npending = 1;
	v4(&a, 0x60000);
	assert_null(nlvs_neigh_add(t, AF_INET, &a, 0, 1, 5000, &how));
	assert_int_equal(how, NLVS_NEIGH_ADD_FULL);
	for (i = 0; i < nlvs_neigh_table_entries(t); i++)
		t->e[i].npending = 0;
	free(t);
}

static void test_expired(void **state)
{
	const struct nlvs_neigh_times tm = {
		.retry = 3 * HZ, .learnt_idle = 120 * HZ, .wanted_idle = 600 * HZ,
	};
	struct nlvs_neigh e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_false(nlvs_neigh_expired(&e, 1000 * HZ, &tm));		/* free */
	e.state = NLVS_NB_STALE;					/* learnt */
	e.updated = 10 * HZ;
	assert_false(nlvs_neigh_expired(&e, 130 * HZ, &tm));
	assert_true(nlvs_neigh_expired(&e, 131 * HZ, &tm));
	e.state = NLVS_NB_REACHABLE;					/* wanted */
	e.wanted = 1;
	e.used = 50 * HZ;
	assert_false(nlvs_neigh_expired(&e, 650 * HZ, &tm));
	assert_true(nlvs_neigh_expired(&e, 651 * HZ, &tm));
	e.state = NLVS_NB_INCOMPLETE;					/* given up */
	e.last_req = 60 * HZ;
	assert_false(nlvs_neigh_expired(&e, 63 * HZ, &tm));
	assert_true(nlvs_neigh_expired(&e, 64 * HZ, &tm));
	e.npending = 1;							/* still waiting */
	assert_false(nlvs_neigh_expired(&e, 10000 * HZ, &tm));
}

/* The sweep visits every entry once per round, a slice at a time. */
static void test_sweep(void **state)
{
	struct nlvs_neigh_table *t = table(1024);
	static uint8_t seen[1024];
	unsigned int i, j;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 2 * 1024 / 8; i++) {
		struct nlvs_neigh *e = nlvs_neigh_sweep_next(t, 8);

		for (j = 0; j < 8; j++) {
			assert_true(e + j < t->e + 1024);
			seen[e + j - t->e]++;
		}
	}
	for (i = 0; i < 1024; i++)
		assert_int_equal(seen[i], 2);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_find_unaligned),
		cmocka_unit_test(test_flood_keeps_wanted),
		cmocka_unit_test(test_wanted_after_flood),
		cmocka_unit_test(test_evict_order),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
