// SPDX-License-Identifier: GPL-2.0-or-later
/* Parsing: valid packets, every rejection reason, and randomized hostile
 * input placed right before a guard page so any over-read crashes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/nlvs_pkt.h"
#include "test_pkt_util.h"

static uint8_t buf[2048];

static int parse(unsigned int len, int af, struct nlvs_pkt *p)
{
	return nlvs_pkt_parse(buf, len, af, p);
}

static void expect_drop(unsigned int len, int af, unsigned int reason)
{
	struct nlvs_pkt p;

	assert_int_equal(parse(len, af, &p), -1);
	assert_string_equal(nlvs_drop_name(p.drop), nlvs_drop_name(reason));
}

static void refix_ip4(void)
{
	put16(buf + 10, 0);
	put16(buf + 10, ref_csum(buf, (buf[0] & 0xfu) * 4));
}

static void test_ip4_tcp_ok(void **state)
{
	struct nlvs_pkt p;
	unsigned int n = build_l4pkt(buf, AF_INET, IPPROTO_TCP, "10.0.0.1", "192.0.2.10",
				     40000, 80, NLVS_TCP_SYN, 10);

	assert_int_equal(parse(n + 6, AF_INET, &p), 0);	/* Ethernet padding ok */
	assert_int_equal(p.af, AF_INET);
	assert_int_equal(p.proto, IPPROTO_TCP);
	assert_int_equal(p.ttl, 64);
	assert_int_equal(p.l3_len, n);
	assert_int_equal(p.l4_off, 20);
	assert_int_equal(p.l4_len, n - 20);
	assert_int_equal(ntohs(p.sport), 40000);
	assert_int_equal(ntohs(p.dport), 80);
	assert_int_equal(p.tcp_flags, NLVS_TCP_SYN);
	assert_int_equal(p.saddr.ip, inet_addr("10.0.0.1"));
	assert_int_equal(p.daddr.ip, inet_addr("192.0.2.10"));
}

static void test_ip4_udp_ok(void **state)
{
	struct nlvs_pkt p;
	unsigned int n = build_l4pkt(buf, AF_INET, IPPROTO_UDP, "10.0.0.1", "192.0.2.10",
				     5353, 53, 0, 33);

	assert_int_equal(parse(n, AF_INET, &p), 0);
	assert_int_equal(p.proto, IPPROTO_UDP);
	assert_int_equal(ntohs(p.sport), 5353);
	assert_int_equal(p.l4_len, 41);
}

static void test_ip4_rejects(void **state)
{
	unsigned int n = build_l4pkt(buf, AF_INET, IPPROTO_TCP, "10.0.0.1", "192.0.2.10",
				     1, 2, NLVS_TCP_ACK, 0);

	expect_drop(19, AF_INET, NLVS_DROP_BAD_IP_HEADER);
	expect_drop(n - 1, AF_INET, NLVS_DROP_BAD_IP_LENGTH);
	buf[0] = 0x65;
	expect_drop(n, AF_INET, NLVS_DROP_BAD_IP_HEADER);
	buf[0] = 0x44;
	expect_drop(n, AF_INET, NLVS_DROP_BAD_IP_HEADER);
	buf[0] = 0x4f;			/* 60-byte header > 40-byte packet */
	expect_drop(n, AF_INET, NLVS_DROP_BAD_IP_HEADER);
	buf[0] = 0x45;
	put16(buf + 2, 19);
	refix_ip4();
	expect_drop(n, AF_INET, NLVS_DROP_BAD_IP_LENGTH);
	put16(buf + 2, (uint16_t)n);
	refix_ip4();
	buf[10] ^= 1;
	expect_drop(n, AF_INET, NLVS_DROP_BAD_IP_CSUM);
	{
		/* L3 input verified it: the engines' parse does not sum again,
		 * and otherwise parses the same */
		struct nlvs_pkt a, b;

		assert_int_equal(nlvs_pkt_parse_checked(buf, n, AF_INET, &a), 0);
		buf[10] ^= 1;
		assert_int_equal(nlvs_pkt_parse(buf, n, AF_INET, &b), 0);
		buf[10] ^= 1;
		assert_memory_equal(&a, &b, offsetof(struct nlvs_pkt, inner));
	}
	buf[10] ^= 1;
	put16(buf + 6, 0x2000);		/* MF */
	refix_ip4();
	expect_drop(n, AF_INET, NLVS_DROP_FRAGMENT);
	put16(buf + 6, 0x0010);		/* offset */
	refix_ip4();
	expect_drop(n, AF_INET, NLVS_DROP_FRAGMENT);
	put16(buf + 6, 0x4000);
	refix_ip4();
	{
		struct nlvs_pkt p;

		assert_int_equal(parse(n, AF_INET, &p), 0);	/* DF alone is fine */
	}
}

