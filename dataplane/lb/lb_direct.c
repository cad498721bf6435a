// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Direct routing (-g) and tunnelling (-i): the forwarding methods whose
 * real servers answer the clients themselves, so only the clients' half of
 * a connection passes through us.  What the kernel's ip_vs_dr_xmit() and
 * ip_vs_tunnel_xmit() do, on the packet as it arrived:
 *
 *   DR   route towards the real server, which must be on a directly
 *        attached network (it is its own next hop), TTL / hop limit - 1,
 *        MTU check, new Ethernet header: nothing else changes.
 *   TUN  route towards the real server, TTL - 1, MTU check against the
 *        port's MTU less the tunnel headers ("fragmentation needed" /
 *        "packet too big" with that reduced MTU), then an outer IPv4 or
 *        IPv6 header (+ UDP/GUE or GRE) from the egress port's address,
 *        built by nlvs_tun_encap() (net/tun_encap.c).
 *
 * The method is the connection's (LB_CF_DR / LB_CF_TUN, chosen when it
 * was created); the tunnel's type, port and flags are read from its dest
 * for each packet, as the kernel reads cp->dest.
 *
 * Nothing here locks, allocates from shared pools or logs: every drop is
 * counted under its reason.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "net/nlvs_csum.h"
#include "lb_priv.h"

#define ICMP4_TIME_EXCEEDED	11
#define ICMP6_TIME_EXCEEDED	3
#define ICMP4_DEST_UNREACH	3
#define ICMP4_FRAG_NEEDED	4
#define ICMP6_PACKET_TOO_BIG	2
#define IP4_MIN_MTU		68
#define IP6_MIN_MTU		1280
#define PMTU_MIN		552		/* the kernel's ip_rt_min_pmtu */
#define PMTU_EXPIRES_MS		(600 * 1000)	/* and its ip_rt_mtu_expires */

/* Route to the dest: the port and next hop (a gateway or the dest). */
static int dest_route(const struct lb_dest *d, uint16_t *port, union nlvs_addr *nh)
{
	const struct nlvs_route_table *rt = __atomic_load_n(&nlvs_dp.routes, __ATOMIC_ACQUIRE);

	if (!rt || nlvs_route_lookup(rt, d->af, &d->addr, port, nh) < 0)
		return -1;
	return 0;
}

/* The packet goes on as routed: TTL / hop limit - 1 (IPv4 checksum
 * updated), or "time exceeded" for its sender and 0 when it dies here. */
static int ttl_dec(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3)
{
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, l3->l3_off);

	if (unlikely(l3->ttl <= 1)) {
		nlvs_icmp_error(w, m, l3->af, l3->af == AF_INET ? ICMP4_TIME_EXCEEDED :
				ICMP6_TIME_EXCEEDED, 0, 0);
		nlvs_lb_drop(w, m, NLVS_DROP_TTL_EXCEEDED);
		return 0;
	}
	if (l3->af == AF_INET) {
		uint8_t old[2] = { ip[8], ip[9] };

		ip[8]--;
		nlvs_csum_replace(ip + 10, old, ip + 8, 2);
	} else {
		ip[7]--;
	}
	return 1;
}

/* Too big for the tunnel's @mtu: "fragmentation needed" (IPv4 with DF) or
 * "packet too big" to the client.  The kernel's error leaves through its own
 * LOCAL_OUT hook, where IPVS finds the connection in the quoted packet: it
 * comes from the VIP and counts as an outbound packet of @c (what
 * kernel-topology.sh compares).  1 when @m was dropped. */
