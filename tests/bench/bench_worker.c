// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dataplane benchmark through the real worker: nlvs_dp_start() brings up
 * EAL (no hugepages), two net_null ports ("client" and "rs") and one worker
 * lcore running the dataplane's own loop; a FULLNAT service with a local
 * address pool and 16 real servers is configured through the control API,
 * the calls ipvsadm ends up making.  Traffic is synthesized into the
 * worker's RX bursts and checked on its TX bursts by ethdev callbacks (see
 * bench_worker.h), so every frame takes the whole path: rx_burst, L2, IPv4
 * input, address lookup, the FULLNAT engine (schedule, local port,
 * connection table, state, rewrite), neighbour or "source in, source out"
 * output, TX buffering and the PMD's free.
 *
 * Each flow count runs in its own process (EAL starts once per process).
 * Per flow count: ARP replies prime the real servers' neighbour entries;
 * every flow's SYN is timed (new connections per second), SYN+ACK and ACK
 * complete the handshakes with every output frame checked; then random
 * established flows are timed client->RS, RS->client and both ways.  A
 * phase with any drop, any missing or wrong output frame aborts the run:
 * figures never come from a broken path.  Nothing is asserted on speed.
 *
 * usage: bench_worker [FLOWS...]	(default 65536 4194304)
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "bench_worker.h"
#include "net/nlvs_net.h"
#include "conn/nlvs_conn.h"
#include "ctl/nlvs_ctl.h"
#include "daemon/nlvs_dp.h"
#include "base/nlvs_log.h"

#define PORTS_PER_LADDR	64512u		/* 1024..65535 with one worker */

/* --no-huge implies legacy memory, which --in-memory refuses: a file
 * prefix of our own instead, and its runtime directory removed at the end */
static char eal_args[][32] = {
	"bench_worker", "--no-huge", "-m", "256", "--no-pci", "--file-prefix", "",
	"-l", "0-1", "--log-level", "lib.eal:warning", "--no-telemetry",
};
#define EAL_PREFIX_ARG	6
static char port_names[BW_SIDES][NLVS_CONF_NAME_LEN] = { "client", "rs" };
static char port_args[BW_SIDES][32] = { "net_null0,no-rx=1", "net_null1,no-rx=1" };

static void prefix_v4(struct nlvs_prefix *p, uint32_t addr, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->af = AF_INET;
	p->len = len;
	p->addr.ip = htonl(addr);
}

/* What nlvsd.conf would say: eal ..., workers 1, conn-table-size FLOWS,
 * port client/rs, address, route 10.2.0.0/24 port rs, laddr VIP 10.3.0.x. */
static int conf_build(struct nlvs_conf *c, uint32_t flows, uint32_t nladdr,
		      struct nlvs_conf_port *ports, struct nlvs_conf_addr *addrs,
		      struct nlvs_conf_route *route, struct nlvs_conf_laddr *pool)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	snprintf(eal_args[EAL_PREFIX_ARG], sizeof(eal_args[0]), "nlvs-bench-%d", (int)getpid());
	c->eal_argc = (int)(sizeof(eal_args) / sizeof(eal_args[0]));
	for (i = 0; i < (unsigned int)c->eal_argc; i++)
		c->eal_argv[i] = eal_args[i];
	c->workers = 1;
	c->idle_backoff = NLVS_IDLE_ADAPTIVE;
	c->idle_sleep_us = NLVS_IDLE_SLEEP_DEFAULT;
	c->conn_table_size = flows;
	c->mbufs = NLVS_MBUFS_DEFAULT;
	for (i = 0; i < BW_SIDES; i++) {
		memset(&ports[i], 0, sizeof(ports[i]));
		memcpy(ports[i].name, port_names[i], sizeof(ports[i].name));
		ports[i].devargs = port_args[i];
	}
	addrs[0].port = BW_SIDE_CLIENT;
	prefix_v4(&addrs[0].pfx, BW_CL_PORT_ADDR, 24);
	addrs[1].port = BW_SIDE_RS;
	prefix_v4(&addrs[1].pfx, BW_RS_PORT_ADDR, 24);
	memset(route, 0, sizeof(*route));
	prefix_v4(&route->dst, BW_RS_NET, 24);
	route->port = BW_SIDE_RS;
	memset(pool, 0, sizeof(*pool));
	pool->af = AF_INET;
	pool->vip.ip = htonl(BW_VIP);
	pool->naddrs = nladdr;
	pool->addrs = calloc(nladdr, sizeof(*pool->addrs));
	if (!pool->addrs)
		return -ENOMEM;
	for (i = 0; i < nladdr; i++)
		pool->addrs[i].ip = htonl(BW_LADDR_BASE + i);
	c->nports = BW_SIDES;
	c->ports = ports;
	c->naddrs = 2;
	c->addrs = addrs;
	c->nroutes = 1;
	c->routes = route;
	c->nladdrs = 1;
	c->laddrs = pool;
	return 0;
}

