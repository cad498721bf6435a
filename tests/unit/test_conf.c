// SPDX-License-Identifier: GPL-2.0-or-later
/* nlvsd.conf parser: every directive, its defaults and its error messages. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl/nlvs_conf.h"

static char path[64];
static char err[256];

static int load_text(struct nlvs_conf *c, const char *text)
{
	FILE *f;
	int fd;

	strcpy(path, "/tmp/test_conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	fd = nlvs_conf_load(c, path, 1, err, sizeof(err));
	unlink(path);
	return fd;
}

/* The error must name the file and line, and mention @what. */
static void expect_error(const char *text, unsigned int line, const char *what)
{
	struct nlvs_conf c;
	char prefix[96];

	assert_int_equal(load_text(&c, text), -1);
	snprintf(prefix, sizeof(prefix), "%s:%u: ", path, line);
	if (strncmp(err, prefix, strlen(prefix)) || !strstr(err, what))
		fail_msg("got \"%s\", want \"%s...%s\"", err, prefix, what);
}

static void test_defaults(void **state)
{
	struct nlvs_conf c;

	assert_int_equal(load_text(&c, "# nothing\n\n"), 0);
	assert_int_equal(c.eal_argc, 0);
	assert_int_equal(c.workers, 0);
	assert_int_equal(c.idle_backoff, NLVS_IDLE_ADAPTIVE);
	assert_int_equal(c.idle_sleep_us, NLVS_IDLE_SLEEP_DEFAULT);
	assert_int_equal(c.mbufs, NLVS_MBUFS_DEFAULT);
	assert_int_equal(c.neigh_entries, NLVS_NEIGH_ENTRIES_DEFAULT);
	assert_int_equal(c.conn_table_ipv6_set, 0);	/* a share of the size */
	assert_int_equal(c.host_rate, NLVS_HOST_RATE_DEFAULT);
	assert_int_equal(c.ip_forward, 0);
	assert_int_equal(c.kernel_mirror_off, 0);
	assert_int_equal(c.vip_neigh_kernel, 0);
	assert_int_equal(c.state_sync, 0);
	assert_int_equal(c.metrics.af, 0);
	assert_int_equal(c.nports + c.naddrs + c.nroutes + c.nladdrs + c.nsnat, 0);
	nlvs_conf_free(&c);

	/* a missing optional file is an empty configuration with defaults */
	assert_int_equal(nlvs_conf_load(&c, "/nonexistent/nlvsd.conf", 0, err, sizeof(err)), 0);
	assert_int_equal(c.idle_sleep_us, NLVS_IDLE_SLEEP_DEFAULT);
	nlvs_conf_free(&c);
	assert_int_equal(nlvs_conf_load(&c, "/nonexistent/nlvsd.conf", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

static void test_full(void **state)
{
	static const char text[] =
		"eal --no-huge -m 256 --no-pci \"--file-prefix\" x # comment\n"
		"control-socket /tmp/s\n"
		"log-level debug\n"
		"workers 2\n"
		"idle-backoff off\n"
		"idle-sleep-us 500\n"
		"conn-table-size 65536\n"
		"conn-table-ipv6 0\n"
		"mbufs 4096\n"
		"neighbours 4096\n"
		"ip-forward on\n"
		"kernel-mirror off\n"
		"vip-neigh kernel\n"
		"state-sync on\n"
		"metrics-listen [::1]:9101\n"
		"port lan net_af_packet0,iface=v-lb0,qpairs=2 queues 2 mtu 9000\n"
		"port wan 0000:03:00.0 twin uplink0\n"
		"port dmz net_null0 twin off\n"
		"host-rate 5000\n"
		"address lan 10.0.0.1/24\n"
		"address wan 2001:db8::1/64\n"
		"address wan 192.0.2.7\n"
		"route 0.0.0.0/0 via 10.0.0.254 port lan\n"
		"route 2001:db8:1::ff/48 port wan\n"
		"laddr 10.1.1.1 10.0.0.10 10.0.0.11\n"
		"laddr 2001:db8::100 2001:db8::10\n"
		"snat-rule mark 7 from 10.0.0.0/8 to 0.0.0.0/0 proto udp in lan out wan\n"
		"snat-rule mark 0x10\n";
	struct nlvs_conf c;
	char a[INET6_ADDRSTRLEN];

	assert_int_equal(load_text(&c, text), 0);
	assert_int_equal(c.eal_argc, 7);
	assert_string_equal(c.eal_argv[0], "nlvsd");
	assert_string_equal(c.eal_argv[5], "--file-prefix");
	assert_string_equal(c.control_socket, "/tmp/s");
	assert_int_equal(c.verbosity, 1);
	assert_int_equal(c.workers, 2);
	assert_int_equal(c.idle_backoff, NLVS_IDLE_OFF);
	assert_int_equal(c.idle_sleep_us, 500);
	assert_int_equal(c.conn_table_size, 65536);
	assert_int_equal(c.conn_table_ipv6_set, 1);	/* 0 is a size: no IPv6 */
	assert_int_equal(c.conn_table_ipv6, 0);
	assert_int_equal(c.mbufs, 4096);
	assert_int_equal(c.neigh_entries, 4096);
	assert_int_equal(c.ip_forward, 1);
	assert_int_equal(c.kernel_mirror_off, 1);
	assert_int_equal(c.vip_neigh_kernel, 1);
	assert_int_equal(c.state_sync, 1);
	assert_int_equal(c.metrics.af, AF_INET6);
	assert_int_equal(c.metrics.port, 9101);
	assert_int_equal(c.metrics.addr.b[15], 1);

	assert_int_equal(c.nports, 3);
	assert_string_equal(c.ports[0].name, "lan");
	assert_string_equal(c.ports[0].twin, "lan");
	assert_string_equal(c.ports[1].twin, "uplink0");
	assert_string_equal(c.ports[2].twin, "");
	assert_int_equal(c.host_rate, 5000);
	assert_string_equal(c.ports[0].devargs, "net_af_packet0,iface=v-lb0,qpairs=2");
	assert_int_equal(c.ports[0].queues, 2);
	assert_int_equal(c.ports[0].mtu, 9000);
	assert_string_equal(c.ports[1].devargs, "0000:03:00.0");
	assert_int_equal(c.ports[1].queues, 0);
	assert_int_equal(nlvs_conf_port_find(&c, "wan"), 1);
	assert_int_equal(nlvs_conf_port_find(&c, "dmz"), 2);
	assert_int_equal(nlvs_conf_port_find(&c, "dmz0"), -ENOENT);

	assert_int_equal(c.naddrs, 3);
	assert_int_equal(c.addrs[0].port, 0);
	assert_int_equal(c.addrs[0].pfx.af, AF_INET);
	assert_int_equal(c.addrs[0].pfx.len, 24);
	assert_int_equal(c.addrs[0].pfx.addr.ip, inet_addr("10.0.0.1"));
	assert_int_equal(c.addrs[1].port, 1);
	assert_int_equal(c.addrs[1].pfx.af, AF_INET6);
	assert_int_equal(c.addrs[1].pfx.len, 64);
	assert_int_equal(c.addrs[2].pfx.len, 32);

	assert_int_equal(c.nroutes, 2);
	assert_int_equal(c.routes[0].dst.len, 0);
	assert_true(c.routes[0].has_gw);
	assert_int_equal(c.routes[0].gw.ip, inet_addr("10.0.0.254"));
	assert_int_equal(c.routes[1].port, 1);
	assert_false(c.routes[1].has_gw);
	/* host bits of route prefixes are cleared */
	inet_ntop(AF_INET6, &c.routes[1].dst.addr, a, sizeof(a));
	assert_string_equal(a, "2001:db8:1::");
	assert_int_equal(c.routes[1].dst.len, 48);

	assert_int_equal(c.nladdrs, 2);
	assert_int_equal(c.laddrs[0].af, AF_INET);
	assert_int_equal(c.laddrs[0].vip.ip, inet_addr("10.1.1.1"));
	assert_int_equal(c.laddrs[0].naddrs, 2);
	assert_int_equal(c.laddrs[0].addrs[1].ip, inet_addr("10.0.0.11"));
	assert_int_equal(c.laddrs[1].af, AF_INET6);
	assert_int_equal(c.laddrs[1].naddrs, 1);

	assert_int_equal(c.nsnat, 2);
	assert_int_equal(c.snat[0].mark, 7);
	assert_int_equal(c.snat[0].af, AF_INET);
	assert_true(c.snat[0].has_from && c.snat[0].has_to);
	assert_int_equal(c.snat[0].from.len, 8);
	assert_int_equal(c.snat[0].proto, IPPROTO_UDP);
	assert_int_equal(c.snat[0].in_port, 0);
	assert_int_equal(c.snat[0].out_port, 1);
	assert_int_equal(c.snat[1].mark, 16);
	assert_int_equal(c.snat[1].af, 0);
	assert_int_equal(c.snat[1].proto, 0);
	assert_int_equal(c.snat[1].in_port, NLVS_CONF_PORT_ANY);
	assert_int_equal(c.snat[1].out_port, NLVS_CONF_PORT_ANY);
	nlvs_conf_free(&c);
	assert_int_equal(c.nports, 0);
	assert_null(c.ports);
}

static void test_prefix(void **state)
{
	struct nlvs_prefix p;

	assert_int_equal(nlvs_prefix_parse("10.1.2.3/16", 1, 1, &p), 0);
	assert_int_equal(p.addr.ip, inet_addr("10.1.0.0"));
	assert_int_equal(nlvs_prefix_parse("10.1.2.3/17", 1, 0, &p), 0);
	assert_int_equal(p.addr.ip, inet_addr("10.1.2.3"));
	assert_int_equal(nlvs_prefix_parse("10.1.2.3", 1, 0, &p), -EINVAL);
	assert_int_equal(nlvs_prefix_parse("10.1.2.3/8", -1, 0, &p), -EINVAL);
	assert_int_equal(nlvs_prefix_parse("10.1.2.3/33", 0, 0, &p), -EINVAL);
	assert_int_equal(nlvs_prefix_parse("10.1.2.3/", 0, 0, &p), -EINVAL);
	assert_int_equal(nlvs_prefix_parse("10.1.2.3/-1", 0, 0, &p), -EINVAL);
	assert_int_equal(nlvs_prefix_parse("::1/129", 0, 0, &p), -EINVAL);
	assert_int_equal(nlvs_prefix_parse("fe80::1:2/113", 0, 1, &p), 0);
	assert_int_equal(p.addr.b[14], 0);
	assert_int_equal(p.addr.b[15], 0);
	assert_int_equal(nlvs_prefix_parse("fe80::1:8002/113", 0, 1, &p), 0);
	assert_int_equal(p.addr.b[14], 0x80);
	assert_int_equal(nlvs_prefix_parse("host.example", 0, 0, &p), -EINVAL);
}

static void test_listen(void **state)
{
	struct nlvs_conf_listen l;

	assert_int_equal(nlvs_listen_parse("127.0.0.1:9100", &l), 0);
	assert_int_equal(l.af, AF_INET);
	assert_int_equal(l.port, 9100);
	assert_int_equal(l.addr.ip, htonl(INADDR_LOOPBACK));
	assert_int_equal(nlvs_listen_parse("[2001:db8::1]:65535", &l), 0);
	assert_int_equal(l.af, AF_INET6);
	assert_int_equal(l.port, 65535);
	assert_int_equal(nlvs_listen_parse("0.0.0.0:1", &l), 0);
	assert_int_equal(nlvs_listen_parse("127.0.0.1", &l), -EINVAL);
	assert_int_equal(nlvs_listen_parse("127.0.0.1:0", &l), -EINVAL);
	assert_int_equal(nlvs_listen_parse("127.0.0.1:65536", &l), -EINVAL);
	assert_int_equal(nlvs_listen_parse("127.0.0.1:80x", &l), -EINVAL);
	assert_int_equal(nlvs_listen_parse("2001:db8::1:80", &l), -EINVAL);
	assert_int_equal(nlvs_listen_parse("[10.0.0.1]:80", &l), -EINVAL);
	assert_int_equal(nlvs_listen_parse("localhost:80", &l), -EINVAL);
	assert_int_equal(nlvs_listen_parse(":80", &l), -EINVAL);
}

static void test_errors(void **state)
{
	expect_error("metrics-listen 127.0.0.1\n", 1, "expects ADDRESS:PORT");
	expect_error("metrics-listen 127.0.0.1:9100 x\n", 1, "expects ADDRESS:PORT");
	expect_error("workers 2\nworkers 0\n", 2, "workers: expects a number");
	expect_error("workers two\n", 1, "workers");
	expect_error("idle-backoff sometimes\n", 1, "adaptive or off");
	expect_error("idle-sleep-us 100001\n", 1, "microseconds");
	expect_error("conn-table-size 10\n", 1, "conn-table-size");
	expect_error("conn-table-ipv6 536870913\n", 1, "IPv6 connections");
	/* each fits alone, not together with the other (the default included) */
	expect_error("conn-table-size 1073741824\n", 1, "plus twice conn-table-ipv6");
	expect_error("conn-table-size 1000000000\nconn-table-ipv6 100\n"
		     "conn-table-ipv6 37000000\n", 3, "over 2^30 - 1");
	expect_error("conn-table-ipv6 536870912\n", 1, "plus twice conn-table-ipv6");
	{
		struct nlvs_conf c;	/* the largest that fits: 2^30 - 1 lines */

		assert_int_equal(load_text(&c, "conn-table-size 1000000000\n"
					       "conn-table-ipv6 36870911\n"), 0);
		nlvs_conf_free(&c);
	}
	expect_error("mbufs\n", 1, "mbufs");
	expect_error("neighbours 10\n", 1, "neighbour entries");
	expect_error("port lan\n", 1, "expects NAME DEVARGS");
	expect_error("port lan x queues\n", 1, "expects NAME DEVARGS");
	expect_error("port lan x queues 0\n", 1, "queues expects");
	expect_error("port lan x mtu 20\n", 1, "mtu expects");
	expect_error("port lan x speed 10\n", 1, "unknown option");
	expect_error("port lan x\nport lan y\n", 2, "declared twice");
	expect_error("port abcdefghijabcdefghijabcdefghijabc x\n", 1, "name too long");
	expect_error("port abcdefghijabcdefghij x\n", 1, "no kernel interface name");
	expect_error("port lan x twin a/b\n", 1, "twin: not a valid");
	expect_error("port lan x twin abcdefghijabcdefghij\n", 1, "twin: not a valid");
	expect_error("host-rate -1\n", 1, "expects packets per second");
	expect_error("address lan 10.0.0.1\n", 1, "unknown port");
	expect_error("port lan x\naddress lan 10.0.0.300\n", 2, "bad address");
	expect_error("port lan x\naddress lan\n", 2, "expects PORT");
	expect_error("port lan x\nroute 10.0.0.0/8 lan\n", 2, "expects PREFIX");
	expect_error("port lan x\nroute 10.0.0.0/8 via 2001::1 port lan\n", 2, "bad gateway");
	expect_error("port lan x\nroute 10.0.0.0/8 via 10.0.0.1/32 port lan\n", 2,
		     "bad gateway");
	expect_error("port lan x\nroute 10.0.0.0/8 port wan\n", 2, "unknown port");
	expect_error("port lan x\nroute 10.0.0.0/40 port lan\n", 2, "bad prefix");
	expect_error("laddr 10.0.0.1\n", 1, "expects VIP");
	expect_error("laddr 10.0.0.1 2001:db8::1\n", 1, "bad local address");
	expect_error("laddr 10.0.0.1/32 10.0.0.2\n", 1, "bad VIP");
	expect_error("laddr 10.0.0.1 10.0.0.2\nladdr 10.0.0.1 10.0.0.3\n", 2, "pool already");
	expect_error("snat-rule 7\n", 1, "expects mark");
	expect_error("snat-rule mark 0\n", 1, "non-zero");
	expect_error("snat-rule mark 7 proto sctp\n", 1, "proto expects");
	expect_error("snat-rule mark 7 from 10.0.0.0/8 to ::/0\n", 1, "different families");
	expect_error("snat-rule mark 7 in lan\n", 1, "unknown port");
	expect_error("snat-rule mark 7 via lan\n", 1, "unknown option");
	expect_error("snat-rule mark 7 from\n", 1, "expects mark");
	expect_error("snat-rule mark 7 dport 80\n", 1, "unknown option");
	expect_error("mark 0\n", 1, "non-zero");
	expect_error("mark 7 dport 90-80\n", 1, "dport expects");
	expect_error("mark 7 dport 0\n", 1, "dport expects");
	expect_error("mark 7 out lan\n", 1, "unknown option");
	expect_error("\n\nfrobnicate 1\n", 3, "unknown directive 'frobnicate'");
	expect_error("eal \"--no-huge\n", 1, "unterminated quote");
	expect_error("log-level loud\n", 1, "info or debug");
	expect_error("ip-forward yes\n", 1, "on or off");
	expect_error("kernel-mirror yes\n", 1, "on or off");
	expect_error("vip-neigh some\n", 1, "all or kernel");
	expect_error("state-sync always\n", 1, "on or off");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
