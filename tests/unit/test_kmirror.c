// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel mirror's parser (nlvs_kmirror.h): rtnetlink messages as the
 * kernel sends them, built with libmnl, into what the mirror does: links,
 * addresses (tentative ones read as removed), main-table unicast routes with
 * their next hops on the twins (ECMP), everything else ignored. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "net/nlvs_kmirror.h"
#include "net/nlvs_l3.h"

#define IF_LAN	7		/* the twin of port 0 */
#define IF_SRV	9		/* the twin of port 1 */
#define IF_OTHER 3		/* not a twin */

static char buf[8192];

static int port_of(int ifindex, void *arg)
{
	(void)arg;
	return ifindex == IF_LAN ? 0 : ifindex == IF_SRV ? 1 : -1;
}

static struct nlmsghdr *msg(uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

/* Attribute TYPE: the address TEXT of family AF, 4 or 16 bytes. */
static void put_ip(struct nlmsghdr *nlh, uint16_t type, int af, const char *text)
{
	uint8_t bin[16];

	assert_int_equal(inet_pton(af, text, bin), 1);
	mnl_attr_put(nlh, type, af == AF_INET ? 4 : 16, bin);
}

static struct nlmsghdr *addr_msg(uint16_t type, int af, const char *a, uint8_t plen,
				 int ifindex, uint32_t flags)
{
	struct nlmsghdr *nlh = msg(type, 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)af;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = (uint32_t)ifindex;
	put_ip(nlh, IFA_ADDRESS, af, a);
	if (af == AF_INET)
		put_ip(nlh, IFA_LOCAL, af, a);
	mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
	return nlh;
}

static struct nlmsghdr *route_msg(uint16_t type, int af, const char *dst, uint8_t len,
				  uint8_t table, uint8_t rtype)
{
	struct nlmsghdr *nlh = msg(type, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = (uint8_t)af;
	rtm->rtm_dst_len = len;
	rtm->rtm_table = table;
	rtm->rtm_type = rtype;
	rtm->rtm_protocol = RTPROT_BOOT;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (dst)
		put_ip(nlh, RTA_DST, af, dst);
	return nlh;
}

static void put_gw(struct nlmsghdr *nlh, int af, const char *gw)
{
	put_ip(nlh, RTA_GATEWAY, af, gw);
}

/* One rtnexthop of an RTA_MULTIPATH nest being built. */
static void put_hop(struct nlmsghdr *nlh, int ifindex, uint8_t flags, const char *gw)
{
	struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);

	memset(nh, 0, sizeof(*nh));
	nh->rtnh_ifindex = ifindex;
	nh->rtnh_flags = flags;
	nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
	if (gw)
		put_gw(nlh, AF_INET, gw);
	nh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nh);
}

static void assert_addr(int af, const union nlvs_addr *a, const char *want)
{
	char s[64];

	assert_non_null(inet_ntop(af, a, s, sizeof(s)));
	assert_string_equal(s, want);
}