static int too_big(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		   const struct nlvs_conn *c, uint16_t mtu)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, l3->l3_off);
	union nlvs_addr vip;
	uint32_t len = 0;

	if (likely(l3->l3_len <= mtu))
		return 0;
	memset(&vip, 0, sizeof(vip));
	if (l3->af == AF_INET6) {
		memcpy(&vip, ip + 24, 16);
		len = nlvs_icmp_error_from(lw->w, m, AF_INET6, ICMP6_PACKET_TOO_BIG, 0, mtu, &vip);
	} else if (ip[6] & 0x40) {	/* DF */
		memcpy(&vip.ip, ip + 16, 4);
		len = nlvs_icmp_error_from(lw->w, m, AF_INET, ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED,
					   mtu, &vip);
	}
	if (len) {
		struct lb_cnt *sc = &lb_wsvc(lw, (uint32_t)(uintptr_t)c->svc)->cnt;
		struct lb_cnt *dc = &lb_wdest(lw, (uint32_t)(uintptr_t)c->dest)->cnt;

		sc->outpkts++;
		sc->outbytes += len;
		dc->outpkts++;
		dc->outbytes += len;
	}
	nlvs_lb_drop(lw->w, m, NLVS_DROP_MTU_EXCEEDED);
	return 1;
}

static void dr_xmit(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		    const struct lb_dest *d)
{
	union nlvs_addr nh;
	uint16_t port;

	if (unlikely(dest_route(d, &port, &nh) < 0)) {
		nlvs_lb_drop(w, m, NLVS_DROP_NO_ROUTE);
		return;
	}
	if (!ttl_dec(w, m, l3) || nlvs_ip_mtu_check(w, m, l3, nlvs_dp.ports[port].mtu))
		return;
	/* the real server itself is the next hop, whatever the route says
	 * (the kernel's "known next hop"): it must be directly attached */
	nlvs_ip_output(w, m, l3->af, port, &d->addr);
}

/* The egress port's own address of family @af: the tunnel's source.
 * Cached per worker until the address table is republished or a port
 * address in it changes (the generation is loaded before the table). */
static int tun_source(struct lb_worker *lw, int af, uint16_t port, union nlvs_addr *src)
{
	unsigned int gen = __atomic_load_n(&nlvs_dp.addrs_port_gen, __ATOMIC_ACQUIRE);
	const struct nlvs_addr_table *t = __atomic_load_n(&nlvs_dp.addrs, __ATOMIC_ACQUIRE);
	unsigned int f = af == AF_INET6;

	if (unlikely(!t))
		return -1;
	if (unlikely(t != lw->tun_src_tab || gen != lw->tun_src_gen)) {
		memset(lw->tun_src_ok, 0, sizeof(lw->tun_src_ok));
		lw->tun_src_tab = t;
		lw->tun_src_gen = gen;
	}
	if (unlikely(!lw->tun_src_ok[f][port])) {
		if (nlvs_addr_port_source(t, af, port, &lw->tun_src[f][port]) < 0)
			return -1;
		lw->tun_src_ok[f][port] = 1;
	}
	*src = lw->tun_src[f][port];
	return 0;
}

/* A flow's hash for the GUE source port, from the client's side of the
 * connection: the same for every packet of it, spread over connections. */
static uint32_t flow_hash(const struct nlvs_conn *c)
{
	const union nlvs_addr sa = nlvs_conn_saddr(c, NLVS_CONN_SIDE_CLIENT),
			      da = nlvs_conn_daddr(c, NLVS_CONN_SIDE_CLIENT);
	const struct nlvs_conn_side *e = &c->side[NLVS_CONN_SIDE_CLIENT];
	uint32_t h = sa.ip6[0] ^ sa.ip6[1] ^ sa.ip6[2] ^ sa.ip6[3];

	h ^= da.ip6[0] ^ da.ip6[1] ^ da.ip6[2] ^ da.ip6[3];
	h ^= ((uint32_t)e->sport << 16 | e->dport) ^ c->proto;
	h *= 0x9e3779b1u;
	return h ^ h >> 15;
}

static struct lb_pmtu *pmtu_slot(struct lb_worker *lw, uint32_t addr)
{
	return &lw->pmtu[(rte_be_to_cpu_32(addr) * 0x61C88647u) >> 26];
}

