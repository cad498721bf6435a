/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctl/: the control API, its state file and the configuration file
 * (nlvs_conf.h), on the control thread, without DPDK.  ctl/ uses base/ and
 * sched/ (a service's scheduler is checked by name); everything above it
 * (net/, conn/, lb/, the daemon, nlserver/) may use it.
 *
 * The control API: the one narrow interface through which every front end
 * (nlserver's IPVS netlink family, nlvsctl, the state file loader, later the
 * kernel mirror) changes or reads the load balancer's configuration.
 *
 * All functions run on the control thread only (never on a worker lcore) and
 * return 0 or a negative errno.  With a state file open, every change is
 * written to its journal before it is made: when that write fails the
 * change is not made and the write's errno (e.g. -ENOSPC, -EIO) is returned,
 * so a change is in force, and ACKed, only once it is on disk.  The errno values and the order in which they
 * are checked are those of kernel IPVS (net/netfilter/ipvs/ip_vs_ctl.c), so a
 * front end can pass them straight into NLMSG_ERROR.
 *
 * Attribute *presence* (e.g. "NEW_SERVICE needs SCHED_NAME") is the front
 * end's business; value semantics (schedulers, weights, thresholds, address
 * families, existence) are checked here.
 */
#ifndef NLVS_CTL_H
#define NLVS_CTL_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "base/nlvs_ipvs.h"

/* What identifies a service. For fwmark services only (af, fwmark) count and
 * protocol is IPPROTO_TCP, addr and port zero, as in the kernel. */
struct nlvs_svc_key {
	uint16_t af;		/* AF_INET or AF_INET6 */
	uint16_t protocol;	/* IPPROTO_TCP/UDP/SCTP */
	union nlvs_addr addr;
	uint16_t port;		/* network order */
	uint32_t fwmark;	/* non-zero: a firewall-mark service */
};

/* Everything ipvsadm -A/-E can set on a service. */
struct nlvs_svc_conf {
	struct nlvs_svc_key key;
	char sched_name[NLVS_SCHED_NAME_LEN];	/* "none" = no scheduler */
	char pe_name[NLVS_PE_NAME_LEN];		/* "" = none, else "sip" */
	uint32_t flags;				/* NLVS_SVC_F_* */
	uint32_t flags_mask;			/* new = (old & ~mask) | (flags & mask) */
	uint32_t timeout;			/* persistence timeout, seconds */
	uint32_t netmask;			/* raw wire value (see ipvs-genl.md 5.2) */
};

/* 64-bit counters and rates, "in" = client to real server. */
struct nlvs_stats {
	uint64_t conns, inpkts, outpkts, inbytes, outbytes;
	uint64_t cps, inpps, outpps, inbps, outbps;
};

struct nlvs_svc_info {
	struct nlvs_svc_conf conf;	/* flags include NLVS_SVC_F_HASHED */
	uint32_t num_dests;
	struct nlvs_stats stats;
};

/* Everything ipvsadm -a/-e can set on a destination (real server). */
struct nlvs_dest_conf {
	uint16_t af;			/* 0 = the service's family */
	union nlvs_addr addr;
	uint16_t port;			/* network order */
	uint32_t fwd;			/* NLVS_FWD_* (already & NLVS_FWD_MASK) */
	int32_t weight;
	uint32_t u_thresh, l_thresh;
	uint8_t tun_type;		/* NLVS_TUN_* */
	uint16_t tun_port;		/* network order */
	uint16_t tun_flags;		/* host order */
};

struct nlvs_dest_info {
	struct nlvs_dest_conf conf;	/* af filled in */
	uint32_t activeconns, inactconns, persistconns;
	struct nlvs_stats stats;
};

/* A sync daemon's configuration (stored and reported; the protocol is later). */
struct nlvs_daemon_conf {
	uint32_t state;			/* NLVS_DAEMON_MASTER or _BACKUP */
	char mcast_ifn[NLVS_IFNAME_LEN];
	uint32_t syncid;
	uint16_t sync_maxlen;		/* 0 = default from the interface MTU */
	uint16_t mcast_port;		/* host order, 0 = default 8848 */
	uint8_t mcast_ttl;		/* 0 = default 1 */
	uint16_t mcast_af;		/* 0 = default group 224.0.0.81 */
	union nlvs_addr mcast_group;
};

struct nlvs_timeouts {
	uint32_t tcp, tcp_fin, udp;	/* seconds; 0 in a set = unchanged */
};

/*
 * Services.
 */

