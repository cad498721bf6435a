/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nlvsd.conf: one directive per line, words separated by blanks, '#' starts a
 * comment, double quotes group words.  See nlvsd.conf(5).
 */
#ifndef NLVS_CONF_H
#define NLVS_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "nlvs_ctl.h"

#define NLVS_CONF_DEFAULT	NLVS_SYSCONFDIR "/nlvs/nlvsd.conf"
#define NLVS_SOCKET_DEFAULT	NLVS_RUNDIR "/ipvs.sock"
#define NLVS_STATE_DEFAULT	NLVS_STATEDIR "/ipvs.state"
#define NLVS_CONF_MAX_ARGS	64

#define NLVS_CONF_NAME_LEN	32	/* port names, incl. NUL */
#define NLVS_CONF_IFNAME_LEN	16	/* kernel interface names (IFNAMSIZ) */
#define NLVS_HOST_RATE_DEFAULT	100000	/* packets/s per worker up the twins */
#define NLVS_IDLE_SLEEP_DEFAULT	1000	/* us, longest idle sleep of a worker */
#define NLVS_MBUFS_DEFAULT	8191	/* per worker pool */
#define NLVS_NEIGH_ENTRIES_DEFAULT 1024	/* per worker neighbour table */
/* Connection tables: conn-table-size when unset; conn-table-ipv6 when unset
 * is the size over NLVS_CONN_IPV6_SHARE; and the most 64-byte lines one
 * table may have (an IPv4 entry takes one, an IPv6 entry two), since an
 * index entry holds a line and a side in 32 bits. */
#define NLVS_CONN_TABLE_DEFAULT	262144
#define NLVS_CONN_IPV6_SHARE	16
#define NLVS_CONN_LINES_MAX	(UINT32_MAX >> 2)

/* IPv6 connections a table of @capacity IPv4 ones has room for when the
 * configuration does not say (see nlvsd.conf(5)). */
static inline uint32_t nlvs_conn_ipv6_default(uint32_t capacity)
{
	return capacity / NLVS_CONN_IPV6_SHARE;
}

/* An address with a prefix length; a plain address has len 32 or 128. */
struct nlvs_prefix {
	uint16_t af;			/* AF_INET or AF_INET6 */
	uint8_t len;
	union nlvs_addr addr;		/* host bits cleared only for routes */
};

/* port NAME DEVARGS [queues N] [mtu N] [twin IFNAME|off] */
struct nlvs_conf_port {
	char name[NLVS_CONF_NAME_LEN];
	char *devargs;			/* vdev string or PCI address */
	unsigned int queues;		/* 0 = one per worker */
	unsigned int mtu;		/* 0 = the device's default */
	/* kernel twin interface (net_tap); "" = none ("twin off") */
	char twin[NLVS_CONF_IFNAME_LEN];
};

/* address PORT PREFIX: an address the dataplane answers for on a port */
struct nlvs_conf_addr {
	unsigned int port;		/* index into ports[] */
	struct nlvs_prefix pfx;
};

/* route PREFIX [via GW] port PORT */
struct nlvs_conf_route {
	struct nlvs_prefix dst;		/* host bits cleared */
	int has_gw;
	union nlvs_addr gw;		/* same family as dst */
	unsigned int port;
};

/* laddr VIP ADDR...: FULLNAT local-address pool of a VIP */
struct nlvs_conf_laddr {
	uint16_t af;
	union nlvs_addr vip;
	unsigned int naddrs;
	union nlvs_addr *addrs;
};

#define NLVS_CONF_PORT_ANY	(~0u)

/* snat-rule mark N [from P] [to P] [proto tcp|udp|icmp] [in PORT] [out PORT]
 * mark N [from P] [to P] [proto tcp|udp|icmp] [dport P[-Q]] [in PORT] */
struct nlvs_conf_snat {
	uint32_t mark;
	uint16_t af;			/* 0 = both (no prefix given) */
	int has_from, has_to;
	struct nlvs_prefix from, to;	/* host bits cleared */
	uint8_t proto;			/* IPPROTO_*, 0 = any; icmp means ICMPv6 for v6 */
	unsigned int in_port, out_port;	/* NLVS_CONF_PORT_ANY = any */
	uint16_t dport_lo, dport_hi;	/* host order; 0 0 = any (mark only) */
};

