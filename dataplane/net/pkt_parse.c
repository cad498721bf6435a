// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv4/IPv6 + TCP/UDP/ICMP parsing with every read bounds-checked: packets
 * come from the wire and from anyone who can reach a VIP.
 */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "nlvs_csum.h"
#include "nlvs_pkt.h"

#define IP6_MAX_EXT	8	/* more extension headers than this is an attack */

static inline uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;			/* network order */
}

/* Both ports in one 4-byte store, as the connection key reads them (two
 * 2-byte stores read back as one word wait for the stores: a
 * store-forwarding stall per packet). */
static inline void ports_set(struct nlvs_pkt *p, const uint8_t *l4)
{
	_Static_assert(offsetof(struct nlvs_pkt, dport) == offsetof(struct nlvs_pkt, sport) + 2,
		       "the ports are one word");
	memcpy(&p->sport, l4, 4);
}

static inline uint16_t rd16h(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int fail(struct nlvs_pkt *p, unsigned int reason)
{
	p->drop = (uint8_t)reason;
	return -1;
}

int nlvs_tcp_flags_valid(uint8_t flags)
{
	/* PSH, ECE and CWR do not change validity; the rest must be one of
	 * the combinations a real TCP sends. */
	switch (flags & (NLVS_TCP_FIN | NLVS_TCP_SYN | NLVS_TCP_RST | NLVS_TCP_ACK |
			 NLVS_TCP_URG)) {
	case NLVS_TCP_SYN:
	case NLVS_TCP_SYN | NLVS_TCP_URG:
	case NLVS_TCP_SYN | NLVS_TCP_ACK:
	case NLVS_TCP_RST:
	case NLVS_TCP_RST | NLVS_TCP_ACK:
	case NLVS_TCP_FIN | NLVS_TCP_ACK:
	case NLVS_TCP_FIN | NLVS_TCP_ACK | NLVS_TCP_URG:
	case NLVS_TCP_ACK:
	case NLVS_TCP_ACK | NLVS_TCP_URG:
		return 1;
	default:
		return 0;
	}
}

int nlvs_icmp_is_error(int af, uint8_t type)
{
	if (af == AF_INET)
		return type == 3 || type == 4 || type == 11 || type == 12;
	return type >= 1 && type <= 4;
}

static int icmp_is_echo(int af, uint8_t type)
{
	if (af == AF_INET)
		return type == 8 || type == 0;
	return type == 128 || type == 129;
}

/*
 * Walk IPv6 extension headers from @off (next header @nh) within @end.
 * Returns the L4 offset and stores the protocol, or -1 with @reason set.
 * @allow_first_frag lets a first fragment through (quoted packets).
 */
static int ip6_skip_ext(const uint8_t *b, uint32_t off, uint32_t end, uint8_t nh,
			uint8_t *proto, unsigned int *reason, int allow_first_frag)
{
	int n;

	for (n = 0; n <= IP6_MAX_EXT; n++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (off + 2 > end)
				goto bad;
			nh = b[off];
			off += (b[off + 1] + 1u) * 8;
			if (off > end)
				goto bad;
			break;
		case IPPROTO_FRAGMENT:
			if (off + 8 > end)
				goto bad;
			/* offset != 0 or more fragments follow */
			if (!allow_first_frag || (rd16h(b + off + 2) & 0xfff8)) {
				*reason = NLVS_DROP_FRAGMENT;
				return -1;
			}
			nh = b[off];
			off += 8;
			break;
		default:
			*proto = nh;
			return (int)off;
		}
	}
bad:
	*reason = NLVS_DROP_BAD_IP_HEADER;
	return -1;
}

/* The packet quoted by an ICMP error: at least the IP header and the
 * first 8 bytes of L4; the rest may be cut (RFC 792 asks for no more). */
static int parse_inner(const uint8_t *b, uint32_t off, uint32_t end, int af,
		       struct nlvs_pkt *p)
{
	struct nlvs_pkt_inner *in = &p->inner;
	const uint8_t *q = b + off;
	uint32_t avail = end - off, hlen, tot;
	unsigned int reason;
	int l4;

