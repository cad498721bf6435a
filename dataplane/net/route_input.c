// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv4 and IPv6 input: validate the header, trim link padding, then either
 * answer (ND, echo to own addresses), hand to the L4 engine (VIPs, local and
 * egress addresses; transit traffic when snat rules or classic NAT services
 * exist), forward (with ip-forward on) or drop with a reason.  What goes to
 * the engine is queued on the worker and reaches it as a burst.
 */
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "nlvs_csum.h"
#include "nlvs_net.h"

#define ETH_LEN		((uint32_t)sizeof(struct rte_ether_hdr))

/* "Fragmentation needed" to a port's address: perhaps about a tunnel
 * packet the engine sent from it (TUN real servers), so the engine's. */
static int frag_needed4(const struct rte_mbuf *m, const struct nlvs_l3_info *l3)
{
	const uint8_t *ic = rte_pktmbuf_mtod_offset(m, const uint8_t *, l3->l4_off);

	return l3->af == AF_INET && l3->proto == IPPROTO_ICMP && ic[0] == 3 && ic[1] == 4;
}

static void local_deliver(struct nlvs_worker *w, struct rte_mbuf *m, struct nlvs_l3_info *l3)
{
	if (l3->kind == NLVS_ADDR_PORT && !frag_needed4(m, l3)) {
		/* no service, local address or connection owns a port address:
		 * ssh, BGP, health-check replies... are the host's */
		nlvs_host_input(w, m);
		return;
	}
	nlvs_worker_lb_queue(w, m, l3);
}

static void transit(struct nlvs_worker *w, struct rte_mbuf *m, struct nlvs_l3_info *l3)
{
	if (nlvs_dp.snat_rules || __atomic_load_n(&nlvs_dp.lb_transit, __ATOMIC_RELAXED))
		nlvs_worker_lb_queue(w, m, l3);
	else if (nlvs_dp.ip_forward)
		nlvs_ip_forward(w, m, l3);
	else
		nlvs_worker_drop(w, m, NLVS_DROP_NOT_FOR_US);
}

void nlvs_ip4_input(struct nlvs_worker *w, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH_LEN);
	uint32_t len = m->data_len - ETH_LEN, hl, tot;
	const struct nlvs_addr_table *t;
	struct nlvs_l3_info l3;
	uint64_t ck;

	if (unlikely(len < sizeof(*ip) || (ip->version_ihl >> 4) != 4 ||
		     (hl = (ip->version_ihl & 0xfu) * 4u) < sizeof(*ip) || hl > len)) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_IP_HEADER);
		return;
	}
	tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tot < hl || tot > len || m->pkt_len != m->data_len)) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_IP_LENGTH);
		return;
	}
	ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (unlikely(ck == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
		     (ck != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
		      (hl == sizeof(*ip) ? nlvs_csum_ip4_hdr20(ip) != 0xffff :
					   rte_ipv4_cksum(ip) != 0)))) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_IP_CSUM);
		return;
	}
	if (len > tot)
		rte_pktmbuf_trim(m, (uint16_t)(len - tot));
	if (unlikely(hl != sizeof(*ip))) {
		nlvs_worker_drop(w, m, NLVS_DROP_IP_OPTIONS);
		return;
	}
	if (unlikely(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
						    RTE_IPV4_HDR_OFFSET_MASK))) {
		nlvs_worker_drop(w, m, NLVS_DROP_FRAGMENT);
		return;
	}
	t = __atomic_load_n(&nlvs_dp.addrs, __ATOMIC_ACQUIRE);
	nlvs_l3_info_set(&l3, AF_INET,
			 (uint8_t)nlvs_addr_lookup(t, AF_INET, &ip->dst_addr, m->port),
			 ip->next_proto_id, ip->time_to_live, m->port, ETH_LEN,
			 (uint16_t)(ETH_LEN + hl), (uint16_t)tot);
	if (l3.kind == NLVS_ADDR_NONE) {
		uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);

		/* 224.0.0.0/24 (VRRP, OSPF, IGMP...) and the limited broadcast
		 * concern the link's hosts: the twin's kernel, which keeps what
		 * its groups want */
		if ((dst >> 8) == 0xe00000 || dst == UINT32_MAX) {
			nlvs_host_input(w, m);
			return;
		}
		/* 224.0.0.0/4 by hand: DPDK's RTE_IPV4() shifts a signed int into the
		 * sign bit, undefined behaviour on every transit packet */
		if ((dst >> 28) == 0xe || (dst >> 24) == 0 || (dst >> 24) == 127) {
			nlvs_worker_drop(w, m, NLVS_DROP_NOT_FOR_US);
			return;
		}
		transit(w, m, &l3);
		return;
	}
	if (l3.proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ic;

		if (tot - hl < sizeof(*ic)) {
			nlvs_worker_drop(w, m, NLVS_DROP_BAD_ICMP);
			return;
		}
		ic = rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, l3.l4_off);
		if (ic->icmp_type == RTE_IP_ICMP_ECHO_REQUEST) {
			nlvs_icmp4_echo(w, m, l3.l4_off);
			return;
		}
	}
	local_deliver(w, m, &l3);
}

