// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lblcr: locality-based least connection with replication (ip_vs_lblcr.c).
 *
 * Each destination address owns a set of dests (newest first).  New
 * connections go to the least loaded (overhead/weight) usable member; when
 * that member is busy in lblc's sense (or there is none) wlc picks a dest
 * which joins the set.  A set with more than one member that has not
 * changed for 24 hours loses its most loaded member.  Whole entries expire
 * as in lblc (see sched_loc.h).  Removed dests leave every set on update.
 */
#include <errno.h>
#include <stdlib.h>

#include "sched_priv.h"
#include "sched_loc.h"

struct lblcr_elem {
	struct lblcr_elem *next;
	struct nlvs_rs *dest;
};

struct lblcr_entry {
	struct lblcr_entry *next;
	union nlvs_addr addr;
	struct lblcr_elem *set;		/* newest first, as list_add() */
	unsigned int set_size;
	uint64_t lastmod, lastuse;
};

struct lblcr_state {
	struct lblcr_entry *bucket[NLVS_LOC_TAB_SIZE];
	struct nlvs_loc_gc gc;
};

static void set_insert(struct lblcr_entry *en, struct nlvs_rs *d, uint64_t now)
{
	struct lblcr_elem *e;

	for (e = en->set; e; e = e->next)
		if (e->dest == d)
			return;
	e = malloc(sizeof(*e));
	if (!e)
		return;
	e->dest = d;
	e->next = en->set;
	en->set = e;
	en->set_size++;
	en->lastmod = now;
}

static void set_erase(struct lblcr_entry *en, struct nlvs_rs *d)
{
	struct lblcr_elem **pp, *e;

	for (pp = &en->set; (e = *pp); pp = &e->next) {
		if (e->dest == d) {
			*pp = e->next;
			free(e);
			en->set_size--;
			return;
		}
	}
}

/* least overhead/weight among usable members; the first such member is the
 * one to beat, as in the kernel */
static struct nlvs_rs *set_min(const struct lblcr_entry *en)
{
	struct lblcr_elem *e;
	struct nlvs_rs *least = NULL, *d;
	int64_t loh = 0, doh;

