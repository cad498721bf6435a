// SPDX-License-Identifier: GPL-2.0-or-later
/* FULLNAT rewrite and ICMP error translation: golden fields, checksums
 * verified with the naive reference, payload untouched, TTL handling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "net/nlvs_pkt.h"
#include "test_pkt_util.h"

static void rw_set(struct nlvs_pkt_rewrite *rw, int af, const char *s, const char *d,
		   uint16_t sp, uint16_t dp)
{
	memset(rw, 0, sizeof(*rw));
	inet_pton(af, s, &rw->saddr);
	inet_pton(af, d, &rw->daddr);
	rw->sport = htons(sp);
	rw->dport = htons(dp);
}

static void check_rewritten(const uint8_t *b, int af, const struct nlvs_pkt_rewrite *rw,
			    const struct nlvs_pkt *before, const uint8_t *orig)
{
	struct nlvs_pkt p;
	unsigned int alen = af == AF_INET ? 4 : 16;

	assert_int_equal(nlvs_pkt_parse(b, before->l3_len, af, &p), 0);
	assert_memory_equal(&p.saddr, &rw->saddr, alen);
	assert_memory_equal(&p.daddr, &rw->daddr, alen);
	assert_int_equal(p.sport, rw->sport);
	assert_int_equal(p.dport, rw->dport);
	assert_int_equal(p.ttl, before->ttl - 1);
	assert_true(pkt_csum_ok(af, b));
	/* everything after the ports but the checksum is unchanged */
	if (p.proto == IPPROTO_TCP) {
		assert_memory_equal(b + p.l4_off + 4, orig + p.l4_off + 4, 12);
		assert_memory_equal(b + p.l4_off + 18, orig + p.l4_off + 18, p.l4_len - 18);
	} else {
		assert_memory_equal(b + p.l4_off + 4, orig + p.l4_off + 4, 2);
		assert_memory_equal(b + p.l4_off + 8, orig + p.l4_off + 8, p.l4_len - 8);
	}
}

static void one(int af, uint8_t proto, const char *c, const char *v, const char *l,
		const char *r)
{
	uint8_t b[256], orig[256];
	struct nlvs_pkt p;
	struct nlvs_pkt_rewrite rw;
	unsigned int n;

	/* inbound: client:cport -> VIP:vport becomes laddr:lport -> RS:rport */
	n = build_l4pkt(b, af, proto, c, v, 40001, 80, NLVS_TCP_SYN, 101);
	memcpy(orig, b, n);
	assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
	rw_set(&rw, af, l, r, 5002, 8080);
	assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), 0);
	check_rewritten(b, af, &rw, &p, orig);

	/* outbound: RS:rport -> laddr:lport becomes VIP:vport -> client:cport */
	n = build_l4pkt(b, af, proto, r, l, 8080, 5002, NLVS_TCP_SYN | NLVS_TCP_ACK, 57);
	memcpy(orig, b, n);
	assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
	rw_set(&rw, af, v, c, 80, 40001);
	assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), 0);
	check_rewritten(b, af, &rw, &p, orig);
}

static void test_fnat_directions(void **state)
{
	one(AF_INET, IPPROTO_TCP, "198.51.100.7", "192.0.2.10", "10.0.0.100", "10.0.0.21");
	one(AF_INET, IPPROTO_UDP, "198.51.100.7", "192.0.2.10", "10.0.0.100", "10.0.0.21");
	one(AF_INET6, IPPROTO_TCP, "2001:db8:c::7", "2001:db8:f::a", "fd00::100", "fd00::21");
	one(AF_INET6, IPPROTO_UDP, "2001:db8:c::7", "2001:db8:f::a", "fd00::100", "fd00::21");
}