static int ip6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT;
}

void nlvs_ip6_input(struct nlvs_worker *w, struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, ETH_LEN);
	uint32_t len = m->data_len - ETH_LEN, tot, off;
	const struct nlvs_addr_table *t;
	struct nlvs_l3_info l3;
	uint8_t nh;

	if (unlikely(len < sizeof(*ip6) || (rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_IP_HEADER);
		return;
	}
	tot = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
	if (unlikely(tot > len || m->pkt_len != m->data_len)) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_IP_LENGTH);
		return;
	}
	if (len > tot)
		rte_pktmbuf_trim(m, (uint16_t)(len - tot));
	nh = ip6->proto;
	off = sizeof(*ip6);
	while (ip6_is_ext(nh)) {
		const uint8_t *x = (const uint8_t *)ip6 + off;

		if (nh == IPPROTO_FRAGMENT) {
			nlvs_worker_drop(w, m, NLVS_DROP_FRAGMENT);
			return;
		}
		if (off + 8 > tot || off + (x[1] + 1u) * 8 > tot) {
			nlvs_worker_drop(w, m, NLVS_DROP_BAD_IP_HEADER);
			return;
		}
		nh = x[0];
		off += (x[1] + 1u) * 8;
	}
	t = __atomic_load_n(&nlvs_dp.addrs, __ATOMIC_ACQUIRE);
	nlvs_l3_info_set(&l3, AF_INET6,
			 (uint8_t)nlvs_addr_lookup(t, AF_INET6, ip6->dst_addr, m->port), nh,
			 ip6->hop_limits, m->port, ETH_LEN, (uint16_t)(ETH_LEN + off),
			 (uint16_t)tot);
	if (nh == IPPROTO_ICMPV6) {
		const uint8_t *ic = (const uint8_t *)ip6 + off;

		if (tot - off < 8) {
			nlvs_worker_drop(w, m, NLVS_DROP_BAD_ICMP);
			return;
		}
		if (ic[0] >= 133 && ic[0] <= 137) {
			if (off != sizeof(*ip6)) {
				nlvs_worker_drop(w, m, NLVS_DROP_BAD_ND);
				return;
			}
			/* the kernel's neighbour table learns too, and answers
			 * for its own (link-local) addresses */
			nlvs_host_copy(w, m);
			nlvs_nd_input(w, m, l3.l4_off);
			return;
		}
		if (l3.kind != NLVS_ADDR_NONE && ic[0] == 128) {
			nlvs_icmp6_echo(w, m, l3.l4_off);
			return;
		}
	}
	if (l3.kind != NLVS_ADDR_NONE) {
		local_deliver(w, m, &l3);
		return;
	}
	/* link-scope multicast (MLD, VRRPv3...) and link-local unicast: the
	 * twin's kernel holds the link-local addresses */
	if ((ip6->dst_addr[0] == 0xff && (ip6->dst_addr[1] & 0xf) == 2) ||
	    (ip6->dst_addr[0] == 0xfe && (ip6->dst_addr[1] & 0xc0) == 0x80)) {
		nlvs_host_input(w, m);
		return;
	}
	if (ip6->dst_addr[0] == 0xff) {
		nlvs_worker_drop(w, m, NLVS_DROP_NOT_FOR_US);
		return;
	}
	transit(w, m, &l3);
}
