// SPDX-License-Identifier: GPL-2.0-or-later
/* SNAT classifier: rules parsed from a real nlvsd.conf, first match wins,
 * prefixes at every length, families, protocols, ingress/egress ports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "ctl/nlvs_conf.h"
#include "lb/nlvs_snat.h"

static struct nlvs_snat_class *load(const char *text, struct nlvs_conf *conf)
{
	char path[] = "/tmp/test_snat_class.XXXXXX", err[256];
	struct nlvs_snat_class *c;
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("port in0 net_null0\nport out0 net_null1\nport out1 net_null2\n", f);
	fputs(text, f);
	fclose(f);
	err[0] = 0;
	if (nlvs_conf_load(conf, path, 1, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	unlink(path);
	assert_int_equal(nlvs_snat_class_build(conf->snat, conf->nsnat, &c), 0);
	assert_non_null(c);
	return c;
}

static void key(struct nlvs_snat_key *k, int af, uint8_t proto, const char *s, const char *d,
		unsigned int in, unsigned int out)
{
	memset(k, 0, sizeof(*k));
	k->af = (uint8_t)af;
	k->proto = proto;
	k->in_port = in;
	k->out_port = out;
	assert_int_equal(inet_pton(af, s, &k->saddr), 1);
	assert_int_equal(inet_pton(af, d, &k->daddr), 1);
}

/* Index of the matching rule and its mark, -1 / 0 on no match. */
static int match(const struct nlvs_snat_class *c, int af, uint8_t proto, const char *s,
		 const char *d, unsigned int in, unsigned int out, uint32_t *mark)
{
	struct nlvs_snat_key k;

	key(&k, af, proto, s, d, in, out);
	*mark = 0;
	return nlvs_snat_class_match(c, &k, mark);
}

static void test_first_match_wins(void **state)
{
	struct nlvs_conf conf;
	struct nlvs_snat_class *c;
	uint32_t mark;

	c = load("snat-rule mark 7 from 10.1.1.0/24 proto udp\n"
		 "snat-rule mark 5 from 10.1.0.0/16\n"
		 "snat-rule mark 9 from 10.0.0.0/8 to 192.168.50.0/24\n", &conf);
	assert_int_equal(nlvs_snat_class_count(c, AF_INET), 3);
	assert_int_equal(nlvs_snat_class_count(c, AF_INET6), 0);
	/* narrow rule first */
	assert_int_equal(match(c, AF_INET, IPPROTO_UDP, "10.1.1.9", "8.8.8.8", 0, 1, &mark), 0);
	assert_int_equal(mark, 7);
	/* same host, other protocol: the broader rule */
	assert_int_equal(match(c, AF_INET, IPPROTO_TCP, "10.1.1.9", "8.8.8.8", 0, 1, &mark), 1);
	assert_int_equal(mark, 5);
	/* a later rule never overrides an earlier match */
	assert_int_equal(match(c, AF_INET, IPPROTO_TCP, "10.1.2.3", "192.168.50.1", 0, 1,
			       &mark), 1);
	assert_int_equal(match(c, AF_INET, IPPROTO_TCP, "10.2.2.3", "192.168.50.1", 0, 1,
			       &mark), 2);
	assert_int_equal(mark, 9);
	assert_int_equal(match(c, AF_INET, IPPROTO_TCP, "10.2.2.3", "192.168.51.1", 0, 1,
			       &mark), -1);
	assert_int_equal(mark, 0);
	assert_int_equal(match(c, AF_INET, IPPROTO_TCP, "11.1.1.1", "8.8.8.8", 0, 1, &mark), -1);
	assert_false(nlvs_snat_class_needs_out(c, AF_INET));
	nlvs_snat_class_free(c);
	nlvs_conf_free(&conf);
}

