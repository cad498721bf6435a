// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dh: destination hashing (ip_vs_dh.c).  256 buckets filled with the dests
 * round robin in list order (weights play no part); the destination
 * address picks the bucket.  No fallback: an unusable dest means no dest.
 */
#include <errno.h>
#include <stdlib.h>

#include "sched_priv.h"

#define DH_TAB_BITS	8
#define DH_TAB_SIZE	(1u << DH_TAB_BITS)

struct dh_state {
	struct nlvs_rs *bucket[DH_TAB_SIZE];
};

static int dh_update(struct nlvs_sched_svc *svc)
{
	struct dh_state *st = svc->priv;
	unsigned int i;

	for (i = 0; i < DH_TAB_SIZE; i++)
		st->bucket[i] = svc->num_dests ? svc->dests[i % svc->num_dests] : NULL;
	return 0;
}

static int dh_init(struct nlvs_sched_svc *svc)
{
	svc->priv = calloc(1, sizeof(struct dh_state));
	if (!svc->priv)
		return -ENOMEM;
	return dh_update(svc);
}

static void dh_done(struct nlvs_sched_svc *svc)
{
	free(svc->priv);
	svc->priv = NULL;
}

static struct nlvs_rs *dh_schedule(struct nlvs_sched_svc *svc,
				   const struct nlvs_sched_pkt *pkt)
{
	struct dh_state *st = svc->priv;
	uint32_t h = nlvs_sched_hash32(nlvs_sched_addr_fold(svc->af, &pkt->daddr),
				       DH_TAB_BITS);
	struct nlvs_rs *d = st->bucket[h];

	if (!d || !nlvs_rs_usable(d))
		return NULL;
	return d;
}

const struct nlvs_sched_ops nlvs_sched_dh = {
	.name = "dh",
	.init = dh_init,
	.done = dh_done,
	.update = dh_update,
	.schedule = dh_schedule,
};
