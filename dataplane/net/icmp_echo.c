// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ICMP the dataplane originates: echo replies for own addresses (in place,
 * back to the MAC and port the request came from) and errors about packets
 * it cannot forward (time exceeded, fragmentation needed, packet too big).
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "nlvs_net.h"

#define ICMP_ERR_PER_SEC	1000	/* per worker */
#define ICMP4_QUOTE_MAX		(576 - 20 - 8)
#define ICMP6_QUOTE_MAX		(1280 - 40 - 8)
#define ETH_LEN			((uint32_t)sizeof(struct rte_ether_hdr))

/* IPv4 header checksum, by the port when it can. */
static void ip4_csum(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	ip->hdr_checksum = 0;
	if (nlvs_dp.ports[m->port].tx_ol & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		m->l2_len = ETH_LEN;
		m->l3_len = sizeof(*ip);
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		return;
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

void nlvs_icmp4_echo(struct nlvs_worker *w, struct rte_mbuf *m, uint32_t l4_off)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH_LEN);
	struct rte_icmp_hdr *ic = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, l4_off);
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - (l4_off - ETH_LEN);
	uint32_t a;

	if (rte_raw_cksum(ic, len) != 0xffff) {
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_ICMP);
		return;
	}
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, len);
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->fragment_offset = 0;
	m->ol_flags = 0;
	ip4_csum(m, ip);
	w->st.echo_replies++;
	nlvs_eth_reply(w, m);
}

void nlvs_icmp6_echo(struct nlvs_worker *w, struct rte_mbuf *m, uint32_t l4_off)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, ETH_LEN);
	uint8_t *ic = rte_pktmbuf_mtod_offset(m, uint8_t *, l4_off);
	uint8_t a[16];

	if (l4_off != ETH_LEN + sizeof(*ip6)) {
		/* extension headers would break the checksum helper; rare enough */
		nlvs_worker_drop(w, m, NLVS_DROP_IP_OPTIONS);
		return;
	}
	if (rte_ipv6_udptcp_cksum(ip6, ic) != 0) {	/* 0: sums to all ones */
		nlvs_worker_drop(w, m, NLVS_DROP_BAD_ICMP);
		return;
	}
	ic[0] = 129;
	ic[2] = ic[3] = 0;
	memcpy(a, ip6->src_addr, 16);
	memcpy(ip6->src_addr, ip6->dst_addr, 16);
	memcpy(ip6->dst_addr, a, 16);
	ip6->hop_limits = 64;
	memcpy(ic + 2, &(uint16_t){ rte_ipv6_udptcp_cksum(ip6, ic) }, 2);
	m->ol_flags = 0;
	w->st.echo_replies++;
	nlvs_eth_reply(w, m);
}

static int icmp_ratelimit(struct nlvs_worker *w)
{
	if (w->now - w->icmp_refill >= nlvs_dp.hz) {
		w->icmp_refill = w->now;
		w->icmp_tokens = ICMP_ERR_PER_SEC;
	}
	if (!w->icmp_tokens)
		return 1;
	w->icmp_tokens--;
	return 0;
}

/* Never about ICMP errors (RFC 1122 3.2.2, RFC 4443 2.4). */
static int quotes_error(const struct rte_mbuf *m, int af)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_LEN);

	if (af == AF_INET) {
		uint32_t hl = (l3[0] & 0xfu) * 4u;

		return l3[9] == IPPROTO_ICMP && m->data_len >= ETH_LEN + hl + 1 &&
		       l3[hl] != RTE_IP_ICMP_ECHO_REQUEST && l3[hl] != RTE_IP_ICMP_ECHO_REPLY;
	}
	return l3[6] == IPPROTO_ICMPV6 && m->data_len >= ETH_LEN + 41 && l3[40] < 128;
}

void nlvs_icmp_error(struct nlvs_worker *w, struct rte_mbuf *m, int af, uint8_t type,
		     uint8_t code, uint32_t info)
{
	nlvs_icmp_error_from(w, m, af, type, code, info, NULL);
}

