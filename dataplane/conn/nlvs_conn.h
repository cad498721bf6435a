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
 * side 0 from the client (client:cport -> VIP:vport) and side 1 from the
 * real server (RS:rport -> laddr:lport).  A packet that matched side s
 * leaves with the reverse of side 1 - s's tuple, so FULLNAT and SNAT are
 * the same code.  Persistence templates are connections of
 * their own (NLVS_CONN_F_TEMPLATE, only side 0 hashed) that controlled
 * connections reference, as the kernel's ip_vs_conn templates do.
 *
 * Time is milliseconds from any monotonic clock, passed in by the caller;
 * a connection keeps the low 32 bits of its expiry (compared wrap-safe).
 * Expiry uses a timer wheel: refreshing a connection on each packet only
 * writes its expiry time (a line the hit has in cache anyway); the wheel
 * re-files it lazily.
 */
#ifndef NLVS_CONN_H
#define NLVS_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "ctl/nlvs_conf.h"
#include "ctl/nlvs_ctl.h"
#include "net/nlvs_pkt.h"

#define NLVS_CONN_F_TEMPLATE	0x0001	/* persistence template */
#define NLVS_CONN_F_ONE_PACKET	0x0002	/* --ops: expires right after its packet */
#define NLVS_CONN_F_INACTIVE	0x0004	/* counted in the dest's inactconns */
#define NLVS_CONN_F_NOOUTPUT	0x0008	/* no reply seen yet (DR/TUN style) */
#define NLVS_CONN_F_CONTROLLED	0x0010	/* a persistence template controls it */
#define NLVS_CONN_F_FILE_LATER	0x0400	/* asked of nlvs_conn_new(), never kept: the
					 * second tuple may be filed late (see
					 * nlvs_conn_defer_begin) */
#define NLVS_CONN_F_HASHED	0x0100	/* internal */
#define NLVS_CONN_F_INET6	0x0200	/* internal: IPv6 (a struct nlvs_conn6) */

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
	uint8_t port;			/* ingress port id (< NLVS_MAX_PORTS) */
	uint8_t mac[6];			/* peer (previous hop) MAC */
};

/* One side's tuple in the connection's line: its ports, and its addresses for IPv4. */
struct nlvs_conn_side {
	uint32_t saddr4, daddr4;	/* IPv4 only; network order */
	uint16_t sport, dport;		/* network order */
};

/*
 * One cache line, everything a packet of an established IPv4 connection
 * reads or writes (a hit: lookup, state, expiry, rewrite, source in/out,
 * the dest check and counters): expiry, timeout, flags, the dest, its
 * generation, the service; state and protocol; per-side sources; both
 * sides' ports and IPv4 addresses.  Both tuples share one family
 * (NLVS_CONN_F_INET6) and one protocol; the tuples are read through
 * nlvs_conn_tuple() and the accessors below.  An IPv4 tuple keeps only the
 * first 4 bytes of its addresses.  An IPv6 connection is the first line
 * of a struct nlvs_conn6, from a pool of its own, whose second line holds
 * both sides' addresses.  The timer-wheel links, the wheel tick and the
 * template index live in a parallel cold array (conn_priv.h) that only
 * the wheel and templates touch; a template's count of the connections
 * it controls lives in its side 1 (templates are found under side 0
 * only); per-connection packet counters are not kept (the dest and
 * service counters are what ipvsadm shows).
 */
struct nlvs_conn {
	uint32_t expires;		/* ms, low 32 bits of the caller's clock */
	uint32_t timeout;		/* ms (< 2^31), applied on each refresh */
	uint32_t flags;			/* NLVS_CONN_F_*; the engines' bits from 0x10000 */
	uint32_t dest;			/* opaque dest handle (a slot) the caller bound */
	uint32_t dest_gen;		/* dest's generation when bound */
	uint32_t svc;			/* opaque service handle (a slot) */
	uint8_t state;			/* NLVS_TCP_S_* for TCP, 0 otherwise */
	uint8_t proto;			/* both tuples' protocol */
	struct nlvs_conn_src src[2];	/* per side */
	struct nlvs_conn_side side[2];	/* [0] client side, [1] RS side */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct nlvs_conn) == 64, "one cache line");

/* An IPv6 connection: its addresses in the line after the connection. */
struct nlvs_conn6 {
	struct nlvs_conn c;
	struct {
		union nlvs_addr saddr, daddr;
	} addr6[2];			/* per side */
};

_Static_assert(sizeof(struct nlvs_conn6) == 128, "two cache lines");

/* The struct nlvs_conn6 an IPv6 connection (NLVS_CONN_F_INET6) is part of. */
static inline const struct nlvs_conn6 *nlvs_conn6_of(const struct nlvs_conn *c)
{
	return (const struct nlvs_conn6 *)(const void *)c;
}

