// SPDX-License-Identifier: GPL-2.0-or-later
/* Connection table: two tuples, bulk lookup, full pools, churn against a
 * reference model, a full index, the index's overflow at full load, timer
 * wheel expiry, templates, one-packet conns, both pools. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "conn/nlvs_conn.h"
#include "conn/conn_priv.h"	/* to force every tuple into one chain */
#include "test_pkt_util.h"

/* client i: 198.18.x.y:port -> VIP:80;  RS side: RS:8080 -> laddr:lport */
static void mk_tuples(uint32_t i, int af, struct nlvs_conn_tuple *t0, struct nlvs_conn_tuple *t1)
{
	memset(t0, 0, sizeof(*t0));
	memset(t1, 0, sizeof(*t1));
	t0->af = t1->af = (uint8_t)af;
	t0->proto = t1->proto = IPPROTO_TCP;
	if (af == AF_INET) {
		t0->saddr.ip = htonl(0xc6120000u + (i >> 8));
		t0->daddr.ip = htonl(0xc000020au);
		t1->saddr.ip = htonl(0x0a000015u + (i % 3));
		t1->daddr.ip = htonl(0x0a000064u + (i >> 16));
	} else {
		t0->saddr.ip6[0] = htonl(0x20010db8);
		t0->saddr.ip6[3] = htonl(i >> 8);
		t0->daddr.ip6[0] = htonl(0x20010db8);
		t0->daddr.ip6[3] = htonl(0xa);
		t1->saddr.ip6[0] = htonl(0xfd000000);
		t1->saddr.ip6[3] = htonl(0x21 + i % 3);
		t1->daddr.ip6[0] = htonl(0xfd000000);
		t1->daddr.ip6[3] = htonl(0x100 + (i >> 16));
	}
	t0->sport = htons((uint16_t)(1024 + (i & 0xff)));
	t0->dport = htons(80);
	t1->sport = htons(8080);
	t1->dport = htons((uint16_t)(i & 0xffff));	/* unique with laddr = i >> 16 */
}

static void test_two_tuples(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(16, 16, 0);
	struct nlvs_conn_tuple t0, t1, k;
	struct nlvs_conn *c;
	struct nlvs_pkt_rewrite rw;
	unsigned int reason = 0, side = 9;

	assert_non_null(t);
	mk_tuples(7, AF_INET, &t0, &t1);
	c = nlvs_conn_new(t, &t0, &t1, 0, 60000, 0, &reason);
	assert_non_null(c);
	assert_int_equal(nlvs_conn_tab_count(t), 1);
	assert_ptr_equal(nlvs_conn_lookup(t, &t0, &side), c);
	assert_int_equal(side, NLVS_CONN_SIDE_CLIENT);
	assert_ptr_equal(nlvs_conn_lookup(t, &t1, &side), c);
	assert_int_equal(side, NLVS_CONN_SIDE_RS);
	k = t0;
	k.sport ^= 1;
	assert_null(nlvs_conn_lookup(t, &k, &side));
	k = t0;
	k.proto = IPPROTO_UDP;
	assert_null(nlvs_conn_lookup(t, &k, &side));

	/* client packet leaves as laddr:lport -> RS:rport, and back */
	nlvs_conn_rewrite(c, NLVS_CONN_SIDE_CLIENT, &rw);
	assert_memory_equal(&rw.saddr, &t1.daddr, 16);
	assert_memory_equal(&rw.daddr, &t1.saddr, 16);
	assert_int_equal(rw.sport, t1.dport);
	assert_int_equal(rw.dport, t1.sport);
	nlvs_conn_rewrite(c, NLVS_CONN_SIDE_RS, &rw);
	assert_memory_equal(&rw.saddr, &t0.daddr, 16);
	assert_memory_equal(&rw.daddr, &t0.saddr, 16);
	assert_int_equal(rw.dport, t0.sport);

	nlvs_conn_free(t, c);
	assert_int_equal(nlvs_conn_tab_count(t), 0);
	assert_null(nlvs_conn_lookup(t, &t0, &side));
	assert_null(nlvs_conn_lookup(t, &t1, &side));
	nlvs_conn_tab_destroy(t);
}

/* Each family's pool fills on its own: a full IPv6 pool leaves IPv4
 * connections unaffected, and the other way round. */
