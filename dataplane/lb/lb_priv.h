/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FULLNAT engine behind nlvs_lb.h, in four parts:
 *
 *   lb.c        the hooks: init/reload/tick/fini, per-worker state
 *   lb_cfg.c    control thread: the IPVS table (nlvs_ctl_table.h) turned into an
 *               immutable struct lb_cfg, published under RCU
 *   lb_worker.c worker: follows a new lb_cfg (scheduler instances over its
 *               own nlvs_rs counters), connection expiry
 *   lb_fnat.c   worker: the FULLNAT/NAT packet path (what a miss does)
 *   lb_path.c   worker: what FULLNAT and SNAT share (hits, ICMP errors of
 *               known connections, templates, filing new connections)
 *   lb_stats.c  control thread: counters folded into the control API,
 *               rate estimator, the /proc/net/ip_vs_conn listing
 *
 * Services and dests live in slots.  A slot keeps its index for the life of
 * the service or dest and gets a new generation when it is reused, so a
 * connection knows its dest by (slot, generation) and notices deletion.
 * Per-worker state indexed by slot lives in chunks that the control thread
 * allocates before publishing a table that uses them: workers never
 * allocate on the packet path and the chunk addresses never move, so the
 * control thread can read the workers' counters at any time.
 */
#ifndef NLVS_LB_PRIV_H
#define NLVS_LB_PRIV_H

#include <stdint.h>

#include "net/nlvs_net.h"
#include "lb_calc.h"
#include "nlvs_lb.h"
#include "conn/nlvs_conn.h"
#include "nlvs_laddr.h"
#include "sched/nlvs_sched.h"
#include "nlvs_snat.h"

#define LB_CHUNK_SHIFT		8
#define LB_CHUNK		(1u << LB_CHUNK_SHIFT)
#define LB_SVC_CHUNKS		1024	/* 262,144 services */
#define LB_DEST_CHUNKS		4096	/* 1,048,576 dests */
/* Chunks that hold @n slots: only that many pointers of a table are set. */
#define LB_CHUNKS(n)		(((n) + LB_CHUNK - 1) >> LB_CHUNK_SHIFT)
#define LB_LPORT_MIN		1024
#define LB_LPORT_MAX		65535
#define LB_EXPIRE_BUDGET	2048	/* wheel entries per worker poll */
#define LB_REBUILD_MS		50	/* at most one rebuild per this while busy */
#define LB_SYNC_MAX_US		5000	/* rebuild per change while one costs less */
#define LB_SYNC_BURST_US	20000	/* and while this budget of rebuild time lasts, */
#define LB_SYNC_SHARE		10	/* refilled at 1/this of the clock */
#define LB_BURST_SHARE		50	/* in a burst, rebuilds take 1/this of the time */
#define LB_LAG_MAX_MS		1000	/* but a change waits at most this long */
#define LB_FOLD_MS		50

/* Connection flag bits of our own (nlvs_conn.h uses the low 16, SNAT
 * 0x00020000, NLVS_SNAT_CONN_F). */
#define LB_CF_FNAT		0x00010000u	/* holds a laddr port */
#define LB_CF_DR		0x00040000u	/* forwarded by direct routing (-g) */
#define LB_CF_TUN		0x00080000u	/* forwarded through a tunnel (-i) */
#define LB_CF_DIRECT		(LB_CF_DR | LB_CF_TUN)	/* the RS answers the client */
_Static_assert(!(LB_CF_DIRECT & (NLVS_SNAT_CONN_F | LB_CF_FNAT)), "flag bits apart");
#define LB_CF_LADDR_SHIFT	20		/* its local address id in the top 12 bits */
#define LB_LADDR_MAX		NLVS_LADDR_IDS_MAX	/* ids fit those bits */
#define LB_POOL_MAX		4096		/* laddr lines */

struct lb_cnt {
	uint64_t conns, inpkts, outpkts, inbytes, outbytes;
};

/* A dest as published. */
struct lb_dest {
	uint32_t gen;			/* changes whenever the slot changes owner */
	uint8_t used;
	uint8_t af;
	uint16_t port;			/* network order */
	uint32_t fwd;
	uint8_t tun_type;		/* NLVS_TUN_* (TUN dests) */
	uint8_t proto;			/* its service's (the nat_rs key) */
	uint16_t tun_port;		/* gue: network order */
	uint16_t tun_flags;		/* NLVS_TUN_F_* */
	int32_t weight, last_weight;
	uint32_t u_thresh, l_thresh;	/* the whole director's values */
	union nlvs_addr addr;
};