	for (e = en->set; e; e = e->next) {
		d = e->dest;
		if (!(d->flags & NLVS_RS_F_OVERLOAD) && d->weight > 0) {
			least = d;
			loh = nlvs_rs_overhead(d);
			break;
		}
	}
	if (!least)
		return NULL;
	for (e = e->next; e; e = e->next) {
		d = e->dest;
		if (d->flags & NLVS_RS_F_OVERLOAD)
			continue;
		doh = nlvs_rs_overhead(d);
		if (loh * d->weight > doh * least->weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

/* most overhead/weight among members with a weight (thresholds ignored) */
static struct nlvs_rs *set_max(const struct lblcr_entry *en)
{
	struct lblcr_elem *e;
	struct nlvs_rs *most = NULL, *d;
	int64_t moh = 0, doh;

	for (e = en->set; e; e = e->next) {
		if (e->dest->weight > 0) {
			most = e->dest;
			moh = nlvs_rs_overhead(most);
			break;
		}
	}
	if (!most)
		return NULL;
	for (e = e->next; e; e = e->next) {
		d = e->dest;
		doh = nlvs_rs_overhead(d);
		if (moh * d->weight < doh * most->weight && d->weight > 0) {
			most = d;
			moh = doh;
		}
	}
	return most;
}

static void entry_free(struct lblcr_entry *en)
{
	struct lblcr_elem *e;

	while ((e = en->set)) {
		en->set = e->next;
		free(e);
	}
	free(en);
}

static void lblcr_sweep(struct lblcr_state *st, uint64_t now, uint64_t age, int goal)
{
	struct lblcr_entry **pp, *en;
	unsigned int i, j;

	for (i = 0, j = st->gc.rover; i < NLVS_LOC_TAB_SIZE; i++) {
		j = (j + 1) & NLVS_LOC_TAB_MASK;
		for (pp = &st->bucket[j]; (en = *pp); ) {
			if (now < en->lastuse + age) {
				pp = &en->next;
				continue;
			}
			*pp = en->next;
			entry_free(en);
			st->gc.entries--;
			goal--;
		}
		if (goal <= 0)
			break;
	}
	st->gc.rover = j;
}

static int lblcr_init(struct nlvs_sched_svc *svc)
{
	svc->priv = calloc(1, sizeof(struct lblcr_state));
	return svc->priv ? 0 : -ENOMEM;
}

static void lblcr_done(struct nlvs_sched_svc *svc)
{
	struct lblcr_state *st = svc->priv;
	struct lblcr_entry *en;
	unsigned int i;

	if (!st)
		return;
	for (i = 0; i < NLVS_LOC_TAB_SIZE; i++) {
		while ((en = st->bucket[i])) {
			st->bucket[i] = en->next;
			entry_free(en);
		}
	}
	free(st);
	svc->priv = NULL;
}

static int lblcr_update(struct nlvs_sched_svc *svc)
{
	struct lblcr_state *st = svc->priv;
	struct lblcr_elem *e, *next;
	struct lblcr_entry *en;
	unsigned int i;

	for (i = 0; i < NLVS_LOC_TAB_SIZE; i++) {
		for (en = st->bucket[i]; en; en = en->next) {
			for (e = en->set; e; e = next) {
				next = e->next;
				if (nlvs_sched_dest_index(svc, e->dest) < 0)
					set_erase(en, e->dest);
			}
		}
	}
	return 0;
}

static struct nlvs_rs *lblcr_schedule(struct nlvs_sched_svc *svc,
				      const struct nlvs_sched_pkt *pkt)
{
	struct lblcr_state *st = svc->priv;
	unsigned int h = nlvs_loc_hash(svc->af, &pkt->daddr);
	uint64_t now = svc->now_ms;
	struct lblcr_entry *en;
	struct nlvs_rs *d, *m;
	int goal;

	switch (nlvs_loc_gc_due(&st->gc, now, &goal)) {
	case NLVS_LOC_GC_FULL:
		lblcr_sweep(st, now, NLVS_LOC_EXPIRATION_MS, (int)NLVS_LOC_TAB_SIZE * 1024);
		break;
	case NLVS_LOC_GC_PARTIAL:
		lblcr_sweep(st, now, NLVS_LOC_ENTRY_TIMEOUT_MS, goal);
		break;
	default:
		break;
	}

	for (en = st->bucket[h]; en; en = en->next)
		if (nlvs_addr_equal(svc->af, &en->addr, &pkt->daddr))
			break;
	if (en) {
		en->lastuse = now;
		d = set_min(en);
		/* an old replicated set sheds its busiest member */
		if (en->set_size > 1 && now > en->lastmod + NLVS_LOC_EXPIRATION_MS) {
			m = set_max(en);
			if (m) {
				set_erase(en, m);
				en->lastmod = now;
			}
		}
		if (d && !nlvs_loc_busy(svc, d))
			return d;
		d = nlvs_sched_wlc_pick(svc);
		if (d)
			set_insert(en, d, now);
		return d;
	}

	d = nlvs_sched_wlc_pick(svc);
	if (!d)
		return NULL;
	en = calloc(1, sizeof(*en));
	if (!en)
		return d;
	en->addr = pkt->daddr;
	en->lastuse = now;
	set_insert(en, d, now);
	en->next = st->bucket[h];
	st->bucket[h] = en;
	st->gc.entries++;
	return d;
}

const struct nlvs_sched_ops nlvs_sched_lblcr = {
	.name = "lblcr",
	.init = lblcr_init,
	.done = lblcr_done,
	.update = lblcr_update,
	.schedule = lblcr_schedule,
};