static void test_full_table(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(8, 4, 0);
	struct nlvs_conn *c[8];
	struct nlvs_conn_tuple t0, t1;
	unsigned int reason = 0, i, side;

	assert_int_equal(nlvs_conn_tab_capacity(t), 12);
	for (i = 0; i < 4; i++) {
		mk_tuples(i, AF_INET6, &t0, &t1);
		c[i] = nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason);
		assert_non_null(c[i]);
	}
	mk_tuples(4, AF_INET6, &t0, &t1);
	reason = 0;
	assert_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
	assert_int_equal(reason, NLVS_DROP_CONN_TABLE_FULL);
	for (i = 0; i < 8; i++) {
		mk_tuples(100 + i, AF_INET, &t0, &t1);
		assert_non_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
	}
	mk_tuples(108, AF_INET, &t0, &t1);
	reason = 0;
	assert_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
	assert_int_equal(reason, NLVS_DROP_CONN_TABLE_FULL);
	assert_int_equal(nlvs_conn_tab_count(t), 12);
	/* a freed IPv6 entry goes back to its own pool */
	nlvs_conn_free(t, c[3]);
	assert_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
	mk_tuples(4, AF_INET6, &t0, &t1);
	assert_non_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
	assert_non_null(nlvs_conn_lookup(t, &t1, &side));
	assert_null(nlvs_conn_tab_create(0, 0, 0));
	assert_null(nlvs_conn_tab_create(0, 16, 0));
	nlvs_conn_tab_destroy(t);
	/* no IPv6 pool at all */
	t = nlvs_conn_tab_create(8, 0, 0);
	assert_non_null(t);
	assert_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
	assert_int_equal(reason, NLVS_DROP_CONN_TABLE_FULL);
	nlvs_conn_tab_destroy(t);
}

/* Overflow buckets in use (those off the free list). */
static uint32_t ovf_used(const struct nlvs_conn_tab *t)
{
	uint32_t n = 0, b;

	for (b = t->ovf_free; b; b = t->bkt[b - 1].next)
		n++;
	return t->nb_ovf - n;
}

/* The index at its fullest: both pools full, at a power of two where the
 * main buckets hold the most entries (4.25 each).  With a random seed
 * chains are Poisson: about 6.7 % of the main buckets overflow.  The
 * overflow pool (one bucket per eight main ones) must never come near
 * its end, across seeds. */
static void test_index_load(void **state)
{
	const uint32_t cap = 65536, cap6 = nlvs_conn_ipv6_default(cap);
	uint32_t seed, i, worst = 0, sum = 0;

	for (seed = 0; seed < 8; seed++) {	/* each table draws its own */
		struct nlvs_conn_tab *t = nlvs_conn_tab_create(cap, cap6, 0);
		struct nlvs_conn_tuple t0, t1;
		unsigned int reason;
		uint32_t used;

		assert_non_null(t);
		assert_int_equal(t->nb_main, 32768);
		for (i = 0; i < cap + cap6; i++) {
			mk_tuples(i, i < cap ? AF_INET : AF_INET6, &t0, &t1);
			assert_non_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
		}
		used = ovf_used(t);
		sum += used;
		if (used > worst)
			worst = used;
		nlvs_conn_tab_destroy(t);
	}
	print_message("index at full load, 8 seeds: %u main buckets, %u overflow buckets;"
		      " used %.0f on average, %u at most\n", 32768, 32768 / 8 + 8, sum / 8.0,
		      worst);
	/* Poisson(4.25): P(more than 7) = 6.7 %, i.e. 2,200 of 32,768 */
	assert_true(worst < (32768 / 8 + 8) * 3 / 4);
	assert_true(sum / 8 > 1800 && sum / 8 < 2600);
}

/* Random inserts and deletes against a model; every live tuple must be
 * found with the right side, every dead one must miss.  With @defer the
 * operations come in windows of nlvs_conn_defer_begin/end (as bursts do):
 * inside one, a new connection is found by its first tuple at once and by
 * the second (pending) at the latest after the window; what is freed in
 * the window, pending or not, leaves nothing behind; and when one chain
 * exhausts the overflow pool, the pending tuples' reserved buckets are
 * not taken by others (every one is filed). */
