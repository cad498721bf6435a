// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Schedulers without hashing: registry, connection accounting and the pick
 * sequences of rr wrr lc wlc sed nq fo ovf twos, worked out by hand from
 * the kernel's ip_vs_<name>.c for dests kept newest first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_sched_util.h"

static const char *const all_names[] = {
	"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq",
	"fo", "ovf", "mh", "twos",
};

static void test_registry(void **state)
{
	const struct nlvs_sched_ops *ops;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(all_names) / sizeof(all_names[0]); i++) {
		ops = nlvs_sched_find(all_names[i]);
		assert_non_null(ops);
		assert_string_equal(ops->name, all_names[i]);
		assert_non_null(ops->schedule);
	}
	assert_null(nlvs_sched_find("none"));
	assert_null(nlvs_sched_find("RR"));
	assert_null(nlvs_sched_find(""));
	assert_null(nlvs_sched_find(NULL));
}

/* Every scheduler: no dests, then only unusable dests, mean no pick. */
static void test_empty_and_unusable(void **state)
{
	struct tsvc t;
	struct nlvs_rs *a, *b;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(all_names) / sizeof(all_names[0]); i++) {
		ts_init(&t, all_names[i], NLVS_SVC_F_SCHED1);
		assert_null(ts_pick(&t));
		a = ts_add(&t, 1, 0);
		b = ts_add(&t, 2, 5);
		b->flags |= NLVS_RS_F_OVERLOAD;
		for (k = 0; k < 10; k++)
			assert_null(ts_pick_from(&t, 0xc0a80000u + k, 1000 + k, 0x0a0a0000u + k));
		/* weight 0 keeps a quiesced dest out even when alone */
		ts_del(&t, b);
		for (k = 0; k < 10; k++)
			assert_null(ts_pick_from(&t, 0xc0a80000u + k, 1000 + k, 0x0a0a0000u + k));
		(void)a;
		ts_fini(&t);
	}
}

static void test_accounting(void **state)
{
	struct nlvs_rs rs;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	rs.weight = 1;
	rs.u_thresh = 4;
	nlvs_rs_conn_bind(&rs, 1, 0);
	nlvs_rs_conn_bind(&rs, 0, 0);
	nlvs_rs_conn_bind(&rs, 0, 1);
	assert_int_equal(rs.activeconns, 1);
	assert_int_equal(rs.inactconns, 1);
	assert_int_equal(rs.persistconns, 1);
	/* templates do not count towards the threshold */
	nlvs_rs_conn_bind(&rs, 0, 1);
	assert_int_equal(rs.flags & NLVS_RS_F_OVERLOAD, 0);
	nlvs_rs_conn_bind(&rs, 1, 0);
	assert_int_equal(rs.flags & NLVS_RS_F_OVERLOAD, 0);
	nlvs_rs_conn_bind(&rs, 1, 0);		/* 4 >= 4 */
	assert_true(rs.flags & NLVS_RS_F_OVERLOAD);
	assert_false(nlvs_rs_usable(&rs));
	/* no l_thresh: cleared once total * 4 < u_thresh * 3, i.e. total < 3 */
	nlvs_rs_conn_unbind(&rs, 1, 0);		/* 3 */
	assert_true(rs.flags & NLVS_RS_F_OVERLOAD);
	nlvs_rs_conn_unbind(&rs, 0, 1);		/* a template leaving changes nothing */
	assert_true(rs.flags & NLVS_RS_F_OVERLOAD);
	nlvs_rs_conn_unbind(&rs, 0, 0);		/* 2 */
	assert_int_equal(rs.flags & NLVS_RS_F_OVERLOAD, 0);
	assert_int_equal(rs.activeconns, 2);
	assert_int_equal(rs.inactconns, 0);
	assert_int_equal(rs.persistconns, 1);

	/* with l_thresh: cleared below it */
	memset(&rs, 0, sizeof(rs));
	rs.weight = 1;
	rs.u_thresh = 4;
	rs.l_thresh = 2;
	for (int i = 0; i < 4; i++)
		nlvs_rs_conn_bind(&rs, 1, 0);
	assert_true(rs.flags & NLVS_RS_F_OVERLOAD);
	nlvs_rs_conn_unbind(&rs, 1, 0);
	nlvs_rs_conn_unbind(&rs, 1, 0);		/* 2: not below 2 */
	assert_true(rs.flags & NLVS_RS_F_OVERLOAD);
	nlvs_rs_conn_unbind(&rs, 1, 0);		/* 1 */
	assert_int_equal(rs.flags & NLVS_RS_F_OVERLOAD, 0);

	/* thresholds removed (u_thresh 0): the next unbind clears */
	rs.flags |= NLVS_RS_F_OVERLOAD;
	rs.u_thresh = rs.l_thresh = 0;
	nlvs_rs_conn_bind(&rs, 1, 0);
	assert_true(rs.flags & NLVS_RS_F_OVERLOAD);
	nlvs_rs_conn_unbind(&rs, 1, 0);
	assert_int_equal(rs.flags & NLVS_RS_F_OVERLOAD, 0);

	/* TCP state changes move a connection between the counters */
	memset(&rs, 0, sizeof(rs));
	nlvs_rs_conn_bind(&rs, 0, 0);
	nlvs_rs_conn_activate(&rs, 1);
	assert_int_equal(rs.activeconns, 1);
	assert_int_equal(rs.inactconns, 0);
	nlvs_rs_conn_activate(&rs, 0);
	assert_int_equal(rs.activeconns, 0);
	assert_int_equal(rs.inactconns, 1);
	nlvs_rs_conn_unbind(&rs, 0, 0);
	assert_int_equal(rs.inactconns, 0);
}

