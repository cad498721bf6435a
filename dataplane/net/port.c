// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ports: probe the device named by the configuration (a vdev string or a PCI
 * address), one TX queue per worker, RX queues spread over the workers (RSS
 * with whatever hash types the device supports), checksum offloads where the
 * device has them, link state logged when it changes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "nlvs_net.h"
#include "base/nlvs_log.h"

#define NB_RXD	1024
#define NB_TXD	1024

int nlvs_port_index(uint16_t port_id)
{
	unsigned int i;

	for (i = 0; i < nlvs_dp.nports; i++)
		if (nlvs_dp.ports[i].port_id == port_id)
			return (int)i;
	return -ENOENT;
}

/* DPDK port of @devargs, probing the device unless EAL's own --vdev/-a did. */
static int port_probe(const char *devargs, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t n = strcspn(devargs, ",");
	int rc;

	if (n >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, devargs, n);
	name[n] = '\0';
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	rc = rte_dev_probe(devargs);
	if (rc < 0)
		return rc;
	return rte_eth_dev_get_port_by_name(name, port_id);
}

static int port_configure(unsigned int idx, const struct nlvs_conf_port *cp)
{
	struct nlvs_port *p = &nlvs_dp.ports[idx];
	unsigned int nw = nlvs_dp.nworkers, q, nrxq;
	struct rte_eth_dev_info info;
	struct rte_eth_conf ec;
	uint16_t mtu;
	int rc;

	rc = port_probe(cp->devargs, &p->port_id);
	if (rc < 0) {
		nlvs_log_warnx("port %s: cannot probe %s: %s", cp->name, cp->devargs,
			       strerror(-rc));
		return rc;
	}
	snprintf(p->name, sizeof(p->name), "%s", cp->name);
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc < 0)
		return rc;
	nrxq = cp->queues ? cp->queues : nw;
	if (nrxq > info.max_rx_queues || nw > info.max_tx_queues) {
		nlvs_log_warnx("port %s: %u RX and %u TX queues wanted, the device has %u/%u "
			       "(af_packet: qpairs=N)", cp->name, nrxq, nw,
			       info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	memset(&ec, 0, sizeof(ec));
	if (nrxq > 1) {
		ec.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
						  RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
		if (ec.rx_adv_conf.rss_conf.rss_hf)
			ec.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	}
	p->tx_ol = info.tx_offload_capa & (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
					   RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
					   RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	p->rx_ol = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	ec.txmode.offloads = p->tx_ol;
	ec.rxmode.offloads = p->rx_ol;
	rc = rte_eth_dev_configure(p->port_id, (uint16_t)nrxq, (uint16_t)nw, &ec);
	if (rc < 0) {
		nlvs_log_warnx("port %s: configure: %s", cp->name, strerror(-rc));
		return rc;
	}
	if (cp->mtu && (rc = rte_eth_dev_set_mtu(p->port_id, (uint16_t)cp->mtu)) < 0)
		nlvs_log_warnx("port %s: mtu %u: %s", cp->name, cp->mtu, strerror(-rc));
	if (rte_eth_dev_get_mtu(p->port_id, &mtu) < 0)
		mtu = RTE_ETHER_MTU;
	p->mtu = mtu;
	/* queue q belongs to worker q mod N and fills that worker's pool */
	for (q = 0; q < nrxq; q++) {
		struct nlvs_worker *w = nlvs_dp.workers[q % nw];

		rc = rte_eth_rx_queue_setup(p->port_id, (uint16_t)q, NB_RXD,
					    rte_eth_dev_socket_id(p->port_id), NULL, w->pool);
		if (rc < 0) {
			nlvs_log_warnx("port %s: RX queue %u: %s", cp->name, q, strerror(-rc));
			return rc;
		}
		if (w->nrxq == RTE_DIM(w->rxq))
			return -E2BIG;
		w->rxq[w->nrxq].port = (uint16_t)idx;
		w->rxq[w->nrxq].queue = (uint16_t)q;
		w->nrxq++;
	}
	for (q = 0; q < nw; q++) {
		struct nlvs_worker *w = nlvs_dp.workers[q];
		struct rte_eth_txconf txc = info.default_txconf;

		txc.offloads = p->tx_ol;
		rc = rte_eth_tx_queue_setup(p->port_id, (uint16_t)q, NB_TXD,
					    rte_eth_dev_socket_id(p->port_id), &txc);
		if (rc < 0) {
			nlvs_log_warnx("port %s: TX queue %u: %s", cp->name, q, strerror(-rc));
			return rc;
		}
		w->txb[idx] = rte_zmalloc_socket("nlvs_txb", RTE_ETH_TX_BUFFER_SIZE(NLVS_BURST), 0,
						 rte_eth_dev_socket_id(p->port_id));
		if (!w->txb[idx])
			return -ENOMEM;
		rte_eth_tx_buffer_init(w->txb[idx], NLVS_BURST);
		rte_eth_tx_buffer_set_err_callback(w->txb[idx], rte_eth_tx_buffer_count_callback,
						   &w->st.drops[NLVS_DROP_TX_FULL]);
	}
	rte_eth_macaddr_get(p->port_id, &p->mac);
	p->nb_rxq = (uint16_t)nrxq;
	rc = rte_eth_dev_start(p->port_id);
	if (rc < 0) {
		nlvs_log_warnx("port %s: start: %s", cp->name, strerror(-rc));
		return rc;
	}
	/* solicited-node multicast for ND; filtered in software by l2.c */
	rte_eth_allmulticast_enable(p->port_id);
	nlvs_log_info("port %s: dpdk port %u, " RTE_ETHER_ADDR_PRT_FMT ", %u RX queue%s%s, "
		      "mtu %u, tx offloads 0x%" PRIx64, cp->name, p->port_id,
		      RTE_ETHER_ADDR_BYTES(&p->mac), nrxq, nrxq > 1 ? "s" : "",
		      ec.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? " (RSS)" : "", p->mtu, p->tx_ol);
	return 0;
}

int nlvs_ports_start(const struct nlvs_conf *conf)
{
	unsigned int i;
	int rc;

	if (conf->nports > NLVS_MAX_PORTS) {
		nlvs_log_warnx("at most %d ports", NLVS_MAX_PORTS);
		return -E2BIG;
	}
	for (i = 0; i < conf->nports; i++) {
		rc = port_configure(i, &conf->ports[i]);
		nlvs_dp.nports = i + 1;
		if (rc < 0)
			return rc;
		if (!i || nlvs_dp.ports[i].mtu < nlvs_dp_mtu_min)
			nlvs_dp_mtu_min = nlvs_dp.ports[i].mtu;
	}
	nlvs_ports_link_poll();
	return 0;
}

void nlvs_ports_link_poll(void)
{
	unsigned int i;

	for (i = 0; i < nlvs_dp.nports; i++) {
		struct nlvs_port *p = &nlvs_dp.ports[i];
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(p->port_id, &link) < 0)
			continue;
		if (link.link_status == p->link_up && link.link_speed == p->link_speed)
			continue;
		if (link.link_status != p->link_up)
			nlvs_host_twin_carrier(i, link.link_status);
		p->link_up = link.link_status;
		p->link_speed = link.link_speed;
		nlvs_log_info("port %s: link %s, %u Mbps, %s duplex", p->name,
			      link.link_status ? "up" : "down", link.link_speed,
			      link.link_duplex ? "full" : "half");
	}
}

void nlvs_ports_stop(void)
{
	unsigned int i;

	for (i = 0; i < nlvs_dp.nports; i++) {
		rte_eth_dev_stop(nlvs_dp.ports[i].port_id);
		rte_eth_dev_close(nlvs_dp.ports[i].port_id);
	}
	nlvs_dp.nports = 0;
}

static void port_xstats_write(FILE *f, const struct nlvs_port *p)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *xs = NULL;
	int n, i;

	n = rte_eth_xstats_get_names(p->port_id, NULL, 0);
	if (n <= 0)
		return;
	names = calloc((size_t)n, sizeof(*names));
	xs = calloc((size_t)n, sizeof(*xs));
	if (names && xs && rte_eth_xstats_get_names(p->port_id, names, (unsigned int)n) == n &&
	    rte_eth_xstats_get(p->port_id, xs, (unsigned int)n) == n) {
		for (i = 0; i < n; i++)
			fprintf(f, "port.%s.x.%s %" PRIu64 "\n", p->name,
				names[xs[i].id].name, xs[i].value);
	}
	free(names);
	free(xs);
}

