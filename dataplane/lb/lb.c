// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FULLNAT engine's hooks (nlvs_lb.h) on the control thread: per-worker
 * state at start, the periodic tick (publish configuration changes, fold
 * counters, estimate rates, release retired local addresses), reload and
 * the end.
 *
 * laddr pools change live on reload.  Every local address has an id
 * (nlvs_laddr.h) and every worker a slice of its ports, made here before
 * any published table names the id.  A connection records the id of the
 * address it took, so its port goes back to the right slice whatever the
 * pools have become since.  An address that leaves every pool retires: the
 * next table stops handing out its ports, it stays an NLVS_ADDR_LADDR for
 * the connections that hold them, and once the tick finds every worker's
 * slice idle it is unregistered from L3 and its slices freed (after a grace
 * period).  rte_flow rules (port_flow.c) exist for the addresses of the
 * start-up configuration only: replies to an address added later reach
 * their owner through the hand-off rings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf_dyn.h>

#include "ctl/nlvs_ctl_table.h"
#include "lb_priv.h"
#include "base/nlvs_log.h"

struct lb_worker *lb_workers[NLVS_MAX_WORKERS];
unsigned int lb_nworkers;
struct lb_cfg *lb_cfg_current;
int lb_hop_off = -1;
uint64_t lb_hop_flag;

static uint64_t last_fold_ms, last_est_ms;

#define LB_REAP_MS	100	/* how often retiring addresses are looked at */

/* local addresses by id: the control thread's registry */
static struct nlvs_laddr_ids laddr_ids;
static unsigned int laddr_retiring;
static uint64_t last_reap_ms;

uint64_t lb_now_ms(void)
{
	uint64_t per_ms = nlvs_dp.hz / 1000;

	return rte_get_tsc_cycles() / (per_ms ? per_ms : 1);
}

/* The ICMP error chain's hop count (lb_fnat.c): without it the chain is off
 * and such errors are looked up on the receiving worker only. */
static void hop_register(void)
{
	static const struct rte_mbuf_dynfield field = {
		.name = "nlvs_lb_hops",
		.size = sizeof(uint8_t),
		.align = __alignof__(uint8_t),
	};
	static const struct rte_mbuf_dynflag flag = { .name = "nlvs_lb_hops_valid" };
	int off = rte_mbuf_dynfield_register(&field), bit = rte_mbuf_dynflag_register(&flag);

	if (off < 0 || bit < 0) {
		nlvs_log_warnx("no mbuf field for ICMP error hand-off: %s", strerror(rte_errno));
		return;
	}
	lb_hop_off = off;
	lb_hop_flag = 1ull << bit;
}


void lb_pools_free(struct lb_pools *pl)
{
	if (!pl)
		return;
	free(pl->p);
	free(pl->ids);
	free(pl->addrs);
	free(pl);
}

/* Does @conf give the pools services are built with now? */
static int pools_same(const struct nlvs_conf *conf)
{
	const struct lb_pools *pl = lb_cfg_pools();
	unsigned int i, j;

	if (!pl || conf->nladdrs != pl->n)
		return 0;
	for (i = 0; i < conf->nladdrs; i++) {
		const struct nlvs_conf_laddr *a = &conf->laddrs[i];
		const struct lb_pool *b = &pl->p[i];

		if (a->af != b->af || a->naddrs != b->n || !nlvs_addr_equal(a->af, &a->vip, &b->vip))
			return 0;
		for (j = 0; j < a->naddrs; j++)
			if (!nlvs_addr_equal(a->af, &a->addrs[j], &b->addrs[j]))
				return 0;
	}
	return 1;
}

/* The pools of @conf, every address in the registry's plan (new ones get
 * an id).  Nothing is in force until the plan is committed. */
static int pools_plan(const struct nlvs_conf *conf, struct lb_pools **out)
{
	struct lb_pools *pl;
	unsigned int i, j, k = 0, n = 0;
	int id;

	if (conf->nladdrs > LB_POOL_MAX) {
		nlvs_log_warnx("laddr: %u lines, at most %u", conf->nladdrs, LB_POOL_MAX);
		return -ENOSPC;
	}
	for (i = 0; i < conf->nladdrs; i++)
		n += conf->laddrs[i].naddrs;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	pl->p = calloc(conf->nladdrs ? conf->nladdrs : 1, sizeof(*pl->p));
	pl->ids = calloc(n ? n : 1, sizeof(*pl->ids));
	pl->addrs = calloc(n ? n : 1, sizeof(*pl->addrs));
	if (!pl->p || !pl->ids || !pl->addrs) {
		lb_pools_free(pl);
		return -ENOMEM;
	}
	pl->n = conf->nladdrs;
	pl->naddrs = n;
	for (i = 0; i < conf->nladdrs; i++) {
		const struct nlvs_conf_laddr *l = &conf->laddrs[i];
		struct lb_pool *p = &pl->p[i];

		p->af = (uint8_t)l->af;
		p->vip = l->vip;
		p->n = l->naddrs;
		p->ids = pl->ids + k;
		p->addrs = pl->addrs + k;
		for (j = 0; j < l->naddrs; j++, k++) {
			id = nlvs_laddr_ids_plan(&laddr_ids, l->af, &l->addrs[j]);
			if (id < 0) {
				nlvs_log_warnx("laddr: more than %u local addresses (counting "
					       "those still held by connections)", laddr_ids.max);
				nlvs_laddr_ids_abort(&laddr_ids);
				lb_pools_free(pl);
				return id;
			}
			pl->ids[k] = (uint16_t)id;
			pl->addrs[k] = laddr_ids.e[id].addr;	/* normalised */
		}
	}
	*out = pl;
	return 0;
}

