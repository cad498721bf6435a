// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sh: source hashing (ip_vs_sh.c).  256 buckets filled walking the list
 * and giving each dest as many consecutive buckets as its weight (a weight
 * 0 dest still takes one, and is skipped when scheduling).  The source
 * address, plus the source port with SCHED2, picks the bucket.  With SCHED1
 * an unusable dest falls back to other buckets in a fixed order derived from
 * the same hash, so every director picks the same replacement.
 */
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>

#include "sched_priv.h"

#define SH_TAB_BITS	8
#define SH_TAB_SIZE	(1u << SH_TAB_BITS)
#define SH_TAB_MASK	(SH_TAB_SIZE - 1)

struct sh_state {
	struct nlvs_rs *bucket[SH_TAB_SIZE];
};

static int sh_update(struct nlvs_sched_svc *svc)
{
	struct sh_state *st = svc->priv;
	unsigned int i, j = 0;
	int count = 0;
	struct nlvs_rs *d;

	for (i = 0; i < SH_TAB_SIZE; i++) {
		if (!svc->num_dests) {
			st->bucket[i] = NULL;
			continue;
		}
		d = svc->dests[j];
		st->bucket[i] = d;
		if (++count >= d->weight) {
			j = (j + 1) % svc->num_dests;
			count = 0;
		}
	}
	return 0;
}

static int sh_init(struct nlvs_sched_svc *svc)
{
	svc->priv = calloc(1, sizeof(struct sh_state));
	if (!svc->priv)
		return -ENOMEM;
	return sh_update(svc);
}

static void sh_done(struct nlvs_sched_svc *svc)
{
	free(svc->priv);
	svc->priv = NULL;
}

static unsigned int sh_hash(uint32_t key, unsigned int offset)
{
	return (offset + nlvs_sched_hash32(key, SH_TAB_BITS)) & SH_TAB_MASK;
}

static struct nlvs_rs *sh_schedule(struct nlvs_sched_svc *svc,
				   const struct nlvs_sched_pkt *pkt)
{
	struct sh_state *st = svc->priv;
	uint32_t key = nlvs_sched_addr_fold(svc->af, &pkt->saddr);
	unsigned int ihash, off;
	struct nlvs_rs *d;

	if ((svc->flags & NLVS_SVC_F_SCHED2) &&
	    (pkt->protocol == IPPROTO_TCP || pkt->protocol == IPPROTO_UDP ||
	     pkt->protocol == IPPROTO_SCTP))
		key += ntohs(pkt->sport);

	ihash = sh_hash(key, 0);
	d = st->bucket[ihash];
	if (!d)
		return NULL;
	if (nlvs_rs_usable(d))
		return d;
	if (!(svc->flags & NLVS_SVC_F_SCHED1))
		return NULL;
	for (off = 0; off < SH_TAB_SIZE; off++) {
		d = st->bucket[sh_hash(key, (off + ihash) % SH_TAB_SIZE)];
		if (!d)
			break;
		if (nlvs_rs_usable(d))
			return d;
	}
	return NULL;
}

const struct nlvs_sched_ops nlvs_sched_sh = {
	.name = "sh",
	.init = sh_init,
	.done = sh_done,
	.update = sh_update,
	.schedule = sh_schedule,
};
