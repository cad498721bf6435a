// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ethernet: accept frames for the port's MAC, broadcast and the IPv6
 * multicast groups ND needs, dispatch by EtherType; write Ethernet headers
 * on the way out.  Frames always start at the Ethernet header in an mbuf.
 */
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "nlvs_net.h"

static int l2_accept(const struct nlvs_port *p, const struct rte_ether_addr *dst)
{
	static const uint8_t all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };

	if (rte_is_same_ether_addr(dst, &p->mac) || rte_is_broadcast_ether_addr(dst))
		return 1;
	if (!memcmp(dst->addr_bytes, all_nodes, 6))
		return 1;
	/* with a twin, IPv4 and IPv6 multicast is for its kernel too (VRRP,
	 * MLD, the solicited-node groups of its link-local addresses) */
	if (p->has_twin && ((dst->addr_bytes[0] == 0x01 && dst->addr_bytes[1] == 0x00 &&
			     dst->addr_bytes[2] == 0x5e) ||
			    (dst->addr_bytes[0] == 0x33 && dst->addr_bytes[1] == 0x33)))
		return 1;
	if (dst->addr_bytes[0] != 0x33 || dst->addr_bytes[1] != 0x33 || dst->addr_bytes[2] != 0xff)
		return 0;
	return nlvs_addr_v6_solicited(dst->addr_bytes);
}

void nlvs_l2_input(struct nlvs_worker *w, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;

	if (unlikely(m->data_len < sizeof(*eth) || m->port >= nlvs_dp.nports)) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_ETHER);
		return;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!l2_accept(&nlvs_dp.ports[m->port], &eth->dst_addr))) {
		nlvs_worker_drop(w, m, NLVS_DROP_NOT_FOR_US);
		return;
	}
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		nlvs_ip4_input(w, m);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		nlvs_ip6_input(w, m);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		nlvs_arp_input(w, m);
		break;
	default:
		nlvs_worker_drop(w, m, NLVS_DROP_UNKNOWN_ETHERTYPE);
	}
}

/* Back where it came from: to the sender's MAC, out of the same port. */
void nlvs_eth_reply(struct nlvs_worker *w, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->dst_addr = eth->src_addr;
	eth->src_addr = nlvs_dp.ports[m->port].mac;
	nlvs_worker_tx(w, m->port, m);
}

void nlvs_eth_output(struct nlvs_worker *w, struct rte_mbuf *m, int af, uint16_t port,
		     const struct rte_ether_addr *dst)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->dst_addr = *dst;
	eth->src_addr = nlvs_dp.ports[port].mac;
	eth->ether_type = af == AF_INET ? RTE_BE16(RTE_ETHER_TYPE_IPV4) :
					  RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m->port = port;
	nlvs_worker_tx(w, port, m);
}
