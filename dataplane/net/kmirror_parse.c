// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One rtnetlink message into what the kernel mirror does with it (no DPDK:
 * unit tests feed it messages built with libmnl).  Only what the dataplane
 * can act on is kept: addresses and next hops on the twins, unicast routes
 * of the main table with gateways of their own family.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "nlvs_kmirror.h"
#include "nlvs_l3.h"

static size_t alen(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* Attributes by type; @max is the family's highest (IFLA_, IFA_, RTA_). */
struct attrs {
	const struct nlattr *tb[128];
	unsigned int max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= at->max && type < sizeof(at->tb) / sizeof(at->tb[0]))
		at->tb[type] = a;
	return MNL_CB_OK;
}

/* An address attribute of @af's length, copied into @out. */
static int attr_addr(const struct nlattr *a, int af, union nlvs_addr *out)
{
	if (!a || mnl_attr_get_payload_len(a) != alen(af))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out, mnl_attr_get_payload(a), alen(af));
	return 0;
}

static int parse_link(const struct nlmsghdr *nlh, struct nlvs_kmsg *out)
{
	const struct ifinfomsg *ifi;
	struct attrs at = { .max = IFLA_MAX };
	const char *name;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EINVAL;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &at) < 0 || !at.tb[IFLA_IFNAME] ||
	    mnl_attr_validate(at.tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0)
		return -EINVAL;
	name = mnl_attr_get_str(at.tb[IFLA_IFNAME]);
	if (strlen(name) >= sizeof(out->link.name))
		return -EINVAL;
	out->type = NLVS_KMSG_LINK;
	out->link.ifindex = ifi->ifi_index;
	out->link.up = !!(ifi->ifi_flags & IFF_UP);
	strcpy(out->link.name, name);
	return 0;
}

static int parse_addr(const struct nlmsghdr *nlh, nlvs_kmirror_port_fn port_of, void *arg,
		      struct nlvs_kmsg *out)
{
	const struct ifaddrmsg *ifa;
	struct attrs at = { .max = IFA_MAX };
	const struct nlattr *a;
	uint32_t flags;
	int port;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EINVAL;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return 0;
	if (ifa->ifa_prefixlen > (ifa->ifa_family == AF_INET ? 32 : 128))
		return -EINVAL;
	port = port_of((int)ifa->ifa_index, arg);
	if (port < 0)
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &at) < 0)
		return -EINVAL;
	/* IPv4: IFA_LOCAL is ours, IFA_ADDRESS the peer on point-to-point */
	a = at.tb[IFA_LOCAL] ? at.tb[IFA_LOCAL] : at.tb[IFA_ADDRESS];
	if (attr_addr(a, ifa->ifa_family, &out->addr.addr) < 0)
		return -EINVAL;
	flags = ifa->ifa_flags;
	if (at.tb[IFA_FLAGS] && mnl_attr_get_payload_len(at.tb[IFA_FLAGS]) == 4)
		flags = mnl_attr_get_u32(at.tb[IFA_FLAGS]);
	out->type = NLVS_KMSG_ADDR;
	out->addr.af = ifa->ifa_family;
	out->addr.plen = ifa->ifa_prefixlen;
	out->addr.port = (uint16_t)port;
	/* the kernel does not answer for it until DAD succeeds: nor do we */
	if (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
		out->add = 0;
	return 0;
}

static void hop_add(struct nlvs_route *r, int port, int af, const struct nlattr *gw)
{
	struct nlvs_route_hop *h;

	if (port < 0 || r->nhops == NLVS_ROUTE_MAX_HOPS)
		return;
	h = &r->hop[r->nhops];
	memset(h, 0, sizeof(*h));
	h->port = (uint16_t)port;
	if (gw) {
		/* a gateway of the other family (RTA_VIA) is never here: not ours */
		if (attr_addr(gw, af, &h->gw) < 0)
			return;
		h->has_gw = 1;
	}
	r->nhops++;
}

static int parse_multipath(const struct nlattr *mp, int af, nlvs_kmirror_port_fn port_of,
			   void *arg, struct nlvs_route *r)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);
	int left = (int)mnl_attr_get_payload_len(mp);

	while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
	       nh->rtnh_len <= left) {
		struct attrs at = { .max = RTA_MAX };
		const struct nlattr *a = (const void *)((const char *)nh + RTNH_ALIGN(sizeof(*nh)));
		const char *end = (const char *)nh + nh->rtnh_len;

		while (mnl_attr_ok(a, (int)(end - (const char *)a))) {
			attr_cb(a, &at);
			a = mnl_attr_next(a);
		}
		if (!(nh->rtnh_flags & RTNH_F_DEAD))
			hop_add(r, port_of(nh->rtnh_ifindex, arg), af, at.tb[RTA_GATEWAY]);
		left -= RTNH_ALIGN(nh->rtnh_len);
		nh = (const void *)((const char *)nh + RTNH_ALIGN(nh->rtnh_len));
	}
	return 0;
}

