// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wlc: weighted least connection (ip_vs_wlc.c).  Lowest overhead/weight,
 * compared as the kernel does by cross-multiplying in 64 bits; the first
 * usable dest in list order is the candidate to beat, and only a strictly
 * lower load replaces it.  After the first candidate the kernel only skips
 * overloaded dests: a weight 0 dest can never compare lower, so it is never
 * chosen anyway.
 */
#include "sched_priv.h"

struct nlvs_rs *nlvs_sched_wlc_pick(const struct nlvs_sched_svc *svc)
{
	struct nlvs_rs *least = NULL, *d;
	int64_t loh = 0, doh;
	unsigned int i;

	for (i = 0; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if (!(d->flags & NLVS_RS_F_OVERLOAD) && d->weight > 0) {
			least = d;
			loh = nlvs_rs_overhead(d);
			break;
		}
	}
	if (!least)
		return NULL;
	for (i++; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if (d->flags & NLVS_RS_F_OVERLOAD)
			continue;
		doh = nlvs_rs_overhead(d);
		if (loh * d->weight > doh * least->weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

static struct nlvs_rs *wlc_schedule(struct nlvs_sched_svc *svc,
				    const struct nlvs_sched_pkt *pkt)
{
	(void)pkt;
	return nlvs_sched_wlc_pick(svc);
}

const struct nlvs_sched_ops nlvs_sched_wlc = {
	.name = "wlc",
	.schedule = wlc_schedule,
};
