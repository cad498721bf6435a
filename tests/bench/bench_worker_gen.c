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

struct hook {
	struct bw_run *run;
	int side;
};

static struct hook hooks[BW_SIDES];

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

static void tcp_frame(struct rte_mbuf *m, int side, uint32_t i, uint8_t flags,
		      const struct bw_run *r)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint8_t *data = (uint8_t *)(th + 1);
	const struct bw_flow *f = &r->flow[i];
	uint16_t magic = RTE_BE16(MAGIC);

	eth->dst_addr = r->port_mac[side];
	mac_of(&eth->src_addr, side, side == BW_SIDE_RS ? f->rs : 0);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(L3_LEN);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)i);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->hdr_checksum = 0;
	if (side == BW_SIDE_CLIENT) {
		ip->src_addr = rte_cpu_to_be_32(client_ip(i));
		ip->dst_addr = RTE_BE32(BW_VIP);
		th->src_port = rte_cpu_to_be_16(client_port(i));
		th->dst_port = RTE_BE16(BW_VPORT);
	} else {
		ip->src_addr = rte_cpu_to_be_32(BW_RS_NET + BW_RS_FIRST + f->rs);
		ip->dst_addr = rte_cpu_to_be_32(BW_LADDR_BASE + f->laddr);
		th->src_port = RTE_BE16(BW_RPORT);
		th->dst_port = rte_cpu_to_be_16(f->lport);
	}
	th->sent_seq = rte_cpu_to_be_32(i);
	th->recv_ack = (flags & TCP_ACK) ? rte_cpu_to_be_32(i + 1) : 0;
	th->data_off = 5 << 4;
	th->tcp_flags = flags;
	th->rx_win = RTE_BE16(65535);
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(data, &i, 4);
	memcpy(data + 4, &magic, 2);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	m->data_len = BW_FRAME_LEN;
	m->pkt_len = BW_FRAME_LEN;
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

static void frame_make(struct bw_run *r, struct bw_gen *g, int side, struct rte_mbuf *m)
{
	uint32_t i;

	switch (g->kind) {
	case BW_ARP:
		arp_frame(m, g->next++ % BW_NRS, r);
		return;
	case BW_SYN:
		tcp_frame(m, side, g->next++, TCP_SYN, r);
		return;
	case BW_SYNACK:
		tcp_frame(m, side, g->next++, TCP_SYN | TCP_ACK, r);
		return;
	case BW_ACK:
		tcp_frame(m, side, g->next++, TCP_ACK, r);
		return;
	default:
		i = (uint32_t)(xorshift(&g->rng) % r->flows);
		tcp_frame(m, side, i, TCP_ACK | TCP_PSH, r);
		return;
	}
}

/* The client port's callback runs first in every loop turn: it opens the
 * phase's time window and closes it once everything was sent and the
 * previous turn (processing and TX flush) is over. */