static void test_fnat_random_checksums(void **state)
{
	uint8_t b[256], orig[256];
	unsigned int i, udp_ffff = 0;

	srandom(3);
	for (i = 0; i < 40000; i++) {
		int af = i & 1 ? AF_INET6 : AF_INET;
		uint8_t proto = i & 2 ? IPPROTO_UDP : IPPROTO_TCP;
		struct nlvs_pkt p;
		struct nlvs_pkt_rewrite rw;
		unsigned int n, k;

		n = build_l4pkt(b, af, proto, af == AF_INET ? "1.2.3.4" : "::1",
				af == AF_INET ? "5.6.7.8" : "::2", (uint16_t)random(),
				(uint16_t)random(), NLVS_TCP_ACK, (unsigned int)random() % 64);
		memcpy(orig, b, n);
		assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
		for (k = 0; k < sizeof(rw); k++)
			((uint8_t *)&rw)[k] = (uint8_t)random();
		if (af == AF_INET) {
			memset(rw.saddr.b + 4, 0, 12);
			memset(rw.daddr.b + 4, 0, 12);
		}
		assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), 0);
		check_rewritten(b, af, &rw, &p, orig);
		if (proto == IPPROTO_UDP) {
			assert_int_not_equal(get16(b + p.l4_off + 6), 0);
			udp_ffff += get16(b + p.l4_off + 6) == 0xffff;
		}
	}
	(void)udp_ffff;
}

static void test_fnat_udp4_no_csum(void **state)
{
	uint8_t b[128];
	struct nlvs_pkt p;
	struct nlvs_pkt_rewrite rw;
	unsigned int n = build_l4pkt(b, AF_INET, IPPROTO_UDP, "1.1.1.1", "2.2.2.2", 1, 2, 0, 9);

	put16(b + 26, 0);
	assert_int_equal(nlvs_pkt_parse(b, n, AF_INET, &p), 0);
	rw_set(&rw, AF_INET, "3.3.3.3", "4.4.4.4", 5, 6);
	assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), 0);
	assert_int_equal(get16(b + 26), 0);
	assert_int_equal(ref_csum(b, 20), 0);
	assert_int_equal(get16(b + 22), 6);
}

static void test_fnat_ttl(void **state)
{
	uint8_t b[128], orig[128];
	struct nlvs_pkt p;
	struct nlvs_pkt_rewrite rw;
	unsigned int n = build_l4pkt(b, AF_INET, IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 1, 2,
				     NLVS_TCP_ACK, 0);

	b[8] = 1;
	put16(b + 10, 0);
	put16(b + 10, ref_csum(b, 20));
	memcpy(orig, b, n);
	assert_int_equal(nlvs_pkt_parse(b, n, AF_INET, &p), 0);
	rw_set(&rw, AF_INET, "3.3.3.3", "4.4.4.4", 5, 6);
	assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), NLVS_DROP_TTL_EXCEEDED);
	assert_memory_equal(b, orig, n);
	b[8] = 2;
	put16(b + 10, 0);
	put16(b + 10, ref_csum(b, 20));
	assert_int_equal(nlvs_pkt_parse(b, n, AF_INET, &p), 0);
	assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), 0);
	assert_int_equal(b[8], 1);

	n = build_l4pkt(b, AF_INET6, IPPROTO_UDP, "::1", "::2", 1, 2, 0, 0);
	b[7] = 1;
	assert_int_equal(nlvs_pkt_parse(b, n, AF_INET6, &p), 0);
	rw_set(&rw, AF_INET6, "::3", "::4", 5, 6);
	assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), NLVS_DROP_TTL_EXCEEDED);
}

/* An ICMP(v6) error from @from to @to quoting @qlen bytes of @inner. */
static unsigned int build_err(uint8_t *b, int af, uint8_t type, uint8_t code, uint16_t mtu,
			      const char *from, const char *to, const uint8_t *inner,
			      unsigned int qlen)
{
	uint8_t proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	unsigned int h = af == AF_INET ? build_ip4(b, proto, from, to, 8 + qlen, 64) :
					 build_ip6(b, proto, from, to, 8 + qlen, 64);

	memset(b + h, 0, 8);
	b[h] = type;
	b[h + 1] = code;
	put16(b + h + 6, mtu);
	memcpy(b + h + 8, inner, qlen);
	fix_l4_csum(af, b, b + h, 8 + qlen, proto);
	return h + 8 + qlen;
}

