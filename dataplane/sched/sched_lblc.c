// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lblc: locality-based least connection (ip_vs_lblc.c).
 *
 * Each destination address (think: the web site a cache cluster serves)
 * sticks to the dest chosen for it by wlc.  The entry is dropped and
 * chosen afresh when that dest is quiesced (weight 0) or when it is busy
 * (activeconns > weight) while some dest is at less than half its weight.
 * As in the kernel the connection threshold flag is not checked for a
 * cached dest; only a fresh wlc choice avoids overloaded dests.
 *
 * Expiry follows the kernel's garbage collector, driven by svc->now_ms
 * instead of a timer: at most once a minute, and a full sweep every 30
 * minutes removes entries unused for 24 hours; when the table holds more
 * than 16 entries per bucket, entries unused for 6 minutes go first.
 * Entries of dests that were removed are dropped on update (the kernel
 * keeps them until the dest leaves its trash).
 */
#include <errno.h>
#include <stdlib.h>

#include "sched_priv.h"
#include "sched_loc.h"

struct lblc_entry {
	struct lblc_entry *next;
	union nlvs_addr addr;
	struct nlvs_rs *dest;
	uint64_t lastuse;
};

struct lblc_state {
	struct lblc_entry *bucket[NLVS_LOC_TAB_SIZE];
	struct nlvs_loc_gc gc;
};

static void lblc_sweep(struct lblc_state *st, uint64_t now, uint64_t age, int goal,
		       const struct nlvs_sched_svc *drop_gone)
{
	struct lblc_entry **pp, *en;
	unsigned int i, j;

	for (i = 0, j = st->gc.rover; i < NLVS_LOC_TAB_SIZE; i++) {
		j = (j + 1) & NLVS_LOC_TAB_MASK;
		for (pp = &st->bucket[j]; (en = *pp); ) {
			if (drop_gone ? nlvs_sched_dest_index(drop_gone, en->dest) >= 0
				      : now < en->lastuse + age) {
				pp = &en->next;
				continue;
			}
			*pp = en->next;
			free(en);
			st->gc.entries--;
			goal--;
		}
		if (goal <= 0)
			break;
	}
	if (!drop_gone)
		st->gc.rover = j;
}

static void lblc_gc(struct lblc_state *st, uint64_t now)
{
	int goal;

	switch (nlvs_loc_gc_due(&st->gc, now, &goal)) {
	case NLVS_LOC_GC_FULL:
		lblc_sweep(st, now, NLVS_LOC_EXPIRATION_MS, (int)NLVS_LOC_TAB_SIZE * 1024, NULL);
		break;
	case NLVS_LOC_GC_PARTIAL:
		lblc_sweep(st, now, NLVS_LOC_ENTRY_TIMEOUT_MS, goal, NULL);
		break;
	default:
		break;
	}
}

static int lblc_init(struct nlvs_sched_svc *svc)
{
	svc->priv = calloc(1, sizeof(struct lblc_state));
	return svc->priv ? 0 : -ENOMEM;
}

static void lblc_done(struct nlvs_sched_svc *svc)
{
	struct lblc_state *st = svc->priv;
	struct lblc_entry *en;
	unsigned int i;

	if (!st)
		return;
	for (i = 0; i < NLVS_LOC_TAB_SIZE; i++) {
		while ((en = st->bucket[i])) {
			st->bucket[i] = en->next;
			free(en);
		}
	}
	free(st);
	svc->priv = NULL;
}

static int lblc_update(struct nlvs_sched_svc *svc)
{
	/* a goal no sweep reaches: look at every bucket */
	lblc_sweep(svc->priv, 0, 0, (int)NLVS_LOC_TAB_SIZE * 1024, svc);
	return 0;
}

static struct nlvs_rs *lblc_schedule(struct nlvs_sched_svc *svc,
				     const struct nlvs_sched_pkt *pkt)
{
	struct lblc_state *st = svc->priv;
	unsigned int h = nlvs_loc_hash(svc->af, &pkt->daddr);
	struct lblc_entry *en;
	struct nlvs_rs *d;

	lblc_gc(st, svc->now_ms);

	for (en = st->bucket[h]; en; en = en->next)
		if (nlvs_addr_equal(svc->af, &en->addr, &pkt->daddr))
			break;
	if (en) {
		en->lastuse = svc->now_ms;
		d = en->dest;
		if (d->weight > 0 && !nlvs_loc_busy(svc, d))
			return d;
	}

	d = nlvs_sched_wlc_pick(svc);
	if (!d)
		return NULL;
	if (en) {
		if (en->dest != d) {
			/* the kernel replaces the entry: a fresh lastuse */
			en->dest = d;
			en->lastuse = svc->now_ms;
		}
		return d;
	}
	en = malloc(sizeof(*en));
	if (!en)
		return d;	/* no cache entry; the pick is still valid */
	en->addr = pkt->daddr;
	en->dest = d;
	en->lastuse = svc->now_ms;
	en->next = st->bucket[h];
	st->bucket[h] = en;
	st->gc.entries++;
	return d;
}

const struct nlvs_sched_ops nlvs_sched_lblc = {
	.name = "lblc",
	.init = lblc_init,
	.done = lblc_done,
	.update = lblc_update,
	.schedule = lblc_schedule,
};
