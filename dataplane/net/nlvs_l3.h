/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seam between L2/L3 (ports, workers, ARP/ND, routes, own addresses) and
 * the L4 engines (FULLNAT, SNAT).  L3 input validates the IP header, answers
 * echo for own addresses and hands everything else for a VIP, a local or
 * egress address (or, with snat rules or classic-NAT services, transit
 * traffic) to the engine, a burst at a time (nlvs_dp.lb_input, set by the
 * daemon to lb/'s nlvs_lb_input_burst()).  The engine (lb/lb*.c for FULLNAT
 * and classic NAT, lb/snat*.c for SNAT) answers through the output functions
 * below.
 */
#ifndef NLVS_L3_H
#define NLVS_L3_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ctl/nlvs_conf.h"
#include "ctl/nlvs_ctl.h"

struct nlvs_worker;
struct rte_mbuf;
struct rte_ether_addr;

enum nlvs_addr_kind {
	NLVS_ADDR_NONE,			/* not ours: transit */
	NLVS_ADDR_PORT,			/* "address" of a port */
	NLVS_ADDR_VIP,
	NLVS_ADDR_LADDR,		/* FULLNAT local address */
	NLVS_ADDR_EGRESS,		/* SNAT egress address */
};

/* Who put an own address there: each origin adds and removes its own. */
enum nlvs_addr_origin {
	NLVS_ORIGIN_ENGINE,		/* an L4 engine: VIP, local or egress address */
	NLVS_ORIGIN_CONFIG,		/* an "address" line of nlvsd.conf */
	NLVS_ORIGIN_KERNEL,		/* the kernel's, on the port's twin (kmirror.c) */
};

#define NLVS_PORT_ANY	0xffff

/* What L3 input found out; offsets from the start of the frame.  Frames
 * always start with the 14-byte Ethernet header; output functions write it. */
struct nlvs_l3_info {
	uint8_t af;			/* AF_INET or AF_INET6 */
	uint8_t kind;			/* enum nlvs_addr_kind of the destination */
	uint8_t proto;			/* L4 protocol (after IPv6 ext. headers) */
	uint8_t ttl;
	uint16_t port;			/* index of the port it came from */
	uint16_t l3_off, l4_off;
	uint16_t l3_len;		/* IP total length */
};

_Static_assert(sizeof(struct nlvs_l3_info) == 12 && offsetof(struct nlvs_l3_info, port) == 4 &&
	       offsetof(struct nlvs_l3_info, l3_off) == 6 &&
	       offsetof(struct nlvs_l3_info, l4_off) == 8 &&
	       offsetof(struct nlvs_l3_info, l3_len) == 10, "an nlvs_l3_info is 8 + 4 bytes");

/* Fill @l3 with one store per word that a copy of it reads (8 + 4 bytes).
 * Filled field by field, the copy made as the packet is queued for the
 * engine waited for those narrow stores to drain: a store-forwarding stall
 * per packet, 85 % of local_deliver()'s samples. */
static inline void nlvs_l3_info_set(struct nlvs_l3_info *l3, uint8_t af, uint8_t kind,
				    uint8_t proto, uint8_t ttl, uint16_t port, uint16_t l3_off,
				    uint16_t l4_off, uint16_t l3_len)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t lo = af | (uint64_t)kind << 8 | (uint64_t)proto << 16 | (uint64_t)ttl << 24 |
		      (uint64_t)port << 32 | (uint64_t)l3_off << 48;
	uint32_t hi = l4_off | (uint32_t)l3_len << 16;

	memcpy(l3, &lo, sizeof(lo));
	memcpy((char *)l3 + sizeof(lo), &hi, sizeof(hi));
#else
	*l3 = (struct nlvs_l3_info){ af, kind, proto, ttl, port, l3_off, l4_off, l3_len };
#endif
}

/*
 * Services of L2/L3 for the engine.
 */
/** Control thread: answer ARP/ND and echo for @addr (on @port, a port index,
 *  or NLVS_PORT_ANY) and announce it (gratuitous ARP / unsolicited NA).
 *  Workers see it once this returns (O(1) amortised).  0, -EEXIST, -ENOMEM. */
int nlvs_addr_add(enum nlvs_addr_kind kind, int af, const union nlvs_addr *addr,
		  uint16_t port);
/** Control thread: stop answering for @addr.  0 or -ENOENT. */
int nlvs_addr_del(int af, const union nlvs_addr *addr);
/** Control thread: group adds and dels; each is published as it comes, the
 *  outermost end announces the new addresses still held.  0. */
