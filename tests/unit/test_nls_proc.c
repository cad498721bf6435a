// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NLVS family: /proc/net/ip_vs, ip_vs_stats and ip_vs_conn texts as
 * TEXT chunks in a dump (ipvs-genl.md 11), readable without CAP_NET_ADMIN.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>

#include "nls_server.h"
#include "ctl/nlvs_ctl.h"
#include "test_nls_util.h"

static struct nls_t_cap cap;
static uint32_t reqbuf[1024];
static char text[256 * 1024];

static int setup(void **state)
{
	return nlvs_ctl_init();
}

static int teardown(void **state)
{
	nls_t_cap_free(&cap);
	nlvs_ctl_fini();
	return 0;
}

static struct nlmsghdr *proc_req(const char *name)
{
	struct nlmsghdr *nlh = nls_t_req(reqbuf, NLS_NLVS_FAMILY_ID,
					 NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
					 NLS_NLVS_CMD_GET_PROC, 1);

	if (name)
		mnl_attr_put_strz(nlh, NLS_NLVS_ATTR_PROC_NAME, name);
	return nlh;
}

/* Dump @name as an unprivileged peer and return the reassembled text. */
static const char *read_proc(const char *name)
{
	size_t i, len = 0;
	int dones = 0;

	nls_t_run_msg(&cap, proc_req(name), 0);
	for (i = 0; i < cap.n; i++) {
		const struct nlmsghdr *m = (const void *)cap.d[i];
		int rem = cap.len[i];

		assert_true(cap.len[i] <= 16384);
		for (; mnl_nlmsg_ok(m, rem); m = mnl_nlmsg_next(m, &rem)) {
			const struct nlattr *a;

			assert_int_equal(dones, 0);
			assert_int_equal(m->nlmsg_flags, NLM_F_MULTI);
			if (m->nlmsg_type == NLMSG_DONE) {
				dones++;
				continue;
			}
			assert_int_equal(m->nlmsg_type, NLS_NLVS_FAMILY_ID);
			mnl_attr_for_each(a, m, 4) {
				size_t n = mnl_attr_get_payload_len(a);

				assert_int_equal(mnl_attr_get_type(a), NLS_NLVS_ATTR_TEXT);
				assert_true(len + n < sizeof(text));
				memcpy(text + len, mnl_attr_get_payload(a), n);
				len += n;
			}
		}
		assert_int_equal(rem, 0);
	}
	assert_int_equal(dones, 1);
	text[len] = '\0';
	return text;
}

static void svc_add(const char *ip, uint16_t port, const char *sched, uint32_t flags,
		    uint32_t timeout, uint32_t mask)
{
	struct nlvs_svc_conf c;

	memset(&c, 0, sizeof(c));
	c.key.af = AF_INET;
	c.key.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, ip, &c.key.addr.ip);
	c.key.port = htons(port);
	strcpy(c.sched_name, sched);
	c.flags = flags;
	c.flags_mask = 0xffffffff;
	c.timeout = timeout;
	c.netmask = mask;
	assert_int_equal(nlvs_ctl_svc_add(&c), 0);
}

static void dest_add(const char *vip, uint16_t vport, const char *ip, uint16_t port,
		     uint32_t fwd, int32_t weight)
{
	struct nlvs_svc_key k;
	struct nlvs_dest_conf d;

	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.af = AF_INET;
	k.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, vip, &k.addr.ip);
	k.port = htons(vport);
	d.af = AF_INET;
	inet_pton(AF_INET, ip, &d.addr.ip);
	d.port = htons(port);
	d.fwd = fwd;
	d.weight = weight;
	assert_int_equal(nlvs_ctl_dest_add(&k, &d), 0);
}

