// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel mirror (nlvs_kmirror.h): an rtnetlink listener on the control
 * thread.  It watches the twins (the kernel interface named after each
 * port), and copies the addresses and main-table routes the kernel holds on
 * them into the dataplane: addresses as port addresses of origin "kernel"
 * (answered, announced at once, addr.c), routes as the routes of origin
 * "kernel" (route.c, a new table published under RCU).  nlvsd.conf's own
 * addresses and routes are kept apart and never touched by the kernel's.
 *
 * The state follows the kernel by events; a dump (at start, after a lost
 * event: ENOBUFS, and whenever a twin appears, goes, is renamed or changes
 * state) marks everything, re-reads the kernel's tables and sweeps what it
 * did not see.  Link changes re-dump because the kernel drops the IPv4
 * routes of an interface that goes down without telling anyone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "nlvs_net.h"
#include "nlvs_kmirror.h"
#include "base/nlvs_log.h"
#include "base/nlvs_time.h"

#define KM_RCVBUF	(4 << 20)	/* a full routing table's worth of events */
#define KM_DUMP_TRIES	5		/* dumps interrupted by changes */
#define KM_BUF		32768		/* a receive: many messages of a dump */
/* A route table is built whole: during a burst of route events (a routing
 * daemon's table coming up) publish at most one each this long, so a burst
 * costs tables by its duration, not by the number of wake-ups. */
#define KM_PUBLISH_GAP_NS	(50 * 1000 * 1000)

struct km_addr {
	uint16_t af, port;
	uint8_t plen, seen;
	union nlvs_addr addr;
};

struct km_route {
	struct nlvs_route r;
	uint32_t next;			/* next in its hash chain: index + 1, 0 = none */
	uint8_t seen;
};

static struct {
	struct mnl_socket *ev;		/* events: non-blocking, subscribed */
	struct mnl_socket *dq;		/* dumps: blocking, asked one at a time */
	unsigned int dq_portid, seq;
	int ifindex[NLVS_MAX_PORTS];	/* each port's twin, 0 = none yet */
	int up[NLVS_MAX_PORTS];
	struct km_addr *addrs;
	unsigned int naddrs, addrs_cap;
	struct km_route *routes;
	unsigned int nroutes, routes_cap;
	uint32_t *rhash;		/* chains of routes by key: index + 1 */
	uint32_t rhash_size;		/* power of two, >= nroutes */
	int dumping, resync, routes_dirty, dump_intr;
	uint64_t published_ns;		/* when the last route table went out */
} km;

/* The twin of port @p: the name its "twin" option gives, the port's own by
 * default, "" for "twin off" (nlvsd.conf(5), "port"). */
static const char *twin_name(unsigned int p)
{
	return nlvs_dp.ports[p].twin;
}

static int port_of(int ifindex, void *arg)
{
	unsigned int p;

	(void)arg;
	for (p = 0; p < nlvs_dp.nports; p++)
		if (ifindex > 0 && km.ifindex[p] == ifindex)
			return (int)p;
	return -1;
}

/* @arr with room for one more than its @n elements of @size, grown by
 * doubling (a routing table arriving route by route costs no quadratic
 * copying); NULL when out of memory, @arr untouched. */
static void *grow(void *arr, unsigned int n, unsigned int *cap, size_t size)
{
	unsigned int c = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return arr;
	p = realloc(arr, c * size);
	if (p)
		*cap = c;
	return p;
}

/*
 * Links: which interface is the twin of which port.
 */
static void link_event(const struct nlvs_kmsg *k)
{
	unsigned int p;

	for (p = 0; p < nlvs_dp.nports; p++) {
		int named = twin_name(p)[0] && !strcmp(k->link.name, twin_name(p));

		if (k->add && named) {
			if (km.ifindex[p] != k->link.ifindex || km.up[p] != k->link.up) {
				if (!km.dumping)
					nlvs_log_info("kernel mirror: twin %s of port %s is "
						      "interface %d, %s", k->link.name,
						      nlvs_dp.ports[p].name, k->link.ifindex,
						      k->link.up ? "up" : "down");
				km.ifindex[p] = k->link.ifindex;
				km.up[p] = k->link.up;
				km.resync = 1;
			}
		} else if (km.ifindex[p] == k->link.ifindex) {	/* deleted or renamed */
			nlvs_log_info("kernel mirror: twin of port %s is gone",
				      nlvs_dp.ports[p].name);
			km.ifindex[p] = 0;
			km.up[p] = 0;
			km.resync = 1;
		}
	}
}

