// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The packet path of FULLNAT (and classic NAT for VIPs without a local
 * address pool): parse, find the connection under either tuple, and on a
 * hit update its state, rewrite and send it the way the other side's
 * packets came in; on a miss for a VIP schedule a real server (through the
 * persistence template when the service has one) and create the
 * connection.  Return traffic to a local address that landed on a worker
 * that does not own the port is handed to the owner first.
 *
 * Nothing here locks, allocates from shared pools or logs: every drop is
 * counted under its reason.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "lb_priv.h"

#define ICMP4_TIME_EXCEEDED	11
#define ICMP6_TIME_EXCEEDED	3

static inline const struct lb_cfg *cfg_follow(struct lb_worker *lw)
{
	const struct lb_cfg *cfg = lb_cfg_get();

	if (unlikely(cfg != lw->cfg) && cfg)
		lb_worker_sync(lw, cfg);
	return lw->cfg;
}

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

static inline int src_known(const struct nlvs_conn_src *s)
{
	return s->mac[0] | s->mac[1] | s->mac[2] | s->mac[3] | s->mac[4] | s->mac[5];
}

/* Out the way the other side's packets came in, or routed when that side
 * has not sent anything yet (the first packets towards a real server). */
static void lb_output(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		      const struct nlvs_conn *c, unsigned int side)
{
	const struct nlvs_conn_src *o = &c->src[side ^ 1];

	if (src_known(o))
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

static void ttl_exceeded(struct nlvs_worker *w, struct rte_mbuf *m, int af)
{
	nlvs_icmp_error(w, m, af, af == AF_INET ? ICMP4_TIME_EXCEEDED : ICMP6_TIME_EXCEEDED,
			0, 0);
	nlvs_lb_drop(w, m, NLVS_DROP_TTL_EXCEEDED);
}

/* A TCP/UDP packet of connection @c that came from @side. */
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
		if (rc == NLVS_DROP_TTL_EXCEEDED)
			ttl_exceeded(w, m, l3->af);
		else
			nlvs_lb_drop(w, m, (unsigned int)rc);
		return;
	}
	nlvs_conn_account(c, side, p->l3_len);
	count(lw, c, side, p->l3_len);
	lb_output(w, m, l3, c, side);
}

static struct nlvs_conn *tmpl_get(struct lb_worker *lw, const struct lb_svc *s,
				  const struct nlvs_conn_tuple *k)
{
	struct nlvs_conn_tuple tk;
	struct nlvs_conn *t;
	unsigned int side;

	nlvs_conn_tuple_template(&tk, s->af, s->proto, &k->saddr, s->plen, &k->daddr, s->port);
	t = nlvs_conn_lookup(lw->tab, &tk, &side);
	if (t && dest_gone(lw, t)) {
		/* its dest was deleted: the client is scheduled afresh.  A
		 * template controlling connections waits for them to go. */
		if (t->n_control)
			return NULL;
		conn_kill(lw, t);
		t = NULL;
	}
	return t;
}

