// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nq: never queue (ip_vs_nq.c).  The first usable dest in list order with
 * no active connection wins outright; otherwise sed's choice.
 */
#include "sched_priv.h"

static struct nlvs_rs *nq_schedule(struct nlvs_sched_svc *svc,
				   const struct nlvs_sched_pkt *pkt)
{
	struct nlvs_rs *least = NULL, *d;
	int64_t loh = 0, doh;
	unsigned int i;

	(void)pkt;
	for (i = 0; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if ((d->flags & NLVS_RS_F_OVERLOAD) || !d->weight)
			continue;
		if (d->activeconns == 0)
			return d;
		doh = (int64_t)d->activeconns + 1;
		if (!least || loh * d->weight > doh * least->weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

const struct nlvs_sched_ops nlvs_sched_nq = {
	.name = "nq",
	.schedule = nq_schedule,
};