static void test_prefix_lengths(void **state)
{
	struct nlvs_conf conf;
	struct nlvs_snat_class *c;
	uint32_t mark;

	c = load("snat-rule mark 1 from 172.16.5.5/32\n"
		 "snat-rule mark 2 from 172.16.4.0/23\n"
		 "snat-rule mark 3 from 0.0.0.0/0 to 203.0.113.128/25\n"
		 "snat-rule mark 4 from fd00:1:2:3:8000::/65\n"
		 "snat-rule mark 5 from fd00::7/128\n"
		 "snat-rule mark 6 to ::/0\n", &conf);
	assert_int_equal(match(c, AF_INET, 6, "172.16.5.5", "1.1.1.1", 0, 0, &mark), 0);
	assert_int_equal(match(c, AF_INET, 6, "172.16.5.6", "1.1.1.1", 0, 0, &mark), 1);
	assert_int_equal(match(c, AF_INET, 6, "172.16.4.0", "1.1.1.1", 0, 0, &mark), 1);
	assert_int_equal(match(c, AF_INET, 6, "172.16.6.0", "1.1.1.1", 0, 0, &mark), -1);
	assert_int_equal(match(c, AF_INET, 6, "9.9.9.9", "203.0.113.128", 0, 0, &mark), 2);
	assert_int_equal(match(c, AF_INET, 6, "9.9.9.9", "203.0.113.255", 0, 0, &mark), 2);
	assert_int_equal(match(c, AF_INET, 6, "9.9.9.9", "203.0.113.127", 0, 0, &mark), -1);
	/* /65: the first bit of the second word decides */
	assert_int_equal(match(c, AF_INET6, 6, "fd00:1:2:3:8000::1", "2001:db8::1", 0, 0,
			       &mark), 3);
	assert_int_equal(match(c, AF_INET6, 6, "fd00:1:2:3:ffff:ffff:ffff:ffff", "2001:db8::1",
			       0, 0, &mark), 3);
	assert_int_equal(match(c, AF_INET6, 6, "fd00:1:2:3:7fff::1", "2001:db8::1", 0, 0,
			       &mark), 5);	/* falls through to "to ::/0" (index 5) */
	assert_int_equal(mark, 6);
	assert_int_equal(match(c, AF_INET6, 6, "fd00::7", "2001:db8::1", 0, 0, &mark), 4);
	assert_int_equal(mark, 5);
	assert_int_equal(nlvs_snat_class_count(c, AF_INET6), 3);
	nlvs_snat_class_free(c);
	nlvs_conf_free(&conf);
}

static void test_families_and_protocols(void **state)
{
	struct nlvs_conf conf;
	struct nlvs_snat_class *c;
	uint32_t mark;

	/* no prefix: the rule applies to both families; icmp is ICMPv6 there */
	c = load("snat-rule mark 3 proto icmp\n"
		 "snat-rule mark 4 from 10.0.0.0/8 proto tcp\n"
		 "snat-rule mark 8 from fd00::/8 proto udp\n", &conf);
	assert_int_equal(nlvs_snat_class_count(c, AF_INET), 2);
	assert_int_equal(nlvs_snat_class_count(c, AF_INET6), 2);
	assert_int_equal(nlvs_snat_class_count(c, 0), 4);
	assert_int_equal(match(c, AF_INET, IPPROTO_ICMP, "1.2.3.4", "5.6.7.8", 0, 0, &mark), 0);
	assert_int_equal(mark, 3);
	assert_int_equal(match(c, AF_INET6, IPPROTO_ICMPV6, "fd00::1", "2001:db8::1", 0, 0,
			       &mark), 0);
	assert_int_equal(match(c, AF_INET6, IPPROTO_ICMP, "fd00::1", "2001:db8::1", 0, 0,
			       &mark), -1);
	assert_int_equal(match(c, AF_INET, IPPROTO_ICMPV6, "1.2.3.4", "5.6.7.8", 0, 0, &mark),
			 -1);
	assert_int_equal(match(c, AF_INET, IPPROTO_TCP, "10.9.9.9", "5.6.7.8", 0, 0, &mark), 1);
	assert_int_equal(match(c, AF_INET, IPPROTO_UDP, "10.9.9.9", "5.6.7.8", 0, 0, &mark), -1);
	assert_int_equal(match(c, AF_INET6, IPPROTO_UDP, "fd12::9", "2001:db8::1", 0, 0, &mark),
			 2);
	assert_int_equal(mark, 8);
	assert_int_equal(match(c, AF_INET6, IPPROTO_UDP, "fe80::9", "2001:db8::1", 0, 0, &mark),
			 -1);
	/* an IPv4 prefix never matches IPv6 addresses with the same first bytes */
	assert_int_equal(match(c, AF_INET6, IPPROTO_TCP, "a00::1", "2001:db8::1", 0, 0, &mark),
			 -1);
	nlvs_snat_class_free(c);
	nlvs_conf_free(&conf);
}

static void test_ports(void **state)
{
	struct nlvs_conf conf;
	struct nlvs_snat_class *c;
	uint32_t mark;

	c = load("snat-rule mark 1 from 10.0.0.0/8 in in0 out out1\n"
		 "snat-rule mark 2 from 10.0.0.0/8 in in0\n"
		 "snat-rule mark 3 from fd00::/8 out out0\n", &conf);
	assert_true(nlvs_snat_class_needs_out(c, AF_INET));
	assert_true(nlvs_snat_class_needs_out(c, AF_INET6));
	assert_int_equal(match(c, AF_INET, 17, "10.0.0.1", "1.1.1.1", 0, 2, &mark), 0);
	assert_int_equal(match(c, AF_INET, 17, "10.0.0.1", "1.1.1.1", 0, 1, &mark), 1);
	/* egress unknown (no route): rules that test it are skipped */
	assert_int_equal(match(c, AF_INET, 17, "10.0.0.1", "1.1.1.1", 0, NLVS_CONF_PORT_ANY,
			       &mark), 1);
	assert_int_equal(match(c, AF_INET, 17, "10.0.0.1", "1.1.1.1", 1, 2, &mark), -1);
	assert_int_equal(match(c, AF_INET6, 17, "fd00::1", "2001:db8::1", 2, 1, &mark), 2);
	assert_int_equal(match(c, AF_INET6, 17, "fd00::1", "2001:db8::1", 2, 2, &mark), -1);
	nlvs_snat_class_free(c);
	nlvs_conf_free(&conf);

	c = load("snat-rule mark 1 from 10.0.0.0/8 in in0\n", &conf);
	assert_false(nlvs_snat_class_needs_out(c, AF_INET));
	assert_false(nlvs_snat_class_needs_out(c, AF_INET6));
	nlvs_snat_class_free(c);
	nlvs_conf_free(&conf);
}

