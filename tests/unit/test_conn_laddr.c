// SPDX-License-Identifier: GPL-2.0-or-later
/* Local-address ports: partition between workers, exhaustion, frees; the
 * per-address slices, pool allocation over address ids, and the id
 * registry that lets pools change on reload. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "net/nlvs_drop.h"
#include "lb/nlvs_laddr.h"

static void test_owner_partition(void **state)
{
	unsigned int w, p;

	for (w = 1; w <= 8; w++) {
		unsigned int per[8] = { 0 };
		uint16_t mask = nlvs_laddr_owner_mask(w);

		for (p = 0; p < 65536; p++) {
			unsigned int o = nlvs_laddr_port_owner((uint16_t)p, w);

			assert_true(o < w);
			/* ports with equal low bits have the same owner (rte_flow) */
			assert_int_equal(o, nlvs_laddr_port_owner((uint16_t)(p & mask), w));
			if ((w & (w - 1)) == 0)
				assert_int_equal(o, p % w);
			per[o]++;
		}
		for (p = 0; p < w; p++)
			assert_true(per[p] >= 65536 / (2 * w));	/* nobody starves */
	}
	assert_int_equal(nlvs_laddr_owner_mask(3), 3);
	assert_int_equal(nlvs_laddr_owner_mask(4), 3);
	assert_int_equal(nlvs_laddr_owner_mask(1), 0);
}

/* Three workers drain two addresses: every port 1024..65535 of each address
 * handed out exactly once, by its owner. */
static void test_drain_three_workers(void **state)
{
	static uint8_t seen[2][65536];
	union nlvs_addr a[2], got;
	struct nlvs_laddr_ports *lp[3];
	unsigned int w, i, p, total = 0;
	uint16_t port;

	memset(a, 0, sizeof(a));
	a[0].ip = inet_addr("10.0.0.100");
	a[1].ip = inet_addr("10.0.0.101");
	memset(seen, 0, sizeof(seen));
	for (w = 0; w < 3; w++) {
		lp[w] = nlvs_laddr_ports_create(AF_INET, a, 2, w, 3, 1024, 65535);
		assert_non_null(lp[w]);
	}
	for (w = 0; w < 3; w++) {
		uint32_t avail = nlvs_laddr_ports_avail(lp[w]);

		for (;;) {
			int r = nlvs_laddr_port_alloc(lp[w], &got, &port);

			if (r) {
				assert_int_equal(r, NLVS_DROP_NO_LADDR_PORT);
				break;
			}
			i = got.ip == a[0].ip ? 0 : 1;
			assert_true(got.ip == a[i].ip);
			p = ntohs(port);
			assert_true(p >= 1024);
			assert_int_equal(nlvs_laddr_port_owner((uint16_t)p, 3), w);
			assert_int_equal(nlvs_laddr_owner(lp[(w + 1) % 3], &got, port), (int)w);
			assert_int_equal(seen[i][p], 0);
			seen[i][p] = 1;
			total++;
			avail--;
			assert_int_equal(nlvs_laddr_ports_avail(lp[w]), avail);
		}
		assert_int_equal(nlvs_laddr_ports_avail(lp[w]), 0);
	}
	assert_int_equal(total, 2 * (65536 - 1024));
	for (w = 0; w < 3; w++)
		nlvs_laddr_ports_destroy(lp[w]);
}