/* Every worker's slice of address @id freed. */
static void laddr_slices_free(unsigned int id)
{
	unsigned int w;

	for (w = 0; w < lb_nworkers; w++) {
		nlvs_laddr_slice_destroy(lb_workers[w]->slice[id]);
		lb_workers[w]->slice[id] = NULL;
	}
}

/* Take back what laddr_new_start() did for the planned new addresses and
 * forget the plan. */
static void laddr_new_undo(void)
{
	unsigned int id;

	nlvs_addr_batch_begin();
	for (id = 0; id < laddr_ids.max; id++) {
		struct nlvs_laddr_id *e = &laddr_ids.e[id];

		if (e->state != NLVS_LADDR_ID_NEW)
			continue;
		laddr_slices_free(id);
		if (e->registered)
			nlvs_addr_del(e->af, &e->addr);
		e->registered = 0;
	}
	nlvs_addr_batch_end();
	nlvs_laddr_ids_abort(&laddr_ids);
}

/* The planned new addresses: a slice on every worker (no table names
 * them yet) and an NLVS_ADDR_LADDR entry in L3, so that replies to them
 * are recognised as soon as a connection can take one. */
static int laddr_new_start(void)
{
	unsigned int id, w;
	int rc = 0, r;

	nlvs_addr_batch_begin();
	for (id = 0; id < laddr_ids.max && !rc; id++) {
		struct nlvs_laddr_id *e = &laddr_ids.e[id];

		if (e->state != NLVS_LADDR_ID_NEW)
			continue;
		laddr_slices_free(id);
		for (w = 0; w < lb_nworkers && !rc; w++) {
			lb_workers[w]->slice[id] = nlvs_laddr_slice_create(w, lb_nworkers,
									   LB_LPORT_MIN,
									   LB_LPORT_MAX, id);
			if (!lb_workers[w]->slice[id])
				rc = -ENOMEM;
		}
		if (rc)
			break;
		r = nlvs_addr_add(NLVS_ADDR_LADDR, e->af, &e->addr, NLVS_PORT_ANY);
		if (r == 0)
			e->registered = 1;
		else if (r != -EEXIST)	/* a port address or VIP already: it answers */
			rc = r;
	}
	if (nlvs_addr_batch_end() < 0 && !rc)
		rc = -ENOMEM;
	if (rc)
		laddr_new_undo();
	return rc;
}

static unsigned int laddr_count(enum nlvs_laddr_id_state state)
{
	unsigned int id, n = 0;

	for (id = 0; id < laddr_ids.max; id++)
		n += laddr_ids.e[id].state == state;
	return n;
}

static void laddr_log_retiring(void)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned int id;

	for (id = 0; id < laddr_ids.max; id++) {
		const struct nlvs_laddr_id *e = &laddr_ids.e[id];

		if (e->state == NLVS_LADDR_ID_ACTIVE && !e->planned)
			nlvs_log_info("laddr %s retires: no new connection takes it; released "
				      "when the last one holding its ports ends",
				      nlvs_addr_str(e->af, &e->addr, buf, sizeof(buf)));
	}
}

/* Release the retired addresses no connection holds any more: every
 * worker's slice idle (no allocation can come: no published table names
 * them since the reload's grace period), then a grace period so that the
 * worker which freed the last port is out of the slice, then free. */