/** Add a service.  -EEXIST, -ENOENT (scheduler or PE unknown), -EINVAL
 *  (IPv6 prefix out of 1..128, protocol not TCP/UDP/SCTP), -EAFNOSUPPORT,
 *  -ENOMEM. */
int nlvs_ctl_svc_add(const struct nlvs_svc_conf *conf);

/** Edit a service.  -ESRCH, -ENOENT, -EINVAL, -EAFNOSUPPORT. */
int nlvs_ctl_svc_edit(const struct nlvs_svc_conf *conf);

/** Delete a service and its destinations.  -ESRCH. */
int nlvs_ctl_svc_del(const struct nlvs_svc_key *key);

/** Look a service up.  -ESRCH if absent; @out may be NULL. */
int nlvs_ctl_svc_get(const struct nlvs_svc_key *key, struct nlvs_svc_info *out);

/** Walk services in dump order.  *cursor starts at 0; returns 1 and fills
 *  @out while there are more, 0 at the end. */
int nlvs_ctl_svc_walk(size_t *cursor, struct nlvs_svc_info *out);

/** Number of services. */
size_t nlvs_ctl_svc_count(void);

/** Zero counters and rates of one service and its dests (-ESRCH), or of
 *  everything when @key is NULL. */
int nlvs_ctl_svc_zero(const struct nlvs_svc_key *key);

/** Global totals since start or the last full ZERO, deleted services'
 *  traffic included (/proc/net/ip_vs_stats). */
void nlvs_ctl_stats_get(struct nlvs_stats *out);

/** Delete every service and destination (daemons and timeouts stay).
 *  0, or the journal's -errno (then nothing is deleted). */
int nlvs_ctl_flush(void);

/*
 * Destinations of a service.
 */

/** Add a destination.  -ESRCH, -EAFNOSUPPORT, -EINVAL (mixed family without
 *  tunnel, GUE without port, address not unicast), -ERANGE (weight < 0,
 *  l_thresh > u_thresh), -EEXIST, -ENOMEM. */
int nlvs_ctl_dest_add(const struct nlvs_svc_key *svc, const struct nlvs_dest_conf *conf);

/** Edit a destination.  As add, but -ENOENT when it does not exist. */
int nlvs_ctl_dest_edit(const struct nlvs_svc_key *svc, const struct nlvs_dest_conf *conf);

/** Delete a destination (identity: af, addr, port).  -ESRCH, -EAFNOSUPPORT,
 *  -ENOENT. */
int nlvs_ctl_dest_del(const struct nlvs_svc_key *svc, const struct nlvs_dest_conf *id);

/** Walk a service's destinations in dump order.  Returns 1 with @out
 *  filled, 0 at the end, -ESRCH if the service does not exist. */
int nlvs_ctl_dest_walk(const struct nlvs_svc_key *svc, size_t *cursor,
		       struct nlvs_dest_info *out);

/*
 * Sync daemons, timeouts, info.
 */

/** Start a sync daemon: -EINVAL, -ENODEV (unknown interface), -EEXIST.
 *  Defaults (group, port, ttl, maxlen) are filled in as the kernel does. */
int nlvs_ctl_daemon_add(const struct nlvs_daemon_conf *conf);

/** Stop the daemon of @state: -EINVAL (bad state), -ESRCH (not running). */
int nlvs_ctl_daemon_del(uint32_t state);

/** The daemon in slot @idx (0 master, 1 backup): 0 and @out filled, or
 *  -ENOENT if that one is not running. */
int nlvs_ctl_daemon_get(unsigned int idx, struct nlvs_daemon_conf *out);

/** Set timeouts (0 = unchanged).  -EINVAL if any is too large; then nothing
 *  changes. */
int nlvs_ctl_timeout_set(const struct nlvs_timeouts *t);
void nlvs_ctl_timeout_get(struct nlvs_timeouts *t);

/*
 * Connections, for /proc/net/ip_vs_conn and ipvsadm -Lc.
 */

/** Append the text of /proc/net/ip_vs_conn (header included) for at most
 *  @max bytes starting at connection *cursor; returns bytes written and
 *  advances *cursor, 0 when finished. */
size_t nlvs_ctl_conn_text(size_t *cursor, char *buf, size_t max);

/*
 * Making changes live.  In the kernel a change is in force when its ACK is
 * sent; front ends call nlvs_ctl_sync() after a successful change and before
 * acknowledging it, and the dataplane registers the function that publishes
 * the change to its workers.
 */