static void test_free_rules(void **state)
{
	union nlvs_addr a, other, got, got2;
	struct nlvs_laddr_ports *lp;
	uint16_t port, port2, first;
	unsigned int i;

	memset(&a, 0, sizeof(a));
	memset(&other, 0, sizeof(other));
	inet_pton(AF_INET6, "fd00::100", &a);
	inet_pton(AF_INET6, "fd00::101", &other);
	lp = nlvs_laddr_ports_create(AF_INET6, &a, 1, 1, 2, 2000, 2009);	/* 5 odd ports */
	assert_non_null(lp);
	assert_int_equal(nlvs_laddr_ports_avail(lp), 5);
	assert_int_equal(nlvs_laddr_port_alloc(lp, &got, &first), 0);
	assert_memory_equal(&got, &a, 16);
	assert_int_equal(ntohs(first) % 2, 1);
	/* not ours, not in use, wrong address */
	assert_int_equal(nlvs_laddr_port_free(lp, &a, htons(2001) == first ? htons(2003) :
					      htons(2001)), -EINVAL);
	assert_int_equal(nlvs_laddr_port_free(lp, &other, first), -EINVAL);
	assert_int_equal(nlvs_laddr_owner(lp, &other, first), -1);
	assert_int_equal(nlvs_laddr_port_free(lp, &a, first), 0);
	assert_int_equal(nlvs_laddr_port_free(lp, &a, first), -EINVAL);	/* double */
	/* FIFO: the freed port comes back only after the other four */
	for (i = 0; i < 4; i++) {
		assert_int_equal(nlvs_laddr_port_alloc(lp, &got2, &port), 0);
		assert_int_not_equal(port, first);
	}
	assert_int_equal(nlvs_laddr_port_alloc(lp, &got2, &port2), 0);
	assert_int_equal(port2, first);
	assert_int_equal(nlvs_laddr_port_alloc(lp, &got2, &port), NLVS_DROP_NO_LADDR_PORT);
	nlvs_laddr_ports_destroy(lp);
	assert_null(nlvs_laddr_ports_create(AF_INET, &a, 1, 2, 2, 1024, 65535));
	assert_null(nlvs_laddr_ports_create(AF_INET, &a, 0, 0, 1, 1024, 65535));
}

/* A slice: its worker's ports only, idle exactly when all are back. */
static void test_slice(void **state)
{
	struct nlvs_laddr_slice *s = nlvs_laddr_slice_create(0, 2, 2000, 2009, 3);
	uint16_t ports[5], port;
	unsigned int i, j;

	assert_non_null(s);
	assert_true(nlvs_laddr_slice_idle(s));
	assert_int_equal(nlvs_laddr_slice_avail(s), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(nlvs_laddr_slice_alloc(s, &ports[i]), 0);
		assert_int_equal(ntohs(ports[i]) % 2, 0);
		assert_true(ntohs(ports[i]) >= 2000 && ntohs(ports[i]) <= 2009);
		for (j = 0; j < i; j++)
			assert_int_not_equal(ports[i], ports[j]);
		assert_false(nlvs_laddr_slice_idle(s));
	}
	assert_int_equal(nlvs_laddr_slice_alloc(s, &port), NLVS_DROP_NO_LADDR_PORT);
	assert_int_equal(nlvs_laddr_slice_free(s, htons(2001)), -EINVAL);	/* not ours */
	for (i = 0; i < 5; i++) {
		assert_false(nlvs_laddr_slice_idle(s));
		assert_int_equal(nlvs_laddr_slice_free(s, ports[i]), 0);
		assert_int_equal(nlvs_laddr_slice_free(s, ports[i]), -EINVAL);	/* double */
	}
	assert_true(nlvs_laddr_slice_idle(s));
	/* FIFO across a full cycle */
	assert_int_equal(nlvs_laddr_slice_alloc(s, &port), 0);
	assert_int_equal(port, ports[0]);
	nlvs_laddr_slice_destroy(s);
	assert_null(nlvs_laddr_slice_create(2, 2, 1024, 65535, 0));
	assert_null(nlvs_laddr_slice_create(0, 1, 2000, 1999, 0));
}