/* A service as published. */
struct lb_svc {
	uint32_t gen;			/* slot generation */
	uint32_t sched_ver;		/* scheduler or flags changed */
	uint32_t dests_ver;		/* dest list, weights or thresholds changed */
	uint8_t used;
	uint8_t af;
	uint8_t proto;
	uint8_t plen;			/* persistence netmask as a prefix length */
	uint16_t port;			/* network order */
	int16_t pool;			/* laddr pool, -1 none */
	uint32_t flags;			/* NLVS_SVC_F_* */
	uint32_t fwmark;
	uint32_t timeout_ms;		/* persistence */
	uint32_t slot;			/* its own */
	const struct nlvs_sched_ops *sched;
	union nlvs_addr addr;
	uint32_t ndests;
	uint32_t *dests;		/* dest slots, kernel order (newest first);
					 * one allocation per service and table */
};

/*
 * laddr pools: a VIP's local addresses, each named by its id (the slice
 * of ports every worker has for it, lw->slice[id]).  An address in two
 * pools has one id, so whichever pool takes its ports, none is handed out
 * twice.  The control thread builds a new set on reload; it is immutable
 * and freed only after the last lb_cfg pointing to it.
 */
struct lb_pool {
	uint8_t af;
	union nlvs_addr vip;
	uint32_t n;
	const uint16_t *ids;		/* address ids */
	const union nlvs_addr *addrs;	/* their addresses, same order */
};

struct lb_pools {
	uint32_t n, naddrs;
	struct lb_pool *p;
	uint16_t *ids;			/* backing store of every pool's ids[] */
	union nlvs_addr *addrs;		/* and addrs[] */
};

/*
 * A table is built from the one before it (copy on write): it copies the
 * struct, so it shares the chunks of services and dests, their dest lists
 * and the hashes' pages, and replaces only what a change touched.  What the
 * new table no longer shares is freed with the old one after the grace
 * period (lb_cfg_reclaim).  A change thus costs the chunks and pages it
 * touches, not the table.
 */
struct lb_cfg {
	/* unique per table: a new table may be allocated where a freed one
	 * was, so followers compare this, never the pointer */
	uint64_t seq;
	const struct lb_pools *pools;	/* never NULL once published */
	uint32_t nsvc, ndest;		/* slots in use or ever used */
	uint32_t nhash;			/* services in it */
	struct lb_hash hash;		/* svc slots (paged, lb_calc.h) */
	uint32_t nat;			/* services without a laddr pool (classic NAT) */
	uint32_t nnat_rs;		/* dests in it */
	struct lb_hash nat_rs;		/* their dest slots; pg NULL if none */
	struct nlvs_conn_timeouts to;
	/* What changed since the table of seq from_seq, for the workers:
	 * every slot (all), or the slots listed (each once); a worker
	 * further behind looks at every slot. */
	uint8_t all;
	uint64_t from_seq;
	uint32_t nchg_svc, nchg_dest;
	uint32_t *chg_svc, *chg_dest;
	/* Only the first LB_CHUNKS(nsvc) and LB_CHUNKS(ndest) are set: a step
	 * copies those, not the arrays. */
	struct lb_svc *svc_chunk[LB_SVC_CHUNKS];
	struct lb_dest *dest_chunk[LB_DEST_CHUNKS];
};

static inline const struct lb_svc *lb_cfg_svc(const struct lb_cfg *cfg, uint32_t slot)
{
	return &cfg->svc_chunk[slot >> LB_CHUNK_SHIFT][slot & (LB_CHUNK - 1)];
}

static inline const struct lb_dest *lb_cfg_dest(const struct lb_cfg *cfg, uint32_t slot)
{
	return &cfg->dest_chunk[slot >> LB_CHUNK_SHIFT][slot & (LB_CHUNK - 1)];
}

/* A worker's view of a service: its own scheduler instance. */
struct lb_wsvc {
	uint32_t gen, sched_ver, dests_ver;
	uint8_t live;
	struct nlvs_sched_svc sch;
	unsigned int rs_cap;
	struct lb_cnt cnt;
};

/* A worker's view of a dest: its share of the connection counters. */
struct lb_wdest {
	struct nlvs_rs rs;
	uint32_t gen;
	struct lb_cnt cnt;
};

