// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control API: services, dests, daemons, timeouts, zero/flush, the
 * connection listing.  Error codes and their order follow ipvs-genl.md §6 and
 * the kernel's ip_vs_ctl.c / ip_vs_sync.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl/ctl_priv.h"
#include "ctl/nlvs_ctl.h"

static struct nlvs_svc_conf svc4(const char *addr, uint16_t port, const char *sched)
{
	struct nlvs_svc_conf c;

	memset(&c, 0, sizeof(c));
	c.key.af = AF_INET;
	c.key.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, addr, &c.key.addr);
	c.key.port = htons(port);
	snprintf(c.sched_name, sizeof(c.sched_name), "%s", sched);
	c.flags_mask = 0xffffffff;
	c.netmask = 0xffffffff;
	return c;
}

static struct nlvs_svc_conf svc6(const char *addr, uint16_t port, const char *sched)
{
	struct nlvs_svc_conf c = svc4("0.0.0.0", port, sched);

	c.key.af = AF_INET6;
	inet_pton(AF_INET6, addr, &c.key.addr);
	c.netmask = 128;
	return c;
}

static struct nlvs_svc_conf svcfw(uint16_t af, uint32_t mark)
{
	struct nlvs_svc_conf c = svc4("0.0.0.0", 0, "rr");

	c.key.af = af;
	c.key.fwmark = mark;
	if (af == AF_INET6)
		c.netmask = 128;
	return c;
}

static struct nlvs_dest_conf dest(uint16_t af, const char *addr, uint16_t port)
{
	struct nlvs_dest_conf d;

	memset(&d, 0, sizeof(d));
	d.af = af;
	inet_pton(af == AF_INET6 ? AF_INET6 : AF_INET, addr, &d.addr);
	d.port = htons(port);
	d.fwd = NLVS_FWD_MASQ;
	d.weight = 1;
	return d;
}

static int setup(void **state)
{
	(void)state;
	return nlvs_ctl_init();
}

static int teardown(void **state)
{
	(void)state;
	nlvs_ctl_fini();
	return 0;
}

static void test_svc_add_errors(void **state)
{
	struct nlvs_svc_conf c = svc4("10.0.0.1", 80, "wlc");
	struct nlvs_svc_conf bad;

	(void)state;
	bad = c;
	bad.key.af = 7;
	assert_int_equal(nlvs_ctl_svc_add(&bad), -EAFNOSUPPORT);
	assert_int_equal(nlvs_ctl_svc_add(&c), 0);
	/* exists is checked before everything else */
	bad = c;
	strcpy(bad.sched_name, "nosuch");
	strcpy(bad.pe_name, "nope");
	assert_int_equal(nlvs_ctl_svc_add(&bad), -EEXIST);

	/* then scheduler, then PE, then IPv6 prefix, then protocol */
	bad = svc6("2001:db8::1", 80, "nosuch");
	strcpy(bad.pe_name, "nope");
	bad.netmask = 0;
	bad.key.protocol = 99;
	assert_int_equal(nlvs_ctl_svc_add(&bad), -ENOENT);
	strcpy(bad.sched_name, "");
	assert_int_equal(nlvs_ctl_svc_add(&bad), -ENOENT);
	strcpy(bad.sched_name, "rr");
	assert_int_equal(nlvs_ctl_svc_add(&bad), -ENOENT);
	strcpy(bad.pe_name, "sip");
	assert_int_equal(nlvs_ctl_svc_add(&bad), -EINVAL);
	bad.netmask = 129;
	assert_int_equal(nlvs_ctl_svc_add(&bad), -EINVAL);
	bad.netmask = 128;
	assert_int_equal(nlvs_ctl_svc_add(&bad), -EINVAL);	/* protocol 99 */
	bad.key.protocol = IPPROTO_SCTP;
	assert_int_equal(nlvs_ctl_svc_add(&bad), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 2);

	/* IPv4 netmask is opaque: no prefix check; "none" is no scheduler */
	bad = svc4("10.0.0.2", 80, "none");
	bad.netmask = 0;
	assert_int_equal(nlvs_ctl_svc_add(&bad), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 3);
	assert_null(nlvs_ctl_svc_find(&bad.key)->sched);
	assert_non_null(nlvs_ctl_svc_find(&c.key)->sched);
	/* an unterminated scheduler name is not a scheduler */
	bad = svc4("10.0.0.3", 80, "");
	memset(bad.sched_name, 'r', sizeof(bad.sched_name));
	assert_int_equal(nlvs_ctl_svc_add(&bad), -ENOENT);
}