/* Round robin over a pool's ids, skipping exhausted and missing slices. */
static void test_pool_alloc(void **state)
{
	struct nlvs_laddr_slice *sl[4] = { NULL };
	const uint16_t ids[3] = { 2, 0, 3 };	/* slice 3 missing */
	unsigned int i, which, n2 = 0, n0 = 0;
	uint32_t rr = 0;
	uint16_t port;

	sl[0] = nlvs_laddr_slice_create(0, 1, 3000, 3009, 0);	/* 10 ports */
	sl[2] = nlvs_laddr_slice_create(0, 1, 3000, 3003, 1);	/* 4 ports */
	assert_non_null(sl[0]);
	assert_non_null(sl[2]);
	for (i = 0; i < 6; i++) {	/* 2, 0, (3 missing) 2, 0, 2, 0 */
		assert_int_equal(nlvs_laddr_pool_alloc(sl, ids, 3, &rr, &which, &port), 0);
		assert_int_equal(which, i % 2);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(nlvs_laddr_pool_alloc(sl, ids, 3, &rr, &which, &port), 0);
		assert_true(which < 2);
		*(which ? &n0 : &n2) += 1;
	}
	assert_int_equal(n2, 1);	/* slice 2 ran out after its fourth */
	assert_int_equal(n0, 7);
	assert_int_equal(nlvs_laddr_slice_avail(sl[0]), 0);
	assert_int_equal(nlvs_laddr_pool_alloc(sl, ids, 3, &rr, &which, &port),
			 NLVS_DROP_NO_LADDR_PORT);
	assert_int_equal(nlvs_laddr_pool_alloc(sl, ids, 0, &rr, &which, &port),
			 NLVS_DROP_NO_LADDR_PORT);
	rr = 77;	/* a cursor from a longer pool of an older table */
	assert_int_equal(nlvs_laddr_slice_free(sl[2], htons(3001)), 0);
	assert_int_equal(nlvs_laddr_pool_alloc(sl, ids, 3, &rr, &which, &port), 0);
	assert_int_equal(which, 0);
	assert_int_equal(ntohs(port), 3001);
	nlvs_laddr_slice_destroy(sl[0]);
	nlvs_laddr_slice_destroy(sl[2]);
}

/* An address that moves from one VIP's pool to another's keeps its slice:
 * ports that connections of the first pool still hold are never handed out
 * by the second, and the slice is idle only once they are all back. */
static void test_pool_move(void **state)
{
	static uint8_t held[3][65536];
	struct nlvs_laddr_slice *sl[3];
	const uint16_t a[2] = { 0, 1 }, b[2] = { 1, 2 };
	uint16_t port, ports[64];
	unsigned int i, which, n = 0, from_b1 = 0;
	uint32_t rr_a = 0, rr_b = 0;

	memset(held, 0, sizeof(held));
	for (i = 0; i < 3; i++) {
		sl[i] = nlvs_laddr_slice_create(0, 1, 5000, 5031, i);	/* 32 ports */
		assert_non_null(sl[i]);
	}
	for (i = 0; i < 20; i++) {	/* pool A = {0, 1}: 10 ports of address 1 held */
		assert_int_equal(nlvs_laddr_pool_alloc(sl, a, 2, &rr_a, &which, &port), 0);
		held[a[which]][ntohs(port)] = 1;
		if (a[which] == 1)
			ports[n++] = port;
	}
	assert_int_equal(n, 10);
	/* reload: address 1 now in pool B = {1, 2}; A's connections live on */
	for (;;) {
		if (nlvs_laddr_pool_alloc(sl, b, 2, &rr_b, &which, &port))
			break;
		assert_int_equal(held[b[which]][ntohs(port)], 0);
		held[b[which]][ntohs(port)] = 1;
		from_b1 += b[which] == 1;
	}
	assert_int_equal(from_b1, 32 - 10);
	/* B's connections end; A's ten still hold address 1 */
	for (port = 5000; port <= 5031; port++) {
		unsigned int k, ours = 0;

		for (k = 0; k < n; k++)
			ours |= ports[k] == htons(port);
		if (!ours)
			assert_int_equal(nlvs_laddr_slice_free(sl[1], htons(port)), 0);
	}
	assert_false(nlvs_laddr_slice_idle(sl[1]));
	for (i = 0; i < n; i++)
		assert_int_equal(nlvs_laddr_slice_free(sl[1], ports[i]), 0);
	assert_true(nlvs_laddr_slice_idle(sl[1]));
	for (i = 0; i < 3; i++)
		nlvs_laddr_slice_destroy(sl[i]);
}