void nlvs_addr_batch_begin(void);
int nlvs_addr_batch_end(void);

/** Worker: route the IP packet at l3->l3_off (already rewritten), check
 *  TTL (decrement, ICMP time exceeded) and MTU (ICMP frag needed / packet
 *  too big), resolve the next hop, send.  Consumes @m. */
void nlvs_ip_forward(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3);
/** Worker: as nlvs_ip_forward without touching the TTL (the engine's
 *  rewrite did that): route, MTU check, next hop, send.  Consumes @m. */
void nlvs_ip_route_output(struct nlvs_worker *w, struct rte_mbuf *m,
			  const struct nlvs_l3_info *l3);
/** The smallest MTU of the ports (set before the workers run): a packet
 *  no longer than this fits every port. */
extern uint16_t nlvs_dp_mtu_min;
/** Worker, before an engine rewrites the IP packet @m towards @dst: when it
 *  is longer than the MTU of port index @port (NLVS_PORT_ANY: the port the
 *  route to @dst leaves through), answer its sender "fragmentation needed"
 *  (IPv4 with DF) or "packet too big" (IPv6) quoting it as it arrived, drop
 *  it as MTU_EXCEEDED and return 1; otherwise 0 (@m untouched). */
int nlvs_ip_too_big(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		    uint16_t port, const union nlvs_addr *dst);
/** Worker: the same against an MTU the caller works out (a port's, less
 *  the tunnel headers it will add): 1 when @m was answered and dropped. */
int nlvs_ip_mtu_check(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
		      uint16_t mtu);
/** Worker: send an ICMP error (e.g. time exceeded, frag needed / packet too
 *  big with @info the MTU) quoting @m back to its sender, out of the port
 *  and to the MAC it came from.  Rate-limited per worker; @m is untouched. */
void nlvs_icmp_error(struct nlvs_worker *w, struct rte_mbuf *m, int af, uint8_t type,
		     uint8_t code, uint32_t info);
/** Worker: the same from the source address @from (NULL: the port's own, as
 *  above), e.g. from the VIP a packet was sent to, as the kernel answers
 *  for its local addresses; returns the IP length sent, 0 when none was. */
uint32_t nlvs_icmp_error_from(struct nlvs_worker *w, struct rte_mbuf *m, int af, uint8_t type,
			      uint8_t code, uint32_t info, const union nlvs_addr *from);
/** Worker: send an ICMPv4 error from @src (4 bytes) about the IPv4 packet
 *  @quote (@qlen bytes, at least its header; cut as RFC 1812 allows) to that
 *  packet's source, routed: for errors about a packet that did not come
 *  from the sender's side (a tunnel's outer packet).  Rate-limited. */
void nlvs_icmp4_error_routed(struct nlvs_worker *w, const uint8_t *quote, uint32_t qlen,
			     const void *src, uint8_t type, uint8_t code, uint32_t info);
/** Worker: send an IP packet to @nexthop on port index @port (resolving it
 *  through ARP/ND; dropped as NO_NEIGHBOUR if that fails).  Consumes @m. */
void nlvs_ip_output(struct nlvs_worker *w, struct rte_mbuf *m, int af, uint16_t port,
		    const union nlvs_addr *nexthop);
/** Worker: send an IP packet to a known MAC on port index @port: "source in,
 *  source out", no route lookup.  The frame's Ethernet header is written. */
void nlvs_eth_output(struct nlvs_worker *w, struct rte_mbuf *m, int af, uint16_t port,
		     const struct rte_ether_addr *dst);
/** Worker: give @m to worker @owner over the per-pair ring; it is processed
 *  there as if received.  Ring full: dropped as HANDOFF_RING_FULL. */
void nlvs_worker_handoff(struct nlvs_worker *w, unsigned int owner, struct rte_mbuf *m);
/** Worker id of the caller's struct, number of workers. */
unsigned int nlvs_worker_id(const struct nlvs_worker *w);
unsigned int nlvs_worker_count(void);
/** Worker: @m, for own address @daddr, found no service.  When the kernel
 *  holds that address on a twin (ssh or BGP to a keepalived VIP), hand @m up
 *  the twin of the port it came from and return 1 (@m consumed); 0 when the
 *  kernel does not hold it (@m untouched: the engine drops it). */
int nlvs_host_claim(struct nlvs_worker *w, struct rte_mbuf *m, int af, const void *daddr);
/** Worker: count and free. */
void nlvs_lb_drop(struct nlvs_worker *w, struct rte_mbuf *m, unsigned int reason);

#endif /* NLVS_L3_H */
