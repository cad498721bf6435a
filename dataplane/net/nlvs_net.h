/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net/: ports, the worker context and its transmit path, L2, ARP/ND,
 * neighbours, routes, own addresses, ICMP echo and errors, the host path to
 * the ports' kernel twins and the host thread that serves it (this header and
 * nlvs_l3.h, the seam to the L4 engines); packet parsing, checksums, header
 * rewrite and drop reasons without DPDK (nlvs_pkt.h, nlvs_csum.h,
 * nlvs_drop.h).  net/ uses base/ and ctl/ (nlvsd.conf); conn/, lb/ and the
 * daemon use it.  It never calls the engines or the daemon: the daemon sets
 * nlvs_dp.lb_input, the engine nlvs_dp.lb_transit.
 *
 * Inside the packet path: ports, the per-worker state and the tables the
 * control thread publishes to the workers (read-only, replaced under RCU).
 * Workers own everything in their struct nlvs_worker and write nothing else.
 */
#ifndef NLVS_NET_H
#define NLVS_NET_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ctl/nlvs_conf.h"
#include "nlvs_drop.h"
#include "nlvs_l3.h"

#define NLVS_MAX_WORKERS	16
#define NLVS_MAX_PORTS		8
#define NLVS_BURST		32
#define NLVS_RING_SIZE		1024
#define NLVS_IDLE_POLLS		256	/* empty polls before the first sleep */
#define NLVS_IDLE_MIN_US	16

struct nlvs_port {
	uint16_t port_id;		/* DPDK port */
	uint16_t mtu;
	uint16_t nb_rxq;
	uint64_t tx_ol;			/* RTE_ETH_TX_OFFLOAD_* enabled */
	uint64_t rx_ol;			/* RTE_ETH_RX_OFFLOAD_* enabled */
	struct rte_ether_addr mac;
	char name[NLVS_CONF_NAME_LEN];
	int link_up;
	uint32_t link_speed;
	/* the kernel twin (host.c): a net_tap port only the host thread
	 * polls; has_twin is read by workers, set before they run */
	int has_twin;
	uint16_t twin_port;		/* DPDK port of the net_tap device */
	char twin[NLVS_CONF_IFNAME_LEN];
};

struct nlvs_rxq {
	uint16_t port;			/* index into nlvs_dp.ports */
	uint16_t queue;
};

struct nlvs_worker_stats {
	uint64_t rx, tx, handoff_in, handoff_out, ctl_tx;
	uint64_t arp_replies, nd_adverts, echo_replies, icmp_errors, neigh_requests;
	uint64_t neigh_msgs_lost, sleeps;
	/* host path: handed up to the host thread (twin), taken from it to
	 * send out of a port */
	uint64_t host_up, host_down;
	/* TSC cycles of loop turns that moved packets (one rdtsc a busy turn):
	 * the worker's load, and what a benchmark divides by its packets */
	uint64_t busy_tsc;
	/* neighbour table: replaced an idle entry, no room (not learnt, or the
	 * packet dropped), sender on no connected prefix (not learnt), freed by
	 * the sweep */
	uint64_t neigh_evicted, neigh_full, neigh_offlink, neigh_reclaimed;
	uint64_t drops[NLVS_DROP_MAX];
};

struct nlvs_neigh_table;

struct nlvs_worker {
	unsigned int id;		/* 0..nworkers-1, also the RCU thread id */
	unsigned int lcore;
	unsigned int nrxq;
	uint16_t txq;			/* this worker's TX queue on every port */
	struct nlvs_rxq rxq[NLVS_MAX_PORTS * 4];
	struct rte_mempool *pool;
	struct rte_eth_dev_tx_buffer *txb[NLVS_MAX_PORTS];
	struct rte_ring *handoff_in[NLVS_MAX_WORKERS];	/* [from]: SP/SC */
	struct rte_ring *handoff_out[NLVS_MAX_WORKERS];	/* [to] */
	struct rte_ring *ctl_ring;	/* control thread -> this worker: frames to send */
	struct rte_ring *neigh_ring;	/* other workers -> this one: learnt neighbours */
	struct rte_ring *host_up;	/* this worker -> host thread: SP/SC */
	struct rte_ring *host_down;	/* host thread -> this worker: SP/SC */
	struct nlvs_neigh_table *neigh;
	void *lb;			/* the L4 engine's per-worker state */
	/* what L3 input gave the L4 engine, passed on as one burst */
	unsigned int lb_n;
	struct rte_mbuf *lb_pkts[NLVS_BURST];
	struct nlvs_l3_info lb_l3[NLVS_BURST];
	uint64_t now;			/* TSC at the top of the loop */
	uint64_t next_timer;
	uint64_t icmp_tokens, icmp_refill;
	uint64_t host_tokens, host_refill;	/* host-rate bucket */
	unsigned int idle_polls, sleep_us;
	struct nlvs_worker_stats st;
} __rte_cache_aligned;