/* A template for the client of @k bound to @rs, or NULL (table full). */
static struct nlvs_conn *tmpl_new(struct lb_worker *lw, const struct lb_svc *s,
				  const struct nlvs_conn_tuple *k, uint32_t dslot,
				  unsigned int *reason)
{
	struct nlvs_conn_tuple tk;
	struct nlvs_conn *t;

	nlvs_conn_tuple_template(&tk, s->af, s->proto, &k->saddr, s->plen, &k->daddr, s->port);
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

static void conn_create(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
			const struct nlvs_pkt *p, const struct nlvs_conn_tuple *k)
{
	struct nlvs_worker *w = lw->w;
	const struct lb_cfg *cfg = lw->cfg;
	const struct lb_svc *s;
	struct nlvs_conn *c, *tmpl = NULL;
	struct nlvs_conn_tuple t1;
	const struct lb_dest *d;
	struct lb_wsvc *ws;
	struct nlvs_rs *rs;
	uint32_t slot, dslot, flags = NLVS_CONN_F_INACTIVE;
	unsigned int reason = NLVS_DROP_NO_DEST;
	int tmpl_made = 0;

	s = lb_svc_lookup(cfg, k->af, k->proto, &k->daddr, k->dport);
	if (!s)	/* port-zero (all ports) persistent services */
		s = lb_svc_lookup(cfg, k->af, k->proto, &k->daddr, 0);
	if (!s) {
		nlvs_lb_drop(w, m, NLVS_DROP_NO_SERVICE);
		return;
	}
	if (unlikely(p->ttl <= 1)) {
		/* the rewrite would refuse it: no connection for it either */
		ttl_exceeded(w, m, k->af);
		return;
	}
	if (k->proto == IPPROTO_TCP &&
	    (p->tcp_flags & (NLVS_TCP_SYN | NLVS_TCP_ACK | NLVS_TCP_RST)) != NLVS_TCP_SYN) {
		nlvs_lb_drop(w, m, NLVS_DROP_NOT_SYN);
		return;
	}
	slot = (uint32_t)(s - cfg->svcs);
	ws = lb_wsvc(lw, slot);
	if (s->flags & NLVS_SVC_F_PERSISTENT)
		tmpl = tmpl_get(lw, s, k);
	if (tmpl) {
		dslot = (uint32_t)(uintptr_t)tmpl->dest;
	} else {
		struct nlvs_sched_pkt sp;

		if (unlikely(!ws->live)) {
			nlvs_lb_drop(w, m, NLVS_DROP_NO_DEST);
			return;
		}
		sp.af = k->af;
		sp.protocol = k->proto;
		sp.saddr = k->saddr;
		sp.daddr = k->daddr;
		sp.sport = k->sport;
		sp.dport = k->dport;
		ws->sch.now_ms = lw->now_ms;
		rs = nlvs_sched_schedule(&ws->sch, &sp);
		if (!rs) {
			nlvs_lb_drop(w, m, NLVS_DROP_NO_DEST);
			return;
		}
		dslot = (uint32_t)(uintptr_t)rs->owner;
	}
	d = &cfg->dests[dslot];
	if (unlikely(d->fwd != NLVS_FWD_MASQ || d->af != k->af)) {
		nlvs_lb_drop(w, m, NLVS_DROP_FWD_UNSUPPORTED);
		return;
	}
	memset(&t1, 0, sizeof(t1));
	t1.af = k->af;
	t1.proto = k->proto;
	t1.saddr = d->addr;
	t1.sport = s->port ? d->port : (d->port ? d->port : k->dport);
	if (s->pool >= 0 && (unsigned int)s->pool < lw->npools) {
		int rc = nlvs_laddr_port_alloc(lw->lp[s->pool], &t1.daddr, &t1.dport);

		if (rc) {
			nlvs_lb_drop(w, m, (unsigned int)rc);
			return;
		}
		flags |= LB_CF_FNAT | (uint32_t)s->pool << LB_CF_POOL_SHIFT;
	} else {
		/* classic NAT: only the destination changes */
		t1.daddr = k->saddr;
		t1.dport = k->sport;
	}
	if (k->proto == IPPROTO_UDP && (s->flags & NLVS_SVC_F_ONEPACKET))
		flags |= NLVS_CONN_F_ONE_PACKET;
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
	c->svc = (void *)(uintptr_t)slot;
	c->dest = (void *)(uintptr_t)dslot;
	c->dest_gen = lb_wdest(lw, dslot)->gen;
	nlvs_rs_conn_bind(&lb_wdest(lw, dslot)->rs, 0, 0);
	if (tmpl) {
		nlvs_conn_set_template(lw->tab, c, tmpl);
		nlvs_conn_refresh(lw->tab, tmpl, lw->now_ms);
	}
	ws->cnt.conns++;
	lb_wdest(lw, dslot)->cnt.conns++;
	conn_forward(lw, m, l3, p, c, NLVS_CONN_SIDE_CLIENT);
	return;
fail:
	if (tmpl_made)
		conn_kill(lw, tmpl);
	if (flags & LB_CF_FNAT)
		nlvs_laddr_port_free(lw->lp[s->pool], &t1.daddr, t1.dport);
	nlvs_lb_drop(w, m, reason);
}

/* Transit traffic that is not a classic NAT reply: SNAT's, or routed or
 * dropped exactly as L3 input would have done without us. */
static void transit_pass(struct nlvs_worker *w, struct rte_mbuf *m,
			 const struct nlvs_l3_info *l3)
{
	if (nlvs_dp.snat_rules)
		nlvs_snat_input(w, m, l3);
	else if (nlvs_dp.ip_forward)
		nlvs_ip_forward(w, m, l3);
	else
		nlvs_lb_drop(w, m, NLVS_DROP_NOT_FOR_US);
}

/* The hop count of an ICMP error travelling the worker chain (0 when it
 * comes from a port); cleared so that it never leaves with the packet. */
static inline unsigned int hops_take(struct rte_mbuf *m)
{
	if (likely(!(m->ol_flags & lb_hop_flag)))
		return 0;
	m->ol_flags &= ~lb_hop_flag;
	return *RTE_MBUF_DYNFIELD(m, lb_hop_off, uint8_t *);
}

/* Client-side flows live on whichever worker RSS gave the client's packets
 * to, and nothing in an ICMP error about them (or in a classic NAT reply,
 * which carries no local port) names it: ask the next worker.  Ordinary
 * traffic for a VIP never travels.  1 when @m went on, 0 when every worker
 * has looked. */
static int chain_on(struct lb_worker *lw, struct rte_mbuf *m, unsigned int hops)
{
	unsigned int next;

	if (lb_hop_off < 0 ||
	    !lb_chain_next(nlvs_worker_id(lw->w), nlvs_worker_count(), hops, &next))
		return 0;
	*RTE_MBUF_DYNFIELD(m, lb_hop_off, uint8_t *) = (uint8_t)(hops + 1);
	m->ol_flags |= lb_hop_flag;
	nlvs_worker_handoff(lw->w, next, m);
	return 1;
}

/* An ICMP error quoting a packet of one of our connections (or, in transit,
 * perhaps of a classic NAT connection). */
static void icmp_error_input(struct lb_worker *lw, struct rte_mbuf *m,
			     const struct nlvs_l3_info *l3, const struct nlvs_pkt *p)
{
	struct nlvs_worker *w = lw->w;
	struct nlvs_pkt_rewrite outer, inner;
	struct nlvs_conn_tuple k;
	struct nlvs_conn *c;
	unsigned int side;
	int rc;

	if (p->inner.proto != IPPROTO_TCP && p->inner.proto != IPPROTO_UDP) {
		if (l3->kind == NLVS_ADDR_NONE)
			transit_pass(w, m, l3);
		else
			nlvs_lb_drop(w, m, NLVS_DROP_NO_CONN);
		return;
	}
	if (l3->kind == NLVS_ADDR_LADDR && nlvs_worker_count() > 1) {
		/* the quoted packet left from a local port: its owner has the conn */
		unsigned int owner = nlvs_laddr_port_owner(rte_be_to_cpu_16(p->inner.sport),
							   nlvs_worker_count());

		if (owner != nlvs_worker_id(w)) {
			nlvs_worker_handoff(w, owner, m);
			return;
		}
	}
	nlvs_conn_tuple_from_icmp(&k, p);
	c = nlvs_conn_lookup(lw->tab, &k, &side);
	if (c && l3->kind == NLVS_ADDR_NONE && nlvs_snat_conn_is(c)) {
		transit_pass(w, m, l3);
		return;
	}
	if (!c || (c->flags & NLVS_CONN_F_TEMPLATE)) {
		/* local ports name their owner: only VIP and transit errors travel */
		if (l3->kind != NLVS_ADDR_LADDR && chain_on(lw, m, hops_take(m)))
			return;
		if (l3->kind == NLVS_ADDR_NONE)
			transit_pass(w, m, l3);
		else
			nlvs_lb_drop(w, m, NLVS_DROP_NO_CONN);
		return;
	}
	hops_take(m);
	if (unlikely(dest_gone(lw, c))) {
		conn_kill(lw, c);
		nlvs_lb_drop(w, m, NLVS_DROP_DEST_GONE);
		return;
	}
	src_note(c, side, m, l3->port);
	nlvs_conn_icmp_rewrite(c, side, &outer, &inner);
	rc = nlvs_icmp_xlate(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off), p, &outer, &inner);
	if (unlikely(rc)) {
		if (rc == NLVS_DROP_TTL_EXCEEDED)
			ttl_exceeded(w, m, l3->af);
		else
			nlvs_lb_drop(w, m, (unsigned int)rc);
		return;
	}
	count(lw, c, side, p->l3_len);
	lb_output(w, m, l3, c, side);
}

