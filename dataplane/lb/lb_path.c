// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engines' packet path: bursts in from L3 input, and what the FULLNAT
 * (lb_fnat.c) and SNAT (snat.c) engines share.  A burst is taken in three
 * passes: parse and classify every packet (each engine builds the keys of
 * what a connection lookup decides), one bulk lookup with prefetching for
 * those keys, then each packet finished in arrival order, so a flow's
 * packets keep theirs: hits go straight to the hit path, everything else
 * (new connections, SNAT classification, hand-off, ICMP errors, transit)
 * to its engine.  Finishing a packet may file or free connections; the
 * packets after it are then looked up again, one by one.
 *
 * Shared between the engines: the
 * hit path (state, expiry, rewrite, accounting, "source in, source out"
 * output), the ICMP error translation of a known connection, persistence
 * templates, choosing a dest and filing a new connection.  The engines
 * differ only in how a miss finds its service and new tuple.
 *
 * Nothing here locks, allocates from shared pools or logs: every drop is
 * counted under its reason.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "snat_priv.h"

#define ICMP4_TIME_EXCEEDED	11
#define ICMP6_TIME_EXCEEDED	3

_Static_assert(NLVS_MAX_PORTS <= UINT8_MAX, "a connection's source port id is a byte");

static inline void src_note(struct nlvs_conn *c, unsigned int side, const struct rte_mbuf *m,
			    uint16_t port)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct nlvs_conn_src *s = &c->src[side];

	if (unlikely(s->port != port || memcmp(s->mac, eth->src_addr.addr_bytes, 6))) {
		s->port = (uint8_t)port;
		memcpy(s->mac, eth->src_addr.addr_bytes, 6);
	}
}

/* Has that side of the connection sent anything yet (its MAC noted)? */
static inline int src_known(const struct nlvs_conn_src *s)
{
	return s->mac[0] | s->mac[1] | s->mac[2] | s->mac[3] | s->mac[4] | s->mac[5];
}

/* Out the way the other side's packets came in, or routed when that side
 * has not sent anything yet (the first packets towards a real server, or
 * out of SNAT until the outside has answered). */
static inline void conn_output(struct nlvs_worker *w, struct rte_mbuf *m,
			       const struct nlvs_l3_info *l3, const struct nlvs_conn *c,
			       unsigned int side)
{
	const struct nlvs_conn_src *o = &c->src[side ^ 1];
	struct rte_ether_addr mac;	/* 2-byte aligned; o->mac need not be */

	if (src_known(o)) {
		memcpy(&mac, o->mac, sizeof(mac));
		nlvs_eth_output(w, m, l3->af, o->port, &mac);
	} else {
		nlvs_ip_route_output(w, m, l3);
	}
}