static void churn(unsigned int cap, unsigned int ops, int one_chain, int defer)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(cap, cap, 0);
	static struct nlvs_conn *live[3000];
	static uint32_t key_of[3000];
	static uint8_t is_live[1 << 17];
	unsigned int nlive = 0, op, reason, side, i, index_full = 0, in_window = 0;
	unsigned int pending_seen = 0;
	uint32_t cursor;
	struct nlvs_conn *c;

	assert_true(cap <= 3000);
	if (one_chain)
		t->mask = 0;	/* worst case: one bucket and its overflow chain */
	srandom(4);
	memset(is_live, 0, sizeof(is_live));
	for (op = 0; op < ops; op++) {
		struct nlvs_conn_tuple t0, t1;
		int add = nlive < cap && (nlive == 0 || random() % 100 < 55);
		int check = op % (ops / 12) == 0 || op == ops - 1;

		if (defer && !in_window && !check) {
			nlvs_conn_defer_begin(t);
			in_window = 1 + (unsigned int)random() % 40;
		}
		if (add) {
			uint32_t k;

			do
				k = (uint32_t)random() & 0x1ffff;
			while (is_live[k]);
			mk_tuples(k, k & 1 ? AF_INET6 : AF_INET, &t0, &t1);
			reason = 0;
			c = nlvs_conn_new(t, &t0, &t1, defer ? NLVS_CONN_F_FILE_LATER : 0, 1000, 0,
					  &reason);
			if (!c) {
				/* only one chain fills the overflow pool, and
				 * the refused connection leaves no trace */
				assert_true(one_chain);
				assert_int_equal(reason, NLVS_DROP_CONN_INDEX_FULL);
				assert_null(nlvs_conn_lookup(t, &t0, &side));
				assert_null(nlvs_conn_lookup(t, &t1, &side));
				index_full++;
				continue;
			}
			live[nlive] = c;
			key_of[nlive++] = k;
			is_live[k] = 1;
			if (in_window) {
				struct nlvs_conn *c1 = nlvs_conn_lookup_nopend(t, &t1, &side);

				assert_ptr_equal(nlvs_conn_lookup_nopend(t, &t0, &side), c);
				assert_true(c1 == NULL || c1 == c);
				pending_seen += c1 == NULL;
				/* now and then a lookup that could concern them
				 * files them */
				if (random() % 8 == 0) {
					assert_ptr_equal(nlvs_conn_lookup(t, &t1, &side), c);
					assert_int_equal(t->npend, 0);
				}
			}
		} else {
			i = (unsigned int)random() % nlive;
			is_live[key_of[i]] = 0;
			nlvs_conn_free(t, live[i]);
			live[i] = live[--nlive];
			key_of[i] = key_of[nlive];
		}
		if (in_window && (--in_window == 0 || check)) {
			nlvs_conn_defer_end(t);
			in_window = 0;
		}
		/* the free count of the overflow pool is the list's length */
		assert_int_equal(t->ovf_nfree, t->nb_ovf - ovf_used(t));
		if (check) {
			assert_int_equal(nlvs_conn_tab_count(t), nlive);
			for (i = 0; i < nlive; i++) {
				mk_tuples(key_of[i], key_of[i] & 1 ? AF_INET6 : AF_INET, &t0, &t1);
				assert_ptr_equal(nlvs_conn_lookup(t, &t0, &side), live[i]);
				assert_int_equal(side, 0);
				assert_ptr_equal(nlvs_conn_lookup(t, &t1, &side), live[i]);
				assert_int_equal(side, 1);
			}
			for (i = 0; i < 2000; i++) {
				uint32_t k = (uint32_t)random() & 0x1ffff;

				if (is_live[k])
					continue;
				mk_tuples(k, k & 1 ? AF_INET6 : AF_INET, &t0, &t1);
				assert_null(nlvs_conn_lookup(t, &t0, &side));
				assert_null(nlvs_conn_lookup(t, &t1, &side));
			}
			cursor = 0;
			i = 0;
			while (nlvs_conn_next(t, &cursor))
				i++;
			assert_int_equal(i, nlive);
		}
	}
	assert_true(!defer || pending_seen > 0);
	/* fill to the brim: the overflow pool absorbs random clustering; one
	 * chain runs out of it, and refusing changes nothing */
	if (defer)
		nlvs_conn_defer_begin(t);
	while (nlive < cap) {
		struct nlvs_conn_tuple t0, t1;
		uint32_t k;

		do
			k = (uint32_t)random() & 0x1ffff;
		while (is_live[k]);
		mk_tuples(k, k & 1 ? AF_INET6 : AF_INET, &t0, &t1);
		c = nlvs_conn_new(t, &t0, &t1, defer ? NLVS_CONN_F_FILE_LATER : 0, 1000, 0, &reason);
		if (!c && defer && t->npend) {
			/* refused while buckets are reserved: once the pending
			 * tuples are filed, the rest may have room */
			assert_int_equal(reason, NLVS_DROP_CONN_INDEX_FULL);
			assert_null(nlvs_conn_lookup(t, &t0, &side));
			nlvs_conn_defer_end(t);
			nlvs_conn_defer_begin(t);
			continue;
		}
		if (!c) {
			assert_true(one_chain);
			assert_int_equal(reason, NLVS_DROP_CONN_INDEX_FULL);
			index_full++;
			break;
		}
		is_live[k] = 1;
		live[nlive] = c;
		key_of[nlive++] = k;
		if (defer && t->npend == NLVS_CONN_PEND_MAX) {
			nlvs_conn_defer_end(t);
			nlvs_conn_defer_begin(t);
		}
	}
	if (defer)
		nlvs_conn_defer_end(t);
	assert_int_equal(nlvs_conn_tab_count(t), nlive);
	assert_true(one_chain ? index_full > 0 && ovf_used(t) == t->nb_ovf : index_full == 0);
	for (i = 0; i < nlive; i++) {
		struct nlvs_conn_tuple t0, t1;

		mk_tuples(key_of[i], key_of[i] & 1 ? AF_INET6 : AF_INET, &t0, &t1);
		assert_ptr_equal(nlvs_conn_lookup(t, &t1, &side), live[i]);
	}
	cursor = 0;
	i = 0;
	while (nlvs_conn_next(t, &cursor))
		i++;
	assert_int_equal(i, nlive);
	/* emptied, the index gives every overflow bucket back */
	while (nlive)
		nlvs_conn_free(t, live[--nlive]);
	assert_int_equal(ovf_used(t), 0);
	nlvs_conn_tab_destroy(t);
}