static uint16_t rx_hook(uint16_t port_id, uint16_t queue, struct rte_mbuf *pkts[],
			uint16_t nb, uint16_t max, void *arg)
{
	struct hook *h = arg;
	struct bw_run *r = h->run;
	struct bw_gen *g = &r->gen[h->side];
	uint64_t t0, t1;
	unsigned int i, n;

	(void)port_id;
	(void)queue;
	if (!__atomic_load_n(&r->active, __ATOMIC_ACQUIRE))
		return nb;
	t0 = rte_rdtsc();
	if (h->side == BW_SIDE_CLIENT) {
		if (!r->started) {
			r->started = 1;
			r->cpu_start = thread_cpu_ns();
			r->t_start = rte_rdtsc();
		} else if (!r->gen[BW_SIDE_CLIENT].todo && !r->gen[BW_SIDE_RS].todo) {
			r->t_end = t0;
			r->cpu_end = thread_cpu_ns();
			__atomic_store_n(&r->active, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
			return nb;
		}
	} else if (!r->started) {
		return nb;	/* the window opens at the top of a turn */
	}
	n = (unsigned int)(max - nb);
	if (g->todo < n)
		n = (unsigned int)g->todo;
	if (!n)
		return nb;
	/* a NIC driver refills its ring from the pool: that part is the
	 * dataplane's cost, so it stays outside aux_cycles */
	if (rte_pktmbuf_alloc_bulk(r->mp, pkts + nb, n) < 0) {
		r->no_mbuf++;
		return nb;
	}
	t0 = rte_rdtsc();
	for (i = 0; i < n; i++)
		frame_make(r, g, h->side, pkts[nb + i]);
	g->todo -= n;
	r->rx_frames += n;
	t1 = rte_rdtsc();
	r->aux_cycles += t1 - t0;
	return (uint16_t)(nb + n);
}

static int fail(struct bw_run *r, uint32_t i, const char *what)
{
	if (!r->tx_bad++)
		snprintf(r->why, sizeof(r->why), "flow %u: %s", i, what);
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

/* One frame the worker sent out of @side's port. */
static int frame_check(struct bw_run *r, int side, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	const uint8_t *data = (const uint8_t *)(th + 1);
	struct rte_ether_addr want_mac;
	struct bw_flow *f, seen;
	uint32_t i, sa, da;
	uint16_t magic;

	if (m->data_len != BW_FRAME_LEN || ip->next_proto_id != IPPROTO_TCP)
		return fail(r, 0, "an IPv4 frame that is not one of ours");
	memcpy(&i, data, 4);
	memcpy(&magic, data + 4, 2);
	if (magic != RTE_BE16(MAGIC) || i >= r->flows)
		return fail(r, i, "payload changed");
	if (rte_ipv4_cksum(ip) != 0)
		return fail(r, i, "bad IP header checksum");
	if (!l4_csum_ok(ip, th))
		return fail(r, i, "bad TCP checksum");
	if (ip->time_to_live != 63)
		return fail(r, i, "TTL not decremented once");
	if (!rte_is_same_ether_addr(&eth->src_addr, &r->port_mac[side]))
		return fail(r, i, "source MAC is not the port's");
	sa = rte_be_to_cpu_32(ip->src_addr);
	da = rte_be_to_cpu_32(ip->dst_addr);
	f = &r->flow[i];
	if (side == BW_SIDE_CLIENT) {
		/* RS -> client: from the VIP to the client, to the router's MAC */
		mac_of(&want_mac, BW_SIDE_CLIENT, 0);
		if (sa != BW_VIP || th->src_port != RTE_BE16(BW_VPORT))
			return fail(r, i, "reply not from VIP:80");
		if (da != client_ip(i) || rte_be_to_cpu_16(th->dst_port) != client_port(i))
			return fail(r, i, "reply not to the client");
		if (!rte_is_same_ether_addr(&eth->dst_addr, &want_mac))
			return fail(r, i, "reply not to the MAC it came from");
		return 0;
	}
	/* client -> RS: from a local address and port to a real server */
	if (sa - BW_LADDR_BASE >= r->nladdr)
		return fail(r, i, "source is not a local address");
	if (da - (BW_RS_NET + BW_RS_FIRST) >= BW_NRS || th->dst_port != RTE_BE16(BW_RPORT))
		return fail(r, i, "destination is not a real server:8080");
	seen.lport = rte_be_to_cpu_16(th->src_port);
	seen.laddr = (uint8_t)(sa - BW_LADDR_BASE);
	seen.rs = (uint8_t)(da - (BW_RS_NET + BW_RS_FIRST));
	mac_of(&want_mac, BW_SIDE_RS, seen.rs);
	if (!rte_is_same_ether_addr(&eth->dst_addr, &want_mac))
		return fail(r, i, "not sent to the real server's MAC");
	if (r->tx_mode == BW_TX_LEARN) {
		if (f->lport)
			return fail(r, i, "a second SYN");
		*f = seen;
		return 0;
	}
	if (memcmp(f, &seen, sizeof(seen)))
		return fail(r, i, "local address, port or real server changed mid-flow");
	return 0;
}

static uint16_t tx_hook(uint16_t port_id, uint16_t queue, struct rte_mbuf *pkts[],
			uint16_t nb, void *arg)
{
	struct hook *h = arg;
	struct bw_run *r = h->run;
	uint64_t t0;
	unsigned int i;

	(void)port_id;
	(void)queue;
	t0 = rte_rdtsc();
	for (i = 0; i < nb; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i],
								   const struct rte_ether_hdr *);

		/* the dataplane's own ARP (announcements, neighbour refresh) */
		if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
			r->tx_other++;
			continue;
		}
		r->tx_seen[h->side]++;
		if (r->tx_mode != BW_TX_COUNT)
			frame_check(r, h->side, pkts[i]);
	}
	r->aux_cycles += rte_rdtsc() - t0;
	return nb;
}

int bw_hooks_install(struct bw_run *r)
{
	int s;

	for (s = 0; s < BW_SIDES; s++) {
		hooks[s].run = r;
		hooks[s].side = s;
		if (!rte_eth_add_rx_callback(r->port_id[s], 0, rx_hook, &hooks[s]) ||
		    !rte_eth_add_tx_callback(r->port_id[s], 0, tx_hook, &hooks[s]))
			return -rte_errno ? -rte_errno : -ENOTSUP;
	}
	return 0;
}
