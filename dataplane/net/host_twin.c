// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel twins and the host thread.  Every port that wants one gets a
 * net_tap device: a kernel TAP interface named after the port (or as its
 * "twin" option says) with the port's MAC and MTU, in nlvsd's network
 * namespace.  The TAP file descriptors belong to nlvsd: when it exits, even
 * killed, the kernel closes them and the interfaces disappear with their
 * addresses and routes.
 *
 * One host thread (a DPDK control thread, not a worker lcore) moves the
 * packets: from each worker's host_up ring into the twin of the packet's
 * port, and from each twin into the host_down ring of the worker that owns
 * the port's host traffic (port index modulo workers), which sends it on
 * its own TX queue, since ports have exactly one TX queue per worker.  It is
 * the only consumer of the up rings and the only producer of the down
 * rings.  Idle, it sleeps in ppoll() on the twins' descriptors, so what the
 * kernel sends wakes it at once, and it backs off like the workers so an
 * idle host path costs next to nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "nlvs_net.h"
#include "base/nlvs_log.h"

#define TWIN_DESC	1024
#define HOST_MBUFS	4095
#define HOST_IDLE_POLLS	64	/* empty rounds before the first sleep */
/* longest idle sleep, us, when the workers never sleep (idle-backoff off or
 * idle-sleep-us 0); otherwise the workers' own: what the kernel sends wakes
 * the thread at once, what the workers queue waits for the end of a sleep
 * (200 us cost 4 % of a CPU idle, the workers' 1 ms about 1 %) */
#define HOST_SLEEP_MAX	200

static struct {
	pthread_t thread;
	int running;
	volatile int quit;
	struct rte_mempool *pool;	/* what the host thread reads from twins */
	struct pollfd pfd[NLVS_MAX_PORTS];
	unsigned int npfd;
	int fd[NLVS_MAX_PORTS];		/* a TAP descriptor per port, -1 none */
	/* written by the host thread only, read by the control thread */
	uint64_t up, from_kernel, sleeps;
	uint64_t drops[NLVS_DROP_MAX];
} host;

/* Worker @w's up ring into the twins; returns how many it took. */
static unsigned int host_up_drain(struct nlvs_worker *w)
{
	struct rte_mbuf *pkts[NLVS_BURST];
	unsigned int n, i, j, sent;

	n = rte_ring_sc_dequeue_burst(w->host_up, (void **)pkts, NLVS_BURST, NULL);
	/* runs of the same port go to its twin as one burst */
	for (i = 0; i < n; i = j) {
		uint16_t port = pkts[i]->port;

		for (j = i + 1; j < n && pkts[j]->port == port; j++)
			;
		sent = rte_eth_tx_burst(nlvs_dp.ports[port].twin_port, 0, &pkts[i],
					(uint16_t)(j - i));
		host.up += sent;
		if (sent < j - i) {
			host.drops[NLVS_DROP_EXCEPTION_FULL] += j - i - sent;
			rte_pktmbuf_free_bulk(&pkts[i + sent], j - i - sent);
		}
	}
	return n;
}

/* What the kernel sent out of the twin of port index @p, to a worker. */
static unsigned int host_down_read(unsigned int p)
{
	struct nlvs_worker *w = nlvs_dp.workers[p % nlvs_dp.nworkers];
	struct rte_mbuf *pkts[NLVS_BURST];
	unsigned int n, i, q;

	n = rte_eth_rx_burst(nlvs_dp.ports[p].twin_port, 0, pkts, NLVS_BURST);
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		pkts[i]->port = (uint16_t)p;
	q = rte_ring_sp_enqueue_burst(w->host_down, (void **)pkts, n, NULL);
	host.from_kernel += q;
	if (q < n) {
		host.drops[NLVS_DROP_HOST_DOWN_FULL] += n - q;
		rte_pktmbuf_free_bulk(&pkts[q], n - q);
	}
	return n;
}

/* Sleep @us, woken early by a twin's descriptor when @poll_fds; returns 1
 * when a descriptor woke it. */
static int host_sleep(unsigned int us, int poll_fds)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000 };
	unsigned int i;
	int rc = 0;

	for (i = 0; i < host.npfd; i++)
		host.pfd[i].revents = 0;
	if (host.npfd && poll_fds)
		rc = ppoll(host.pfd, host.npfd, &ts, NULL);
	else
		nanosleep(&ts, NULL);
	host.sleeps++;
	return rc > 0;
}