static void test_svc_flags_mask(void **state)
{
	struct nlvs_svc_conf c = svc4("10.0.0.1", 80, "wlc");
	struct nlvs_svc_info info;

	(void)state;
	c.flags = NLVS_SVC_F_PERSISTENT | NLVS_SVC_F_ONEPACKET;
	c.flags_mask = NLVS_SVC_F_PERSISTENT;
	c.timeout = 300;
	assert_int_equal(nlvs_ctl_svc_add(&c), 0);
	assert_int_equal(nlvs_ctl_svc_get(&c.key, &info), 0);
	/* add: flags & mask, HASHED forced on; reported mask is ~0 */
	assert_int_equal(info.conf.flags, NLVS_SVC_F_PERSISTENT | NLVS_SVC_F_HASHED);
	assert_int_equal(info.conf.flags_mask, 0xffffffff);
	assert_int_equal(info.conf.timeout, 300);

	/* edit: (old & ~mask) | (flags & mask) */
	c.flags = NLVS_SVC_F_SCHED1 | NLVS_SVC_F_SCHED2;
	c.flags_mask = NLVS_SVC_F_SCHED1;
	assert_int_equal(nlvs_ctl_svc_edit(&c), 0);
	assert_int_equal(nlvs_ctl_svc_get(&c.key, &info), 0);
	assert_int_equal(info.conf.flags,
			 NLVS_SVC_F_PERSISTENT | NLVS_SVC_F_HASHED | NLVS_SVC_F_SCHED1);
	/* clients send mask ~0: -E without -p clears persistence, HASHED stays */
	c.flags = 0;
	c.flags_mask = 0xffffffff;
	assert_int_equal(nlvs_ctl_svc_edit(&c), 0);
	assert_int_equal(nlvs_ctl_svc_get(&c.key, &info), 0);
	assert_int_equal(info.conf.flags, NLVS_SVC_F_HASHED);
}

static void test_svc_edit_errors(void **state)
{
	struct nlvs_svc_conf c = svc6("2001:db8::1", 443, "wlc");
	struct nlvs_svc_conf e;
	struct nlvs_svc_info info;

	(void)state;
	e = c;
	e.key.af = 0;
	assert_int_equal(nlvs_ctl_svc_edit(&e), -EAFNOSUPPORT);
	assert_int_equal(nlvs_ctl_svc_edit(&c), -ESRCH);
	strcpy(c.pe_name, "sip");
	assert_int_equal(nlvs_ctl_svc_add(&c), 0);
	e = c;
	strcpy(e.sched_name, "nosuch");
	e.netmask = 0;
	assert_int_equal(nlvs_ctl_svc_edit(&e), -ENOENT);
	strcpy(e.sched_name, "rr");
	strcpy(e.pe_name, "x");
	assert_int_equal(nlvs_ctl_svc_edit(&e), -ENOENT);
	strcpy(e.pe_name, "sip");
	assert_int_equal(nlvs_ctl_svc_edit(&e), -EINVAL);
	/* nothing changed by the failures */
	assert_int_equal(nlvs_ctl_svc_get(&c.key, &info), 0);
	assert_string_equal(info.conf.sched_name, "wlc");
	assert_int_equal(info.conf.netmask, 128);

	/* empty pe_name removes the PE */
	e.netmask = 64;
	e.pe_name[0] = '\0';
	assert_int_equal(nlvs_ctl_svc_edit(&e), 0);
	assert_int_equal(nlvs_ctl_svc_get(&c.key, &info), 0);
	assert_string_equal(info.conf.sched_name, "rr");
	assert_string_equal(info.conf.pe_name, "");
	assert_int_equal(info.conf.netmask, 64);

	assert_int_equal(nlvs_ctl_svc_del(&c.key), 0);
	assert_int_equal(nlvs_ctl_svc_del(&c.key), -ESRCH);
	assert_int_equal(nlvs_ctl_svc_get(&c.key, NULL), -ESRCH);
}

