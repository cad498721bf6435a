/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers: build IPv4/IPv6 TCP/UDP/ICMP packets with correct checksums
 * and verify checksums with a deliberately naive reference implementation
 * (byte pairs, big-endian), independent of nlvs_csum.h.
 */
#ifndef TEST_PKT_UTIL_H
#define TEST_PKT_UTIL_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

static inline uint32_t ref_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Complemented checksum in host order; 0 means "verifies" when the
 * checksum field is included. */
static inline uint16_t ref_csum(const uint8_t *p, size_t len)
{
	return (uint16_t)~ref_fold(ref_sum(0, p, len));
}

static inline uint16_t ref_l4_csum(int af, const uint8_t *l3, const uint8_t *l4,
				   size_t len, uint8_t proto)
{
	uint32_t sum = 0;

	if (af == AF_INET) {
		sum = ref_sum(sum, l3 + 12, 8);
	} else {
		sum = ref_sum(sum, l3 + 8, 32);
		sum += (uint32_t)(len >> 16);
	}
	sum += proto;
	sum += (uint32_t)(len & 0xffff);
	return (uint16_t)~ref_fold(ref_sum(sum, l4, len));
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Fill the L4 checksum of a packet whose headers are set. */
static inline void fix_l4_csum(int af, uint8_t *l3, uint8_t *l4, size_t len, uint8_t proto)
{
	unsigned int off = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
	uint16_t c;

	put16(l4 + off, 0);
	if (af == AF_INET && proto == IPPROTO_ICMP)
		c = ref_csum(l4, len);
	else
		c = ref_l4_csum(af, l3, l4, len, proto);
	if (c == 0 && proto == IPPROTO_UDP)
		c = 0xffff;
	put16(l4 + off, c);
}

/* IPv4 header (20 bytes) with checksum; returns header length. */
static inline unsigned int build_ip4(uint8_t *b, uint8_t proto, const char *src,
				     const char *dst, unsigned int l4len, uint8_t ttl)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(20 + l4len));
	put16(b + 4, 0x1234);
	put16(b + 6, 0x4000);		/* DF */
	b[8] = ttl;
	b[9] = proto;
	inet_pton(AF_INET, src, b + 12);
	inet_pton(AF_INET, dst, b + 16);
	put16(b + 10, ref_csum(b, 20));
	return 20;
}

static inline unsigned int build_ip6(uint8_t *b, uint8_t nh, const char *src,
				     const char *dst, unsigned int plen, uint8_t hlim)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)plen);
	b[6] = nh;
	b[7] = hlim;
	inet_pton(AF_INET6, src, b + 8);
	inet_pton(AF_INET6, dst, b + 24);
	return 40;
}

/* A TCP or UDP packet with @plen payload bytes (pattern); total length. */
static inline unsigned int build_l4pkt(uint8_t *b, int af, uint8_t proto, const char *src,
				       const char *dst, uint16_t sport, uint16_t dport,
				       uint8_t tcpflags, unsigned int plen)
{
	unsigned int hl = proto == IPPROTO_TCP ? 20 : 8, l3h, i;
	uint8_t *l4;

	if (af == AF_INET)
		l3h = build_ip4(b, proto, src, dst, hl + plen, 64);
	else
		l3h = build_ip6(b, proto, src, dst, hl + plen, 64);
	l4 = b + l3h;
	memset(l4, 0, hl);
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (proto == IPPROTO_TCP) {
		put16(l4 + 4, 0x1111);
		put16(l4 + 6, 0x2222);
		l4[12] = 5 << 4;
		l4[13] = tcpflags;
		put16(l4 + 14, 65535);
	} else {
		put16(l4 + 4, (uint16_t)(8 + plen));
	}
	for (i = 0; i < plen; i++)
		l4[hl + i] = (uint8_t)(i * 7 + 3);
	fix_l4_csum(af, b, l4, hl + plen, proto);
	return l3h + hl + plen;
}

/* Does the whole packet verify (IPv4 header and L4)? */
static inline int pkt_csum_ok(int af, const uint8_t *b)
{
	unsigned int l3h = af == AF_INET ? (b[0] & 0xfu) * 4 : 40;
	unsigned int tot = af == AF_INET ? get16(b + 2) : 40u + get16(b + 4);
	uint8_t proto = af == AF_INET ? b[9] : b[6];

	if (af == AF_INET && ref_csum(b, l3h) != 0)
		return 0;
	if (af == AF_INET && proto == IPPROTO_UDP && get16(b + l3h + 6) == 0)
		return 1;
	if (af == AF_INET && proto == IPPROTO_ICMP)
		return ref_csum(b + l3h, tot - l3h) == 0;
	return ref_l4_csum(af, b, b + l3h, tot - l3h, proto) == 0;
}

#endif /* TEST_PKT_UTIL_H */