/* The path MTU towards the real server at IPv4 @addr whose port has
 * @mtu: lower where a router said so in the last 10 minutes. */
static unsigned int pmtu4(struct lb_worker *lw, uint32_t addr, unsigned int mtu)
{
	const struct lb_pmtu *e = pmtu_slot(lw, addr);

	if (unlikely(e->addr == addr) && e->expires_ms > lw->now_ms && e->mtu < mtu)
		return e->mtu;
	return mtu;
}

/* A router's "fragmentation needed" (@mtu) about our outer packet to
 * @addr, whose port has @port_mtu: remember the lower MTU. */
static void pmtu_learn(struct lb_worker *lw, uint32_t addr, unsigned int port_mtu,
		       unsigned int mtu)
{
	struct lb_pmtu *e = pmtu_slot(lw, addr);
	unsigned int cur = pmtu4(lw, addr, port_mtu);

	if (mtu >= cur)
		return;
	if (mtu < PMTU_MIN)
		mtu = cur < PMTU_MIN ? cur : PMTU_MIN;
	e->addr = addr;
	e->mtu = (uint16_t)mtu;
	e->expires_ms = lw->now_ms + PMTU_EXPIRES_MS;
}

static void tun_xmit(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		     const struct lb_dest *d, const struct nlvs_conn *c)
{
	struct nlvs_worker *w = lw->w;
	struct nlvs_tun_encap t;
	unsigned int hlen = nlvs_tun_hlen(d->af, d->tun_type, d->tun_flags);
	union nlvs_addr nh;
	uint16_t port;
	int mtu;
	uint8_t *hdr;

	if (unlikely(dest_route(d, &port, &nh) < 0) || unlikely(tun_source(lw, d->af, port,
									   &t.saddr) < 0)) {
		nlvs_lb_drop(w, m, NLVS_DROP_NO_ROUTE);
		return;
	}
	if (!ttl_dec(w, m, l3))
		return;
	mtu = (int)nlvs_dp.ports[port].mtu;
	if (d->af == AF_INET)
		mtu = (int)pmtu4(lw, d->addr.ip, (unsigned int)mtu);
	mtu -= (int)hlen;
	if (unlikely(mtu < (d->af == AF_INET ? IP4_MIN_MTU : IP6_MIN_MTU))) {
		nlvs_lb_drop(w, m, NLVS_DROP_MTU_EXCEEDED);
		return;
	}
	if (too_big(lw, m, l3, c, (uint16_t)mtu))
		return;
	if (unlikely(!rte_pktmbuf_is_contiguous(m))) {
		nlvs_lb_drop(w, m, NLVS_DROP_TUN_ENCAP);
		return;
	}
	/* the inner packet exactly (no Ethernet padding), then room for the
	 * Ethernet and outer headers in front of it */
	rte_pktmbuf_adj(m, l3->l3_off);
	if (m->data_len > l3->l3_len)
		rte_pktmbuf_trim(m, (uint16_t)(m->data_len - l3->l3_len));
	hdr = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)(RTE_ETHER_HDR_LEN + hlen));
	if (unlikely(!hdr)) {
		nlvs_lb_drop(w, m, NLVS_DROP_TUN_ENCAP);
		return;
	}
	t.af = d->af;
	t.type = d->tun_type;
	t.flags = d->tun_flags;
	t.dport = d->tun_port;
	t.sport = nlvs_tun_gue_sport(flow_hash(c));
	t.id = rte_cpu_to_be_16(lw->tun_id++);
	t.daddr = d->addr;
	if (unlikely(!nlvs_tun_encap(hdr + RTE_ETHER_HDR_LEN, &t, l3->af))) {
		nlvs_lb_drop(w, m, NLVS_DROP_TUN_ENCAP);
		return;
	}
	nlvs_ip_output(w, m, d->af, port, &nh);
}