static void svc_key(struct nlvs_svc_key *k)
{
	memset(k, 0, sizeof(*k));
	k->af = AF_INET;
	k->protocol = IPPROTO_TCP;
	k->addr.ip = htonl(BW_VIP);
	k->port = htons(BW_VPORT);
}

/* ipvsadm -A -t 192.0.2.10:80 -s rr; ipvsadm -a -t ... -r 10.2.0.x:8080 -m */
static int service_add(void)
{
	struct nlvs_svc_conf sc;
	struct nlvs_dest_conf dc;
	unsigned int j;
	int rc;

	memset(&sc, 0, sizeof(sc));
	svc_key(&sc.key);
	strcpy(sc.sched_name, "rr");
	sc.flags_mask = 0xffffffff;
	sc.netmask = 0xffffffff;
	rc = nlvs_ctl_svc_add(&sc);
	for (j = 0; rc == 0 && j < BW_NRS; j++) {
		memset(&dc, 0, sizeof(dc));
		dc.af = AF_INET;
		dc.addr.ip = htonl(BW_RS_NET + BW_RS_FIRST + j);
		dc.port = htons(BW_RPORT);
		dc.fwd = NLVS_FWD_MASQ;
		dc.weight = 1;
		rc = nlvs_ctl_dest_add(&sc.key, &dc);
	}
	return rc;
}

/* ActiveConn and InActConn summed over the dests, as ipvsadm -L shows them
 * (the control thread folds the workers' counters every 50 ms). */
