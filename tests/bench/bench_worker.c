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
 * Besides FULLNAT IPv4 at each flow count: FULLNAT IPv6 and SNAT IPv4
 * established (64 K flows), RS->client packets arriving on the worker that
 * does not own their local port and handed over (two workers), plain
 * IPv4 forwarding through the same loop (parse, route, neighbour, MAC
 * rewrite), the baseline an L4 engine adds to, and established FULLNAT
 * IPv4 both ways with 1 and with 2 workers, each flow's frames on the
 * queues of the worker that owns it, as RSS would spread them (flow i on
 * worker i % N: its SYN there picks a local port of that worker's, so its
 * replies come back to it; a hand-off aborts the run).
 *
 * usage: bench_worker [--tiny] [--huge] [--workers-only] [--kv FILE]
 *		       [--only in|out|both|fwd|new] [FLOWS...]
 *	FLOWS: FULLNAT IPv4 flow counts (default 65536 262144 1048576 4194304);
 *	--tiny: 1024 and 2048 flows and 64 K packets a phase (a smoke run);
 *	--huge: EAL on 2 MiB hugepages (reserved by the caller);
 *	--workers-only: only the runs with more than one worker in mind
 *	(hand-off, RSS over 1 and 2 workers);
 *	--kv FILE: the figures as "key value" lines, for bench.json;
 *	--only in|out|both|fwd|new: for perf, only that phase of FULLNAT IPv4
 *	at the first flow count (after the handshakes), eight times as long;
 *	new: only the handshakes.
 * env BENCH_LCORES: an EAL --lcores map for the one-worker runs (e.g.
 *	"0@1,1@0": the worker on CPU 0), when another run holds CPU 1.
 */
#include <dirent.h>
#include <inttypes.h>
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
	"bench_worker", "--no-pci", "--log-level", "lib.eal:warning", "--no-telemetry",
	"-m", "256", "-l", "0-1", "--no-huge", "--file-prefix", "",
};
#define EAL_LCORES_ARG	8
#define EAL_NOHUGE_ARGS	9	/* the last three; hugepages: --in-memory instead */
#define EAL_PREFIX_ARG	11
static int use_huge;
static const char *only;		/* --only: one phase, for perf */
static char port_names[BW_SIDES][NLVS_CONF_NAME_LEN] = { "client", "rs" };
static char port_args[BW_SIDES][32] = { "net_null0,no-rx=1", "net_null1,no-rx=1" };

static void prefix_v4(struct nlvs_prefix *p, uint32_t addr, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->af = AF_INET;
	p->len = len;
	p->addr.ip = htonl(addr);
}

static void prefix_v6(struct nlvs_prefix *p, unsigned int net, uint32_t host, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->af = AF_INET6;
	p->len = len;
	bw_addr6(p->addr.b, net, host);
}

struct bw_conf {
	struct nlvs_conf c;
	struct nlvs_conf_port ports[BW_SIDES];
	struct nlvs_conf_addr addrs[4];
	struct nlvs_conf_route route[2];
	struct nlvs_conf_laddr pool;
	struct nlvs_conf_snat snat;
};

/* What nlvsd.conf would say: eal ..., workers N, conn-table-size FLOWS
 * (FULLNAT IPv6: conn-table-ipv6 FLOWS and the least conn-table-size),
 * ip-forward on, port client/rs, addresses, routes to the RS networks, and
 * a local-address pool for the VIP (FULLNAT) or a snat-rule (SNAT). */
