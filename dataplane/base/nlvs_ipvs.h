/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * base/: what every folder of the dataplane may use, and which uses nothing
 * else of it: the IPVS vocabulary (this header: kernel constants, the
 * address as IPVS carries it) and the log (nlvs_log.h).  The control API
 * (ctl/nlvs_ctl.h) speaks it, and so do the schedulers below that API and
 * the packet path above it.
 */
#ifndef NLVS_IPVS_H
#define NLVS_IPVS_H

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* Kernel IPVS constants reused as-is (values from <linux/ip_vs.h>). */
#define NLVS_IPVS_VERSION	0x010201	/* 1.2.1 */
#define NLVS_CONN_TAB_SIZE	4096		/* reported by GET_INFO */

#define NLVS_SVC_F_PERSISTENT	0x0001
#define NLVS_SVC_F_HASHED	0x0002
#define NLVS_SVC_F_ONEPACKET	0x0004
#define NLVS_SVC_F_SCHED1	0x0008
#define NLVS_SVC_F_SCHED2	0x0010
#define NLVS_SVC_F_SCHED3	0x0020

#define NLVS_FWD_MASQ		0	/* -m: FULLNAT with a laddr pool, else NAT */
#define NLVS_FWD_LOCALNODE	1
#define NLVS_FWD_TUNNEL		2	/* -i */
#define NLVS_FWD_DROUTE		3	/* -g */
#define NLVS_FWD_MASK		7

#define NLVS_TUN_IPIP		0
#define NLVS_TUN_GUE		1
#define NLVS_TUN_GRE		2

/* --tun-csum / --tun-remcsum (IP_VS_TUNNEL_ENCAP_FLAG_*) */
#define NLVS_TUN_F_CSUM		0x0001
#define NLVS_TUN_F_REMCSUM	0x0002

#define NLVS_DAEMON_MASTER	1
#define NLVS_DAEMON_BACKUP	2

#define NLVS_SCHED_NAME_LEN	16	/* incl. NUL, like IP_VS_SCHEDNAME_MAXLEN */
#define NLVS_PE_NAME_LEN	32	/* incl. NUL, like IP_VS_PENAME_MAXLEN */
#define NLVS_IFNAME_LEN		16	/* incl. NUL, like IP_VS_IFNAME_MAXLEN */

/* Kernel default timeouts (seconds) reported by GET_CONFIG. */
#define NLVS_TIMEOUT_TCP_DEFAULT	900
#define NLVS_TIMEOUT_TCP_FIN_DEFAULT	120
#define NLVS_TIMEOUT_UDP_DEFAULT	300

/* An address as IPVS carries it: IPv4 in the first 4 bytes, network order. */
union nlvs_addr {
	uint32_t ip;
	uint32_t ip6[4];
	struct in6_addr in6;
	uint8_t b[16];
};

/** Equal as addresses of family @af (IPv4: the first 4 bytes only). */
static inline int nlvs_addr_equal(int af, const union nlvs_addr *a, const union nlvs_addr *b)
{
	return af == AF_INET6 ? !memcmp(a, b, sizeof(*a)) : a->ip == b->ip;
}

/** An IPv4 address with the 12 bytes after it zeroed (for hashing and
 *  byte-wise comparison); IPv6 untouched. */
static inline void nlvs_addr_normalize(int af, union nlvs_addr *a)
{
	if (af == AF_INET)
		memset(a->b + 4, 0, 12);
}

#endif /* NLVS_IPVS_H */
