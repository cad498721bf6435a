/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internet checksums.  Values are handled as they lie in the packet (network
 * order); one's complement sums do not care about byte order as long as old
 * and new values are taken the same way.
 *
 * The incremental helpers follow RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'),
 * which never turns a valid checksum into the forbidden -0 for IPv4 headers.
 * The UDP variants keep the IPv4 "no checksum" 0 and turn a computed 0 into
 * 0xffff, because 0 on the wire means "absent" (and is illegal for IPv6).
 */
#ifndef NLVS_CSUM_H
#define NLVS_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Add @len bytes at @buf to the 32-bit accumulator @sum (not folded). */
static inline uint32_t nlvs_csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;
	uint16_t w;

	while (len >= 2) {
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, 1);	/* a last odd byte is padded with a zero byte */
		acc += w;
	}
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

/* Fold a 32-bit accumulator into 16 bits (not complemented). */
static inline uint16_t nlvs_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum of a buffer: complement of the folded sum. */
static inline uint16_t nlvs_csum(const void *buf, size_t len)
{
	return (uint16_t)~nlvs_csum_fold(nlvs_csum_add(0, buf, len));
}

/* The folded sum of a 20-byte IPv4 header, 0xffff when its checksum is
 * right: five 32-bit words in one 64-bit accumulator (end-around carries
 * folded at the end), where a loop over 16-bit words was most of L3 input. */
static inline uint16_t nlvs_csum_ip4_hdr20(const void *hdr)
{
	uint32_t w[5];
	uint64_t acc;

	memcpy(w, hdr, sizeof(w));
	acc = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return nlvs_csum_fold((uint32_t)acc);
}

/* Pseudo-header sums (RFC 768/793 for IPv4, RFC 8200 8.1 for IPv6). */
static inline uint32_t nlvs_csum_pseudo4(const void *saddr, const void *daddr,
					 uint8_t proto, uint32_t l4_len)
{
	uint8_t b[4] = { 0, proto, (uint8_t)(l4_len >> 8), (uint8_t)l4_len };
	uint32_t sum = 0;

	sum = nlvs_csum_add(sum, saddr, 4);
	sum = nlvs_csum_add(sum, daddr, 4);
	return nlvs_csum_add(sum, b, 4);
}

static inline uint32_t nlvs_csum_pseudo6(const void *saddr, const void *daddr,
					 uint8_t proto, uint32_t l4_len)
{
	uint8_t b[8] = { (uint8_t)(l4_len >> 24), (uint8_t)(l4_len >> 16),
			 (uint8_t)(l4_len >> 8), (uint8_t)l4_len, 0, 0, 0, proto };
	uint32_t sum = 0;

	sum = nlvs_csum_add(sum, saddr, 16);
	sum = nlvs_csum_add(sum, daddr, 16);
	return nlvs_csum_add(sum, b, 8);
}

/* Full L4 checksum over @l4 (checksum field included as it is). */
static inline uint16_t nlvs_csum_l4_v4(const void *saddr, const void *daddr, uint8_t proto,
				       const void *l4, uint32_t len)
{
	uint32_t sum = nlvs_csum_pseudo4(saddr, daddr, proto, len);

	return (uint16_t)~nlvs_csum_fold(nlvs_csum_add(sum, l4, len));
}

static inline uint16_t nlvs_csum_l4_v6(const void *saddr, const void *daddr, uint8_t proto,
				       const void *l4, uint32_t len)
{
	uint32_t sum = nlvs_csum_pseudo6(saddr, daddr, proto, len);

	return (uint16_t)~nlvs_csum_fold(nlvs_csum_add(sum, l4, len));
}

/* Checksum field at @field (unaligned, network order) for a change of the
 * covered data from @old to @new, @len bytes (even). */
static inline void nlvs_csum_replace(void *field, const void *old, const void *new,
				     size_t len)
{
	const uint8_t *o = old, *n = new;
	uint16_t hc, w;
	uint32_t sum;
	size_t i;

	memcpy(&hc, field, 2);
	sum = (uint16_t)~hc;
	for (i = 0; i + 1 < len; i += 2) {
		memcpy(&w, o + i, 2);
		sum += (uint16_t)~w;
		memcpy(&w, n + i, 2);
		sum += w;
	}
	hc = (uint16_t)~nlvs_csum_fold(sum);
	memcpy(field, &hc, 2);
}

static inline void nlvs_csum_replace2(void *field, uint16_t old, uint16_t new)
{
	nlvs_csum_replace(field, &old, &new, 2);
}

static inline void nlvs_csum_replace4(void *field, uint32_t old, uint32_t new)
{
	nlvs_csum_replace(field, &old, &new, 4);
}

static inline void nlvs_csum_replace16(void *field, const void *old, const void *new)
{
	nlvs_csum_replace(field, old, new, 16);
}

/* UDP: @v4 keeps an absent (0) checksum absent; a result of 0 is sent as
 * 0xffff (both are the same one's complement value). */
static inline void nlvs_csum_udp_replace(void *field, const void *old, const void *new,
					 size_t len, int v4)
{
	uint16_t hc;

	memcpy(&hc, field, 2);
	if (v4 && hc == 0)
		return;
	nlvs_csum_replace(field, old, new, len);
	memcpy(&hc, field, 2);
	if (hc == 0) {
		hc = 0xffff;
		memcpy(field, &hc, 2);
	}
}

#endif /* NLVS_CSUM_H */
