/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel mirror: the kernel is the source of truth for L3.  The
 * addresses and main-table routes it holds on the twins of the ports (the
 * kernel interface named after each port: `port lan ...` watches `lan`)
 * are copied into the dataplane's address and route tables, from a dump at
 * start and then from live rtnetlink events (kmirror.c, on the control
 * thread).  This header is also the part without DPDK: a route as the
 * control side holds it and the parser of one rtnetlink message into what
 * the mirror does with it (kmirror_parse.c, unit-tested without EAL).
 */
#ifndef NLVS_KMIRROR_H
#define NLVS_KMIRROR_H

#include <stdint.h>

#include "ctl/nlvs_conf.h"

#define NLVS_ROUTE_MAX_HOPS	16	/* next hops of one ECMP route */
#define NLVS_KMIRROR_IFNAMSIZ	16	/* the kernel's IFNAMSIZ */

struct nlvs_route_hop {
	uint16_t port;			/* port index */
	uint8_t has_gw;
	union nlvs_addr gw;		/* same family as the route */
};

/* A route as the control side holds it: nlvsd.conf's and the kernel's. */
struct nlvs_route {
	struct nlvs_prefix dst;		/* host bits cleared */
	uint8_t origin;			/* NLVS_ORIGIN_CONFIG or NLVS_ORIGIN_KERNEL */
	uint8_t nhops;			/* 1..NLVS_ROUTE_MAX_HOPS */
	uint32_t priority;		/* the kernel's metric: the lowest wins */
	struct nlvs_route_hop hop[NLVS_ROUTE_MAX_HOPS];
};

/* What one rtnetlink message means to the mirror. */
enum nlvs_kmsg_type {
	NLVS_KMSG_IGNORE,		/* not for us: other table, type, interface */
	NLVS_KMSG_LINK,
	NLVS_KMSG_ADDR,
	NLVS_KMSG_ROUTE,
};

struct nlvs_kmsg {
	int type;			/* enum nlvs_kmsg_type */
	int add;			/* RTM_NEW* (1) or RTM_DEL* (0) */
	int append;			/* RTM_NEWROUTE with NLM_F_APPEND: more hops */
	union {
		struct {
			int ifindex, up;
			char name[NLVS_KMIRROR_IFNAMSIZ];
		} link;
		struct {
			uint16_t af, port;
			uint8_t plen;
			union nlvs_addr addr;
		} addr;
		struct nlvs_route route;
	};
};

/* Port index of the twin with interface index @ifindex, or -1. */
typedef int (*nlvs_kmirror_port_fn)(int ifindex, void *arg);

/** Parse the rtnetlink message @nlh (RTM_NEWLINK/DELLINK, NEWADDR/DELADDR,
 *  NEWROUTE/DELROUTE) into @out.  Addresses and next hops on interfaces that
 *  @port_of does not map are ignored, as are routes outside the main table,
 *  other than unicast, cloned, or with no next hop left; an address the
 *  kernel does not use yet (tentative, DAD failed) reads as removed.
 *  0, or -EINVAL for a malformed message. */
int nlvs_kmsg_parse(const void *nlh, nlvs_kmirror_port_fn port_of, void *arg,
		    struct nlvs_kmsg *out);

/** Remove from @r the hops of @del (IPv6 deletes one sibling of a multipath
 *  route at a time); returns the hops left.  A @del with no hop removes all. */
unsigned int nlvs_route_hops_remove(struct nlvs_route *r, const struct nlvs_route *del);
/** Add to @r the hops of @add it does not have yet (NLM_F_APPEND). */
void nlvs_route_hops_merge(struct nlvs_route *r, const struct nlvs_route *add);
/** 1 when @a and @b name the same kernel route: prefix and metric, and for
 *  a route without gateway the interface. */
int nlvs_route_same_key(const struct nlvs_route *a, const struct nlvs_route *b);

/*
 * The mirror itself (kmirror.c, control thread, with the dataplane running).
 */
/** Open the rtnetlink sockets, subscribe, dump links, addresses and
 *  routes.  Returns the descriptor to poll, or -errno. */
int nlvs_kmirror_start(void);
/** The descriptor is readable: apply the events (re-dump on ENOBUFS). */
void nlvs_kmirror_read(void);
/** Called every few milliseconds: publish route changes held back while a
 *  burst of them went on (at most one table per 50 ms). */
void nlvs_kmirror_tick(void);
void nlvs_kmirror_stop(void);

#endif /* NLVS_KMIRROR_H */
