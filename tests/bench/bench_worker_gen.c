// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_worker's traffic: frames written into the worker's RX bursts by an
 * ethdev RX callback, and the worker's output checked by a TX callback.
 * Both run on the worker lcore, inside the dataplane's own loop; the time
 * they take is added to aux_cycles so the figures leave it out.
 *
 * A flow's index travels in the first four payload bytes, which FULLNAT
 * does not touch, so the TX side knows which flow every output frame
 * belongs to and can check the whole rewrite against what it expects.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "bench_worker.h"

#define TCP_FIN	0x01
#define TCP_SYN	0x02
#define TCP_PSH	0x08
#define TCP_ACK	0x10
#define L3_LEN	(BW_FRAME_LEN - (int)sizeof(struct rte_ether_hdr))
#define MAGIC	0x6e6c		/* "nl": payload bytes 4-5 */

#define ND_NA	136

struct hook {
	struct bw_run *run;
	int side;
	unsigned int q;			/* queue, so worker */
};

static struct hook hooks[BW_QUEUES][BW_SIDES];

/* IPv6 addresses: 2001:db8:N::/64 with the host number in the last 4 bytes */
#define NET6_CLIENT	0x100		/* clients 2001:db8:100::i+1 */
#define NET6_VIP	0x2		/* VIP 2001:db8:2::10 */
#define NET6_RS		0x3		/* RS j 2001:db8:3::(10 + j), port 2001:db8:3::1 */
#define NET6_LADDR	0x4		/* local address k 2001:db8:4::(1 + k) */

void bw_addr6(uint8_t *a, unsigned int net, uint32_t host)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[4] = (uint8_t)(net >> 8);
	a[5] = (uint8_t)net;
	a[12] = (uint8_t)(host >> 24);
	a[13] = (uint8_t)(host >> 16);
	a[14] = (uint8_t)(host >> 8);
	a[15] = (uint8_t)host;
}

static uint32_t host6(const uint8_t *a, unsigned int net)
{
	uint8_t want[16];
	uint32_t h;

	bw_addr6(want, net, 0);
	if (memcmp(a, want, 12))
		return UINT32_MAX;
	memcpy(&h, a + 12, 4);
	return rte_be_to_cpu_32(h);
}

/* The router in front of the clients and the real servers' own MACs. */
static void mac_of(struct rte_ether_addr *a, int side, unsigned int rs)
{
	static const uint8_t base[6] = { 0x02, 0, 0, 0, 0, 0 };

	memcpy(a->addr_bytes, base, 6);
	a->addr_bytes[4] = side == BW_SIDE_CLIENT ? 1 : 2;
	a->addr_bytes[5] = side == BW_SIDE_CLIENT ? 0 : (uint8_t)rs;
}

static inline uint32_t client_ip(uint32_t i)
{
	return BW_CLIENT_NET + i;
}

static inline uint16_t client_port(uint32_t i)
{
	return (uint16_t)(BW_CPORT_BASE + (i & 0x7fff));
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The real server a SNAT flow goes to: the inside host picks it. */
static inline unsigned int snat_rs(uint32_t i)
{
	return i % BW_NRS;
}

static void tcp_fill(struct rte_tcp_hdr *th, uint32_t i, uint8_t flags)
{
	uint8_t *data = (uint8_t *)(th + 1);
	uint16_t magic = RTE_BE16(MAGIC);

	th->sent_seq = rte_cpu_to_be_32(i);
	th->recv_ack = (flags & TCP_ACK) ? rte_cpu_to_be_32(i + 1) : 0;
	th->data_off = 5 << 4;
	th->tcp_flags = flags;
	th->rx_win = RTE_BE16(65535);
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(data, &i, 4);
	memcpy(data + 4, &magic, 2);
}

/* The fixed part of frame i's IPv4 header (TCP, DF, no options); the
 * addresses and the checksum are the caller's. */
static void ip4_fill(struct rte_ipv4_hdr *ip, uint32_t i)
{
	ip->version_ihl = 0x45;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(L3_LEN);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)i);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->hdr_checksum = 0;
}

