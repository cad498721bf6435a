// SPDX-License-Identifier: GPL-2.0-or-later
/* TUN encapsulation (net/tun_encap.c): the outer headers of ipip, gue and
 * gre over IPv4 and IPv6 for inner IPv4 and IPv6, checked field by field
 * against the kernel's choices (TTL, DF, DS field with ECN, GUE port range,
 * checksums with the naive reference), the inner packet untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "net/nlvs_pkt.h"
#include "test_pkt_util.h"

#define RS4	"10.9.2.11"
#define SRC4	"10.9.2.1"
#define RS6	"fd00:9:2::11"
#define SRC6	"fd00:9:2::1"

static void encap_set(struct nlvs_tun_encap *t, int af, unsigned int type, unsigned int flags)
{
	memset(t, 0, sizeof(*t));
	t->af = (uint8_t)af;
	t->type = (uint8_t)type;
	t->flags = (uint16_t)flags;
	t->dport = htons(6080);
	t->sport = nlvs_tun_gue_sport(0x12345678);
	t->id = htons(0x4242);
	inet_pton(af, af == AF_INET ? SRC4 : SRC6, &t->saddr);
	inet_pton(af, af == AF_INET ? RS4 : RS6, &t->daddr);
}

/* The client's packet, with DS field @ds, at @b; its length. */
static unsigned int inner_build(uint8_t *b, int af, uint8_t ds, int df)
{
	unsigned int n = build_l4pkt(b, af, IPPROTO_TCP, af == AF_INET ? "192.0.2.7" : "2001:db8::7",
				     af == AF_INET ? "10.9.0.10" : "fd00:9::10", 40000, 80,
				     NLVS_TCP_ACK, 333);

	if (af == AF_INET) {
		b[1] = ds;
		put16(b + 6, df ? 0x4000 : 0);
		put16(b + 10, 0);
		put16(b + 10, ref_csum(b, 20));
	} else {
		b[0] = (uint8_t)(0x60 | ds >> 4);
		b[1] = (uint8_t)(ds << 4);
	}
	return n;
}

static void one(int oaf, int iaf, unsigned int type, unsigned int flags, uint8_t ds, int df)
{
	uint8_t b[1024], in[512];
	struct nlvs_tun_encap t;
	unsigned int hlen = nlvs_tun_hlen(oaf, type, flags);
	unsigned int ih = oaf == AF_INET ? 20 : 40, n;
	uint8_t want_ds = (uint8_t)((ds & 3) == 3 ? (ds & ~3) | 2 : ds);
	uint8_t proto, ttl, tc;
	const uint8_t *l4 = b + ih;
	uint32_t total;

	n = inner_build(in, iaf, ds, df);
	memcpy(b + hlen, in, n);
	encap_set(&t, oaf, type, flags);
	total = nlvs_tun_encap(b, &t, iaf);
	assert_int_equal(total, hlen + n);
	assert_memory_equal(b + hlen, in, n);		/* the inner packet as it was */

	if (oaf == AF_INET) {
		assert_int_equal(b[0], 0x45);
		assert_int_equal(ref_csum(b, 20), 0);
		assert_int_equal(get16(b + 2), total);
		/* DF follows an inner IPv4 DF; then the identification is 0 */
		assert_int_equal(get16(b + 6), iaf == AF_INET && df ? 0x4000 : 0);
		assert_int_equal(get16(b + 4), iaf == AF_INET && df ? 0 : 0x4242);
		tc = b[1];
		ttl = b[8];
		proto = b[9];
	} else {
		assert_int_equal(b[0] >> 4, 6);
		assert_int_equal(get16(b + 4), total - 40);
		assert_int_equal(b[1] & 0x0f, 0);	/* flow label 0 */
		assert_int_equal(b[2] | b[3], 0);
		tc = (uint8_t)(get16(b) >> 4);
		ttl = b[7];
		proto = b[6];
	}
	assert_int_equal(ttl, 64);
	assert_int_equal(tc, want_ds);
	assert_memory_equal(oaf == AF_INET ? b + 12 : b + 8, &t.saddr, oaf == AF_INET ? 4 : 16);
	assert_memory_equal(oaf == AF_INET ? b + 16 : b + 24, &t.daddr, oaf == AF_INET ? 4 : 16);

	switch (type) {
	case NLVS_TUN_IPIP:
		assert_int_equal(hlen, ih);
		assert_int_equal(proto, iaf == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6);
		break;
	case NLVS_TUN_GUE:
		assert_int_equal(hlen, ih + 12);
		assert_int_equal(proto, IPPROTO_UDP);
		assert_int_equal(get16(l4 + 2), 6080);
		assert_memory_equal(l4, &t.sport, 2);
		assert_int_equal(get16(l4 + 4), total - ih);
		assert_int_equal(l4[8], 0);		/* version 0, no options */
		assert_int_equal(l4[9], iaf == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6);
		assert_int_equal(get16(l4 + 10), 0);
		if (flags & (NLVS_TUN_F_CSUM | NLVS_TUN_F_REMCSUM))
			assert_int_equal(ref_l4_csum(oaf, b, l4, total - ih, IPPROTO_UDP), 0);
		else
			assert_int_equal(get16(l4 + 6), 0);
		break;
	case NLVS_TUN_GRE:
		assert_int_equal(proto, IPPROTO_GRE);
		assert_int_equal(get16(l4 + 2), iaf == AF_INET ? 0x0800 : 0x86dd);
		if (flags & NLVS_TUN_F_CSUM) {
			assert_int_equal(hlen, ih + 8);
			assert_int_equal(get16(l4), 0x8000);
			assert_int_equal(get16(l4 + 6), 0);
			assert_int_equal(ref_csum(l4, total - ih), 0);
		} else {
			assert_int_equal(hlen, ih + 4);
			assert_int_equal(get16(l4), 0);
		}
		break;
	}
}

