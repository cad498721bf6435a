/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conn/: connections.  It uses base/, ctl/ (addresses, timeouts) and net/
 * (the parsed packet, nlvs_pkt.h); the engines (lb/) use it.  Plain C: unit
 * tests need no DPDK.
 *
 * Per-worker connection table: one instance per worker lcore, no locks, no
 * atomics, no allocation after creation.
 *
 * A connection is found under two tuples, each exactly as packets arrive:
 * tuple[0] from the client side (client:cport -> VIP:vport) and tuple[1]
 * from the real-server side (RS:rport -> laddr:lport).  A packet that
 * matched side s leaves with the reverse of tuple[1 - s], so FULLNAT and,
 * later, SNAT are the same code.  Persistence templates are connections of
 * their own (NLVS_CONN_F_TEMPLATE, only tuple[0] hashed) that controlled
 * connections reference, as the kernel's ip_vs_conn templates do.
 *
 * Time is milliseconds from any monotonic clock, passed in by the caller.
 * Expiry uses a timer wheel: refreshing a connection on each packet only
 * writes its expiry time (a line the hit has in cache anyway); the wheel
 * re-files it lazily.
 */
#ifndef NLVS_CONN_H
#define NLVS_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "ctl/nlvs_ctl.h"
#include "net/nlvs_pkt.h"

#define NLVS_CONN_F_TEMPLATE	0x0001	/* persistence template */
#define NLVS_CONN_F_ONE_PACKET	0x0002	/* --ops: expires right after its packet */
#define NLVS_CONN_F_INACTIVE	0x0004	/* counted in the dest's inactconns */
#define NLVS_CONN_F_NOOUTPUT	0x0008	/* no reply seen yet (DR/TUN style) */
#define NLVS_CONN_F_CONTROLLED	0x0010	/* a persistence template controls it */
#define NLVS_CONN_F_HASHED	0x0100	/* internal */

#define NLVS_CONN_NONE		UINT32_MAX

/* Sides: where a packet came from. */
#define NLVS_CONN_SIDE_CLIENT	0	/* kernel's "input" direction */
#define NLVS_CONN_SIDE_RS	1	/* "output" */

struct nlvs_conn_tuple {
	union nlvs_addr saddr, daddr;	/* IPv4: first 4 bytes, rest zero */
	uint16_t sport, dport;		/* network order */
	uint8_t af;			/* AF_INET or AF_INET6 */
	uint8_t proto;
	uint8_t kind;			/* 0 connection, 1 template */
	uint8_t pad;			/* zero */
};

/* Source in, source out: where packets of one side arrived from. */
struct nlvs_conn_src {
	uint16_t port;			/* ingress port id */
	uint8_t mac[6];			/* peer (previous hop) MAC */
};

/*
 * Two cache lines, everything a packet of an established connection reads
 * or writes (a hit: lookup, state, expiry, rewrite, source in/out, the
 * dest check):
 *   line 0: expiry, timeout, flags and state, the dest; tuple[0] (client side)
 *   line 1: tuple[1] (RS side); per-side sources, dest generation, service
 * The timer-wheel links, the wheel tick, the template index and templates'
 * counts live in a parallel cold array (conn_priv.h) that only the wheel
 * and templates touch, and per-connection packet counters are not kept
 * (the dest and service counters are what ipvsadm shows).  fwd is free for
 * the forwarding method (DR/TUN), 0 meaning NAT/FULLNAT.
 */
struct nlvs_conn {
	uint64_t expires;		/* ms */
	uint32_t timeout;		/* ms, applied on each refresh */
	uint32_t flags;			/* NLVS_CONN_F_*; the engines' bits from 0x10000 */
	uint8_t state;			/* NLVS_TCP_S_* for TCP, 0 otherwise */
	uint8_t old_state;
	uint8_t fwd;			/* forwarding method, 0 = NAT/FULLNAT */
	uint8_t spare;			/* zero */
	uint32_t dest;			/* opaque dest handle (a slot) the caller bound */
	struct nlvs_conn_tuple tuple[2];
	struct nlvs_conn_src src[2];	/* per side */
	uint32_t dest_gen;		/* dest's generation when bound */
	uint32_t svc;			/* opaque service handle (a slot) */
} __attribute__((aligned(64)));

struct nlvs_conn_tab;

/** A table for @capacity connections (templates included); NULL on
 *  allocation failure or capacity 0.  @now_ms starts the wheel. */