static void test_churn_model(void **state)
{
	churn(3000, 60000, 0, 0);
	churn(300, 20000, 1, 0);	/* 72 overflow buckets: about 250 connections */
}

static void test_churn_deferred(void **state)
{
	churn(3000, 60000, 0, 1);
	churn(300, 20000, 1, 1);
}

static void test_bulk_lookup(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(5000, 5000, 0);
	struct nlvs_conn_tuple keys[NLVS_CONN_BULK_MAX], t0, t1, k;
	struct nlvs_conn *conns[NLVS_CONN_BULK_MAX];
	uint8_t sides[NLVS_CONN_BULK_MAX];
	unsigned int i, reason, round, side;

	/* IPv4 and IPv6 connections (the latter also read their second line) */
	for (i = 0; i < 4000; i += 2) {
		mk_tuples(i, i & 2 ? AF_INET6 : AF_INET, &t0, &t1);
		assert_non_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
	}
	srandom(5);
	for (round = 0; round < 200; round++) {
		unsigned int n = 1 + (unsigned int)random() % NLVS_CONN_BULK_MAX, hits = 0;

		for (i = 0; i < n; i++) {
			uint32_t id = (uint32_t)random() % 4000;

			mk_tuples(id, id & 2 ? AF_INET6 : AF_INET, &t0, &t1);
			keys[i] = random() & 1 ? t0 : t1;
		}
		for (i = 0; i < n; i++)
			hits += nlvs_conn_lookup(t, &keys[i], &side) != NULL;
		assert_int_equal(nlvs_conn_lookup_bulk(t, keys, n, conns, sides), hits);
		for (i = 0; i < n; i++) {
			assert_ptr_equal(conns[i], nlvs_conn_lookup(t, &keys[i], &side));
			if (conns[i]) {
				assert_int_equal(sides[i], side);
				nlvs_conn_tuple(conns[i], sides[i], &k);
				assert_memory_equal(&k, &keys[i], sizeof(keys[i]));
			}
		}
	}
	nlvs_conn_tab_destroy(t);
}

/* Signatures that collide: every entry of a one-chain table is made to
 * carry the signature of the key looked up, so each lookup must reject the
 * other candidates by their tuples and still find its own, in the bucket
 * or further down the chain, singly and in bulk. */
static void test_signature_collisions(void **state)
{
	enum { N = 40 };
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(64, 64, 0);
	struct nlvs_conn_tuple keys[2], t0, t1;
	struct nlvs_conn *c[N], *conns[2];
	unsigned int i, j, s, reason, side;
	uint32_t sig[N][2] = { { 0 } };
	struct conn_bucket *b;
	uint8_t sides[2];

	(void)state;
	t->mask = 0;	/* one bucket and its overflow chain */
	for (i = 0; i < N; i++) {
		mk_tuples(i, AF_INET, &t0, &t1);
		c[i] = nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason);
		assert_non_null(c[i]);
	}
	/* each side's own signature, before any is overwritten */
	for (b = &t->bkt[0];; b = &t->bkt[b->next - 1]) {
		for (j = 0; j < b->count; j++)
			for (i = 0; i < N; i++)
				if (b->ent[j] >> 1 == conn_line(t, c[i]))
					sig[i][b->ent[j] & 1] = b->sig[j];
		if (!b->next)
			break;
	}
	for (i = 0; i < N; i++)
		for (s = 0; s < 2; s++) {
			for (b = &t->bkt[0];; b = &t->bkt[b->next - 1]) {
				for (j = 0; j < b->count; j++)
					b->sig[j] = sig[i][s];
				if (!b->next)
					break;
			}
			mk_tuples(i, AF_INET, &t0, &t1);
			keys[0] = s ? t1 : t0;
			mk_tuples((i + 1) % N, AF_INET, &t0, &t1);
			keys[1] = s ? t1 : t0;	/* its signature is no longer filed */
			assert_ptr_equal(nlvs_conn_lookup(t, &keys[0], &side), c[i]);
			assert_int_equal(side, s);
			assert_int_equal(nlvs_conn_lookup_bulk(t, keys, 2, conns, sides), 1);
			assert_ptr_equal(conns[0], c[i]);
			assert_int_equal(sides[0], s);
			assert_null(conns[1]);
		}
	nlvs_conn_tab_destroy(t);
}

static unsigned int expired_n;
static void on_expire(struct nlvs_conn *c, void *arg)
{
	(void)arg;
	(void)c;
	expired_n++;
}