/* Longest timeout an expiry holds (24.8 days): longer ones are cut to it. */
#define NLVS_CONN_TIMEOUT_MAX	((uint32_t)INT32_MAX)

struct nlvs_conn_tab;

/** A table for @capacity IPv4 and @capacity6 IPv6 connections (templates
 *  included, each of its client's family); NULL on allocation failure or
 *  capacity 0.  @now_ms starts the wheel. */
struct nlvs_conn_tab *nlvs_conn_tab_create(uint32_t capacity, uint32_t capacity6,
					   uint64_t now_ms);
void nlvs_conn_tab_destroy(struct nlvs_conn_tab *t);
uint32_t nlvs_conn_tab_count(const struct nlvs_conn_tab *t);
/** Connections of both families the table has room for. */
uint32_t nlvs_conn_tab_capacity(const struct nlvs_conn_tab *t);
/** 1 when the pools and the index were put on transparent huge pages. */
int nlvs_conn_tab_huge(const struct nlvs_conn_tab *t);
/** Bytes allocated for a table of @capacity IPv4 and @capacity6 IPv6
 *  connections. */
size_t nlvs_conn_tab_memsize(uint32_t capacity, uint32_t capacity6);

/**
 * A new connection under @t0 (client side) and @t1 (RS side; NULL for a
 * template), expiring @timeout_ms after @now_ms.  A one-packet connection
 * is not hashed and expires at the next wheel tick (or when freed).
 * Returns NULL with *@reason = NLVS_DROP_CONN_TABLE_FULL when the pool of
 * its family is exhausted, NLVS_DROP_CONN_INDEX_FULL when the index has
 * no overflow bucket left for it (see conn_table.c).  The caller looks up before creating: duplicates are its bug.
 */
struct nlvs_conn *nlvs_conn_new(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *t0,
				const struct nlvs_conn_tuple *t1, uint32_t flags,
				uint32_t timeout_ms, uint64_t now_ms, unsigned int *reason);

/** Start pulling in the index bucket a new connection's tuple @k will be
 *  filed under (a cache miss at millions of connections), so that the
 *  miss overlaps the work before nlvs_conn_new(). */
void nlvs_conn_prefetch_insert(const struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k);

/**
 * Between these two, a new connection made with NLVS_CONN_F_FILE_LATER has
 * its second tuple (the real server's side) filed later, so that the bucket
 * nlvs_conn_prefetch_insert() asked for has time to arrive: at nlvs_conn_defer_end(), or before any
 * lookup or free that could concern it, whichever comes first.  Only
 * nlvs_conn_lookup_nopend() looks past the pending tuples.  Whether the
 * index has room is decided at nlvs_conn_new() as before (a bucket is
 * reserved for each pending tuple).
 */
void nlvs_conn_defer_begin(struct nlvs_conn_tab *t);
void nlvs_conn_defer_end(struct nlvs_conn_tab *t);

/** Remove and free now; releases the template reference.  The caller does
 *  its own unbinding (dest counters, laddr port) first. */
void nlvs_conn_free(struct nlvs_conn_tab *t, struct nlvs_conn *c);

/** Find by tuple; *@side tells which tuple matched.  NULL on a miss. */
struct nlvs_conn *nlvs_conn_lookup(struct nlvs_conn_tab *t, const struct nlvs_conn_tuple *k,
				   unsigned int *side);

/** The same for a key that cannot be the second tuple of a connection made
 *  with NLVS_CONN_F_FILE_LATER (FULLNAT's, addressed to a local address: a
 *  packet to a VIP cannot be one), which leaves the pending tuples pending. */
struct nlvs_conn *nlvs_conn_lookup_nopend(struct nlvs_conn_tab *t,
					  const struct nlvs_conn_tuple *k, unsigned int *side);

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

static inline int nlvs_conn_af(const struct nlvs_conn *c)
{
	return c->flags & NLVS_CONN_F_INET6 ? AF_INET6 : AF_INET;
}

/* Addresses of @side (IPv4: the rest of the union zero). */
static inline union nlvs_addr nlvs_conn_saddr(const struct nlvs_conn *c, unsigned int side)
{
	union nlvs_addr a = { .ip6 = { c->side[side].saddr4, 0, 0, 0 } };

	return c->flags & NLVS_CONN_F_INET6 ? nlvs_conn6_of(c)->addr6[side].saddr : a;
}

static inline union nlvs_addr nlvs_conn_daddr(const struct nlvs_conn *c, unsigned int side)
{
	union nlvs_addr a = { .ip6 = { c->side[side].daddr4, 0, 0, 0 } };

	return c->flags & NLVS_CONN_F_INET6 ? nlvs_conn6_of(c)->addr6[side].daddr : a;
}

