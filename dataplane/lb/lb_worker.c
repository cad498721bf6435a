// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A worker's own side of the engine: its connection table, its slices of
 * the local-address ports (made and retired by lb.c), and one scheduler
 * instance per service over its own nlvs_rs counters.  When the control
 * thread publishes a new lb_cfg the worker catches up here (outside the
 * per-packet work): dests whose slot generation changed start from zero
 * counters, services whose scheduler or flags changed get a fresh
 * instance, services whose dests changed get an update() call, the rest
 * keep their state (rr position, mh table, ...).
 *
 * Thresholds (-x/-y) are per director in IPVS but counters here are per
 * worker, so each worker enforces its share: ceil(u / W) and, for the lower
 * threshold, max(1, l / W).  With one worker that is exactly the kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "lb_priv.h"
#include "base/nlvs_log.h"

struct lb_worker *lb_worker_create(struct nlvs_worker *w, const struct nlvs_conf *conf,
				   unsigned int nworkers)
{
	struct lb_worker *lw;
	uint32_t cap, cap6;

	(void)nworkers;		/* the control thread gives us our port slices */
	nlvs_conf_conn_tables(conf, &cap, &cap6);
	lw = rte_zmalloc("nlvs_lb_worker", sizeof(*lw), RTE_CACHE_LINE_SIZE);
	if (!lw)
		return NULL;
	lw->w = w;
	lw->tsc_per_ms = nlvs_dp.hz / 1000 ? nlvs_dp.hz / 1000 : 1;
	lw->now_ms = rte_get_tsc_cycles() / lw->tsc_per_ms;
	lw->rand = 0x853c49e6748fea9bull ^ ((uint64_t)w->id << 32) ^ rte_get_tsc_cycles();
	lw->tab = nlvs_conn_tab_create(cap, cap6, lw->now_ms);
	if (!lw->tab) {
		nlvs_log_warnx("worker %u: no memory for %u IPv4 and %u IPv6 connections",
			       w->id, cap, cap6);
		goto fail;
	}
	return lw;
fail:
	lb_worker_destroy(lw);
	return NULL;
}

void lb_worker_destroy(struct lb_worker *lw)
{
	unsigned int i;

	if (!lw)
		return;
	for (i = 0; i < LB_SVC_CHUNKS; i++) {
		unsigned int j;

		if (!lw->svc_chunk[i])
			continue;
		for (j = 0; j < LB_CHUNK; j++) {
			struct lb_wsvc *s = &lw->svc_chunk[i][j];

			if (s->live)
				nlvs_sched_svc_done(&s->sch);
			free(s->sch.dests);
		}
		rte_free(lw->svc_chunk[i]);
	}
	for (i = 0; i < LB_DEST_CHUNKS; i++)
		rte_free(lw->dest_chunk[i]);
	for (i = 0; i < LB_LADDR_MAX; i++)
		nlvs_laddr_slice_destroy(lw->slice[i]);
	nlvs_conn_tab_destroy(lw->tab);
	rte_free(lw);
}

/* Control thread, before publishing a table with these many slots. */
int lb_worker_chunks(struct lb_worker *lw, uint32_t nsvc, uint32_t ndest)
{
	uint32_t i;

	for (i = 0; i < (nsvc + LB_CHUNK - 1) >> LB_CHUNK_SHIFT; i++) {
		if (lw->svc_chunk[i])
			continue;
		lw->svc_chunk[i] = rte_zmalloc("nlvs_lb_svc", LB_CHUNK * sizeof(struct lb_wsvc),
					       RTE_CACHE_LINE_SIZE);
		if (!lw->svc_chunk[i])
			return -ENOMEM;
	}
	for (i = 0; i < (ndest + LB_CHUNK - 1) >> LB_CHUNK_SHIFT; i++) {
		if (lw->dest_chunk[i])
			continue;
		lw->dest_chunk[i] = rte_zmalloc("nlvs_lb_dest",
						LB_CHUNK * sizeof(struct lb_wdest),
						RTE_CACHE_LINE_SIZE);
		if (!lw->dest_chunk[i])
			return -ENOMEM;
	}
	return 0;
}

static void dest_sync(struct lb_worker *lw, const struct lb_cfg *cfg, uint32_t slot)
{
	const struct lb_dest *d = lb_cfg_dest(cfg, slot);
	struct lb_wdest *wd = lb_wdest(lw, slot);
	struct nlvs_rs *rs = &wd->rs;

	if (wd->gen != d->gen) {
		/* a new owner of the slot: connections of the old one no longer count */
		memset(rs, 0, sizeof(*rs));
		wd->gen = d->gen;
	}
	if (!d->used)
		return;
	rs->af = d->af;
	rs->addr = d->addr;
	rs->port = d->port;
	rs->weight = d->weight;
	rs->last_weight = d->last_weight;
	lb_threshold_share(lb_nworkers, d->u_thresh, d->l_thresh, &rs->u_thresh,
			   &rs->l_thresh);
	if (!rs->u_thresh)
		rs->flags &= ~NLVS_RS_F_OVERLOAD;
	rs->owner = (void *)(uintptr_t)slot;
}