static void test_svc_identity(void **state)
{
	struct nlvs_svc_conf a = svcfw(AF_INET, 7), b;
	struct nlvs_svc_info info;

	(void)state;
	/* fwmark services: protocol forced to TCP, address and port ignored */
	a.key.protocol = IPPROTO_UDP;
	a.key.port = htons(99);
	a.key.addr.ip = htonl(0x01020304);
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	assert_int_equal(nlvs_ctl_svc_get(&a.key, &info), 0);
	assert_int_equal(info.conf.key.protocol, IPPROTO_TCP);
	assert_int_equal(info.conf.key.port, 0);
	assert_int_equal(info.conf.key.addr.ip, 0);
	b = svcfw(AF_INET, 7);
	assert_int_equal(nlvs_ctl_svc_add(&b), -EEXIST);
	/* the same mark in the other family is another service */
	b = svcfw(AF_INET6, 7);
	assert_int_equal(nlvs_ctl_svc_add(&b), 0);
	b = svcfw(AF_INET, 8);
	assert_int_equal(nlvs_ctl_svc_get(&b.key, NULL), -ESRCH);

	/* IPv4 compares 4 bytes: junk in bytes 4..15 is the same service */
	a = svc4("10.1.1.1", 80, "rr");
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	b = a;
	b.key.addr.ip6[2] = 0xdeadbeef;
	assert_int_equal(nlvs_ctl_svc_add(&b), -EEXIST);
	assert_int_equal(nlvs_ctl_svc_get(&b.key, &info), 0);
	assert_int_equal(info.conf.key.addr.ip6[2], 0);
	/* IPv6 compares 16 bytes */
	a = svc6("2001:db8::1", 80, "rr");
	b = svc6("2001:db8::1:1", 80, "rr");
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	assert_int_equal(nlvs_ctl_svc_add(&b), 0);
	/* protocol and port are part of the identity */
	a = svc4("10.1.1.1", 80, "rr");
	a.key.protocol = IPPROTO_UDP;
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	a.key.port = htons(81);
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 7);
}

static void test_svc_many(void **state)
{
	const unsigned int n = 20000;
	struct nlvs_svc_conf c = svc4("10.0.0.0", 80, "wlc");
	struct nlvs_svc_info info;
	size_t cursor = 0, seen = 0;
	unsigned int i;

	(void)state;
	for (i = 0; i < n; i++) {
		c.key.addr.ip = htonl(0x0a000000 + i / 100);
		c.key.port = htons((uint16_t)(1000 + i % 100));
		assert_int_equal(nlvs_ctl_svc_add(&c), 0);
	}
	assert_int_equal(nlvs_ctl_svc_count(), n);
	for (i = 0; i < n; i++) {
		c.key.addr.ip = htonl(0x0a000000 + i / 100);
		c.key.port = htons((uint16_t)(1000 + i % 100));
		assert_int_equal(nlvs_ctl_svc_get(&c.key, &info), 0);
		assert_int_equal(info.conf.key.port, c.key.port);
	}
	/* dump order is insertion order */
	while (nlvs_ctl_svc_walk(&cursor, &info)) {
		assert_int_equal(ntohl(info.conf.key.addr.ip), 0x0a000000 + seen / 100);
		assert_int_equal(ntohs(info.conf.key.port), 1000 + seen % 100);
		seen++;
	}
	assert_int_equal(seen, n);
	/* delete every odd one, then the rest; walks stay consistent */
	for (i = 1; i < n; i += 2) {
		c.key.addr.ip = htonl(0x0a000000 + i / 100);
		c.key.port = htons((uint16_t)(1000 + i % 100));
		assert_int_equal(nlvs_ctl_svc_del(&c.key), 0);
	}
	assert_int_equal(nlvs_ctl_svc_count(), n / 2);
	cursor = 0;
	seen = 0;
	while (nlvs_ctl_svc_walk(&cursor, &info)) {
		assert_int_equal(ntohs(info.conf.key.port) % 2, 0);
		seen++;
	}
	assert_int_equal(seen, n / 2);
	for (i = 0; i < n; i += 2) {
		c.key.addr.ip = htonl(0x0a000000 + i / 100);
		c.key.port = htons((uint16_t)(1000 + i % 100));
		assert_int_equal(nlvs_ctl_svc_del(&c.key), 0);
		assert_int_equal(nlvs_ctl_svc_get(&c.key, NULL), -ESRCH);
	}
	assert_int_equal(nlvs_ctl_svc_count(), 0);
	cursor = 0;
	assert_int_equal(nlvs_ctl_svc_walk(&cursor, &info), 0);
}

