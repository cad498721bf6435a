// SPDX-License-Identifier: GPL-2.0-or-later
/* The FULLNAT engine's pure parts (lb_calc.c): per-worker threshold shares,
 * persistence netmasks as template keys, the service hash table, and the
 * worker chain of ICMP errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "lb/lb_calc.h"
#include "conn/nlvs_conn.h"

static void test_threshold_share(void **state)
{
	static const struct {
		unsigned int w;
		uint32_t u, l, uw, lw;
	} cases[] = {
		{ 1, 100, 50, 100, 50 },	/* one worker: the kernel's values */
		{ 0, 100, 50, 100, 50 },	/* no workers yet counts as one */
		{ 2, 100, 50, 50, 25 },
		{ 2, 101, 51, 51, 25 },		/* upper rounds up, lower down */
		{ 3, 10, 10, 4, 3 },
		{ 4, 1, 1, 1, 1 },		/* never below one */
		{ 4, 3, 3, 1, 1 },
		{ 16, 0, 0, 0, 0 },		/* 0: no threshold, on every worker */
		{ 16, 0, 5, 0, 1 },
		{ 16, 17, 0, 2, 0 },
		{ 3, UINT32_MAX, UINT32_MAX, 1431655765, 1431655765 },
		{ 2, UINT32_MAX, 1, 2147483648u, 1 },	/* no overflow in the rounding */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t uw = 7, lw = 7;

		lb_threshold_share(cases[i].w, cases[i].u, cases[i].l, &uw, &lw);
		if (uw != cases[i].uw || lw != cases[i].lw)
			fail_msg("W=%u u=%u l=%u: got %u/%u, want %u/%u", cases[i].w, cases[i].u,
				 cases[i].l, uw, lw, cases[i].uw, cases[i].lw);
	}
}

/* The sum over workers never lets more through than the director's upper
 * threshold plus W-1, and the lower share is reached by every worker. */
static void test_threshold_share_sum(void **state)
{
	unsigned int w;
	uint32_t u;

	(void)state;
	for (w = 1; w <= 16; w++) {
		for (u = 1; u < 300; u++) {
			uint32_t uw, lw;

			lb_threshold_share(w, u, u, &uw, &lw);
			assert_true((uint64_t)uw * w >= u);
			assert_true((uint64_t)uw * w < u + w);
			assert_true(lw >= 1 && lw <= uw);
		}
	}
}

static union nlvs_addr a4(const char *s)
{
	union nlvs_addr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(inet_pton(AF_INET, s, &a.ip), 1);
	return a;
}

static union nlvs_addr a6(const char *s)
{
	union nlvs_addr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(inet_pton(AF_INET6, s, &a.in6), 1);
	return a;
}

static void test_svc_plen(void **state)
{
	(void)state;
	assert_int_equal(lb_svc_plen(AF_INET, 0xffffffffu), 32);
	assert_int_equal(lb_svc_plen(AF_INET, htonl(0xffffff00u)), 24);
	assert_int_equal(lb_svc_plen(AF_INET, htonl(0xffff0000u)), 16);
	assert_int_equal(lb_svc_plen(AF_INET, 0), 0);
	assert_int_equal(lb_svc_plen(AF_INET6, 128), 128);
	assert_int_equal(lb_svc_plen(AF_INET6, 64), 64);
	assert_int_equal(lb_svc_plen(AF_INET6, 200), 128);
}

/* Template keys as tmpl_get()/tmpl_new() build them: the client address
 * under the service's persistence netmask, VIP and service port. */
static int same_tmpl(int af, uint32_t netmask, const union nlvs_addr *c1,
		     const union nlvs_addr *c2, const union nlvs_addr *vip, uint16_t port)
{
	struct nlvs_conn_tuple k1, k2;
	unsigned int plen = lb_svc_plen(af, netmask);

	nlvs_conn_tuple_template(&k1, af, IPPROTO_TCP, c1, plen, vip, port);
	nlvs_conn_tuple_template(&k2, af, IPPROTO_TCP, c2, plen, vip, port);
	return !memcmp(&k1, &k2, sizeof(k1));
}

