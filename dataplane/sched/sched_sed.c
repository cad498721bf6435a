// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sed: shortest expected delay (ip_vs_sed.c).  Like wlc but the load is
 * (activeconns + 1) / weight: inactive connections do not count and the
 * incoming one does, which favours big weights on an idle cluster.
 */
#include "sched_priv.h"

static int64_t sed_load(const struct nlvs_rs *d)
{
	return (int64_t)d->activeconns + 1;
}

static struct nlvs_rs *sed_schedule(struct nlvs_sched_svc *svc,
				    const struct nlvs_sched_pkt *pkt)
{
	(void)pkt;
	return nlvs_sched_least(svc, sed_load);
}

const struct nlvs_sched_ops nlvs_sched_sed = {
	.name = "sed",
	.schedule = sed_schedule,
};