static void xlate_case(int af, uint8_t proto, unsigned int quote_all)
{
	const int v4 = af == AF_INET;
	const char *client = v4 ? "198.51.100.7" : "2001:db8:c::7";
	const char *vip = v4 ? "192.0.2.10" : "2001:db8:f::a";
	const char *laddr = v4 ? "10.0.0.100" : "fd00::100";
	const char *rs = v4 ? "10.0.0.21" : "fd00::21";
	const char *router = v4 ? "10.0.0.254" : "fd00::fe";
	uint8_t inner[256], b[512], want[256];
	unsigned int in, n, h = v4 ? 20 : 40, q;
	struct nlvs_pkt p;
	struct nlvs_pkt_rewrite outer, irw;

	/* the packet we sent to the real server, and what the client sent */
	in = build_l4pkt(inner, af, proto, laddr, rs, 5002, 8080, NLVS_TCP_ACK, 100);
	build_l4pkt(want, af, proto, client, vip, 40001, 80, NLVS_TCP_ACK, 100);
	q = quote_all ? in : h + 8;
	n = build_err(b, af, v4 ? 3 : 2, v4 ? 4 : 0, 1400, router, laddr, inner, q);
	assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
	assert_true(p.flags & NLVS_PKT_F_ICMP_ERR);

	rw_set(&outer, af, vip, client, 0, 0);
	rw_set(&irw, af, client, vip, 40001, 80);
	assert_int_equal(nlvs_icmp_xlate(b, &p, &outer, &irw), 0);

	assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
	assert_true(pkt_csum_ok(af, b));		/* outer IP + ICMP checksum */
	assert_memory_equal(&p.saddr, &outer.saddr, v4 ? 4 : 16);
	assert_memory_equal(&p.daddr, &outer.daddr, v4 ? 4 : 16);
	assert_int_equal(p.ttl, 63);
	assert_int_equal(get16(b + h + 6), 1400);	/* MTU kept */
	assert_memory_equal(&p.inner.saddr, &irw.saddr, v4 ? 4 : 16);
	assert_memory_equal(&p.inner.daddr, &irw.daddr, v4 ? 4 : 16);
	assert_int_equal(p.inner.sport, irw.sport);
	assert_int_equal(p.inner.dport, irw.dport);
	if (v4)
		assert_int_equal(ref_csum(b + h + 8, 20), 0);	/* inner IP header */
	if (quote_all) {
		/* the quoted packet is byte for byte what the client sent */
		assert_memory_equal(b + h + 8, want, in);
	} else if (proto == IPPROTO_UDP) {
		assert_memory_equal(b + h + 8 + h, want + h, 8);
	}
}

static void test_icmp_xlate_rs_to_client(void **state)
{
	xlate_case(AF_INET, IPPROTO_TCP, 0);
	xlate_case(AF_INET, IPPROTO_TCP, 1);
	xlate_case(AF_INET, IPPROTO_UDP, 0);
	xlate_case(AF_INET, IPPROTO_UDP, 1);
	xlate_case(AF_INET6, IPPROTO_TCP, 1);
	xlate_case(AF_INET6, IPPROTO_UDP, 0);
	xlate_case(AF_INET6, IPPROTO_UDP, 1);
}

/* A client-side router says our reply VIP->client did not get through:
 * the real server must hear about its own packet RS->laddr. */
static void test_icmp_xlate_client_to_rs(void **state)
{
	uint8_t inner[256], want[256], b[512];
	unsigned int in, n;
	struct nlvs_pkt p;
	struct nlvs_pkt_rewrite outer, irw;

	in = build_l4pkt(inner, AF_INET, IPPROTO_UDP, "192.0.2.10", "198.51.100.7", 53, 40001,
			 0, 20);
	build_l4pkt(want, AF_INET, IPPROTO_UDP, "10.0.0.21", "10.0.0.100", 53, 5002, 0, 20);
	n = build_err(b, AF_INET, 11, 0, 0, "203.0.113.1", "192.0.2.10", inner, in);
	assert_int_equal(nlvs_pkt_parse(b, n, AF_INET, &p), 0);
	rw_set(&outer, AF_INET, "10.0.0.100", "10.0.0.21", 0, 0);
	rw_set(&irw, AF_INET, "10.0.0.21", "10.0.0.100", 53, 5002);
	assert_int_equal(nlvs_icmp_xlate(b, &p, &outer, &irw), 0);
	assert_true(pkt_csum_ok(AF_INET, b));
	assert_memory_equal(b + 28, want, in);
	assert_int_equal(b[20], 11);
}

static void test_icmp_xlate_rejects(void **state)
{
	uint8_t b[128];
	struct nlvs_pkt p;
	struct nlvs_pkt_rewrite rw;
	unsigned int n = build_l4pkt(b, AF_INET, IPPROTO_UDP, "1.1.1.1", "2.2.2.2", 1, 2, 0, 0);

	assert_int_equal(nlvs_pkt_parse(b, n, AF_INET, &p), 0);
	rw_set(&rw, AF_INET, "3.3.3.3", "4.4.4.4", 5, 6);
	assert_int_equal(nlvs_icmp_xlate(b, &p, &rw, &rw), NLVS_DROP_BAD_ICMP);
}