/*
 * Addresses.
 */
static int addr_find(int af, const union nlvs_addr *a)
{
	unsigned int i;

	for (i = 0; i < km.naddrs; i++)
		if (km.addrs[i].af == af && nlvs_addr_equal(af, &km.addrs[i].addr, a))
			return (int)i;
	return -1;
}

static void addr_remove(unsigned int i)
{
	struct km_addr *e = &km.addrs[i];
	char buf[64];

	if (nlvs_addr_kernel_del(e->af, &e->addr) == 0)
		nlvs_log_info("kernel mirror: address %s/%u left port %s",
			      nlvs_addr_str(e->af, &e->addr, buf, sizeof(buf)), e->plen,
			      nlvs_dp.ports[e->port].name);
	*e = km.addrs[--km.naddrs];
}

static void addr_event(const struct nlvs_kmsg *k)
{
	int i = addr_find(k->addr.af, &k->addr.addr);
	struct km_addr *n;
	char buf[64];
	int rc;

	if (!k->add) {
		if (i >= 0 && km.addrs[i].port == k->addr.port)
			addr_remove((unsigned int)i);
		return;
	}
	if (i >= 0) {
		km.addrs[i].seen = 1;
		if (km.addrs[i].port == k->addr.port && km.addrs[i].plen == k->addr.plen)
			return;
		addr_remove((unsigned int)i);	/* moved to another twin */
	}
	n = grow(km.addrs, km.naddrs, &km.addrs_cap, sizeof(*n));
	if (!n) {
		nlvs_log_warnx("kernel mirror: out of memory for an address");
		return;
	}
	km.addrs = n;
	n = &km.addrs[km.naddrs];
	memset(n, 0, sizeof(*n));
	n->af = k->addr.af;
	n->port = k->addr.port;
	n->plen = k->addr.plen;
	n->addr = k->addr.addr;
	n->seen = 1;
	rc = nlvs_addr_kernel_add(n->af, &n->addr, n->plen, n->port);
	if (rc < 0 && rc != -EEXIST) {
		nlvs_log_warnx("kernel mirror: cannot answer for %s: %s",
			       nlvs_addr_str(n->af, &n->addr, buf, sizeof(buf)), strerror(-rc));
		return;
	}
	km.naddrs++;
	nlvs_log_info("kernel mirror: address %s/%u on port %s",
		      nlvs_addr_str(n->af, &n->addr, buf, sizeof(buf)), n->plen,
		      nlvs_dp.ports[n->port].name);
}

/*
 * Routes.
 */
/* Routes are found by key through a hash of chained indices: a routing
 * table coming and going route by route costs no quadratic search. */
static uint32_t *route_chain(const struct nlvs_route *r)
{
	const uint8_t *b = r->dst.addr.b;
	uint32_t h = 2166136261u, i;

	h = (h ^ r->dst.af) * 16777619u;
	h = (h ^ r->dst.len) * 16777619u;
	h = (h ^ r->priority) * 16777619u;
	for (i = 0; i < (r->dst.af == AF_INET ? 4u : 16u); i++)
		h = (h ^ b[i]) * 16777619u;
	return &km.rhash[h & (km.rhash_size - 1)];
}

static void route_link(uint32_t i)
{
	uint32_t *c = route_chain(&km.routes[i].r);

	km.routes[i].next = *c;
	*c = i + 1;
}

static void route_unlink(uint32_t i)
{
	uint32_t *p = route_chain(&km.routes[i].r);

	while (*p != i + 1)
		p = &km.routes[*p - 1].next;
	*p = km.routes[i].next;
}

/* Room in the hash for one more route.  0 or -ENOMEM. */
static int route_hash_grow(void)
{
	uint32_t size = km.rhash_size ? km.rhash_size * 2 : 256, *h, i;

	if (km.nroutes < km.rhash_size)
		return 0;
	h = calloc(size, sizeof(*h));
	if (!h)
		return -ENOMEM;
	free(km.rhash);
	km.rhash = h;
	km.rhash_size = size;
	for (i = 0; i < km.nroutes; i++)
		route_link(i);
	return 0;
}

