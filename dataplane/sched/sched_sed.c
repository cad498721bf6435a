// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sed: shortest expected delay (ip_vs_sed.c).  Like wlc but the load is
 * (activeconns + 1) / weight: inactive connections do not count and the
 * incoming one does, which favours big weights on an idle cluster.
 */
#include "sched_priv.h"

static struct nlvs_rs *sed_schedule(struct nlvs_sched_svc *svc,
				    const struct nlvs_sched_pkt *pkt)
{
	struct nlvs_rs *least = NULL, *d;
	int64_t loh = 0, doh;
	unsigned int i;

	(void)pkt;
	for (i = 0; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if (!(d->flags & NLVS_RS_F_OVERLOAD) && d->weight > 0) {
			least = d;
			loh = (int64_t)d->activeconns + 1;
			break;
		}
	}
	if (!least)
		return NULL;
	for (i++; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if (d->flags & NLVS_RS_F_OVERLOAD)
			continue;
		doh = (int64_t)d->activeconns + 1;
		if (loh * d->weight > doh * least->weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

const struct nlvs_sched_ops nlvs_sched_sed = {
	.name = "sed",
	.schedule = sed_schedule,
};
