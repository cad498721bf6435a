// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hashing schedulers: the kernel's hsiphash (its own test vectors), dh, sh
 * and mh bucket layouts, SCHED1 fallback, SCHED2 ports and Maglev's
 * consistency when dests come and go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "test_sched_util.h"
#include "sched/sched_priv.h"

/* lib/siphash_kunit.c, BITS_PER_LONG == 64: hsiphash of bytes 0..i-1 */
static const uint32_t hsip_vectors[64] = {
	0x050fc4dc, 0x7d57ca93, 0x4dc7d44d, 0xe7ddf7fb, 0x88d38328, 0x49533b67,
	0xc59f22a7, 0x9bb11140, 0x8d299a8e, 0x6c063de4, 0x92ff097f, 0xf94dc352,
	0x57b4d9a2, 0x1229ffa7, 0xc0f95d34, 0x2a519956, 0x7d908b66, 0x63dbd80c,
	0xb473e63e, 0x8d297d1c, 0xa6cce040, 0x2b45f844, 0xa320872e, 0xdae6c123,
	0x67349c8c, 0x705b0979, 0xca9913a5, 0x4ade3b35, 0xef6cd00d, 0x4ab1e1f4,
	0x43c5e663, 0x8c21d1bc, 0x16a7b60d, 0x7a8ff9bf, 0x1f2a753e, 0xbf186b91,
	0xada26206, 0xa3c33057, 0xae3a36a1, 0x7b108392, 0x99e41531, 0x3f1ad944,
	0xc8138825, 0xc28949a6, 0xfaf8876b, 0x9f042196, 0x68b1d623, 0x8b5114fd,
	0xdf074c46, 0x12cc86b3, 0x0a52098f, 0x9d292f9a, 0xa2f41f12, 0x43a71ed0,
	0x73f0bce6, 0x70a7e980, 0x243c6d75, 0xfdb71513, 0xa67d8a08, 0xb7e8f148,
	0xf7a644ee, 0x0f1837f2, 0x4b6694e0, 0xb7bbb3a8,
};

