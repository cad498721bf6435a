// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SNAT packet path (worker).  An inside host's packet that matches a
 * snat rule gets the rule's mark; the fwmark service of that mark schedules
 * a dest, which is an egress address; a port (for ICMP echo: an
 * identifier) from this worker's slice of that address's ports becomes the
 * new source.  The connection is filed under
 *
 *	tuple[0]  host:hport -> outside:oport	(as the inside sends)
 *	tuple[1]  outside:oport -> egress:port	(as the replies arrive)
 *
 * so the FULLNAT rule "leave with the reverse of the other tuple" rewrites
 * both directions.  Replies to an egress address are owned by the worker
 * that the port's low bits name (nlvs_laddr.h): a reply on another
 * worker's queue is handed to the owner, whatever the protocol, so ping
 * replies never miss.  ICMP errors about our packets go to the owner of the
 * quoted source port and reach the inside host translated, with the
 * reporting router's address kept (traceroute shows the real hops).
 *
 * Packets to an egress address without a connection (scans, late packets)
 * are dropped as NO_CONN; transit traffic no rule matches is forwarded
 * when ip-forward is on and dropped otherwise.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "snat_priv.h"

/* The fwmark service of rule @ri for family @af in the worker's table. */
static const struct lb_svc *svc_of_rule(const struct lb_worker *lw, const struct snat_tab *t,
					int ri, int af, uint32_t mark)
{
	const struct lb_cfg *cfg = lw->cfg;
	uint32_t s = (unsigned int)ri < t->nrules ? t->rule_svc[af == AF_INET6][ri] : 0;
	uint32_t i;

	if (s && s - 1 < cfg->nsvc) {
		const struct lb_svc *v = lb_cfg_svc(cfg, s - 1);

		if (v->used && v->fwmark == mark && v->af == af)
			return v;
	}
	if (__atomic_load_n(&t->lbcfg_seq, __ATOMIC_RELAXED) == cfg->seq)
		return NULL;
	/* the worker follows a newer lb_cfg than the SNAT table: look it up */
	for (i = 0; i < cfg->nsvc; i++) {
		const struct lb_svc *v = lb_cfg_svc(cfg, i);

		if (v->used && v->fwmark == mark && v->af == af)
			return v;
	}
	return NULL;
}

/* A new flow of an inside host that rule @ri (mark @mark) matched. */
static void conn_create(struct lb_worker *lw, const struct snat_tab *t, struct rte_mbuf *m,
			const struct nlvs_l3_info *l3, const struct nlvs_pkt *p,
			const struct nlvs_conn_tuple *k, int ri, uint32_t mark)
{
	struct nlvs_worker *w = lw->w;
	unsigned int wid = nlvs_worker_id(w), reason;
	struct nlvs_conn_tuple t1, tk;
	struct nlvs_conn *c, *tmpl;
	const struct lb_dest *d;
	const struct lb_svc *s;
	struct snat_egress *eg;
	uint32_t dslot, flags;
	int e, rc;

	s = svc_of_rule(lw, t, ri, k->af, mark);
	if (!s) {
		nlvs_lb_drop(w, m, NLVS_DROP_NO_SERVICE);
		return;
	}
	if (k->proto == IPPROTO_TCP &&
	    (p->tcp_flags & (NLVS_TCP_SYN | NLVS_TCP_ACK | NLVS_TCP_RST)) != NLVS_TCP_SYN) {
		nlvs_lb_drop(w, m, NLVS_DROP_NOT_SYN);
		return;
	}
	if (s->flags & NLVS_SVC_F_PERSISTENT)
		lb_tmpl_key(&tk, s, k);
	rc = lb_dest_choose(lw, s, k, &tk, &tmpl, &dslot);
	if (rc) {
		nlvs_lb_drop(w, m, (unsigned int)rc);
		return;
	}
	d = lb_cfg_dest(lw->cfg, dslot);
	if (unlikely(d->fwd != NLVS_FWD_MASQ)) {	/* SNAT only masquerades */
		nlvs_lb_drop(w, m, NLVS_DROP_FWD_UNSUPPORTED);
		return;
	}
	e = snat_egress_find(t, d->af, &d->addr);
	if (unlikely(e < 0 || !snat_eg[e].lp[wid])) {
		/* no egress entry for the dest (it was not usable: see the log) */
		nlvs_lb_drop(w, m, NLVS_DROP_NO_DEST);
		return;
	}
	eg = &snat_eg[e];
	memset(&t1, 0, sizeof(t1));
	t1.af = k->af;
	t1.proto = k->proto;
	t1.saddr = k->daddr;
	t1.sport = k->dport;
	rc = nlvs_laddr_port_alloc(eg->lp[wid], &t1.daddr, &t1.dport);
	if (rc) {
		nlvs_lb_drop(w, m, (unsigned int)rc);
		return;
	}
	if (p->flags & NLVS_PKT_F_ICMP_ECHO)
		t1.sport = t1.dport;	/* echo: the id is both "ports" */
	flags = NLVS_CONN_F_INACTIVE | SNAT_CF | (uint32_t)e << SNAT_CF_EG_SHIFT;
	c = lb_conn_add(lw, s, k, &t1, flags, dslot, tmpl, &tk, &reason);
	if (!c) {
		nlvs_laddr_port_free(eg->lp[wid], &t1.daddr, t1.dport);
		nlvs_lb_drop(w, m, reason);
		return;
	}
	lb_conn_forward(lw, m, l3, p, c, NLVS_CONN_SIDE_CLIENT);
}