static void test_dest_errors(void **state)
{
	struct nlvs_svc_conf s = svc4("10.0.0.1", 80, "rr");
	struct nlvs_svc_key nokey = svc4("10.0.0.9", 80, "rr").key;
	struct nlvs_dest_conf d = dest(0, "192.168.1.10", 80), b;
	struct nlvs_daemon_conf dc;

	(void)state;
	assert_int_equal(nlvs_ctl_dest_add(&nokey, &d), -ESRCH);
	assert_int_equal(nlvs_ctl_svc_add(&s), 0);

	/* af, then mixed family, weight, thresholds, GUE port, exists, address */
	b = d;
	b.af = 3;
	b.weight = -1;
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EAFNOSUPPORT);
	b = dest(AF_INET6, "2001:db8::10", 80);
	b.weight = -1;
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EINVAL);	/* not TUNNEL */
	b.fwd = NLVS_FWD_TUNNEL;
	b.tun_type = NLVS_TUN_GUE;	/* without a port: checked after the ranges */
	b.l_thresh = 5;
	b.u_thresh = 0;		/* even with no upper threshold */
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -ERANGE);
	b.weight = 0;
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -ERANGE);
	b.u_thresh = 5;
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EINVAL);
	b.tun_port = htons(6080);
	b.tun_flags = 1;
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), 0);	/* mixed, TUNNEL */
	assert_int_equal(nlvs_ctl_mixed_dests(), 1);
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EEXIST);

	/* a mixed-family dest blocks sync daemons, and a daemon blocks them */
	memset(&dc, 0, sizeof(dc));
	dc.state = NLVS_DAEMON_MASTER;
	strcpy(dc.mcast_ifn, "lo");
	assert_int_equal(nlvs_ctl_daemon_add(&dc), -EINVAL);
	assert_int_equal(nlvs_ctl_dest_del(&s.key, &b), 0);
	assert_int_equal(nlvs_ctl_mixed_dests(), 0);
	assert_int_equal(nlvs_ctl_daemon_add(&dc), 0);
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EINVAL);
	assert_int_equal(nlvs_ctl_daemon_del(NLVS_DAEMON_MASTER), 0);

	/* exists comes before the address check */
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &d), 0);
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &d), -EEXIST);
	b = dest(AF_INET, "0.0.0.0", 80);
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EINVAL);
	b = dest(AF_INET, "0.1.2.3", 80);
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EINVAL);
	b = dest(AF_INET, "255.255.255.255", 80);
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EINVAL);
	b = dest(AF_INET, "224.0.0.1", 80);
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EINVAL);
	b = dest(AF_INET, "239.255.255.255", 80);
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), -EINVAL);
	b = dest(AF_INET, "127.0.0.1", 80);	/* RTN_LOCAL is fine */
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), 0);
	b = dest(AF_INET, "240.0.0.1", 80);
	assert_int_equal(nlvs_ctl_dest_add(&s.key, &b), 0);
	assert_int_equal(nlvs_ctl_svc_find(&s.key)->num_dests, 3);
}

static void test_dest_ipv6_addr(void **state)
{
	static const struct {
		const char *addr;
		int ret;
	} cases[] = {
		{ "::", -EINVAL }, { "ff02::1", -EINVAL }, { "ff0e::5", -EINVAL },
		{ "fe80::1", -EINVAL }, { "febf::1", -EINVAL }, { "::ffff:10.0.0.1", -EINVAL },
		{ "::1", 0 }, { "2001:db8::1", 0 }, { "fec0::1", 0 }, { "fd00::1", 0 },
		{ "::10.0.0.1", 0 }, { "100::1", 0 }, { "fe00::1", 0 },
	};
	struct nlvs_svc_conf s = svc6("2001:db8::100", 80, "wlc");
	struct nlvs_dest_conf d;
	unsigned int i;

	(void)state;
	assert_int_equal(nlvs_ctl_svc_add(&s), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = dest(AF_INET6, cases[i].addr, 80);
		if (nlvs_ctl_dest_add(&s.key, &d) != cases[i].ret)
			fail_msg("%s: expected %d", cases[i].addr, cases[i].ret);
	}
}