static void test_expiry(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(4000, 4000, 1000000);
	struct nlvs_conn_tuple t0, t1;
	struct nlvs_conn *a, *b, *l;
	unsigned int reason, side;
	uint64_t now = 1000000;

	mk_tuples(1, AF_INET, &t0, &t1);
	a = nlvs_conn_new(t, &t0, &t1, 0, 10000, now, &reason);
	mk_tuples(2, AF_INET, &t0, &t1);
	b = nlvs_conn_new(t, &t0, &t1, 0, 900000, now, &reason);
	mk_tuples(3, AF_INET, &t0, &t1);
	l = nlvs_conn_new(t, &t0, &t1, 0, 3600000, now, &reason);	/* past the wheel */
	expired_n = 0;

	/* a packet at +5 s pushes a's expiry to +15 s: one store, no re-filing */
	a->timeout = 10000;
	nlvs_conn_refresh(t, a, now + 5000);
	for (uint64_t ms = now; ms <= now + 14700; ms += 100)
		nlvs_conn_expire(t, ms, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 0);
	nlvs_conn_expire(t, now + 15300, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 1);
	mk_tuples(1, AF_INET, &t0, &t1);
	assert_null(nlvs_conn_lookup(t, &t0, &side));

	/* b drops to a 10 s timeout at +20 s: re-filed earlier at once */
	b->timeout = 10000;
	nlvs_conn_refresh(t, b, now + 20000);
	nlvs_conn_expire(t, now + 29700, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 1);
	nlvs_conn_expire(t, now + 30300, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 2);

	/* l goes round the wheel several times before its hour is up */
	for (uint64_t ms = now + 30000; ms <= now + 3599700; ms += 1000)
		nlvs_conn_expire(t, ms, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 2);
	mk_tuples(3, AF_INET, &t0, &t1);
	assert_ptr_equal(nlvs_conn_lookup(t, &t1, &side), l);
	nlvs_conn_expire(t, now + 3600300, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 3);
	assert_int_equal(nlvs_conn_tab_count(t), 0);
	nlvs_conn_tab_destroy(t);
}

/* The clock's low 32 bits wrap under a connection; timeouts longer than an
 * expiry holds are cut to NLVS_CONN_TIMEOUT_MAX. */
static void test_expiry_wrap(void **state)
{
	uint64_t now = (1ull << 32) - 5000;
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(100, 100, now);
	struct nlvs_conn_tuple t0, t1;
	struct nlvs_conn *a, *l;
	unsigned int reason;

	mk_tuples(1, AF_INET, &t0, &t1);
	a = nlvs_conn_new(t, &t0, &t1, 0, 10000, now, &reason);
	mk_tuples(2, AF_INET6, &t0, &t1);
	l = nlvs_conn_new(t, &t0, &t1, 0, UINT32_MAX, now, &reason);
	assert_int_equal(l->timeout, NLVS_CONN_TIMEOUT_MAX);
	assert_int_equal(nlvs_conn_expires_in(l, now), NLVS_CONN_TIMEOUT_MAX);
	expired_n = 0;
	nlvs_conn_refresh(t, a, now + 3000);		/* expires after the wrap */
	assert_int_equal(nlvs_conn_expires_in(a, now + 6000), 7000);
	for (uint64_t ms = now; ms <= now + 12700; ms += 100)
		nlvs_conn_expire(t, ms, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 0);
	nlvs_conn_expire(t, now + 13300, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 1);
	assert_int_equal(nlvs_conn_expires_in(l, now + 13300),
			 NLVS_CONN_TIMEOUT_MAX - 13300);
	assert_int_equal(nlvs_conn_tab_count(t), 1);
	nlvs_conn_tab_destroy(t);
}

/* What nlvs_conn_tuple() gives back is the key the connection was filed
 * under: IPv4 and IPv6, both sides, and a template's side 0. */
static void test_tuple_back(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(100, 100, 0);
	struct nlvs_conn_tuple t0, t1, k, tk;
	union nlvs_addr ca = { .ip = htonl(0xc6120107u) }, va = { .ip = htonl(0xc000020au) };
	struct nlvs_conn *c;
	unsigned int reason, side, af;

	for (af = AF_INET; af <= AF_INET6; af += AF_INET6 - AF_INET) {
		mk_tuples(7, (int)af, &t0, &t1);
		c = nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason);
		assert_int_equal(nlvs_conn_af(c), af);
		nlvs_conn_tuple(c, 0, &k);
		assert_memory_equal(&k, &t0, sizeof(k));
		nlvs_conn_tuple(c, 1, &k);
		assert_memory_equal(&k, &t1, sizeof(k));
		assert_ptr_equal(nlvs_conn_lookup(t, &t1, &side), c);
		assert_int_equal(side, 1);
	}
	nlvs_conn_tuple_template(&tk, AF_INET, IPPROTO_TCP, &ca, 24, &va, htons(80));
	c = nlvs_conn_new(t, &tk, NULL, NLVS_CONN_F_TEMPLATE, 1000, 0, &reason);
	nlvs_conn_tuple(c, 0, &k);
	assert_memory_equal(&k, &tk, sizeof(k));
	assert_ptr_equal(nlvs_conn_lookup(t, &tk, &side), c);
	k.kind = 0;					/* not the template's key */
	assert_null(nlvs_conn_lookup(t, &k, &side));
	nlvs_conn_tab_destroy(t);
}

