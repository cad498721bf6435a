// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ovf: overflow (ip_vs_ovf.c).  The highest-weight dest takes connections
 * until its active connections exceed its weight, then the next highest.
 * Note the kernel's test is activeconns > weight, so a dest of weight w
 * still gets a new connection while it has exactly w active ones.
 */
#include "sched_priv.h"

static struct nlvs_rs *ovf_schedule(struct nlvs_sched_svc *svc,
				    const struct nlvs_sched_pkt *pkt)
{
	struct nlvs_rs *best = NULL, *d;
	int32_t hw = 0, w;
	unsigned int i;

	(void)pkt;
	for (i = 0; i < svc->num_dests; i++) {
		d = svc->dests[i];
		w = d->weight;
		if ((d->flags & NLVS_RS_F_OVERLOAD) || w <= 0 ||
		    d->activeconns > (uint32_t)w)
			continue;
		if (!best || w > hw) {
			best = d;
			hw = w;
		}
	}
	return best;
}

const struct nlvs_sched_ops nlvs_sched_ovf = {
	.name = "ovf",
	.schedule = ovf_schedule,
};
