// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Output of routed packets: TTL / hop limit, route lookup, MTU (we never
 * fragment: "fragmentation needed" / "packet too big" instead), next hop.
 */
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "nlvs_net.h"

#define ICMP6_PACKET_TOO_BIG	2
#define ICMP6_TIME_EXCEEDED	3
#define ICMP4_DEST_UNREACH	3
#define ICMP4_FRAG_NEEDED	4
#define ICMP4_TIME_EXCEEDED	11

uint16_t nlvs_dp_mtu_min;

/* We never fragment: IPv6 and IPv4 with DF get "packet too big" or
 * "fragmentation needed" with @mtu (IPv4 without DF is only counted). */
static void mtu_exceeded(struct nlvs_worker *w, struct rte_mbuf *m,
			 const struct nlvs_l3_info *l3, uint16_t mtu)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								l3->l3_off);

	if (l3->af == AF_INET6)
		nlvs_icmp_error(w, m, AF_INET6, ICMP6_PACKET_TOO_BIG, 0, mtu);
	else if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))
		nlvs_icmp_error(w, m, AF_INET, ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED, mtu);
	nlvs_worker_drop(w, m, NLVS_DROP_MTU_EXCEEDED);
}

void nlvs_ip_route_output(struct nlvs_worker *w, struct rte_mbuf *m,
			  const struct nlvs_l3_info *l3)
{
	const struct nlvs_route_table *rt = __atomic_load_n(&nlvs_dp.routes, __ATOMIC_ACQUIRE);
	void *ip = rte_pktmbuf_mtod_offset(m, void *, l3->l3_off);
	union nlvs_addr nh;
	uint16_t port;
	const void *dst;

	dst = l3->af == AF_INET ? (const void *)&((struct rte_ipv4_hdr *)ip)->dst_addr :
				  (const void *)((struct rte_ipv6_hdr *)ip)->dst_addr;
	if (!rt || nlvs_route_lookup(rt, l3->af, dst, &port, &nh) < 0) {
		nlvs_worker_drop(w, m, NLVS_DROP_NO_ROUTE);
		return;
	}
	if (unlikely(l3->l3_len > nlvs_dp.ports[port].mtu)) {
		mtu_exceeded(w, m, l3, nlvs_dp.ports[port].mtu);
		return;
	}
	nlvs_ip_output(w, m, l3->af, port, &nh);
}

int nlvs_ip_too_big(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		    uint16_t port, const union nlvs_addr *dst)
{
	if (port == NLVS_PORT_ANY) {
		const struct nlvs_route_table *rt = __atomic_load_n(&nlvs_dp.routes,
								    __ATOMIC_ACQUIRE);
		union nlvs_addr nh;

		if (!rt || nlvs_route_lookup(rt, l3->af, dst, &port, &nh) < 0)
			return 0;	/* the output counts it as no-route */
	}
	if (l3->l3_len <= nlvs_dp.ports[port].mtu)
		return 0;
	mtu_exceeded(w, m, l3, nlvs_dp.ports[port].mtu);
	return 1;
}

int nlvs_ip_mtu_check(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		      uint16_t mtu)
{
	if (likely(l3->l3_len <= mtu))
		return 0;
	mtu_exceeded(w, m, l3, mtu);
	return 1;
}

void nlvs_ip_forward(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3)
{
	void *ip = rte_pktmbuf_mtod_offset(m, void *, l3->l3_off);

	if (l3->ttl <= 1) {
		if (l3->af == AF_INET)
			nlvs_icmp_error(w, m, AF_INET, ICMP4_TIME_EXCEEDED, 0, 0);
		else
			nlvs_icmp_error(w, m, AF_INET6, ICMP6_TIME_EXCEEDED, 0, 0);
		nlvs_worker_drop(w, m, NLVS_DROP_TTL_EXCEEDED);
		return;
	}
	if (l3->af == AF_INET) {
		struct rte_ipv4_hdr *ip4 = ip;
		uint32_t sum;

		/* RFC 1624 incremental update for TTL - 1 */
		ip4->time_to_live--;
		sum = (uint32_t)(uint16_t)~rte_be_to_cpu_16(ip4->hdr_checksum) + 0xfeffu;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		ip4->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
	} else {
		((struct rte_ipv6_hdr *)ip)->hop_limits--;
	}
	nlvs_ip_route_output(w, m, l3);
}