/* An ICMP(v6) echo request or reply with identifier @id and 24 data bytes. */
static unsigned int build_echo(uint8_t *b, int af, int reply, const char *src, const char *dst,
			       uint16_t id, uint8_t ttl)
{
	uint8_t proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	unsigned int h = af == AF_INET ? build_ip4(b, proto, src, dst, 32, ttl) :
					 build_ip6(b, proto, src, dst, 32, ttl);
	unsigned int i;

	memset(b + h, 0, 8);
	if (af == AF_INET)
		b[h] = reply ? 0 : 8;
	else
		b[h] = reply ? 129 : 128;
	put16(b + h + 4, id);
	put16(b + h + 6, 7);		/* sequence */
	for (i = 0; i < 24; i++)
		b[h + 8 + i] = (uint8_t)(i * 13 + 1);
	fix_l4_csum(af, b, b + h, 32, proto);
	return h + 32;
}

/* SNAT of ping: the request leaves from the egress address with a new id,
 * the reply comes back to the inside host with the original one. */
static void echo_case(int af)
{
	const int v4 = af == AF_INET;
	const char *host = v4 ? "10.1.0.5" : "fd01::5";
	const char *out = v4 ? "172.16.9.9" : "fd09::9";
	const char *egress = v4 ? "10.2.0.100" : "fd02::100";
	unsigned int h = v4 ? 20 : 40, n;
	uint8_t b[128], orig[128];
	struct nlvs_pkt p;
	struct nlvs_pkt_rewrite rw;

	n = build_echo(b, af, 0, host, out, 0x1234, 64);
	memcpy(orig, b, n);
	assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
	assert_true(p.flags & NLVS_PKT_F_ICMP_ECHO);
	rw_set(&rw, af, egress, out, 40003, 40003);
	assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), 0);
	assert_true(pkt_csum_ok(af, b));
	assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
	assert_memory_equal(&p.saddr, &rw.saddr, v4 ? 4 : 16);
	assert_memory_equal(&p.daddr, &rw.daddr, v4 ? 4 : 16);
	assert_int_equal(get16(b + h + 4), 40003);
	assert_int_equal(p.sport, htons(40003));
	assert_int_equal(p.ttl, 63);
	assert_int_equal(b[h], orig[h]);			/* type */
	assert_memory_equal(b + h + 6, orig + h + 6, 26);	/* sequence, data */

	n = build_echo(b, af, 1, out, egress, 40003, 50);
	assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
	rw_set(&rw, af, out, host, 0x1234, 0x1234);
	assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), 0);
	assert_true(pkt_csum_ok(af, b));
	assert_int_equal(get16(b + h + 4), 0x1234);
	assert_int_equal(b[h], v4 ? 0 : 129);
}

static void test_fnat_echo(void **state)
{
	uint8_t b[128];
	struct nlvs_pkt p;
	struct nlvs_pkt_rewrite rw;
	unsigned int n;

	echo_case(AF_INET);
	echo_case(AF_INET6);
	/* other ICMP messages still are not rewritten */
	n = build_echo(b, AF_INET, 0, "1.1.1.1", "2.2.2.2", 1, 64);
	b[20] = 13;			/* timestamp */
	fix_l4_csum(AF_INET, b, b + 20, 32, IPPROTO_ICMP);
	assert_int_equal(nlvs_pkt_parse(b, n, AF_INET, &p), 0);
	rw_set(&rw, AF_INET, "3.3.3.3", "4.4.4.4", 5, 5);
	assert_int_equal(nlvs_fnat_rewrite(b, &p, &rw), NLVS_DROP_UNKNOWN_PROTO);
}

/* The IPv4 entry with values gives the same bytes and the same answer as
 * the general one for whatever it is handed: TCP, UDP with and without a
 * checksum, TTL 1, an echo (SNAT), an ICMP message it refuses. */