struct nlvs_addr_table;
struct nlvs_route_table;

#define NLVS_V6_SN_BITS		65536

/* The filter bit of the solicited-node group whose low 24 bits are @low3. */
static inline uint32_t nlvs_v6_sn_bit(const uint8_t *low3)
{
	uint32_t v = (uint32_t)low3[0] << 16 | (uint32_t)low3[1] << 8 | low3[2];

	return (v * 0x9e3779b1u) >> 16;
}

struct nlvs_dp {
	volatile int quit;
	unsigned int nworkers, nports;
	struct nlvs_port ports[NLVS_MAX_PORTS];
	struct nlvs_worker *workers[NLVS_MAX_WORKERS];
	struct rte_rcu_qsbr *qsbr;
	/* published to workers; replaced under RCU by the control thread
	 * (the address table is also edited in place: addr.c) */
	struct nlvs_addr_table *addrs;
	unsigned int addrs_port_gen;	/* bumped when a port address changes in place */
	struct nlvs_route_table *routes;
	/* read by workers, written by reload (word-sized, no ordering needed) */
	int idle_adaptive;
	unsigned int idle_max_us;
	int ip_forward;
	unsigned int host_rate;		/* packets/s per worker up the twins, 0 = any */
	int vip_neigh_kernel;		/* ARP/ND for VIPs the kernel holds only */
	unsigned int snat_rules;	/* transit traffic goes to the L4 engine */
	/* set by the engine (control thread) while it needs transit traffic:
	 * the replies of classic NAT services (no laddr pool) are routed
	 * through us to the client, not addressed to us */
	int lb_transit;
	/* set by the daemon before the workers run: the L4 engine's input */
	void (*lb_input)(struct nlvs_worker *w, struct rte_mbuf **ms,
			 const struct nlvs_l3_info *l3s, unsigned int n);
	uint64_t hz;
	/* the IPv6 solicited-node groups of our addresses, as a filter: bit
	 * nlvs_v6_sn_bit() of the group's low 24 bits is set while one of the
	 * addresses has them (addr.c edits it in place; l2.c reads it); last,
	 * away from the words every packet reads */
	uint64_t v6_sn[NLVS_V6_SN_BITS / 64];
};

extern struct nlvs_dp nlvs_dp;

static inline void nlvs_worker_drop(struct nlvs_worker *w, struct rte_mbuf *m,
				    enum nlvs_drop_reason why)
{
	w->st.drops[why]++;
	rte_pktmbuf_free(m);
}

/* net.c: hand the queued packets to the L4 engine (nlvs_dp.lb_input) */
void nlvs_worker_lb_flush(struct nlvs_worker *w);

/* L3 input: a packet for the L4 engine, queued until the end of its burst. */
static inline void nlvs_worker_lb_queue(struct nlvs_worker *w, struct rte_mbuf *m,
					const struct nlvs_l3_info *l3)
{
	if (unlikely(w->lb_n == NLVS_BURST))
		nlvs_worker_lb_flush(w);
	w->lb_pkts[w->lb_n] = m;
	w->lb_l3[w->lb_n++] = *l3;
}

/* host.c: the host path, worker side.  A packet for the host itself goes
 * up its port's kernel twin (through the host thread), bounded by host-rate
 * and the ring; without a twin it is dropped as HOST_TRAFFIC.  Consumes @m. */
void nlvs_host_input(struct nlvs_worker *w, struct rte_mbuf *m);
/* A copy of @m (ARP, ND) up the twin; @m stays the caller's. */
void nlvs_host_copy(struct nlvs_worker *w, const struct rte_mbuf *m);
/* What the host thread left for this worker to send; returns the count. */
unsigned int nlvs_host_down(struct nlvs_worker *w);
/* host_twin.c: control thread.  Create a net_tap twin for every port that
 * wants one (after nlvs_ports_start) and start the host thread; stop both. */
int nlvs_host_start(const struct nlvs_conf *conf);
void nlvs_host_stop(void);
void nlvs_host_fini(void);		/* after the ports stopped: the pool */
void nlvs_host_drops_add(uint64_t *drops);	/* the host thread's, into @drops */
void nlvs_host_twin_carrier(unsigned int idx, int up);	/* follows the port's link */
void nlvs_host_stats_write(FILE *f);
void nlvs_host_ports_write(FILE *f);

/* port.c */
int nlvs_ports_start(const struct nlvs_conf *conf);
void nlvs_ports_stop(void);
/* port_flow.c: rte_flow rules steering return traffic to its owner's queue
 * (the local ports whose bits under @owner_mask give the owning worker) */
