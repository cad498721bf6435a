// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lc: least connection (ip_vs_lc.c).  Lowest overhead (active * 256 +
 * inactive) wins; the first one in list order on a tie.  Weight only
 * matters as weight 0 = quiesced.
 */
#include "sched_priv.h"

static struct nlvs_rs *lc_schedule(struct nlvs_sched_svc *svc,
				   const struct nlvs_sched_pkt *pkt)
{
	struct nlvs_rs *least = NULL, *d;
	uint32_t loh = 0, doh;
	unsigned int i;

	(void)pkt;
	for (i = 0; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if ((d->flags & NLVS_RS_F_OVERLOAD) || d->weight == 0)
			continue;
		doh = nlvs_rs_overhead(d);
		if (!least || doh < loh) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

const struct nlvs_sched_ops nlvs_sched_lc = {
	.name = "lc",
	.schedule = lc_schedule,
};