static union nlvs_addr v4(const char *s)
{
	union nlvs_addr a;

	memset(&a, 0, sizeof(a));
	a.ip = inet_addr(s);
	return a;
}

/* The id registry over reloads: new ids for new addresses, retiring ids
 * kept (and revived by an address that comes back), ids reused only once
 * released, a plan that does not fit changes nothing. */
static void test_ids(void **state)
{
	static struct nlvs_laddr_ids t;
	union nlvs_addr a = v4("10.0.0.1"), b = v4("10.0.0.2"), c = v4("10.0.0.3");
	union nlvs_addr d = v4("10.0.0.4"), dirty = a;
	union nlvs_addr a6;

	memset(&a6, 0, sizeof(a6));
	memcpy(&a6, &a, 4);	/* same bytes, other family */
	nlvs_laddr_ids_init(&t, 3);
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &a), 0);
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &b), 1);
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &a), 0);	/* in two pools */
	assert_int_equal(t.e[0].state, NLVS_LADDR_ID_NEW);
	assert_int_equal(nlvs_laddr_ids_commit(&t), 0);
	assert_int_equal(t.e[0].state, NLVS_LADDR_ID_ACTIVE);
	assert_int_equal(t.e[1].state, NLVS_LADDR_ID_ACTIVE);
	dirty.b[9] = 0x5a;	/* IPv4: only the first four bytes count */
	assert_int_equal(nlvs_laddr_ids_find(&t, AF_INET, &dirty), 0);
	assert_int_equal(nlvs_laddr_ids_find(&t, AF_INET6, &a6), -ENOENT);

	/* reload: a leaves, c comes */
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &b), 1);
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &c), 2);
	assert_int_equal(nlvs_laddr_ids_commit(&t), 1);
	assert_int_equal(t.e[0].state, NLVS_LADDR_ID_RETIRING);
	assert_int_equal(t.e[2].state, NLVS_LADDR_ID_ACTIVE);

	/* a reload that needs a fourth id while a still retires: refused whole */
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &c), 2);
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &d), -ENOSPC);
	nlvs_laddr_ids_abort(&t);
	assert_int_equal(t.e[0].state, NLVS_LADDR_ID_RETIRING);
	assert_int_equal(t.e[1].state, NLVS_LADDR_ID_ACTIVE);
	assert_int_equal(t.e[2].state, NLVS_LADDR_ID_ACTIVE);
	assert_int_equal(nlvs_laddr_ids_find(&t, AF_INET, &d), -ENOENT);

	/* a comes back while it retires: same id, its slices still hold */
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &a), 0);
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &b), 1);
	assert_int_equal(nlvs_laddr_ids_commit(&t), 1);	/* c retires */
	assert_int_equal(t.e[0].state, NLVS_LADDR_ID_ACTIVE);
	assert_int_equal(t.e[2].state, NLVS_LADDR_ID_RETIRING);
	nlvs_laddr_ids_release(&t, 1);	/* active: not released */
	assert_int_equal(t.e[1].state, NLVS_LADDR_ID_ACTIVE);

	/* d needs an id: only once c is released */
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &d), -ENOSPC);
	nlvs_laddr_ids_abort(&t);
	nlvs_laddr_ids_release(&t, 2);
	assert_int_equal(t.e[2].state, NLVS_LADDR_ID_FREE);
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &a), 0);
	assert_int_equal(nlvs_laddr_ids_plan(&t, AF_INET, &d), 2);
	assert_int_equal(nlvs_laddr_ids_commit(&t), 1);	/* b retires */
	assert_int_equal(t.e[1].state, NLVS_LADDR_ID_RETIRING);
	assert_int_equal(nlvs_laddr_ids_find(&t, AF_INET, &c), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_partition),
		cmocka_unit_test(test_drain_three_workers),
		cmocka_unit_test(test_free_rules),
		cmocka_unit_test(test_slice),
		cmocka_unit_test(test_pool_alloc),
		cmocka_unit_test(test_pool_move),
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
