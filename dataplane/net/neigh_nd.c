// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv6 neighbour discovery (RFC 4861), the part a router's forwarding plane
 * needs: answer solicitations for own addresses, learn from solicitations
 * and advertisements, solicit next hops, advertise new addresses.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "nlvs_net.h"

#define ND_NS		135
#define ND_NA		136
#define ND_OPT_SLLA	1
#define ND_OPT_TLLA	2
#define NA_F_SOLICITED	RTE_BE32(0x40000000)
#define NA_F_OVERRIDE	RTE_BE32(0x20000000)

/* NS and NA share this layout; one link-layer address option follows.
 * Packed, 2-byte aligned: it sits 54 bytes into the frame, so the compiler
 * must not assume @flags 4-byte aligned (as rte_arp_hdr). */
struct nd_msg {
	uint8_t type, code;
	uint16_t cksum;
	uint32_t flags;
	uint8_t target[16];
	uint8_t opt_type, opt_len;
	struct rte_ether_addr opt_mac;
} __rte_packed __rte_aligned(2);

_Static_assert(sizeof(struct nd_msg) == 32, "NS/NA with one option");

#define ND_LEN_NOOPT	24u

static void nd_finish(struct rte_ipv6_hdr *ip6, struct nd_msg *nd)
{
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = RTE_BE16(sizeof(*nd));
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	nd->code = 0;
	nd->opt_len = 1;
	nd->cksum = 0;
	nd->cksum = rte_ipv6_udptcp_cksum(ip6, nd);
}

static struct rte_mbuf *nd_alloc(struct rte_mempool *mp, struct rte_ipv6_hdr **ip6,
				 struct nd_msg **nd)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(**ip6) +
							 sizeof(**nd));
	memset(eth, 0, m->data_len);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	*ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	*nd = (struct nd_msg *)(*ip6 + 1);
	return m;
}

/* Solicited-node multicast of @a: ff02::1:ffXX:XXXX and 33:33:ff:XX:XX:XX. */
static void solicited_node(const uint8_t *a, uint8_t *ip, struct rte_ether_addr *mac)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	memcpy(ip, pfx, 13);
	memcpy(ip + 13, a + 13, 3);
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], ip + 12, 4);
}

int nlvs_nd_solicit(struct nlvs_worker *w, uint16_t port, const void *target)
{
	const struct nlvs_addr_table *t = __atomic_load_n(&nlvs_dp.addrs, __ATOMIC_ACQUIRE);
	struct rte_ipv6_hdr *ip6;
	struct rte_ether_hdr *eth;
	union nlvs_addr src;
	struct nd_msg *nd;
	struct rte_mbuf *m;

	if (nlvs_addr_port_source(t, AF_INET6, port, &src) < 0)
		return -EADDRNOTAVAIL;
	m = nd_alloc(w->pool, &ip6, &nd);
	if (!m)
		return -ENOBUFS;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	solicited_node(target, ip6->dst_addr, &eth->dst_addr);
	eth->src_addr = nlvs_dp.ports[port].mac;
	memcpy(ip6->src_addr, &src, 16);
	nd->type = ND_NS;
	memcpy(nd->target, target, 16);
	nd->opt_type = ND_OPT_SLLA;
	nd->opt_mac = nlvs_dp.ports[port].mac;
	nd_finish(ip6, nd);
	m->port = port;
	nlvs_worker_tx(w, port, m);
	return 0;
}

/* Unsolicited advertisement to all nodes, when an address appears. */
struct rte_mbuf *nlvs_nd_advert_build(struct rte_mempool *mp, uint16_t port, const void *target)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	struct rte_ipv6_hdr *ip6;
	struct rte_ether_hdr *eth;
	struct nd_msg *nd;
	struct rte_mbuf *m = nd_alloc(mp, &ip6, &nd);

	if (!m)
		return NULL;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eth->dst_addr.addr_bytes[0] = 0x33;
	eth->dst_addr.addr_bytes[1] = 0x33;
	eth->dst_addr.addr_bytes[5] = 1;
	eth->src_addr = nlvs_dp.ports[port].mac;
	memcpy(ip6->src_addr, target, 16);
	memcpy(ip6->dst_addr, all_nodes, 16);
	nd->type = ND_NA;
	nd->flags = NA_F_OVERRIDE;
	memcpy(nd->target, target, 16);
	nd->opt_type = ND_OPT_TLLA;
	nd->opt_mac = nlvs_dp.ports[port].mac;
	nd_finish(ip6, nd);
	m->port = port;
	return m;
}