/* A path MTU towards a real server's IPv4 address, learnt as the kernel's
 * route cache learns it (ipv4_update_pmtu): lower only, never below 552,
 * forgotten after 10 minutes.  Direct-mapped per worker: a lost slot only
 * means the next too-big packet is learnt again from the router. */
#define LB_PMTU_SLOTS		64
struct lb_pmtu {
	uint32_t addr;			/* network order; 0: free */
	uint16_t mtu;
	uint64_t expires_ms;
};

struct lb_worker {
	struct nlvs_worker *w;
	const struct lb_cfg *cfg;	/* the table this worker follows */
	uint64_t cfg_seq;		/* and its seq (the control thread reads it) */
	struct nlvs_conn_tab *tab;
	uint64_t tsc_per_ms;
	uint64_t now_ms;
	uint64_t rand;
	uint64_t tab_seq;		/* bumped whenever a connection is filed or freed */
	struct lb_cnt total;
	struct lb_wsvc *svc_chunk[LB_SVC_CHUNKS];
	struct lb_wdest *dest_chunk[LB_DEST_CHUNKS];
	/* the control thread sets a slice before any lb_cfg names its id and
	 * clears it once no connection holds a port of it */
	struct nlvs_laddr_slice *slice[LB_LADDR_MAX];
	uint32_t pool_rr[LB_POOL_MAX];	/* round-robin cursor per pool */
	/* TUN: the ports' own addresses (outer sources) as found in the
	 * address table tun_src_tab at its generation tun_src_gen of port
	 * addresses, and the outer IPv4 identification */
	const void *tun_src_tab;
	unsigned int tun_src_gen;
	uint8_t tun_src_ok[2][NLVS_MAX_PORTS];
	union nlvs_addr tun_src[2][NLVS_MAX_PORTS];
	uint16_t tun_id;
	/* TUN: path MTUs learnt from routers' "fragmentation needed" about
	 * our outer IPv4 packets, per real server address (lb_direct.c) */
	struct lb_pmtu pmtu[LB_PMTU_SLOTS];
};

/*
 * A burst through the engines (lb_path.c): each packet is parsed and
 * classified first, the keys of those whose fate a connection lookup
 * decides are looked up together, then every packet is finished in order:
 * hits on the short path, everything else on its engine's full one.
 */
enum lb_act {
	LB_ACT_FNAT_SLOW,		/* no key: lb_fnat_slow() */
	LB_ACT_SNAT_SLOW,		/* no key: snat_slow() */
	LB_ACT_VIP,			/* key: to a VIP or local address */
	LB_ACT_NAT,			/* key: transit, maybe a classic NAT reply */
	LB_ACT_SNAT_OUT,		/* key: transit, maybe an inside host's flow */
	LB_ACT_SNAT_IN,			/* key: to an egress address */
};
#define LB_ACT_KEYED		LB_ACT_VIP	/* this and above carry a key */

struct lb_bpkt {
	struct nlvs_pkt p;
	int parse_rc;			/* nlvs_pkt_parse()'s answer */
	unsigned int act;		/* enum lb_act */
};

/* lb.c */
extern struct lb_worker *lb_workers[NLVS_MAX_WORKERS];
extern unsigned int lb_nworkers;
extern struct lb_cfg *lb_cfg_current;	/* published; read with lb_cfg_get() */
uint64_t lb_now_ms(void);
/* ICMP errors on their way along the worker chain carry a hop count in an
 * mbuf dynamic field, valid while the dynamic flag is set (-1: none) */
extern int lb_hop_off;
extern uint64_t lb_hop_flag;