static void test_ip4_options(void **state)
{
	struct nlvs_pkt p;
	unsigned int n = build_l4pkt(buf + 4, AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2",
				     1, 2, 0, 0);

	/* move the header to make room for one 4-byte NOP option */
	memmove(buf, buf + 4, 20);
	buf[0] = 0x46;
	memset(buf + 20, 1, 4);
	put16(buf + 2, (uint16_t)(n + 4));
	refix_ip4();
	assert_int_equal(parse(n + 4, AF_INET, &p), -1);
	assert_int_equal(p.drop, NLVS_DROP_IP_OPTIONS);
}

static void test_tcp_rejects(void **state)
{
	unsigned int n = build_l4pkt(buf, AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2",
				     1, 2, NLVS_TCP_ACK, 0);
	static const uint8_t bad[] = {
		0, NLVS_TCP_SYN | NLVS_TCP_FIN, NLVS_TCP_SYN | NLVS_TCP_RST,
		NLVS_TCP_FIN, NLVS_TCP_FIN | NLVS_TCP_PSH | NLVS_TCP_URG,
		NLVS_TCP_SYN | NLVS_TCP_FIN | NLVS_TCP_RST | NLVS_TCP_ACK | NLVS_TCP_PSH,
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad); i++) {
		buf[33] = bad[i];
		expect_drop(n, AF_INET, NLVS_DROP_BAD_TCP_FLAGS);
	}
	buf[33] = NLVS_TCP_FIN | NLVS_TCP_ACK | NLVS_TCP_PSH;
	{
		struct nlvs_pkt p;

		assert_int_equal(parse(n, AF_INET, &p), 0);
	}
	buf[32] = 4 << 4;
	expect_drop(n, AF_INET, NLVS_DROP_BAD_L4_HEADER);
	buf[32] = 6 << 4;		/* 24-byte header in a 20-byte segment */
	expect_drop(n, AF_INET, NLVS_DROP_BAD_L4_HEADER);
	/* IP length says 10 bytes of TCP */
	put16(buf + 2, 30);
	refix_ip4();
	expect_drop(n, AF_INET, NLVS_DROP_BAD_L4_HEADER);
}

static void test_udp_rejects(void **state)
{
	unsigned int n = build_l4pkt(buf, AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2",
				     1, 2, 0, 4);

	put16(buf + 24, 13);
	expect_drop(n, AF_INET, NLVS_DROP_BAD_L4_HEADER);
	put16(buf + 24, 7);
	expect_drop(n, AF_INET, NLVS_DROP_BAD_L4_HEADER);
	n = build_l4pkt(buf, AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1, 2, 0, 4);
	put16(buf + 46, 0);		/* checksum is mandatory in IPv6 */
	expect_drop(n, AF_INET6, NLVS_DROP_BAD_L4_HEADER);
}

