/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the control API: the tables behind nlvs_ctl.h, shared by the ctl_*.c
 * files and read by the dataplane on the control thread when it builds the
 * configuration it publishes to the workers.  Nothing here is for workers.
 *
 * The dataplane notices changes through nlvs_ctl_generation() (bumped by every
 * successful configuration change), then walks the services with
 * nlvs_ctl_svc_next() and their dests with nlvs_ctl_dest_at().  Counters: the
 * dataplane folds what its workers counted since its last fold *into* the
 * stats below (adds deltas), so that ZERO, which clears them here, needs no
 * call-back.
 */
#ifndef NLVS_CTL_PRIV_H
#define NLVS_CTL_PRIV_H

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
 * The connection list comes from the dataplane: it registers a function that
 * writes whole /proc/net/ip_vs_conn lines (no header) for its connections
 * starting at number *idx, at most @max bytes, advances *idx past what it
 * wrote and returns the bytes written (0 = no more).  NULL = no connections.
 */
void nlvs_ctl_conn_source_set(size_t (*fn)(size_t *idx, char *buf, size_t max));

/* Shared between the ctl_*.c files. */
void nlvs_ctl_changed(void);
void nlvs_ctl_svc_key_norm(struct nlvs_svc_key *out, const struct nlvs_svc_key *in);
int nlvs_ctl_af_valid(unsigned int af);
void nlvs_ctl_addr_norm(uint16_t af, union nlvs_addr *out, const union nlvs_addr *in);
/** 1 if ipv6_addr_type() would call @a multicast. */
int nlvs_ctl_ip6_multicast(const struct in6_addr *a);
/** Any sync daemon running (the kernel's ipvs->sync_state != 0). */
int nlvs_ctl_daemon_any(void);
/** The request a running daemon was started with (before the defaults). */
int nlvs_ctl_daemon_asked(unsigned int idx, struct nlvs_daemon_conf *out);
/** Number of dests whose family differs from their service's. */
unsigned long nlvs_ctl_mixed_dests(void);
void nlvs_ctl_dests_free(struct nlvs_svc *svc);
void nlvs_ctl_config_reset(void);

/* The state file loader applies records with the scheduler check relaxed: a
 * saved service must not vanish because its scheduler cannot be found. */
int nlvs_ctl_svc_add_loaded(const struct nlvs_svc_conf *conf);
int nlvs_ctl_svc_edit_loaded(const struct nlvs_svc_conf *conf);

/* Records (ctl_record.c): one text line each, also the snapshot's format. */
#define NLVS_REC_MAX	640
int nlvs_ctl_rec_svc(char *buf, size_t max, const char *verb,
		     const struct nlvs_svc_conf *conf);
int nlvs_ctl_rec_svc_key(char *buf, size_t max, const char *verb,
			 const struct nlvs_svc_key *key);
int nlvs_ctl_rec_dest(char *buf, size_t max, const char *verb, const struct nlvs_svc_key *key,
		      const struct nlvs_dest_conf *conf, int full);
int nlvs_ctl_rec_daemon(char *buf, size_t max, const struct nlvs_daemon_conf *conf);
int nlvs_ctl_rec_timeouts(char *buf, size_t max, const struct nlvs_timeouts *t);
/** Parse and apply one record (modified in place); 0 or -errno, with the
 *  reason logged against @file:@line. */
int nlvs_ctl_rec_apply(char *line, const char *file, unsigned int lineno);

/* The journal (ctl_state.c).  nlvs_ctl_journal_on() is cheap: callers test
 * it before formatting a record. */
int nlvs_ctl_journal_on(void);
void nlvs_ctl_journal_append(const char *rec, int len);

#endif /* NLVS_CTL_PRIV_H */