struct nlvs_conn_tab *nlvs_conn_tab_create(uint32_t capacity, uint64_t now_ms);
void nlvs_conn_tab_destroy(struct nlvs_conn_tab *t);
uint32_t nlvs_conn_tab_count(const struct nlvs_conn_tab *t);
uint32_t nlvs_conn_tab_capacity(const struct nlvs_conn_tab *t);
/** 1 when the pool and the index were put on transparent huge pages. */
int nlvs_conn_tab_huge(const struct nlvs_conn_tab *t);
/** Bytes allocated for a table of @capacity connections. */
size_t nlvs_conn_tab_memsize(uint32_t capacity);

/**
 * A new connection under @t0 (client side) and @t1 (RS side; NULL for a
 * template), expiring @timeout_ms after @now_ms.  A one-packet connection
 * is not hashed and expires at the next wheel tick (or when freed).
 * Returns NULL with *@reason = NLVS_DROP_CONN_TABLE_FULL when the pool is
 * exhausted.  The caller looks up before creating: duplicates are its bug.
 */
struct nlvs_conn *nlvs_conn_new(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *t0,
				const struct nlvs_conn_tuple *t1, uint32_t flags,
				uint32_t timeout_ms, uint64_t now_ms, unsigned int *reason);

/** Remove and free now; releases the template reference.  The caller does
 *  its own unbinding (dest counters, laddr port) first. */
void nlvs_conn_free(struct nlvs_conn_tab *t, struct nlvs_conn *c);

/** Find by tuple; *@side tells which tuple matched.  NULL on a miss. */
struct nlvs_conn *nlvs_conn_lookup(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k,
				   unsigned int *side);

/**
 * Look up @n keys (a burst, at most NLVS_CONN_BULK_MAX) with prefetching:
 * conns[i] is the match or NULL, sides[i] its side.  Returns the number
 * of hits.
 */
#define NLVS_CONN_BULK_MAX	64
unsigned int nlvs_conn_lookup_bulk(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *keys,
				   unsigned int n, struct nlvs_conn **conns, uint8_t *sides);

/** Expire from now + c->timeout (call after a packet or state change). */
void nlvs_conn_refresh(struct nlvs_conn_tab *t, struct nlvs_conn *c, uint64_t now_ms);

/** @c is controlled by template @tmpl (persistence). */
void nlvs_conn_set_template(struct nlvs_conn_tab *t, struct nlvs_conn *c,
			    struct nlvs_conn *tmpl);
/** Connections template @tmpl controls. */
uint32_t nlvs_conn_n_control(const struct nlvs_conn_tab *t, const struct nlvs_conn *tmpl);
/** The template controlling @c, or NULL. */
struct nlvs_conn *nlvs_conn_template(struct nlvs_conn_tab *t, const struct nlvs_conn *c);

/* Called for each connection about to be freed by expiry (not for
 * templates that still control connections: those are re-armed). */
typedef void (*nlvs_conn_expire_fn)(struct nlvs_conn *c, void *arg);

/**
 * Run the wheel up to @now_ms, examining at most @budget entries (empty
 * slots count as one), so a worker's time per call is bounded.  Returns the
 * number of connections freed.
 */
unsigned int nlvs_conn_expire(struct nlvs_conn_tab *t, uint64_t now_ms, unsigned int budget,
			      nlvs_conn_expire_fn fn, void *arg);

/** Iterate live connections (control listings): start with *@cursor = 0. */
struct nlvs_conn *nlvs_conn_next(struct nlvs_conn_tab *t, uint32_t *cursor);

/* --- tuples --- */

/** Key of a parsed TCP/UDP packet (or echo, ports = id), as it arrived. */
void nlvs_conn_tuple_from_pkt(struct nlvs_conn_tuple *k, const struct nlvs_pkt *p);
/** Key of the packet an ICMP error quotes, reversed: the tuple under which
 *  the connection knows the packets coming from the host that got it. */
void nlvs_conn_tuple_from_icmp(struct nlvs_conn_tuple *k, const struct nlvs_pkt *p);
/** Template key: client address masked to @plen bits, port 0. */
void nlvs_conn_tuple_template(struct nlvs_conn_tuple *k, int af, uint8_t proto,
			      const union nlvs_addr *caddr, unsigned int plen,
			      const union nlvs_addr *vaddr, uint16_t vport);