static void conns_count(uint64_t *active, uint64_t *inact)
{
	struct nlvs_svc_key k;
	struct nlvs_dest_info di;
	size_t cur = 0;
	struct timespec ts = { 0, 120 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	nlvs_dp_tick();
	svc_key(&k);
	*active = *inact = 0;
	while (nlvs_ctl_dest_walk(&k, &cur, &di) == 1) {
		*active += di.activeconns;
		*inact += di.inactconns;
	}
}

/* EAL leaves its runtime directory (config, fbarray files) behind. */
static void runtime_dir_remove(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* One flow count, in a child process. */
static int scenario(uint32_t flows, struct bw_result *res)
{
	struct nlvs_conf_port ports[BW_SIDES];
	struct nlvs_conf_addr addrs[2];
	struct nlvs_conf_route route;
	struct nlvs_conf_laddr pool;
	struct nlvs_conf conf;
	struct bw_run *r;
	uint64_t active, inact, npk;
	uint32_t nladdr = (flows + PORTS_PER_LADDR - 1) / PORTS_PER_LADDR + 1;
	char rundir[PATH_MAX];
	size_t heap0;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&pool, 0, sizeof(pool));
	rundir[0] = '\0';
	res->flows = flows;
	r = calloc(1, sizeof(*r));
	rc = -ENOMEM;
	if (!r || conf_build(&conf, flows, nladdr, ports, addrs, &route, &pool) < 0)
		goto out;
	r->flows = flows;
	r->nladdr = nladdr;
	r->flow = calloc(flows, sizeof(*r->flow));
	if (!r->flow)
		goto out;
	nlvs_log_init("bench_worker", 1, 0);
	rc = nlvs_ctl_init();
	if (rc == 0)
		rc = service_add();
	if (rc < 0) {
		fprintf(stderr, "bench_worker: cannot configure the service: %s\n",
			strerror(-rc));
		goto out;
	}
	heap0 = heap_bytes();
	rc = nlvs_dp_start(&conf);
	if (rc < 0) {
		fprintf(stderr, "bench_worker: dataplane start failed: %s\n", strerror(-rc));
		snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
		goto out;
	}
	res->heap = heap_bytes() - heap0;
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	res->table = nlvs_conn_tab_memsize(flows);
	res->cap = flows;
	res->hz = nlvs_dp.hz;
	res->lcore = nlvs_dp.workers[0]->lcore;
	r->mp = nlvs_dp.workers[0]->pool;
	for (rc = 0; rc < BW_SIDES; rc++) {
		r->port_id[rc] = nlvs_dp.ports[rc].port_id;
		r->port_mac[rc] = nlvs_dp.ports[rc].mac;
	}
	rc = bw_hooks_install(r);
	if (rc < 0)
		fprintf(stderr, "bench_worker: ethdev callbacks: %s\n", strerror(-rc));
	printf("%u flows: %u local addresses, connection table for %u, worker on lcore %u\n",
	       flows, nladdr, flows, res->lcore);
	if (rc == 0)
		rc = bw_phase(r, "neighbours (ARP)", BW_NONE, 0, BW_ARP, BW_NRS, BW_TX_COUNT,
			      NULL);
	if (rc == 0)
		rc = bw_phase(r, "SYN (new flows)", BW_SYN, flows, BW_NONE, 0, BW_TX_LEARN,
			      &res->ph[BW_PH_SYN]);
	if (rc == 0)
		rc = bw_phase(r, "SYN+ACK (checked)", BW_NONE, 0, BW_SYNACK, flows,
			      BW_TX_VERIFY, NULL);
	if (rc == 0)
		rc = bw_phase(r, "ACK (checked)", BW_ACK, flows, BW_NONE, 0, BW_TX_VERIFY, NULL);
	if (rc < 0)
		goto stop;
	conns_count(&active, &inact);
	printf("  ipvsadm view: ActiveConn %lu InActConn %lu\n", (unsigned long)active,
	       (unsigned long)inact);
	if (active != flows || inact) {
		fprintf(stderr, "bench_worker: %u handshakes but %lu active connections\n",
			flows, (unsigned long)active);
		rc = -EPROTO;
		goto stop;
	}
	/* random flows, as many packets as flows (at least 2 M): the whole
	 * table is the working set, and the run stays short */
	npk = flows > (2u << 20) ? flows : (2u << 20);
	rc = bw_phase(r, "established client->RS", BW_DATA, npk, BW_NONE, 0, BW_TX_COUNT,
		      &res->ph[BW_PH_IN]);
	if (rc == 0)
		rc = bw_phase(r, "established RS->client", BW_NONE, 0, BW_DATA, npk,
			      BW_TX_COUNT, &res->ph[BW_PH_OUT]);
	if (rc == 0)
		rc = bw_phase(r, "established both ways", BW_DATA, npk / 2, BW_DATA, npk / 2,
			      BW_TX_COUNT, &res->ph[BW_PH_BOTH]);
	if (rc == 0)
		rc = bw_phase(r, "established (checked)", BW_DATA, 1u << 16, BW_DATA, 1u << 16,
			      BW_TX_VERIFY, NULL);
	conns_count(&active, &inact);
	if (rc == 0 && active != flows) {
		fprintf(stderr, "bench_worker: %lu of %u flows left after the run\n",
			(unsigned long)active, flows);
		rc = -EPROTO;
	}
	res->ok = rc == 0;
stop:
	nlvs_dp_stop();
out:
	if (rundir[0])
		runtime_dir_remove(rundir);
	nlvs_ctl_fini();
	free(pool.addrs);
	if (r)
		free(r->flow);
	free(r);
	return rc;
}

static int run_child(uint32_t flows, struct bw_result *res)
{
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(fd) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(fd[0]);
		status = scenario(flows, res) == 0 ? 0 : 1;
		fflush(stdout);
		if (write(fd[1], res, sizeof(*res)) != (ssize_t)sizeof(*res))
			status = 1;
		_exit(status);
	}
	close(fd[1]);
	n = read(fd[0], res, sizeof(*res));
	close(fd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (n != (ssize_t)sizeof(*res) || !WIFEXITED(status) || WEXITSTATUS(status) || !res->ok)
		return -EPROTO;
	return 0;
}

int main(int argc, char **argv)
{
	static const uint32_t defaults[] = { 65536, 4194304 };
	struct bw_result res[8];
	unsigned int n = 0, i;
	double load[1] = { 0 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 + (int)(sizeof(res) / sizeof(res[0]))) {
		fprintf(stderr, "usage: bench_worker [FLOWS...]\n");
		return 2;
	}
	getloadavg(load, 1);
	printf("bench_worker: FULLNAT IPv4/TCP through the dataplane's worker loop, one worker,"
	       " net_null ports,\n  %d-byte frames, rr over %d real servers, load average %.2f"
	       " before the run\n", BW_FRAME_LEN, BW_NRS, load[0]);
	for (i = 0; i < (argc > 1 ? (unsigned int)argc - 1 : 2); i++) {
		uint32_t flows = argc > 1 ? (uint32_t)strtoul(argv[i + 1], NULL, 0) : defaults[i];

		if (flows < 1024 || flows > BW_MAX_FLOWS) {
			fprintf(stderr, "bench_worker: flows must be 1024 to %u\n", BW_MAX_FLOWS);
			return 2;
		}
		if (run_child(flows, &res[n]) < 0) {
			fprintf(stderr, "bench_worker: the %u-flow run failed: no figures\n",
				flows);
			return 1;
		}
		n++;
	}
	bw_report(res, n);
	return 0;
}