static int parse_route(const struct nlmsghdr *nlh, nlvs_kmirror_port_fn port_of, void *arg,
		       struct nlvs_kmsg *out)
{
	struct nlvs_route *r = &out->route;
	struct attrs at = { .max = RTA_MAX };
	const struct rtmsg *rtm;
	uint32_t table;
	unsigned int i;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EINVAL;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return 0;
	if (rtm->rtm_dst_len > (rtm->rtm_family == AF_INET ? 32 : 128))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &at) < 0)
		return -EINVAL;
	table = rtm->rtm_table;
	if (at.tb[RTA_TABLE] && mnl_attr_get_payload_len(at.tb[RTA_TABLE]) == 4)
		table = mnl_attr_get_u32(at.tb[RTA_TABLE]);
	/* the local table (own addresses) is the address mirror's business;
	 * blackhole, unreachable, multicast routes have nothing to forward to */
	if (table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	memset(r, 0, sizeof(*r));
	r->dst.af = rtm->rtm_family;
	r->dst.len = rtm->rtm_dst_len;
	if (at.tb[RTA_DST] && attr_addr(at.tb[RTA_DST], rtm->rtm_family, &r->dst.addr) < 0)
		return -EINVAL;
	for (i = r->dst.len; i < alen(r->dst.af) * 8; i++)
		r->dst.addr.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	r->origin = NLVS_ORIGIN_KERNEL;
	if (at.tb[RTA_PRIORITY] && mnl_attr_get_payload_len(at.tb[RTA_PRIORITY]) == 4)
		r->priority = mnl_attr_get_u32(at.tb[RTA_PRIORITY]);
	if (at.tb[RTA_MULTIPATH])
		parse_multipath(at.tb[RTA_MULTIPATH], rtm->rtm_family, port_of, arg, r);
	else if (at.tb[RTA_OIF] && mnl_attr_get_payload_len(at.tb[RTA_OIF]) == 4)
		hop_add(r, port_of((int)mnl_attr_get_u32(at.tb[RTA_OIF]), arg), rtm->rtm_family,
			at.tb[RTA_GATEWAY]);
	if (!r->nhops)
		return 0;
	out->type = NLVS_KMSG_ROUTE;
	out->append = !!(nlh->nlmsg_flags & NLM_F_APPEND);
	return 0;
}

int nlvs_kmsg_parse(const void *msg, nlvs_kmirror_port_fn port_of, void *arg,
		    struct nlvs_kmsg *out)
{
	const struct nlmsghdr *nlh = msg;
	int rc;

	memset(out, 0, sizeof(*out));
	out->type = NLVS_KMSG_IGNORE;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		out->add = nlh->nlmsg_type == RTM_NEWLINK;
		rc = parse_link(nlh, out);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		out->add = nlh->nlmsg_type == RTM_NEWADDR;
		rc = parse_addr(nlh, port_of, arg, out);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		out->add = nlh->nlmsg_type == RTM_NEWROUTE;
		rc = parse_route(nlh, port_of, arg, out);
		break;
	default:
		return 0;
	}
	if (rc < 0)
		out->type = NLVS_KMSG_IGNORE;
	return rc;
}

static int hop_equal(const struct nlvs_route_hop *a, const struct nlvs_route_hop *b, int af)
{
	return a->port == b->port && a->has_gw == b->has_gw &&
	       (!a->has_gw || !memcmp(&a->gw, &b->gw, alen(af)));
}

static int hop_find(const struct nlvs_route *r, const struct nlvs_route_hop *h)
{
	unsigned int i;

	for (i = 0; i < r->nhops; i++)
		if (hop_equal(&r->hop[i], h, r->dst.af))
			return (int)i;
	return -1;
}

unsigned int nlvs_route_hops_remove(struct nlvs_route *r, const struct nlvs_route *del)
{
	unsigned int i;
	int k;

	if (!del->nhops)
		r->nhops = 0;
	for (i = 0; i < del->nhops; i++) {
		k = hop_find(r, &del->hop[i]);
		if (k >= 0)
			r->hop[k] = r->hop[--r->nhops];
	}
	return r->nhops;
}

void nlvs_route_hops_merge(struct nlvs_route *r, const struct nlvs_route *add)
{
	unsigned int i;

	for (i = 0; i < add->nhops && r->nhops < NLVS_ROUTE_MAX_HOPS; i++)
		if (hop_find(r, &add->hop[i]) < 0)
			r->hop[r->nhops++] = add->hop[i];
}

int nlvs_route_same_key(const struct nlvs_route *a, const struct nlvs_route *b)
{
	if (a->dst.af != b->dst.af || a->dst.len != b->dst.len || a->priority != b->priority ||
	    memcmp(&a->dst.addr, &b->dst.addr, alen(a->dst.af)))
		return 0;
	/* only routes through gateways are siblings of one ECMP route: a
	 * connected prefix on two interfaces (IPv6's fe80::/64 on every twin)
	 * is two routes */
	if (!a->hop[0].has_gw || !b->hop[0].has_gw)
		return a->hop[0].has_gw == b->hop[0].has_gw && a->hop[0].port == b->hop[0].port;
	return 1;
}