static void test_tmpl_keys(void **state)
{
	union nlvs_addr vip = a4("10.0.0.10"), vip6 = a6("fd00::10");
	union nlvs_addr c1 = a4("192.0.2.1"), c2 = a4("192.0.2.200"), c3 = a4("192.0.3.1");
	union nlvs_addr d1 = a6("2001:db8:1:2::1"), d2 = a6("2001:db8:1:2:ffff::9");
	union nlvs_addr d3 = a6("2001:db8:1:3::1");

	(void)state;
	/* default -M 255.255.255.255: one client, one template */
	assert_true(same_tmpl(AF_INET, 0xffffffffu, &c1, &c1, &vip, htons(80)));
	assert_false(same_tmpl(AF_INET, 0xffffffffu, &c1, &c2, &vip, htons(80)));
	/* -M 255.255.255.0: a /24 shares one */
	assert_true(same_tmpl(AF_INET, htonl(0xffffff00u), &c1, &c2, &vip, htons(80)));
	assert_false(same_tmpl(AF_INET, htonl(0xffffff00u), &c1, &c3, &vip, htons(80)));
	assert_true(same_tmpl(AF_INET, htonl(0xfffe0000u), &c1, &c3, &vip, htons(80)));
	/* IPv6 -M 64 */
	assert_true(same_tmpl(AF_INET6, 64, &d1, &d2, &vip6, htons(443)));
	assert_false(same_tmpl(AF_INET6, 64, &d1, &d3, &vip6, htons(443)));
	assert_false(same_tmpl(AF_INET6, 128, &d1, &d2, &vip6, htons(443)));
}

struct fake_svc {
	int af;
	uint8_t proto;
	union nlvs_addr addr;
	uint16_t port;
};

static struct fake_svc *svcs;

static int fake_eq(uint32_t slot, const void *key)
{
	const struct fake_svc *k = key, *s = &svcs[slot];

	return s->af == k->af && s->proto == k->proto && s->port == k->port &&
	       !memcmp(&s->addr, &k->addr, sizeof(s->addr));
}

static uint32_t fake_hash(const struct fake_svc *s)
{
	return lb_svc_hash(s->af, s->proto, &s->addr, s->port);
}

static void test_svc_hash_table(void **state)
{
	enum { N = 5000 };
	uint32_t size = lb_hash_size(N), mask = size - 1, i, used = 0;
	struct lb_hash tab;
	struct fake_svc k;

	(void)state;
	assert_int_equal(lb_hash_init(&tab, size), 0);
	assert_int_equal(size & mask, 0);
	assert_true(size >= 2 * N);
	assert_int_equal(lb_hash_npages(tab.mask), size / LB_HPAGE);
	svcs = calloc(N, sizeof(*svcs));
	assert_non_null(svcs);
	/* VIPs with neighbouring addresses and ports, both families, both protocols */
	for (i = 0; i < N; i++) {
		svcs[i].af = i % 5 ? AF_INET : AF_INET6;
		svcs[i].proto = i & 1 ? IPPROTO_UDP : IPPROTO_TCP;
		svcs[i].port = htons((uint16_t)(80 + i % 7));
		if (svcs[i].af == AF_INET) {
			svcs[i].addr.ip = htonl(0x0a000000u + i / 14);
		} else {
			svcs[i].addr = a6("fd00::1");
			svcs[i].addr.ip6[3] = htonl(i);
		}
		assert_int_equal(lb_hash_add(&tab, NULL, fake_hash(&svcs[i]), i), 0);
	}
	for (i = 0; i < size; i++)
		used += lb_hash_at(&tab, i) != 0;
	assert_int_equal(used, N);
	for (i = 0; i < N; i++)
		assert_int_equal(lb_hash_find(&tab, fake_hash(&svcs[i]), fake_eq, &svcs[i]), i);
	/* absent keys: another port, protocol, family, address */
	k = svcs[10];
	k.port = htons(9999);
	assert_int_equal(lb_hash_find(&tab, fake_hash(&k), fake_eq, &k), -1);
	k = svcs[10];
	k.proto = IPPROTO_SCTP;
	assert_int_equal(lb_hash_find(&tab, fake_hash(&k), fake_eq, &k), -1);
	k = svcs[1];
	k.addr.ip = htonl(0x0b000000u);
	assert_int_equal(lb_hash_find(&tab, fake_hash(&k), fake_eq, &k), -1);
	lb_hash_free(&tab, NULL);
	free(svcs);
	svcs = NULL;
}

