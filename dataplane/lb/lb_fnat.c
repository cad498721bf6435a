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

static void conn_create(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
			const struct nlvs_pkt *p, const struct nlvs_conn_tuple *k)
{
	struct nlvs_worker *w = lw->w;
	const struct lb_cfg *cfg = lw->cfg;
	struct nlvs_conn_tuple t1, tk;
	const struct lb_svc *s;
	const struct lb_dest *d;
	struct nlvs_conn *c, *tmpl;
	uint32_t dslot, flags = NLVS_CONN_F_INACTIVE, laddr = 0;
	const struct nlvs_snat_class *mcls = __atomic_load_n(&lb_mark_cls, __ATOMIC_ACQUIRE);
	unsigned int reason;
	int rc, pool;

	/* as ip_vs_service_find(): a marked packet's fwmark service first */
	s = unlikely(mcls != NULL) ? lb_mark_svc(lw, mcls, l3, k) : NULL;
	if (!s)
		s = lb_svc_lookup(cfg, k->af, k->proto, &k->daddr, k->dport);
	if (!s)	/* port-zero (all ports) persistent services */
		s = lb_svc_lookup(cfg, k->af, k->proto, &k->daddr, 0);
	if (!s) {
		/* an address the kernel holds too: what no service takes is
		 * the host's (ssh to a keepalived VIP) */
		if (!nlvs_host_claim(w, m, k->af, &k->daddr))
			nlvs_lb_drop(w, m, NLVS_DROP_NO_SERVICE);
		return;
	}
	if (k->proto == IPPROTO_TCP &&
	    (p->tcp_flags & (NLVS_TCP_SYN | NLVS_TCP_ACK | NLVS_TCP_RST)) != NLVS_TCP_SYN) {
		nlvs_lb_drop(w, m, NLVS_DROP_NOT_SYN);
		return;
	}
	if (k->proto == IPPROTO_SCTP && p->tcp_flags != NLVS_SCTP_INIT) {
		nlvs_lb_drop(w, m, NLVS_DROP_SCTP_NOT_INIT);	/* the kernel schedules on INIT only */
		return;
	}
	if (s->flags & NLVS_SVC_F_PERSISTENT)
		lb_tmpl_key(&tk, s, k);
	rc = lb_dest_choose(lw, s, k, &tk, &tmpl, &dslot);
	if (rc) {
		nlvs_lb_drop(w, m, (unsigned int)rc);
		return;
	}
	d = lb_cfg_dest(cfg, dslot);
	if (unlikely(k->proto == IPPROTO_SCTP && d->fwd == NLVS_FWD_MASQ)) {
		/* NAT would need the CRC32c recomputed: not done (yet) */
		nlvs_lb_drop(w, m, NLVS_DROP_SCTP_NAT);
		return;
	}
	memset(&t1, 0, sizeof(t1));
	t1.af = k->af;
	t1.proto = k->proto;
	t1.saddr = d->addr;
	t1.sport = s->port ? d->port : (d->port ? d->port : k->dport);
	if (d->fwd != NLVS_FWD_MASQ) {
		/* DR / TUN: the real server answers from VIP:vport to the
		 * client; the listing shows the dest's address */
		t1.saddr = d->addr;
		t1.sport = k->dport;
		t1.daddr = k->saddr;
		t1.dport = k->sport;
		flags |= NLVS_CONN_F_NOOUTPUT |
			 (d->fwd == NLVS_FWD_DROUTE ? LB_CF_DR : LB_CF_TUN);
	} else if ((pool = s->fwmark ? lb_pool_of(cfg, k->af, &k->daddr) : s->pool) >= 0 &&
		   (uint32_t)pool < cfg->pools->n) {
		/* a fwmark service's FULLNAT uses the pool of the packet's VIP */
		const struct lb_pool *pl = &cfg->pools->p[pool];
		unsigned int at;

		/* FULLNAT's rewrite would refuse it: no local port taken and
		 * no connection for it.  (Classic NAT, DR and TUN file the
		 * connection first and then answer "time exceeded", as the
		 * kernel's transmitters do.) */
		if (unlikely(p->ttl <= 1)) {
			lb_rewrite_failed(w, m, k->af, NLVS_DROP_TTL_EXCEEDED);
			return;
		}

		rc = nlvs_laddr_pool_alloc(lw->slice, pl->ids, pl->n,
					   &lw->pool_rr[pool], &at, &t1.dport);
		if (rc) {
			nlvs_lb_drop(w, m, (unsigned int)rc);
			return;
		}
		t1.daddr = pl->addrs[at];
		laddr = pl->ids[at];
		/* its RS-side tuple goes to a local address, never a VIP: it may
		 * be filed at the end of the burst (nlvs_conn_defer_begin) */
		flags |= LB_CF_FNAT | NLVS_CONN_F_FILE_LATER | laddr << LB_CF_LADDR_SHIFT;
	} else {
		/* classic NAT: only the destination changes */
		t1.daddr = k->saddr;
		t1.dport = k->sport;
	}
	if (k->proto == IPPROTO_UDP && (s->flags & NLVS_SVC_F_ONEPACKET))
		flags |= NLVS_CONN_F_ONE_PACKET;
	nlvs_conn_prefetch_insert(lw->tab, &t1);
	c = lb_conn_add(lw, s, k, &t1, flags, dslot, tmpl, &tk, &reason);
	if (!c) {
		if (flags & LB_CF_FNAT)
			nlvs_laddr_slice_free(lw->slice[laddr], t1.dport);
		nlvs_lb_drop(w, m, reason);
		return;
	}
	lb_conn_forward(lw, m, l3, p, c, NLVS_CONN_SIDE_CLIENT);
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
	struct nlvs_conn_tuple k;
	struct nlvs_conn *c;
	unsigned int side;

	if (l3->kind == NLVS_ADDR_PORT) {	/* about a tunnel packet of ours? */
		/* the client's flow names no worker: ask along the chain */
		if (lb_direct_icmp(lw, m, l3, p) && !chain_on(lw, m, hops_take(m)))
			nlvs_lb_drop(w, m, NLVS_DROP_HOST_TRAFFIC);
		return;
	}
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
	lb_icmp_forward(lw, m, l3, p, c, side, 0);
}

