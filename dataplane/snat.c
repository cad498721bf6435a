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

#define ICMP4_TIME_EXCEEDED	11
#define ICMP6_TIME_EXCEEDED	3

static inline void src_note(struct nlvs_conn *c, unsigned int side, const struct rte_mbuf *m,
			    uint16_t port)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct nlvs_conn_src *s = &c->src[side];

	if (unlikely(s->port != port || memcmp(s->mac, eth->src_addr.addr_bytes, 6))) {
		s->port = port;
		memcpy(s->mac, eth->src_addr.addr_bytes, 6);
	}
}

/* Out the way the other side's packets came in; routed (default route to
 * the upstream router) until the outside has answered. */
static void out(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		const struct nlvs_conn *c, unsigned int side)
{
	const struct nlvs_conn_src *o = &c->src[side ^ 1];

	if (o->mac[0] | o->mac[1] | o->mac[2] | o->mac[3] | o->mac[4] | o->mac[5])
		nlvs_eth_output(w, m, l3->af, o->port, (const struct rte_ether_addr *)o->mac);
	else
		nlvs_ip_route_output(w, m, l3);
}

static void count(struct lb_worker *lw, const struct nlvs_conn *c, unsigned int side,
		  uint32_t bytes)
{
	struct lb_cnt *sc = &lb_wsvc(lw, (uint32_t)(uintptr_t)c->svc)->cnt;
	struct lb_cnt *dc = &lb_wdest(lw, (uint32_t)(uintptr_t)c->dest)->cnt;

	if (side == NLVS_CONN_SIDE_CLIENT) {
		sc->inpkts++;
		sc->inbytes += bytes;
		dc->inpkts++;
		dc->inbytes += bytes;
	} else {
		sc->outpkts++;
		sc->outbytes += bytes;
		dc->outpkts++;
		dc->outbytes += bytes;
	}
}

static int dest_gone(struct lb_worker *lw, const struct nlvs_conn *c)
{
	return lb_wdest(lw, (uint32_t)(uintptr_t)c->dest)->gen != c->dest_gen;
}

static void conn_kill(struct lb_worker *lw, struct nlvs_conn *c)
{
	lb_conn_release(lw, c);
	nlvs_conn_free(lw->tab, c);
}

static void rewrite_failed(struct nlvs_worker *w, struct rte_mbuf *m, int af, int rc)
{
	if (rc == NLVS_DROP_TTL_EXCEEDED)
		nlvs_icmp_error(w, m, af, af == AF_INET ? ICMP4_TIME_EXCEEDED :
			       ICMP6_TIME_EXCEEDED, 0, 0);
	nlvs_lb_drop(w, m, (unsigned int)rc);
}

static void conn_forward(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
			 const struct nlvs_pkt *p, struct nlvs_conn *c, unsigned int side)
{
	struct nlvs_worker *w = lw->w;
	struct nlvs_pkt_rewrite rw;
	int delta, rc;

	if (unlikely(dest_gone(lw, c))) {
		conn_kill(lw, c);
		nlvs_lb_drop(w, m, NLVS_DROP_DEST_GONE);
		return;
	}
	delta = nlvs_conn_state_update(c, side, p->tcp_flags, &lw->cfg->to);
	if (delta)
		nlvs_rs_conn_activate(&lb_wdest(lw, (uint32_t)(uintptr_t)c->dest)->rs, delta > 0);
	nlvs_conn_refresh(lw->tab, c, lw->now_ms);
	src_note(c, side, m, l3->port);
	nlvs_conn_rewrite(c, side, &rw);
	rc = nlvs_fnat_rewrite(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off), p, &rw);
	if (unlikely(rc)) {
		rewrite_failed(w, m, l3->af, rc);
		return;
	}
	nlvs_conn_account(c, side, p->l3_len);
	count(lw, c, side, p->l3_len);
	out(w, m, l3, c, side);
}

/* The fwmark service of rule @ri for family @af in the worker's table. */
static const struct lb_svc *svc_of_rule(const struct lb_worker *lw, const struct snat_tab *t,
					int ri, int af, uint32_t mark)
{
	const struct lb_cfg *cfg = lw->cfg;
	uint32_t s = (unsigned int)ri < t->nrules ? t->rule_svc[af == AF_INET6][ri] : 0;
	uint32_t i;

	if (s && s - 1 < cfg->nsvc) {
		const struct lb_svc *v = &cfg->svcs[s - 1];

		if (v->used && v->fwmark == mark && v->af == af)
			return v;
	}
	if (t->lbcfg == cfg)
		return NULL;
	/* the worker follows a newer lb_cfg than the SNAT table: look it up */
	for (i = 0; i < cfg->nsvc; i++) {
		const struct lb_svc *v = &cfg->svcs[i];

		if (v->used && v->fwmark == mark && v->af == af)
			return v;
	}
	return NULL;
}