/** Addresses a packet that matched @side leaves with. */
static inline void nlvs_conn_rewrite(const struct nlvs_conn *c, unsigned int side,
				     struct nlvs_pkt_rewrite *rw)
{
	const struct nlvs_conn_tuple *o = &c->tuple[side ^ 1];

	rw->saddr = o->daddr;
	rw->daddr = o->saddr;
	rw->sport = o->dport;
	rw->dport = o->sport;
}

/** For an ICMP error that matched @side: the outer and quoted rewrite. */
static inline void nlvs_conn_icmp_rewrite(const struct nlvs_conn *c, unsigned int side,
					  struct nlvs_pkt_rewrite *outer,
					  struct nlvs_pkt_rewrite *inner)
{
	const struct nlvs_conn_tuple *o = &c->tuple[side ^ 1];

	nlvs_conn_rewrite(c, side, outer);
	inner->saddr = o->saddr;
	inner->daddr = o->daddr;
	inner->sport = o->sport;
	inner->dport = o->dport;
}

/* --- TCP/UDP state (tcp_state.c) --- */

enum nlvs_tcp_state {
	NLVS_TCP_S_NONE,
	NLVS_TCP_S_ESTABLISHED,
	NLVS_TCP_S_SYN_SENT,
	NLVS_TCP_S_SYN_RECV,
	NLVS_TCP_S_FIN_WAIT,
	NLVS_TCP_S_TIME_WAIT,
	NLVS_TCP_S_CLOSE,
	NLVS_TCP_S_CLOSE_WAIT,
	NLVS_TCP_S_LAST_ACK,
	NLVS_TCP_S_LISTEN,
	NLVS_TCP_S_SYNACK,
	NLVS_TCP_S_LAST
};

/* Timeouts in seconds, like the kernel's sysctl tables. */
struct nlvs_conn_timeouts {
	uint32_t tcp[NLVS_TCP_S_LAST];
	uint32_t udp;
};

/** The kernel's defaults (ESTABLISHED 900 s ... UDP 300 s). */
void nlvs_conn_timeouts_default(struct nlvs_conn_timeouts *to);
/** ipvsadm --set tcp tcpfin udp: 0 leaves a value unchanged. */
void nlvs_conn_timeouts_set(struct nlvs_conn_timeouts *to, uint32_t tcp, uint32_t tcpfin,
			    uint32_t udp);

/** Kernel transition table: next state for a packet with @tcp_flags coming
 *  from @side (NOOUTPUT picks the input-only table). */
unsigned int nlvs_tcp_state_next(unsigned int state, unsigned int side, int nooutput,
				 uint8_t tcp_flags);

/**
 * Apply a packet to @c (TCP: state machine; UDP: timeout), setting
 * c->state and c->timeout.  Returns +1 if the connection became active
 * (ESTABLISHED), -1 if it became inactive, 0 otherwise, for
 * nlvs_rs_conn_activate() on its dest.  Call nlvs_conn_refresh() after.
 */
int nlvs_conn_state_update(struct nlvs_conn *c, unsigned int side, uint8_t tcp_flags,
			   const struct nlvs_conn_timeouts *to);

/**
 * Port reuse (the kernel's conn_reuse_mode, default 1): a client's SYN on
 * a TCP connection that has ended (TIME_WAIT or CLOSE) begins a new one,
 * so the caller expires @c and schedules the SYN afresh instead of
 * reopening it towards the same real server.  Connections a persistence
 * template controls keep their server and are reopened as before.
 */
static inline int nlvs_conn_reusable(const struct nlvs_conn *c, unsigned int side,
				     uint8_t tcp_flags)
{
	return side == NLVS_CONN_SIDE_CLIENT && c->tuple[0].proto == IPPROTO_TCP &&
	       (tcp_flags & (NLVS_TCP_SYN | NLVS_TCP_ACK | NLVS_TCP_RST)) == NLVS_TCP_SYN &&
	       (c->state == NLVS_TCP_S_TIME_WAIT || c->state == NLVS_TCP_S_CLOSE) &&
	       !(c->flags & (NLVS_CONN_F_CONTROLLED | NLVS_CONN_F_TEMPLATE));
}

/** State as /proc/net/ip_vs_conn prints it ("ESTABLISHED", "UDP", ...). */
const char *nlvs_conn_state_name(const struct nlvs_conn *c);

#endif /* NLVS_CONN_H */