/* The wheel against a model: connections of both pools, refreshed with
 * longer and shorter timeouts at random, each goes within two ticks after
 * its expiry and never before. */
static struct nlvs_conn *wm_conn[400];
static uint64_t wm_due[400], wm_now;
static void wm_expire(struct nlvs_conn *c, void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < 400 && wm_conn[i] != c; i++)
		;
	assert_true(i < 400);
	assert_true(wm_now >= wm_due[i] && wm_now <= wm_due[i] + 2 * 256);
	wm_conn[i] = NULL;
	expired_n++;
}

static void test_wheel_model(void **state)
{
	static const uint32_t timeouts[] = { 500, 2000, 10000, 60000, 120000, 900000 };
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(200, 200, 0);
	struct nlvs_conn_tuple t0, t1;
	unsigned int reason, i, made = 0;

	srandom(7);
	expired_n = 0;
	for (wm_now = 0; wm_now < 1200000; wm_now += 100) {
		for (i = 0; i < 4; i++) {
			unsigned int j = (unsigned int)random() % 400;
			uint32_t to = timeouts[random() % 6];

			if (!wm_conn[j]) {
				if (wm_now > 300000)
					continue;	/* let everything go in the end */
				mk_tuples(j, j & 1 ? AF_INET6 : AF_INET, &t0, &t1);
				wm_conn[j] = nlvs_conn_new(t, &t0, &t1, 0, to, wm_now, &reason);
				assert_non_null(wm_conn[j]);
				made++;
			} else {
				wm_conn[j]->timeout = to;
				nlvs_conn_refresh(t, wm_conn[j], wm_now);
			}
			wm_due[j] = wm_now + to;
		}
		nlvs_conn_expire(t, wm_now, 1000, wm_expire, NULL);
	}
	assert_int_equal(expired_n, made);
	assert_int_equal(nlvs_conn_tab_count(t), 0);
	nlvs_conn_tab_destroy(t);
}

static void test_expiry_budget_and_jump(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(4000, 4000, 0);
	struct nlvs_conn_tuple t0, t1;
	unsigned int reason, i, calls = 0, n;

	for (i = 0; i < 3000; i++) {
		mk_tuples(i, AF_INET, &t0, &t1);
		assert_non_null(nlvs_conn_new(t, &t0, &t1, 0, 1000 + (i % 7) * 100000, 0,
					      &reason));
	}
	expired_n = 0;
	/* an hour later in one step: bounded work per call, all go eventually */
	do {
		n = nlvs_conn_expire(t, 3600000, 100, on_expire, NULL);
		assert_true(n <= 100);
		calls++;
	} while (nlvs_conn_tab_count(t) && calls < 10000);
	assert_int_equal(nlvs_conn_tab_count(t), 0);
	assert_int_equal(expired_n, 3000);
	assert_true(calls >= 30);
	nlvs_conn_tab_destroy(t);
}