/* An ICMP error quoting a packet of a SNAT connection. */
static void icmp_error_input(struct lb_worker *lw, struct rte_mbuf *m,
			     const struct nlvs_l3_info *l3, const struct nlvs_pkt *p)
{
	struct nlvs_worker *w = lw->w;
	struct nlvs_conn_tuple k;
	struct nlvs_conn *c;
	unsigned int side;

	nlvs_conn_tuple_from_icmp(&k, p);
	c = nlvs_conn_lookup(lw->tab, &k, &side);
	if (!c || !(c->flags & SNAT_CF)) {
		nlvs_lb_drop(w, m, NLVS_DROP_NO_CONN);
		return;
	}
	lb_icmp_forward(lw, m, l3, p, c, side, 1);
}

static int has_ports(const struct nlvs_pkt *p)
{
	return p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ||
	       (p->flags & NLVS_PKT_F_ICMP_ECHO);
}

/* A reply to an egress address, with what its key found. */
void snat_in(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
	     const struct nlvs_pkt *p, struct nlvs_conn *c, unsigned int side)
{
	if (unlikely(!c || side != NLVS_CONN_SIDE_RS || !(c->flags & SNAT_CF))) {
		nlvs_lb_drop(lw->w, m, NLVS_DROP_NO_CONN);	/* scans, late packets */
		return;
	}
	lb_conn_forward(lw, m, l3, p, c, side);
}

/* Replies (and errors) to an egress address. */
static void egress_input(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
			 const struct nlvs_pkt *p)
{
	struct nlvs_worker *w = lw->w;
	unsigned int side, n = nlvs_worker_count();
	struct nlvs_conn_tuple k;
	struct nlvs_conn *c;
	uint16_t port;

	if (p->flags & NLVS_PKT_F_ICMP_ERR)
		port = p->inner.sport;	/* the quoted packet left from it */
	else if (has_ports(p))
		port = p->dport;
	else {
		nlvs_lb_drop(w, m, NLVS_DROP_UNKNOWN_PROTO);
		return;
	}
	if (n > 1) {
		unsigned int owner = nlvs_laddr_port_owner(ntohs(port), n);

		if (owner != nlvs_worker_id(w)) {
			nlvs_worker_handoff(w, owner, m);
			return;
		}
	}
	if (p->flags & NLVS_PKT_F_ICMP_ERR) {
		icmp_error_input(lw, m, l3, p);
		return;
	}
	nlvs_conn_tuple_from_pkt(&k, p);
	c = nlvs_conn_lookup(lw->tab, &k, &side);
	snat_in(lw, m, l3, p, c, side);
}

/* Not ours to translate: route it if allowed. */
static void pass(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3)
{
	if (nlvs_dp.ip_forward)
		nlvs_ip_forward(w, m, l3);
	else
		nlvs_lb_drop(w, m, NLVS_DROP_NOT_FOR_US);
}

static int classify(const struct snat_tab *t, const struct nlvs_l3_info *l3,
		    const struct nlvs_pkt *p, uint32_t *mark)
{
	struct nlvs_snat_key key;

	key.af = p->af;
	key.proto = p->proto;
	key.dport = 0;
	key.in_port = l3->port;
	key.out_port = NLVS_CONF_PORT_ANY;
	key.saddr = p->saddr;
	key.daddr = p->daddr;
	if (nlvs_snat_class_needs_out(t->cls, p->af)) {
		const struct nlvs_route_table *rt = __atomic_load_n(&nlvs_dp.routes,
								    __ATOMIC_ACQUIRE);
		union nlvs_addr nh;
		uint16_t port;

		if (rt && nlvs_route_lookup(rt, p->af, &p->daddr, &port, &nh) == 0)
			key.out_port = port;
	}
	return nlvs_snat_class_match(t->cls, &key, mark);
}

/* Transit traffic with ports, with what its key @k found: an inside
 * host's flow, known or new. */
void snat_out(struct lb_worker *lw, const struct snat_tab *t, struct rte_mbuf *m,
	      const struct nlvs_l3_info *l3, const struct nlvs_pkt *p,
	      const struct nlvs_conn_tuple *k, struct nlvs_conn *c, unsigned int side)
{
	uint32_t mark;
	int ri;

	if (likely(c != NULL) && (c->flags & SNAT_CF)) {
		if (likely(!nlvs_conn_reusable(c, side, p->tcp_flags))) {
			lb_conn_forward(lw, m, l3, p, c, side);
			return;
		}
		lb_conn_kill(lw, c);	/* a new connection from a reused port */
	}
	ri = classify(t, l3, p, &mark);
	if (ri < 0) {
		pass(lw->w, m, l3);
		return;
	}
	conn_create(lw, t, m, l3, p, k, ri, mark);
}