/* Persistence (-p): a template per inside host (masked) and mark, sending
 * the host's later flows out of the same egress address, as the kernel's
 * fwmark templates do.  Protocol 0 keeps them apart from FULLNAT ones. */
static void tmpl_key(struct nlvs_conn_tuple *tk, const struct lb_svc *s,
		     const struct nlvs_conn_tuple *k)
{
	union nlvs_addr m;

	memset(&m, 0, sizeof(m));
	m.ip = htonl(s->fwmark);
	nlvs_conn_tuple_template(tk, s->af, 0, &k->saddr, s->plen, &m, 0);
}

static struct nlvs_conn *tmpl_get(struct lb_worker *lw, const struct lb_svc *s,
				  const struct nlvs_conn_tuple *k)
{
	struct nlvs_conn_tuple tk;
	struct nlvs_conn *t;
	unsigned int side;

	tmpl_key(&tk, s, k);
	t = nlvs_conn_lookup(lw->tab, &tk, &side);
	if (t && dest_gone(lw, t)) {
		if (t->n_control)
			return NULL;
		conn_kill(lw, t);
		t = NULL;
	}
	return t;
}

static struct nlvs_conn *tmpl_new(struct lb_worker *lw, const struct lb_svc *s,
				  const struct nlvs_conn_tuple *k, uint32_t dslot,
				  unsigned int *reason)
{
	struct nlvs_conn_tuple tk;
	struct nlvs_conn *t;

	tmpl_key(&tk, s, k);
	t = nlvs_conn_new(lw->tab, &tk, NULL, NLVS_CONN_F_TEMPLATE, s->timeout_ms, lw->now_ms,
			  reason);
	if (!t)
		return NULL;
	t->svc = (void *)(uintptr_t)(s - lw->cfg->svcs);
	t->dest = (void *)(uintptr_t)dslot;
	t->dest_gen = lb_wdest(lw, dslot)->gen;
	nlvs_rs_conn_bind(&lb_wdest(lw, dslot)->rs, 0, 1);
	return t;
}

/* Pick the egress dest of service @s for the flow @k: 0 and *@dslot, or a
 * drop reason. */
static int dest_pick(struct lb_worker *lw, const struct lb_svc *s,
		     const struct nlvs_conn_tuple *k, struct nlvs_conn *tmpl, uint32_t *dslot)
{
	struct lb_wsvc *ws = lb_wsvc(lw, (uint32_t)(s - lw->cfg->svcs));
	struct nlvs_sched_pkt sp;
	struct nlvs_rs *rs;

	if (tmpl) {
		*dslot = (uint32_t)(uintptr_t)tmpl->dest;
		return 0;
	}
	if (unlikely(!ws->live))
		return NLVS_DROP_NO_DEST;
	sp.af = k->af;
	sp.protocol = k->proto;
	sp.saddr = k->saddr;
	sp.daddr = k->daddr;
	sp.sport = k->sport;
	sp.dport = k->dport;
	ws->sch.now_ms = lw->now_ms;
	rs = nlvs_sched_schedule(&ws->sch, &sp);
	if (!rs)
		return NLVS_DROP_NO_DEST;
	*dslot = (uint32_t)(uintptr_t)rs->owner;
	return 0;
}