static void *host_main(void *arg)
{
	unsigned int idle = 0, sleep_us = NLVS_IDLE_MIN_US, i, n, max;
	int woken = 0;

	(void)arg;
	while (!host.quit) {
		n = 0;
		for (i = 0; i < nlvs_dp.nworkers; i++)
			n += host_up_drain(nlvs_dp.workers[i]);
		for (i = 0; i < nlvs_dp.nports; i++)
			if (nlvs_dp.ports[i].has_twin)
				n += host_down_read(i);
		if (n) {
			idle = 0;
			woken = 0;
			sleep_us = NLVS_IDLE_MIN_US;
			continue;
		}
		if (++idle < HOST_IDLE_POLLS)
			continue;
		/* net_tap reads a queue only once its signal-driven trigger
		 * has fired: a descriptor that is readable but gave nothing
		 * would wake ppoll() at once, again and again, so the sleep
		 * after such a wake-up ignores the descriptors */
		woken = host_sleep(sleep_us, !woken);
		max = nlvs_dp.idle_adaptive && nlvs_dp.idle_max_us ? nlvs_dp.idle_max_us :
		      HOST_SLEEP_MAX;
		sleep_us = sleep_us * 2 > max ? max : sleep_us * 2;
	}
	return NULL;
}

/* The twin of port index @idx has carrier while the port has link, so the
 * kernel, keepalived (interface tracking) and routing daemons see a cable
 * pulled from the port; the interface stays administratively up and keeps
 * its addresses and routes. */
void nlvs_host_twin_carrier(unsigned int idx, int up)
{
	int on = !!up;

	if (idx >= nlvs_dp.nports || !nlvs_dp.ports[idx].has_twin || host.fd[idx] < 0)
		return;
	if (ioctl(host.fd[idx], TUNSETCARRIER, &on) < 0)
		nlvs_log_warn("twin %s: carrier %s", nlvs_dp.ports[idx].twin, on ? "on" : "off");
}