uint32_t nlvs_icmp_error_from(struct nlvs_worker *w, struct rte_mbuf *m, int af, uint8_t type,
			      uint8_t code, uint32_t info, const union nlvs_addr *from)
{
	const struct nlvs_addr_table *t = __atomic_load_n(&nlvs_dp.addrs, __ATOMIC_ACQUIRE);
	const struct rte_ether_hdr *oeth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *oip = (const uint8_t *)(oeth + 1);
	uint32_t quote = m->data_len - ETH_LEN, hlen;
	struct rte_ether_hdr *eth;
	union nlvs_addr src;
	struct rte_mbuf *n;
	uint8_t *ic;

	if (quotes_error(m, af) || icmp_ratelimit(w))
		return 0;
	if (from)
		src = *from;
	else if (nlvs_addr_port_source(t, af, m->port, &src) < 0)
		return 0;
	n = rte_pktmbuf_alloc(w->pool);
	if (!n) {
		w->st.drops[NLVS_DROP_NO_MBUF]++;
		return 0;
	}
	if (quote > (af == AF_INET ? ICMP4_QUOTE_MAX : ICMP6_QUOTE_MAX))
		quote = af == AF_INET ? ICMP4_QUOTE_MAX : ICMP6_QUOTE_MAX;
	hlen = af == AF_INET ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(n, (uint16_t)(ETH_LEN + hlen + 8 + quote));
	if (!eth) {
		rte_pktmbuf_free(n);
		return 0;
	}
	n->port = m->port;
	eth->dst_addr = oeth->src_addr;
	eth->src_addr = nlvs_dp.ports[m->port].mac;
	ic = (uint8_t *)(eth + 1) + hlen;
	ic[0] = type;
	ic[1] = code;
	ic[2] = ic[3] = 0;
	memcpy(ic + 4, &(uint32_t){ rte_cpu_to_be_32(info) }, 4);
	memcpy(ic + 8, oip, quote);
	if (af == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
		const struct rte_ipv4_hdr *o = (const struct rte_ipv4_hdr *)oip;

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = 0xc0;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(hlen + 8 + quote));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_ICMP;
		ip->src_addr = src.ip;
		ip->dst_addr = o->src_addr;
		memcpy(ic + 2, &(uint16_t){ (uint16_t)~rte_raw_cksum(ic, 8 + quote) }, 2);
		ip4_csum(n, ip);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);
		const struct rte_ipv6_hdr *o = (const struct rte_ipv6_hdr *)oip;

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		memset(ip6, 0, sizeof(*ip6));
		ip6->vtc_flow = RTE_BE32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(8 + quote));
		ip6->proto = IPPROTO_ICMPV6;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, &src, 16);
		memcpy(ip6->dst_addr, o->src_addr, 16);
		memcpy(ic + 2, &(uint16_t){ rte_ipv6_udptcp_cksum(ip6, ic) }, 2);
	}
	w->st.icmp_errors++;
	nlvs_worker_tx(w, n->port, n);
	return hlen + 8 + quote;
}

void nlvs_icmp4_error_routed(struct nlvs_worker *w, const uint8_t *quote, uint32_t qlen,
			     const void *src, uint8_t type, uint8_t code, uint32_t info)
{
	struct nlvs_l3_info l3;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *n;
	uint32_t hlen = sizeof(*ip);
	uint8_t *ic;

	if (qlen < 20 || icmp_ratelimit(w))
		return;
	n = rte_pktmbuf_alloc(w->pool);
	if (!n) {
		w->st.drops[NLVS_DROP_NO_MBUF]++;
		return;
	}
	if (qlen > ICMP4_QUOTE_MAX)
		qlen = ICMP4_QUOTE_MAX;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(n, (uint16_t)(ETH_LEN + hlen + 8 + qlen));
	if (!eth) {
		rte_pktmbuf_free(n);
		return;
	}
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ic = (uint8_t *)(ip + 1);
	ic[0] = type;
	ic[1] = code;
	ic[2] = ic[3] = 0;
	memcpy(ic + 4, &(uint32_t){ rte_cpu_to_be_32(info) }, 4);
	memcpy(ic + 8, quote, qlen);
	memcpy(ic + 2, &(uint16_t){ (uint16_t)~rte_raw_cksum(ic, 8 + qlen) }, 2);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0xc0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(hlen + 8 + qlen));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	memcpy(&ip->src_addr, src, 4);
	memcpy(&ip->dst_addr, quote + 12, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(&l3, 0, sizeof(l3));
	l3.af = AF_INET;
	l3.proto = IPPROTO_ICMP;
	l3.ttl = 64;
	l3.l3_off = ETH_LEN;
	l3.l4_off = (uint16_t)(ETH_LEN + hlen);
	l3.l3_len = (uint16_t)(hlen + 8 + qlen);
	w->st.icmp_errors++;
	nlvs_ip_route_output(w, n, &l3);
}