static void tcp_frame6(struct rte_mbuf *m, int side, uint32_t i, uint8_t flags,
		       const struct bw_run *r)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	const struct bw_flow *f = &r->flow[i];

	eth->dst_addr = r->port_mac[side];
	mac_of(&eth->src_addr, side, side == BW_SIDE_RS ? f->rs : 0);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(BW_FRAME6_LEN - 14 - 40);
	ip->proto = IPPROTO_TCP;
	ip->hop_limits = 64;
	if (side == BW_SIDE_CLIENT) {
		bw_addr6(ip->src_addr, NET6_CLIENT, i + 1);
		bw_addr6(ip->dst_addr, NET6_VIP, 0x10);
		th->src_port = rte_cpu_to_be_16(client_port(i));
		th->dst_port = RTE_BE16(BW_VPORT);
	} else {
		bw_addr6(ip->src_addr, NET6_RS, BW_RS_FIRST + f->rs);
		bw_addr6(ip->dst_addr, NET6_LADDR, 1u + f->laddr);
		th->src_port = RTE_BE16(BW_RPORT);
		th->dst_port = rte_cpu_to_be_16(f->lport);
	}
	tcp_fill(th, i, flags);
	th->cksum = rte_ipv6_udptcp_cksum(ip, th);
	m->data_len = BW_FRAME6_LEN;
	m->pkt_len = BW_FRAME6_LEN;
}

static void tcp_frame(struct rte_mbuf *m, int side, uint32_t i, uint8_t flags,
		      const struct bw_run *r)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	const struct bw_flow *f = &r->flow[i];

	if (r->mode == BW_M_FNAT6) {
		tcp_frame6(m, side, i, flags, r);
		return;
	}
	eth->dst_addr = r->port_mac[side];
	mac_of(&eth->src_addr, side, side == BW_SIDE_RS ? f->rs : 0);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip4_fill(ip, i);
	if (side == BW_SIDE_CLIENT) {
		ip->src_addr = rte_cpu_to_be_32(client_ip(i));
		if (r->mode == BW_M_SNAT4) {
			ip->dst_addr = rte_cpu_to_be_32(BW_RS_NET + BW_RS_FIRST + snat_rs(i));
			th->dst_port = RTE_BE16(BW_RPORT);
		} else {
			ip->dst_addr = RTE_BE32(BW_VIP);
			th->dst_port = RTE_BE16(BW_VPORT);
		}
		th->src_port = rte_cpu_to_be_16(client_port(i));
	} else {
		ip->src_addr = rte_cpu_to_be_32(BW_RS_NET + BW_RS_FIRST + f->rs);
		ip->dst_addr = rte_cpu_to_be_32(r->laddr_base + f->laddr);
		th->src_port = RTE_BE16(BW_RPORT);
		th->dst_port = rte_cpu_to_be_16(f->lport);
	}
	tcp_fill(th, i, flags);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	m->data_len = BW_FRAME_LEN;
	m->pkt_len = BW_FRAME_LEN;
}

/* Plain forwarding: client i to real server i % 16 directly, no service
 * there, so the path is parse, route lookup, neighbour, MAC rewrite. */
static void fwd_frame(struct rte_mbuf *m, uint32_t i, const struct bw_run *r)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	eth->dst_addr = r->port_mac[BW_SIDE_CLIENT];
	mac_of(&eth->src_addr, BW_SIDE_CLIENT, 0);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip4_fill(ip, i);
	ip->src_addr = rte_cpu_to_be_32(client_ip(i));
	ip->dst_addr = rte_cpu_to_be_32(BW_RS_NET + BW_RS_FIRST + i % BW_NRS);
	th->src_port = rte_cpu_to_be_16(client_port(i));
	th->dst_port = RTE_BE16(BW_RPORT);
	tcp_fill(th, i, TCP_ACK | TCP_PSH);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	m->data_len = BW_FRAME_LEN;
	m->pkt_len = BW_FRAME_LEN;
}

/* An unsolicited neighbour advertisement from real server @rs (IPv6). */
static void na_frame(struct rte_mbuf *m, unsigned int rs, const struct bw_run *r)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	uint8_t *na = (uint8_t *)(ip + 1);
	uint16_t ck;

	memset(eth, 0, 14 + 40 + 32);
	eth->dst_addr = r->port_mac[BW_SIDE_RS];
	mac_of(&eth->src_addr, BW_SIDE_RS, rs);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = RTE_BE16(32);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = 255;
	bw_addr6(ip->src_addr, NET6_RS, BW_RS_FIRST + rs);
	bw_addr6(ip->dst_addr, NET6_RS, 1);
	na[0] = ND_NA;
	na[4] = 0x20;			/* override */
	bw_addr6(na + 8, NET6_RS, BW_RS_FIRST + rs);
	na[24] = 2;			/* target link-layer address, 8 bytes */
	na[25] = 1;
	memcpy(na + 26, eth->src_addr.addr_bytes, 6);
	ck = rte_ipv6_udptcp_cksum(ip, na);
	memcpy(na + 2, &ck, 2);
	m->data_len = 14 + 40 + 32;
	m->pkt_len = m->data_len;
}