static void test_dest_order_edit_del(void **state)
{
	struct nlvs_svc_conf s = svc4("10.0.0.1", 80, "rr");
	struct nlvs_dest_conf d;
	struct nlvs_dest_info info;
	size_t cursor = 0;
	int i;

	(void)state;
	assert_int_equal(nlvs_ctl_svc_add(&s), 0);
	for (i = 1; i <= 4; i++) {
		char a[32];

		snprintf(a, sizeof(a), "192.168.1.%d", i);
		d = dest(0, a, 80);
		d.weight = i;
		assert_int_equal(nlvs_ctl_dest_add(&s.key, &d), 0);
	}
	/* newest first, like the kernel's list_add() */
	for (i = 4; i >= 1; i--) {
		assert_int_equal(nlvs_ctl_dest_walk(&s.key, &cursor, &info), 1);
		assert_int_equal(ntohl(info.conf.addr.ip) & 0xff, i);
		assert_int_equal(info.conf.af, AF_INET);	/* 0 became the service's */
		assert_int_equal(info.conf.weight, i);
		assert_int_equal(nlvs_ctl_dest_at(nlvs_ctl_svc_find(&s.key), 4 - i)->conf.weight,
				 i);
	}
	assert_int_equal(nlvs_ctl_dest_walk(&s.key, &cursor, &info), 0);
	cursor = 0;
	s.key.port = htons(81);
	assert_int_equal(nlvs_ctl_dest_walk(&s.key, &cursor, &info), -ESRCH);
	s.key.port = htons(80);

	/* edit: absent -ENOENT, same checks as add, replaces the settings */
	d = dest(0, "192.168.1.9", 80);
	assert_int_equal(nlvs_ctl_dest_edit(&s.key, &d), -ENOENT);
	d = dest(0, "192.168.1.2", 80);
	d.weight = -5;
	assert_int_equal(nlvs_ctl_dest_edit(&s.key, &d), -ERANGE);
	d.weight = 0;
	d.fwd = NLVS_FWD_TUNNEL | 8;	/* only the low 3 bits count */
	d.tun_type = NLVS_TUN_GRE;
	d.tun_flags = 1;
	d.u_thresh = 100;
	d.l_thresh = 50;
	assert_int_equal(nlvs_ctl_dest_edit(&s.key, &d), 0);
	cursor = 2;	/* 4, 3, [2], 1 */
	assert_int_equal(nlvs_ctl_dest_walk(&s.key, &cursor, &info), 1);
	assert_int_equal(ntohl(info.conf.addr.ip) & 0xff, 2);
	assert_int_equal(info.conf.fwd, NLVS_FWD_TUNNEL);
	assert_int_equal(info.conf.weight, 0);
	assert_int_equal(info.conf.tun_type, NLVS_TUN_GRE);
	assert_int_equal(info.conf.u_thresh, 100);
	assert_int_equal(info.conf.l_thresh, 50);

	/* delete: identity (af, addr, port) */
	d = dest(0, "192.168.1.3", 81);
	assert_int_equal(nlvs_ctl_dest_del(&s.key, &d), -ENOENT);
	d.af = 99;
	assert_int_equal(nlvs_ctl_dest_del(&s.key, &d), -EAFNOSUPPORT);
	d = dest(AF_INET6, "::1", 80);
	assert_int_equal(nlvs_ctl_dest_del(&s.key, &d), -ENOENT);
	d = dest(0, "192.168.1.3", 80);
	d.addr.ip6[3] = 0x12345678;		/* IPv4 compares 4 bytes */
	assert_int_equal(nlvs_ctl_dest_del(&s.key, &d), 0);
	cursor = 0;
	for (i = 4; i >= 1; i--) {
		if (i == 3)
			continue;
		assert_int_equal(nlvs_ctl_dest_walk(&s.key, &cursor, &info), 1);
		assert_int_equal(ntohl(info.conf.addr.ip) & 0xff, i);
	}
	assert_int_equal(nlvs_ctl_dest_walk(&s.key, &cursor, &info), 0);
	s.key.port = htons(90);
	assert_int_equal(nlvs_ctl_dest_del(&s.key, &d), -ESRCH);
	assert_int_equal(nlvs_ctl_dest_edit(&s.key, &d), -ESRCH);
}