static void test_addr(void **state)
{
	struct nlvs_kmsg k;

	(void)state;
	assert_int_equal(nlvs_kmsg_parse(addr_msg(RTM_NEWADDR, AF_INET, "10.77.1.50", 32, IF_LAN,
						   IFA_F_PERMANENT), port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_ADDR);
	assert_int_equal(k.add, 1);
	assert_int_equal(k.addr.af, AF_INET);
	assert_int_equal(k.addr.plen, 32);
	assert_int_equal(k.addr.port, 0);
	assert_addr(AF_INET, &k.addr.addr, "10.77.1.50");

	assert_int_equal(nlvs_kmsg_parse(addr_msg(RTM_DELADDR, AF_INET6, "fd00::5", 64, IF_SRV, 0),
					 port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_ADDR);
	assert_int_equal(k.add, 0);
	assert_int_equal(k.addr.port, 1);
	assert_int_equal(k.addr.plen, 64);
	assert_addr(AF_INET6, &k.addr.addr, "fd00::5");

	/* not on a twin */
	assert_int_equal(nlvs_kmsg_parse(addr_msg(RTM_NEWADDR, AF_INET, "10.0.0.1", 24, IF_OTHER,
						   0), port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_IGNORE);
}

static void test_addr_tentative(void **state)
{
	struct nlvs_kmsg k;

	(void)state;
	/* DAD running: the kernel does not answer for it yet, nor may we */
	assert_int_equal(nlvs_kmsg_parse(addr_msg(RTM_NEWADDR, AF_INET6, "fd00::7", 128, IF_LAN,
						   IFA_F_TENTATIVE), port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_ADDR);
	assert_int_equal(k.add, 0);
	assert_int_equal(nlvs_kmsg_parse(addr_msg(RTM_NEWADDR, AF_INET6, "fd00::7", 128, IF_LAN,
						   IFA_F_DADFAILED), port_of, NULL, &k), 0);
	assert_int_equal(k.add, 0);
	assert_int_equal(nlvs_kmsg_parse(addr_msg(RTM_NEWADDR, AF_INET6, "fd00::7", 128, IF_LAN,
						   IFA_F_NODAD), port_of, NULL, &k), 0);
	assert_int_equal(k.add, 1);
}

static void test_route(void **state)
{
	struct nlmsghdr *nlh;
	struct nlvs_kmsg k;

	(void)state;
	nlh = route_msg(RTM_NEWROUTE, AF_INET, "10.77.9.77", 24, RT_TABLE_MAIN, RTN_UNICAST);
	put_gw(nlh, AF_INET, "10.77.1.2");
	mnl_attr_put_u32(nlh, RTA_OIF, IF_LAN);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	assert_int_equal(nlvs_kmsg_parse(nlh, port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_ROUTE);
	assert_int_equal(k.add, 1);
	assert_int_equal(k.route.origin, NLVS_ORIGIN_KERNEL);
	assert_int_equal(k.route.dst.len, 24);
	assert_addr(AF_INET, &k.route.dst.addr, "10.77.9.0");	/* host bits cleared */
	assert_int_equal(k.route.priority, 20);
	assert_int_equal(k.route.nhops, 1);
	assert_int_equal(k.route.hop[0].port, 0);
	assert_int_equal(k.route.hop[0].has_gw, 1);
	assert_addr(AF_INET, &k.route.hop[0].gw, "10.77.1.2");

	/* a connected route: no gateway; the default route: no RTA_DST */
	nlh = route_msg(RTM_NEWROUTE, AF_INET6, NULL, 0, RT_TABLE_MAIN, RTN_UNICAST);
	mnl_attr_put_u32(nlh, RTA_OIF, IF_SRV);
	assert_int_equal(nlvs_kmsg_parse(nlh, port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_ROUTE);
	assert_int_equal(k.route.dst.af, AF_INET6);
	assert_int_equal(k.route.dst.len, 0);
	assert_int_equal(k.route.hop[0].port, 1);
	assert_int_equal(k.route.hop[0].has_gw, 0);
}

static void test_route_ignored(void **state)
{
	struct nlmsghdr *nlh;
	struct nlvs_kmsg k;

	(void)state;
	/* the local table, a blackhole, a route off the twins */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, "10.77.1.50", 32, RT_TABLE_LOCAL, RTN_LOCAL);
	mnl_attr_put_u32(nlh, RTA_OIF, IF_LAN);
	assert_int_equal(nlvs_kmsg_parse(nlh, port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_IGNORE);
	nlh = route_msg(RTM_NEWROUTE, AF_INET, "10.1.0.0", 16, RT_TABLE_MAIN, RTN_BLACKHOLE);
	assert_int_equal(nlvs_kmsg_parse(nlh, port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_IGNORE);
	nlh = route_msg(RTM_NEWROUTE, AF_INET, "10.2.0.0", 16, RT_TABLE_MAIN, RTN_UNICAST);
	mnl_attr_put_u32(nlh, RTA_OIF, IF_OTHER);
	assert_int_equal(nlvs_kmsg_parse(nlh, port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_IGNORE);
	/* truncated: no rtmsg */
	nlh = msg(RTM_NEWROUTE, 0);
	assert_int_equal(nlvs_kmsg_parse(nlh, port_of, NULL, &k), -EINVAL);
	assert_int_equal(k.type, NLVS_KMSG_IGNORE);
}

static void test_route_multipath(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *mp;
	struct nlvs_kmsg k;

	(void)state;
	nlh = route_msg(RTM_NEWROUTE, AF_INET, "10.77.8.0", 24, RT_TABLE_MAIN, RTN_UNICAST);
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	put_hop(nlh, IF_LAN, 0, "10.77.1.2");
	put_hop(nlh, IF_OTHER, 0, "192.0.2.1");		/* not a twin: left out */
	put_hop(nlh, IF_LAN, RTNH_F_DEAD, "10.77.1.9");	/* dead: left out */
	put_hop(nlh, IF_SRV, 0, "10.77.2.3");
	mnl_attr_nest_end(nlh, mp);
	assert_int_equal(nlvs_kmsg_parse(nlh, port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_ROUTE);
	assert_int_equal(k.route.nhops, 2);
	assert_int_equal(k.route.hop[0].port, 0);
	assert_addr(AF_INET, &k.route.hop[0].gw, "10.77.1.2");
	assert_int_equal(k.route.hop[1].port, 1);
	assert_addr(AF_INET, &k.route.hop[1].gw, "10.77.2.3");
}

/* @nlh (in buf) cut short at every length, then bytes flipped at random:
 * rejected or parsed, never read past its end (check-sanitize runs this
 * under ASan). */
static void damage(struct nlmsghdr *nlh)
{
	static char copy[sizeof(buf)];
	uint32_t len = nlh->nlmsg_len, i, at, n, rng = 12345;
	struct nlvs_kmsg k;

	for (i = sizeof(*nlh); i < len; i++) {
		memcpy(copy, buf, len);
		((struct nlmsghdr *)copy)->nlmsg_len = i;
		nlvs_kmsg_parse(copy, port_of, NULL, &k);
		assert_true(k.type != NLVS_KMSG_ROUTE || k.route.nhops <= NLVS_ROUTE_MAX_HOPS);
	}
	for (i = 0; i < 20000; i++) {
		memcpy(copy, buf, len);
		for (n = 0; n < 1 + i % 4; n++) {
			rng = rng * 1103515245u + 12345u;
			at = (uint32_t)sizeof(*nlh) + (rng >> 8) % (len - (uint32_t)sizeof(*nlh));
			rng = rng * 1103515245u + 12345u;
			copy[at] = (char)(rng >> 16);
		}
		nlvs_kmsg_parse(copy, port_of, NULL, &k);
		assert_true(k.type != NLVS_KMSG_ROUTE || k.route.nhops <= NLVS_ROUTE_MAX_HOPS);
	}
}

static void test_damaged(void **state)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *mp;

	(void)state;
	nlh = route_msg(RTM_NEWROUTE, AF_INET, "10.77.8.0", 24, RT_TABLE_MAIN, RTN_UNICAST);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 7);
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	put_hop(nlh, IF_LAN, 0, "10.77.1.2");
	put_hop(nlh, IF_SRV, 0, "10.77.2.3");
	mnl_attr_nest_end(nlh, mp);
	damage(nlh);
	damage(addr_msg(RTM_NEWADDR, AF_INET6, "fd00::5", 64, IF_SRV, 0));
	nlh = msg(RTM_NEWLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = IF_LAN;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "lan");
	damage(nlh);
}

static void test_link(void **state)
{
	struct nlmsghdr *nlh = msg(RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlvs_kmsg k;

	(void)state;
	ifi->ifi_index = IF_LAN;
	ifi->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "lan");
	assert_int_equal(nlvs_kmsg_parse(nlh, port_of, NULL, &k), 0);
	assert_int_equal(k.type, NLVS_KMSG_LINK);
	assert_int_equal(k.add, 1);
	assert_int_equal(k.link.ifindex, IF_LAN);
	assert_int_equal(k.link.up, 1);
	assert_string_equal(k.link.name, "lan");
	nlh->nlmsg_type = RTM_DELLINK;
	ifi->ifi_flags = 0;
	assert_int_equal(nlvs_kmsg_parse(nlh, port_of, NULL, &k), 0);
	assert_int_equal(k.add, 0);
	assert_int_equal(k.link.up, 0);
}

static struct nlvs_route two_hops(void)
{
	struct nlvs_route r;

	memset(&r, 0, sizeof(r));
	r.dst.af = AF_INET;
	r.dst.len = 24;
	r.nhops = 2;
	r.hop[0].port = 0;
	r.hop[0].has_gw = 1;
	inet_pton(AF_INET, "10.0.0.1", &r.hop[0].gw);
	r.hop[1].port = 0;
	r.hop[1].has_gw = 1;
	inet_pton(AF_INET, "10.0.0.2", &r.hop[1].gw);
	return r;
}

/* IPv6 adds and deletes the siblings of a multipath route one by one. */
static void test_hops(void **state)
{
	struct nlvs_route r = two_hops(), one = two_hops(), other;

	(void)state;
	one.nhops = 1;
	one.hop[0] = r.hop[1];
	other = one;
	other.priority = 5;
	assert_true(nlvs_route_same_key(&r, &one));
	assert_false(nlvs_route_same_key(&r, &other));
	assert_int_equal(nlvs_route_hops_remove(&r, &one), 1);
	{	/* connected routes of one prefix on two twins: two routes */
		struct nlvs_route c0 = two_hops(), c1;

		c0.nhops = 1;
		c0.hop[0].has_gw = 0;
		c1 = c0;
		c1.hop[0].port = 1;
		assert_false(nlvs_route_same_key(&c0, &c1));
		assert_true(nlvs_route_same_key(&c0, &c0));
		assert_false(nlvs_route_same_key(&c0, &one));
	}
	assert_addr(AF_INET, &r.hop[0].gw, "10.0.0.1");
	nlvs_route_hops_merge(&r, &one);
	nlvs_route_hops_merge(&r, &one);		/* once only */
	assert_int_equal(r.nhops, 2);
	one.nhops = 0;					/* no hop given: all go */
	assert_int_equal(nlvs_route_hops_remove(&r, &one), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_addr_tentative),
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_route_ignored),
		cmocka_unit_test(test_route_multipath),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_hops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