static void expect_seq(struct tsvc *t, struct nlvs_rs *const *seq, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_ptr_equal(ts_pick(t), seq[i]);
}

static void test_rr(void **state)
{
	struct nlvs_rs *a, *b, *c, *d;
	struct tsvc t;

	(void)state;
	ts_init(&t, "rr", 0);
	a = ts_add(&t, 1, 1);
	b = ts_add(&t, 2, 1);
	c = ts_add(&t, 3, 1);
	{
		struct nlvs_rs *const seq[] = { c, b, a, c, b, a, c };

		expect_seq(&t, seq, 7);		/* last pick: c */
	}
	/* quiesced and overloaded dests are stepped over */
	ts_weight(&t, b, 0);
	{
		struct nlvs_rs *const seq[] = { a, c, a, c };

		expect_seq(&t, seq, 4);
	}
	ts_weight(&t, b, 1);
	a->flags |= NLVS_RS_F_OVERLOAD;
	{
		struct nlvs_rs *const seq[] = { b, c, b, c };

		expect_seq(&t, seq, 4);		/* last pick: c */
	}
	a->flags = 0;
	/* a new dest goes to the list head: reached after wrapping */
	d = ts_add(&t, 4, 1);			/* list d c b a */
	{
		struct nlvs_rs *const seq[] = { b, a, d, c, b };

		expect_seq(&t, seq, 5);		/* last pick: b */
	}
	/* the last pick removed: continue with its successor */
	ts_del(&t, b);				/* list d c a */
	assert_ptr_equal(ts_pick(&t), a);
	assert_ptr_equal(ts_pick(&t), d);
	ts_del(&t, d);				/* d was first: restart at head */
	assert_ptr_equal(ts_pick(&t), c);
	assert_ptr_equal(ts_pick(&t), a);
	ts_del(&t, a);				/* a was last: wrap */
	assert_ptr_equal(ts_pick(&t), c);
	assert_ptr_equal(ts_pick(&t), c);
	ts_fini(&t);
}