static int conf_build(struct bw_conf *b, enum bw_mode mode, uint32_t flows, uint32_t nladdr,
		      unsigned int workers)
{
	struct nlvs_conf *c = &b->c;
	unsigned int i;

	memset(b, 0, sizeof(*b));
	snprintf(eal_args[EAL_PREFIX_ARG], sizeof(eal_args[0]), "nlvs-bench-%d", (int)getpid());
	/* two cores: a second worker shares CPU 0 with the (sleeping) main
	 * lcore.  BENCH_LCORES (an EAL --lcores map for the one-worker runs,
	 * e.g. "0@1,1@0") moves the worker off a CPU another run holds. */
	if (workers > 1) {
		strcpy(eal_args[EAL_LCORES_ARG - 1], "--lcores");
		strcpy(eal_args[EAL_LCORES_ARG], "0@0,1@1,2@0");
	} else if (getenv("BENCH_LCORES")) {
		strcpy(eal_args[EAL_LCORES_ARG - 1], "--lcores");
		snprintf(eal_args[EAL_LCORES_ARG], sizeof(eal_args[0]), "%s",
			 getenv("BENCH_LCORES"));
	}
	c->eal_argc = use_huge ? EAL_NOHUGE_ARGS + 1 : (int)(sizeof(eal_args) / sizeof(eal_args[0]));
	if (use_huge)
		strcpy(eal_args[EAL_NOHUGE_ARGS], "--in-memory");
	for (i = 0; i < (unsigned int)c->eal_argc; i++)
		c->eal_argv[i] = eal_args[i];
	c->workers = workers;
	c->idle_backoff = NLVS_IDLE_ADAPTIVE;
	c->idle_sleep_us = NLVS_IDLE_SLEEP_DEFAULT;
	c->conn_table_size = flows;
	if (mode == BW_M_FNAT6) {
		c->conn_table_size = 1024;
		c->conn_table_ipv6 = flows;
		c->conn_table_ipv6_set = 1;
	}
	c->mbufs = NLVS_MBUFS_DEFAULT;
	c->ip_forward = 1;
	for (i = 0; i < BW_SIDES; i++) {
		memcpy(b->ports[i].name, port_names[i], sizeof(b->ports[i].name));
		b->ports[i].devargs = port_args[i];
	}
	b->addrs[0].port = BW_SIDE_CLIENT;
	prefix_v4(&b->addrs[0].pfx, BW_CL_PORT_ADDR, 24);
	b->addrs[1].port = BW_SIDE_RS;
	prefix_v4(&b->addrs[1].pfx, BW_RS_PORT_ADDR, 24);
	b->addrs[2].port = BW_SIDE_CLIENT;
	prefix_v6(&b->addrs[2].pfx, 0x1, 1, 64);
	b->addrs[3].port = BW_SIDE_RS;
	prefix_v6(&b->addrs[3].pfx, 0x3, 1, 64);
	prefix_v4(&b->route[0].dst, BW_RS_NET, 24);
	b->route[0].port = BW_SIDE_RS;
	prefix_v6(&b->route[1].dst, 0x3, 0, 64);
	b->route[1].port = BW_SIDE_RS;
	c->nports = BW_SIDES;
	c->ports = b->ports;
	c->naddrs = 4;
	c->addrs = b->addrs;
	c->nroutes = 2;
	c->routes = b->route;
	if (mode == BW_M_SNAT4) {
		/* snat-rule mark 1 from 100.64.0.0/10 in client */
		b->snat.mark = 1;
		b->snat.af = AF_INET;
		b->snat.has_from = 1;
		prefix_v4(&b->snat.from, BW_CLIENT_NET, 10);
		b->snat.in_port = BW_SIDE_CLIENT;
		b->snat.out_port = NLVS_CONF_PORT_ANY;
		c->nsnat = 1;
		c->snat = &b->snat;
		return 0;
	}
	b->pool.af = mode == BW_M_FNAT6 ? AF_INET6 : AF_INET;
	if (mode == BW_M_FNAT6)
		bw_addr6(b->pool.vip.b, 0x2, 0x10);
	else
		b->pool.vip.ip = htonl(BW_VIP);
	b->pool.naddrs = nladdr;
	b->pool.addrs = calloc(nladdr, sizeof(*b->pool.addrs));
	if (!b->pool.addrs)
		return -ENOMEM;
	for (i = 0; i < nladdr; i++)
		if (mode == BW_M_FNAT6)
			bw_addr6(b->pool.addrs[i].b, 0x4, 1 + i);
		else
			b->pool.addrs[i].ip = htonl(BW_LADDR_BASE + i);
	c->nladdrs = 1;
	c->laddrs = &b->pool;
	return 0;
}