static void test_templates(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(16, 16, 0);
	struct nlvs_conn_tuple k, k2, t0, t1;
	struct nlvs_conn *tmpl, *c;
	union nlvs_addr client, client2, vip;
	unsigned int reason, side;

	memset(&client, 0, sizeof(client));
	memset(&vip, 0, sizeof(vip));
	client.ip = inet_addr("198.51.100.77");
	client2 = client;
	client2.ip = inet_addr("198.51.100.200");
	vip.ip = inet_addr("192.0.2.10");
	nlvs_conn_tuple_template(&k, AF_INET, IPPROTO_TCP, &client, 24, &vip, htons(80));
	assert_int_equal(k.saddr.ip, inet_addr("198.51.100.0"));
	assert_int_equal(k.sport, 0);
	tmpl = nlvs_conn_new(t, &k, NULL, NLVS_CONN_F_TEMPLATE, 60000, 0, &reason);
	assert_non_null(tmpl);
	/* another client of the same /24 finds it; a connection tuple does not */
	nlvs_conn_tuple_template(&k2, AF_INET, IPPROTO_TCP, &client2, 24, &vip, htons(80));
	assert_ptr_equal(nlvs_conn_lookup(t, &k2, &side), tmpl);
	k2.kind = 0;
	assert_null(nlvs_conn_lookup(t, &k2, &side));
	assert_string_equal(nlvs_conn_state_name(tmpl), "NONE");

	mk_tuples(1, AF_INET, &t0, &t1);
	c = nlvs_conn_new(t, &t0, &t1, 0, 120000, 0, &reason);
	nlvs_conn_set_template(t, c, tmpl);
	assert_int_equal(nlvs_conn_n_control(t, tmpl), 1);
	assert_ptr_equal(nlvs_conn_template(t, c), tmpl);

	/* the template outlives its timeout while it controls c */
	expired_n = 0;
	for (uint64_t ms = 0; ms <= 119700; ms += 500)
		nlvs_conn_expire(t, ms, 100, on_expire, NULL);
	assert_int_equal(expired_n, 0);
	assert_ptr_equal(nlvs_conn_lookup(t, &k, &side), tmpl);
	nlvs_conn_expire(t, 120300, 100, on_expire, NULL);
	assert_int_equal(expired_n, 1);		/* c went */
	assert_int_equal(nlvs_conn_n_control(t, tmpl), 0);
	for (uint64_t ms = 120300; ms <= 200000; ms += 500)
		nlvs_conn_expire(t, ms, 100, on_expire, NULL);
	assert_int_equal(expired_n, 2);
	assert_null(nlvs_conn_lookup(t, &k, &side));
	assert_int_equal(nlvs_conn_tab_count(t), 0);

	/* IPv6 prefix masking */
	memset(&client, 0xff, sizeof(client));
	nlvs_conn_tuple_template(&k, AF_INET6, IPPROTO_UDP, &client, 60, &vip, 0);
	assert_int_equal(k.saddr.b[7], 0xf0);
	assert_int_equal(k.saddr.b[8], 0);
	nlvs_conn_tab_destroy(t);
}

static void test_one_packet(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(4, 4, 5000);
	struct nlvs_conn_tuple t0, t1;
	struct nlvs_conn *c;
	unsigned int reason, side;
	uint32_t cursor = 0;

	mk_tuples(9, AF_INET, &t0, &t1);
	c = nlvs_conn_new(t, &t0, &t1, NLVS_CONN_F_ONE_PACKET, 0, 5000, &reason);
	assert_non_null(c);
	assert_null(nlvs_conn_lookup(t, &t0, &side));	/* never seen again */
	assert_ptr_equal(nlvs_conn_next(t, &cursor), c);
	expired_n = 0;
	nlvs_conn_expire(t, 5000, 16, on_expire, NULL);
	assert_int_equal(expired_n, 1);
	assert_int_equal(nlvs_conn_tab_count(t), 0);
	nlvs_conn_tab_destroy(t);
}

/* IPv4 entries are one line, IPv6 ones two, from pools of their own: the
 * accessors find an IPv6 connection's addresses after it, listing and
 * expiry go over both pools, an IPv6 template controls an IPv4
 * connection and the other way round. */