/* The net_tap device of port index @idx, started, its RX descriptor polled. */
static int twin_create(unsigned int idx)
{
	struct nlvs_port *p = &nlvs_dp.ports[idx];
	char name[RTE_ETH_NAME_MAX_LEN], devargs[256];
	struct rte_eth_conf ec;
	int rc, fd;

	snprintf(name, sizeof(name), "net_tap_nlvs%u", idx);
	snprintf(devargs, sizeof(devargs), "%s,iface=%s,mac=" RTE_ETHER_ADDR_PRT_FMT, name,
		 p->twin, RTE_ETHER_ADDR_BYTES(&p->mac));
	rc = rte_dev_probe(devargs);
	if (rc < 0 || rte_eth_dev_get_port_by_name(name, &p->twin_port) < 0) {
		nlvs_log_warnx("port %s: cannot create its twin %s (net_tap: /dev/net/tun, "
			       "CAP_NET_ADMIN, a free name?): %s", p->name, p->twin,
			       strerror(rc < 0 ? -rc : ENODEV));
		return rc < 0 ? rc : -ENODEV;
	}
	memset(&ec, 0, sizeof(ec));
	/* the queue's descriptor is the TAP file: ppoll() wakes on it */
	ec.intr_conf.rxq = 1;
	rc = rte_eth_dev_configure(p->twin_port, 1, 1, &ec);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(p->twin_port, 0, TWIN_DESC,
					    rte_eth_dev_socket_id(p->twin_port), NULL, host.pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(p->twin_port, 0, TWIN_DESC,
					    rte_eth_dev_socket_id(p->twin_port), NULL);
	if (rc == 0 && (rc = rte_eth_dev_set_mtu(p->twin_port, p->mtu)) < 0)
		nlvs_log_warnx("twin %s: mtu %u: %s", p->twin, p->mtu, strerror(-rc));
	if (rc == 0)
		rc = rte_eth_dev_start(p->twin_port);
	if (rc < 0) {
		nlvs_log_warnx("twin %s: set-up: %s", p->twin, strerror(-rc));
		rte_eth_dev_close(p->twin_port);
		return rc;
	}
	/* multicast for the kernel's groups (VRRP, MLD) comes from the port */
	rte_eth_allmulticast_enable(p->twin_port);
	fd = rte_eth_dev_rx_intr_ctl_q_get_fd(p->twin_port, 0);
	host.fd[idx] = fd;
	if (fd >= 0) {
		host.pfd[host.npfd].fd = fd;
		host.pfd[host.npfd++].events = POLLIN;
	} else {
		nlvs_log_warnx("twin %s: no descriptor to wait on; the host thread polls",
			       p->twin);
	}
	p->has_twin = 1;
	nlvs_host_twin_carrier(idx, p->link_up);
	nlvs_log_info("port %s: kernel twin %s, " RTE_ETHER_ADDR_PRT_FMT ", mtu %u", p->name,
		      p->twin, RTE_ETHER_ADDR_BYTES(&p->mac), p->mtu);
	return 0;
}

int nlvs_host_start(const struct nlvs_conf *conf)
{
	unsigned int i, ntwins = 0;
	int rc;

	nlvs_dp.host_rate = conf->host_rate;
	for (i = 0; i < NLVS_MAX_PORTS; i++)
		host.fd[i] = -1;
	for (i = 0; i < conf->nports && i < nlvs_dp.nports; i++) {
		snprintf(nlvs_dp.ports[i].twin, sizeof(nlvs_dp.ports[i].twin), "%s",
			 conf->ports[i].twin);
		ntwins += conf->ports[i].twin[0] != '\0';
	}
	if (!ntwins)
		return 0;
	host.pool = rte_pktmbuf_pool_create("nlvs_host_pool", HOST_MBUFS, 32, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!host.pool) {
		nlvs_log_warnx("host path: mbuf pool: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < nlvs_dp.nports; i++) {
		if (!nlvs_dp.ports[i].twin[0])
			continue;
		rc = twin_create(i);
		if (rc < 0)
			return rc;
	}
	host.quit = 0;
	rc = rte_ctrl_thread_create(&host.thread, "nlvs-host", NULL, host_main, NULL);
	if (rc != 0) {
		nlvs_log_warnx("host path: thread: %s", strerror(rc));
		return -rc;
	}
	host.running = 1;
	return 0;
}

/* Host thread and twins away (the interfaces vanish); the workers have
 * stopped.  The pool stays until nlvs_host_fini(): ports may still hold
 * its mbufs in their TX rings. */
void nlvs_host_stop(void)
{
	unsigned int i;
	void *m;

	if (host.running) {
		host.quit = 1;
		pthread_join(host.thread, NULL);
		host.running = 0;
	}
	for (i = 0; i < nlvs_dp.nports; i++) {
		struct nlvs_port *p = &nlvs_dp.ports[i];

		if (!p->has_twin)
			continue;
		p->has_twin = 0;
		host.fd[i] = -1;
		rte_eth_dev_stop(p->twin_port);
		rte_eth_dev_close(p->twin_port);
	}
	host.npfd = 0;
	for (i = 0; i < nlvs_dp.nworkers; i++) {
		if (!nlvs_dp.workers[i]->host_down)
			continue;
		while (rte_ring_sc_dequeue(nlvs_dp.workers[i]->host_down, &m) == 0)
			rte_pktmbuf_free(m);
	}
}

void nlvs_host_fini(void)
{
	rte_mempool_free(host.pool);
	host.pool = NULL;
}

void nlvs_host_drops_add(uint64_t *drops)
{
	unsigned int r;

	for (r = 0; r < NLVS_DROP_MAX; r++)
		drops[r] += host.drops[r];
}

/* Counters of the host path as "name value" lines (nlvsctl stats). */
void nlvs_host_stats_write(FILE *f)
{
	uint64_t queued = 0, down = 0;
	unsigned int i;

	for (i = 0; i < nlvs_dp.nworkers; i++) {
		queued += nlvs_dp.workers[i]->st.host_up;
		down += nlvs_dp.workers[i]->st.host_down;
	}
	fprintf(f, "host.up %" PRIu64 "\nhost.up_queued %" PRIu64 "\nhost.down %" PRIu64
		"\nhost.down_read %" PRIu64 "\nhost.sleeps %" PRIu64 "\n", host.up, queued, down,
		host.from_kernel, host.sleeps);
	for (i = 0; i < nlvs_dp.nports; i++) {
		const struct nlvs_port *p = &nlvs_dp.ports[i];
		struct rte_eth_stats s;

		if (!p->has_twin || rte_eth_stats_get(p->twin_port, &s) < 0)
			continue;
		fprintf(f, "port.%s.twin.up %" PRIu64 "\nport.%s.twin.down %" PRIu64
			"\nport.%s.twin.errors %" PRIu64 "\n", p->name, s.opackets, p->name,
			s.ipackets, p->name, s.oerrors);
	}
}

/* One line per port: the port, its link, its twin (nlvsctl ports). */
void nlvs_host_ports_write(FILE *f)
{
	unsigned int i;

	fprintf(f, "%-12s %-5s %-17s %-5s %-13s %-15s %-5s %s\n", "PORT", "DPDK", "MAC",
		"MTU", "LINK", "TWIN", "TWIN-LINK", "UP/DOWN");
	for (i = 0; i < nlvs_dp.nports; i++) {
		const struct nlvs_port *p = &nlvs_dp.ports[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE], link[32], twin_link[16] = "-", ud[48] = "-";
		struct rte_eth_link tl;
		struct rte_eth_stats s;

		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		snprintf(link, sizeof(link), "%s %uM", p->link_up ? "up" : "down", p->link_speed);
		if (p->has_twin) {
			if (rte_eth_link_get_nowait(p->twin_port, &tl) == 0)
				snprintf(twin_link, sizeof(twin_link), "%s",
					 tl.link_status ? "up" : "down");
			if (rte_eth_stats_get(p->twin_port, &s) == 0)
				snprintf(ud, sizeof(ud), "%" PRIu64 "/%" PRIu64, s.opackets,
					 s.ipackets);
		}
		fprintf(f, "%-12s %-5u %-17s %-5u %-13s %-15s %-9s %s\n", p->name, p->port_id,
			mac, p->mtu, link, p->has_twin ? p->twin : "off", twin_link, ud);
	}
}