/* Transit traffic: an inside host's flow (known or new), an inside host's
 * ICMP error about a reply we translated, or nothing of ours. */
static void transit_input(struct lb_worker *lw, const struct snat_tab *t, struct rte_mbuf *m,
			  const struct nlvs_l3_info *l3, const struct nlvs_pkt *p)
{
	struct nlvs_worker *w = lw->w;
	struct nlvs_conn_tuple k;
	struct nlvs_conn *c;
	unsigned int side;
	uint32_t mark;
	int ri;

	if (p->flags & NLVS_PKT_F_ICMP_ERR) {
		nlvs_conn_tuple_from_icmp(&k, p);
		c = nlvs_conn_lookup(lw->tab, &k, &side);
		if (c && (c->flags & SNAT_CF))
			icmp_error_input(lw, m, l3, p);
		else
			pass(w, m, l3);
		return;
	}
	if (has_ports(p)) {
		nlvs_conn_tuple_from_pkt(&k, p);
		c = nlvs_conn_lookup(lw->tab, &k, &side);
		snat_out(lw, t, m, l3, p, &k, c, side);
		return;
	}
	ri = classify(t, l3, p, &mark);
	if (ri < 0)
		pass(w, m, l3);
	else	/* marked for SNAT but nothing we can translate: never leak it */
		nlvs_lb_drop(w, m, NLVS_DROP_UNKNOWN_PROTO);
}

void nlvs_snat_input(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3)
{
	struct lb_worker *lw = w->lb;
	const struct snat_tab *t = snat_tab_get();
	struct nlvs_pkt p;

	if (unlikely(!lw || !lw->cfg || !t)) {
		if (l3->kind == NLVS_ADDR_NONE)
			pass(w, m, l3);
		else
			nlvs_lb_drop(w, m, NLVS_DROP_NO_CONN);
		return;
	}
	if (unlikely(nlvs_pkt_parse_checked(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off),
					    l3->l3_len, l3->af, &p) < 0)) {
		nlvs_lb_drop(w, m, p.drop);
		return;
	}
	lw->now_ms = w->now / lw->tsc_per_ms;
	if (l3->kind == NLVS_ADDR_EGRESS)
		egress_input(lw, m, l3, &p);
	else
		transit_input(lw, t, m, l3, &p);
}

/* Burst stage one for transit traffic or traffic to an egress address:
 * parse it and, when the connection lookup decides what happens next,
 * build its key in @k. */
unsigned int snat_classify(struct lb_worker *lw, const struct snat_tab *t, struct rte_mbuf *m,
			   const struct nlvs_l3_info *l3, struct lb_bpkt *b,
			   struct nlvs_conn_tuple *k)
{
	const struct nlvs_pkt *p = &b->p;
	unsigned int n = nlvs_worker_count();

	b->parse_rc = 0;
	if (unlikely(!t))
		return LB_ACT_SNAT_SLOW;
	b->parse_rc = nlvs_pkt_parse_checked(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off),
					     l3->l3_len, l3->af, &b->p);
	if (unlikely(b->parse_rc < 0) || (p->flags & NLVS_PKT_F_ICMP_ERR) || !has_ports(p))
		return LB_ACT_SNAT_SLOW;
	nlvs_conn_tuple_from_pkt(k, p);
	if (l3->kind != NLVS_ADDR_EGRESS)
		return LB_ACT_SNAT_OUT;
	if (n > 1 && nlvs_laddr_port_owner(ntohs(p->dport), n) != nlvs_worker_id(lw->w))
		return LB_ACT_SNAT_SLOW;	/* another worker's port */
	return LB_ACT_SNAT_IN;
}

/* What snat_classify() found no key for. */
void snat_slow(struct lb_worker *lw, const struct snat_tab *t, struct rte_mbuf *m,
	       const struct nlvs_l3_info *l3, const struct lb_bpkt *b)
{
	if (unlikely(!t)) {
		if (l3->kind == NLVS_ADDR_NONE)
			pass(lw->w, m, l3);
		else
			nlvs_lb_drop(lw->w, m, NLVS_DROP_NO_CONN);
	} else if (b->parse_rc < 0) {
		nlvs_lb_drop(lw->w, m, b->p.drop);
	} else if (l3->kind == NLVS_ADDR_EGRESS) {
		egress_input(lw, m, l3, &b->p);
	} else {
		transit_input(lw, t, m, l3, &b->p);
	}
}

int nlvs_snat_conn_release(struct nlvs_worker *w, const struct nlvs_conn *c)
{
	unsigned int e = c->flags >> SNAT_CF_EG_SHIFT, wid = nlvs_worker_id(w);
	union nlvs_addr eg;

	if (!(c->flags & SNAT_CF))
		return 0;
	if (snat_eg && e < SNAT_EGRESS_MAX && snat_eg[e].lp[wid]) {
		eg = nlvs_conn_daddr(c, NLVS_CONN_SIDE_RS);
		nlvs_laddr_port_free(snat_eg[e].lp[wid], &eg, c->side[NLVS_CONN_SIDE_RS].dport);
	}
	return 1;
}