static inline void count(struct lb_worker *lw, const struct nlvs_conn *c, unsigned int side,
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

void lb_conn_kill(struct lb_worker *lw, struct nlvs_conn *c)
{
	lb_conn_release(lw, c);
	nlvs_conn_free(lw->tab, c);
	lw->tab_seq++;
}

void lb_rewrite_failed(struct nlvs_worker *w, struct rte_mbuf *m, int af, int rc)
{
	if (rc == NLVS_DROP_TTL_EXCEEDED)
		nlvs_icmp_error(w, m, af, af == AF_INET ? ICMP4_TIME_EXCEEDED :
			       ICMP6_TIME_EXCEEDED, 0, 0);
	nlvs_lb_drop(w, m, (unsigned int)rc);
}

/* Longer than the MTU of the port it would leave through (the other side's,
 * or routed): the sender hears of it about the packet it sent. */
static int too_big(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		   const struct nlvs_conn *c, unsigned int side)
{
	const struct nlvs_conn_src *o = &c->src[side ^ 1];
	union nlvs_addr to = nlvs_conn_saddr(c, side ^ 1);

	return nlvs_ip_too_big(w, m, l3, src_known(o) ? o->port : NLVS_PORT_ANY, &to);
}

/* DR / TUN: only the client's packets come through us, the state follows
 * them alone (input-only until the real server is ever seen, as the
 * kernel's NOOUTPUT connections) and only inbound is counted.  Anything
 * of the real server's that reaches a VIP is not ours to forward. */
static void direct_forward(struct lb_worker *lw, struct rte_mbuf *m,
			   const struct nlvs_l3_info *l3, const struct nlvs_pkt *p,
			   struct nlvs_conn *c, unsigned int side)
{
	int delta;

	if (unlikely(side != NLVS_CONN_SIDE_CLIENT)) {
		nlvs_lb_drop(lw->w, m, NLVS_DROP_NOT_FOR_US);
		return;
	}
	count(lw, c, side, p->l3_len);
	delta = nlvs_conn_state_update(c, side, p->tcp_flags, &lw->cfg->to);
	if (delta)
		nlvs_rs_conn_activate(&lb_wdest(lw, (uint32_t)(uintptr_t)c->dest)->rs, delta > 0);
	nlvs_conn_refresh(lw->tab, c, lw->now_ms);
	lb_direct_xmit(lw, m, l3, c);
}

void lb_conn_forward(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		     const struct nlvs_pkt *p, struct nlvs_conn *c, unsigned int side)
{
	struct nlvs_worker *w = lw->w;
	struct nlvs_pkt_rewrite rw;
	int delta, rc;

	if (unlikely(lb_dest_gone(lw, c))) {
		lb_conn_kill(lw, c);
		nlvs_lb_drop(w, m, NLVS_DROP_DEST_GONE);
		return;
	}
	if (unlikely(c->flags & LB_CF_DIRECT)) {
		direct_forward(lw, m, l3, p, c, side);
		return;
	}
	if (unlikely(l3->l3_len > nlvs_dp_mtu_min) && too_big(w, m, l3, c, side))
		return;
	delta = nlvs_conn_state_update(c, side, p->tcp_flags, &lw->cfg->to);
	if (delta)
		nlvs_rs_conn_activate(&lb_wdest(lw, (uint32_t)(uintptr_t)c->dest)->rs, delta > 0);
	nlvs_conn_refresh(lw->tab, c, lw->now_ms);
	src_note(c, side, m, l3->port);
	if (likely(!(c->flags & NLVS_CONN_F_INET6))) {
		const struct nlvs_conn_side *o = &c->side[side ^ 1];

		/* nlvs_conn_rewrite()'s values, in registers */
		rc = nlvs_fnat_rewrite4(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off), p,
					o->daddr4, o->saddr4, o->dport, o->sport);
	} else {
		nlvs_conn_rewrite(c, side, &rw);
		rc = nlvs_fnat_rewrite(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off), p, &rw);
	}
	if (unlikely(rc)) {
		lb_rewrite_failed(w, m, l3->af, rc);
		return;
	}
	count(lw, c, side, p->l3_len);
	conn_output(w, m, l3, c, side);
}

void lb_icmp_forward(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		     const struct nlvs_pkt *p, struct nlvs_conn *c, unsigned int side,
		     int keep_reporter)
{
	struct nlvs_worker *w = lw->w;
	struct nlvs_pkt_rewrite outer, inner;
	int rc;

	if (unlikely(lb_dest_gone(lw, c))) {
		lb_conn_kill(lw, c);
		nlvs_lb_drop(w, m, NLVS_DROP_DEST_GONE);
		return;
	}
	if (unlikely(c->flags & LB_CF_DIRECT)) {
		/* about a packet the real server sent from the VIP: it goes to
		 * the real server as it is, by the connection's method */
		if (side != NLVS_CONN_SIDE_CLIENT) {
			nlvs_lb_drop(w, m, NLVS_DROP_NO_CONN);
			return;
		}
		count(lw, c, side, p->l3_len);
		lb_direct_xmit(lw, m, l3, c);
		return;
	}
	src_note(c, side, m, l3->port);
	nlvs_conn_icmp_rewrite(c, side, &outer, &inner);
	if (keep_reporter && side == NLVS_CONN_SIDE_RS)
		outer.saddr = p->saddr;
	rc = nlvs_icmp_xlate(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off), p, &outer, &inner);
	if (unlikely(rc)) {
		lb_rewrite_failed(w, m, l3->af, rc);
		return;
	}
	count(lw, c, side, p->l3_len);
	conn_output(w, m, l3, c, side);
}

struct nlvs_conn *lb_tmpl_get(struct lb_worker *lw, const struct nlvs_conn_tuple *tk)
{
	struct nlvs_conn *t;
	unsigned int side;