void lb_direct_xmit(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		    const struct nlvs_conn *c)
{
	const struct lb_dest *d = lb_cfg_dest(lw->cfg, (uint32_t)(uintptr_t)c->dest);

	if (c->flags & LB_CF_DR)
		dr_xmit(lw->w, m, l3, d);
	else
		tun_xmit(lw, m, l3, d, c);
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Bytes of tunnel header after the quoted outer IPv4 header at @off (the
 * IPv4 packet inside must follow), or -1 when it is none of ours. */
static int tun_quoted_hlen(const uint8_t *b, uint32_t off, uint32_t end, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_IPIP:
		return 0;
	case IPPROTO_GRE:
		if (off + 4 > end || rd16(b + off + 2) != 0x0800)
			return -1;
		return b[off] & 0x80 ? 8 : 4;
	case IPPROTO_UDP:	/* GUE version 0 carrying IPv4 */
		if (off + 12 > end || b[off + 8] >> 6 || b[off + 9] != IPPROTO_IPIP)
			return -1;
		return 12 + (b[off + 8] & 0x1f) * 4;
	default:
		return -1;
	}
}

int lb_direct_icmp(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		   const struct nlvs_pkt *p)
{
	const uint8_t *b = rte_pktmbuf_mtod_offset(m, const uint8_t *, l3->l3_off);
	const struct nlvs_pkt_inner *in = &p->inner;
	uint32_t end = (uint32_t)in->l3_off + in->avail, off = in->l4_off, ihl;
	const struct lb_dest *d;
	struct nlvs_conn_tuple k;
	struct nlvs_conn *c;
	unsigned int side, mtu, hlen;
	union nlvs_addr nh;
	uint16_t port;
	const uint8_t *q;
	int thl;

	thl = tun_quoted_hlen(b, off, end, in->proto);
	if (thl < 0 || off + (uint32_t)thl + 20 > end)
		goto host;
	q = b + off + thl;		/* the client's packet, as we sent it on */
	ihl = (q[0] & 0xfu) * 4;
	if (q[0] >> 4 != 4 || ihl < 20 || off + thl + ihl + 4 > end ||
	    !lb_proto_ported(q[9]))
		goto host;
	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.proto = q[9];
	memcpy(&k.saddr.ip, q + 12, 4);
	memcpy(&k.daddr.ip, q + 16, 4);
	memcpy(&k.sport, q + ihl, 2);
	memcpy(&k.dport, q + ihl + 2, 2);
	c = nlvs_conn_lookup(lw->tab, &k, &side);
	if (!c)
		return 1;	/* perhaps another worker's connection */
	if (side != NLVS_CONN_SIDE_CLIENT || !(c->flags & LB_CF_TUN) || lb_dest_gone(lw, c))
		goto host;
	d = lb_cfg_dest(lw->cfg, (uint32_t)(uintptr_t)c->dest);
	if (d->af != AF_INET || !nlvs_addr_equal(AF_INET, &d->addr, &in->daddr))
		goto host;
	mtu = rd16(b + p->l4_off + 6);
	/* learnt for every later packet to that real server, as the
	 * kernel's route cache learns it */
	if (dest_route(d, &port, &nh) == 0)
		pmtu_learn(lw, d->addr.ip, nlvs_dp.ports[port].mtu, mtu);
	/* a client without path MTU discovery fragments by itself: nothing
	 * to tell it (its packets leave without DF, as the kernel's do) */
	if (rd16(q + 6) & 0x4000) {
		hlen = nlvs_tun_hlen(AF_INET, d->tun_type, d->tun_flags);
		if (mtu > IP4_MIN_MTU + hlen)
			mtu -= hlen;
		nlvs_icmp4_error_routed(lw->w, q, end - (off + (uint32_t)thl), &k.daddr,
					3, 4, mtu);
	}
host:
	/* what the kernel passes on to its own stack */
	nlvs_lb_drop(lw->w, m, NLVS_DROP_HOST_TRAFFIC);
	return 0;
}