static void svc_key(struct nlvs_svc_key *k, enum bw_mode mode)
{
	memset(k, 0, sizeof(*k));
	k->protocol = IPPROTO_TCP;
	switch (mode) {
	case BW_M_FNAT4:
		k->af = AF_INET;
		k->addr.ip = htonl(BW_VIP);
		k->port = htons(BW_VPORT);
		break;
	case BW_M_FNAT6:
		k->af = AF_INET6;
		bw_addr6(k->addr.b, 0x2, 0x10);
		k->port = htons(BW_VPORT);
		break;
	case BW_M_SNAT4:
		k->af = AF_INET;
		k->fwmark = 1;
		break;
	}
}

/* FULLNAT: ipvsadm -A -t VIP:80 -s rr; ipvsadm -a -t VIP:80 -r RS:8080 -m
 * for 16 RS.  SNAT: ipvsadm -A -f 1 -s rr; ipvsadm -a -f 1 -r EGRESS -m for
 * @negress egress addresses. */
static int service_add(enum bw_mode mode, unsigned int negress)
{
	struct nlvs_svc_conf sc;
	struct nlvs_dest_conf dc;
	unsigned int j, n = mode == BW_M_SNAT4 ? negress : BW_NRS;
	int rc;

	memset(&sc, 0, sizeof(sc));
	svc_key(&sc.key, mode);
	strcpy(sc.sched_name, "rr");
	sc.flags_mask = 0xffffffff;
	sc.netmask = mode == BW_M_FNAT6 ? 128 : 0xffffffff;
	rc = nlvs_ctl_svc_add(&sc);
	for (j = 0; rc == 0 && j < n; j++) {
		memset(&dc, 0, sizeof(dc));
		dc.af = sc.key.af;
		if (mode == BW_M_FNAT6)
			bw_addr6(dc.addr.b, 0x3, BW_RS_FIRST + j);
		else if (mode == BW_M_SNAT4)
			dc.addr.ip = htonl(BW_EGRESS_BASE + j);
		else
			dc.addr.ip = htonl(BW_RS_NET + BW_RS_FIRST + j);
		dc.port = mode == BW_M_SNAT4 ? 0 : htons(BW_RPORT);
		dc.fwd = NLVS_FWD_MASQ;
		dc.weight = 1;
		rc = nlvs_ctl_dest_add(&sc.key, &dc);
	}
	return rc;
}

/* ActiveConn and InActConn summed over the dests, as ipvsadm -L shows them
 * (the control thread folds the workers' counters every 50 ms). */