static void test_hsiphash(void **state)
{
	const struct nlvs_hsiphash_key key = {
		{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
	};
	uint8_t in[65];
	unsigned int i;

	(void)state;
	for (i = 0; i < 64; i++)
		in[i] = (uint8_t)i;
	for (i = 0; i < 64; i++)
		assert_int_equal(nlvs_hsiphash(in, i, &key), hsip_vectors[i]);
	/* unaligned input */
	for (i = 0; i < 64; i++)
		in[i + 1] = (uint8_t)i;
	for (i = 0; i < 64; i++)
		assert_int_equal(nlvs_hsiphash(in + 1, i, &key), hsip_vectors[i]);
}

static void test_hash32(void **state)
{
	(void)state;
	/* hash_32(v, 8) = (v * 0x61C88647) >> 24, worked by hand */
	assert_int_equal(nlvs_sched_hash32(0, 8), 0);
	assert_int_equal(nlvs_sched_hash32(1, 8), 0x61);
	assert_int_equal(nlvs_sched_hash32(2, 8), 0xc3);
	assert_int_equal(nlvs_sched_hash32(3, 8), 0x25);
}

static void test_dh(void **state)
{
	struct nlvs_rs *a, *b, *c, *p;
	struct tsvc t;
	int n[3] = { 0 };
	uint32_t x;

	(void)state;
	ts_init(&t, "dh", 0);
	a = ts_add(&t, 1, 1);
	b = ts_add(&t, 2, 5);
	c = ts_add(&t, 3, 1);			/* list c b a; weights ignored */
	/* bucket i holds list[i % 3]: daddr 0 -> 0 (c), 1 -> 97 (b), 2 -> 195 (c),
	 * 3 -> 37 (b) */
	assert_ptr_equal(ts_pick_from(&t, 7, 1, 0), c);
	assert_ptr_equal(ts_pick_from(&t, 8, 2, 1), b);
	assert_ptr_equal(ts_pick_from(&t, 9, 3, 2), c);
	assert_ptr_equal(ts_pick_from(&t, 9, 3, 3), b);
	/* the source does not matter; the destination spreads evenly */
	for (x = 0; x < 30000; x++) {
		p = ts_pick_from(&t, x * 7919u, (uint16_t)x, 0x0a100000u + x);
		assert_ptr_equal(p, ts_pick_from(&t, 1, 2, 0x0a100000u + x));
		n[p == a ? 0 : p == b ? 1 : 2]++;
	}
	assert_in_range(n[0], 8500, 11500);
	assert_in_range(n[1], 8500, 11500);
	/* no fallback: a quiesced dest's addresses get nothing */
	ts_weight(&t, b, 0);
	assert_null(ts_pick_from(&t, 8, 2, 1));
	assert_ptr_equal(ts_pick_from(&t, 7, 1, 0), c);
	c->flags |= NLVS_RS_F_OVERLOAD;
	assert_null(ts_pick_from(&t, 7, 1, 0));
	ts_fini(&t);
}

static void test_sh(void **state)
{
	struct nlvs_rs *a, *b, *p, *q;
	struct tsvc t;
	int n[2] = { 0 }, moved = 0;
	uint32_t x;

	(void)state;
	ts_init(&t, "sh", 0);
	a = ts_add(&t, 1, 3);
	b = ts_add(&t, 2, 1);			/* list b a: buckets b a a a b a a a ... */
	assert_ptr_equal(ts_pick_from(&t, 0, 1, 9), b);		/* bucket 0 */
	assert_ptr_equal(ts_pick_from(&t, 1, 2, 9), a);		/* bucket 97 */
	assert_ptr_equal(ts_pick_from(&t, 2, 3, 9), a);		/* bucket 195 */
	for (x = 0; x < 40000; x++) {
		p = ts_pick_from(&t, 0xc0000000u + x * 2654435761u, 1, 9);
		/* the same source always lands on the same dest, any port */
		assert_ptr_equal(p, ts_pick_from(&t, 0xc0000000u + x * 2654435761u, 999, 5));
		n[p == a]++;
		assert_ptr_equal(p, (nlvs_sched_hash32(0xc0000000u + x * 2654435761u, 8) % 4)
				    ? a : b);
	}
	assert_in_range(n[0], 8500, 11500);	/* b: 64 of 256 buckets */

	/* b quiesced: its sources get nothing without SCHED1 */
	ts_weight(&t, b, 0);
	assert_null(ts_pick_from(&t, 0, 1, 9));
	assert_ptr_equal(ts_pick_from(&t, 1, 1, 9), a);
	/* SCHED1: they fall back to a, the others stay where they were */
	t.svc.flags = NLVS_SVC_F_SCHED1;
	assert_ptr_equal(ts_pick_from(&t, 0, 1, 9), a);
	ts_fini(&t);

	/* SCHED2: the source port is part of the key */
	ts_init(&t, "sh", NLVS_SVC_F_SCHED2);
	a = ts_add(&t, 1, 1);
	b = ts_add(&t, 2, 1);			/* list b a: even buckets b */
	assert_ptr_equal(ts_pick_from(&t, 0, 0, 9), b);	/* key 0 */
	assert_ptr_equal(ts_pick_from(&t, 0, 1, 9), a);	/* key 1: bucket 97 */
	assert_ptr_equal(ts_pick_from(&t, 1, 0, 9), a);
	assert_ptr_equal(ts_pick_from(&t, 0, 2, 9), a);	/* bucket 195 */
	for (x = 0; x < 2000; x++) {
		p = ts_pick_from(&t, 0x0a0a0a0au, (uint16_t)(1024 + x), 9);
		q = ts_pick_from(&t, 0x0a0a0a0au, (uint16_t)(1024 + x), 7);
		assert_ptr_equal(p, q);
		moved += p == a;
	}
	assert_in_range(moved, 800, 1200);
	ts_fini(&t);
}

#define MH_N	6
#define MH_SRC	20000

static uint32_t mh_src(unsigned int i)
{
	return 0xac100000u + i * 40503u;
}

static void mh_map(struct tsvc *t, struct nlvs_rs **out)
{
	unsigned int i;

	for (i = 0; i < MH_SRC; i++)
		out[i] = ts_pick_from(t, mh_src(i), (uint16_t)i, 9);
}

static void test_mh(void **state)
{
	struct nlvs_rs **before, **after, *rs[MH_N];
	unsigned int i, moved = 0, cnt[MH_N] = { 0 };
	struct tsvc t;

	(void)state;
	before = calloc(MH_SRC, sizeof(*before));
	after = calloc(MH_SRC, sizeof(*after));
	assert_non_null(before);
	assert_non_null(after);

	ts_init(&t, "mh", 0);
	for (i = 0; i < MH_N; i++)
		rs[i] = ts_add(&t, 10 + i, 1);
	mh_map(&t, before);
	for (i = 0; i < MH_SRC; i++) {
		assert_non_null(before[i]);
		cnt[before[i] - t.rs]++;
	}
	/* Maglev tables are balanced to within a few percent */
	for (i = 0; i < MH_N; i++)
		assert_in_range(cnt[i], MH_SRC / MH_N * 85 / 100, MH_SRC / MH_N * 115 / 100);

	/* removing a dest moves its flows only */
	ts_del(&t, rs[2]);
	mh_map(&t, after);
	for (i = 0; i < MH_SRC; i++) {
		assert_non_null(after[i]);
		assert_ptr_not_equal(after[i], rs[2]);
		if (before[i] != rs[2] && after[i] != before[i])
			moved++;
	}
	/* Maglev's promise is minimal disruption, not none: the fill order
	 * changes, so a few other flows move too (about 0.7% here) */
	assert_true(moved * 100 < (MH_SRC - cnt[2]) * 2);

	/* adding it back (at the list head now) restores nearly all flows */
	ts_add(&t, 12, 1);			/* same address as rs[2], new rs */
	mh_map(&t, after);
	moved = 0;
	for (i = 0; i < MH_SRC; i++) {
		if (before[i] == rs[2])
			moved += after[i]->addr.ip != rs[2]->addr.ip;
		else
			moved += after[i] != before[i];
	}
	assert_true(moved * 100 < MH_SRC * 2);
	ts_fini(&t);

	/* quiescing keeps the table (last_weight): without SCHED1 the flows of
	 * the quiesced dest get nothing, with it they go elsewhere */
	ts_init(&t, "mh", 0);
	for (i = 0; i < MH_N; i++)
		rs[i] = ts_add(&t, 10 + i, 1);
	ts_weight(&t, rs[4], 0);
	mh_map(&t, after);
	for (i = 0; i < MH_SRC; i++)
		assert_ptr_equal(after[i], before[i] == rs[4] ? NULL : before[i]);
	t.svc.flags = NLVS_SVC_F_SCHED1;
	rs[1]->flags |= NLVS_RS_F_OVERLOAD;
	mh_map(&t, after);
	for (i = 0; i < MH_SRC; i++) {
		assert_non_null(after[i]);
		assert_ptr_not_equal(after[i], rs[4]);
		assert_ptr_not_equal(after[i], rs[1]);
		if (before[i] != rs[4] && before[i] != rs[1])
			assert_ptr_equal(after[i], before[i]);
	}
	/* even if the caller does not keep last_weight, mh remembers it */
	rs[1]->flags = 0;
	t.svc.flags = 0;
	ts_weight(&t, rs[4], 1);
	rs[4]->last_weight = 0;
	ts_weight(&t, rs[4], 0);
	rs[4]->last_weight = 0;
	assert_int_equal(nlvs_sched_svc_update(&t.svc), 0);
	mh_map(&t, after);
	for (i = 0; i < MH_SRC; i++)
		assert_ptr_equal(after[i], before[i] == rs[4] ? NULL : before[i]);
	ts_fini(&t);

	/* weights: 1:3 gives about a quarter of the table */
	ts_init(&t, "mh", 0);
	rs[0] = ts_add(&t, 10, 2);
	rs[1] = ts_add(&t, 11, 6);
	mh_map(&t, after);
	cnt[0] = 0;
	for (i = 0; i < MH_SRC; i++)
		cnt[0] += after[i] == rs[0];
	assert_in_range(cnt[0], MH_SRC / 4 * 85 / 100, MH_SRC / 4 * 115 / 100);

	/* SCHED2: ports spread one source over the dests */
	t.svc.flags = NLVS_SVC_F_SCHED2;
	cnt[0] = 0;
	for (i = 0; i < 4000; i++)
		cnt[0] += ts_pick_from(&t, 0x0a0a0a0au, (uint16_t)(1024 + i), 9) == rs[0];
	assert_in_range(cnt[0], 800, 1200);
	t.svc.flags = 0;
	cnt[0] = 0;
	for (i = 0; i < 100; i++)
		cnt[0] += ts_pick_from(&t, 0x0a0a0a0au, (uint16_t)(1024 + i), 9) == rs[0];
	assert_true(cnt[0] == 0 || cnt[0] == 100);
	ts_fini(&t);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hsiphash),
		cmocka_unit_test(test_hash32),
		cmocka_unit_test(test_dh),
		cmocka_unit_test(test_sh),
		cmocka_unit_test(test_mh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
