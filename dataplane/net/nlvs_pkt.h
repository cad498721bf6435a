/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet parsing, FULLNAT rewrite and ICMP error translation on plain memory
 * (an L3 pointer and its length), so the worker loop calls them on mbuf data
 * and unit tests on byte arrays.  Nothing here needs EAL.
 *
 * Parsing validates everything the rewrite relies on: it never reads outside
 * [l3, l3 + len) and hands back a drop reason (nlvs_drop.h) for anything the
 * dataplane must not forward.  Addresses and ports stay in network order.
 */
#ifndef NLVS_PKT_H
#define NLVS_PKT_H

#include <stdint.h>
#include "ctl/nlvs_ctl.h"
#include "nlvs_drop.h"

/* TCP flag bits as in the header's 13th byte. */
#define NLVS_TCP_FIN	0x01
#define NLVS_TCP_SYN	0x02
#define NLVS_TCP_RST	0x04
#define NLVS_TCP_PSH	0x08
#define NLVS_TCP_ACK	0x10
#define NLVS_TCP_URG	0x20

/* SCTP chunk types (RFC 9260 3.2) */
enum nlvs_sctp_chunk {
	NLVS_SCTP_DATA, NLVS_SCTP_INIT, NLVS_SCTP_INIT_ACK, NLVS_SCTP_SACK,
	NLVS_SCTP_HEARTBEAT, NLVS_SCTP_HEARTBEAT_ACK, NLVS_SCTP_ABORT, NLVS_SCTP_SHUTDOWN,
	NLVS_SCTP_SHUTDOWN_ACK, NLVS_SCTP_ERROR, NLVS_SCTP_COOKIE_ECHO, NLVS_SCTP_COOKIE_ACK,
	NLVS_SCTP_ECNE, NLVS_SCTP_CWR, NLVS_SCTP_SHUTDOWN_COMPLETE,
};

#define NLVS_PKT_F_ICMP_ERR	0x01	/* ICMP error; inner is valid */
#define NLVS_PKT_F_ICMP_ECHO	0x02	/* echo request/reply; sport = dport = id */
#define NLVS_PKT_F_INNER_TRUNC	0x04	/* quoted packet shorter than its IP length */

/* The packet quoted by an ICMP error, offsets from the outer L3 start. */
struct nlvs_pkt_inner {
	uint8_t proto;
	uint8_t l3_hlen;		/* inner IP header incl. IPv6 extension headers */
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t avail;			/* quoted bytes present from l3_off on */
	union nlvs_addr saddr, daddr;
	uint16_t sport, dport;		/* network order; echo: both the id */
};

struct nlvs_pkt {
	uint8_t af;			/* AF_INET or AF_INET6 */
	uint8_t proto;			/* L4 protocol after extension headers */
	uint8_t ttl;			/* TTL or hop limit */
	uint8_t tcp_flags;		/* SCTP: the chunk type that drives the
					 * state (ABORT bundled after a COOKIE
					 * ECHO/ACK wins, as for the kernel) */
	uint8_t icmp_type, icmp_code;
	uint8_t flags;			/* NLVS_PKT_F_* */
	uint8_t drop;			/* NLVS_DROP_* when parsing failed */
	uint16_t l3_len;		/* bytes of L3 packet (IP total length) */
	uint16_t l4_off;		/* from L3 start */
	uint16_t l4_len;		/* L4 header + payload */
	uint16_t sport, dport;		/* network order; echo: both the id */
	union nlvs_addr saddr, daddr;
	struct nlvs_pkt_inner inner;	/* ICMP errors only */
};

/**
 * Parse an IPv4 (@af AF_INET) or IPv6 (AF_INET6) packet at @l3 of @len bytes
 * (bytes after the IP length, e.g. Ethernet padding, are ignored).
 * Returns 0, or -1 with @p->drop set to the reason.
 */
int nlvs_pkt_parse(const void *l3, uint32_t len, int af, struct nlvs_pkt *p);

/** The same for a packet whose IPv4 header checksum L3 input has verified
 *  (every packet the engines get): it is not summed a second time. */
int nlvs_pkt_parse_checked(const void *l3, uint32_t len, int af, struct nlvs_pkt *p);

/** TCP flag combination a real stack can send (conntrack's list). */
int nlvs_tcp_flags_valid(uint8_t flags);

/** ICMP(v6) type that carries a quoted packet (unreachable, too big,
 *  time exceeded, parameter problem). */
