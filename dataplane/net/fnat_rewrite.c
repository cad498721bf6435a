// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FULLNAT rewrite of TCP and UDP packets in place.  Both directions are the
 * same operation (new source and destination address and port), so one
 * function serves client->RS and RS->client; the connection table says which
 * addresses to put in.  Checksums are updated incrementally: the payload is
 * never read.
 *
 * ICMP echo (SNAT) is the same operation with the echo identifier as the
 * port: the connection tuples of an echo flow carry the id in both ports,
 * so the new id is rw->sport.  The ICMPv4 checksum covers only the message,
 * the ICMPv6 one the pseudo-header addresses too.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "nlvs_csum.h"
#include "nlvs_pkt.h"

/* old and new values of everything the L4 checksum covers and we change:
 * the pseudo-header addresses, then the two ports */
struct fnat_delta {
	uint8_t old[36], new[36];
	unsigned int len;
};

static void delta_build(struct fnat_delta *d, const uint8_t *l3, const uint8_t *l4,
			int af, const struct nlvs_pkt_rewrite *rw)
{
	unsigned int alen = af == AF_INET ? 4 : 16;
	unsigned int soff = af == AF_INET ? 12 : 8;

	memcpy(d->old, l3 + soff, 2 * alen);
	memcpy(d->old + 2 * alen, l4, 4);
	memcpy(d->new, &rw->saddr, alen);
	memcpy(d->new + alen, &rw->daddr, alen);
	memcpy(d->new + 2 * alen, &rw->sport, 2);
	memcpy(d->new + 2 * alen + 2, &rw->dport, 2);
	d->len = 2 * alen + 4;
}

/* Echo identifier and its checksum; @d holds the addresses (and the id
 * after them for ICMPv6, whose checksum covers the pseudo-header). */
static void echo_rewrite(struct fnat_delta *d, uint8_t *l4, int af,
			 const struct nlvs_pkt_rewrite *rw)
{
	unsigned int alen = af == AF_INET ? 4 : 16;

	if (af == AF_INET) {
		nlvs_csum_replace(l4 + 2, l4 + 4, &rw->sport, 2);
	} else {
		memcpy(d->old + 2 * alen, l4 + 4, 2);
		memcpy(d->new + 2 * alen, &rw->sport, 2);
		nlvs_csum_replace(l4 + 2, d->old, d->new, 2 * alen + 2);
	}
	memcpy(l4 + 4, &rw->sport, 2);
}

/* ~@hc + @sum (a sum of 32-bit words), folded and complemented: RFC 1624's
 * incremental update, two 16-bit halves of a word at a time. */
static inline uint16_t csum_update32(uint16_t hc, uint64_t sum)
{
	sum += (uint16_t)~hc;
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return (uint16_t)~nlvs_csum_fold((uint32_t)sum);
}

/*
 * IPv4 TCP or UDP, the established packet's case, in 32-bit words: the
 * addresses and ports are read and written whole and each checksum takes
 * the difference in one sum.  The general path below goes through byte
 * buffers written 2 bytes and read 4 at a time (a store-forwarding stall
 * every packet); the results are the same, 0 and 0xffff alike.
 */
static inline int rewrite4(uint8_t *b, uint8_t *l4, uint8_t proto, uint32_t ns, uint32_t nd,
			   uint16_t sport, uint16_t dport)
{
	const uint16_t ports[2] = { sport, dport };	/* as in the header */
	uint32_t os, od, op, np;
	uint16_t hc, ow, nw;
	uint64_t addrs;
	uint8_t *ck = l4 + (proto == IPPROTO_TCP ? 16 : 6);

	memcpy(&os, b + 12, 4);
	memcpy(&od, b + 16, 4);
	memcpy(&op, l4, 4);
	memcpy(&np, ports, 4);
	addrs = (uint64_t)(uint32_t)~os + (uint32_t)~od + ns + nd;
	memcpy(&hc, ck, 2);
	if (proto == IPPROTO_TCP || hc != 0) {	/* UDP without a checksum keeps none */
		hc = csum_update32(hc, addrs + (uint32_t)~op + np);
		if (proto == IPPROTO_UDP && hc == 0)
			hc = 0xffff;
		memcpy(ck, &hc, 2);
	}
	memcpy(l4, &np, 4);
	/* TTL (the high byte of the TTL/protocol word) less one */
	memcpy(&ow, b + 8, 2);
	nw = htons((uint16_t)(ntohs(ow) - 0x100));
	memcpy(&hc, b + 10, 2);
	hc = csum_update32(hc, addrs + (uint16_t)~ow + nw);
	memcpy(b + 8, &nw, 2);
	memcpy(b + 10, &hc, 2);
	memcpy(b + 12, &ns, 4);
	memcpy(b + 16, &nd, 4);
	return 0;
}

int nlvs_fnat_rewrite4(void *l3, const struct nlvs_pkt *p, uint32_t saddr, uint32_t daddr,
		       uint16_t sport, uint16_t dport)
{
	struct nlvs_pkt_rewrite rw;

	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		if (p->ttl <= 1)
			return NLVS_DROP_TTL_EXCEEDED;
		return rewrite4(l3, (uint8_t *)l3 + p->l4_off, p->proto, saddr, daddr, sport,
				dport);
	}
	memset(&rw, 0, sizeof(rw));	/* an echo, or refused: the general path */
	rw.saddr.ip = saddr;
	rw.daddr.ip = daddr;
	rw.sport = sport;
	rw.dport = dport;
	return nlvs_fnat_rewrite(l3, p, &rw);
}

int nlvs_fnat_rewrite(void *l3, const struct nlvs_pkt *p, const struct nlvs_pkt_rewrite *rw)
{
	uint8_t *b = l3, *l4 = b + p->l4_off;
	struct fnat_delta d;
	int v4 = p->af == AF_INET;

	int echo = (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) &&
		   (p->flags & NLVS_PKT_F_ICMP_ECHO);

	if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP && !echo)
		return NLVS_DROP_UNKNOWN_PROTO;
	if (p->ttl <= 1)
		return NLVS_DROP_TTL_EXCEEDED;
	if (v4 && !echo)
		return rewrite4(b, l4, p->proto, rw->saddr.ip, rw->daddr.ip, rw->sport, rw->dport);

	delta_build(&d, b, l4, p->af, rw);
	if (echo) {
		echo_rewrite(&d, l4, p->af, rw);
	} else {
		if (p->proto == IPPROTO_TCP)
			nlvs_csum_replace(l4 + 16, d.old, d.new, d.len);
		else
			nlvs_csum_udp_replace(l4 + 6, d.old, d.new, d.len, v4);
		memcpy(l4, d.new + d.len - 4, 4);
	}

	if (v4) {
		uint16_t ottl, nttl;

		memcpy(&ottl, b + 8, 2);
		b[8]--;
		memcpy(&nttl, b + 8, 2);
		nlvs_csum_replace2(b + 10, ottl, nttl);
		nlvs_csum_replace(b + 10, d.old, d.new, 8);
		memcpy(b + 12, d.new, 8);
	} else {
		b[7]--;
		memcpy(b + 8, d.new, 32);
	}
	return 0;
}