static void test_wrr(void **state)
{
	struct nlvs_rs *a, *b, *c;
	struct tsvc t;
	int i;

	(void)state;
	ts_init(&t, "wrr", 0);
	a = ts_add(&t, 1, 3);
	b = ts_add(&t, 2, 2);
	c = ts_add(&t, 3, 1);
	/* the adds left cw at 1 (it was 0, then mw of a alone), so the first
	 * pass takes everyone; then passes with cw 3, 2, 1 */
	{
		struct nlvs_rs *const seq[] = { c, b, a };

		expect_seq(&t, seq, 3);
	}
	for (i = 0; i < 3; i++) {
		struct nlvs_rs *const seq[] = { a, b, a, c, b, a };

		expect_seq(&t, seq, 6);
	}
	/* overloaded a: its turns are skipped, the others keep theirs */
	a->flags |= NLVS_RS_F_OVERLOAD;
	{
		struct nlvs_rs *const seq[] = { b, c, b, b, c, b };

		expect_seq(&t, seq, 6);
	}
	a->flags = 0;
	ts_fini(&t);

	/* gcd 2: weights 4 and 2 step cw by 2 from mw = 4 - 1; adding b left
	 * cw at (1 / 2) * 2 + 1 = 1, so the first pass takes both */
	ts_init(&t, "wrr", 0);
	a = ts_add(&t, 1, 4);
	b = ts_add(&t, 2, 2);
	for (i = 0; i < 3; i++) {
		struct nlvs_rs *const seq[] = { b, a, a };

		expect_seq(&t, seq, 3);
	}
	/* a change restarts at the list head */
	c = ts_add(&t, 3, 6);			/* list c b a; di 2, mw 5, cw 3 */
	{
		struct nlvs_rs *const seq[] = { c, a, c, b, a, c };

		expect_seq(&t, seq, 6);
	}
	ts_weight(&t, c, 0);
	ts_weight(&t, b, 0);
	for (i = 0; i < 4; i++)
		assert_ptr_equal(ts_pick(&t), a);
	ts_weight(&t, a, 0);
	assert_null(ts_pick(&t));
	ts_fini(&t);
}

static void test_lc(void **state)
{
	struct nlvs_rs *a, *b, *c;
	struct tsvc t;

	(void)state;
	ts_init(&t, "lc", 0);
	a = ts_add(&t, 1, 1);
	b = ts_add(&t, 2, 100);
	c = ts_add(&t, 3, 1);
	assert_ptr_equal(ts_pick(&t), c);	/* all equal: first in list */
	c->activeconns = 1;
	assert_ptr_equal(ts_pick(&t), b);	/* weights do not matter */
	b->inactconns = 255;
	assert_ptr_equal(ts_pick(&t), a);
	a->activeconns = 1;			/* 256 > 255 */
	assert_ptr_equal(ts_pick(&t), b);
	b->inactconns = 256;			/* tie at 256: c is first */
	assert_ptr_equal(ts_pick(&t), c);
	c->weight = 0;
	assert_ptr_equal(ts_pick(&t), b);
	b->flags |= NLVS_RS_F_OVERLOAD;
	assert_ptr_equal(ts_pick(&t), a);
	ts_fini(&t);
}

static void test_wlc(void **state)
{
	struct nlvs_rs *a, *b, *p;
	struct tsvc t;
	int i, na = 0, nb = 0;

	(void)state;
	ts_init(&t, "wlc", 0);
	a = ts_add(&t, 1, 1);
	b = ts_add(&t, 2, 2);			/* list b a */
	{
		struct nlvs_rs *const seq[] = { b, a, b, b, a, b };

		for (i = 0; i < 6; i++) {
			p = ts_pick(&t);
			assert_ptr_equal(p, seq[i]);
			nlvs_rs_conn_bind(p, 1, 0);
		}
	}
	for (i = 0; i < 294; i++) {
		p = ts_pick(&t);
		nlvs_rs_conn_bind(p, 1, 0);
		na += p == a;
		nb += p == b;
	}
	assert_int_equal(na, 98);
	assert_int_equal(nb, 196);
	/* inactive connections weigh 1/256 of an active one */
	a->activeconns = b->activeconns = 0;
	a->inactconns = 0;
	b->inactconns = 1;			/* 1/2 > 0/1 */
	assert_ptr_equal(ts_pick(&t), a);
	a->inactconns = 1;			/* 1/2 < 1/1 */
	assert_ptr_equal(ts_pick(&t), b);
	b->flags |= NLVS_RS_F_OVERLOAD;
	assert_ptr_equal(ts_pick(&t), a);
	b->flags = 0;
	b->weight = 0;
	b->inactconns = 0;
	a->activeconns = 1000;
	assert_ptr_equal(ts_pick(&t), a);
	ts_fini(&t);
}

