// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lblc and lblcr: a destination address sticks to its dest (set) until the
 * dest is quiesced or busy while another has room, entries expire after 24
 * hours unused (collected by the every-30-minutes sweep), and lblcr sets
 * grow under load and shed their busiest member when left unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_sched_util.h"

#define MIN_MS	(60 * 1000ULL)
#define HOUR_MS	(60 * MIN_MS)
#define SITE_X	0x0a640001u
#define SITE_Y	0x0a640002u

static struct nlvs_rs *pick_site(struct tsvc *t, uint32_t site, uint64_t now)
{
	t->svc.now_ms = now;
	return ts_pick_from(t, 0xc0a80001u, 1234, site);
}

static void test_lblc(void **state)
{
	struct nlvs_rs *a, *b, *c;
	struct tsvc t;
	int i;

	(void)state;
	ts_init(&t, "lblc", 0);
	a = ts_add(&t, 1, 2);
	b = ts_add(&t, 2, 2);			/* list b a */
	assert_ptr_equal(pick_site(&t, SITE_X, 1000), b);	/* wlc: tie, first */
	nlvs_rs_conn_bind(b, 1, 0);
	/* Y: wlc now prefers a; X stays on b */
	assert_ptr_equal(pick_site(&t, SITE_Y, 1000), a);
	nlvs_rs_conn_bind(b, 1, 0);
	nlvs_rs_conn_bind(b, 1, 0);		/* b: 3 active, weight 2 */
	a->activeconns = 1;			/* a: 1 * 2 < 2 is false: no room */
	for (i = 0; i < 3; i++)
		assert_ptr_equal(pick_site(&t, SITE_X, 2000), b);
	/* the threshold flag does not unstick a cached dest (kernel lblc) */
	b->flags |= NLVS_RS_F_OVERLOAD;
	assert_ptr_equal(pick_site(&t, SITE_X, 2000), b);
	b->flags = 0;
	/* busy (3 > 2) while a has room (0 * 2 < 2): X moves to a, sticks */
	a->activeconns = 0;
	assert_ptr_equal(pick_site(&t, SITE_X, 3000), a);
	b->activeconns = 0;
	a->activeconns = 2;
	assert_ptr_equal(pick_site(&t, SITE_X, 3000), a);
	/* quiescing a sends X elsewhere */
	ts_weight(&t, a, 0);
	assert_ptr_equal(pick_site(&t, SITE_X, 3000), b);
	ts_weight(&t, a, 2);
	a->activeconns = 0;
	b->inactconns = 1;			/* wlc would now choose a */
	assert_ptr_equal(pick_site(&t, SITE_X, 4000), b);

	/* expiry: the last use at 23h59 keeps X past 24h; 24h unused later
	 * the 30-minute sweep drops it and wlc chooses again */
	assert_ptr_equal(pick_site(&t, SITE_X, 24 * HOUR_MS - MIN_MS), b);
	assert_ptr_equal(pick_site(&t, SITE_Y, 25 * HOUR_MS), a);
	assert_ptr_equal(pick_site(&t, SITE_X, 47 * HOUR_MS), b);	/* refreshed */
	assert_ptr_equal(pick_site(&t, SITE_Y, 71 * HOUR_MS + 31 * MIN_MS), a);
	assert_ptr_equal(pick_site(&t, SITE_X, 71 * HOUR_MS + 32 * MIN_MS), a);

	/* a removed dest's entries go */
	c = ts_add(&t, 3, 1);			/* list c b a */
	assert_ptr_equal(pick_site(&t, SITE_X, 72 * HOUR_MS), a);
	c->inactconns = 5;
	ts_del(&t, a);
	assert_ptr_equal(pick_site(&t, SITE_X, 72 * HOUR_MS), b);
	ts_fini(&t);
}

static void test_lblcr(void **state)
{
	struct nlvs_rs *a, *b, *c;
	struct tsvc t;

	(void)state;
	ts_init(&t, "lblcr", 0);
	a = ts_add(&t, 1, 2);
	b = ts_add(&t, 2, 2);
	c = ts_add(&t, 3, 2);			/* list c b a */
	assert_ptr_equal(pick_site(&t, SITE_X, 1000), c);	/* set {c} */
	c->activeconns = 3;
	b->activeconns = 1;
	a->activeconns = 1;			/* nobody has room: c stays */
	assert_ptr_equal(pick_site(&t, SITE_X, 1000), c);
	a->activeconns = 0;			/* a has room: wlc adds a */
	assert_ptr_equal(pick_site(&t, SITE_X, 2000), a);	/* set {a c} */
	/* now the least loaded member of the set serves, never b */
	a->activeconns = 2;
	c->activeconns = 1;
	b->activeconns = 0;
	assert_ptr_equal(pick_site(&t, SITE_X, 3000), c);
	c->activeconns = 2;			/* tie: the newest member, a */
	assert_ptr_equal(pick_site(&t, SITE_X, 3000), a);
	/* a quiesced member is passed over within the set */
	ts_weight(&t, a, 0);
	assert_ptr_equal(pick_site(&t, SITE_X, 3000), c);
	ts_weight(&t, a, 2);

	/* unchanged for more than 24h (a joined at 2000): the busiest member
	 * leaves, after the pick was made among all members */
	a->activeconns = 1;
	c->activeconns = 2;
	b->activeconns = 2;
	assert_ptr_equal(pick_site(&t, SITE_X, 2000 + 24 * HOUR_MS), a);	/* not yet */
	c->activeconns = 0;			/* c would win while still a member */
	assert_ptr_equal(pick_site(&t, SITE_X, 2001 + 24 * HOUR_MS), c);	/* shed a */
	a->activeconns = 0;			/* a would win were it still a member */
	c->activeconns = 1;
	assert_ptr_equal(pick_site(&t, SITE_X, 3000 + 24 * HOUR_MS), c);
	/* with one member left nothing more is shed */
	assert_ptr_equal(pick_site(&t, SITE_X, 3000 + 40 * HOUR_MS), c);

	/* a removed dest leaves the set: wlc chooses anew, joining the set */
	ts_del(&t, c);				/* list b a */
	b->activeconns = 1;
	assert_ptr_equal(pick_site(&t, SITE_X, 3000 + 40 * HOUR_MS), a);
	/* the entry expires 24h after its last use */
	a->activeconns = 1;
	b->activeconns = 0;
	assert_ptr_equal(pick_site(&t, SITE_X, 4000 + 40 * HOUR_MS), a);
	assert_ptr_equal(pick_site(&t, SITE_Y, 85 * HOUR_MS), b);
	assert_ptr_equal(pick_site(&t, SITE_X, 85 * HOUR_MS), b);
	ts_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lblc),
		cmocka_unit_test(test_lblcr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