/* metrics-listen ADDRESS:PORT: where nlvsd serves Prometheus metrics */
struct nlvs_conf_listen {
	uint16_t af;			/* 0 = not set (no metrics endpoint) */
	union nlvs_addr addr;
	uint16_t port;			/* host order */
};

enum nlvs_idle_backoff { NLVS_IDLE_ADAPTIVE, NLVS_IDLE_OFF };

struct nlvs_conf {
	char *path;			/* file it came from, NULL = none */
	int eal_argc;			/* 0 = no "eal" line: control plane only */
	char *eal_argv[NLVS_CONF_MAX_ARGS];
	char *control_socket;		/* NULL = default or -s */
	char *state_file;		/* NULL = derived from the socket path */
	int state_sync;			/* fdatasync each journal record */
	int verbosity;			/* log-level: 0 info, 1 debug */
	struct nlvs_conf_listen metrics;	/* metrics-listen, af 0 = off */

	/* Dataplane (see nlvsd.conf(5)); arrays are malloc'ed, n* their sizes. */
	unsigned int workers;		/* 0 = every EAL lcore but the main one */
	enum nlvs_idle_backoff idle_backoff;
	unsigned int idle_sleep_us;	/* longest idle sleep, 0 = busy poll */
	unsigned int conn_table_size;	/* per worker, 0 = built-in default */
	unsigned int conn_table_ipv6;	/* per worker IPv6 connections, when set */
	int conn_table_ipv6_set;	/* else nlvs_conn_ipv6_default() of the size */
	unsigned int mbufs;		/* per worker mbuf pool */
	unsigned int neigh_entries;	/* per worker neighbour table */
	int ip_forward;			/* route transit traffic (default off) */
	unsigned int host_rate;		/* host-rate: packets/s per worker to the
					 * kernel twins, 0 = unlimited */
	int kernel_mirror_off;		/* "kernel-mirror off": no rtnetlink listener */
	int vip_neigh_kernel;		/* "vip-neigh kernel": ARP/ND for a VIP only
					 * while the kernel holds it (VRRP) */
	unsigned int nports, naddrs, nroutes, nladdrs, nsnat, nmark;
	struct nlvs_conf_port *ports;
	struct nlvs_conf_addr *addrs;
	struct nlvs_conf_route *routes;
	struct nlvs_conf_laddr *laddrs;
	struct nlvs_conf_snat *snat;
	struct nlvs_conf_snat *mark;	/* "mark" lines: VIP traffic's fwmark */
	/* snat-ports MIN MAX: egress ports (and echo ids), 0 0 = 1024 65535 */
	unsigned int snat_port_min, snat_port_max;
};

/** Parse @path into @conf.  A missing file is an error only if @must_exist.
 *  On error returns -1 and writes "file:line: message" into @err. */
/** Each worker's connection table: its IPv4 and IPv6 capacities, the
 *  defaults filled in. */
void nlvs_conf_conn_tables(const struct nlvs_conf *conf, uint32_t *cap4, uint32_t *cap6);

int nlvs_conf_load(struct nlvs_conf *conf, const char *path, int must_exist,
		   char *err, size_t errlen);
void nlvs_conf_free(struct nlvs_conf *conf);

/** Split a line into words (blanks separate, "..." groups, # comments).
 *  Returns the word count, or -1 on an unterminated quote.  Words point
 *  into @line, which is modified. */
int nlvs_conf_split(char *line, char **words, int max);

/** Parse "ADDR" or "ADDR/LEN" (v4 or v6).  @need_len: 1 a prefix length is
 *  required, 0 optional (full length when absent), -1 forbidden.
 *  @clear_host: zero the bits past the length.  0 or -EINVAL. */
int nlvs_prefix_parse(const char *s, int need_len, int clear_host, struct nlvs_prefix *p);
/** Parse "ADDR:PORT" (IPv4) or "[ADDR]:PORT" (IPv6), port 1..65535.
 *  0 or -EINVAL. */
int nlvs_listen_parse(const char *s, struct nlvs_conf_listen *l);
/** Index of the port called @name, or -ENOENT. */
int nlvs_conf_port_find(const struct nlvs_conf *conf, const char *name);

#endif /* NLVS_CONF_H */