	memset(in, 0, sizeof(*in));
	in->l3_off = (uint16_t)off;
	in->avail = (uint16_t)avail;
	if (af == AF_INET) {
		if (avail < 20 || (q[0] >> 4) != 4)
			return -1;
		hlen = (q[0] & 0xfu) * 4;
		tot = rd16h(q + 2);
		if (hlen < 20 || hlen > avail || tot < hlen)
			return -1;
		if (rd16h(q + 6) & 0x1fff)	/* not the first fragment: no ports */
			return -1;
		if (tot > avail)
			p->flags |= NLVS_PKT_F_INNER_TRUNC;
		in->proto = q[9];
		memcpy(&in->saddr.ip, q + 12, 4);
		memcpy(&in->daddr.ip, q + 16, 4);
		l4 = (int)hlen;
	} else {
		if (avail < 40 || (q[0] >> 4) != 6)
			return -1;
		tot = 40u + rd16h(q + 4);
		if (tot > avail)
			p->flags |= NLVS_PKT_F_INNER_TRUNC;
		memcpy(&in->saddr, q + 8, 16);
		memcpy(&in->daddr, q + 24, 16);
		l4 = ip6_skip_ext(q, 40, avail, q[6], &in->proto, &reason, 1);
		if (l4 < 0)
			return -1;
	}
	in->l3_hlen = (uint8_t)(l4 > 255 ? 255 : l4);
	if (l4 > 255)
		return -1;
	in->l4_off = (uint16_t)(off + (uint32_t)l4);
	switch (in->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (avail < (uint32_t)l4 + 8)
			return -1;
		in->sport = rd16(q + l4);
		in->dport = rd16(q + l4 + 2);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (avail < (uint32_t)l4 + 8)
			return -1;
		if ((in->proto == IPPROTO_ICMP) != (af == AF_INET) ||
		    !icmp_is_echo(af, q[l4]))
			return -1;	/* never act on errors about errors */
		in->sport = in->dport = rd16(q + l4 + 4);
		break;
	default:
		break;			/* no ports: no connection will match */
	}
	return 0;
}

/* SCTP common header (ports, verification tag, CRC32c, which covers no
 * IP header and is left alone) and the first chunk, whose type drives the
 * connection state.  A chunk shorter than its own header or running past
 * the packet is hostile.  ABORT bundled after COOKIE ECHO / COOKIE ACK is
 * the event, as the kernel reads it. */
static int parse_sctp(const uint8_t *l4, uint32_t len, struct nlvs_pkt *p)
{
	uint32_t clen, next;

	if (len < 12 + 4)
		return fail(p, NLVS_DROP_BAD_SCTP);
	clen = rd16h(l4 + 14);
	if (clen < 4 || clen > len - 12)
		return fail(p, NLVS_DROP_BAD_SCTP);
	ports_set(p, l4);
	p->tcp_flags = l4[12];
	next = 12 + ((clen + 3) & ~3u);
	if ((l4[12] == NLVS_SCTP_COOKIE_ECHO || l4[12] == NLVS_SCTP_COOKIE_ACK) &&
	    next + 4 <= len && l4[next] == NLVS_SCTP_ABORT)
		p->tcp_flags = NLVS_SCTP_ABORT;
	return 0;
}

static int parse_l4(const uint8_t *b, int af, struct nlvs_pkt *p)
{
	const uint8_t *l4 = b + p->l4_off;
	uint32_t len = p->l4_len, hl;

	switch (p->proto) {
	case IPPROTO_TCP:
		if (len < 20)
			return fail(p, NLVS_DROP_BAD_L4_HEADER);
		hl = (l4[12] >> 4) * 4u;
		if (hl < 20 || hl > len)
			return fail(p, NLVS_DROP_BAD_L4_HEADER);
		ports_set(p, l4);
		p->tcp_flags = l4[13];
		if (!nlvs_tcp_flags_valid(p->tcp_flags))
			return fail(p, NLVS_DROP_BAD_TCP_FLAGS);
		return 0;
	case IPPROTO_UDP:
		if (len < 8)
			return fail(p, NLVS_DROP_BAD_L4_HEADER);
		hl = rd16h(l4 + 4);
		if (hl < 8 || hl > len)
			return fail(p, NLVS_DROP_BAD_L4_HEADER);
		if (af == AF_INET6 && rd16(l4 + 6) == 0)	/* mandatory in IPv6 */
			return fail(p, NLVS_DROP_BAD_L4_HEADER);
		ports_set(p, l4);
		return 0;
	case IPPROTO_SCTP:
		return parse_sctp(l4, len, p);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if ((p->proto == IPPROTO_ICMP) != (af == AF_INET))
			return 0;	/* ICMPv4 in IPv6 or vice versa: not ours */
		if (len < 8)
			return fail(p, NLVS_DROP_BAD_ICMP);
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		if (icmp_is_echo(af, l4[0])) {
			p->flags |= NLVS_PKT_F_ICMP_ECHO;
			p->sport = p->dport = rd16(l4 + 4);
		} else if (nlvs_icmp_is_error(af, l4[0])) {
			if (parse_inner(b, p->l4_off + 8u, p->l3_len, af, p))
				return fail(p, NLVS_DROP_BAD_ICMP);
			p->flags |= NLVS_PKT_F_ICMP_ERR;
		}
		return 0;
	default:
		return 0;		/* the caller decides (exception path) */
	}
}

