/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sched/: the schedulers, one file each (sched_<name>.c), a static const ops
 * table each, all listed in one array (sched.c) and found by name.  They use
 * base/ only; the control API (ctl/) checks names with them and the engines
 * (lb/) run them.
 *
 * A scheduler instance works on a struct nlvs_sched_svc: the service's real
 * servers in kernel list order (newest first, as ip_vs_ctl.c list_add()s
 * them) together with the connection counters of the scheduling domain that
 * owns the instance.  The dataplane keeps one instance per worker, fed with
 * that worker's counters, so scheduling needs no locks or atomics; unit tests
 * drive an instance directly.
 *
 * Semantics follow the kernel's ip_vs_<name>.c: weight 0 and overloaded
 * servers (upper threshold reached) get no new connections, sh/mh honour the
 * SCHED1 (fallback) and SCHED2 (port) service flags.
 */
#ifndef NLVS_SCHED_H
#define NLVS_SCHED_H

#include <stdint.h>
#include "base/nlvs_ipvs.h"

#define NLVS_RS_F_OVERLOAD	0x1	/* upper threshold reached */

/* A real server as a scheduler sees it. */
struct nlvs_rs {
	uint16_t af;
	union nlvs_addr addr;
	uint16_t port;			/* network order */
	int32_t weight;
	/* the latest non-zero weight (kernel dest->last_weight: set on add and
	 * on every edit to a non-zero weight); mh keeps a quiesced dest's table
	 * slots with it.  0 with weight 0 = never had one. */
	int32_t last_weight;
	uint32_t u_thresh, l_thresh;
	/* counters of the scheduling domain (one worker, or a unit test) */
	uint32_t activeconns, inactconns, persistconns;
	uint32_t flags;			/* NLVS_RS_F_* */
	void *owner;			/* the dataplane's dest; opaque here */
};

/* What a scheduler may look at in the packet that opens a connection. */
struct nlvs_sched_pkt {
	uint16_t af;
	uint8_t protocol;
	union nlvs_addr saddr, daddr;
	uint16_t sport, dport;		/* network order */
};

/* One scheduler instance of one service. */
struct nlvs_sched_svc {
	uint16_t af;
	uint16_t protocol;
	uint32_t flags;			/* service flags: NLVS_SVC_F_SCHED1.. */
	unsigned int num_dests;
	struct nlvs_rs **dests;		/* kernel list order: newest first */
	uint64_t now_ms;		/* clock for lblc/lblcr expiry, set by caller */
	uint64_t rand_state;		/* PRNG state for twos; caller seeds */
	const struct nlvs_sched_ops *ops;
	void *priv;			/* the scheduler's own state */
};

struct nlvs_sched_ops {
	const char *name;
	/* allocate priv (may be NULL); 0 or -ENOMEM */
	int (*init)(struct nlvs_sched_svc *svc);
	void (*done)(struct nlvs_sched_svc *svc);
	/* dests added, removed or re-weighted: rebuild what depends on them */
	int (*update)(struct nlvs_sched_svc *svc);
	/* pick a real server, or NULL if none is available */
	struct nlvs_rs *(*schedule)(struct nlvs_sched_svc *svc,
				    const struct nlvs_sched_pkt *pkt);
};

/** Find a scheduler by name ("rr", "wlc", ...); NULL if unknown. */
const struct nlvs_sched_ops *nlvs_sched_find(const char *name);

/** Set up @svc for @ops (svc->dests etc. already filled); 0 or -errno. */
int nlvs_sched_svc_init(struct nlvs_sched_svc *svc, const struct nlvs_sched_ops *ops);
/** Tell the scheduler its dests changed. */
int nlvs_sched_svc_update(struct nlvs_sched_svc *svc);
void nlvs_sched_svc_done(struct nlvs_sched_svc *svc);
/** Schedule one new connection; NULL = no server available. */
struct nlvs_rs *nlvs_sched_schedule(struct nlvs_sched_svc *svc,
				    const struct nlvs_sched_pkt *pkt);

/** Account a connection bound to / unbound from @rs, maintaining the
 *  overload flag exactly as ip_vs_bind_dest()/ip_vs_unbind_dest() do.
 *  @active selects activeconns vs inactconns; @persist a template. */
void nlvs_rs_conn_bind(struct nlvs_rs *rs, int active, int persist);
void nlvs_rs_conn_unbind(struct nlvs_rs *rs, int active, int persist);
/** A connection moved between active and inactive (TCP state change). */
void nlvs_rs_conn_activate(struct nlvs_rs *rs, int now_active);

/** ip_vs_dest_conn_overhead(): activeconns * 256 + inactconns. */
static inline uint32_t nlvs_rs_overhead(const struct nlvs_rs *rs)
{
	return (rs->activeconns << 8) + rs->inactconns;
}

/** Usable for new connections: weight > 0 and not overloaded. */
static inline int nlvs_rs_usable(const struct nlvs_rs *rs)
{
	return rs->weight > 0 && !(rs->flags & NLVS_RS_F_OVERLOAD);
}

#endif /* NLVS_SCHED_H */
