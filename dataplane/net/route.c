// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Routes: longest-prefix match with rte_fib (IPv4, DIR-24-8) and rte_fib6
 * (RIB lookup).  A table is built whole from the configuration (connected routes of
 * port addresses plus "route" lines) and published read-only; a reload builds
 * a new one beside it.  FIB values index a next-hop array; 0 means no route.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_malloc.h>

#include "nlvs_net.h"
#include "base/nlvs_log.h"

#define ROUTE_MAX_NH	4096

struct nlvs_nexthop {
	uint16_t port;
	uint8_t has_gw;
	union nlvs_addr gw;
};

struct nlvs_route_table {
	struct rte_fib *fib4;
	struct rte_fib6 *fib6;
	unsigned int nnh;
	struct nlvs_nexthop nh[ROUTE_MAX_NH];	/* nh[0] unused */
};

static unsigned int generation;

/* Index of an equal next hop, adding one when new; 0 when full. */
static uint64_t nexthop_get(struct nlvs_route_table *t, uint16_t port, int has_gw,
			    const union nlvs_addr *gw)
{
	struct nlvs_nexthop n;
	unsigned int i;

	memset(&n, 0, sizeof(n));
	n.port = port;
	n.has_gw = (uint8_t)has_gw;
	if (has_gw)
		n.gw = *gw;
	for (i = 1; i < t->nnh; i++)
		if (!memcmp(&t->nh[i], &n, sizeof(n)))
			return i;
	if (t->nnh == ROUTE_MAX_NH)
		return 0;
	t->nh[t->nnh] = n;
	return t->nnh++;
}

static int route_add(struct nlvs_route_table *t, const struct nlvs_prefix *dst, uint16_t port,
		     int has_gw, const union nlvs_addr *gw)
{
	uint64_t nh = nexthop_get(t, port, has_gw, gw);
	struct nlvs_prefix p = *dst;
	unsigned int i;

	if (!nh)
		return -ENOSPC;
	for (i = p.len; i < (p.af == AF_INET ? 32u : 128u); i++)
		p.addr.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	if (p.af == AF_INET)
		return rte_fib_add(t->fib4, rte_be_to_cpu_32(p.addr.ip), p.len, nh);
	return rte_fib6_add(t->fib6, p.addr.b, p.len, nh);
}

void nlvs_routes_free(struct nlvs_route_table *t)
{
	if (!t)
		return;
	rte_fib_free(t->fib4);
	rte_fib6_free(t->fib6);
	rte_free(t);
}

int nlvs_routes_build(const struct nlvs_conf *conf, struct nlvs_route_table **out)
{
	struct rte_fib6_conf c6;
	struct rte_fib_conf c4;
	struct nlvs_route_table *t;
	char name[64];
	unsigned int i;
	int rc;

	t = rte_zmalloc("nlvs_routes", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (!t)
		return -ENOMEM;
	t->nnh = 1;
	generation++;
	memset(&c4, 0, sizeof(c4));
	c4.type = RTE_FIB_DIR24_8;
	c4.default_nh = 0;
	c4.max_routes = 1 << 16;
	c4.dir24_8.nh_sz = RTE_FIB_DIR24_8_2B;
	c4.dir24_8.num_tbl8 = 1 << 8;
	snprintf(name, sizeof(name), "nlvs_fib4_%u", generation);
	t->fib4 = rte_fib_create(name, SOCKET_ID_ANY, &c4);
	memset(&c6, 0, sizeof(c6));
	/* the trie's 32 MB first level twice over (reload) does not fit the
	 * small --no-huge heaps; the RIB walk is fine for config-sized tables */
	c6.type = RTE_FIB6_DUMMY;
	c6.default_nh = 0;
	c6.max_routes = 1 << 16;
	snprintf(name, sizeof(name), "nlvs_fib6_%u", generation);
	t->fib6 = rte_fib6_create(name, SOCKET_ID_ANY, &c6);
	if (!t->fib4 || !t->fib6) {
		nlvs_log_warnx("route table: %s", rte_strerror(rte_errno));
		rc = -ENOMEM;
		goto fail;
	}
	/* connected routes first so that a "route" line of the same prefix wins */
	for (i = 0; i < conf->naddrs; i++) {
		const struct nlvs_conf_addr *a = &conf->addrs[i];

		rc = route_add(t, &a->pfx, (uint16_t)a->port, 0, NULL);
		if (rc < 0)
			goto fail;
	}
	for (i = 0; i < conf->nroutes; i++) {
		const struct nlvs_conf_route *r = &conf->routes[i];

		rc = route_add(t, &r->dst, (uint16_t)r->port, r->has_gw, &r->gw);
		if (rc < 0)
			goto fail;
	}
	*out = t;
	return 0;
fail:
	nlvs_routes_free(t);
	return rc < 0 ? rc : -EINVAL;
}

/* Port and next hop (the gateway, or @dst itself when on-link).  0 or -ENOENT. */
int nlvs_route_lookup(const struct nlvs_route_table *t, int af, const void *dst,
		      uint16_t *port, union nlvs_addr *nexthop)
{
	const struct nlvs_nexthop *n;
	uint64_t nh = 0;

	if (af == AF_INET) {
		uint32_t ip;

		memcpy(&ip, dst, 4);
		ip = rte_be_to_cpu_32(ip);
		rte_fib_lookup_bulk(t->fib4, &ip, &nh, 1);
	} else {
		uint8_t ip6[1][RTE_FIB6_IPV6_ADDR_SIZE];

		memcpy(ip6[0], dst, 16);
		rte_fib6_lookup_bulk(t->fib6, ip6, &nh, 1);
	}
	if (!nh || nh >= t->nnh)
		return -ENOENT;
	n = &t->nh[nh];
	*port = n->port;
	if (n->has_gw)
		*nexthop = n->gw;
	else
		memcpy(nexthop, dst, af == AF_INET ? 4 : 16);
	return 0;
}

/* 1 when @addr is on-link on port index @port: the route to it has no gateway
 * and leaves through @port (a connected prefix or a device route), as the
 * kernel requires of the neighbours it files.  IPv6 link-local addresses are
 * on-link on every port (fe80::/64 is connected to every interface). */
int nlvs_route_onlink(const struct nlvs_route_table *t, int af, const void *addr,
		      uint16_t port)
{
	const struct nlvs_nexthop *n;
	uint64_t nh = 0;

	if (af == AF_INET) {
		uint32_t ip;

		memcpy(&ip, addr, 4);
		ip = rte_be_to_cpu_32(ip);
		rte_fib_lookup_bulk(t->fib4, &ip, &nh, 1);
	} else {
		uint8_t ip6[1][RTE_FIB6_IPV6_ADDR_SIZE];

		memcpy(ip6[0], addr, 16);
		if (ip6[0][0] == 0xfe && (ip6[0][1] & 0xc0) == 0x80)
			return 1;
		rte_fib6_lookup_bulk(t->fib6, ip6, &nh, 1);
	}
	if (!nh || nh >= t->nnh)
		return 0;
	n = &t->nh[nh];
	return n->port == port && !n->has_gw;
}
