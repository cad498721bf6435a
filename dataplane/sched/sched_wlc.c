// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wlc: weighted least connection (ip_vs_wlc.c).  Lowest overhead/weight.
 * After the first candidate the kernel only skips overloaded dests: a
 * weight 0 dest can never compare lower, so it is never chosen anyway.
 */
#include "sched_priv.h"

/* The least @load / weight, cross-multiplied in 64 bits as the kernel does:
 * the first usable dest in list order is the candidate to beat, and only a
 * strictly lower load replaces it.  wlc's load is the overhead, sed's
 * activeconns + 1. */
struct nlvs_rs *nlvs_sched_least(const struct nlvs_sched_svc *svc,
				 int64_t (*load)(const struct nlvs_rs *))
{
	struct nlvs_rs *least = NULL, *d;
	int64_t loh = 0, doh;
	unsigned int i;

	for (i = 0; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if (!(d->flags & NLVS_RS_F_OVERLOAD) && d->weight > 0) {
			least = d;
			loh = load(d);
			break;
		}
	}
	if (!least)
		return NULL;
	for (i++; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if (d->flags & NLVS_RS_F_OVERLOAD)
			continue;
		doh = load(d);
		if (loh * d->weight > doh * least->weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

static int64_t wlc_load(const struct nlvs_rs *d)
{
	return nlvs_rs_overhead(d);
}

struct nlvs_rs *nlvs_sched_wlc_pick(const struct nlvs_sched_svc *svc)
{
	return nlvs_sched_least(svc, wlc_load);
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