/* An ARP reply from real server @rs to the RS port's address: the way a
 * neighbour becomes known, through the same input path as everything. */
static void arp_frame(struct rte_mbuf *m, unsigned int rs, const struct bw_run *r)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	memset(eth, 0, BW_FRAME_LEN);
	eth->dst_addr = r->port_mac[BW_SIDE_RS];
	mac_of(&eth->src_addr, BW_SIDE_RS, rs);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_sha = eth->src_addr;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(BW_RS_NET + BW_RS_FIRST + rs);
	arp->arp_data.arp_tha = r->port_mac[BW_SIDE_RS];
	arp->arp_data.arp_tip = RTE_BE32(BW_RS_PORT_ADDR);
	m->data_len = BW_FRAME_LEN;
	m->pkt_len = BW_FRAME_LEN;
}

/* The queue's next flow in order, and a random one of its flows. */
static inline uint32_t flow_next(struct bw_gen *g)
{
	return g->off + g->next++ * g->stride;
}

static inline uint32_t flow_random(struct bw_gen *g)
{
	return g->off + (uint32_t)(xorshift(&g->rng) % g->count) * g->stride;
}

static void frame_make(struct bw_run *r, struct bw_gen *g, int side, struct rte_mbuf *m)
{
	switch (g->kind) {
	case BW_ARP:
		if (r->mode == BW_M_FNAT6)
			na_frame(m, g->next++ % BW_NRS, r);
		else
			arp_frame(m, g->next++ % BW_NRS, r);
		return;
	case BW_SYN:
		tcp_frame(m, side, flow_next(g), TCP_SYN, r);
		return;
	case BW_SYNACK:
		tcp_frame(m, side, flow_next(g), TCP_SYN | TCP_ACK, r);
		return;
	case BW_ACK:
		tcp_frame(m, side, flow_next(g), TCP_ACK, r);
		return;
	case BW_FWD:
		fwd_frame(m, flow_random(g), r);
		return;
	default:
		tcp_frame(m, side, flow_random(g), TCP_ACK | TCP_PSH, r);
		return;
	}
}

/* The client port's callback runs first in every loop turn: on each of
 * the phase's queues it opens that queue's time window and closes it once
 * everything was sent and the previous turn (processing and TX flush) is
 * over.  Other workers' queues get nothing. */
static uint16_t rx_hook(uint16_t port_id, uint16_t queue, struct rte_mbuf *pkts[],
			uint16_t nb, uint16_t max, void *arg)
{
	struct hook *h = arg;
	struct bw_run *r = h->run;
	struct bw_wstat *ws = &r->ws[h->q];
	struct bw_gen *g = &ws->gen[h->side];
	uint64_t act = __atomic_load_n(&r->active, __ATOMIC_ACQUIRE), t0, t1;
	unsigned int i, n;

	(void)port_id;
	(void)queue;
	if (!(act & (1u << h->q)) || ws->finished == act)
		return nb;
	t0 = rte_rdtsc();
	if (h->side == BW_SIDE_CLIENT) {
		if (!ws->started) {
			ws->started = 1;
			ws->cpu_start = thread_cpu_ns();
			ws->t_start = rte_rdtsc();
		} else if (!ws->gen[BW_SIDE_CLIENT].todo && !ws->gen[BW_SIDE_RS].todo) {
			ws->t_end = t0;
			ws->cpu_end = thread_cpu_ns();
			ws->finished = act;
			__atomic_fetch_add(&r->done, 1, __ATOMIC_RELEASE);
			return nb;
		}
	} else if (!ws->started) {
		return nb;	/* the window opens at the top of a turn */
	}
	n = (unsigned int)(max - nb);
	if (g->todo < n)
		n = (unsigned int)g->todo;
	/* frames for another worker: no more than its hand-off ring takes
	 * (a NIC queue would back up the same way) */
	if (ws->pace) {
		/* read once: the owner keeps draining it meanwhile */
		unsigned int room = rte_ring_free_count(ws->pace);

		room = room > nb ? room - nb : 0;
		if (room < n)
			n = room;
	}
	if (!n)
		return nb;
	/* a NIC driver refills its ring from the pool: that part is the
	 * dataplane's cost, so it stays outside aux_cycles */
	if (rte_pktmbuf_alloc_bulk(r->mp[h->q], pkts + nb, n) < 0) {
		ws->no_mbuf++;
		return nb;
	}
	t0 = rte_rdtsc();
	for (i = 0; i < n; i++)
		frame_make(r, g, h->side, pkts[nb + i]);
	g->todo -= n;
	ws->rx_frames += n;
	t1 = rte_rdtsc();
	ws->aux_cycles += t1 - t0;
	return (uint16_t)(nb + n);
}