static int svc_dests_fill(struct lb_worker *lw, struct lb_wsvc *ws, const struct lb_svc *s)
{
	unsigned int i;

	if (s->ndests > ws->rs_cap) {
		struct nlvs_rs **v = realloc(ws->sch.dests, s->ndests * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ws->sch.dests = v;
		ws->rs_cap = s->ndests;
	}
	for (i = 0; i < s->ndests; i++)
		ws->sch.dests[i] = &lb_wdest(lw, s->dests[i])->rs;
	ws->sch.num_dests = s->ndests;
	return 0;
}

static void svc_sync(struct lb_worker *lw, const struct lb_cfg *cfg, uint32_t slot)
{
	const struct lb_svc *s = lb_cfg_svc(cfg, slot);
	struct lb_wsvc *ws = lb_wsvc(lw, slot);
	int fresh = !s->used || ws->gen != s->gen || ws->sched_ver != s->sched_ver;

	if (fresh && ws->live) {
		nlvs_sched_svc_done(&ws->sch);
		ws->live = 0;
	}
	ws->gen = s->gen;
	if (!s->used)
		return;
	if (svc_dests_fill(lw, ws, s) < 0) {
		/* out of memory: schedule nothing rather than over stale pointers */
		if (ws->live)
			nlvs_sched_svc_done(&ws->sch);
		ws->live = 0;
		ws->sched_ver = 0;
		return;
	}
	if (fresh) {
		ws->sch.af = s->af;
		ws->sch.protocol = s->proto;
		ws->sch.flags = s->flags;
		ws->sch.now_ms = lw->now_ms;
		ws->sch.rand_state = lw->rand++ * 0x9e3779b97f4a7c15ull | 1;
		ws->live = s->sched && nlvs_sched_svc_init(&ws->sch, s->sched) == 0;
		ws->sched_ver = s->sched_ver;
		ws->dests_ver = s->dests_ver;
	} else if (ws->dests_ver != s->dests_ver) {
		if (ws->live)
			nlvs_sched_svc_update(&ws->sch);
		ws->dests_ver = s->dests_ver;
	}
}

/*
 * Worker: follow @cfg.  The old table is not read: everything compared is
 * in the worker's own records.  A table lists the slots changed since an
 * earlier one (from_seq: the oldest any worker followed, lb_cfg.c), so a
 * worker that followed that one or a later one syncs only those; a worker
 * further behind, the first table and a full one walk every slot.
 */
void lb_worker_sync(struct lb_worker *lw, const struct lb_cfg *cfg)
{
	uint32_t i;

	if (cfg->all || !lw->cfg || lw->cfg_seq < cfg->from_seq) {
		for (i = 0; i < cfg->ndest; i++)
			dest_sync(lw, cfg, i);
		for (i = 0; i < cfg->nsvc; i++)
			svc_sync(lw, cfg, i);
	} else {
		for (i = 0; i < cfg->nchg_dest; i++)
			dest_sync(lw, cfg, cfg->chg_dest[i]);
		for (i = 0; i < cfg->nchg_svc; i++)
			svc_sync(lw, cfg, cfg->chg_svc[i]);
	}
	lw->cfg = cfg;
	__atomic_store_n(&lw->cfg_seq, cfg->seq, __ATOMIC_RELEASE);
}

/* Undo what a connection holds: its dest's counters (unless the dest is
 * gone), its template reference (nlvs_conn_free), its local port. */
void lb_conn_release(struct lb_worker *lw, struct nlvs_conn *c)
{
	uint32_t slot = (uint32_t)(uintptr_t)c->dest;
	struct lb_wdest *wd = lb_wdest(lw, slot);

	if (wd->gen == c->dest_gen) {
		if (c->flags & NLVS_CONN_F_TEMPLATE)
			nlvs_rs_conn_unbind(&wd->rs, 0, 1);
		else
			nlvs_rs_conn_unbind(&wd->rs, !(c->flags & NLVS_CONN_F_INACTIVE), 0);
	}
	if (c->flags & LB_CF_FNAT) {
		/* the slice outlives every connection holding one of its ports */
		struct nlvs_laddr_slice *ls = lw->slice[c->flags >> LB_CF_LADDR_SHIFT];

		if (ls)
			nlvs_laddr_slice_free(ls, c->side[NLVS_CONN_SIDE_RS].dport);
	}
	nlvs_snat_conn_release(lw->w, c);	/* SNAT: the egress port */
}

static void on_expire(struct nlvs_conn *c, void *arg)
{
	lb_conn_release(arg, c);
}

void nlvs_lb_worker_poll(struct nlvs_worker *w)
{
	struct lb_worker *lw = w->lb;

	if (unlikely(!lw))
		return;
	lb_worker_follow(lw);
	lw->now_ms = w->now / lw->tsc_per_ms;
	nlvs_conn_expire(lw->tab, lw->now_ms, LB_EXPIRE_BUDGET, on_expire, lw);
}
