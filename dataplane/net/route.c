// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Routes: longest-prefix match with rte_fib (IPv4, DIR-24-8) and rte_fib6
 * (RIB lookup).  The control thread holds the routes of two origins: the
 * configuration (connected routes of port addresses plus "route" lines) and
 * the kernel's main table on the twins (kmirror.c).  A table is built whole
 * from both and published read-only; a change builds a new one beside it.
 * FIB values index a next-hop array; 0 means no route.  An ECMP route's
 * value is the first of its hops, which lie side by side, the first saying
 * how many: a lookup picks one by a hash of the destination, so a
 * destination keeps its next hop while the route stays the same.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "nlvs_net.h"
#include "nlvs_kmirror.h"
#include "base/nlvs_log.h"

#define ROUTE_MAX_NH	4096

struct nlvs_nexthop {
	uint16_t port;
	uint8_t has_gw;
	uint8_t n;			/* hops of the group starting here */
	union nlvs_addr gw;
};

struct nlvs_route_table {
	struct rte_fib *fib4;
	struct rte_fib6 *fib6;
	unsigned int nnh;
	struct nlvs_nexthop nh[ROUTE_MAX_NH];	/* nh[0] unused */
	/* what it was built from, in the order added (for nlvsctl) */
	unsigned int nroutes;
	struct nlvs_route *routes;
};

static unsigned int generation;

/* The control thread's routes of each origin. */
static struct nlvs_route *conf_routes, *kern_routes;
static unsigned int conf_nroutes, kern_nroutes;
static unsigned int conf_nconn;		/* conf_routes[0..conf_nconn) are connected */