static void test_ip6_ok_and_ext(void **state)
{
	struct nlvs_pkt p;
	unsigned int n = build_l4pkt(buf, AF_INET6, IPPROTO_TCP, "2001:db8::1", "2001:db8::2",
				     1234, 443, NLVS_TCP_SYN, 5);
	uint8_t l4[64];
	unsigned int l4len = n - 40;

	assert_int_equal(parse(n, AF_INET6, &p), 0);
	assert_int_equal(p.l4_off, 40);
	assert_int_equal(ntohs(p.dport), 443);
	assert_memory_equal(&p.daddr, buf + 24, 16);

	/* insert hop-by-hop (8 bytes) and destination options (16 bytes) */
	memcpy(l4, buf + 40, l4len);
	buf[6] = IPPROTO_HOPOPTS;
	memset(buf + 40, 0, 24);
	buf[40] = IPPROTO_DSTOPTS;
	buf[41] = 0;
	buf[48] = IPPROTO_TCP;
	buf[49] = 1;
	memcpy(buf + 64, l4, l4len);
	put16(buf + 4, (uint16_t)(24 + l4len));
	assert_int_equal(parse(n + 24, AF_INET6, &p), 0);
	assert_int_equal(p.proto, IPPROTO_TCP);
	assert_int_equal(p.l4_off, 64);
	assert_int_equal(p.l4_len, l4len);
	assert_int_equal(ntohs(p.sport), 1234);

	/* destination options claiming to run past the packet */
	buf[49] = 200;
	expect_drop(n + 24, AF_INET6, NLVS_DROP_BAD_IP_HEADER);
	buf[49] = 1;
	/* fragment header, even a first fragment, is dropped */
	buf[48] = IPPROTO_FRAGMENT;
	buf[64] = IPPROTO_TCP;
	expect_drop(n + 24, AF_INET6, NLVS_DROP_FRAGMENT);
	/* payload length beyond the buffer */
	expect_drop(n + 23, AF_INET6, NLVS_DROP_BAD_IP_LENGTH);
	buf[0] = 0x40;
	expect_drop(n + 24, AF_INET6, NLVS_DROP_BAD_IP_HEADER);
	expect_drop(39, AF_INET6, NLVS_DROP_BAD_IP_HEADER);
}

static void test_icmp_echo(void **state)
{
	struct nlvs_pkt p;
	uint8_t *l4 = buf + 20;

	build_ip4(buf, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 16, 64);
	memset(l4, 0, 16);
	l4[0] = 8;
	put16(l4 + 4, 0xbeef);
	fix_l4_csum(AF_INET, buf, l4, 16, IPPROTO_ICMP);
	assert_int_equal(parse(36, AF_INET, &p), 0);
	assert_true(p.flags & NLVS_PKT_F_ICMP_ECHO);
	assert_false(p.flags & NLVS_PKT_F_ICMP_ERR);
	assert_int_equal(ntohs(p.sport), 0xbeef);
	assert_int_equal(p.icmp_type, 8);
	expect_drop(27, AF_INET, NLVS_DROP_BAD_IP_LENGTH);
	put16(buf + 2, 27);
	refix_ip4();
	expect_drop(27, AF_INET, NLVS_DROP_BAD_ICMP);
}

/* ICMP frag-needed from a router quoting 8 bytes of a TCP segment. */
static unsigned int build_icmp4_err(unsigned int quote_l4)
{
	uint8_t inner[128];
	unsigned int in = build_l4pkt(inner, AF_INET, IPPROTO_TCP, "10.1.0.1", "10.2.0.5",
				      50001, 8080, NLVS_TCP_ACK, 40);
	unsigned int q = 20 + quote_l4;
	uint8_t *l4 = buf + 20;

	assert_true(q <= in);
	build_ip4(buf, IPPROTO_ICMP, "10.2.0.254", "10.1.0.1", 8 + q, 64);
	memset(l4, 0, 8);
	l4[0] = 3;
	l4[1] = 4;
	put16(l4 + 6, 1400);
	memcpy(l4 + 8, inner, q);
	fix_l4_csum(AF_INET, buf, l4, 8 + q, IPPROTO_ICMP);
	return 28 + q;
}

static void test_icmp4_error(void **state)
{
	struct nlvs_pkt p;
	unsigned int n = build_icmp4_err(8);

	assert_int_equal(parse(n, AF_INET, &p), 0);
	assert_true(p.flags & NLVS_PKT_F_ICMP_ERR);
	assert_true(p.flags & NLVS_PKT_F_INNER_TRUNC);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.icmp_code, 4);
	assert_int_equal(p.inner.proto, IPPROTO_TCP);
	assert_int_equal(p.inner.l3_off, 28);
	assert_int_equal(p.inner.l4_off, 48);
	assert_int_equal(ntohs(p.inner.sport), 50001);
	assert_int_equal(ntohs(p.inner.dport), 8080);
	assert_int_equal(p.inner.saddr.ip, inet_addr("10.1.0.1"));
	assert_int_equal(p.inner.daddr.ip, inet_addr("10.2.0.5"));

	n = build_icmp4_err(60);	/* whole segment quoted */
	assert_int_equal(parse(n, AF_INET, &p), 0);
	assert_false(p.flags & NLVS_PKT_F_INNER_TRUNC);

	n = build_icmp4_err(7);		/* ports not all there */
	expect_drop(n, AF_INET, NLVS_DROP_BAD_ICMP);

	/* an error quoting an error is never translated */
	n = build_icmp4_err(8);
	buf[28 + 9] = IPPROTO_ICMP;
	buf[48] = 3;
	expect_drop(n, AF_INET, NLVS_DROP_BAD_ICMP);
}