static void test_zero_flush(void **state)
{
	struct nlvs_svc_conf a = svc4("10.0.0.1", 80, "rr"), b = svc4("10.0.0.2", 80, "rr");
	struct nlvs_dest_conf d = dest(0, "192.168.1.1", 80);
	struct nlvs_daemon_conf dc;
	struct nlvs_svc_info si;
	struct nlvs_dest_info di;
	struct nlvs_timeouts t = { 10, 20, 30 };
	size_t cursor = 0;
	uint64_t gen;

	(void)state;
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	assert_int_equal(nlvs_ctl_svc_add(&b), 0);
	assert_int_equal(nlvs_ctl_dest_add(&a.key, &d), 0);
	assert_int_equal(nlvs_ctl_dest_add(&b.key, &d), 0);
	nlvs_ctl_svc_find(&a.key)->stats.conns = 5;
	nlvs_ctl_svc_find(&a.key)->stats.inbps = 7;
	nlvs_ctl_dest_at(nlvs_ctl_svc_find(&a.key), 0)->stats.inpkts = 9;
	nlvs_ctl_svc_find(&b.key)->stats.outbytes = 11;
	nlvs_ctl_stats_total()->conns = 13;

	gen = nlvs_ctl_generation();
	assert_int_equal(nlvs_ctl_svc_zero(&a.key), 0);
	assert_int_equal(nlvs_ctl_generation(), gen);	/* not a config change */
	assert_int_equal(nlvs_ctl_svc_get(&a.key, &si), 0);
	assert_int_equal(si.stats.conns, 0);
	assert_int_equal(si.stats.inbps, 0);
	assert_int_equal(nlvs_ctl_dest_walk(&a.key, &cursor, &di), 1);
	assert_int_equal(di.stats.inpkts, 0);
	assert_int_equal(nlvs_ctl_svc_get(&b.key, &si), 0);
	assert_int_equal(si.stats.outbytes, 11);	/* the other one untouched */
	assert_int_equal(nlvs_ctl_stats_total()->conns, 13);
	a.key.port = htons(1);
	assert_int_equal(nlvs_ctl_svc_zero(&a.key), -ESRCH);
	assert_int_equal(nlvs_ctl_svc_zero(NULL), 0);
	assert_int_equal(nlvs_ctl_svc_get(&b.key, &si), 0);
	assert_int_equal(si.stats.outbytes, 0);
	assert_int_equal(nlvs_ctl_stats_total()->conns, 0);

	/* flush: services and dests go, daemons and timeouts stay */
	memset(&dc, 0, sizeof(dc));
	dc.state = NLVS_DAEMON_BACKUP;
	strcpy(dc.mcast_ifn, "lo");
	assert_int_equal(nlvs_ctl_daemon_add(&dc), 0);
	assert_int_equal(nlvs_ctl_timeout_set(&t), 0);
	gen = nlvs_ctl_generation();
	nlvs_ctl_flush();
	assert_true(nlvs_ctl_generation() > gen);
	assert_int_equal(nlvs_ctl_svc_count(), 0);
	cursor = 0;
	assert_int_equal(nlvs_ctl_svc_walk(&cursor, &si), 0);
	assert_int_equal(nlvs_ctl_daemon_get(1, &dc), 0);
	nlvs_ctl_timeout_get(&t);
	assert_int_equal(t.tcp, 10);
	assert_int_equal(t.udp, 30);
	/* the table works after a flush */
	assert_int_equal(nlvs_ctl_svc_add(&b), 0);
	assert_int_equal(nlvs_ctl_svc_count(), 1);
}