static int route_find(const struct nlvs_route *r)
{
	uint32_t j;

	if (!km.rhash_size)
		return -1;
	for (j = *route_chain(r); j; j = km.routes[j - 1].next)
		if (nlvs_route_same_key(&km.routes[j - 1].r, r))
			return (int)(j - 1);
	return -1;
}

static void route_remove(uint32_t i)
{
	uint32_t last = km.nroutes - 1;

	route_unlink(i);
	if (i != last) {
		route_unlink(last);
		km.routes[i] = km.routes[last];
		route_link(i);
	}
	km.nroutes--;
}

static void route_event(const struct nlvs_kmsg *k)
{
	int i = route_find(&k->route);
	struct km_route *n;

	if (!k->add) {
		if (i >= 0 && !nlvs_route_hops_remove(&km.routes[i].r, &k->route))
			route_remove((uint32_t)i);
		km.routes_dirty = 1;
		return;
	}
	km.routes_dirty = 1;
	if (i >= 0) {
		/* IPv6 appends a sibling to the ECMP route; IPv4 appends a
		 * route behind the first, which alone is used */
		if (k->append && k->route.dst.af == AF_INET6)
			nlvs_route_hops_merge(&km.routes[i].r, &k->route);
		else if (!k->append)
			km.routes[i].r = k->route;
		km.routes[i].seen = 1;
		return;
	}
	n = grow(km.routes, km.nroutes, &km.routes_cap, sizeof(*n));
	if (n)
		km.routes = n;
	if (!n || route_hash_grow() < 0) {
		nlvs_log_warnx("kernel mirror: out of memory for a route");
		return;
	}
	km.routes[km.nroutes].r = k->route;
	km.routes[km.nroutes].seen = 1;
	route_link(km.nroutes);
	km.nroutes++;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlvs_kmsg k;

	(void)data;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		km.dump_intr = 1;
	if (nlvs_kmsg_parse(nlh, port_of, NULL, &k) < 0) {
		nlvs_log_debug("kernel mirror: malformed message of type %u", nlh->nlmsg_type);
		return MNL_CB_OK;
	}
	switch (k.type) {
	case NLVS_KMSG_LINK:
		link_event(&k);
		break;
	case NLVS_KMSG_ADDR:
		addr_event(&k);
		break;
	case NLVS_KMSG_ROUTE:
		route_event(&k);
		break;
	}
	return MNL_CB_OK;
}

/* One dump of @type, every family, on the blocking socket. */
static int dump(uint16_t type)
{
	static char buf[KM_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned int seq = ++km.seq;
	ssize_t n;
	int rc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	/* each dump reads its own header (zeroed: every family, no filter) */
	if (type == RTM_GETROUTE)
		((struct rtmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg)))
			->rtm_family = AF_UNSPEC;
	else if (type == RTM_GETADDR)
		((struct ifaddrmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg)))
			->ifa_family = AF_UNSPEC;
	else
		((struct ifinfomsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg)))
			->ifi_family = AF_UNSPEC;
	if (mnl_socket_sendto(km.dq, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(km.dq, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, km.dq_portid, msg_cb, NULL);
	} while (rc > MNL_CB_STOP);
	return rc < 0 ? -errno : 0;
}

/* Re-read the kernel's links, addresses and routes; forget what is gone. */
static void resync(void)
{
	unsigned int i, p, tries;
	int rc = 0;

	for (tries = 0; tries < KM_DUMP_TRIES; tries++) {
		km.resync = 0;
		km.dump_intr = 0;
		km.dumping = 1;
		for (i = 0; i < km.naddrs; i++)
			km.addrs[i].seen = 0;
		for (i = 0; i < km.nroutes; i++)
			km.routes[i].seen = 0;
		for (p = 0; p < nlvs_dp.nports; p++)
			km.ifindex[p] = 0;
		rc = dump(RTM_GETLINK);
		if (!rc)
			rc = dump(RTM_GETADDR);
		if (!rc)
			rc = dump(RTM_GETROUTE);
		km.dumping = 0;
		if (rc < 0 && rc != -EINTR)
			break;
		if (!km.dump_intr && rc == 0) {
			for (i = km.naddrs; i-- > 0;)
				if (!km.addrs[i].seen)
					addr_remove(i);
			for (i = km.nroutes; i-- > 0;)
				if (!km.routes[i].seen)
					route_remove(i);
			break;
		}
	}
	/* a twin found by the dump itself needs no second one */
	km.resync = 0;
	km.routes_dirty = 1;
	if (rc < 0)
		nlvs_log_warnx("kernel mirror: cannot read the kernel's tables: %s",
			       strerror(-rc));
}