static size_t alen(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* Index of an equal group of next hops, adding one when new; 0 when full. */
static uint64_t nexthop_get(struct nlvs_route_table *t, const struct nlvs_route *r)
{
	struct nlvs_nexthop g[NLVS_ROUTE_MAX_HOPS];
	unsigned int i, n = r->nhops;

	memset(g, 0, sizeof(g));
	for (i = 0; i < n; i++) {
		g[i].port = r->hop[i].port;
		g[i].has_gw = r->hop[i].has_gw;
		if (r->hop[i].has_gw)
			memcpy(&g[i].gw, &r->hop[i].gw, alen(r->dst.af));
	}
	g[0].n = (uint8_t)n;
	for (i = 1; i + n <= t->nnh; i++)
		if (!memcmp(&t->nh[i], g, n * sizeof(g[0])))
			return i;
	if (t->nnh + n > ROUTE_MAX_NH)
		return 0;
	memcpy(&t->nh[t->nnh], g, n * sizeof(g[0]));
	t->nnh += n;
	return t->nnh - n;
}

static int route_add(struct nlvs_route_table *t, const struct nlvs_route *r)
{
	uint64_t nh;

	if (!r->nhops)
		return -EINVAL;
	int rc;

	nh = nexthop_get(t, r);
	if (!nh)
		return -ENOSPC;
	if (r->dst.af == AF_INET)
		rc = rte_fib_add(t->fib4, rte_be_to_cpu_32(r->dst.addr.ip), r->dst.len, nh);
	else
		rc = rte_fib6_add(t->fib6, r->dst.addr.b, r->dst.len, nh);
	if (rc == 0)
		t->routes[t->nroutes++] = *r;
	return rc;
}

void nlvs_routes_free(struct nlvs_route_table *t)
{
	if (!t)
		return;
	rte_fib_free(t->fib4);
	rte_fib6_free(t->fib6);
	free(t->routes);
	rte_free(t);
}

static void prefix_clear_host(struct nlvs_prefix *p)
{
	unsigned int i;

	for (i = p->len; i < alen(p->af) * 8; i++)
		p->addr.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

/* The configuration's routes: connected prefixes of the port addresses
 * first so that a "route" line of the same prefix wins.  Published with the
 * kernel's; when that fails the previous ones stay, as the running table. */
int nlvs_routes_config_publish(const struct nlvs_conf *conf)
{
	struct nlvs_route *old = conf_routes;
	unsigned int old_n = conf_nroutes, old_nconn = conf_nconn;
	struct nlvs_route *rs = calloc(conf->naddrs + conf->nroutes + 1, sizeof(*rs));
	unsigned int i, n = 0;
	int rc;

	if (!rs)
		return -ENOMEM;
	for (i = 0; i < conf->naddrs; i++, n++) {
		rs[n].dst = conf->addrs[i].pfx;
		rs[n].hop[0].port = (uint16_t)conf->addrs[i].port;
	}
	for (i = 0; i < conf->nroutes; i++, n++) {
		const struct nlvs_conf_route *c = &conf->routes[i];

		rs[n].dst = c->dst;
		rs[n].hop[0].port = (uint16_t)c->port;
		rs[n].hop[0].has_gw = (uint8_t)c->has_gw;
		if (c->has_gw)
			rs[n].hop[0].gw = c->gw;
	}
	for (i = 0; i < n; i++) {
		prefix_clear_host(&rs[i].dst);
		rs[i].origin = NLVS_ORIGIN_CONFIG;
		rs[i].nhops = 1;
	}
	conf_routes = rs;
	conf_nroutes = n;
	conf_nconn = conf->naddrs;
	rc = nlvs_routes_publish();
	if (rc < 0) {
		conf_routes = old;
		conf_nroutes = old_n;
		conf_nconn = old_nconn;
		free(rs);
		return rc;
	}
	free(old);
	return 0;
}

int nlvs_routes_kernel_set(const struct nlvs_route *rs, unsigned int n)
{
	struct nlvs_route *c = malloc((n + 1) * sizeof(*c));

	if (!c)
		return -ENOMEM;
	memcpy(c, rs, n * sizeof(*c));
	free(kern_routes);
	kern_routes = c;
	kern_nroutes = n;
	return 0;
}

/* The kernel's routes in falling metric, so that of one prefix the lowest
 * metric is added last and wins, as in the kernel. */
static int kern_cmp(const void *a, const void *b)
{
	const struct nlvs_route *x = a, *y = b;

	return x->priority < y->priority ? 1 : x->priority > y->priority ? -1 : 0;
}

static int routes_build(struct nlvs_route_table **out)
{
	struct rte_fib6_conf c6;
	struct rte_fib_conf c4;
	struct nlvs_route_table *t;
	struct nlvs_route *kr = NULL;
	char name[64];
	unsigned int i, nconn = 0, left_out = 0;
	int rc;

	t = rte_zmalloc("nlvs_routes", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (!t)
		return -ENOMEM;
	t->nnh = 1;
	t->routes = calloc(conf_nroutes + kern_nroutes + 1, sizeof(*t->routes));
	if (kern_nroutes)
		kr = malloc(kern_nroutes * sizeof(*kr));
	generation++;
	memset(&c4, 0, sizeof(c4));
	c4.type = RTE_FIB_DIR24_8;
	c4.default_nh = 0;
	c4.max_routes = 1 << 16;
	c4.dir24_8.nh_sz = RTE_FIB_DIR24_8_2B;
	/* a tbl8 (512 bytes) per /24 that holds longer prefixes: host
	 * routes from the kernel may spread over many */
	c4.dir24_8.num_tbl8 = 1 << 12;
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
	if (!t->fib4 || !t->fib6 || !t->routes || (kern_nroutes && !kr)) {
		nlvs_log_warnx("route table: %s", rte_strerror(rte_errno));
		rc = -ENOMEM;
		goto fail;
	}
	/* connected routes of the configuration, the kernel's, then the
	 * configuration's "route" lines: nlvsd.conf has the last word */
	nconn = conf_nconn;
	for (i = 0; i < nconn; i++) {
		rc = route_add(t, &conf_routes[i]);
		if (rc < 0)
			goto fail;
	}
	if (kern_nroutes) {
		memcpy(kr, kern_routes, kern_nroutes * sizeof(*kr));
		qsort(kr, kern_nroutes, sizeof(*kr), kern_cmp);
	}
	for (i = 0; i < kern_nroutes; i++) {
		/* one the table cannot hold is left out, not the whole table */
		rc = route_add(t, &kr[i]);
		if (rc < 0)
			left_out++;
	}
	if (left_out)
		nlvs_log_warnx("%u kernel route(s) left out of the dataplane's table: it is full",
			       left_out);
	for (i = nconn; i < conf_nroutes; i++) {
		rc = route_add(t, &conf_routes[i]);
		if (rc < 0)
			goto fail;
	}
	free(kr);
	*out = t;
	return 0;
fail:
	free(kr);
	nlvs_routes_free(t);
	return rc < 0 ? rc : -EINVAL;
}

int nlvs_routes_publish(void)
{
	struct nlvs_route_table *t, *old = nlvs_dp.routes;
	int rc = routes_build(&t);

	if (rc < 0)
		return rc;
	__atomic_store_n(&nlvs_dp.routes, t, __ATOMIC_RELEASE);
	if (old) {
		nlvs_dp_rcu_synchronize();
		nlvs_routes_free(old);
	}
	return 0;
}

void nlvs_routes_fini(void)
{
	nlvs_routes_free(nlvs_dp.routes);
	nlvs_dp.routes = NULL;
	free(conf_routes);
	free(kern_routes);
	conf_routes = kern_routes = NULL;
	conf_nroutes = kern_nroutes = 0;
}

static const char *origin_name(unsigned int origin)
{
	return origin == NLVS_ORIGIN_KERNEL ? "kernel" : "config";
}

static void hop_write(FILE *f, const struct nlvs_route *r, const struct nlvs_route_hop *h)
{
	char gw[INET6_ADDRSTRLEN];

	if (h->has_gw)
		fprintf(f, " via %s", nlvs_addr_str(r->dst.af, &h->gw, gw, sizeof(gw)));
	fprintf(f, " dev %s", nlvs_dp.ports[h->port].name);
}

/* nlvsctl routes: as `ip route` prints them, in the order the table was
 * built (of one prefix the last line wins), with the origin of each. */
void nlvs_routes_write(FILE *f)
{
	const struct nlvs_route_table *t = nlvs_dp.routes;
	char dst[INET6_ADDRSTRLEN];
	unsigned int i, j;

	for (i = 0; t && i < t->nroutes; i++) {
		const struct nlvs_route *r = &t->routes[i];

		fprintf(f, "%s/%u", nlvs_addr_str(r->dst.af, &r->dst.addr, dst, sizeof(dst)),
			r->dst.len);
		if (r->nhops == 1)
			hop_write(f, r, &r->hop[0]);
		fprintf(f, " origin %s", origin_name(r->origin));
		if (r->origin == NLVS_ORIGIN_KERNEL)
			fprintf(f, " metric %u", r->priority);
		fprintf(f, "\n");
		for (j = 0; r->nhops > 1 && j < r->nhops; j++) {
			fprintf(f, "\tnexthop");
			hop_write(f, r, &r->hop[j]);
			fprintf(f, "\n");
		}
	}
}

/* Port and next hop (the gateway, or @dst itself when on-link).  0 or -ENOENT. */
int nlvs_route_lookup(const struct nlvs_route_table *t, int af, const void *dst,
		      uint16_t *port, union nlvs_addr *nexthop)
{
	const struct nlvs_nexthop *n;
	union nlvs_addr key;
	uint64_t nh = 0;

	/* an aligned copy: the FIB and the CRC hash load it by words */
	memcpy(&key, dst, alen(af));
	if (af == AF_INET) {
		uint32_t ip = rte_be_to_cpu_32(key.ip);

		rte_fib_lookup_bulk(t->fib4, &ip, &nh, 1);
	} else {
		rte_fib6_lookup_bulk(t->fib6, (uint8_t (*)[RTE_FIB6_IPV6_ADDR_SIZE])key.b, &nh, 1);
	}
	if (!nh || nh >= t->nnh)
		return -ENOENT;
	n = &t->nh[nh];
	if (n->n > 1)	/* ECMP: by destination, so a flow keeps its hop */
		n += rte_hash_crc(&key, (uint32_t)alen(af), 0) % n->n;
	*port = n->port;
	if (n->has_gw)
		*nexthop = n->gw;
	else
		memcpy(nexthop, &key, alen(af));
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
	unsigned int i;

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
	for (n = &t->nh[nh], i = 0; i < t->nh[nh].n; i++, n++)
		if (n->port == port && !n->has_gw)
			return 1;
	return 0;
}
