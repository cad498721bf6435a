// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Outer headers of TUN forwarding (ipip, gue, gre), written the way kernel
 * IPVS writes them so a real server set up for a kernel director decapsulates
 * ours: IPv4-in-IPv4 and IPv6-in-IPv6 or across families (protocol 4 / 41),
 * GUE version 0 without options over UDP, GRE version 0 with only the
 * optional checksum.  Plain memory: unit tests build packets with it.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "nlvs_csum.h"
#include "nlvs_pkt.h"

#define GRE_F_CSUM	0x8000
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define IP4_DF		0x4000
#define ECN_MASK	0x03
#define ECN_ECT0	0x02
#define ECN_CE		0x03

unsigned int nlvs_tun_hlen(int af, unsigned int type, unsigned int flags)
{
	unsigned int n = af == AF_INET ? 20 : 40;

	if (type == NLVS_TUN_GUE)
		n += 8 + 4;	/* no GUE options: the remote checksum offload
				 * option only describes a checksum left to
				 * finish, and a packet from the wire has none */
	else if (type == NLVS_TUN_GRE)
		n += flags & NLVS_TUN_F_CSUM ? 8 : 4;
	return n;
}

uint16_t nlvs_tun_gue_sport(uint32_t hash)
{
	uint32_t span = NLVS_TUN_GUE_SPORT_MAX - NLVS_TUN_GUE_SPORT_MIN;
	uint16_t port = (uint16_t)(((uint64_t)hash * span >> 32) + NLVS_TUN_GUE_SPORT_MIN);

	return htons(port);
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

/* The outer DS field: the inner one, except that a congestion mark (CE)
 * must not spread to the outer header: ECT(0) there, as RFC 6040's
 * normal mode and the kernel's INET_ECN_encapsulate() do. */
static uint8_t ds_outer(uint8_t ds)
{
	return (uint8_t)((ds & ~ECN_MASK) | ((ds & ECN_MASK) == ECN_CE ? ECN_ECT0 : ds & ECN_MASK));
}

uint32_t nlvs_tun_encap(uint8_t *hdr, const struct nlvs_tun_encap *t, int inner_af)
{
	unsigned int hlen = nlvs_tun_hlen(t->af, t->type, t->flags);
	unsigned int iphlen = t->af == AF_INET ? 20 : 40;
	const uint8_t *in = hdr + hlen;
	uint8_t *l4 = hdr + iphlen;
	uint32_t ilen, total, l4len;
	uint8_t ds, ttl, proto, iproto;
	uint16_t frag = 0;

	if (inner_af == AF_INET) {
		ilen = get16(in + 2);
		ds = in[1];
		ttl = in[8];
		frag = get16(in + 6) & IP4_DF;	/* the sender's DF, never MF/offset */
		iproto = IPPROTO_IPIP;
	} else {
		ilen = 40u + get16(in + 4);
		ds = (uint8_t)(get16(in) >> 4);
		ttl = in[7];
		iproto = IPPROTO_IPV6;
	}
	total = hlen + ilen;
	if (t->af == AF_INET ? total > 0xffff : total - 40 > 0xffff)
		return 0;
	l4len = total - iphlen;

	switch (t->type) {
	case NLVS_TUN_GUE:
		memcpy(l4, &t->sport, 2);
		memcpy(l4 + 2, &t->dport, 2);
		put16(l4 + 4, (uint16_t)l4len);
		put16(l4 + 6, 0);
		l4[8] = 0;		/* version 0, data message, no options */
		l4[9] = iproto;
		put16(l4 + 10, 0);	/* no flags */
		proto = IPPROTO_UDP;
		break;
	case NLVS_TUN_GRE:
		put16(l4, t->flags & NLVS_TUN_F_CSUM ? GRE_F_CSUM : 0);
		put16(l4 + 2, inner_af == AF_INET ? ETH_P_IP : ETH_P_IPV6);
		if (t->flags & NLVS_TUN_F_CSUM) {
			uint16_t sum;

			put16(l4 + 4, 0);
			put16(l4 + 6, 0);
			sum = nlvs_csum(l4, l4len);
			memcpy(l4 + 4, &sum, 2);
		}
		proto = IPPROTO_GRE;
		break;
	default:
		proto = iproto;
		break;
	}

	if (t->af == AF_INET) {
		uint16_t sum;

		hdr[0] = 0x45;
		hdr[1] = ds_outer(ds);
		put16(hdr + 2, (uint16_t)total);
		if (frag)
			put16(hdr + 4, 0);	/* atomic datagram (RFC 6864) */
		else
			memcpy(hdr + 4, &t->id, 2);
		put16(hdr + 6, frag);
		hdr[8] = ttl;
		hdr[9] = proto;
		put16(hdr + 10, 0);
		memcpy(hdr + 12, &t->saddr, 4);
		memcpy(hdr + 16, &t->daddr, 4);
		sum = nlvs_csum(hdr, 20);
		memcpy(hdr + 10, &sum, 2);
	} else {
		uint8_t o = ds_outer(ds);

		hdr[0] = (uint8_t)(0x60 | o >> 4);
		hdr[1] = (uint8_t)(o << 4);	/* flow label 0 */
		hdr[2] = 0;
		hdr[3] = 0;
		put16(hdr + 4, (uint16_t)l4len);
		hdr[6] = proto;
		hdr[7] = ttl;
		memcpy(hdr + 8, &t->saddr, 16);
		memcpy(hdr + 24, &t->daddr, 16);
	}

	/* GUE's UDP checksum only under --tun-csum / --tun-remcsum, as the
	 * kernel: zero otherwise, over IPv6 too (RFC 6935 tunnels) */
	if (t->type == NLVS_TUN_GUE && (t->flags & (NLVS_TUN_F_CSUM | NLVS_TUN_F_REMCSUM))) {
		uint16_t sum = t->af == AF_INET ?
			       nlvs_csum_l4_v4(&t->saddr, &t->daddr, IPPROTO_UDP, l4, l4len) :
			       nlvs_csum_l4_v6(&t->saddr, &t->daddr, IPPROTO_UDP, l4, l4len);

		if (!sum)
			sum = 0xffff;
		memcpy(l4 + 6, &sum, 2);
	}
	return total;
}