/* mark lines: the same classifier, with a destination port or range */
static void test_mark_dport(void **state)
{
	char path[] = "/tmp/test_snat_class.XXXXXX", err[256];
	struct nlvs_snat_class *c;
	struct nlvs_snat_key k;
	struct nlvs_conf conf;
	uint32_t mark = 0;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("mark 7 to 10.0.0.100/32 proto tcp dport 80\n"
	      "mark 8 to 10.0.0.100/32 dport 8000-8099\n", f);
	fclose(f);
	if (nlvs_conf_load(&conf, path, 1, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	unlink(path);
	assert_int_equal(conf.nsnat, 0);
	assert_int_equal(conf.nmark, 2);
	assert_int_equal(nlvs_snat_class_build(conf.mark, conf.nmark, &c), 0);
	key(&k, AF_INET, IPPROTO_TCP, "10.1.1.1", "10.0.0.100", 0, NLVS_CONF_PORT_ANY);
	k.dport = 80;
	assert_int_equal(nlvs_snat_class_match(c, &k, &mark), 0);
	assert_int_equal(mark, 7);
	k.dport = 443;
	assert_int_equal(nlvs_snat_class_match(c, &k, &mark), -1);
	k.dport = 8099;
	assert_int_equal(nlvs_snat_class_match(c, &k, &mark), 1);
	assert_int_equal(mark, 8);
	k.dport = 8100;
	assert_int_equal(nlvs_snat_class_match(c, &k, &mark), -1);
	k.dport = 80;
	k.proto = IPPROTO_UDP;
	assert_int_equal(nlvs_snat_class_match(c, &k, &mark), -1);
	nlvs_snat_class_free(c);
	nlvs_conf_free(&conf);
}

/* snat-ports MIN MAX: the egress port range the engine hands out */
static void test_ports_directive(void **state)
{
	static const char *const bad[] = {
		"snat-ports 2000\n", "snat-ports 0 10\n", "snat-ports 10 9\n",
		"snat-ports 1 65536\n", "snat-ports a b\n", "snat-ports 1 2 3\n",
	};
	char path[] = "/tmp/test_snat_ports.XXXXXX", err[256];
	struct nlvs_conf conf;
	struct nlvs_snat_class *c;
	unsigned int i;

	c = load("snat-ports 20000 20009\n", &conf);
	assert_int_equal(conf.snat_port_min, 20000);
	assert_int_equal(conf.snat_port_max, 20009);
	nlvs_snat_class_free(c);
	nlvs_conf_free(&conf);
	c = load("snat-rule mark 1\n", &conf);
	assert_int_equal(conf.snat_port_min, 0);	/* built-in range */
	assert_int_equal(conf.snat_port_max, 0);
	nlvs_snat_class_free(c);
	nlvs_conf_free(&conf);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = mkstemp(path);
		FILE *f = fdopen(fd, "w");

		assert_non_null(f);
		fputs(bad[i], f);
		fclose(f);
		err[0] = 0;
		assert_int_equal(nlvs_conf_load(&conf, path, 1, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "snat-ports"));
		unlink(path);
		strcpy(path, "/tmp/test_snat_ports.XXXXXX");
	}
}

static void test_empty(void **state)
{
	struct nlvs_snat_class *c;
	struct nlvs_snat_key k;
	uint32_t mark = 77;

	assert_int_equal(nlvs_snat_class_build(NULL, 0, &c), 0);
	key(&k, AF_INET, 6, "1.1.1.1", "2.2.2.2", 0, 0);
	assert_int_equal(nlvs_snat_class_match(c, &k, &mark), -1);
	assert_int_equal(nlvs_snat_class_match(NULL, &k, &mark), -1);
	assert_int_equal(mark, 77);
	assert_int_equal(nlvs_snat_class_count(c, 0), 0);
	nlvs_snat_class_free(c);
	nlvs_snat_class_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_prefix_lengths),
		cmocka_unit_test(test_families_and_protocols),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_mark_dport),
		cmocka_unit_test(test_ports_directive),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