static int fail(struct bw_wstat *ws, uint32_t i, const char *what)
{
	if (!ws->tx_bad++)
		snprintf(ws->why, sizeof(ws->why), "flow %u: %s", i, what);
	return -1;
}

static int l4_csum_ok(struct rte_ipv4_hdr *ip, struct rte_tcp_hdr *th)
{
	uint16_t got = th->cksum, want;

	th->cksum = 0;
	want = rte_ipv4_udptcp_cksum(ip, th);
	th->cksum = got;
	return got == want;
}

/* Headers of an output frame, whatever the family: addresses as indices
 * into our address plan (client i, RS j, local or egress address k). */
struct seen_hdr {
	uint32_t flow;
	uint32_t sa, da;		/* IPv4 host order; IPv6 the host part */
	uint16_t sport, dport;		/* host order */
};

/* IPv4: parse and check what every output frame must satisfy. */
static int frame4(struct bw_wstat *ws, struct rte_mbuf *m, struct seen_hdr *o)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	const uint8_t *data = (const uint8_t *)(th + 1);
	uint16_t magic;

	if (m->data_len != BW_FRAME_LEN || ip->next_proto_id != IPPROTO_TCP)
		return fail(ws, 0, "an IPv4 frame that is not one of ours");
	memcpy(&o->flow, data, 4);
	memcpy(&magic, data + 4, 2);
	if (magic != RTE_BE16(MAGIC))
		return fail(ws, o->flow, "payload changed");
	if (rte_ipv4_cksum(ip) != 0)
		return fail(ws, o->flow, "bad IP header checksum");
	if (!l4_csum_ok(ip, th))
		return fail(ws, o->flow, "bad TCP checksum");
	if (ip->time_to_live != 63)
		return fail(ws, o->flow, "TTL not decremented once");
	o->sa = rte_be_to_cpu_32(ip->src_addr);
	o->da = rte_be_to_cpu_32(ip->dst_addr);
	o->sport = rte_be_to_cpu_16(th->src_port);
	o->dport = rte_be_to_cpu_16(th->dst_port);
	return 0;
}

static int frame6(struct bw_wstat *ws, struct rte_mbuf *m, int side, struct seen_hdr *o)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	const uint8_t *data = (const uint8_t *)(th + 1);
	uint16_t magic, got = th->cksum, want;

	if (m->data_len != BW_FRAME6_LEN || ip->proto != IPPROTO_TCP)
		return fail(ws, 0, "an IPv6 frame that is not one of ours");
	memcpy(&o->flow, data, 4);
	memcpy(&magic, data + 4, 2);
	if (magic != RTE_BE16(MAGIC))
		return fail(ws, o->flow, "payload changed");
	th->cksum = 0;
	want = rte_ipv6_udptcp_cksum(ip, th);
	th->cksum = got;
	if (got != want)
		return fail(ws, o->flow, "bad TCP checksum");
	if (ip->hop_limits != 63)
		return fail(ws, o->flow, "hop limit not decremented once");
	if (side == BW_SIDE_CLIENT) {
		o->sa = host6(ip->src_addr, NET6_VIP) == 0x10 ? BW_VIP : 0;
		o->da = host6(ip->dst_addr, NET6_CLIENT) - 1;
		o->da = o->da < BW_MAX_FLOWS ? client_ip(o->da) : 0;
	} else {
		o->sa = host6(ip->src_addr, NET6_LADDR) - 1 + BW_LADDR_BASE;
		o->da = host6(ip->dst_addr, NET6_RS) + BW_RS_NET;
	}
	o->sport = rte_be_to_cpu_16(th->src_port);
	o->dport = rte_be_to_cpu_16(th->dst_port);
	return 0;
}

