// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ARP: answer requests for own addresses, learn the senders that talk to us,
 * resolve next hops, announce addresses (gratuitous requests).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_ether.h>

#include "nlvs_net.h"

struct rte_mbuf *nlvs_arp_build(struct rte_mempool *mp, uint16_t port, uint16_t op,
				const void *sip, const void *tip,
				const struct rte_ether_addr *tha)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	const struct nlvs_port *p = &nlvs_dp.ports[port];
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	if (tha)
		eth->dst_addr = *tha;
	eth->src_addr = p->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = p->mac;
	memcpy(&arp->arp_data.arp_sip, sip, 4);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	if (tha)
		arp->arp_data.arp_tha = *tha;
	memcpy(&arp->arp_data.arp_tip, tip, 4);
	m->port = port;
	return m;
}

int nlvs_arp_request(struct nlvs_worker *w, uint16_t port, const void *target)
{
	const struct nlvs_addr_table *t = __atomic_load_n(&nlvs_dp.addrs, __ATOMIC_ACQUIRE);
	union nlvs_addr src;
	struct rte_mbuf *m;

	if (nlvs_addr_port_source(t, AF_INET, port, &src) < 0)
		return -EADDRNOTAVAIL;
	m = nlvs_arp_build(w->pool, port, RTE_ARP_OP_REQUEST, &src, target, NULL);
	if (!m)
		return -ENOBUFS;
	nlvs_worker_tx(w, port, m);
	return 0;
}

void nlvs_arp_input(struct nlvs_worker *w, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	const struct nlvs_addr_table *t = __atomic_load_n(&nlvs_dp.addrs, __ATOMIC_ACQUIRE);
	struct rte_arp_ipv4 *a = &arp->arp_data;
	uint32_t sip = a->arp_sip, tip = a->arp_tip;
	int ours;

	if (m->data_len < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
	    !rte_is_unicast_ether_addr(&a->arp_sha)) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_ARP);
		return;
	}
	/* the kernel's neighbour table learns from every ARP frame too, and
	 * answers for the addresses only it holds */
	nlvs_host_copy(w, m);
	ours = nlvs_addr_answers(t, AF_INET, &tip, m->port);
	if (sip && sip != tip)
		nlvs_neigh_learn(w, AF_INET, &sip, m->port, &a->arp_sha, ours, ours);
	else if (sip)	/* gratuitous: refresh what we know, learn nothing new */
		nlvs_neigh_learn(w, AF_INET, &sip, m->port, &a->arp_sha, 0, 1);
	if (!ours || arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) || sip == tip) {
		/* replies and announcements end here: learnt above */
		if (!ours && arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) && sip != tip)
			nlvs_worker_drop(w, m, NLVS_DROP_NOT_FOR_US);
		else
			rte_pktmbuf_free(m);
		return;
	}
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_tha = a->arp_sha;
	a->arp_tip = sip;
	a->arp_sha = nlvs_dp.ports[m->port].mac;
	a->arp_sip = tip;
	w->st.arp_replies++;
	nlvs_eth_reply(w, m);
}
