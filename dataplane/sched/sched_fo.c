// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fo: weighted fail-over (ip_vs_fo.c).  The usable dest with the highest
 * weight takes everything; on a tie the first in list order.
 */
#include "sched_priv.h"

static struct nlvs_rs *fo_schedule(struct nlvs_sched_svc *svc,
				   const struct nlvs_sched_pkt *pkt)
{
	struct nlvs_rs *best = NULL, *d;
	int32_t hw = 0;
	unsigned int i;

	(void)pkt;
	for (i = 0; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if (!(d->flags & NLVS_RS_F_OVERLOAD) && d->weight > hw) {
			best = d;
			hw = d->weight;
		}
	}
	return best;
}

const struct nlvs_sched_ops nlvs_sched_fo = {
	.name = "fo",
	.schedule = fo_schedule,
};
