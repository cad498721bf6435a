// SPDX-License-Identifier: GPL-2.0-or-later
/* Checksums: full computation against a naive reference, incremental
 * updates (16, 32, 128 bits) against recomputation, UDP's 0 rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/nlvs_csum.h"
#include "test_pkt_util.h"

static void fill_random(uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)random();
}

static void test_full_vs_reference(void **state)
{
	uint8_t b[1500];
	unsigned int i;

	srandom(1);
	for (i = 0; i < 5000; i++) {
		size_t len = (size_t)random() % sizeof(b);

		fill_random(b, len);
		assert_int_equal(nlvs_csum(b, len), htons(ref_csum(b, len)));
	}
	memset(b, 0xff, 64);		/* sums that carry a lot */
	assert_int_equal(nlvs_csum(b, 63), htons(ref_csum(b, 63)));
}

/* The 20-byte IPv4 header sum against the general one: random headers,
 * headers made valid by their checksum, and sums that carry a lot. */
static void test_ip4_hdr20(void **state)
{
	uint8_t h[20];
	unsigned int i;
	uint16_t ck;

	srandom(3);
	for (i = 0; i < 20000; i++) {
		fill_random(h, sizeof(h));
		if (i & 1) {		/* a right checksum */
			h[10] = h[11] = 0;
			ck = nlvs_csum(h, sizeof(h));
			memcpy(&h[10], &ck, 2);
			assert_int_equal(nlvs_csum_ip4_hdr20(h), 0xffff);
		}
		assert_int_equal(nlvs_csum_ip4_hdr20(h),
				 nlvs_csum_fold(nlvs_csum_add(0, h, sizeof(h))));
	}
	memset(h, 0xff, sizeof(h));
	assert_int_equal(nlvs_csum_ip4_hdr20(h), nlvs_csum_fold(nlvs_csum_add(0, h, sizeof(h))));
	h[19] = 0xfe;
	assert_int_equal(nlvs_csum_ip4_hdr20(h), nlvs_csum_fold(nlvs_csum_add(0, h, sizeof(h))));
}

static void test_pseudo_headers(void **state)
{
	uint8_t pkt[200];
	unsigned int n;

	n = build_l4pkt(pkt, AF_INET, IPPROTO_TCP, "10.0.0.1", "10.9.9.9", 7, 8, 0x10, 77);
	assert_int_equal(nlvs_csum_l4_v4(pkt + 12, pkt + 16, IPPROTO_TCP, pkt + 20, n - 20), 0);
	n = build_l4pkt(pkt, AF_INET6, IPPROTO_UDP, "2001:db8::1", "fe80::9", 7, 8, 0, 33);
	assert_int_equal(nlvs_csum_l4_v6(pkt + 8, pkt + 24, IPPROTO_UDP, pkt + 40, n - 40), 0);
	pkt[45] ^= 0x40;
	assert_int_not_equal(nlvs_csum_l4_v6(pkt + 8, pkt + 24, IPPROTO_UDP, pkt + 40, n - 40),
			     0);
}

/* Change a random 2-, 4- or 16-byte field covered by the checksum and check
 * that the incremental result equals a recomputation. */
static void test_incremental_random(void **state)
{
	uint8_t b[64], nv[16];
	unsigned int i, sizes[] = { 2, 4, 16 };

	srandom(2);
	for (i = 0; i < 30000; i++) {
		unsigned int sz = sizes[i % 3], off;
		uint16_t c;

		fill_random(b, sizeof(b));
		put16(b + 10, 0);
		put16(b + 10, ref_csum(b, sizeof(b)));
		do
			off = ((unsigned int)random() % ((sizeof(b) - sz) / 2)) * 2;
		while (off + sz > 10 && off < 12);
		fill_random(nv, sz);
		if (i % 7 == 0)
			memset(nv, i % 2 ? 0 : 0xff, sz);
		/* @off is only 2-byte aligned: the old and new words through memcpy */
		if (sz == 2) {
			uint16_t o16, n16;

			memcpy(&o16, b + off, 2);
			memcpy(&n16, nv, 2);
			nlvs_csum_replace2(b + 10, o16, n16);
		} else if (sz == 4) {
			uint32_t o32, n32;

			memcpy(&o32, b + off, 4);
			memcpy(&n32, nv, 4);
			nlvs_csum_replace4(b + 10, o32, n32);
		} else {
			nlvs_csum_replace16(b + 10, b + off, nv);
		}
		memcpy(b + off, nv, sz);
		c = ref_csum(b, sizeof(b));
		/* RFC 1624: the result must verify (sum is +0 or -0) */
		assert_true(c == 0 || c == 0xffff);
		assert_true(c == 0);
	}
}

static void test_udp_zero_rules(void **state)
{
	uint16_t field = 0, o = htons(0x1111), n = htons(0x2222);

	/* IPv4: absent stays absent */
	nlvs_csum_udp_replace(&field, &o, &n, 2, 1);
	assert_int_equal(field, 0);
	/* a result of 0 goes on the wire as 0xffff ... */
	field = htons(0x1234);
	o = 0;
	n = htons(0x1234);
	nlvs_csum_udp_replace(&field, &o, &n, 2, 0);
	assert_int_equal(field, 0xffff);
	/* ... while the plain helper gives the arithmetic 0 */
	field = htons(0x1234);
	nlvs_csum_replace(&field, &o, &n, 2);
	assert_int_equal(field, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_vs_reference),
		cmocka_unit_test(test_pseudo_headers),
		cmocka_unit_test(test_ip4_hdr20),
		cmocka_unit_test(test_incremental_random),
		cmocka_unit_test(test_udp_zero_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