/* A protocol with ports that services and connections are kept for. */
static inline int lb_proto_ported(unsigned int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

static inline const struct lb_cfg *lb_cfg_get(void)
{
	return __atomic_load_n(&lb_cfg_current, __ATOMIC_ACQUIRE);
}

static inline struct lb_wsvc *lb_wsvc(const struct lb_worker *lw, uint32_t slot)
{
	return &lw->svc_chunk[slot >> LB_CHUNK_SHIFT][slot & (LB_CHUNK - 1)];
}

static inline struct lb_wdest *lb_wdest(const struct lb_worker *lw, uint32_t slot)
{
	return &lw->dest_chunk[slot >> LB_CHUNK_SHIFT][slot & (LB_CHUNK - 1)];
}

static inline int lb_dest_gone(const struct lb_worker *lw, const struct nlvs_conn *c)
{
	return lb_wdest(lw, (uint32_t)(uintptr_t)c->dest)->gen != c->dest_gen;
}

void lb_pools_free(struct lb_pools *pl);
/** One row of nlvsctl's laddrs (the caller ends it with the pool column). */
void lb_laddr_row_write(FILE *f, const char *kind, int af, const union nlvs_addr *a,
			const char *state, uint32_t held, uint32_t ports);

/* lb_cfg.c */
/** Start with the pools @pl (the control thread's set from now on). */
int lb_cfg_init(struct lb_pools *pl);
/** The pools services are built with now. */
const struct lb_pools *lb_cfg_pools(void);
/* Reload of the pools: build a table with @pl (nothing changes yet), then
 * publish it with the pools, which then become the control thread's set
 * (the old set is freed after the grace period), or throw it away. */
int lb_cfg_pools_prepare(const struct lb_pools *pl, struct lb_cfg **out);
void lb_cfg_pools_commit(struct lb_pools *pl, struct lb_cfg *c);
void lb_cfg_pools_abort(struct lb_cfg *c);
/** Rebuild and publish if the control tables changed; 1 when in sync. */
int lb_cfg_update(uint64_t now_ms);
/* Publish now, before a change is acknowledged, unless rebuilds have grown
 * too costly for that: 1 when the published table is current. */
int lb_cfg_sync(uint64_t now_ms);
/** Free the table published before the current one, after the workers'
 *  grace period (a no-op when there is none). */
void lb_cfg_reclaim(void);
void lb_cfg_fini(void);
const struct lb_svc *lb_svc_lookup(const struct lb_cfg *cfg, int af, uint8_t proto,
				   const union nlvs_addr *addr, uint16_t port);
/** The laddr pool of VIP @vip, or -1 (classic NAT). */
int lb_pool_of(const struct lb_cfg *cfg, int af, const union nlvs_addr *vip);
/** The firewall-mark service of @mark and family @af, or NULL. */
const struct lb_svc *lb_svc_lookup_mark(const struct lb_cfg *cfg, int af, uint32_t mark);
/** Control thread: answer for the VIPs of the current table and mark rules again. */
void lb_cfg_vips_refresh(void);

/* lb_mark.c: the "mark" lines (NULL: none, the packet path's one branch) */
extern struct nlvs_snat_class *lb_mark_cls;
int lb_mark_init(const struct nlvs_conf *conf);
int lb_mark_reload(const struct nlvs_conf *conf);
void lb_mark_fini(void);
unsigned int lb_mark_nrules(void);
/** Does rule @i of mark @mark name a host address of family @af?  1 with *@a. */
int lb_mark_vip(unsigned int i, uint32_t mark, int af, union nlvs_addr *a);
/** Worker: the fwmark service the first mark rule matching @k selects. */
const struct lb_svc *lb_mark_svc(const struct lb_worker *lw, const struct nlvs_snat_class *cls,
				 const struct nlvs_l3_info *l3, const struct nlvs_conn_tuple *k);
/** The persistence template key of client @k in service @s. */
void lb_tmpl_key(struct nlvs_conn_tuple *tk, const struct lb_svc *s,
		 const struct nlvs_conn_tuple *k);
/** Is @addr:@port (of @proto) a dest of a classic NAT service? */
int lb_nat_rs_is(const struct lb_cfg *cfg, int af, uint8_t proto, const union nlvs_addr *addr,
		 uint16_t port);
/* control-side records of slots, for lb_stats.c */
struct lb_est {
	uint64_t last_conns, last_inpkts, last_outpkts, last_inbytes, last_outbytes;
	uint64_t cps, inpps, outpps, inbps, outbps;
};
struct lb_cslot {
	void *obj;			/* struct nlvs_svc / nlvs_dest, NULL = free */
	uint32_t gen;
	uint8_t seen;
	uint8_t noted;			/* on the list of changes for the next table */
	uint8_t behind;			/* on the list of changes since acc_from */
	struct lb_cnt last;		/* sum over workers at the last fold */
	uint32_t act, inact, pers;	/* dest: the connection counts last written */
	struct lb_est est;
};
extern struct lb_cslot *lb_csvc, *lb_cdest;
extern uint32_t lb_ncsvc, lb_ncdest;

/* lb_worker.c */
struct lb_worker *lb_worker_create(struct nlvs_worker *w, const struct nlvs_conf *conf,
				   unsigned int nworkers);
void lb_worker_destroy(struct lb_worker *lw);
int lb_worker_chunks(struct lb_worker *lw, uint32_t nsvc, uint32_t ndest);
void lb_worker_sync(struct lb_worker *lw, const struct lb_cfg *cfg);

/* Worker: catch up with the published table (by its seq: a new table may
 * sit where a freed one was); the table followed, NULL before the first. */
static inline const struct lb_cfg *lb_worker_follow(struct lb_worker *lw)
{
	const struct lb_cfg *cfg = lb_cfg_get();

	if (unlikely(cfg && cfg->seq != lw->cfg_seq))
		lb_worker_sync(lw, cfg);
	return lw->cfg;
}
void lb_conn_release(struct lb_worker *lw, struct nlvs_conn *c);

/* lb_path.c */
/** Unbind and free @c now. */
void lb_conn_kill(struct lb_worker *lw, struct nlvs_conn *c);
/** Drop @m for the rewrite's reason @rc, telling the sender when it was
 *  the TTL. */
void lb_rewrite_failed(struct nlvs_worker *w, struct rte_mbuf *m, int af, int rc);
/** A TCP/UDP (or echo) packet of @c that came from @side: state, expiry,
 *  rewrite, accounting, output.  Consumes @m. */
void lb_conn_forward(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		     const struct nlvs_pkt *p, struct nlvs_conn *c, unsigned int side);
/** An ICMP error from @side quoting a packet of @c, translated; with
 *  @keep_reporter an error from the outside keeps the reporting router's
 *  address (SNAT: traceroute shows the real hops).  Consumes @m. */
void lb_icmp_forward(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		     const struct nlvs_pkt *p, struct nlvs_conn *c, unsigned int side,
		     int keep_reporter);
/** The live template under @tk, or NULL (a stale one is freed). */
struct nlvs_conn *lb_tmpl_get(struct lb_worker *lw, const struct nlvs_conn_tuple *tk);
/** The dest of a new flow @k of @s (through the template under @tk when
 *  the service is persistent): 0 with *@dslot and *@tmpl (NULL if none),
 *  or a drop reason. */
int lb_dest_choose(struct lb_worker *lw, const struct lb_svc *s, const struct nlvs_conn_tuple *k,
		   const struct nlvs_conn_tuple *tk, struct nlvs_conn **tmpl, uint32_t *dslot);
/** File the connection @k / @t1 bound to @dslot, under @tmpl or a new
 *  template under @tk when @s is persistent; count it.  NULL with
 *  *@reason when the table is full (nothing left behind). */
struct nlvs_conn *lb_conn_add(struct lb_worker *lw, const struct lb_svc *s,
			      const struct nlvs_conn_tuple *k, const struct nlvs_conn_tuple *t1,
			      uint32_t flags, uint32_t dslot, struct nlvs_conn *tmpl,
			      const struct nlvs_conn_tuple *tk, unsigned int *reason);

/* lb_direct.c */
/** Send @m, a client's packet (or an ICMP error about the connection) as
 *  it arrived, to @c's real server by @c's method (LB_CF_DR or LB_CF_TUN):
 *  TTL, MTU, Ethernet header or encapsulation.  Consumes @m. */
void lb_direct_xmit(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		    const struct nlvs_conn *c);
/** "Fragmentation needed" to a port's address: about the outer packet of a
 *  TUN connection, the client hears it with the MTU less the tunnel
 *  headers (the kernel's ip_vs_in_icmp tunnel case); otherwise host
 *  traffic.  0 when @m is consumed; 1 (@m untouched) when it quotes a
 *  client's packet this worker holds no connection for. */
int lb_direct_icmp(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		   const struct nlvs_pkt *p);

/* lb_fnat.c: the FULLNAT/NAT side of a burst */
unsigned int lb_fnat_classify(struct lb_worker *lw, struct rte_mbuf *m,
			      const struct nlvs_l3_info *l3, struct lb_bpkt *b,
			      struct nlvs_conn_tuple *k);
void lb_fnat_slow(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		  const struct lb_bpkt *b);
void lb_fnat_miss(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		  const struct nlvs_pkt *p, const struct nlvs_conn_tuple *k);
void lb_fnat_nat(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		 const struct nlvs_pkt *p, struct nlvs_conn *c, unsigned int side);

/* lb_stats.c */
void lb_stats_fold(void);
void lb_stats_estimate(void);
void lb_stats_slot_reset(struct lb_cslot *cs, int is_dest, uint32_t slot);
size_t lb_conn_text(size_t *idx, char *buf, size_t max);

#endif /* NLVS_LB_PRIV_H */