static void laddr_reap(uint64_t now)
{
	static uint16_t done[LB_LADDR_MAX];
	char buf[INET6_ADDRSTRLEN];
	unsigned int id, w, i, n = 0;

	if (!laddr_retiring || now - last_reap_ms < LB_REAP_MS)
		return;
	last_reap_ms = now;
	for (id = 0; id < laddr_ids.max; id++) {
		int idle = laddr_ids.e[id].state == NLVS_LADDR_ID_RETIRING;

		for (w = 0; idle && w < lb_nworkers; w++) {
			const struct nlvs_laddr_slice *ls = lb_workers[w]->slice[id];

			idle = !ls || nlvs_laddr_slice_idle(ls);
		}
		if (idle)
			done[n++] = (uint16_t)id;
	}
	if (!n)
		return;
	nlvs_dp_rcu_synchronize();
	nlvs_addr_batch_begin();
	for (i = 0; i < n; i++) {
		struct nlvs_laddr_id *e = &laddr_ids.e[done[i]];

		laddr_slices_free(done[i]);
		if (e->registered)
			nlvs_addr_del(e->af, &e->addr);
		nlvs_log_info("laddr %s released: no connection holds its ports any more",
			      nlvs_addr_str(e->af, &e->addr, buf, sizeof(buf)));
		nlvs_laddr_ids_release(&laddr_ids, done[i]);
	}
	if (nlvs_addr_batch_end() < 0)
		nlvs_log_warnx("cannot publish the local addresses released");
	laddr_retiring -= n;
}

static int laddr_init(const struct nlvs_conf *conf)
{
	struct lb_pools *pl;
	int rc;

	nlvs_laddr_ids_init(&laddr_ids, LB_LADDR_MAX);
	laddr_retiring = 0;
	rc = pools_plan(conf, &pl);
	if (rc < 0)
		return rc;
	rc = laddr_new_start();
	if (rc < 0) {
		lb_pools_free(pl);
		return rc;
	}
	nlvs_laddr_ids_commit(&laddr_ids);
	return lb_cfg_init(pl);
}

/* The VIPs whose pools hold id @id, comma-separated, or "-". */
static void laddr_vips_write(FILE *f, unsigned int id)
{
	const struct lb_pools *pl = lb_cfg_pools();
	char buf[INET6_ADDRSTRLEN];
	unsigned int i, j, n = 0;

	for (i = 0; pl && i < pl->n; i++)
		for (j = 0; j < pl->p[i].n; j++)
			if (pl->p[i].ids[j] == id)
				fprintf(f, "%s%s", n++ ? "," : "",
					nlvs_addr_str(pl->p[i].af, &pl->p[i].vip, buf, sizeof(buf)));
	if (!n)
		fputc('-', f);
}

void lb_laddr_row_write(FILE *f, const char *kind, int af, const union nlvs_addr *a,
			const char *state, uint32_t held, uint32_t ports)
{
	char buf[INET6_ADDRSTRLEN];

	fprintf(f, "%-7s %-39s %-9s %8u %8u ", kind, nlvs_addr_str(af, a, buf, sizeof(buf)),
		state, held, ports);
}

/* "nlvs_laddrs" for nlvsctl: every local address (FULLNAT pools, SNAT
 * egress) with its ports held by connections, over all workers.  The free
 * counts are the workers' own, read as they are this moment. */
static void laddrs_write(FILE *f)
{
	unsigned int id, w;

	fprintf(f, "%-7s %-39s %-9s %8s %8s %s\n", "kind", "address", "state", "held", "ports",
		"pool");
	for (id = 0; id < laddr_ids.max; id++) {
		const struct nlvs_laddr_id *e = &laddr_ids.e[id];
		uint32_t size = 0, avail = 0;

		if (e->state != NLVS_LADDR_ID_ACTIVE && e->state != NLVS_LADDR_ID_RETIRING)
			continue;
		for (w = 0; w < lb_nworkers; w++) {
			const struct nlvs_laddr_slice *ls = lb_workers[w]->slice[id];

			if (ls) {
				size += nlvs_laddr_slice_size(ls);
				avail += nlvs_laddr_slice_avail(ls);
			}
		}
		lb_laddr_row_write(f, "laddr", e->af, &e->addr,
				   e->state == NLVS_LADDR_ID_ACTIVE ? "active" : "retiring",
				   size - avail, size);
		laddr_vips_write(f, id);
		fputc('\n', f);
	}
	nlvs_snat_egress_write(f);
}

NLVS_CTL_TEXT_SNAP(laddrs_text, laddrs_write)	/* "nlvs_laddrs" */

/* Before ipvsadm or keepalived get the ACK of a change: make it live. */
static void lb_sync(void)
{
	if (lb_nworkers && lb_cfg_sync(lb_now_ms()))
		nlvs_snat_tick();
}

/* Before a ZERO: count what the workers counted since the last fold (the
 * tick folds every LB_FOLD_MS, but only when the control loop wakes).  While
 * a rebuild is pending, slots and objects disagree and nothing can be
 * attributed: then the fold waits, as the tick's does. */