static void test_icmp6_error(void **state)
{
	struct nlvs_pkt p;
	uint8_t inner[128];
	unsigned int in = build_l4pkt(inner, AF_INET6, IPPROTO_UDP, "2001:db8:1::1",
				      "2001:db8:2::5", 4000, 53, 0, 30);
	uint8_t *l4 = buf + 40;

	build_ip6(buf, IPPROTO_ICMPV6, "2001:db8:2::fe", "2001:db8:1::1", 8 + in, 64);
	memset(l4, 0, 8);
	l4[0] = 2;
	put16(l4 + 6, 1280);
	memcpy(l4 + 8, inner, in);
	fix_l4_csum(AF_INET6, buf, l4, 8 + in, IPPROTO_ICMPV6);
	assert_int_equal(parse(48 + in, AF_INET6, &p), 0);
	assert_true(p.flags & NLVS_PKT_F_ICMP_ERR);
	assert_int_equal(p.inner.proto, IPPROTO_UDP);
	assert_int_equal(p.inner.l4_off, 48 + 40);
	assert_int_equal(ntohs(p.inner.dport), 53);
	assert_memory_equal(&p.inner.daddr, inner + 24, 16);
}

/* SCTP: ports and the first chunk's type; ABORT after COOKIE ECHO wins;
 * a short header, a chunk length under 4 or past the packet are bad-sctp */
static void test_sctp(void **state)
{
	struct nlvs_pkt p;
	uint8_t *l4 = buf + 20;

	build_ip4(buf, IPPROTO_SCTP, "10.0.0.1", "192.0.2.10", 12 + 20 + 4, 64);
	memset(l4, 0, 36);
	put16(l4, 40000);
	put16(l4 + 2, 5000);
	l4[12] = NLVS_SCTP_COOKIE_ECHO;
	put16(l4 + 14, 17);		/* padded to 20 */
	l4[32] = NLVS_SCTP_DATA;
	put16(l4 + 34, 4);
	assert_int_equal(parse(56, AF_INET, &p), 0);
	assert_int_equal(p.proto, IPPROTO_SCTP);
	assert_int_equal(ntohs(p.sport), 40000);
	assert_int_equal(ntohs(p.dport), 5000);
	assert_int_equal(p.tcp_flags, NLVS_SCTP_COOKIE_ECHO);
	l4[32] = NLVS_SCTP_ABORT;
	assert_int_equal(parse(56, AF_INET, &p), 0);
	assert_int_equal(p.tcp_flags, NLVS_SCTP_ABORT);
	put16(l4 + 14, 0);
	expect_drop(56, AF_INET, NLVS_DROP_BAD_SCTP);
	put16(l4 + 14, 3);
	expect_drop(56, AF_INET, NLVS_DROP_BAD_SCTP);
	put16(l4 + 14, 25);		/* 36 - 12 = 24 bytes of chunks */
	expect_drop(56, AF_INET, NLVS_DROP_BAD_SCTP);
	put16(l4 + 14, 24);
	assert_int_equal(parse(56, AF_INET, &p), 0);
	build_ip4(buf, IPPROTO_SCTP, "10.0.0.1", "192.0.2.10", 15, 64);
	expect_drop(35, AF_INET, NLVS_DROP_BAD_SCTP);
}

static void test_other_proto_passes(void **state)
{
	struct nlvs_pkt p;

	build_ip4(buf, 112 /* VRRP */, "10.0.0.1", "224.0.0.18", 8, 255);
	memset(buf + 20, 0, 8);
	assert_int_equal(parse(28, AF_INET, &p), 0);
	assert_int_equal(p.proto, 112);
	assert_int_equal(p.sport, 0);
	assert_int_equal(nlvs_pkt_parse(buf, 28, AF_UNIX, &p), -1);
	assert_int_equal(p.drop, NLVS_DROP_UNKNOWN_ETHERTYPE);
}