void nlvs_ports_stats_write(FILE *f)
{
	unsigned int i, q;

	for (i = 0; i < nlvs_dp.nports; i++) {
		const struct nlvs_port *p = &nlvs_dp.ports[i];
		struct rte_eth_stats s;

		fprintf(f, "port.%s.link %s\n", p->name, p->link_up ? "up" : "down");
		if (rte_eth_stats_get(p->port_id, &s) < 0)
			continue;
		fprintf(f, "port.%s.ipackets %" PRIu64 "\nport.%s.opackets %" PRIu64 "\n"
			"port.%s.ibytes %" PRIu64 "\nport.%s.obytes %" PRIu64 "\n"
			"port.%s.imissed %" PRIu64 "\nport.%s.ierrors %" PRIu64 "\n"
			"port.%s.oerrors %" PRIu64 "\nport.%s.rx_nombuf %" PRIu64 "\n",
			p->name, s.ipackets, p->name, s.opackets, p->name, s.ibytes,
			p->name, s.obytes, p->name, s.imissed, p->name, s.ierrors,
			p->name, s.oerrors, p->name, s.rx_nombuf);
		for (q = 0; q < p->nb_rxq && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++)
			fprintf(f, "port.%s.rxq%u.ipackets %" PRIu64 "\n", p->name, q,
				s.q_ipackets[q]);
		for (q = 0; q < nlvs_dp.nworkers && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++)
			fprintf(f, "port.%s.txq%u.opackets %" PRIu64 "\n", p->name, q,
				s.q_opackets[q]);
		port_xstats_write(f, p);
	}
}