static void lb_fold_now(void)
{
	if (lb_nworkers && lb_cfg_update(lb_now_ms())) {
		last_fold_ms = lb_now_ms();
		lb_stats_fold();
	}
}

int nlvs_lb_init(const struct nlvs_conf *conf)
{
	unsigned int i;
	int rc;

	lb_nworkers = nlvs_dp.nworkers;
	if (lb_nworkers > 1)
		hop_register();
	for (i = 0; i < lb_nworkers; i++) {
		lb_workers[i] = lb_worker_create(nlvs_dp.workers[i], conf, lb_nworkers);
		if (!lb_workers[i]) {
			rc = -ENOMEM;
			goto fail;
		}
		nlvs_dp.workers[i]->lb = lb_workers[i];
	}
	rc = laddr_init(conf);
	if (rc == 0)
		rc = nlvs_snat_init(conf);
	if (rc == 0)
		rc = lb_mark_init(conf);
	if (rc < 0)
		goto fail;
	lb_cfg_update(lb_now_ms());
	if (!lb_cfg_current) {
		rc = -ENOMEM;
		goto fail;
	}
	nlvs_ctl_conn_source_set(lb_conn_text);
	nlvs_ctl_sync_set(lb_sync);
	nlvs_ctl_fold_set(lb_fold_now);
	nlvs_ctl_text_source_set("nlvs_laddrs", laddrs_text);
	return 0;
fail:
	nlvs_lb_fini();
	return rc;
}

/* The laddr lines of @conf in force as a whole, or nothing changed: new
 * addresses set up, a table built with the new pools (services of a VIP
 * that got a pool are FULLNAT from now on, those of a VIP that lost it
 * classic NAT), then SNAT's reload, then the table published. */
int nlvs_lb_reload(const struct nlvs_conf *conf)
{
	struct lb_pools *pl;
	struct lb_cfg *c;
	unsigned int added;
	int rc;

	if (lb_nworkers && lb_mark_reload(conf) < 0)
		return -EINVAL;
	if (!lb_nworkers || pools_same(conf))
		return nlvs_snat_reload(conf);
	rc = pools_plan(conf, &pl);
	if (rc < 0)
		goto refused;
	added = laddr_count(NLVS_LADDR_ID_NEW);
	rc = laddr_new_start();
	if (rc < 0) {
		lb_pools_free(pl);
		goto refused;
	}
	rc = lb_cfg_pools_prepare(pl, &c);
	if (rc == 0) {
		rc = nlvs_snat_reload(conf);
		if (rc < 0)
			lb_cfg_pools_abort(c);
	}
	if (rc < 0) {
		laddr_new_undo();
		lb_pools_free(pl);
		goto refused;
	}
	laddr_log_retiring();
	nlvs_laddr_ids_commit(&laddr_ids);
	laddr_retiring = laddr_count(NLVS_LADDR_ID_RETIRING);
	lb_cfg_pools_commit(pl, c);
	nlvs_log_info("reload: laddr: %u pools, %u local addresses (%u new), %u retiring",
		      pl->n, laddr_count(NLVS_LADDR_ID_ACTIVE), added, laddr_retiring);
	return 0;
refused:
	nlvs_log_warnx("reload: laddr pools not changed: %s", strerror(-rc));
	return rc;
}

void nlvs_lb_reclaim(void)
{
	if (lb_nworkers)
		lb_cfg_reclaim();
}

void nlvs_lb_tick(void)
{
	uint64_t now = lb_now_ms();

	if (!lb_nworkers)
		return;
	lb_cfg_reclaim();
	if (!lb_cfg_update(now))
		return;		/* slots and control objects disagree until rebuilt */
	nlvs_snat_tick();
	laddr_reap(now);
	if (now - last_fold_ms >= LB_FOLD_MS) {
		last_fold_ms = now;
		lb_stats_fold();
	}
	if (now - last_est_ms >= 2000) {
		last_est_ms = now;
		lb_stats_estimate();
	}
}

void nlvs_lb_fini(void)
{
	unsigned int i;

	nlvs_ctl_sync_set(NULL);
	nlvs_ctl_fold_set(NULL);
	nlvs_ctl_conn_source_set(NULL);
	nlvs_ctl_text_source_set("nlvs_laddrs", NULL);
	for (i = 0; i < NLVS_MAX_WORKERS; i++) {
		if (nlvs_dp.workers[i])
			nlvs_dp.workers[i]->lb = NULL;
		lb_worker_destroy(lb_workers[i]);
		lb_workers[i] = NULL;
	}
	lb_nworkers = 0;
	nlvs_snat_fini();
	lb_mark_fini();
	lb_cfg_fini();
	nlvs_laddr_ids_init(&laddr_ids, LB_LADDR_MAX);
	laddr_retiring = 0;
}
