// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rr: round robin (ip_vs_rr.c).
 *
 * The kernel remembers the list entry it picked last and continues after it;
 * a fresh service starts at the list head, so dests added A, B, C (list
 * C, B, A) are picked C, B, A, C, ...  When the remembered dest is deleted
 * the kernel steps back to its predecessor, so the next pick is the dest
 * that followed it.  We keep a copy of the dest array from the last update
 * to reproduce that, because the caller hands us only the new array.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched_priv.h"

struct rr_state {
	int last;			/* index of the last pick, -1 = list head */
	unsigned int num_old;
	struct nlvs_rs **old;		/* svc->dests as of the last update */
};

static int rr_snapshot(struct nlvs_sched_svc *svc, struct rr_state *st)
{
	struct nlvs_rs **copy = NULL;

	if (svc->num_dests) {
		copy = malloc(svc->num_dests * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, svc->dests, svc->num_dests * sizeof(*copy));
	}
	free(st->old);
	st->old = copy;
	st->num_old = svc->num_dests;
	return 0;
}

static int rr_init(struct nlvs_sched_svc *svc)
{
	struct rr_state *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return -ENOMEM;
	st->last = -1;
	rc = rr_snapshot(svc, st);
	if (rc) {
		free(st);
		return rc;
	}
	svc->priv = st;
	return 0;
}

static void rr_done(struct nlvs_sched_svc *svc)
{
	struct rr_state *st = svc->priv;

	if (st)
		free(st->old);
	free(st);
	svc->priv = NULL;
}

static int rr_update(struct nlvs_sched_svc *svc)
{
	struct rr_state *st = svc->priv;
	unsigned int i;
	int pos = -1, j;

	if (st->last >= 0 && (unsigned int)st->last < st->num_old) {
		pos = nlvs_sched_dest_index(svc, st->old[st->last]);
		/* gone: resume just before its first surviving successor */
		for (i = st->last + 1; pos < 0 && i < st->num_old; i++) {
			j = nlvs_sched_dest_index(svc, st->old[i]);
			if (j >= 0) {
				pos = j - 1;
				break;
			}
		}
	}
	st->last = pos;
	return rr_snapshot(svc, st);
}

static struct nlvs_rs *rr_schedule(struct nlvs_sched_svc *svc,
				   const struct nlvs_sched_pkt *pkt)
{
	struct rr_state *st = svc->priv;
	unsigned int n = svc->num_dests, k, i;

	(void)pkt;
	if (st->last >= (int)n)
		st->last = -1;
	/* from the head: every entry once; from an entry: the ones after it,
	 * then wrap round up to and including it */
	for (k = 1; k <= n; k++) {
		i = (unsigned int)(st->last + (int)k) % n;
		if (nlvs_rs_usable(svc->dests[i])) {
			st->last = (int)i;
			return svc->dests[i];
		}
	}
	return NULL;
}

const struct nlvs_sched_ops nlvs_sched_rr = {
	.name = "rr",
	.init = rr_init,
	.done = rr_done,
	.update = rr_update,
	.schedule = rr_schedule,
};