/* Transit traffic while classic NAT services exist: the real servers'
 * replies to clients (their default route leads through us) get their source
 * back to VIP:vport; the rest goes on as if we had not looked. */
static void nat_transit_input(struct lb_worker *lw, struct rte_mbuf *m,
			      const struct nlvs_l3_info *l3)
{
	struct nlvs_worker *w = lw->w;
	struct nlvs_conn_tuple k;
	struct nlvs_conn *c;
	struct nlvs_pkt p;
	unsigned int side;

	if (nlvs_pkt_parse(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off), l3->l3_len, l3->af,
			   &p) < 0) {
		transit_pass(w, m, l3);		/* not ours to judge */
		return;
	}
	lw->now_ms = w->now / lw->tsc_per_ms;
	if (p.flags & NLVS_PKT_F_ICMP_ERR) {
		icmp_error_input(lw, m, l3, &p);
		return;
	}
	if (p.proto != IPPROTO_TCP && p.proto != IPPROTO_UDP) {
		transit_pass(w, m, l3);
		return;
	}
	nlvs_conn_tuple_from_pkt(&k, &p);
	c = nlvs_conn_lookup(lw->tab, &k, &side);
	if (c && side == NLVS_CONN_SIDE_RS && !(c->flags & (NLVS_CONN_F_TEMPLATE | LB_CF_FNAT)) &&
	    !nlvs_snat_conn_is(c)) {
		hops_take(m);
		conn_forward(lw, m, l3, &p, c, side);
		return;
	}
	if (!c && lw->cfg->nat_rs &&
	    lb_nat_rs_is(lw->cfg, p.af, p.proto, &p.saddr, p.sport) &&
	    chain_on(lw, m, hops_take(m)))
		return;
	hops_take(m);
	transit_pass(w, m, l3);
}