static void test_daemons(void **state)
{
	struct nlvs_daemon_conf c, out;

	(void)state;
	assert_int_equal(nlvs_ctl_daemon_get(0, &out), -ENOENT);
	assert_int_equal(nlvs_ctl_daemon_get(1, &out), -ENOENT);
	memset(&c, 0, sizeof(c));
	c.state = NLVS_DAEMON_MASTER;
	strcpy(c.mcast_ifn, "lo");
	c.syncid = 5;

	/* kernel order: group, (mixed dests), interface, then state/running */
	c.mcast_af = AF_INET;
	c.mcast_group.ip = htonl(0x0a000001);
	strcpy(c.mcast_ifn, "nosuch0");
	c.state = 7;
	assert_int_equal(nlvs_ctl_daemon_add(&c), -EINVAL);
	c.mcast_af = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &c.mcast_group);
	assert_int_equal(nlvs_ctl_daemon_add(&c), -EINVAL);
	inet_pton(AF_INET6, "ff02::51", &c.mcast_group);
	assert_int_equal(nlvs_ctl_daemon_add(&c), -ENODEV);
	c.mcast_ifn[0] = '\0';		/* keepalived's reload sends "" */
	assert_int_equal(nlvs_ctl_daemon_add(&c), -ENODEV);
	strcpy(c.mcast_ifn, "lo");
	assert_int_equal(nlvs_ctl_daemon_add(&c), -EINVAL);	/* state 7 */

	/* master defaults: group 224.0.0.81, port 8848, ttl 1, 1500 - 28 */
	memset(&c, 0, sizeof(c));
	c.state = NLVS_DAEMON_MASTER;
	strcpy(c.mcast_ifn, "lo");
	c.syncid = 5;
	assert_int_equal(nlvs_ctl_daemon_add(&c), 0);
	assert_int_equal(nlvs_ctl_daemon_add(&c), -EEXIST);
	assert_int_equal(nlvs_ctl_daemon_get(0, &out), 0);
	assert_int_equal(out.state, NLVS_DAEMON_MASTER);
	assert_string_equal(out.mcast_ifn, "lo");
	assert_int_equal(out.syncid, 5);
	assert_int_equal(out.mcast_af, AF_INET);
	assert_int_equal(out.mcast_group.ip, htonl(0xe0000051));
	assert_int_equal(out.mcast_port, 8848);
	assert_int_equal(out.mcast_ttl, 1);
	assert_int_equal(out.sync_maxlen, 1472);
	assert_int_equal(nlvs_ctl_daemon_get(1, &out), -ENOENT);

	/* backup: clamp(lo's MTU 65536, 1500, 65535) - 48 with an IPv6 group */
	c.state = NLVS_DAEMON_BACKUP;
	c.mcast_af = AF_INET6;
	inet_pton(AF_INET6, "ff02::51", &c.mcast_group);
	c.mcast_port = 9000;
	c.mcast_ttl = 3;
	assert_int_equal(nlvs_ctl_daemon_add(&c), 0);
	assert_int_equal(nlvs_ctl_daemon_get(1, &out), 0);
	assert_int_equal(out.sync_maxlen, 65535 - 48);
	assert_int_equal(out.mcast_port, 9000);
	assert_int_equal(out.mcast_ttl, 3);
	assert_int_equal(out.mcast_af, AF_INET6);
	assert_int_equal(out.mcast_group.b[0], 0xff);

	assert_int_equal(nlvs_ctl_daemon_del(0), -EINVAL);
	assert_int_equal(nlvs_ctl_daemon_del(3), -EINVAL);
	assert_int_equal(nlvs_ctl_daemon_del(NLVS_DAEMON_BACKUP), 0);
	assert_int_equal(nlvs_ctl_daemon_del(NLVS_DAEMON_BACKUP), -ESRCH);
	assert_int_equal(nlvs_ctl_daemon_del(NLVS_DAEMON_MASTER), 0);
	assert_int_equal(nlvs_ctl_daemon_del(NLVS_DAEMON_MASTER), -ESRCH);

	/* explicit maxlen: clamped to [1 or 1024, 65535 - hdr] */
	memset(&c, 0, sizeof(c));
	strcpy(c.mcast_ifn, "lo");
	c.state = NLVS_DAEMON_BACKUP;
	c.sync_maxlen = 100;
	assert_int_equal(nlvs_ctl_daemon_add(&c), 0);
	assert_int_equal(nlvs_ctl_daemon_get(1, &out), 0);
	assert_int_equal(out.sync_maxlen, 1024);
	c.state = NLVS_DAEMON_MASTER;
	c.sync_maxlen = 65535;
	assert_int_equal(nlvs_ctl_daemon_add(&c), 0);
	assert_int_equal(nlvs_ctl_daemon_get(0, &out), 0);
	assert_int_equal(out.sync_maxlen, 65535 - 28);
	assert_int_equal(nlvs_ctl_daemon_del(NLVS_DAEMON_MASTER), 0);
	c.sync_maxlen = 100;
	assert_int_equal(nlvs_ctl_daemon_add(&c), 0);
	assert_int_equal(nlvs_ctl_daemon_get(0, &out), 0);
	assert_int_equal(out.sync_maxlen, 100);
}