/* Seeds for the randomized test: one of each shape. */
static unsigned int seed_pkt(unsigned int i, uint8_t *b, int *af)
{
	switch (i % 6) {
	case 0:
		*af = AF_INET;
		return build_l4pkt(b, AF_INET, IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 1, 2,
				   NLVS_TCP_ACK, 30);
	case 1:
		*af = AF_INET6;
		return build_l4pkt(b, AF_INET6, IPPROTO_UDP, "::1", "::2", 1, 2, 0, 30);
	case 2: {
		unsigned int n = build_icmp4_err(8);

		*af = AF_INET;
		memcpy(b, buf, n);
		return n;
	}
	case 3:
		*af = AF_INET;
		build_icmp4_err(60);
		memcpy(b, buf, 88);
		return 88;
	default: {
		unsigned int n = build_l4pkt(b, AF_INET6, IPPROTO_TCP, "::1", "::2", 1, 2,
					     NLVS_TCP_SYN, 8);
		uint8_t l4[64];

		/* with an extension header chain */
		memcpy(l4, b + 40, n - 40);
		b[6] = IPPROTO_HOPOPTS;
		memset(b + 40, 0, 16);
		b[40] = IPPROTO_ROUTING;
		b[48] = IPPROTO_TCP;
		memcpy(b + 56, l4, n - 40);
		put16(b + 4, (uint16_t)(n - 40 + 16));
		*af = AF_INET6;
		return n + 16;
	}
	}
}

static void test_fuzz_bounds(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t seed[256];
	unsigned int iter, ok = 0, bad = 0;
	struct nlvs_pkt p;

	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	srandom(12345);
	for (iter = 0; iter < 200000; iter++) {
		int af;
		unsigned int n = seed_pkt(iter, seed, &af), len, k, flips;
		uint8_t *b;

		len = (unsigned int)random() % (n + 1);
		if (iter & 1)
			len = n;
		b = map + pg - len;	/* the last byte touches the guard page */
		memcpy(b, seed, len);
		flips = (unsigned int)random() % 4;
		for (k = 0; k < flips && len; k++)
			b[(unsigned int)random() % len] = (uint8_t)random();
		if (nlvs_pkt_parse(b, len, af, &p) == 0) {
			ok++;
			assert_true(p.l3_len <= len);
			assert_int_equal(p.l4_off + p.l4_len, p.l3_len);
			if (p.flags & NLVS_PKT_F_ICMP_ERR) {
				assert_true(p.inner.l3_off + p.inner.avail <= p.l3_len);
				assert_true(p.inner.l4_off + 8u <= p.l3_len ||
					    (p.inner.proto != IPPROTO_TCP &&
					     p.inner.proto != IPPROTO_UDP));
			}
		} else {
			bad++;
			assert_true(p.drop < NLVS_DROP_MAX);
		}
	}
	/* both outcomes must be exercised for the test to mean anything */
	assert_true(ok > 1000);
	assert_true(bad > 1000);
	munmap(map, (size_t)pg * 2);
}

static void test_drop_names(void **state)
{
	assert_string_equal(nlvs_drop_name(NLVS_DROP_FRAGMENT), "fragment");
	assert_string_equal(nlvs_drop_name(NLVS_DROP_CONN_TABLE_FULL), "conn-table-full");
	assert_string_equal(nlvs_drop_name(NLVS_DROP_CONN_INDEX_FULL), "conn-index-full");
	assert_string_equal(nlvs_drop_name(NLVS_DROP_MAX), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_tcp_ok),
		cmocka_unit_test(test_ip4_udp_ok),
		cmocka_unit_test(test_ip4_rejects),
		cmocka_unit_test(test_ip4_options),
		cmocka_unit_test(test_tcp_rejects),
		cmocka_unit_test(test_udp_rejects),
		cmocka_unit_test(test_ip6_ok_and_ext),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_icmp4_error),
		cmocka_unit_test(test_icmp6_error),
		cmocka_unit_test(test_sctp),
		cmocka_unit_test(test_other_proto_passes),
		cmocka_unit_test(test_fuzz_bounds),
		cmocka_unit_test(test_drop_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