static void test_sed_nq(void **state)
{
	struct nlvs_rs *a, *b, *p;
	struct tsvc t;
	int i;

	(void)state;
	ts_init(&t, "sed", 0);
	a = ts_add(&t, 1, 1);
	b = ts_add(&t, 2, 3);			/* list b a */
	b->inactconns = 1000;			/* ignored by sed */
	{
		/* (active + 1) / weight: b 1/3 2/3 3/3 beat a 1/1, then 4/3 */
		struct nlvs_rs *const seq[] = { b, b, b, a, b, b, b, a };

		for (i = 0; i < 8; i++) {
			p = ts_pick(&t);
			assert_ptr_equal(p, seq[i]);
			nlvs_rs_conn_bind(p, 1, 0);
		}
	}
	ts_fini(&t);

	ts_init(&t, "nq", 0);
	a = ts_add(&t, 1, 1);
	b = ts_add(&t, 2, 3);			/* list b a */
	{
		/* an idle dest first, then sed: b until 7/3 > 2/1 */
		struct nlvs_rs *const seq[] = { b, a, b, b, b, b, b, a };

		for (i = 0; i < 8; i++) {
			p = ts_pick(&t);
			assert_ptr_equal(p, seq[i]);
			nlvs_rs_conn_bind(p, 1, 0);
		}
	}
	/* an idle dest wins even when its expected delay is longer */
	a->activeconns = 0;
	b->activeconns = 1;
	b->weight = 100;
	assert_ptr_equal(ts_pick(&t), a);
	a->weight = 0;
	assert_ptr_equal(ts_pick(&t), b);
	ts_fini(&t);
}

static void test_fo_ovf(void **state)
{
	struct nlvs_rs *a, *b, *c, *p;
	struct tsvc t;
	int i;

	(void)state;
	ts_init(&t, "fo", 0);
	a = ts_add(&t, 1, 5);
	b = ts_add(&t, 2, 10);
	c = ts_add(&t, 3, 10);			/* list c b a */
	for (i = 0; i < 5; i++) {
		p = ts_pick(&t);
		assert_ptr_equal(p, c);		/* first of the highest weight */
		nlvs_rs_conn_bind(p, 1, 0);
	}
	c->flags |= NLVS_RS_F_OVERLOAD;
	assert_ptr_equal(ts_pick(&t), b);
	ts_weight(&t, b, 0);
	assert_ptr_equal(ts_pick(&t), a);
	ts_fini(&t);

	ts_init(&t, "ovf", 0);
	a = ts_add(&t, 1, 2);
	b = ts_add(&t, 2, 3);			/* list b a */
	/* b takes connections while active <= weight: 4 of them */
	for (i = 0; i < 4; i++) {
		p = ts_pick(&t);
		assert_ptr_equal(p, b);
		nlvs_rs_conn_bind(p, 1, 0);
	}
	for (i = 0; i < 3; i++) {
		p = ts_pick(&t);
		assert_ptr_equal(p, a);
		nlvs_rs_conn_bind(p, 1, 0);
	}
	assert_null(ts_pick(&t));
	/* inactive connections do not count */
	nlvs_rs_conn_activate(b, 0);
	assert_ptr_equal(ts_pick(&t), b);
	c = ts_add(&t, 3, 2);			/* list c b a: equal weight, c first */
	b->weight = 1;
	assert_ptr_equal(ts_pick(&t), c);
	ts_fini(&t);
}