static void test_fnat_rewrite4_same(void **state)
{
	uint8_t a[256], b[256];
	unsigned int i;

	srandom(7);
	for (i = 0; i < 20000; i++) {
		unsigned int kind = i % 5, n;
		struct nlvs_pkt p;
		struct nlvs_pkt_rewrite rw;
		int ra, rb;

		if (kind < 3) {
			n = build_l4pkt(a, AF_INET, kind ? IPPROTO_UDP : IPPROTO_TCP, "1.2.3.4",
					"5.6.7.8", (uint16_t)random(), (uint16_t)random(),
					NLVS_TCP_ACK, (unsigned int)random() % 64);
			if (kind == 2)
				put16(a + 26, 0);	/* UDP without a checksum */
		} else {
			n = build_echo(a, AF_INET, 0, "10.1.0.5", "172.16.9.9",
				       (uint16_t)random(), 64);
			if (kind == 4) {
				a[20] = 13;		/* timestamp: refused */
				fix_l4_csum(AF_INET, a, a + 20, 32, IPPROTO_ICMP);
			}
		}
		if (i % 7 == 0) {
			a[8] = 1;			/* TTL 1: refused, untouched */
			put16(a + 10, 0);
			put16(a + 10, ref_csum(a, 20));
		}
		memcpy(b, a, n);
		assert_int_equal(nlvs_pkt_parse(a, n, AF_INET, &p), 0);
		memset(&rw, 0, sizeof(rw));
		rw.saddr.ip = (uint32_t)random();
		rw.daddr.ip = (uint32_t)random();
		rw.sport = (uint16_t)random();
		rw.dport = kind >= 3 ? rw.sport : (uint16_t)random();
		ra = nlvs_fnat_rewrite(a, &p, &rw);
		rb = nlvs_fnat_rewrite4(b, &p, rw.saddr.ip, rw.daddr.ip, rw.sport, rw.dport);
		assert_int_equal(ra, rb);
		assert_memory_equal(a, b, n);
	}
}

/* traceroute -I through SNAT: a router outside says our echo request
 * (egress:id' -> target) ran out of TTL; the inside host must get it from
 * that router, about its own request (host:id -> target). */
static void snat_echo_err_case(int af)
{
	const int v4 = af == AF_INET;
	const char *host = v4 ? "10.1.0.5" : "fd01::5";
	const char *out = v4 ? "172.16.9.9" : "fd09::9";
	const char *egress = v4 ? "10.2.0.100" : "fd02::100";
	const char *router = v4 ? "10.2.0.1" : "fd02::1";
	uint8_t inner[128], want[128], b[512];
	unsigned int in, n, h = v4 ? 20 : 40;
	struct nlvs_pkt p;
	struct nlvs_pkt_rewrite outer, irw;

	in = build_echo(inner, af, 0, egress, out, 40003, 1);
	build_echo(want, af, 0, host, out, 0x1234, 1);
	n = build_err(b, af, v4 ? 11 : 3, 0, 0, router, egress, inner, in);
	assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
	assert_true(p.flags & NLVS_PKT_F_ICMP_ERR);
	assert_int_equal(p.inner.sport, htons(40003));
	rw_set(&outer, af, router, host, 0, 0);
	rw_set(&irw, af, host, out, 0x1234, 0x1234);
	assert_int_equal(nlvs_icmp_xlate(b, &p, &outer, &irw), 0);
	assert_true(pkt_csum_ok(af, b));
	assert_int_equal(nlvs_pkt_parse(b, n, af, &p), 0);
	assert_memory_equal(&p.saddr, &outer.saddr, v4 ? 4 : 16);
	assert_memory_equal(&p.daddr, &outer.daddr, v4 ? 4 : 16);
	/* the quoted request is byte for byte what the host sent */
	assert_memory_equal(b + h + 8, want, in);
}

static void test_icmp_xlate_snat_echo(void **state)
{
	snat_echo_err_case(AF_INET);
	snat_echo_err_case(AF_INET6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnat_directions),
		cmocka_unit_test(test_fnat_random_checksums),
		cmocka_unit_test(test_fnat_udp4_no_csum),
		cmocka_unit_test(test_fnat_ttl),
		cmocka_unit_test(test_icmp_xlate_rs_to_client),
		cmocka_unit_test(test_icmp_xlate_client_to_rs),
		cmocka_unit_test(test_icmp_xlate_rejects),
		cmocka_unit_test(test_fnat_echo),
		cmocka_unit_test(test_fnat_rewrite4_same),
		cmocka_unit_test(test_icmp_xlate_snat_echo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