/* The link-layer address option of @type in the options after @nd, or NULL. */
static const struct rte_ether_addr *nd_option(const struct nd_msg *nd, uint32_t len,
					      uint8_t type)
{
	const uint8_t *o = &nd->opt_type, *end = (const uint8_t *)nd + len;

	while (o + 2 <= end && o[1] && o + o[1] * 8 <= end) {
		if (o[0] == type && o[1] == 1)
			return (const struct rte_ether_addr *)(o + 2);
		o += o[1] * 8;
	}
	return NULL;
}

/* ICMPv6 133-137 from ip6 input; @l4_off is the ICMPv6 header. */
void nlvs_nd_input(struct nlvs_worker *w, struct rte_mbuf *m, uint32_t l4_off)
{
	const struct nlvs_addr_table *t = __atomic_load_n(&nlvs_dp.addrs, __ATOMIC_ACQUIRE);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	struct nd_msg *nd = rte_pktmbuf_mtod_offset(m, struct nd_msg *, l4_off);
	uint32_t len = rte_be_to_cpu_16(ip6->payload_len) - (l4_off - sizeof(*eth) - sizeof(*ip6));
	static const uint8_t unspec[16];
	const struct rte_ether_addr *ll;
	int ours;

	if (nd->type != ND_NS && nd->type != ND_NA) {
		nlvs_worker_drop(w, m, NLVS_DROP_NOT_FOR_US);	/* router solicitation etc. */
		return;
	}
	if (len < ND_LEN_NOOPT || ip6->hop_limits != 255 || nd->code ||
	    (nd->target[0] == 0xff)) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_ND);
		return;
	}
	ours = nlvs_addr_answers(t, AF_INET6, nd->target, m->port);
	if (nd->type == ND_NA) {
		ll = nd_option(nd, len, ND_OPT_TLLA);
		if (ll && rte_is_unicast_ether_addr(ll))
			nlvs_neigh_learn(w, AF_INET6, nd->target, m->port, ll,
					 nlvs_addr_lookup(t, AF_INET6, ip6->dst_addr, m->port) !=
					 NLVS_ADDR_NONE, 1);
		rte_pktmbuf_free(m);
		return;
	}
	if (!ours) {
		nlvs_worker_drop(w, m, NLVS_DROP_NOT_FOR_US);
		return;
	}
	if (!memcmp(ip6->src_addr, unspec, 16)) {
		/* duplicate address detection by someone else: we do not defend */
		rte_pktmbuf_free(m);
		return;
	}
	ll = nd_option(nd, len, ND_OPT_SLLA);
	if (ll && rte_is_unicast_ether_addr(ll))
		nlvs_neigh_learn(w, AF_INET6, ip6->src_addr, m->port, ll, 1, 1);
	if (l4_off + sizeof(*nd) > (uint32_t)(m->buf_len - m->data_off)) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_ND);
		return;
	}
	/* the solicitation becomes the advertisement, in place */
	m->data_len = (uint16_t)(l4_off + sizeof(*nd));
	m->pkt_len = m->data_len;
	memcpy(ip6->dst_addr, ip6->src_addr, 16);
	memcpy(ip6->src_addr, nd->target, 16);
	nd->type = ND_NA;
	nd->flags = NA_F_SOLICITED | NA_F_OVERRIDE;
	nd->opt_type = ND_OPT_TLLA;
	nd->opt_mac = nlvs_dp.ports[m->port].mac;
	nd_finish(ip6, nd);
	w->st.nd_adverts++;
	nlvs_eth_reply(w, m);
}