static void test_tun_all(void **state)
{
	static const unsigned int types[] = { NLVS_TUN_IPIP, NLVS_TUN_GUE, NLVS_TUN_GRE };
	static const unsigned int flagsets[] = { 0, NLVS_TUN_F_CSUM, NLVS_TUN_F_REMCSUM };
	static const int afs[] = { AF_INET, AF_INET6 };
	unsigned int i, j, k, l;

	(void)state;
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			for (k = 0; k < 2; k++)
				for (l = 0; l < 2; l++) {
					one(afs[k], afs[l], types[i], flagsets[j], 0xb8, 1);
					one(afs[k], afs[l], types[i], flagsets[j], 0x01, 0);
				}
}

static void test_tun_ecn(void **state)
{
	(void)state;
	/* a congestion mark inside becomes ECT(0) outside; ECT(1) stays */
	one(AF_INET, AF_INET, NLVS_TUN_IPIP, 0, 0xb3, 1);
	one(AF_INET6, AF_INET6, NLVS_TUN_IPIP, 0, 0xb3, 0);
	one(AF_INET, AF_INET6, NLVS_TUN_GRE, NLVS_TUN_F_CSUM, 0x2b, 0);
	one(AF_INET6, AF_INET, NLVS_TUN_GUE, NLVS_TUN_F_CSUM, 0x29, 1);
}

static void test_tun_gue_sport(void **state)
{
	uint32_t h;

	(void)state;
	for (h = 0; h < 0xffff0000u; h += 0x01000193u) {
		uint16_t p = ntohs(nlvs_tun_gue_sport(h));

		assert_true(p >= NLVS_TUN_GUE_SPORT_MIN && p <= NLVS_TUN_GUE_SPORT_MAX);
		assert_int_equal(nlvs_tun_gue_sport(h), nlvs_tun_gue_sport(h));
	}
	assert_int_not_equal(nlvs_tun_gue_sport(1u << 30), nlvs_tun_gue_sport(3u << 30));
}

static void test_tun_too_long(void **state)
{
	static uint8_t b[70000];
	struct nlvs_tun_encap t;

	(void)state;
	/* an inner IPv4 packet of 65,535 bytes leaves no room for an outer
	 * IPv4 header: refused rather than wrapped */
	build_ip4(b + 20, IPPROTO_UDP, "192.0.2.7", "10.9.0.10", 65535 - 20, 64);
	encap_set(&t, AF_INET, NLVS_TUN_IPIP, 0);
	assert_int_equal(nlvs_tun_encap(b, &t, AF_INET), 0);
	/* IPv6's payload length does not count its own header */
	encap_set(&t, AF_INET6, NLVS_TUN_IPIP, 0);
	build_ip4(b + 40, IPPROTO_UDP, "192.0.2.7", "10.9.0.10", 65535 - 20, 64);
	assert_int_equal(nlvs_tun_encap(b, &t, AF_INET), 40u + 65535u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tun_all),
		cmocka_unit_test(test_tun_ecn),
		cmocka_unit_test(test_tun_gue_sport),
		cmocka_unit_test(test_tun_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