/** Register the publisher (NULL: none, e.g. control plane only). */
void nlvs_ctl_sync_set(void (*fn)(void));
/** Publish pending changes now if a publisher is registered. */
void nlvs_ctl_sync(void);

/*
 * Zeroing.  The dataplane adds its workers' counters to the stats here in
 * periodic folds; ZERO first asks it to fold what grew since the last one,
 * so that traffic from before the ZERO is never counted after it.
 */

/** Register the folder of not yet counted traffic (NULL: none). */
void nlvs_ctl_fold_set(void (*fn)(void));

/*
 * Formatting shared by every /proc/net/ip_vs* text.
 */

/** The protocol as the kernel's ip_vs_proto_name() prints it ("TCP", ...,
 *  "IP_<n>" for others; @buf holds that one, at least 8 bytes). */
const char *nlvs_proto_name(uint16_t proto, char *buf, size_t size);
/** An IPv6 address as the kernel's %pI6 prints it: eight groups of four
 *  lowercase hex digits (40 bytes with the NUL). */
void nlvs_ip6_full(const union nlvs_addr *a, char *buf, size_t size);
/** @a of family @af in the usual notation ("?" if it cannot be), in @buf
 *  (INET6_ADDRSTRLEN bytes suffice); returns @buf. */
const char *nlvs_addr_str(int af, const union nlvs_addr *a, char *buf, size_t size);

/*
 * Named texts of dataplane state that IPVS cannot express (nlvsctl).
 */

/** Writes text starting at byte/record *idx into @buf (at most @max
 *  bytes), advances *idx, returns bytes written; 0 = finished. */
typedef size_t (*nlvs_ctl_text_fn)(size_t *idx, char *buf, size_t max);

/** Register (or with @fn NULL remove) the text @name ("nlvs_stats", ...).
 *  0, -ENOSPC when the table is full, -EINVAL for a bad name. */
int nlvs_ctl_text_source_set(const char *name, nlvs_ctl_text_fn fn);
/** The writer registered under @name, or NULL. */
nlvs_ctl_text_fn nlvs_ctl_text_source(const char *name);

/** A text written whole when a read starts, so that a reader sees one
 *  moment even across chunks. */
struct nlvs_ctl_text_snap {
	char *buf;
	size_t len;
};
/** As an nlvs_ctl_text_fn: at *@idx 0 @write makes a new snapshot in @s,
 *  then chunks of it are copied out. */
size_t nlvs_ctl_text_snap_read(struct nlvs_ctl_text_snap *s, void (*write)(FILE *f),
			       size_t *idx, char *buf, size_t max);
/** Defines @fn, a text source for nlvsctl read in chunks from a snapshot
 *  of its own made by @write, so that the chunks of one read come from one
 *  moment. */
#define NLVS_CTL_TEXT_SNAP(fn, write)					\
	static size_t fn(size_t *idx, char *buf, size_t max)		\
	{								\
		static struct nlvs_ctl_text_snap snap;			\
									\
		return nlvs_ctl_text_snap_read(&snap, write, idx, buf, max); \
	}

/*
 * Life cycle and persistence.
 */

/** A counter bumped by every successful configuration change (services,
 *  dests, daemons, timeouts, flush; not ZERO): the dataplane compares it to
 *  know when to rebuild what it publishes to the workers. */
uint64_t nlvs_ctl_generation(void);

/** Initialise the (empty) tables. */
int nlvs_ctl_init(void);
/** Free everything (shutdown). */
void nlvs_ctl_fini(void);

/** Load the IPVS configuration saved in @path (absent file = empty table)
 *  and keep journaling every later change there.  Returns 0 or -errno. */
int nlvs_ctl_state_open(const char *path);
/** Write a compact snapshot now and close the journal (shutdown). */
void nlvs_ctl_state_close(void);
/** fdatasync every journal record before the change is made and ACKed
 *  (state-sync on); else a killed daemon loses nothing, a power cut may. */
void nlvs_ctl_state_sync_set(int on);
/** Let the next nlvs_ctl_state_open() start from a damaged state: every line
 *  whose checksum holds is applied, the others are dropped and counted in
 *  the log, and a fresh snapshot is written (the damaged files are kept as
 *  <file>.damaged).  Without it a damaged file makes the open fail with
 *  -EBADMSG and leaves the files untouched. */
void nlvs_ctl_state_recover_set(int on);
/** Finish a compaction whose child has exited (@wait: wait for it).  Call on
 *  SIGCHLD.  Returns 1 while one is still running, else 0. */
int nlvs_ctl_state_poll(int wait);

#endif /* NLVS_CTL_H */
