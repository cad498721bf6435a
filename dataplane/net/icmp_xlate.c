// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ICMP errors about a FULLNAT connection: the error names the packet we sent
 * on one side, the host on the other side must see it as an error about the
 * packet it sent to us.  So both the outer header and the quoted header are
 * rewritten, with every checksum that is present kept valid.  Errors are
 * rare, so the ICMP checksum is simply recomputed over the whole message.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "nlvs_csum.h"
#include "nlvs_pkt.h"

/* Rewrite the quoted header: addresses, ports or echo id, and the checksums
 * that cover them when they were quoted. */
static void inner_rewrite(uint8_t *b, const struct nlvs_pkt *p,
			  const struct nlvs_pkt_rewrite *rw)
{
	const struct nlvs_pkt_inner *in = &p->inner;
	uint8_t *q = b + in->l3_off, *l4 = b + in->l4_off;
	unsigned int alen = p->af == AF_INET ? 4 : 16;
	unsigned int soff = p->af == AF_INET ? 12 : 8;
	uint8_t old[36], new[36];
	uint32_t end = p->l3_len;
	unsigned int n = 2 * alen;

	memcpy(old, q + soff, n);
	memcpy(new, &rw->saddr, alen);
	memcpy(new + alen, &rw->daddr, alen);

	switch (in->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		memcpy(old + n, l4, 4);
		memcpy(new + n, &rw->sport, 2);
		memcpy(new + n + 2, &rw->dport, 2);
		if (in->proto == IPPROTO_UDP)
			nlvs_csum_udp_replace(l4 + 6, old, new, n + 4, p->af == AF_INET);
		else if ((uint32_t)in->l4_off + 18 <= end)
			nlvs_csum_replace(l4 + 16, old, new, n + 4);
		memcpy(l4, new + n, 4);
		break;
	case IPPROTO_ICMP:
		nlvs_csum_replace(l4 + 2, l4 + 4, &rw->sport, 2);
		memcpy(l4 + 4, &rw->sport, 2);
		break;
	case IPPROTO_ICMPV6:
		memcpy(old + n, l4 + 4, 2);
		memcpy(new + n, &rw->sport, 2);
		nlvs_csum_replace(l4 + 2, old, new, n + 2);
		memcpy(l4 + 4, &rw->sport, 2);
		break;
	default:
		break;
	}
	if (p->af == AF_INET)
		nlvs_csum_replace(q + 10, old, new, 8);
	memcpy(q + soff, new, n);
}

int nlvs_icmp_xlate(void *l3, const struct nlvs_pkt *p, const struct nlvs_pkt_rewrite *outer,
		    const struct nlvs_pkt_rewrite *inner)
{
	uint8_t *b = l3, *l4 = b + p->l4_off;
	uint16_t zero = 0, sum;

	if (!(p->flags & NLVS_PKT_F_ICMP_ERR))
		return NLVS_DROP_BAD_ICMP;
	if (p->ttl <= 1)
		return NLVS_DROP_TTL_EXCEEDED;

	inner_rewrite(b, p, inner);

	if (p->af == AF_INET) {
		uint16_t ottl, nttl;

		memcpy(&ottl, b + 8, 2);
		b[8]--;
		memcpy(&nttl, b + 8, 2);
		nlvs_csum_replace2(b + 10, ottl, nttl);
		nlvs_csum_replace(b + 10, b + 12, &outer->saddr, 4);
		nlvs_csum_replace(b + 10, b + 16, &outer->daddr, 4);
		memcpy(b + 12, &outer->saddr, 4);
		memcpy(b + 16, &outer->daddr, 4);
		memcpy(l4 + 2, &zero, 2);
		sum = nlvs_csum(l4, p->l4_len);
	} else {
		b[7]--;
		memcpy(b + 8, &outer->saddr, 16);
		memcpy(b + 24, &outer->daddr, 16);
		memcpy(l4 + 2, &zero, 2);
		sum = nlvs_csum_l4_v6(b + 8, b + 24, IPPROTO_ICMPV6, l4, p->l4_len);
	}
	memcpy(l4 + 2, &sum, 2);
	return 0;
}