/* One frame the worker sent out of @side's port. */
static int frame_check(struct bw_run *r, struct bw_wstat *ws, int side, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr want_mac;
	struct bw_flow *f, seen;
	struct seen_hdr o;
	uint32_t i;
	int rc;

	rc = r->mode == BW_M_FNAT6 ? frame6(ws, m, side, &o) : frame4(ws, m, &o);
	if (rc < 0)
		return rc;
	i = o.flow;
	if (i >= r->flows)
		return fail(ws, i, "payload changed");
	if (!rte_is_same_ether_addr(&eth->src_addr, &r->port_mac[side]))
		return fail(ws, i, "source MAC is not the port's");
	f = &r->flow[i];
	if (side == BW_SIDE_CLIENT) {
		/* RS -> client: from what the client sent to, to the client,
		 * to the router's MAC */
		mac_of(&want_mac, BW_SIDE_CLIENT, 0);
		if (r->mode == BW_M_SNAT4) {
			if (o.sa != BW_RS_NET + BW_RS_FIRST + snat_rs(i) || o.sport != BW_RPORT)
				return fail(ws, i, "reply not from the server the host sent to");
		} else if (o.sa != BW_VIP || o.sport != BW_VPORT) {
			return fail(ws, i, "reply not from VIP:80");
		}
		if (o.da != client_ip(i) || o.dport != client_port(i))
			return fail(ws, i, "reply not to the client");
		if (!rte_is_same_ether_addr(&eth->dst_addr, &want_mac))
			return fail(ws, i, "reply not to the MAC it came from");
		return 0;
	}
	/* client -> RS: from a local (egress) address and port to a real server */
	if (o.sa - r->laddr_base >= r->nladdr)
		return fail(ws, i, "source is not a local address");
	if (o.da - (BW_RS_NET + BW_RS_FIRST) >= BW_NRS || o.dport != BW_RPORT)
		return fail(ws, i, "destination is not a real server:8080");
	seen.lport = o.sport;
	seen.laddr = (uint8_t)(o.sa - r->laddr_base);
	seen.rs = (uint8_t)(o.da - (BW_RS_NET + BW_RS_FIRST));
	if (r->mode == BW_M_SNAT4 && seen.rs != snat_rs(i))
		return fail(ws, i, "SNAT changed the destination");
	mac_of(&want_mac, BW_SIDE_RS, seen.rs);
	if (!rte_is_same_ether_addr(&eth->dst_addr, &want_mac))
		return fail(ws, i, "not sent to the real server's MAC");
	if (r->tx_mode == BW_TX_LEARN) {
		if (f->lport)
			return fail(ws, i, "a second SYN");
		*f = seen;
		return 0;
	}
	if (memcmp(f, &seen, sizeof(seen)))
		return fail(ws, i, "local address, port or real server changed mid-flow");
	return 0;
}

static uint16_t tx_hook(uint16_t port_id, uint16_t queue, struct rte_mbuf *pkts[],
			uint16_t nb, void *arg)
{
	struct hook *h = arg;
	struct bw_run *r = h->run;
	struct bw_wstat *ws = &r->ws[h->q];
	uint64_t t0;
	unsigned int i;

	(void)port_id;
	(void)queue;
	t0 = rte_rdtsc();
	for (i = 0; i < nb; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i],
								   const struct rte_ether_hdr *);
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)(eth + 1);

		/* the dataplane's own ARP and ND (announcements, refresh) */
		if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP) ||
		    (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6) &&
		     ip6->proto == IPPROTO_ICMPV6)) {
			ws->tx_other++;
			continue;
		}
		ws->tx_seen[h->side]++;
		if (r->tx_mode != BW_TX_COUNT)
			frame_check(r, ws, h->side, pkts[i]);
	}
	ws->aux_cycles += rte_rdtsc() - t0;
	return nb;
}

int bw_hooks_install(struct bw_run *r)
{
	unsigned int q;
	int s;

	for (q = 0; q < r->nq; q++) {
		for (s = 0; s < BW_SIDES; s++) {
			struct hook *h = &hooks[q][s];

			h->run = r;
			h->side = s;
			h->q = q;
			if (!rte_eth_add_rx_callback(r->port_id[s], (uint16_t)q, rx_hook, h) ||
			    !rte_eth_add_tx_callback(r->port_id[s], (uint16_t)q, tx_hook, h))
				return -rte_errno ? -rte_errno : -ENOTSUP;
		}
	}
	return 0;
}
