// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twos: power of two choices (ip_vs_twos.c).  Two dests are drawn at
 * random, each with probability proportional to its weight, and the one
 * with the lower overhead/weight wins (the first draw on a tie).
 *
 * Like the kernel, the draws are r % (total + 1) and a dest is chosen once
 * the running sum reaches r, so the first usable dest in list order gets
 * one extra share.  The random numbers come from splitmix64 on
 * svc->rand_state (any seed, including 0, works); its upper 32 bits stand
 * in for the kernel's get_random_u32().
 */
#include "sched_priv.h"

static uint32_t twos_rand(struct nlvs_sched_svc *svc)
{
	uint64_t z;

	svc->rand_state += 0x9E3779B97F4A7C15ULL;
	z = svc->rand_state;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return (uint32_t)(z >> 32);
}

static struct nlvs_rs *twos_schedule(struct nlvs_sched_svc *svc,
				     const struct nlvs_sched_pkt *pkt)
{
	struct nlvs_rs *c1 = NULL, *c2 = NULL, *d;
	int64_t total = 0, r1, r2, w1 = -1, w2 = -1, oh1 = 0, oh2 = 0;
	unsigned int i;

	(void)pkt;
	for (i = 0; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if (!(d->flags & NLVS_RS_F_OVERLOAD) && d->weight > 0) {
			total += d->weight;
			c1 = d;
		}
	}
	if (!c1)
		return NULL;

	total += 1;
	r1 = twos_rand(svc) % (uint64_t)total;
	r2 = twos_rand(svc) % (uint64_t)total;

	for (i = 0; i < svc->num_dests; i++) {
		d = svc->dests[i];
		if ((d->flags & NLVS_RS_F_OVERLOAD) || d->weight <= 0)
			continue;
		r1 -= d->weight;
		r2 -= d->weight;
		if (r1 <= 0 && w1 == -1) {
			c1 = d;
			w1 = d->weight;
			oh1 = nlvs_rs_overhead(d);
		}
		if (r2 <= 0 && w2 == -1) {
			c2 = d;
			w2 = d->weight;
			oh2 = nlvs_rs_overhead(d);
		}
		if (w1 != -1 && w2 != -1)
			break;
	}
	if (c2 && w2 * oh1 > w1 * oh2)
		c1 = c2;
	return c1;
}

const struct nlvs_sched_ops nlvs_sched_twos = {
	.name = "twos",
	.schedule = twos_schedule,
};