void nlvs_ports_flow_steer(const struct nlvs_conf *conf, uint16_t owner_mask);
void nlvs_ports_flow_flush(void);
void nlvs_ports_link_poll(void);
void nlvs_ports_stats_write(FILE *f);
int nlvs_port_index(uint16_t port_id);

/* net.c */
/** Control thread: return once every worker has passed a quiescent state,
 *  so a table unpublished before the call can be freed after it. */
void nlvs_dp_rcu_synchronize(void);
void nlvs_worker_tx(struct nlvs_worker *w, uint16_t port, struct rte_mbuf *m);
/* Control thread: frames it builds leave through worker 0's TX queue. */
int nlvs_ctl_send(uint16_t port, struct rte_mbuf *m);
struct rte_mbuf *nlvs_ctl_alloc(void);

/* l2.c */
void nlvs_l2_input(struct nlvs_worker *w, struct rte_mbuf *m);
void nlvs_eth_reply(struct nlvs_worker *w, struct rte_mbuf *m);

/* route_input.c */
void nlvs_ip4_input(struct nlvs_worker *w, struct rte_mbuf *m);
void nlvs_ip6_input(struct nlvs_worker *w, struct rte_mbuf *m);

/* addr.c */
int nlvs_addrs_init(const struct nlvs_conf *conf);
void nlvs_addrs_fini(void);
int nlvs_addr_lookup(const struct nlvs_addr_table *t, int af, const void *addr, uint16_t port);
int nlvs_addr_kernel_held(const struct nlvs_addr_table *t, int af, const void *addr);
int nlvs_addr_answers(const struct nlvs_addr_table *t, int af, const void *addr, uint16_t port);
int nlvs_addr_port_source(const struct nlvs_addr_table *t, int af, uint16_t port,
			  union nlvs_addr *out);
int nlvs_addr_v6_solicited(const uint8_t *mac);
void nlvs_addrs_announce(void);
/* The kernel mirror's addresses (port addresses of port index @port), apart
 * from nlvsd.conf's and the engines': 0, -EEXIST / -ENOENT, -ENOMEM. */
int nlvs_addr_kernel_add(int af, const union nlvs_addr *addr, uint8_t plen, uint16_t port);
int nlvs_addr_kernel_del(int af, const union nlvs_addr *addr);
void nlvs_addrs_write(FILE *f);

/* route.c: the control thread sets the routes of each origin and publishes
 * a table built from both (the old one freed after RCU). */
struct nlvs_route;
int nlvs_routes_config_publish(const struct nlvs_conf *conf);
int nlvs_routes_kernel_set(const struct nlvs_route *rs, unsigned int n);
int nlvs_routes_publish(void);
void nlvs_routes_free(struct nlvs_route_table *t);
void nlvs_routes_fini(void);
void nlvs_routes_write(FILE *f);
int nlvs_route_lookup(const struct nlvs_route_table *t, int af, const void *dst,
		      uint16_t *port, union nlvs_addr *nexthop);
int nlvs_route_onlink(const struct nlvs_route_table *t, int af, const void *addr,
		      uint16_t port);

/* neigh.c */
extern unsigned int nlvs_neigh_entries;	/* per worker, set before the workers exist */
struct nlvs_neigh_table *nlvs_neigh_create(unsigned int worker);
void nlvs_neigh_destroy(struct nlvs_neigh_table *t);
void nlvs_neigh_learn(struct nlvs_worker *w, int af, const void *addr, uint16_t port,
		      const struct rte_ether_addr *mac, int create, int broadcast);
void nlvs_neigh_msgs(struct nlvs_worker *w);
void nlvs_neigh_timer(struct nlvs_worker *w);
void nlvs_neigh_stats(const struct nlvs_neigh_table *t, unsigned int *used, unsigned int *size);
void nlvs_neigh_write(FILE *f);

/* neigh_arp.c / neigh_nd.c */
void nlvs_arp_input(struct nlvs_worker *w, struct rte_mbuf *m);
int nlvs_arp_request(struct nlvs_worker *w, uint16_t port, const void *target);
struct rte_mbuf *nlvs_arp_build(struct rte_mempool *mp, uint16_t port, uint16_t op,
				const void *sip, const void *tip,
				const struct rte_ether_addr *tha);
void nlvs_nd_input(struct nlvs_worker *w, struct rte_mbuf *m, uint32_t l4_off);
int nlvs_nd_solicit(struct nlvs_worker *w, uint16_t port, const void *target);
struct rte_mbuf *nlvs_nd_advert_build(struct rte_mempool *mp, uint16_t port,
				      const void *target);

/* icmp_echo.c */
void nlvs_icmp4_echo(struct nlvs_worker *w, struct rte_mbuf *m, uint32_t l4_off);
void nlvs_icmp6_echo(struct nlvs_worker *w, struct rte_mbuf *m, uint32_t l4_off);

#endif /* NLVS_NET_H */
