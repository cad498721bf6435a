/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every packet the dataplane drops is counted under one of these reasons
 * (per worker, summed on read).  One X-macro list so counters, names and
 * nlvsctl output never disagree.  Append new reasons at the end of a group;
 * names are stable identifiers shown to operators.
 */
#ifndef NLVS_DROP_H
#define NLVS_DROP_H

#define NLVS_DROP_REASONS(X)						\
	/* L2 / L3 validation */						\
	X(BAD_ETHER,		"bad-ether")				\
	X(UNKNOWN_ETHERTYPE,	"unknown-ethertype")			\
	X(BAD_IP_HEADER,	"bad-ip-header")			\
	X(BAD_IP_LENGTH,	"bad-ip-length")			\
	X(BAD_IP_CSUM,		"bad-ip-checksum")			\
	X(IP_OPTIONS,		"ip-options")				\
	X(FRAGMENT,		"fragment")				\
	X(TTL_EXCEEDED,		"ttl-exceeded")				\
	X(NOT_FOR_US,		"not-for-us")				\
	X(NO_ROUTE,		"no-route")				\
	X(NO_NEIGHBOUR,		"no-neighbour")				\
	X(MTU_EXCEEDED,		"mtu-exceeded")				\
	/* L4 validation */							\
	X(BAD_L4_HEADER,	"bad-l4-header")			\
	X(BAD_TCP_FLAGS,	"bad-tcp-flags")			\
	X(UNKNOWN_PROTO,	"unknown-protocol")			\
	X(BAD_ICMP,		"bad-icmp")				\
	X(BAD_SCTP,		"bad-sctp")	/* truncated, bad chunk length */ \
	/* load balancing */							\
	X(NO_SERVICE,		"no-service")				\
	X(NO_DEST,		"no-destination")			\
	X(NO_CONN,		"no-connection")			\
	X(NOT_SYN,		"not-syn")				\
	X(CONN_TABLE_FULL,	"conn-table-full")			\
	X(NO_LADDR_PORT,	"laddr-ports-exhausted")		\
	X(DEST_GONE,		"destination-deleted")			\
	X(FWD_UNSUPPORTED,	"forwarding-method-unsupported")	\
	/* plumbing */								\
	X(HANDOFF_RING_FULL,	"handoff-ring-full")			\
	X(TX_FULL,		"tx-queue-full")			\
	X(NO_MBUF,		"no-mbuf")				\
	X(EXCEPTION_FULL,	"exception-path-full")	/* twin refused */	\
	/* L2 / L3, appended */							\
	X(BAD_ARP,		"bad-arp")				\
	X(HOST_TRAFFIC,		"host-traffic")				\
	X(BAD_ND,		"bad-nd")				\
	/* the host path (kernel twins), appended */				\
	X(HOST_RATE,		"host-rate")				\
	X(HOST_QUEUE_FULL,	"host-queue-full")			\
	X(HOST_DOWN_FULL,	"host-down-queue-full")		\
	/* load balancing, appended */						\
	X(TUN_ENCAP,		"tunnel-encap-failed")			\
	X(SCTP_NOT_INIT,	"sctp-not-init")	/* no conn, not INIT */	\
	X(SCTP_NAT,		"sctp-nat-unsupported")	/* NAT/FULLNAT dest */ \
	X(CONN_INDEX_FULL,	"conn-index-full")	/* no overflow bucket */

enum nlvs_drop_reason {
#define NLVS_DROP_ENUM(id, name) NLVS_DROP_##id,
	NLVS_DROP_REASONS(NLVS_DROP_ENUM)
#undef NLVS_DROP_ENUM
	NLVS_DROP_MAX
};

/** Stable name of a drop reason, "?" if out of range. */
const char *nlvs_drop_name(unsigned int reason);

#endif /* NLVS_DROP_H */