/* A new flow of an inside host that rule @ri (mark @mark) matched. */
static void conn_create(struct lb_worker *lw, const struct snat_tab *t, struct rte_mbuf *m,
			const struct nlvs_l3_info *l3, const struct nlvs_pkt *p,
			const struct nlvs_conn_tuple *k, int ri, uint32_t mark)
{
	struct nlvs_worker *w = lw->w;
	unsigned int wid = nlvs_worker_id(w), reason;
	struct nlvs_conn *c, *tmpl = NULL;
	struct nlvs_conn_tuple t1;
	const struct lb_dest *d;
	const struct lb_svc *s;
	struct snat_egress *eg;
	uint32_t dslot, flags;
	int e, rc, tmpl_made = 0;

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
		tmpl = tmpl_get(lw, s, k);
	rc = dest_pick(lw, s, k, tmpl, &dslot);
	if (rc) {
		nlvs_lb_drop(w, m, (unsigned int)rc);
		return;
	}
	d = &lw->cfg->dests[dslot];
	if (unlikely(d->fwd != NLVS_FWD_MASQ || d->af != k->af)) {
		nlvs_lb_drop(w, m, NLVS_DROP_FWD_UNSUPPORTED);
		return;
	}
	e = snat_egress_find(t, d->af, &d->addr);
	if (unlikely(e < 0 || !snat_eg[e].lp[wid])) {
		/* an egress address added a moment ago: not published yet */
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
	reason = NLVS_DROP_CONN_TABLE_FULL;
	if (s->flags & NLVS_SVC_F_PERSISTENT && !tmpl) {
		tmpl = tmpl_new(lw, s, k, dslot, &reason);
		if (!tmpl)
			goto fail;
		tmpl_made = 1;
	}
	c = nlvs_conn_new(lw->tab, k, &t1, flags, lw->cfg->to.tcp[NLVS_TCP_S_NONE] * 1000u,
			  lw->now_ms, &reason);
	if (!c)
		goto fail;
	c->svc = (void *)(uintptr_t)(s - lw->cfg->svcs);
	c->dest = (void *)(uintptr_t)dslot;
	c->dest_gen = lb_wdest(lw, dslot)->gen;
	nlvs_rs_conn_bind(&lb_wdest(lw, dslot)->rs, 0, 0);
	if (tmpl) {
		nlvs_conn_set_template(lw->tab, c, tmpl);
		nlvs_conn_refresh(lw->tab, tmpl, lw->now_ms);
	}
	lb_wsvc(lw, (uint32_t)(uintptr_t)c->svc)->cnt.conns++;
	lb_wdest(lw, dslot)->cnt.conns++;
	conn_forward(lw, m, l3, p, c, NLVS_CONN_SIDE_CLIENT);
	return;
fail:
	if (tmpl_made)
		conn_kill(lw, tmpl);
	nlvs_laddr_port_free(eg->lp[wid], &t1.daddr, t1.dport);
	nlvs_lb_drop(w, m, reason);
}

/* An ICMP error quoting a packet of a SNAT connection. */
static void icmp_error_input(struct lb_worker *lw, struct rte_mbuf *m,
			     const struct nlvs_l3_info *l3, const struct nlvs_pkt *p)
{
	struct nlvs_worker *w = lw->w;
	struct nlvs_pkt_rewrite outer, inner;
	struct nlvs_conn_tuple k;
	struct nlvs_conn *c;
	unsigned int side;
	int rc;

	nlvs_conn_tuple_from_icmp(&k, p);
	c = nlvs_conn_lookup(lw->tab, &k, &side);
	if (!c || !(c->flags & SNAT_CF)) {
		nlvs_lb_drop(w, m, NLVS_DROP_NO_CONN);
		return;
	}
	if (unlikely(dest_gone(lw, c))) {
		conn_kill(lw, c);
		nlvs_lb_drop(w, m, NLVS_DROP_DEST_GONE);
		return;
	}
	src_note(c, side, m, l3->port);
	nlvs_conn_icmp_rewrite(c, side, &outer, &inner);
	if (side == NLVS_CONN_SIDE_RS)
		outer.saddr = p->saddr;	/* keep the reporting router */
	rc = nlvs_icmp_xlate(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off), p, &outer, &inner);
	if (unlikely(rc)) {
		rewrite_failed(w, m, l3->af, rc);
		return;
	}
	count(lw, c, side, p->l3_len);
	out(w, m, l3, c, side);
}

static int has_ports(const struct nlvs_pkt *p)
{
	return p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ||
	       (p->flags & NLVS_PKT_F_ICMP_ECHO);
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
	if (!c || side != NLVS_CONN_SIDE_RS || !(c->flags & SNAT_CF)) {
		nlvs_lb_drop(w, m, NLVS_DROP_NO_CONN);	/* scans, late packets */
		return;
	}
	conn_forward(lw, m, l3, p, c, side);
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
	key.pad = 0;
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

/* Transit traffic: an inside host's flow (known or new), or an inside
 * host's ICMP error about a reply we translated. */
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
		if (likely(c != NULL) && (c->flags & SNAT_CF)) {
			conn_forward(lw, m, l3, p, c, side);
			return;
		}
	}
	ri = classify(t, l3, p, &mark);
	if (ri < 0) {
		pass(w, m, l3);
		return;
	}
	if (!has_ports(p)) {
		/* marked for SNAT but nothing we can translate: never leak it */
		nlvs_lb_drop(w, m, NLVS_DROP_UNKNOWN_PROTO);
		return;
	}
	conn_create(lw, t, m, l3, p, &k, ri, mark);
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
	if (unlikely(nlvs_pkt_parse(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off), l3->l3_len,
				    l3->af, &p) < 0)) {
		nlvs_lb_drop(w, m, p.drop);
		return;
	}
	lw->now_ms = w->now / lw->tsc_per_ms;
	if (l3->kind == NLVS_ADDR_EGRESS)
		egress_input(lw, m, l3, &p);
	else
		transit_input(lw, t, m, l3, &p);
}

int nlvs_snat_conn_release(struct nlvs_worker *w, const struct nlvs_conn *c)
{
	unsigned int e = c->flags >> SNAT_CF_EG_SHIFT, wid = nlvs_worker_id(w);

	if (!(c->flags & SNAT_CF))
		return 0;
	if (snat_eg && e < SNAT_EGRESS_MAX && snat_eg[e].lp[wid])
		nlvs_laddr_port_free(snat_eg[e].lp[wid], &c->tuple[1].daddr, c->tuple[1].dport);
	return 1;
}