int nlvs_icmp_is_error(int af, uint8_t type);

/* Addresses and ports a packet gets when it leaves: src/dst pairs. */
struct nlvs_pkt_rewrite {
	union nlvs_addr saddr, daddr;
	uint16_t sport, dport;		/* network order */
};

/**
 * FULLNAT rewrite of a parsed TCP or UDP packet in place: addresses, ports,
 * IPv4 header and L4 checksums updated incrementally, TTL/hop limit
 * decremented.  An ICMP(v6) echo request or reply (NLVS_PKT_F_ICMP_ECHO)
 * gets the addresses and the echo identifier @rw->sport (SNAT).  Returns 0, or a drop reason (TTL_EXCEEDED when the packet
 * arrived with TTL <= 1, UNKNOWN_PROTO otherwise unsupported); the packet is
 * not modified on failure.
 */
int nlvs_fnat_rewrite(void *l3, const struct nlvs_pkt *p, const struct nlvs_pkt_rewrite *rw);

/**
 * The same for an IPv4 packet, the new addresses and ports (network order)
 * given as values: the per-packet path hands them over in registers, where
 * a struct built just before the call was read back with wider loads than
 * it was written with (a store-forwarding stall per packet).
 */
int nlvs_fnat_rewrite4(void *l3, const struct nlvs_pkt *p, uint32_t saddr, uint32_t daddr,
		       uint16_t sport, uint16_t dport);

/**
 * Translate an ICMP error (@p parsed with NLVS_PKT_F_ICMP_ERR) that quotes a
 * packet we sent: the outer packet gets @outer (src, dst; ports unused), the
 * quoted packet gets @inner (its src/dst and ports, as the receiver's own
 * packet looked when it left), inner IPv4 header checksum and inner L4
 * checksum (when quoted) fixed, outer ICMP checksum recomputed, TTL/hop
 * limit decremented.  The MTU of "fragmentation needed"/"packet too big" is
 * kept.  Returns 0 or a drop reason, packet untouched on failure.
 */
int nlvs_icmp_xlate(void *l3, const struct nlvs_pkt *p, const struct nlvs_pkt_rewrite *outer,
		    const struct nlvs_pkt_rewrite *inner);

/*
 * Tunnel encapsulation for TUN (-i) real servers, as kernel IPVS builds it
 * (tun_encap.c): an outer IPv4 or IPv6 header, for gue a UDP header and a
 * 4-byte GUE header, for gre a GRE header (with a checksum under
 * --tun-csum), in front of the client's packet, which is not changed.  The
 * outer header takes TTL / hop limit and DSCP from the inner one (ECN
 * congestion marks become ECT(0)), IPv4 DF from an inner IPv4 DF.
 */
#define NLVS_TUN_HLEN_MAX	(40 + 8 + 4)	/* IPv6 + UDP + GUE (GRE+csum is 8) */
#define NLVS_TUN_GUE_SPORT_MIN	32768	/* the kernel's local port range, */
#define NLVS_TUN_GUE_SPORT_MAX	60999	/* from which GUE source ports come */

struct nlvs_tun_encap {
	uint8_t af;			/* outer family (the real server's) */
	uint8_t type;			/* NLVS_TUN_* */
	uint16_t flags;			/* NLVS_TUN_F_* */
	uint16_t dport;			/* gue: UDP destination port, network order */
	uint16_t sport;			/* gue: UDP source port, network order */
	uint16_t id;			/* outer IPv4 identification (without DF) */
	union nlvs_addr saddr, daddr;	/* outer addresses */
};

/** Bytes of outer headers for a tunnel of @type with @flags over @af. */
unsigned int nlvs_tun_hlen(int af, unsigned int type, unsigned int flags);

/** The GUE source port (network order) of a flow whose hash is @hash:
 *  spread over the kernel's local port range as udp_flow_src_port does. */
uint16_t nlvs_tun_gue_sport(uint32_t hash);

/**
 * Write the outer headers described by @t into the nlvs_tun_hlen() bytes at
 * @hdr, which the inner IP packet of family @inner_af directly follows
 * (contiguous: GRE and UDP checksums cover it).  Returns the length of the
 * whole outer packet, or 0 when the inner packet cannot be carried (its
 * length no longer fits 16 bits).
 */
uint32_t nlvs_tun_encap(uint8_t *hdr, const struct nlvs_tun_encap *t, int inner_af);

#endif /* NLVS_PKT_H */
