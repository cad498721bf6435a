/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tables behind nlvs_ctl.h as the engines (lb/) read them on the control
 * thread when they build the configuration they publish to the workers.
 * Nothing here is for workers.
 *
 * The dataplane notices changes through nlvs_ctl_generation() (bumped by every
 * successful configuration change), then walks the services with
 * nlvs_ctl_svc_next() and their dests with nlvs_ctl_dest_at().  Counters: the
 * dataplane folds what its workers counted since its last fold *into* the
 * stats below (adds deltas), so that ZERO, which clears them here, needs no
 * call-back.
 */
#ifndef NLVS_CTL_TABLE_H
#define NLVS_CTL_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "nlvs_ctl.h"
#include "sched/nlvs_sched.h"

struct nlvs_svc;

struct nlvs_dest {
	struct nlvs_dest_conf conf;	/* af filled in, IPv4 bytes 4..15 zero */
	struct nlvs_svc *svc;
	uint32_t activeconns, inactconns, persistconns;	/* set by the dataplane */
	struct nlvs_stats stats;
	void *dp;			/* the dataplane's own state, or NULL */
};

struct nlvs_svc {
	struct nlvs_svc *hnext;		/* hash chain */
	size_t order;			/* slot in the dump order */
	struct nlvs_svc_conf conf;	/* normalised key; flags with HASHED, mask ~0 */
	const struct nlvs_sched_ops *sched;	/* NULL: "none" or unknown at load */
	/* Oldest first, so that adding is an append; the kernel's list order
	 * (newest first) is this array backwards: see nlvs_ctl_dest_at(). */
	struct nlvs_dest **dests;
	uint32_t num_dests, max_dests;
	struct nlvs_stats stats;
	void *dp;			/* the dataplane's own state, or NULL */
};

/* Iteration for the dataplane (control thread). */
/** Next service in dump order, or NULL at the end; *cursor starts at 0. */
struct nlvs_svc *nlvs_ctl_svc_next(size_t *cursor);
/** Look a service up by identity (any key form; it is normalised). */
struct nlvs_svc *nlvs_ctl_svc_find(const struct nlvs_svc_key *key);
/** The @i-th dest of @svc in kernel list order (newest first), or NULL. */
struct nlvs_dest *nlvs_ctl_dest_at(const struct nlvs_svc *svc, uint32_t i);
/** Global totals (ipvsadm's /proc/net/ip_vs_stats); zeroed by a full ZERO. */
struct nlvs_stats *nlvs_ctl_stats_total(void);

/*
 * What changed, told to the dataplane as it happens (the generation moves
 * too), so that it can follow a change with work proportional to it:
 *   NLVS_CTL_SVC        @svc was added, or it or one of its dests changed
 *                       (added, edited, or deleted: see below)
 *   NLVS_CTL_SVC_GONE   @svc is deleted, and its dests with it (called
 *                       before they are freed)
 *   NLVS_CTL_DEST_GONE  @d is deleted from @svc (already out of its list,
 *                       not yet freed)
 *   NLVS_CTL_ALL        anything else (timeouts, flush, state restore...):
 *                       the dataplane looks at everything again
 */
enum nlvs_ctl_what { NLVS_CTL_ALL, NLVS_CTL_SVC, NLVS_CTL_SVC_GONE, NLVS_CTL_DEST_GONE };
typedef void (*nlvs_ctl_watch_fn)(enum nlvs_ctl_what what, struct nlvs_svc *svc,
				  struct nlvs_dest *d);
/** Register the one watcher (NULL: none). */
void nlvs_ctl_watch_set(nlvs_ctl_watch_fn fn);

/*
 * The connection list comes from the dataplane: it registers a function that
 * writes whole /proc/net/ip_vs_conn lines (no header) for its connections
 * starting at number *idx, at most @max bytes, advances *idx past what it
 * wrote and returns the bytes written (0 = no more).  NULL = no connections.
 */
void nlvs_ctl_conn_source_set(size_t (*fn)(size_t *idx, char *buf, size_t max));

#endif /* NLVS_CTL_TABLE_H */
