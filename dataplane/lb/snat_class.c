// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SNAT classifier: the snat-rule lines compiled into one flat array per
 * family, in file order, with prefixes turned into value/mask words so a
 * rule test is a few compares.  Rule sets are short (a handful of inside
 * networks), so a linear first-match walk beats anything cleverer, and it
 * runs only for packets that missed the connection table.  The compiled
 * set is immutable: the control thread builds a new one on reload and
 * publishes it under RCU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "nlvs_snat.h"

/* A prefix as two 64-bit words of value and mask (IPv4 uses word 0's low
 * 32 bits as loaded from memory, so no byte swapping is needed). */
struct snat_pfx {
	uint64_t v[2], m[2];
};

struct snat_rule {
	struct snat_pfx from, to;
	uint32_t mark;
	unsigned int index;		/* position in the configuration */
	unsigned int in_port, out_port;	/* NLVS_CONF_PORT_ANY = any */
	uint16_t dport_lo, dport_hi;	/* 0 0 = any (mark rules only) */
	uint8_t proto;			/* 0 = any; ICMPv6 in the IPv6 list */
};

struct snat_list {
	unsigned int n;
	int needs_out;
	struct snat_rule *r;
};

struct nlvs_snat_class {
	struct snat_list v4, v6;
};

static void addr_words(int af, const union nlvs_addr *a, uint64_t w[2])
{
	w[0] = w[1] = 0;
	if (af == AF_INET) {
		uint32_t x;

		memcpy(&x, a, 4);
		w[0] = x;
	} else {
		memcpy(w, a, 16);
	}
}

/* Mask of @len leading bits of an address in memory order. */
static void mask_words(int af, unsigned int len, uint64_t m[2])
{
	union nlvs_addr b;
	unsigned int i;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < len && i < (af == AF_INET ? 32u : 128u); i++)
		b.b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	addr_words(af, &b, m);
}

static void pfx_compile(int af, int has, const struct nlvs_prefix *p, struct snat_pfx *o)
{
	memset(o, 0, sizeof(*o));
	if (!has)
		return;		/* mask 0 matches everything */
	mask_words(af, p->len, o->m);
	addr_words(af, &p->addr, o->v);
	o->v[0] &= o->m[0];
	o->v[1] &= o->m[1];
}

static void rule_compile(const struct nlvs_conf_snat *s, unsigned int idx, int af,
			 struct snat_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->mark = s->mark;
	r->index = idx;
	r->in_port = s->in_port;
	r->out_port = s->out_port;
	r->proto = s->proto;
	r->dport_lo = s->dport_lo;
	r->dport_hi = s->dport_hi;
	if (af == AF_INET6 && r->proto == IPPROTO_ICMP)
		r->proto = IPPROTO_ICMPV6;
	pfx_compile(af, s->has_from, &s->from, &r->from);
	pfx_compile(af, s->has_to, &s->to, &r->to);
}

static int list_build(const struct nlvs_conf_snat *rules, unsigned int n, int af,
		      struct snat_list *l)
{
	unsigned int i;

	l->r = calloc(n ? n : 1, sizeof(*l->r));
	if (!l->r)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (rules[i].af && rules[i].af != af)
			continue;
		rule_compile(&rules[i], i, af, &l->r[l->n]);
		if (rules[i].out_port != NLVS_CONF_PORT_ANY)
			l->needs_out = 1;
		l->n++;
	}
	return 0;
}

int nlvs_snat_class_build(const struct nlvs_conf_snat *rules, unsigned int n,
			  struct nlvs_snat_class **out)
{
	struct nlvs_snat_class *c;
	unsigned int i;
	int rc;

	*out = NULL;
	for (i = 0; i < n; i++)
		if (rules[i].af && rules[i].af != AF_INET && rules[i].af != AF_INET6)
			return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	rc = list_build(rules, n, AF_INET, &c->v4);
	if (rc == 0)
		rc = list_build(rules, n, AF_INET6, &c->v6);
	if (rc < 0) {
		nlvs_snat_class_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void nlvs_snat_class_free(struct nlvs_snat_class *c)
{
	if (!c)
		return;
	free(c->v4.r);
	free(c->v6.r);
	free(c);
}

unsigned int nlvs_snat_class_count(const struct nlvs_snat_class *c, int af)
{
	if (!c)
		return 0;
	if (af == AF_INET)
		return c->v4.n;
	if (af == AF_INET6)
		return c->v6.n;
	return c->v4.n + c->v6.n;
}

int nlvs_snat_class_needs_out(const struct nlvs_snat_class *c, int af)
{
	return c && (af == AF_INET ? c->v4.needs_out : c->v6.needs_out);
}

static inline int pfx_match(const struct snat_pfx *p, const uint64_t a[2])
{
	return ((a[0] & p->m[0]) == p->v[0]) & ((a[1] & p->m[1]) == p->v[1]);
}

int nlvs_snat_class_match(const struct nlvs_snat_class *c, const struct nlvs_snat_key *k,
			  uint32_t *mark)
{
	const struct snat_list *l;
	uint64_t s[2], d[2];
	unsigned int i;

	if (!c || (k->af != AF_INET && k->af != AF_INET6))
		return -1;
	l = k->af == AF_INET ? &c->v4 : &c->v6;
	addr_words(k->af, &k->saddr, s);
	addr_words(k->af, &k->daddr, d);
	for (i = 0; i < l->n; i++) {
		const struct snat_rule *r = &l->r[i];

		if (r->proto && r->proto != k->proto)
			continue;
		if (r->in_port != NLVS_CONF_PORT_ANY && r->in_port != k->in_port)
			continue;
		if (r->dport_hi && (k->dport < r->dport_lo || k->dport > r->dport_hi))
			continue;
		if (r->out_port != NLVS_CONF_PORT_ANY && r->out_port != k->out_port)
			continue;
		if (!pfx_match(&r->from, s) || !pfx_match(&r->to, d))
			continue;
		*mark = r->mark;
		return (int)r->index;
	}
	return -1;
}