static void test_both_pools(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(64, 32, 0);
	struct nlvs_conn *c4[20], *c6[20], *tm4, *tm6, *c;
	struct nlvs_conn_tuple t0, t1, k;
	union nlvs_addr ca, va, a;
	struct nlvs_pkt_rewrite rw;
	unsigned int reason, side, i, n4 = 0, n6 = 0;
	uint32_t cursor = 0;

	for (i = 0; i < 20; i++) {
		mk_tuples(i, AF_INET, &t0, &t1);
		c4[i] = nlvs_conn_new(t, &t0, &t1, 0, 10000 + i * 1000, 0, &reason);
		mk_tuples(i, AF_INET6, &t0, &t1);
		c6[i] = nlvs_conn_new(t, &t0, &t1, 0, 10000 + i * 1000, 0, &reason);
		assert_non_null(c4[i]);
		assert_non_null(c6[i]);
		assert_int_equal((uintptr_t)c6[i] % 64, 0);
		assert_int_equal(nlvs_conn_af(c4[i]), AF_INET);
		assert_int_equal(nlvs_conn_af(c6[i]), AF_INET6);
		/* the accessors: both sides' addresses, and the rewrite */
		a = nlvs_conn_saddr(c6[i], 0);
		assert_memory_equal(&a, &t0.saddr, 16);
		a = nlvs_conn_daddr(c6[i], 0);
		assert_memory_equal(&a, &t0.daddr, 16);
		a = nlvs_conn_saddr(c6[i], 1);
		assert_memory_equal(&a, &t1.saddr, 16);
		a = nlvs_conn_daddr(c6[i], 1);
		assert_memory_equal(&a, &t1.daddr, 16);
		nlvs_conn_rewrite(c6[i], NLVS_CONN_SIDE_CLIENT, &rw);
		assert_memory_equal(&rw.saddr, &t1.daddr, 16);
		assert_memory_equal(&rw.daddr, &t1.saddr, 16);
		nlvs_conn_tuple(c6[i], 1, &k);
		assert_memory_equal(&k, &t1, sizeof(k));
		assert_ptr_equal(nlvs_conn_lookup(t, &t1, &side), c6[i]);
		assert_int_equal(side, 1);
		/* no IPv4 entry overlaps an IPv6 one */
		assert_true((char *)c4[i] + 64 <= (char *)c6[0] ||
			    (char *)c4[i] >= (char *)c6[i] + 128);
	}
	/* listing: every connection once, of either pool */
	while ((c = nlvs_conn_next(t, &cursor))) {
		n4 += nlvs_conn_af(c) == AF_INET;
		n6 += nlvs_conn_af(c) == AF_INET6;
	}
	assert_int_equal(n4, 20);
	assert_int_equal(n6, 20);

	/* templates of either family count what they control */
	memset(&ca, 0, sizeof(ca));
	memset(&va, 0, sizeof(va));
	ca.ip6[0] = htonl(0x20010db8);
	va.ip6[0] = htonl(0x20010db8);
	va.ip6[3] = htonl(0xa);
	nlvs_conn_tuple_template(&k, AF_INET6, IPPROTO_TCP, &ca, 64, &va, htons(80));
	tm6 = nlvs_conn_new(t, &k, NULL, NLVS_CONN_F_TEMPLATE, 1000, 0, &reason);
	ca.ip = htonl(0xc6120000u);
	va.ip = htonl(0xc000020au);
	nlvs_conn_tuple_template(&k, AF_INET, IPPROTO_TCP, &ca, 24, &va, htons(80));
	tm4 = nlvs_conn_new(t, &k, NULL, NLVS_CONN_F_TEMPLATE, 1000, 0, &reason);
	assert_non_null(tm6);
	assert_non_null(tm4);
	nlvs_conn_set_template(t, c4[19], tm6);
	nlvs_conn_set_template(t, c6[19], tm6);
	nlvs_conn_set_template(t, c6[18], tm4);
	assert_int_equal(nlvs_conn_n_control(t, tm6), 2);
	assert_int_equal(nlvs_conn_n_control(t, tm4), 1);
	assert_ptr_equal(nlvs_conn_template(t, c4[19]), tm6);
	assert_ptr_equal(nlvs_conn_template(t, c6[18]), tm4);
	assert_ptr_equal(nlvs_conn_lookup(t, &k, &side), tm4);

	/* expiry reaches both pools: c*[i] go at 10 + i seconds, the
	 * templates when the last connection they control has gone */
	expired_n = 0;
	for (uint64_t ms = 0; ms <= 19700; ms += 100)
		nlvs_conn_expire(t, ms, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 2 * 10);
	for (uint64_t ms = 19800; ms <= 40000; ms += 100)
		nlvs_conn_expire(t, ms, 1000, on_expire, NULL);
	assert_int_equal(expired_n, 2 * 20 + 2);
	assert_int_equal(nlvs_conn_tab_count(t), 0);
	cursor = 0;
	assert_null(nlvs_conn_next(t, &cursor));
	/* and the freed entries are found again, each in its pool */
	for (i = 0; i < 32; i++) {
		mk_tuples(i, AF_INET6, &t0, &t1);
		assert_non_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
	}
	assert_null(nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason));
	assert_int_equal(reason, NLVS_DROP_CONN_TABLE_FULL);
	nlvs_conn_tab_destroy(t);
}

/* The key of an ICMP error's quoted packet finds the connection on the
 * side the error came from. */
static void test_icmp_key(void **state)
{
	struct nlvs_conn_tab *t = nlvs_conn_tab_create(4, 4, 0);
	struct nlvs_conn_tuple t0, t1, k;
	struct nlvs_conn *c;
	struct nlvs_pkt p;
	unsigned int reason, side;

	mk_tuples(5, AF_INET, &t0, &t1);
	c = nlvs_conn_new(t, &t0, &t1, 0, 1000, 0, &reason);
	memset(&p, 0, sizeof(p));
	p.af = AF_INET;
	/* we sent laddr:lport -> RS:rport; the error quotes it */
	p.inner.proto = IPPROTO_TCP;
	p.inner.saddr = t1.daddr;
	p.inner.daddr = t1.saddr;
	p.inner.sport = t1.dport;
	p.inner.dport = t1.sport;
	nlvs_conn_tuple_from_icmp(&k, &p);
	assert_ptr_equal(nlvs_conn_lookup(t, &k, &side), c);
	assert_int_equal(side, NLVS_CONN_SIDE_RS);
	nlvs_conn_tab_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_tuples),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_churn_model),
		cmocka_unit_test(test_index_load),
		cmocka_unit_test(test_churn_deferred),
		cmocka_unit_test(test_both_pools),
		cmocka_unit_test(test_bulk_lookup),
		cmocka_unit_test(test_signature_collisions),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_expiry_wrap),
		cmocka_unit_test(test_wheel_model),
		cmocka_unit_test(test_tuple_back),
		cmocka_unit_test(test_expiry_budget_and_jump),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_one_packet),
		cmocka_unit_test(test_icmp_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
