/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the schedulers: the ops tables the registry lists and small
 * helpers several schedulers share.
 */
#ifndef NLVS_SCHED_PRIV_H
#define NLVS_SCHED_PRIV_H

#include "nlvs_sched.h"

extern const struct nlvs_sched_ops nlvs_sched_rr;
extern const struct nlvs_sched_ops nlvs_sched_wrr;
extern const struct nlvs_sched_ops nlvs_sched_lc;
extern const struct nlvs_sched_ops nlvs_sched_wlc;
extern const struct nlvs_sched_ops nlvs_sched_lblc;
extern const struct nlvs_sched_ops nlvs_sched_lblcr;
extern const struct nlvs_sched_ops nlvs_sched_dh;
extern const struct nlvs_sched_ops nlvs_sched_sh;
extern const struct nlvs_sched_ops nlvs_sched_sed;
extern const struct nlvs_sched_ops nlvs_sched_nq;
extern const struct nlvs_sched_ops nlvs_sched_fo;
extern const struct nlvs_sched_ops nlvs_sched_ovf;
extern const struct nlvs_sched_ops nlvs_sched_mh;
extern const struct nlvs_sched_ops nlvs_sched_twos;

/* The position of @rs in svc->dests, or -1. */
static inline int nlvs_sched_dest_index(const struct nlvs_sched_svc *svc,
					const struct nlvs_rs *rs)
{
	unsigned int i;

	for (i = 0; i < svc->num_dests; i++)
		if (svc->dests[i] == rs)
			return (int)i;
	return -1;
}

#endif /* NLVS_SCHED_PRIV_H */