static inline int parse_ip4(const uint8_t *b, uint32_t len, struct nlvs_pkt *p, int summed)
{
	uint32_t hlen, tot;

	if (len < 20 || (b[0] >> 4) != 4)
		return fail(p, NLVS_DROP_BAD_IP_HEADER);
	hlen = (b[0] & 0xfu) * 4;
	if (hlen < 20 || hlen > len)
		return fail(p, NLVS_DROP_BAD_IP_HEADER);
	tot = rd16h(b + 2);
	if (tot < hlen || tot > len)
		return fail(p, NLVS_DROP_BAD_IP_LENGTH);
	if (!summed && nlvs_csum(b, hlen) != 0)
		return fail(p, NLVS_DROP_BAD_IP_CSUM);
	if (hlen > 20)
		return fail(p, NLVS_DROP_IP_OPTIONS);
	if (rd16h(b + 6) & 0x3fff)	/* MF or an offset */
		return fail(p, NLVS_DROP_FRAGMENT);
	p->ttl = b[8];
	p->proto = b[9];
	memcpy(&p->saddr.ip, b + 12, 4);
	memcpy(&p->daddr.ip, b + 16, 4);
	p->l3_len = (uint16_t)tot;
	p->l4_off = (uint16_t)hlen;
	p->l4_len = (uint16_t)(tot - hlen);
	return parse_l4(b, AF_INET, p);
}

static int parse_ip6(const uint8_t *b, uint32_t len, struct nlvs_pkt *p)
{
	uint32_t tot;
	unsigned int reason;
	int off;

	if (len < 40 || (b[0] >> 4) != 6)
		return fail(p, NLVS_DROP_BAD_IP_HEADER);
	tot = 40u + rd16h(b + 4);
	if (tot == 40 && b[6] != IPPROTO_NONE)	/* jumbograms are not for us */
		return fail(p, NLVS_DROP_BAD_IP_LENGTH);
	if (tot > len || tot > 0xffff)
		return fail(p, NLVS_DROP_BAD_IP_LENGTH);
	p->ttl = b[7];
	memcpy(&p->saddr, b + 8, 16);
	memcpy(&p->daddr, b + 24, 16);
	p->l3_len = (uint16_t)tot;
	off = ip6_skip_ext(b, 40, tot, b[6], &p->proto, &reason, 0);
	if (off < 0)
		return fail(p, reason);
	p->l4_off = (uint16_t)off;
	p->l4_len = (uint16_t)(tot - (uint32_t)off);
	return parse_l4(b, AF_INET6, p);
}

static inline int parse(const void *l3, uint32_t len, int af, struct nlvs_pkt *p, int summed)
{
	memset(p, 0, offsetof(struct nlvs_pkt, inner));
	p->af = (uint8_t)af;
	if (af == AF_INET)
		return parse_ip4(l3, len, p, summed);
	if (af == AF_INET6)
		return parse_ip6(l3, len, p);
	return fail(p, NLVS_DROP_UNKNOWN_ETHERTYPE);
}

int nlvs_pkt_parse(const void *l3, uint32_t len, int af, struct nlvs_pkt *p)
{
	return parse(l3, len, af, p, 0);
}

int nlvs_pkt_parse_checked(const void *l3, uint32_t len, int af, struct nlvs_pkt *p)
{
	return parse(l3, len, af, p, 1);
}