static void test_timeouts(void **state)
{
	struct nlvs_timeouts t, big;

	(void)state;
	nlvs_ctl_timeout_get(&t);
	assert_int_equal(t.tcp, 900);
	assert_int_equal(t.tcp_fin, 120);
	assert_int_equal(t.udp, 300);
	t.tcp = 10;
	t.tcp_fin = 0;		/* unchanged */
	t.udp = 8589934;	/* INT_MAX / HZ (250) is still fine */
	assert_int_equal(nlvs_ctl_timeout_set(&t), 0);
	nlvs_ctl_timeout_get(&t);
	assert_int_equal(t.tcp, 10);
	assert_int_equal(t.tcp_fin, 120);
	assert_int_equal(t.udp, 8589934);

	/* one value too large: -EINVAL and nothing changes */
	big.tcp = 20;
	big.tcp_fin = 8589935;
	big.udp = 30;
	assert_int_equal(nlvs_ctl_timeout_set(&big), -EINVAL);
	big.tcp_fin = 0x80000000u;	/* negative as the kernel's int */
	assert_int_equal(nlvs_ctl_timeout_set(&big), -EINVAL);
	big.tcp_fin = 5;
	big.udp = 0xffffffffu;
	assert_int_equal(nlvs_ctl_timeout_set(&big), -EINVAL);
	nlvs_ctl_timeout_get(&t);
	assert_int_equal(t.tcp, 10);
	assert_int_equal(t.tcp_fin, 120);
	assert_int_equal(t.udp, 8589934);
}

static size_t fake_conns(size_t *idx, char *buf, size_t max)
{
	size_t len = 0;

	/* three fixed-size lines, as many as fit */
	while (*idx < 3 && len + 10 <= max) {
		snprintf(buf + len, 11, "conn %04zu\n", *idx);
		len += 10;
		(*idx)++;
	}
	return len;
}

static void test_conn_text(void **state)
{
	static const char header[] = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt "
				     "State       Expires PEName PEData\n";
	char buf[256];
	size_t cursor = 0, n, len;

	(void)state;
	n = nlvs_ctl_conn_text(&cursor, buf, sizeof(buf));
	assert_int_equal(n, strlen(header));
	assert_memory_equal(buf, header, n);
	assert_int_equal(nlvs_ctl_conn_text(&cursor, buf, sizeof(buf)), 0);
	/* tiny reads still get the whole header */
	cursor = 0;
	n = 0;
	while ((len = nlvs_ctl_conn_text(&cursor, buf + n, 7)) > 0)
		n += len;
	assert_int_equal(n, strlen(header));
	assert_memory_equal(buf, header, n);

	/* with a dataplane: the header then its lines, in small pieces */
	nlvs_ctl_conn_source_set(fake_conns);
	cursor = 0;
	n = nlvs_ctl_conn_text(&cursor, buf, strlen(header) + 15);
	assert_int_equal(n, strlen(header) + 10);
	assert_memory_equal(buf + strlen(header), "conn 0000\n", 10);
	n = nlvs_ctl_conn_text(&cursor, buf, sizeof(buf));
	assert_int_equal(n, 20);
	assert_memory_equal(buf, "conn 0001\nconn 0002\n", 20);
	assert_int_equal(nlvs_ctl_conn_text(&cursor, buf, sizeof(buf)), 0);
	nlvs_ctl_conn_source_set(NULL);
}

static void test_generation(void **state)
{
	struct nlvs_svc_conf a = svc4("10.0.0.1", 80, "rr");
	struct nlvs_dest_conf d = dest(0, "192.168.1.1", 80);
	uint64_t g = nlvs_ctl_generation();

	(void)state;
	assert_int_equal(nlvs_ctl_svc_add(&a), 0);
	assert_true(nlvs_ctl_generation() > g);
	g = nlvs_ctl_generation();
	assert_int_equal(nlvs_ctl_svc_add(&a), -EEXIST);	/* failures change nothing */
	assert_int_equal(nlvs_ctl_generation(), g);
	assert_int_equal(nlvs_ctl_dest_add(&a.key, &d), 0);
	assert_true(nlvs_ctl_generation() > g);
	g = nlvs_ctl_generation();
	d.weight = 3;
	assert_int_equal(nlvs_ctl_dest_edit(&a.key, &d), 0);
	assert_true(nlvs_ctl_generation() > g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_svc_add_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svc_flags_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svc_edit_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svc_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_svc_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dest_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dest_ipv6_addr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dest_order_edit_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conn_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