static void test_twos(void **state)
{
	struct nlvs_rs *a, *b, *c, *p;
	struct tsvc t, t2;
	int i, n[3] = { 0 };

	(void)state;
	ts_init(&t, "twos", 0);
	t.svc.rand_state = 12345;
	a = ts_add(&t, 1, 1);
	b = ts_add(&t, 2, 3);
	c = ts_add(&t, 3, 0);			/* list c b a */
	/* no load: the first draw wins, weighted (w + 1 for the list's
	 * first usable dest): b 4/5, a 1/5 */
	for (i = 0; i < 5000; i++) {
		p = ts_pick(&t);
		assert_true(p == a || p == b);
		n[p == a ? 0 : 1]++;
	}
	assert_in_range(n[0], 850, 1150);
	assert_in_range(n[1], 3850, 4150);
	(void)c;

	/* the lower overhead/weight of the two draws wins: with b loaded, a
	 * is chosen unless both draws land on b (16/25) */
	b->activeconns = 10;
	n[0] = n[1] = 0;
	for (i = 0; i < 5000; i++)
		n[ts_pick(&t) == a ? 0 : 1]++;
	assert_in_range(n[0], 1650, 1950);
	b->activeconns = 0;

	/* the same seed gives the same picks */
	ts_init(&t2, "twos", 0);
	memcpy(t2.rs, t.rs, sizeof(t.rs));
	for (i = 0; i < 3; i++)
		t2.order[i] = &t2.rs[t.order[i] - t.rs];
	t2.svc.num_dests = 3;
	assert_int_equal(nlvs_sched_svc_update(&t2.svc), 0);
	t.svc.rand_state = t2.svc.rand_state = 99;
	b->activeconns = t2.rs[1].activeconns = 1;
	for (i = 0; i < 200; i++)
		assert_int_equal(ts_pick(&t) - t.rs, ts_pick(&t2) - t2.rs);
	ts_fini(&t2);

	b->flags |= NLVS_RS_F_OVERLOAD;
	for (i = 0; i < 50; i++)
		assert_ptr_equal(ts_pick(&t), a);
	ts_fini(&t);
}

/* Upper thresholds, reached through the accounting, stop new connections
 * in the schedulers that check the flag. */
static void test_thresholds(void **state)
{
	static const char *const names[] = { "rr", "wrr", "lc", "wlc", "sed", "nq", "fo",
					     "ovf", "twos" };
	struct nlvs_rs *a, *b, *p;
	struct tsvc t;
	size_t k;
	int i;

	(void)state;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		ts_init(&t, names[k], 0);
		a = ts_add(&t, 1, 50);
		b = ts_add(&t, 2, 50);
		a->u_thresh = 2;
		b->u_thresh = 3;
		for (i = 0; i < 5; i++) {
			p = ts_pick(&t);
			assert_non_null(p);
			nlvs_rs_conn_bind(p, 1, 0);
		}
		assert_int_equal(a->activeconns, 2);
		assert_int_equal(b->activeconns, 3);
		assert_null(ts_pick(&t));
		nlvs_rs_conn_unbind(b, 1, 0);		/* 2 * 4 < 9: b back */
		assert_ptr_equal(ts_pick(&t), b);
		ts_fini(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_empty_and_unusable),
		cmocka_unit_test(test_accounting),
		cmocka_unit_test(test_rr),
		cmocka_unit_test(test_wrr),
		cmocka_unit_test(test_lc),
		cmocka_unit_test(test_wlc),
		cmocka_unit_test(test_sed_nq),
		cmocka_unit_test(test_fo_ovf),
		cmocka_unit_test(test_twos),
		cmocka_unit_test(test_thresholds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
