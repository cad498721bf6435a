// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wrr: weighted round robin (ip_vs_wrr.c).
 *
 * Passes over the list with a falling current weight cw: a pass picks every
 * dest whose weight >= cw, then cw drops by di (the gcd of the weights).  mw
 * is the largest weight minus (di - 1) so the last pass runs with cw = 1 and
 * still catches a dest whose weight is below di.  Any change to the dests
 * restarts at the list head, as the kernel does, keeping cw where sensible.
 */
#include <errno.h>
#include <stdlib.h>

#include "sched_priv.h"

struct wrr_state {
	int cl;			/* index of the last pick, -1 = list head */
	int cw, mw, di;
};

static void wrr_recalc(struct nlvs_sched_svc *svc, struct wrr_state *st)
{
	int g = 0, max = 0, w;
	unsigned int i;

	for (i = 0; i < svc->num_dests; i++) {
		w = svc->dests[i]->weight;
		if (w > 0)
			g = g ? nlvs_sched_gcd(w, g) : w;
		if (w > max)
			max = w;
	}
	st->cl = -1;
	st->di = g ? g : 1;
	st->mw = max - (st->di - 1);
}

static int wrr_init(struct nlvs_sched_svc *svc)
{
	struct wrr_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	wrr_recalc(svc, st);
	st->cw = st->mw;
	svc->priv = st;
	return 0;
}

static void wrr_done(struct nlvs_sched_svc *svc)
{
	free(svc->priv);
	svc->priv = NULL;
}

static int wrr_update(struct nlvs_sched_svc *svc)
{
	struct wrr_state *st = svc->priv;

	wrr_recalc(svc, st);
	if (st->cw > st->mw || !st->cw)
		st->cw = st->mw;
	else if (st->di > 1)
		st->cw = (st->cw / st->di) * st->di + 1;
	return 0;
}

static struct nlvs_rs *wrr_schedule(struct nlvs_sched_svc *svc,
				    const struct nlvs_sched_pkt *pkt)
{
	struct wrr_state *st = svc->priv;
	int n = (int)svc->num_dests, pos, last, stop = -2, i;
	int last_pass = 0, restarted = 0;
	struct nlvs_rs *d;

	(void)pkt;
	if (st->cl >= n)
		st->cl = -1;
	if (st->mw == 0)
		return NULL;
	pos = last = st->cl;
	for (;;) {
		for (i = pos + 1; i < n; i++) {
			d = svc->dests[i];
			if (!(d->flags & NLVS_RS_F_OVERLOAD) && d->weight >= st->cw) {
				st->cl = i;
				return d;
			}
			if (i == stop) {
				st->cl = i;
				return NULL;
			}
		}
		pos = -1;	/* wrapped to the list head */
		st->cw -= st->di;
		if (st->cw <= 0) {
			st->cw = st->mw;
			/* a whole pass with cw = 1 already failed */
			if (last_pass || last == -1) {
				st->cl = -1;
				return NULL;
			}
			restarted = 1;
		}
		last_pass = st->cw <= st->di;
		/* the cw = 1 pass after a restart only needs to reach 'last' */
		if (last_pass && restarted && last != -1)
			stop = last;
	}
}

const struct nlvs_sched_ops nlvs_sched_wrr = {
	.name = "wrr",
	.init = wrr_init,
	.done = wrr_done,
	.update = wrr_update,
	.schedule = wrr_schedule,
};