/* Deletion test keys: the hash home of each slot is chosen, so that probe
 * runs (and their wrap at the table's end) are where the test wants them. */
static uint32_t *homes;

static uint32_t home_of(uint32_t slot, const void *arg)
{
	(void)arg;
	return homes[slot];
}

static int slot_eq(uint32_t slot, const void *key)
{
	return slot == *(const uint32_t *)key;
}

static int64_t find_slot(const struct lb_hash *tab, uint32_t slot)
{
	return lb_hash_find(tab, homes[slot], slot_eq, &slot);
}

/* A delete in the middle of a probe run moves back the entries after it
 * that may move (not one sitting at its own home), across the table's end
 * too; every remaining entry is still found, the deleted one is not. */
static void test_hash_del_run(void **state)
{
	enum { SIZE = 16 };
	struct lb_hash tab;
	uint32_t i;
	uint32_t h[] = { 13, 13, 14, 15, 15, 2, 2 };	/* one run 13..15,0..3 */

	(void)state;
	homes = h;
	assert_int_equal(lb_hash_init(&tab, SIZE), 0);
	for (i = 0; i < 7; i++)
		assert_int_equal(lb_hash_add(&tab, NULL, homes[i], i), 0);
	/* 13:s0 14:s1 15:s2 0:s3 1:s4 2:s5 3:s6 */
	assert_int_equal(lb_hash_at(&tab, 0), 3 + 1);
	assert_int_equal(lb_hash_del(&tab, NULL, homes[1], 1, home_of, NULL), 1);
	for (i = 0; i < 7; i++)
		assert_int_equal(find_slot(&tab, i), i == 1 ? -1 : (int64_t)i);
	/* s2 (home 14), s3 and s4 (home 15) move back one, across the end... */
	assert_int_equal(lb_hash_at(&tab, 14), 2 + 1);
	assert_int_equal(lb_hash_at(&tab, 15), 3 + 1);
	assert_int_equal(lb_hash_at(&tab, 0), 4 + 1);
	/* ...s5 and s6 (home 2) stay where a lookup from 2 finds them */
	assert_int_equal(lb_hash_at(&tab, 1), 0);
	assert_int_equal(lb_hash_at(&tab, 2), 5 + 1);
	assert_int_equal(lb_hash_at(&tab, 3), 6 + 1);
	/* absent: not there, nothing moves */
	assert_int_equal(lb_hash_del(&tab, NULL, homes[1], 1, home_of, NULL), 0);
	/* the run's head and tail */
	assert_int_equal(lb_hash_del(&tab, NULL, homes[0], 0, home_of, NULL), 1);
	assert_int_equal(lb_hash_del(&tab, NULL, homes[6], 6, home_of, NULL), 1);
	for (i = 2; i < 6; i++)
		assert_int_equal(find_slot(&tab, i), i);
	lb_hash_free(&tab, NULL);
	homes = NULL;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random adds and deletes against a reference, with runs long enough to
 * cross pages: every key present is found, every key deleted is not; then
 * the same keys in a table grown to twice the size (a rehash) are found as
 * well. */
static void test_hash_del_random(void **state)
{
	enum { N = 3000, ROUNDS = 20000 };
	uint32_t size = lb_hash_size(N), i, r, n = 0, used, e;
	struct lb_hash tab, big;
	uint8_t *in = calloc(N, 1);
	uint64_t x = 88172645463325252ull;

	(void)state;
	assert_int_equal(lb_hash_init(&tab, size), 0);
	assert_true(lb_hash_npages(tab.mask) > 2);
	assert_non_null(in);
	homes = calloc(N, sizeof(*homes));
	assert_non_null(homes);
	for (i = 0; i < N; i++)	/* clustered homes: long runs */
		homes[i] = (i * 2654435761u) % (size / 4);
	for (r = 0; r < ROUNDS; r++) {
		i = (uint32_t)(xorshift(&x) % N);
		if (in[i]) {
			assert_int_equal(lb_hash_del(&tab, NULL, homes[i], i, home_of, NULL), 1);
			in[i] = 0;
			n--;
		} else {
			assert_int_equal(lb_hash_add(&tab, NULL, homes[i], i), 0);
			in[i] = 1;
			n++;
		}
		if (r % 1000)
			continue;
		for (i = 0; i < N; i++)
			assert_int_equal(find_slot(&tab, i), in[i] ? (int64_t)i : -1);
	}
	for (i = 0, used = 0; i < size; i++)
		used += lb_hash_at(&tab, i) != 0;
	assert_int_equal(used, n);
	assert_int_equal(lb_hash_init(&big, 2 * size), 0);
	for (i = 0; i < size; i++)
		if ((e = lb_hash_at(&tab, i)))
			assert_int_equal(lb_hash_add(&big, NULL, homes[e - 1], e - 1), 0);
	for (i = 0; i < N; i++)
		assert_int_equal(find_slot(&big, i), in[i] ? (int64_t)i : -1);
	lb_hash_free(&big, NULL);
	lb_hash_free(&tab, NULL);
	free(in);
	free(homes);
	homes = NULL;
}

/* Copy on write: a hash copied from another (a table built from the
 * published one) copies only the pages it writes; the other never changes,
 * and freeing the copy against it frees only the copy's own pages (the
 * sanitizer build checks the frees). */
static void test_hash_cow(void **state)
{
	enum { N = 3000, ROUNDS = 2000 };
	uint32_t size = lb_hash_size(N), npg = lb_hash_npages(size - 1), i, r, k;
	struct lb_hash base, cur;
	uint32_t *snap = calloc(size, sizeof(*snap));
	uint8_t *in = calloc(N, 1), *in_base = calloc(N, 1);
	uint64_t x = 2463534242ull;

	(void)state;
	assert_non_null(snap);
	assert_non_null(in);
	assert_non_null(in_base);
	homes = calloc(N, sizeof(*homes));
	assert_non_null(homes);
	for (i = 0; i < N; i++)	/* spread: most runs stay in their page */
		homes[i] = (uint32_t)(xorshift(&x) % size);
	assert_int_equal(lb_hash_init(&base, size), 0);
	for (i = 0; i < N; i += 2) {
		assert_int_equal(lb_hash_add(&base, NULL, homes[i], i), 0);
		in[i] = in_base[i] = 1;
	}
	for (i = 0; i < size; i++)
		snap[i] = lb_hash_at(&base, i);
	cur = base;
	assert_int_equal(lb_hash_shared(&cur, &base), npg);
	/* an add writes one entry: its page (and the page array) copied */
	assert_int_equal(lb_hash_add(&cur, &base, homes[1], 1), 0);
	in[1] = 1;
	assert_true(cur.pg != base.pg);
	assert_int_equal(lb_hash_shared(&cur, &base), npg - 1);
	/* then many changes to the copy */
	for (r = 0; r < ROUNDS; r++) {
		k = (uint32_t)(xorshift(&x) % N);
		if (in[k]) {
			assert_int_equal(lb_hash_del(&cur, &base, homes[k], k, home_of, NULL), 1);
			in[k] = 0;
		} else {
			assert_int_equal(lb_hash_add(&cur, &base, homes[k], k), 0);
			in[k] = 1;
		}
	}
	for (i = 0; i < N; i++) {
		assert_int_equal(find_slot(&cur, i), in[i] ? (int64_t)i : -1);
		assert_int_equal(find_slot(&base, i), in_base[i] ? (int64_t)i : -1);
	}
	for (i = 0; i < size; i++)
		assert_int_equal(lb_hash_at(&base, i), snap[i]);
	assert_ptr_equal(cur.pg0, cur.pg[0]);	/* page 0 read without the array */
	assert_ptr_equal(base.pg0, base.pg[0]);
	lb_hash_free(&cur, &base);	/* the copy's own pages only */
	for (i = 0; i < size; i++)
		assert_int_equal(lb_hash_at(&base, i), snap[i]);
	lb_hash_free(&base, NULL);
	free(snap);
	free(in);
	free(in_base);
	free(homes);
	homes = NULL;
}

/* The hash spreads near-identical keys: no bucket of a 2x table collects
 * many of 4096 consecutive VIPs. */
static void test_svc_hash_spread(void **state)
{
	enum { N = 4096 };
	uint32_t size = lb_hash_size(N), i, max = 0;
	uint8_t *n = calloc(size, 1);
	union nlvs_addr a;

	(void)state;
	assert_non_null(n);
	memset(&a, 0, sizeof(a));
	for (i = 0; i < N; i++) {
		uint32_t b;

		a.ip = htonl(0xc0000200u + i);
		b = lb_svc_hash(AF_INET, IPPROTO_TCP, &a, htons(80)) & (size - 1);
		if (++n[b] > max)
			max = n[b];
	}
	assert_true(max <= 8);
	/* the key's every field counts */
	a.ip = htonl(0xc0000201u);
	assert_int_not_equal(lb_svc_hash(AF_INET, IPPROTO_TCP, &a, htons(80)),
			     lb_svc_hash(AF_INET, IPPROTO_UDP, &a, htons(80)));
	assert_int_not_equal(lb_svc_hash(AF_INET, IPPROTO_TCP, &a, htons(80)),
			     lb_svc_hash(AF_INET, IPPROTO_TCP, &a, htons(81)));
	assert_int_not_equal(lb_svc_hash(AF_INET, IPPROTO_TCP, &a, htons(80)),
			     lb_svc_hash(AF_INET6, IPPROTO_TCP, &a, htons(80)));
	free(n);
}

static void test_hash_size(void **state)
{
	(void)state;
	assert_int_equal(lb_hash_size(0), LB_HASH_MIN);
	assert_int_equal(lb_hash_size(8), 16);
	assert_int_equal(lb_hash_size(9), 32);
	assert_int_equal(lb_hash_size(262144), 524288);
}

/* Every worker is asked exactly once: N-1 hand-offs, then the last one
 * decides; one worker never hands off. */
static void test_chain(void **state)
{
	unsigned int n, start;

	(void)state;
	assert_int_equal(lb_chain_next(0, 1, 0, &start), 0);
	assert_int_equal(lb_chain_next(0, 0, 0, &start), 0);
	for (n = 2; n <= 16; n++) {
		for (start = 0; start < n; start++) {
			unsigned int seen = 1u << start, id = start, hops = 0, next;

			while (lb_chain_next(id, n, hops, &next)) {
				assert_true(next < n);
				assert_false(seen & (1u << next));
				seen |= 1u << next;
				id = next;
				hops++;
			}
			assert_int_equal(hops, n - 1);
			assert_int_equal(seen, (1u << n) - 1);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold_share),
		cmocka_unit_test(test_threshold_share_sum),
		cmocka_unit_test(test_svc_plen),
		cmocka_unit_test(test_tmpl_keys),
		cmocka_unit_test(test_svc_hash_table),
		cmocka_unit_test(test_hash_del_run),
		cmocka_unit_test(test_hash_del_random),
		cmocka_unit_test(test_hash_cow),
		cmocka_unit_test(test_svc_hash_spread),
		cmocka_unit_test(test_hash_size),
		cmocka_unit_test(test_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