/* Burst stage one for a packet to a VIP or local address or, while classic
 * NAT services exist, in transit: parse it and, when the connection
 * lookup decides what happens next, build its key in @k. */
unsigned int lb_fnat_classify(struct lb_worker *lw, struct rte_mbuf *m,
			      const struct nlvs_l3_info *l3, struct lb_bpkt *b,
			      struct nlvs_conn_tuple *k)
{
	const struct nlvs_pkt *p = &b->p;

	b->parse_rc = nlvs_pkt_parse_checked(rte_pktmbuf_mtod_offset(m, void *, l3->l3_off),
					     l3->l3_len, l3->af, &b->p);
	if (unlikely(b->parse_rc < 0) || !lb_proto_ported(p->proto))
		return LB_ACT_FNAT_SLOW;
	if (l3->kind == NLVS_ADDR_NONE) {
		nlvs_conn_tuple_from_pkt(k, p);
		return LB_ACT_NAT;
	}
	if (l3->kind == NLVS_ADDR_LADDR && nlvs_worker_count() > 1 &&
	    nlvs_laddr_port_owner(rte_be_to_cpu_16(p->dport), nlvs_worker_count()) !=
	    nlvs_worker_id(lw->w))
		return LB_ACT_FNAT_SLOW;	/* return traffic of another worker's port */
	nlvs_conn_tuple_from_pkt(k, p);
	return LB_ACT_VIP;
}

/* What lb_fnat_classify() found no key for. */
void lb_fnat_slow(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		  const struct lb_bpkt *b)
{
	struct nlvs_worker *w = lw->w;
	const struct nlvs_pkt *p = &b->p;

	if (l3->kind == NLVS_ADDR_NONE) {
		if (b->parse_rc == 0 && (p->flags & NLVS_PKT_F_ICMP_ERR))
			icmp_error_input(lw, m, l3, p);
		else
			transit_pass(w, m, l3);		/* not ours to judge */
		return;
	}
	if (b->parse_rc < 0)
		nlvs_lb_drop(w, m, p->drop);
	else if (p->flags & NLVS_PKT_F_ICMP_ERR)
		icmp_error_input(lw, m, l3, p);
	else if (!lb_proto_ported(p->proto))
		nlvs_lb_drop(w, m, NLVS_DROP_UNKNOWN_PROTO);
	else
		nlvs_worker_handoff(w, nlvs_laddr_port_owner(rte_be_to_cpu_16(p->dport),
							     nlvs_worker_count()), m);
}

/* A packet to a VIP or local address without a connection. */
void lb_fnat_miss(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		  const struct nlvs_pkt *p, const struct nlvs_conn_tuple *k)
{
	if (l3->kind != NLVS_ADDR_VIP) {
		nlvs_lb_drop(lw->w, m, NLVS_DROP_NO_CONN);
		return;
	}
	conn_create(lw, m, l3, p, k);
}

/* Transit traffic while classic NAT services exist, with connection @c
 * (or NULL) its key found: the real servers' replies to clients (their
 * default route leads through us) get their source back to VIP:vport; the
 * rest goes on as if we had not looked. */
void lb_fnat_nat(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		 const struct nlvs_pkt *p, struct nlvs_conn *c, unsigned int side)
{
	if (c && side == NLVS_CONN_SIDE_RS &&
	    !(c->flags & (NLVS_CONN_F_TEMPLATE | LB_CF_FNAT | LB_CF_DIRECT)) &&
	    !nlvs_snat_conn_is(c)) {
		hops_take(m);
		lb_conn_forward(lw, m, l3, p, c, side);
		return;
	}
	if (!c && lw->cfg->nat_rs.pg &&
	    lb_nat_rs_is(lw->cfg, p->af, p->proto, &p->saddr, p->sport) &&
	    chain_on(lw, m, hops_take(m)))
		return;
	hops_take(m);
	transit_pass(lw->w, m, l3);
}