static void conns_count(enum bw_mode mode, uint64_t *active, uint64_t *inact)
{
	struct nlvs_svc_key k;
	struct nlvs_dest_info di;
	size_t cur = 0;
	struct timespec ts = { 0, 120 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	nlvs_dp_tick();
	svc_key(&k, mode);
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

static int tiny, workers_only;

/* What a run measures after the handshakes. */
enum bw_case {
	BW_C_EST,	/* established traffic each way and both ways, one worker */
	BW_C_EST_FWD,	/* the same, and plain IPv4 forwarding */
	BW_C_HANDOFF,	/* two workers: RS->client on the owner's and on the other queue */
	BW_C_RSS,	/* every worker: both ways, each flow on its owner's queues */
};

/* The timed and checked phases after the handshakes. */
static int established(struct bw_run *r, struct bw_result *res, uint32_t flows,
		       enum bw_case what)
{
	/* random flows, as many packets as flows (at least 2 M): the whole
	 * table is the working set, and the run stays short */
	uint64_t npk = tiny ? 1u << 16 : flows > (2u << 20) ? flows : (2u << 20);
	int rc = 0;

	if (what == BW_C_RSS) {
		/* the same traffic as "established both ways", spread */
		rc = bw_phase_rss(r, "both ways, RSS", BW_DATA, npk / 2, BW_DATA, npk / 2,
				  BW_TX_COUNT, &res->ph[BW_PH_RSS]);
		if (rc == 0)
			rc = bw_phase_rss(r, "RSS (checked)", BW_DATA, 1u << 16, BW_DATA, 1u << 16,
					  BW_TX_VERIFY, NULL);
		return rc;
	}
	if (what == BW_C_HANDOFF) {
		/* RS->client frames on the worker that owns their local port,
		 * then on the other one, which hands them over */
		rc = bw_phase_q(r, "RS->client, own worker", 0, BW_NONE, 0, BW_DATA, npk,
				BW_TX_COUNT, &res->ph[BW_PH_OUT_LOCAL]);
		if (rc == 0)
			rc = bw_phase_q(r, "RS->client, handed over", 1, BW_NONE, 0, BW_DATA, npk,
					BW_TX_COUNT, &res->ph[BW_PH_OUT_HANDOFF]);
		if (rc == 0 && res->ph[BW_PH_OUT_HANDOFF].handoffs != npk) {
			fprintf(stderr, "bench_worker: %" PRIu64 " of %" PRIu64 " frames handed over\n",
				res->ph[BW_PH_OUT_HANDOFF].handoffs, npk);
			rc = -EPROTO;
		}
		if (rc == 0)
			rc = bw_phase_q(r, "handed over (checked)", 1, BW_NONE, 0, BW_DATA, 1u << 16,
					BW_TX_VERIFY, NULL);
		return rc;
	}
	if (only && !strcmp(only, "new"))
		return 0;	/* the SYNs (and their answers) were all */
	if (only) {
		npk *= 8;	/* the profile is the phase's, not the setup's */
		if (!strcmp(only, "in"))
			return bw_phase(r, "established client->RS", BW_DATA, npk, BW_NONE, 0,
					BW_TX_COUNT, &res->ph[BW_PH_IN]);
		if (!strcmp(only, "out"))
			return bw_phase(r, "established RS->client", BW_NONE, 0, BW_DATA, npk,
					BW_TX_COUNT, &res->ph[BW_PH_OUT]);
		if (!strcmp(only, "both"))
			return bw_phase(r, "established both ways", BW_DATA, npk / 2, BW_DATA,
					npk / 2, BW_TX_COUNT, &res->ph[BW_PH_BOTH]);
		return bw_phase(r, "plain IPv4 forwarding", BW_FWD, npk, BW_NONE, 0, BW_TX_COUNT,
				&res->ph[BW_PH_FWD]);
	}
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
	if (rc == 0 && what == BW_C_EST_FWD)
		rc = bw_phase(r, "plain IPv4 forwarding", BW_FWD, npk, BW_NONE, 0, BW_TX_COUNT,
			      &res->ph[BW_PH_FWD]);
	return rc;
}

/* One run (engine, flow count, workers), in a child process. */
static int scenario(enum bw_mode mode, uint32_t flows, unsigned int workers, enum bw_case what,
		    struct bw_result *res)
{
	/* the handshakes on worker 0's queues, or on their flows' owners' */
	int (*const hs)(struct bw_run *, const char *, enum bw_kind, uint64_t, enum bw_kind,
			uint64_t, int, struct bw_phase_res *) =
		what == BW_C_RSS ? bw_phase_rss : bw_phase;
	struct bw_conf *bc;
	struct bw_run *r;
	uint64_t active, inact;
	uint32_t per_laddr = PORTS_PER_LADDR / workers;
	uint32_t nladdr = (flows + per_laddr - 1) / per_laddr + 1, cap4, cap6;
	char rundir[PATH_MAX];
	size_t heap0;
	unsigned int q;
	int rc;

	memset(res, 0, sizeof(*res));
	rundir[0] = '\0';
	res->mode = mode;
	res->flows = flows;
	res->workers = workers;
	r = calloc(1, sizeof(*r));
	bc = calloc(1, sizeof(*bc));
	rc = -ENOMEM;
	if (!r || !bc || conf_build(bc, mode, flows, nladdr, workers) < 0)
		goto out;
	r->mode = mode;
	r->flows = flows;
	r->nladdr = nladdr;
	r->nq = workers;
	r->laddr_base = mode == BW_M_SNAT4 ? BW_EGRESS_BASE : BW_LADDR_BASE;
	r->frame_len = mode == BW_M_FNAT6 ? BW_FRAME6_LEN : BW_FRAME_LEN;
	r->flow = calloc(flows, sizeof(*r->flow));
	if (!r->flow)
		goto out;
	nlvs_log_init("bench_worker", 1, 0);
	rc = nlvs_ctl_init();
	if (rc == 0)
		rc = service_add(mode, nladdr);
	if (rc < 0) {
		fprintf(stderr, "bench_worker: cannot configure the service: %s\n",
			strerror(-rc));
		goto out;
	}
	heap0 = heap_bytes();
	rc = nlvs_dp_start(&bc->c);
	if (rc < 0) {
		fprintf(stderr, "bench_worker: dataplane start failed: %s\n", strerror(-rc));
		if (!use_huge)
			snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
		goto out;
	}
	/* the connection table is mmap'd (huge pages), outside malloc's books */
	nlvs_conf_conn_tables(&bc->c, &cap4, &cap6);
	res->table = nlvs_conn_tab_memsize(cap4, cap6);
	res->heap = heap_bytes() - heap0 + res->table;
	if (!use_huge)
		snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	res->huge = rte_eal_has_hugepages();
	res->cap = flows;
	res->hz = nlvs_dp.hz;
	res->lcore = nlvs_dp.workers[0]->lcore;
	for (q = 0; q < workers; q++)
		r->mp[q] = nlvs_dp.workers[q]->pool;
	for (rc = 0; rc < BW_SIDES; rc++) {
		r->port_id[rc] = nlvs_dp.ports[rc].port_id;
		r->port_mac[rc] = nlvs_dp.ports[rc].mac;
	}
	rc = bw_hooks_install(r);
	if (rc < 0)
		fprintf(stderr, "bench_worker: ethdev callbacks: %s\n", strerror(-rc));
	printf("%s, %u flows, %u worker(s): %u %s addresses, connection table for %u,"
	       " EAL on %s\n", mode == BW_M_FNAT4 ? "FULLNAT IPv4" : mode == BW_M_FNAT6 ?
	       "FULLNAT IPv6" : "SNAT IPv4", flows, workers, nladdr,
	       mode == BW_M_SNAT4 ? "egress" : "local", flows,
	       res->huge ? "2 MiB hugepages" : "4 KiB pages");
	if (rc == 0)
		rc = bw_phase(r, mode == BW_M_FNAT6 ? "neighbours (NA)" : "neighbours (ARP)",
			      BW_NONE, 0, BW_ARP, BW_NRS, BW_TX_COUNT, NULL);
	if (rc == 0)
		rc = hs(r, "SYN (new flows)", BW_SYN, flows, BW_NONE, 0, BW_TX_LEARN,
			what == BW_C_RSS ? NULL : &res->ph[BW_PH_SYN]);
	if (rc == 0)
		rc = hs(r, "SYN+ACK (checked)", BW_NONE, 0, BW_SYNACK, flows, BW_TX_VERIFY, NULL);
	if (rc == 0)
		rc = hs(r, "ACK (checked)", BW_ACK, flows, BW_NONE, 0, BW_TX_VERIFY, NULL);
	if (rc < 0)
		goto stop;
	conns_count(mode, &active, &inact);
	printf("  ipvsadm view: ActiveConn %lu InActConn %lu\n", (unsigned long)active,
	       (unsigned long)inact);
	if (active != flows || inact) {
		fprintf(stderr, "bench_worker: %u handshakes but %lu active connections\n",
			flows, (unsigned long)active);
		rc = -EPROTO;
		goto stop;
	}
	rc = established(r, res, flows, what);
	conns_count(mode, &active, &inact);
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
	if (bc)
		free(bc->pool.addrs);
	free(bc);
	if (r)
		free(r->flow);
	free(r);
	return rc;
}

static int run_child(enum bw_mode mode, uint32_t flows, unsigned int workers, enum bw_case what,
		     struct bw_result *res)
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
		status = scenario(mode, flows, workers, what, res) == 0 ? 0 : 1;
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
	if (WIFSIGNALED(status))
		fprintf(stderr, "bench_worker: the run died of signal %d\n", WTERMSIG(status));
	if (n != (ssize_t)sizeof(*res) || !WIFEXITED(status) || WEXITSTATUS(status) || !res->ok)
		return -EPROTO;
	return 0;
}

#define MAX_SIZES	8
#define MAX_RUNS	(MAX_SIZES + 5)

int main(int argc, char **argv)
{
	static const uint32_t defaults[] = { 65536, 262144, 1048576, 4194304 };
	static const uint32_t tinies[] = { 1024, 2048 };
	/* after FULLNAT IPv4 at each size: these at the first size */
	static const struct {
		enum bw_mode mode;
		unsigned int workers;
		enum bw_case what;
	} more[] = {
		{ BW_M_FNAT6, 1, BW_C_EST }, { BW_M_SNAT4, 1, BW_C_EST },
		{ BW_M_FNAT4, 2, BW_C_HANDOFF }, { BW_M_FNAT4, 1, BW_C_RSS },
		{ BW_M_FNAT4, 2, BW_C_RSS },
	};
	uint32_t sizes[MAX_SIZES];
	struct bw_result res[MAX_RUNS];
	unsigned int n = 0, nsizes = 0, i;
	const char *kv_path = NULL;
	double load[1] = { 0 };
	FILE *kv = NULL;
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--tiny")) {
			tiny = 1;
		} else if (!strcmp(argv[a], "--workers-only")) {
			workers_only = 1;
		} else if (!strcmp(argv[a], "--huge")) {
			use_huge = 1;
		} else if (!strcmp(argv[a], "--kv") && a + 1 < argc) {
			kv_path = argv[++a];
		} else if (!strcmp(argv[a], "--only") && a + 1 < argc &&
			   (!strcmp(argv[a + 1], "in") || !strcmp(argv[a + 1], "out") ||
			    !strcmp(argv[a + 1], "both") || !strcmp(argv[a + 1], "fwd") ||
			    !strcmp(argv[a + 1], "new"))) {
			only = argv[++a];
		} else if (argv[a][0] != '-' && nsizes < MAX_SIZES) {
			sizes[nsizes] = (uint32_t)strtoul(argv[a], NULL, 0);
			if (sizes[nsizes] < 1024 || sizes[nsizes] > BW_MAX_FLOWS) {
				fprintf(stderr, "bench_worker: flows must be 1024 to %u\n",
					BW_MAX_FLOWS);
				return 2;
			}
			nsizes++;
		} else {
			fprintf(stderr, "usage: bench_worker [--tiny] [--huge] [--workers-only]"
				" [--kv FILE] [--only in|out|both|fwd|new] [FLOWS...]\n");
			return 2;
		}
	}
	if (!nsizes) {
		const uint32_t *d = tiny ? tinies : defaults;

		nsizes = tiny ? 2 : 4;
		memcpy(sizes, d, nsizes * sizeof(*d));
	}
	getloadavg(load, 1);
	printf("bench_worker: the dataplane's worker loop, net_null ports, %d-byte frames"
	       " (IPv6 %d),\n  rr over %d real servers, load average %.2f before the run\n",
	       BW_FRAME_LEN, BW_FRAME6_LEN, BW_NRS, load[0]);
	/* FULLNAT IPv4 at each size (the first with plain forwarding), then
	 * IPv6, SNAT, the hand-off and RSS over 1 and 2 workers at the first */
	for (i = workers_only ? nsizes + 2 : 0; i < (only ? 1 : nsizes + RTE_DIM(more)); i++) {
		int fnat = i < nsizes;
		enum bw_mode mode = fnat ? BW_M_FNAT4 : more[i - nsizes].mode;
		uint32_t flows = fnat ? sizes[i] : sizes[0];
		unsigned int workers = fnat ? 1 : more[i - nsizes].workers;
		enum bw_case what = fnat ? (i ? BW_C_EST : BW_C_EST_FWD) : more[i - nsizes].what;

		if (run_child(mode, flows, workers, what, &res[n]) < 0) {
			fprintf(stderr, "bench_worker: the %u-flow run failed: no figures\n",
				flows);
			return 1;
		}
		n++;
	}
	if (kv_path) {
		kv = fopen(kv_path, "w");
		if (!kv) {
			fprintf(stderr, "bench_worker: %s: %s\n", kv_path, strerror(errno));
			return 1;
		}
	}
	bw_report(res, n, kv);
	if (kv && fclose(kv)) {
		fprintf(stderr, "bench_worker: %s: %s\n", kv_path, strerror(errno));
		return 1;
	}
	return 0;
}
