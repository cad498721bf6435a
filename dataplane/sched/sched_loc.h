/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lblc and lblcr share: their table geometry, the kernel's load test
 * and the garbage collection clock that replaces the kernel's timer.
 */
#ifndef NLVS_SCHED_LOC_H
#define NLVS_SCHED_LOC_H

#include "sched_priv.h"

#define NLVS_LOC_TAB_BITS	10
#define NLVS_LOC_TAB_SIZE	(1u << NLVS_LOC_TAB_BITS)
#define NLVS_LOC_TAB_MASK	(NLVS_LOC_TAB_SIZE - 1)
#define NLVS_LOC_MAX_SIZE	((int)NLVS_LOC_TAB_SIZE * 16)

#define NLVS_LOC_CHECK_MS		(60 * 1000ULL)
#define NLVS_LOC_ENTRY_TIMEOUT_MS	(6 * 60 * 1000ULL)
#define NLVS_LOC_EXPIRATION_MS		(24 * 60 * 60 * 1000ULL)
#define NLVS_LOC_FULL_EVERY		30	/* checks between full sweeps */

enum {
	NLVS_LOC_GC_NONE,
	NLVS_LOC_GC_FULL,	/* drop entries unused for NLVS_LOC_EXPIRATION_MS */
	NLVS_LOC_GC_PARTIAL,	/* table too big: drop entries unused 6 min */
};

struct nlvs_loc_gc {
	uint64_t next_check;	/* 0 = clock not started */
	unsigned int counter;
	unsigned int rover;
	int entries;
};

static inline unsigned int nlvs_loc_hash(uint16_t af, const union nlvs_addr *a)
{
	return nlvs_sched_hash32(nlvs_sched_addr_fold(af, a), NLVS_LOC_TAB_BITS);
}

/* The kernel's timer fires every minute from service creation; we count
 * minutes from the first schedule and replay the checks missed since the
 * last call (capped: past 30 a full sweep is certain).  As in the kernel a
 * check is a full sweep when its counter reaches 30, counts on while the
 * table is small and is a partial sweep while the table is too big. */
static inline int nlvs_loc_gc_due(struct nlvs_loc_gc *gc, uint64_t now, int *goal)
{
	uint64_t ticks;
	int full = 0, partial = 0;

	if (!gc->next_check) {
		gc->next_check = now + NLVS_LOC_CHECK_MS;
		gc->counter = 1;
		return NLVS_LOC_GC_NONE;
	}
	if (now < gc->next_check)
		return NLVS_LOC_GC_NONE;
	ticks = (now - gc->next_check) / NLVS_LOC_CHECK_MS + 1;
	gc->next_check += ticks * NLVS_LOC_CHECK_MS;
	if (ticks > NLVS_LOC_FULL_EVERY + 1)
		ticks = NLVS_LOC_FULL_EVERY + 1;

	while (ticks--) {
		if (gc->counter % NLVS_LOC_FULL_EVERY == 0) {
			full = 1;
			gc->counter = 1;
		} else if (gc->entries <= NLVS_LOC_MAX_SIZE) {
			gc->counter++;
		} else {
			partial = 1;
		}
	}
	if (full)
		return NLVS_LOC_GC_FULL;
	if (partial) {
		*goal = (gc->entries - NLVS_LOC_MAX_SIZE) * 4 / 3;
		if (*goal > NLVS_LOC_MAX_SIZE / 2)
			*goal = NLVS_LOC_MAX_SIZE / 2;
		return NLVS_LOC_GC_PARTIAL;
	}
	return NLVS_LOC_GC_NONE;
}

/* The kernel's is_overloaded() of lblc/lblcr: busy beyond its weight while
 * some dest (any, even a quiesced one) is below half of its weight. */
static inline int nlvs_loc_busy(const struct nlvs_sched_svc *svc, const struct nlvs_rs *rs)
{
	unsigned int i;

	if ((int64_t)rs->activeconns <= rs->weight)
		return 0;
	for (i = 0; i < svc->num_dests; i++)
		if ((int64_t)svc->dests[i]->activeconns * 2 < svc->dests[i]->weight)
			return 1;
	return 0;
}

#endif /* NLVS_SCHED_LOC_H */