static void routes_apply(void)
{
	struct nlvs_route *rs;
	unsigned int i;
	int rc;

	if (!km.routes_dirty || nlvs_mono_ns() - km.published_ns < KM_PUBLISH_GAP_NS)
		return;		/* nlvs_kmirror_tick() comes back for it */
	km.routes_dirty = 0;
	km.published_ns = nlvs_mono_ns();
	rs = malloc((km.nroutes + 1) * sizeof(*rs));
	if (!rs) {
		nlvs_log_warnx("kernel mirror: out of memory for the routes");
		return;
	}
	for (i = 0; i < km.nroutes; i++)
		rs[i] = km.routes[i].r;
	rc = nlvs_routes_kernel_set(rs, km.nroutes);
	free(rs);
	if (rc == 0)
		rc = nlvs_routes_publish();
	if (rc < 0)
		nlvs_log_warnx("kernel mirror: cannot publish the routes: %s", strerror(-rc));
	else
		nlvs_log_debug("kernel mirror: %u kernel route(s) published", km.nroutes);
}

void nlvs_kmirror_read(void)
{
	static char buf[KM_BUF];
	ssize_t n;

	if (!km.ev)
		return;
	nlvs_addr_batch_begin();
	for (;;) {
		n = mnl_socket_recvfrom(km.ev, buf, sizeof(buf));
		if (n < 0) {
			if (errno == ENOBUFS) {		/* events lost: read it all again */
				nlvs_log_warnx("kernel mirror: events lost, re-reading the tables");
				km.resync = 1;
				continue;
			}
			if (errno != EAGAIN && errno != EINTR)
				nlvs_log_warn("kernel mirror: receive");
			break;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, msg_cb, NULL);
	}
	if (km.resync)
		resync();
	if (nlvs_addr_batch_end() < 0)
		nlvs_log_warnx("kernel mirror: cannot publish the addresses");
	routes_apply();
}

void nlvs_kmirror_tick(void)
{
	if (km.ev)
		routes_apply();
}

int nlvs_kmirror_start(void)
{
	unsigned int groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			      RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
	int size = KM_RCVBUF, rc;

	km.ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	km.dq = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!km.ev || !km.dq)
		goto fail;
	/* subscribe before the first dump, so nothing falls between them */
	if (mnl_socket_bind(km.ev, groups, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_bind(km.dq, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* root may go past rmem_max; anyone else gets what the limit allows */
	if (setsockopt(mnl_socket_get_fd(km.ev), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(km.ev), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	km.dq_portid = mnl_socket_get_portid(km.dq);
	km.seq = (unsigned int)time(NULL);
	nlvs_addr_batch_begin();
	resync();
	if (nlvs_addr_batch_end() < 0)
		nlvs_log_warnx("kernel mirror: cannot publish the addresses");
	routes_apply();
	nlvs_log_info("kernel mirror: watching the twins, %u address(es), %u route(s)",
		      km.naddrs, km.nroutes);
	return mnl_socket_get_fd(km.ev);
fail:
	rc = -errno;
	nlvs_log_warn("kernel mirror: rtnetlink");
	nlvs_kmirror_stop();
	return rc < 0 ? rc : -EIO;
}

void nlvs_kmirror_stop(void)
{
	if (km.ev)
		mnl_socket_close(km.ev);
	if (km.dq)
		mnl_socket_close(km.dq);
	free(km.addrs);
	free(km.routes);
	free(km.rhash);
	memset(&km, 0, sizeof(km));
}