static void test_ip_vs(void **state)
{
	static const char want[] =
		"IP Virtual Server version 1.2.1 (size=4096)\n"
		"Prot LocalAddress:Port Scheduler Flags\n"
		"  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
		"TCP  0A000001:0050 wlc  \n"
		"  -> C0A8010B:0050      Masq    5      0          0         \n"
		"  -> C0A8010A:0050      Route   1      0          0         \n"
		"TCP  0A000002:01BB rr  persistent 75000 FFFFFF00\n"
		"UDP  [2001:0db8:0000:0000:0000:0000:0000:0001]:0035 sh \n"
		"  -> [2001:0db8:0000:0000:0000:0000:0000:0010]:0035      "
		"Masq    2      0          0         \n"
		"FWM  00000007 rr ops \n";
	struct nlvs_svc_conf c;
	struct nlvs_dest_conf d;

	/* Dests are listed newest first, as the kernel's list_add does. */
	svc_add("10.0.0.1", 80, "wlc", 0, 0, 0xffffffff);
	dest_add("10.0.0.1", 80, "192.168.1.10", 80, NLVS_FWD_DROUTE, 1);
	dest_add("10.0.0.1", 80, "192.168.1.11", 80, NLVS_FWD_MASQ, 5);
	svc_add("10.0.0.2", 443, "rr", NLVS_SVC_F_PERSISTENT, 300, htonl(0xffffff00));

	memset(&c, 0, sizeof(c));
	c.key.af = AF_INET6;
	c.key.protocol = IPPROTO_UDP;
	inet_pton(AF_INET6, "2001:db8::1", &c.key.addr.in6);
	c.key.port = htons(53);
	strcpy(c.sched_name, "sh");
	c.flags_mask = 0xffffffff;
	c.netmask = 128;
	assert_int_equal(nlvs_ctl_svc_add(&c), 0);
	memset(&d, 0, sizeof(d));
	d.af = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::10", &d.addr.in6);
	d.port = htons(53);
	d.fwd = NLVS_FWD_MASQ;
	d.weight = 2;
	assert_int_equal(nlvs_ctl_dest_add(&c.key, &d), 0);

	memset(&c, 0, sizeof(c));
	c.key.af = AF_INET;
	c.key.protocol = IPPROTO_TCP;
	c.key.fwmark = 7;
	strcpy(c.sched_name, "rr");
	c.flags = NLVS_SVC_F_ONEPACKET;
	c.flags_mask = 0xffffffff;
	c.netmask = 0xffffffff;
	assert_int_equal(nlvs_ctl_svc_add(&c), 0);
	assert_string_equal(read_proc("ip_vs"), want);
}

static void test_ip_vs_stats(void **state)
{
	static const char want[] =
		"   Total Incoming Outgoing         Incoming         Outgoing\n"
		"   Conns  Packets  Packets            Bytes            Bytes\n"
		"       0        0        0                0                0\n"
		"\n"
		" Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n"
		"       0        0        0                0                0\n";

	svc_add("10.0.0.1", 80, "wlc", 0, 0, 0xffffffff);
	assert_string_equal(read_proc("ip_vs_stats"), want);
}

static void test_ip_vs_conn(void **state)
{
	const char *t = read_proc("ip_vs_conn");

	assert_string_equal(t, "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       "
			    "Expires PEName PEData\n");
}

/* A text larger than a datagram arrives in several, reassembled intact. */
static void test_large(void **state)
{
	char ip[32], line[128];
	const char *t, *p;
	size_t i;

	for (i = 0; i < 900; i++) {
		snprintf(ip, sizeof(ip), "10.2.%zu.%zu", i / 200, i % 200 + 1);
		svc_add(ip, 80, "rr", 0, 0, 0xffffffff);
	}
	t = read_proc("ip_vs");
	assert_true(cap.n >= 2);
	assert_true(strlen(t) > 16384);
	p = strstr(t, "TCP  ");
	for (i = 0; i < 900; i++) {
		snprintf(line, sizeof(line), "TCP  0A02%02zX%02zX:0050 rr  \n",
			 i / 200, i % 200 + 1);
		assert_non_null(p);
		assert_memory_equal(p, line, strlen(line));
		p += strlen(line);
	}
	assert_int_equal(*p, '\0');
}

static void test_errors(void **state)
{
	struct nlmsghdr *nlh;

	nlh = proc_req("ip_vs_nosuch");
	nls_t_run_msg(&cap, nlh, 0);
	nls_t_assert_error(&cap, nlh, -ENOENT);
	nlh = proc_req(NULL);
	nls_t_run_msg(&cap, nlh, 0);
	nls_t_assert_error(&cap, nlh, -EINVAL);
	/* GET_PROC is a dump only. */
	nlh = proc_req("ip_vs");
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nls_t_run_msg(&cap, nlh, 0);
	nls_t_assert_error(&cap, nlh, -EOPNOTSUPP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ip_vs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_vs_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_vs_conn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
