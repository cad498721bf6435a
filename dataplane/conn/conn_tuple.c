// SPDX-License-Identifier: GPL-2.0-or-later
/* Lookup keys from parsed packets, persistence template keys, and the
 * keys a connection is found under. */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "nlvs_conn.h"

static void addr_copy(union nlvs_addr *d, const union nlvs_addr *s, int af)
{
	if (af == AF_INET) {
		memset(d, 0, sizeof(*d));
		d->ip = s->ip;
	} else {
		*d = *s;
	}
}

void nlvs_conn_tuple_from_pkt(struct nlvs_conn_tuple *k, const struct nlvs_pkt *p)
{
	/* Parsing wrote @p a moment ago: every load here matches one of its
	 * stores (the ports are one word there, the family comes from the
	 * test, not loaded beside the protocol as one half-word), since a
	 * load spanning two stores waits for them (store forwarding). */
	if (p->af == AF_INET) {
		addr_copy(&k->saddr, &p->saddr, AF_INET);
		addr_copy(&k->daddr, &p->daddr, AF_INET);
		k->af = AF_INET;
	} else {
		addr_copy(&k->saddr, &p->saddr, AF_INET6);
		addr_copy(&k->daddr, &p->daddr, AF_INET6);
		k->af = AF_INET6;
	}
	k->sport = p->sport;
	k->dport = p->dport;
	k->proto = p->proto;
	k->kind = 0;
	k->pad = 0;
}

void nlvs_conn_tuple_from_icmp(struct nlvs_conn_tuple *k, const struct nlvs_pkt *p)
{
	const struct nlvs_pkt_inner *in = &p->inner;

	/* the quoted packet went from us to the host: swap to its reply */
	addr_copy(&k->saddr, &in->daddr, p->af);
	addr_copy(&k->daddr, &in->saddr, p->af);
	k->sport = in->dport;
	k->dport = in->sport;
	k->af = p->af;
	k->proto = in->proto;
	k->kind = 0;
	k->pad = 0;
}

void nlvs_conn_tuple_template(struct nlvs_conn_tuple *k, int af, uint8_t proto,
			      const union nlvs_addr *caddr, unsigned int plen,
			      const union nlvs_addr *vaddr, uint16_t vport)
{
	unsigned int max = af == AF_INET ? 32 : 128, i;

	memset(k, 0, sizeof(*k));
	addr_copy(&k->saddr, caddr, af);
	addr_copy(&k->daddr, vaddr, af);
	if (plen > max)
		plen = max;
	for (i = plen; i < max; i++)
		k->saddr.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	k->dport = vport;
	k->af = (uint8_t)af;
	k->proto = proto;
	k->kind = 1;
}

void nlvs_conn_tuple(const struct nlvs_conn *c, unsigned int side, struct nlvs_conn_tuple *k)
{
	memset(k, 0, sizeof(*k));
	k->saddr = nlvs_conn_saddr(c, side);
	k->daddr = nlvs_conn_daddr(c, side);
	k->sport = c->side[side].sport;
	k->dport = c->side[side].dport;
	k->af = (uint8_t)nlvs_conn_af(c);
	k->proto = c->proto;
	k->kind = side == 0 && (c->flags & NLVS_CONN_F_TEMPLATE);
}
