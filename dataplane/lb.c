// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FULLNAT engine's hooks (dp_lb.h) on the control thread: per-worker
 * state at start, the periodic tick (publish configuration changes, fold
 * counters, estimate rates), and the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf_dyn.h>

#include "ctl_priv.h"
#include "lb_priv.h"
#include "nlvs_log.h"

struct lb_worker *lb_workers[NLVS_MAX_WORKERS];
unsigned int lb_nworkers;
struct lb_cfg *lb_cfg_current;
int nlvs_lb_transit;
int lb_hop_off = -1;
uint64_t lb_hop_flag;

static uint64_t last_fold_ms, last_est_ms;

/* laddr pools as started: local ports are handed out from them */
static unsigned int started_npools;
static struct nlvs_conf_laddr *started_pools;

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

static int pools_save(const struct nlvs_conf *conf)
{
	unsigned int i;

	started_pools = calloc(conf->nladdrs ? conf->nladdrs : 1, sizeof(*started_pools));
	if (!started_pools)
		return -ENOMEM;
	for (i = 0; i < conf->nladdrs; i++) {
		started_pools[i] = conf->laddrs[i];
		started_pools[i].addrs = calloc(conf->laddrs[i].naddrs + 1,
						sizeof(union nlvs_addr));
		if (!started_pools[i].addrs)
			return -ENOMEM;
		memcpy(started_pools[i].addrs, conf->laddrs[i].addrs,
		       conf->laddrs[i].naddrs * sizeof(union nlvs_addr));
		started_npools = i + 1;
	}
	return 0;
}

static void pools_forget(void)
{
	unsigned int i;

	for (i = 0; i < started_npools; i++)
		free(started_pools[i].addrs);
	free(started_pools);
	started_pools = NULL;
	started_npools = 0;
}

static int pools_same(const struct nlvs_conf *conf)
{
	unsigned int i;

	if (conf->nladdrs != started_npools)
		return 0;
	for (i = 0; i < conf->nladdrs; i++) {
		const struct nlvs_conf_laddr *a = &conf->laddrs[i], *b = &started_pools[i];

		if (a->af != b->af || a->naddrs != b->naddrs || memcmp(&a->vip, &b->vip,
		    sizeof(a->vip)) || memcmp(a->addrs, b->addrs, a->naddrs * sizeof(*a->addrs)))
			return 0;
	}
	return 1;
}

/* Before ipvsadm or keepalived get the ACK of a change: make it live. */
static void lb_sync(void)
{
	if (lb_nworkers && lb_cfg_sync(lb_now_ms()))
		nlvs_snat_tick();
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
	rc = pools_save(conf);
	if (rc < 0)
		goto fail;
	rc = lb_cfg_init(conf);
	if (rc == 0)
		rc = nlvs_snat_init(conf);
	if (rc < 0)
		goto fail;
	lb_cfg_update(lb_now_ms());
	if (!lb_cfg_current) {
		rc = -ENOMEM;
		goto fail;
	}
	nlvs_ctl_conn_source_set(lb_conn_text);
	nlvs_ctl_sync_set(lb_sync);
	return 0;
fail:
	nlvs_lb_fini();
	return rc;
}

int nlvs_lb_reload(const struct nlvs_conf *conf)
{
	if (!pools_same(conf)) {
		/* connections hold ports of the pools as they are */
		nlvs_log_warnx("reload: laddr pools change only with a restart");
		return -EBUSY;
	}
	return nlvs_snat_reload(conf);
}

void nlvs_lb_tick(void)
{
	uint64_t now = lb_now_ms();

	if (!lb_nworkers)
		return;
	if (!lb_cfg_update(now))
		return;		/* slots and control objects disagree until rebuilt */
	nlvs_snat_tick();
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
	nlvs_ctl_conn_source_set(NULL);
	for (i = 0; i < NLVS_MAX_WORKERS; i++) {
		if (nlvs_dp.workers[i])
			nlvs_dp.workers[i]->lb = NULL;
		lb_worker_destroy(lb_workers[i]);
		lb_workers[i] = NULL;
	}
	lb_nworkers = 0;
	nlvs_snat_fini();
	lb_cfg_fini();
	pools_forget();
}