	t = nlvs_conn_lookup(lw->tab, tk, &side);
	if (t && lb_dest_gone(lw, t)) {
		/* its dest was deleted: the client is scheduled afresh.  A
		 * template controlling connections waits for them to go. */
		if (nlvs_conn_n_control(lw->tab, t))
			return NULL;
		lb_conn_kill(lw, t);
		t = NULL;
	}
	return t;
}

static struct nlvs_conn *tmpl_new(struct lb_worker *lw, const struct lb_svc *s,
				  const struct nlvs_conn_tuple *tk, uint32_t dslot,
				  unsigned int *reason)
{
	struct nlvs_conn *t;

	t = nlvs_conn_new(lw->tab, tk, NULL, NLVS_CONN_F_TEMPLATE, s->timeout_ms, lw->now_ms,
			  reason);
	if (!t)
		return NULL;
	t->svc = s->slot;
	t->dest = (uint32_t)dslot;
	t->dest_gen = lb_wdest(lw, dslot)->gen;
	nlvs_rs_conn_bind(&lb_wdest(lw, dslot)->rs, 0, 1);
	return t;
}

int lb_dest_choose(struct lb_worker *lw, const struct lb_svc *s, const struct nlvs_conn_tuple *k,
		   const struct nlvs_conn_tuple *tk, struct nlvs_conn **tmpl, uint32_t *dslot)
{
	struct lb_wsvc *ws = lb_wsvc(lw, s->slot);
	const struct lb_dest *d;

	*tmpl = s->flags & NLVS_SVC_F_PERSISTENT ? lb_tmpl_get(lw, tk) : NULL;
	if (*tmpl) {
		*dslot = (uint32_t)(uintptr_t)(*tmpl)->dest;
	} else {
		struct nlvs_sched_pkt sp;
		struct nlvs_rs *rs;

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
	}
	d = lb_cfg_dest(lw->cfg, *dslot);
	/* as the kernel allows: only tunnels may cross families */
	if (likely(d->fwd == NLVS_FWD_MASQ || d->fwd == NLVS_FWD_DROUTE) ?
	    unlikely(d->af != k->af) : d->fwd != NLVS_FWD_TUNNEL)
		return NLVS_DROP_FWD_UNSUPPORTED;
	return 0;
}

struct nlvs_conn *lb_conn_add(struct lb_worker *lw, const struct lb_svc *s,
			      const struct nlvs_conn_tuple *k, const struct nlvs_conn_tuple *t1,
			      uint32_t flags, uint32_t dslot, struct nlvs_conn *tmpl,
			      const struct nlvs_conn_tuple *tk, unsigned int *reason)
{
	struct lb_wdest *wd = lb_wdest(lw, dslot);
	struct nlvs_conn *c;
	int tmpl_made = 0;

	if (s->flags & NLVS_SVC_F_PERSISTENT && !tmpl) {
		tmpl = tmpl_new(lw, s, tk, dslot, reason);
		if (!tmpl)
			return NULL;
		tmpl_made = 1;
	}
	c = nlvs_conn_new(lw->tab, k, t1, flags, lw->cfg->to.tcp[NLVS_TCP_S_NONE] * 1000u,
			  lw->now_ms, reason);
	if (!c) {
		if (tmpl_made)
			lb_conn_kill(lw, tmpl);
		return NULL;
	}
	lw->tab_seq++;
	c->svc = s->slot;
	c->dest = (uint32_t)dslot;
	c->dest_gen = wd->gen;
	nlvs_rs_conn_bind(&wd->rs, 0, 0);
	if (tmpl) {
		nlvs_conn_set_template(lw->tab, c, tmpl);
		nlvs_conn_refresh(lw->tab, tmpl, lw->now_ms);
	}
	lb_wsvc(lw, (uint32_t)(uintptr_t)c->svc)->cnt.conns++;
	wd->cnt.conns++;
	return c;
}

_Static_assert(NLVS_BURST <= NLVS_CONN_BULK_MAX, "a burst is looked up at once");

