// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Return traffic to the worker that owns its connection, in the NIC: the
 * local ports of each FULLNAT local address are partitioned between workers
 * by their low bits (lb/nlvs_laddr.h; the daemon passes the mask), so one
 * rte_flow rule per (address,
 * protocol, low-bits value) can send a reply straight to the owner's queue
 * (queue w is worker w's, see port.c).  Where the device has no rte_flow
 * support (virtual devices, many NICs) nothing is installed and the worker
 * that receives a reply hands it over through the per-pair rings instead;
 * both paths give the same result, the rules only save the hand-over.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_flow.h>

#include "nlvs_net.h"
#include "base/nlvs_log.h"

/* One rule: traffic to @addr:@value/@mask of @proto goes to queue @q. */
static int flow_rule(uint16_t port_id, int af, const union nlvs_addr *addr, uint8_t proto,
		     uint16_t value, uint16_t mask, uint16_t q, int validate_only,
		     struct rte_flow_error *err)
{
	struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_ipv4 ip4 = { 0 }, ip4_mask = { 0 };
	struct rte_flow_item_ipv6 ip6 = { 0 }, ip6_mask = { 0 };
	struct rte_flow_item_tcp tcp = { 0 }, tcp_mask = { 0 };
	struct rte_flow_item_udp udp = { 0 }, udp_mask = { 0 };
	struct rte_flow_action_queue queue = { .index = q };
	struct rte_flow_item pattern[4];
	struct rte_flow_action actions[2];

	memset(pattern, 0, sizeof(pattern));
	memset(actions, 0, sizeof(actions));
	pattern[0].type = RTE_FLOW_ITEM_TYPE_ETH;
	if (af == AF_INET) {
		ip4.hdr.dst_addr = addr->ip;
		ip4_mask.hdr.dst_addr = UINT32_MAX;
		pattern[1].type = RTE_FLOW_ITEM_TYPE_IPV4;
		pattern[1].spec = &ip4;
		pattern[1].mask = &ip4_mask;
	} else {
		memcpy(ip6.hdr.dst_addr, addr->b, 16);
		memset(ip6_mask.hdr.dst_addr, 0xff, 16);
		pattern[1].type = RTE_FLOW_ITEM_TYPE_IPV6;
		pattern[1].spec = &ip6;
		pattern[1].mask = &ip6_mask;
	}
	if (proto == IPPROTO_TCP) {
		tcp.hdr.dst_port = rte_cpu_to_be_16(value);
		tcp_mask.hdr.dst_port = rte_cpu_to_be_16(mask);
		pattern[2].type = RTE_FLOW_ITEM_TYPE_TCP;
		pattern[2].spec = &tcp;
		pattern[2].mask = &tcp_mask;
	} else {
		udp.hdr.dst_port = rte_cpu_to_be_16(value);
		udp_mask.hdr.dst_port = rte_cpu_to_be_16(mask);
		pattern[2].type = RTE_FLOW_ITEM_TYPE_UDP;
		pattern[2].spec = &udp;
		pattern[2].mask = &udp_mask;
	}
	pattern[3].type = RTE_FLOW_ITEM_TYPE_END;
	actions[0].type = RTE_FLOW_ACTION_TYPE_QUEUE;
	actions[0].conf = &queue;
	actions[1].type = RTE_FLOW_ACTION_TYPE_END;

	if (validate_only)
		return rte_flow_validate(port_id, &attr, pattern, actions, err);
	return rte_flow_create(port_id, &attr, pattern, actions, err) ? 0 : -rte_errno;
}

static int port_steer(const struct nlvs_port *p, const struct nlvs_conf *conf, uint16_t mask)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned int nw = nlvs_dp.nworkers, l, a, k, v, rules = 0;
	struct rte_flow_error err;
	int rc;

	for (l = 0; l < conf->nladdrs; l++) {
		const struct nlvs_conf_laddr *pool = &conf->laddrs[l];

		for (a = 0; a < pool->naddrs; a++) {
			for (k = 0; k < RTE_DIM(protos); k++) {
				for (v = 0; v <= mask; v++) {
					uint16_t q = (uint16_t)(v % nw);

					rc = flow_rule(p->port_id, pool->af, &pool->addrs[a],
						       protos[k], (uint16_t)v, mask, q,
						       rules == 0, &err);
					if (rc == 0 && rules == 0)
						rc = flow_rule(p->port_id, pool->af,
							       &pool->addrs[a], protos[k],
							       (uint16_t)v, mask, q, 0, &err);
					if (rc < 0) {
						if (rules)
							rte_flow_flush(p->port_id, &err);
						return rc;
					}
					rules++;
				}
			}
		}
	}
	return (int)rules;
}

void nlvs_ports_flow_steer(const struct nlvs_conf *conf, uint16_t owner_mask)
{
	unsigned int i;
	int rc;

	if (nlvs_dp.nworkers < 2 || !conf->nladdrs)
		return;
	for (i = 0; i < nlvs_dp.nports; i++) {
		const struct nlvs_port *p = &nlvs_dp.ports[i];

		if (p->nb_rxq < nlvs_dp.nworkers) {
			nlvs_log_info("port %s: %u RX queues for %u workers: return traffic is "
				      "handed over between workers", p->name, p->nb_rxq,
				      nlvs_dp.nworkers);
			continue;
		}
		rc = port_steer(p, conf, owner_mask);
		if (rc < 0)
			nlvs_log_info("port %s: no rte_flow steering (%s): return traffic is "
				      "handed over between workers", p->name, strerror(-rc));
		else
			nlvs_log_info("port %s: %d rte_flow rules steer return traffic to its "
				      "owner's queue", p->name, rc);
	}
}

void nlvs_ports_flow_flush(void)
{
	struct rte_flow_error err;
	unsigned int i;

	for (i = 0; i < nlvs_dp.nports; i++)
		rte_flow_flush(nlvs_dp.ports[i].port_id, &err);
}