/** Tuple @side of @c, as the key it is found under. */
void nlvs_conn_tuple(const struct nlvs_conn *c, unsigned int side, struct nlvs_conn_tuple *k);

/** Milliseconds until @c expires (0 when due). */
static inline uint32_t nlvs_conn_expires_in(const struct nlvs_conn *c, uint64_t now_ms)
{
	int32_t left = (int32_t)(c->expires - (uint32_t)now_ms);

	return left > 0 ? (uint32_t)left : 0;
}

/** Addresses a packet that matched @side leaves with. */
static inline void nlvs_conn_rewrite(const struct nlvs_conn *c, unsigned int side,
				     struct nlvs_pkt_rewrite *rw)
{
	rw->saddr = nlvs_conn_daddr(c, side ^ 1);
	rw->daddr = nlvs_conn_saddr(c, side ^ 1);
	rw->sport = c->side[side ^ 1].dport;
	rw->dport = c->side[side ^ 1].sport;
}

/** For an ICMP error that matched @side: the outer and quoted rewrite. */
static inline void nlvs_conn_icmp_rewrite(const struct nlvs_conn *c, unsigned int side,
					  struct nlvs_pkt_rewrite *outer,
					  struct nlvs_pkt_rewrite *inner)
{
	nlvs_conn_rewrite(c, side, outer);
	inner->saddr = outer->daddr;
	inner->daddr = outer->saddr;
	inner->sport = outer->dport;
	inner->dport = outer->sport;
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

/** Set c->state to @next and c->timeout; @active: the state counts as an
 *  active connection.  Returns the ActiveConn delta (+1, -1 or 0). */
int nlvs_conn_state_set(struct nlvs_conn *c, unsigned int next, int active, uint32_t timeout_s);

/* --- SCTP state (sctp_state.c) --- */

enum nlvs_sctp_state {
	NLVS_SCTP_S_NONE, NLVS_SCTP_S_INIT1, NLVS_SCTP_S_INIT, NLVS_SCTP_S_COOKIE_SENT,
	NLVS_SCTP_S_COOKIE_REPLIED, NLVS_SCTP_S_COOKIE_WAIT, NLVS_SCTP_S_COOKIE,
	NLVS_SCTP_S_COOKIE_ECHOED, NLVS_SCTP_S_ESTABLISHED, NLVS_SCTP_S_SHUTDOWN_SENT,
	NLVS_SCTP_S_SHUTDOWN_RECEIVED, NLVS_SCTP_S_SHUTDOWN_ACK_SENT, NLVS_SCTP_S_REJECTED,
	NLVS_SCTP_S_CLOSED, NLVS_SCTP_S_LAST
};

/** Kernel transition table for SCTP: next state after a packet whose
 *  (first) chunk is @chunk, from @side; NOOUTPUT picks input-only. */
unsigned int nlvs_sctp_state_next(unsigned int state, unsigned int side, int nooutput,
				  uint8_t chunk);
/** Apply an SCTP packet to @c (state, the kernel's default timeouts, which
 *  ipvsadm --set does not change).  Returns the ActiveConn delta. */
int nlvs_sctp_state_update(struct nlvs_conn *c, unsigned int side, uint8_t chunk);
/** The state as ipvsadm -Lc prints it for SCTP ("C-SENT", "ESTABLISHED"...). */
const char *nlvs_sctp_state_name(unsigned int state);

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
 * a TCP connection that has ended (TIME_WAIT or CLOSE), or its INIT
 * (@tcp_flags holds the chunk type for SCTP) on a CLOSED SCTP association,
 * begins a new one, so the caller expires @c and schedules the packet
 * afresh instead of reopening it towards the same real server.
 * Connections a persistence template controls keep their server and are
 * reopened as before.
 */
static inline int nlvs_conn_reusable(const struct nlvs_conn *c, unsigned int side,
				     uint8_t tcp_flags)
{
	if (side != NLVS_CONN_SIDE_CLIENT ||
	    (c->flags & (NLVS_CONN_F_CONTROLLED | NLVS_CONN_F_TEMPLATE)))
		return 0;
	if (c->proto == IPPROTO_TCP)
		return (tcp_flags & (NLVS_TCP_SYN | NLVS_TCP_ACK | NLVS_TCP_RST)) == NLVS_TCP_SYN &&
		       (c->state == NLVS_TCP_S_TIME_WAIT || c->state == NLVS_TCP_S_CLOSE);
	return c->proto == IPPROTO_SCTP && tcp_flags == NLVS_SCTP_INIT &&
	       c->state == NLVS_SCTP_S_CLOSED;
}

/** State as /proc/net/ip_vs_conn prints it ("ESTABLISHED", "UDP", ...). */
const char *nlvs_conn_state_name(const struct nlvs_conn *c);

#endif /* NLVS_CONN_H */