static inline void pkt_finish(struct lb_worker *lw, const struct snat_tab *t,
			      struct rte_mbuf *m, const struct nlvs_l3_info *l3,
			      const struct lb_bpkt *b, const struct nlvs_conn_tuple *k,
			      struct nlvs_conn *c, unsigned int side)
{
	switch (b->act) {
	case LB_ACT_VIP:
		if (unlikely(c != NULL && nlvs_conn_reusable(c, side, b->p.tcp_flags))) {
			lb_conn_kill(lw, c);	/* a new connection from a reused port */
			c = NULL;
		}
		if (likely(c != NULL))
			lb_conn_forward(lw, m, l3, &b->p, c, side);
		else
			lb_fnat_miss(lw, m, l3, &b->p, k);
		break;
	case LB_ACT_SNAT_OUT:
		snat_out(lw, t, m, l3, &b->p, k, c, side);
		break;
	case LB_ACT_SNAT_IN:
		snat_in(lw, m, l3, &b->p, c, side);
		break;
	case LB_ACT_NAT:
		lb_fnat_nat(lw, m, l3, &b->p, c, side);
		break;
	case LB_ACT_FNAT_SLOW:
		lb_fnat_slow(lw, m, l3, b);
		break;
	default:
		snat_slow(lw, t, m, l3, b);
	}
}

/* At most NLVS_BURST packets. */
static void burst_input(struct lb_worker *lw, struct rte_mbuf **ms,
			const struct nlvs_l3_info *l3s, unsigned int n)
{
	const struct snat_tab *t = snat_tab_get();
	struct nlvs_conn_tuple keys[NLVS_BURST];
	struct nlvs_conn *conns[NLVS_BURST];
	uint8_t sides[NLVS_BURST], ki[NLVS_BURST];
	struct lb_bpkt b[NLVS_BURST];
	unsigned int i, nk = 0;
	uint64_t seq;

	lw->now_ms = lw->w->now / lw->tsc_per_ms;
	for (i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod_offset(ms[i], void *, l3s[i].l4_off));
	for (i = 0; i < n; i++) {
		const struct nlvs_l3_info *l3 = &l3s[i];

		/* transit goes to SNAT unless classic NAT replies may be in it */
		if (l3->kind == NLVS_ADDR_NONE ? !lw->cfg->nat : l3->kind == NLVS_ADDR_EGRESS)
			b[i].act = snat_classify(lw, t, ms[i], l3, &b[i], &keys[nk]);
		else
			b[i].act = lb_fnat_classify(lw, ms[i], l3, &b[i], &keys[nk]);
		if (b[i].act >= LB_ACT_KEYED)
			ki[i] = (uint8_t)nk++;
	}
	if (nk)
		nlvs_conn_lookup_bulk(lw->tab, keys, nk, conns, sides);
	seq = lw->tab_seq;
	/* new connections' real-server tuples are filed after the burst: their
	 * buckets, prefetched at creation, have arrived by then */
	nlvs_conn_defer_begin(lw->tab);
	for (i = 0; i < n; i++) {
		struct nlvs_conn *c = NULL;
		const struct nlvs_conn_tuple *k = NULL;
		unsigned int side = 0;

		if (b[i].act >= LB_ACT_KEYED) {
			k = &keys[ki[i]];
			if (likely(lw->tab_seq == seq)) {
				c = conns[ki[i]];
				side = sides[ki[i]];
			} else if (l3s[i].kind == NLVS_ADDR_VIP) {
				/* a client's: this burst's new real-server
				 * tuples may stay pending (nlvs_conn.h) */
				c = nlvs_conn_lookup_nopend(lw->tab, k, &side);
			} else {
				c = nlvs_conn_lookup(lw->tab, k, &side);
			}
		}
		pkt_finish(lw, t, ms[i], &l3s[i], &b[i], k, c, side);
	}
	nlvs_conn_defer_end(lw->tab);
}

void nlvs_lb_input_burst(struct nlvs_worker *w, struct rte_mbuf **ms,
			 const struct nlvs_l3_info *l3s, unsigned int n)
{
	struct lb_worker *lw = w->lb;
	unsigned int i;

	if (unlikely(!lw || !lb_worker_follow(lw))) {
		for (i = 0; i < n; i++)
			nlvs_lb_drop(w, ms[i], NLVS_DROP_NO_SERVICE);
		return;
	}
	for (i = 0; i < n; i += NLVS_BURST)
		burst_input(lw, ms + i, l3s + i, RTE_MIN(n - i, (unsigned int)NLVS_BURST));
}

void nlvs_lb_input(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3)
{
	nlvs_lb_input_burst(w, &m, l3, 1);
}