void nlvs_lb_input(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3)
{
	struct lb_worker *lw = w->lb;
	struct nlvs_conn_tuple k;
	struct nlvs_conn *c;
	struct nlvs_pkt p;
	unsigned int side;

	if (unlikely(!lw || !cfg_follow(lw))) {
		nlvs_lb_drop(w, m, NLVS_DROP_NO_SERVICE);
		return;
	}
	if (unlikely(l3->kind == NLVS_ADDR_NONE || l3->kind == NLVS_ADDR_EGRESS)) {
		if (l3->kind == NLVS_ADDR_NONE && lw->cfg->nat)
			nat_transit_input(lw, m, l3);
		else
			nlvs_snat_input(w, m, l3);	/* transit and SNAT traffic */
		return;
	}
	if (unlikely(nlvs_pkt_parse(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off), l3->l3_len,
				    l3->af, &p) < 0)) {
		nlvs_lb_drop(w, m, p.drop);
		return;
	}
	lw->now_ms = w->now / lw->tsc_per_ms;
	if (p.proto != IPPROTO_TCP && p.proto != IPPROTO_UDP) {
		if (p.flags & NLVS_PKT_F_ICMP_ERR)
			icmp_error_input(lw, m, l3, &p);
		else
			nlvs_lb_drop(w, m, NLVS_DROP_UNKNOWN_PROTO);
		return;
	}
	if (l3->kind == NLVS_ADDR_LADDR && nlvs_worker_count() > 1) {
		unsigned int owner = nlvs_laddr_port_owner(rte_be_to_cpu_16(p.dport),
							   nlvs_worker_count());

		if (owner != nlvs_worker_id(w)) {
			nlvs_worker_handoff(w, owner, m);
			return;
		}
	}
	nlvs_conn_tuple_from_pkt(&k, &p);
	c = nlvs_conn_lookup(lw->tab, &k, &side);
	if (likely(c != NULL)) {
		conn_forward(lw, m, l3, &p, c, side);
		return;
	}
	if (l3->kind != NLVS_ADDR_VIP) {
		nlvs_lb_drop(w, m, NLVS_DROP_NO_CONN);
		return;
	}
	conn_create(lw, m, l3, &p, &k);
}
