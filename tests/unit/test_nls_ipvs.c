// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every IPVS command through nls_handle_datagram() and the real control API:
 * the captured requests of ipvs-genl.md Appendix A, replies byte for byte
 * (6.4, 6.8, 6.11, 6.13, 6.15), the errno order of section 6 and dump
 * framing (MULTI messages in datagrams of at most 16 KiB, DONE, no ACK).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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

#define F_LO	(NLS_IPVS_FAMILY_ID & 0xff)
#define F_HI	(NLS_IPVS_FAMILY_ID >> 8)
#define RA	(NLM_F_REQUEST | NLM_F_ACK)

/* Appendix A: ipvsadm -A -t 10.0.0.2:80 -s rr -p 600 -M 255.255.255.0 */
static const unsigned char new_service_a[104] = {
	0x68, 0, 0, 0, F_LO, F_HI, 0x05, 0, 0x01, 0x10, 0x5e, 0x5f, 0x34, 0x12, 0x40, 0,
	0x01, 0x01, 0, 0,
	0x54, 0, 0x01, 0x80,
	0x06, 0, 0x01, 0, 0x02, 0, 0, 0,
	0x06, 0, 0x02, 0, 0x06, 0, 0, 0,
	0x14, 0, 0x03, 0, 0x0a, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0x06, 0, 0x04, 0, 0x00, 0x50, 0, 0,
	0x07, 0, 0x06, 0, 'r', 'r', 0, 0,
	0x0c, 0, 0x07, 0, 0x01, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
	0x08, 0, 0x08, 0, 0x58, 0x02, 0, 0,
	0x08, 0, 0x09, 0, 0xff, 0xff, 0xff, 0x00,
};

/* Appendix A: ipvsadm --set 10 20 30 */
static const unsigned char set_config_a[44] = {
	0x2c, 0, 0, 0, F_LO, F_HI, 0x05, 0, 0x01, 0x10, 0x5e, 0x5f, 0x34, 0x12, 0x40, 0,
	0x0c, 0x01, 0, 0,
	0x08, 0, 0x04, 0, 0x0a, 0, 0, 0,
	0x08, 0, 0x05, 0, 0x14, 0, 0, 0,
	0x08, 0, 0x06, 0, 0x1e, 0, 0, 0,
};

/* keepalived DEL_DAEMON (40 bytes): DAEMON{ STATE 1, SYNC_ID 0 } */
static const unsigned char del_daemon_k[40] = {
	0x28, 0, 0, 0, F_LO, F_HI, 0x05, 0, 0x01, 0x10, 0x5e, 0x5f, 0x34, 0x12, 0x40, 0,
	0x0a, 0x01, 0, 0,
	0x14, 0, 0x03, 0x80,
	0x08, 0, 0x01, 0, 0x01, 0, 0, 0,
	0x08, 0, 0x03, 0, 0x00, 0, 0, 0,
};

static struct nls_t_cap cap;
static uint32_t reqbuf[1024];

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

static struct nlmsghdr *req(uint16_t flags, uint8_t cmd)
{
	return nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, flags, cmd, 1);
}

/* Run @nlh as admin and expect exactly the ACK. */
static void expect_ack(struct nlmsghdr *nlh)
{
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(nls_t_error(&cap, 0), 0);
	assert_int_equal(cap.n, 1);
	nls_t_assert_ack(&cap, 0, nlh);
}

static void expect_err(struct nlmsghdr *nlh, int admin, int err)
{
	nls_t_run_msg(&cap, nlh, admin);
	nls_t_assert_error(&cap, nlh, err);
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static void add_svc(const char *ip, uint16_t port, const char *sched)
{
	struct nlmsghdr *nlh = req(RA, IPVS_CMD_NEW_SERVICE);

	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4(ip), port, sched, 0, 0, 0xffffffff);
	expect_ack(nlh);
}

static void bb_stats(struct nls_t_bb *bb, uint16_t type, int wide)
{
	size_t nest = nls_t_bb_nest(bb, type);
	uint16_t t;

	for (t = IPVS_STATS_ATTR_CONNS; t <= IPVS_STATS_ATTR_OUTBPS; t++) {
		if (wide || t == IPVS_STATS_ATTR_INBYTES || t == IPVS_STATS_ATTR_OUTBYTES)
			nls_t_bb_u64(bb, t, 0);
		else
			nls_t_bb_u32(bb, t, 0);
	}
	nls_t_bb_end(bb, nest);
}

static void bb_svc4(struct nls_t_bb *bb, uint16_t flags, const char *ip, uint16_t port,
		    const char *sched, uint32_t svcflags, uint32_t timeout, uint32_t mask)
{
	unsigned char addr[16] = { 0 };
	uint32_t a = ip4(ip), fl[2] = { svcflags, 0xffffffff };
	size_t nest;

	memcpy(addr, &a, 4);
	nls_t_bb_hdr(bb, NLS_IPVS_FAMILY_ID, flags, NLS_T_SEQ, NLS_T_PID, IPVS_CMD_NEW_SERVICE, 1);
	nest = nls_t_bb_nest(bb, IPVS_CMD_ATTR_SERVICE);
	nls_t_bb_u16(bb, IPVS_SVC_ATTR_AF, AF_INET);
	nls_t_bb_u16(bb, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	nls_t_bb_attr(bb, IPVS_SVC_ATTR_ADDR, addr, 16);
	nls_t_bb_u16(bb, IPVS_SVC_ATTR_PORT, htons(port));
	nls_t_bb_str(bb, IPVS_SVC_ATTR_SCHED_NAME, sched);
	nls_t_bb_attr(bb, IPVS_SVC_ATTR_FLAGS, fl, 8);
	nls_t_bb_u32(bb, IPVS_SVC_ATTR_TIMEOUT, timeout);
	nls_t_bb_u32(bb, IPVS_SVC_ATTR_NETMASK, mask);
	bb_stats(bb, IPVS_SVC_ATTR_STATS, 0);
	bb_stats(bb, IPVS_SVC_ATTR_STATS64, 1);
	nls_t_bb_end(bb, nest);
	nls_t_bb_done(bb);
}

static void test_get_info(void **state)
{
	const unsigned char want[36] = {
		0x24, 0, 0, 0, F_LO, F_HI, 0, 0, 0x01, 0x10, 0x5e, 0x5f, 0x34, 0x12, 0x40, 0,
		0x0e, 0x01, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x01, 0x02, 0x01, 0x00,
		0x08, 0x00, 0x02, 0x00, 0x00, 0x10, 0x00, 0x00,
	};
	struct nlmsghdr *nlh = req(RA, IPVS_CMD_GET_INFO);

	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 2);
	nls_t_assert_bytes(cap.d[0], cap.len[0], want, sizeof(want));
	nls_t_assert_ack(&cap, 1, nlh);

	/* Without NLM_F_ACK only the reply. */
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.len[0], 36);
}

static void test_config(void **state)
{
	struct nls_t_bb bb;
	struct nlmsghdr *nlh = req(RA, IPVS_CMD_GET_CONFIG);

	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 2);
	nls_t_bb_hdr(&bb, NLS_IPVS_FAMILY_ID, 0, NLS_T_SEQ, NLS_T_PID, IPVS_CMD_SET_CONFIG, 1);
	nls_t_bb_u32(&bb, IPVS_CMD_ATTR_TIMEOUT_TCP, 900);
	nls_t_bb_u32(&bb, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, 120);
	nls_t_bb_u32(&bb, IPVS_CMD_ATTR_TIMEOUT_UDP, 300);
	nls_t_bb_done(&bb);
	assert_int_equal(bb.n, 44);
	nls_t_assert_bytes(cap.d[0], cap.len[0], bb.b, bb.n);
	nls_t_assert_ack(&cap, 1, nlh);

	nls_t_run(&cap, set_config_a, sizeof(set_config_a), 1);
	assert_int_equal(cap.n, 1);
	nls_t_assert_ack(&cap, 0, (const void *)set_config_a);

	nls_t_run_msg(&cap, nlh, 1);
	nls_t_bb_hdr(&bb, NLS_IPVS_FAMILY_ID, 0, NLS_T_SEQ, NLS_T_PID, IPVS_CMD_SET_CONFIG, 1);
	nls_t_bb_u32(&bb, IPVS_CMD_ATTR_TIMEOUT_TCP, 10);
	nls_t_bb_u32(&bb, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, 20);
	nls_t_bb_u32(&bb, IPVS_CMD_ATTR_TIMEOUT_UDP, 30);
	nls_t_bb_done(&bb);
	nls_t_assert_bytes(cap.d[0], cap.len[0], bb.b, bb.n);

	/* A 2-byte TIMEOUT_TCP fails top-level validation: -ERANGE. */
	nlh = req(RA, IPVS_CMD_SET_CONFIG);
	mnl_attr_put_u16(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP, 5);
	expect_err(nlh, 1, -ERANGE);
	/* ... whatever the command, GET_INFO included. */
	nlh = req(RA, IPVS_CMD_GET_INFO);
	mnl_attr_put_u16(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP, 5);
	expect_err(nlh, 1, -ERANGE);
	/* A 2-byte nest likewise; unknown attribute types are ignored. */
	nlh = req(RA, IPVS_CMD_GET_INFO);
	mnl_attr_put_u16(nlh, IPVS_CMD_ATTR_SERVICE, 5);
	expect_err(nlh, 1, -ERANGE);
	nlh = req(RA, IPVS_CMD_GET_INFO);
	mnl_attr_put_u16(nlh, 7, 5);
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 2);
}

static void test_permissions_and_ops(void **state)
{
	struct nlmsghdr *nlh;

	nlh = req(RA, IPVS_CMD_GET_INFO);
	expect_err(nlh, 0, -EPERM);
	nlh = req(RA, IPVS_CMD_FLUSH);
	expect_err(nlh, 0, -EPERM);
	nlh = req(RA | NLM_F_DUMP, IPVS_CMD_GET_SERVICE);
	expect_err(nlh, 0, -EPERM);
	/* 6.x: the do/dump mismatch is reported before the permission. */
	nlh = req(RA, IPVS_CMD_GET_DEST);
	expect_err(nlh, 0, -EOPNOTSUPP);
	expect_err(nlh, 1, -EOPNOTSUPP);
	nlh = req(RA, IPVS_CMD_GET_DAEMON);
	expect_err(nlh, 1, -EOPNOTSUPP);
	nlh = req(RA | NLM_F_DUMP, IPVS_CMD_NEW_SERVICE);
	expect_err(nlh, 1, -EOPNOTSUPP);
	nlh = req(RA, IPVS_CMD_SET_INFO);
	expect_err(nlh, 1, -EOPNOTSUPP);
	nlh = req(RA, IPVS_CMD_UNSPEC);
	expect_err(nlh, 1, -EOPNOTSUPP);
	nlh = req(RA, 18);
	expect_err(nlh, 0, -EOPNOTSUPP);
	/* Only ROOT without MATCH is no dump: GET_SERVICE doit. */
	nlh = req(RA | NLM_F_ROOT, IPVS_CMD_GET_SERVICE);
	expect_err(nlh, 1, -EINVAL);
}

static void test_service_appendix_a(void **state)
{
	struct nls_t_bb bb;
	struct nlmsghdr *nlh;

	nls_t_run(&cap, new_service_a, sizeof(new_service_a), 1);
	assert_int_equal(cap.n, 1);
	nls_t_assert_ack(&cap, 0, (const void *)new_service_a);
	nls_t_run(&cap, new_service_a, sizeof(new_service_a), 1);
	nls_t_assert_error(&cap, (const void *)new_service_a, -EEXIST);

	/* GET_SERVICE doit with the identity: reply, then a separate ACK. */
	nlh = req(RA, IPVS_CMD_GET_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.2"), 80, "", 0, 0, 0xffffffff);
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 2);
	bb_svc4(&bb, 0, "10.0.0.2", 80, "rr", NLVS_SVC_F_PERSISTENT | NLVS_SVC_F_HASHED, 600,
		htonl(0xffffff00));
	nls_t_assert_bytes(cap.d[0], cap.len[0], bb.b, bb.n);
	nls_t_assert_ack(&cap, 1, nlh);
}

static void test_service_wlc_320(void **state)
{
	struct nls_t_bb bb;
	struct nlmsghdr *nlh;

	add_svc("10.0.0.1", 80, "wlc");
	nlh = req(RA, IPVS_CMD_GET_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, NULL, 0, 0, 0);
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 2);
	bb_svc4(&bb, 0, "10.0.0.1", 80, "wlc", NLVS_SVC_F_HASHED, 0, 0xffffffff);
	assert_int_equal(bb.n, 320);
	nls_t_assert_bytes(cap.d[0], cap.len[0], bb.b, bb.n);

	/* The dump form: the same message flagged MULTI, then DONE, no ACK. */
	nlh = req(RA | NLM_F_DUMP, IPVS_CMD_GET_SERVICE);
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.len[0], 320 + 20);
	bb_svc4(&bb, NLM_F_MULTI, "10.0.0.1", 80, "wlc", NLVS_SVC_F_HASHED, 0, 0xffffffff);
	nls_t_assert_bytes(cap.d[0], 320, bb.b, bb.n);
	assert_int_equal(((struct nlmsghdr *)(cap.d[0] + 320))->nlmsg_type, NLMSG_DONE);
}

static void test_service_errors(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	add_svc("10.0.0.1", 80, "wlc");
	/* Missing nest, missing identity, bad AF. */
	expect_err(req(RA, IPVS_CMD_NEW_SERVICE), 1, -EINVAL);
	nlh = req(RA, IPVS_CMD_DEL_SERVICE);
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, AF_INET);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	mnl_attr_nest_end(nlh, nest);
	expect_err(nlh, 1, -EINVAL);
	nlh = req(RA, IPVS_CMD_GET_SERVICE);
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, 7);
	mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, 1);
	mnl_attr_nest_end(nlh, nest);
	expect_err(nlh, 1, -EAFNOSUPPORT);
	/* A bad attribute inside the nest is -EINVAL, not -ERANGE. */
	nlh = req(RA, IPVS_CMD_GET_SERVICE);
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, AF_INET);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_FWMARK, 1);
	mnl_attr_nest_end(nlh, nest);
	expect_err(nlh, 1, -EINVAL);

	/* A full service needs its attributes, checked before -EEXIST. */
	nlh = req(RA, IPVS_CMD_NEW_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, NULL, 0, 0, 0);
	expect_err(nlh, 1, -EINVAL);
	nlh = req(RA, IPVS_CMD_SET_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.9"), 80, NULL, 0, 0, 0);
	expect_err(nlh, 1, -EINVAL);
	/* Unknown service. */
	nlh = req(RA, IPVS_CMD_SET_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.9"), 80, "rr", 0, 0, 0xffffffff);
	expect_err(nlh, 1, -ESRCH);
	nlh = req(RA, IPVS_CMD_DEL_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.9"), 80, NULL, 0, 0, 0);
	expect_err(nlh, 1, -ESRCH);
	nlh = req(RA, IPVS_CMD_GET_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.9"), 80, NULL, 0, 0, 0);
	expect_err(nlh, 1, -ESRCH);
	/* Unknown scheduler (control API). */
	nlh = req(RA, IPVS_CMD_NEW_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.9"), 80, "nosuch", 0, 0, 0xffffffff);
	expect_err(nlh, 1, -ENOENT);

	/* Edit, then delete. */
	nlh = req(RA, IPVS_CMD_SET_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, "rr", 0, 0, 0xffffffff);
	expect_ack(nlh);
	nlh = req(RA, IPVS_CMD_DEL_SERVICE);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, NULL, 0, 0, 0);
	expect_ack(nlh);
	expect_err(nlh, 1, -ESRCH);
}

static void bb_dest4(struct nls_t_bb *bb, const char *ip, uint16_t port, uint32_t fwd,
		     uint32_t weight, uint8_t tun_type, uint16_t tun_port, uint16_t tun_flags)
{
	unsigned char addr[16] = { 0 };
	uint32_t a = ip4(ip);
	size_t nest;

	memcpy(addr, &a, 4);
	nls_t_bb_hdr(bb, NLS_IPVS_FAMILY_ID, NLM_F_MULTI, NLS_T_SEQ, NLS_T_PID,
		     IPVS_CMD_NEW_DEST, 1);
	nest = nls_t_bb_nest(bb, IPVS_CMD_ATTR_DEST);
	nls_t_bb_attr(bb, IPVS_DEST_ATTR_ADDR, addr, 16);
	nls_t_bb_u16(bb, IPVS_DEST_ATTR_PORT, htons(port));
	nls_t_bb_u32(bb, IPVS_DEST_ATTR_FWD_METHOD, fwd);
	nls_t_bb_u32(bb, IPVS_DEST_ATTR_WEIGHT, weight);
	nls_t_bb_u8(bb, IPVS_DEST_ATTR_TUN_TYPE, tun_type);
	nls_t_bb_u16(bb, IPVS_DEST_ATTR_TUN_PORT, tun_port);
	nls_t_bb_u16(bb, IPVS_DEST_ATTR_TUN_FLAGS, tun_flags);
	nls_t_bb_u32(bb, IPVS_DEST_ATTR_U_THRESH, 0);
	nls_t_bb_u32(bb, IPVS_DEST_ATTR_L_THRESH, 0);
	nls_t_bb_u32(bb, IPVS_DEST_ATTR_ACTIVE_CONNS, 0);
	nls_t_bb_u32(bb, IPVS_DEST_ATTR_INACT_CONNS, 0);
	nls_t_bb_u32(bb, IPVS_DEST_ATTR_PERSIST_CONNS, 0);
	nls_t_bb_u16(bb, IPVS_DEST_ATTR_ADDR_FAMILY, AF_INET);
	bb_stats(bb, IPVS_DEST_ATTR_STATS, 0);
	bb_stats(bb, IPVS_DEST_ATTR_STATS64, 1);
	nls_t_bb_end(bb, nest);
	nls_t_bb_done(bb);
}

/* Appendix A: ipvsadm -a -t 10.0.0.1:80 -r 192.168.1.13 -i --tun-type gue
 * --tun-port 6080 --tun-csum (200 bytes). */
static struct nlmsghdr *new_dest_a(uint8_t cmd)
{
	struct nlmsghdr *nlh = req(RA, cmd);
	struct nlattr *nest;
	unsigned char addr[16] = { 192, 168, 1, 13 };

	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, "", 0, 0, 0xffffffff);
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, AF_INET);
	mnl_attr_put(nlh, IPVS_DEST_ATTR_ADDR, 16, addr);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, htons(80));
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD, NLVS_FWD_TUNNEL);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, 1);
	mnl_attr_put_u8(nlh, IPVS_DEST_ATTR_TUN_TYPE, NLVS_TUN_GUE);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_PORT, htons(6080));
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_FLAGS, 1);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, 0);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, 0);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(nlh->nlmsg_len, 200);
	return nlh;
}

static struct nlmsghdr *get_dest_dump(const char *ip, uint16_t port)
{
	struct nlmsghdr *nlh = req(RA | NLM_F_DUMP, IPVS_CMD_GET_DEST);

	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4(ip), port, "", 0, 0, 0xffffffff);
	return nlh;
}

static void expect_empty_dump(struct nlmsghdr *nlh)
{
	const struct nlmsghdr *m;

	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.len[0], 20);
	m = (const void *)cap.d[0];
	assert_int_equal(m->nlmsg_type, NLMSG_DONE);
	assert_int_equal(m->nlmsg_flags, NLM_F_MULTI);
	assert_int_equal(m->nlmsg_seq, NLS_T_SEQ);
	assert_int_equal(m->nlmsg_pid, NLS_T_PID);
	assert_int_equal(*(const int32_t *)mnl_nlmsg_get_payload(m), 0);
}

static void test_dest(void **state)
{
	struct nls_t_bb bb;
	struct nlmsghdr *nlh;

	/* No service yet: -ESRCH even though the DEST nest is missing. */
	nlh = req(RA, IPVS_CMD_NEW_DEST);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, "", 0, 0, 0xffffffff);
	expect_err(nlh, 1, -ESRCH);
	nlh->nlmsg_len = 20;
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = IPVS_CMD_SET_DEST;
	expect_err(nlh, 1, -EINVAL);
	expect_err(new_dest_a(IPVS_CMD_NEW_DEST), 1, -ESRCH);
	expect_err(new_dest_a(IPVS_CMD_SET_DEST), 1, -ESRCH);
	expect_err(new_dest_a(IPVS_CMD_DEL_DEST), 1, -ESRCH);
	expect_empty_dump(get_dest_dump("10.0.0.1", 80));

	add_svc("10.0.0.1", 80, "wlc");
	/* Service known, DEST missing or incomplete: -EINVAL. */
	nlh = req(RA, IPVS_CMD_NEW_DEST);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, "", 0, 0, 0xffffffff);
	expect_err(nlh, 1, -EINVAL);
	expect_err(new_dest_a(IPVS_CMD_SET_DEST), 1, -ENOENT);
	expect_err(new_dest_a(IPVS_CMD_DEL_DEST), 1, -ENOENT);
	expect_ack(new_dest_a(IPVS_CMD_NEW_DEST));
	expect_err(new_dest_a(IPVS_CMD_NEW_DEST), 1, -EEXIST);

	/* GET_DEST dump: one 356-byte message and DONE in one datagram. */
	nlh = get_dest_dump("10.0.0.1", 80);
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.len[0], 356 + 20);
	bb_dest4(&bb, "192.168.1.13", 80, NLVS_FWD_TUNNEL, 1, NLVS_TUN_GUE, htons(6080), 1);
	assert_int_equal(bb.n, 356);
	nls_t_assert_bytes(cap.d[0], 356, bb.b, bb.n);
	assert_int_equal(((struct nlmsghdr *)(cap.d[0] + 356))->nlmsg_type, NLMSG_DONE);

	/* Edit the weight, with the ipvsadm layout. */
	nlh = req(RA, IPVS_CMD_SET_DEST);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, "", 0, 0, 0xffffffff);
	nls_t_put_dest4(nlh, ip4("192.168.1.13"), 80, NLVS_FWD_DROUTE, 7, 0, 0);
	expect_ack(nlh);
	nls_t_run_msg(&cap, get_dest_dump("10.0.0.1", 80), 1);
	bb_dest4(&bb, "192.168.1.13", 80, NLVS_FWD_DROUTE, 7, 0, 0, 0);
	nls_t_assert_bytes(cap.d[0], 356, bb.b, bb.n);
	/* Weight < 0 and l_thresh > u_thresh: -ERANGE from the control API. */
	nlh = req(RA, IPVS_CMD_SET_DEST);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, "", 0, 0, 0xffffffff);
	nls_t_put_dest4(nlh, ip4("192.168.1.13"), 80, NLVS_FWD_DROUTE, (uint32_t)-1, 0, 0);
	expect_err(nlh, 1, -ERANGE);
	nlh = req(RA, IPVS_CMD_NEW_DEST);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, "", 0, 0, 0xffffffff);
	nls_t_put_dest4(nlh, ip4("192.168.1.14"), 80, NLVS_FWD_DROUTE, 1, 0, 5);
	expect_err(nlh, 1, -ERANGE);

	/* GET_DEST with no, a broken or an unknown service: an empty dump. */
	expect_empty_dump(req(RA | NLM_F_DUMP, IPVS_CMD_GET_DEST));
	expect_empty_dump(get_dest_dump("10.0.0.2", 80));
	nlh = req(RA | NLM_F_DUMP, IPVS_CMD_GET_DEST);
	mnl_attr_put_u16(nlh, IPVS_CMD_ATTR_SERVICE, 1);
	expect_empty_dump(nlh);
	expect_err(get_dest_dump("10.0.0.1", 80), 0, -EPERM);

	expect_ack(new_dest_a(IPVS_CMD_DEL_DEST));
	expect_err(new_dest_a(IPVS_CMD_DEL_DEST), 1, -ENOENT);
	expect_empty_dump(get_dest_dump("10.0.0.1", 80));
}

static void test_dest_af(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	add_svc("10.0.0.1", 80, "wlc");
	/* Dest family 7: -EAFNOSUPPORT; IPv6 dest behind IPv4 VIP without
	 * tunnel: -EINVAL. */
	nlh = req(RA, IPVS_CMD_NEW_DEST);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, "", 0, 0, 0xffffffff);
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, 7);
	mnl_attr_put(nlh, IPVS_DEST_ATTR_ADDR, 16, a6);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, htons(80));
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD, NLVS_FWD_MASQ);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, 1);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, 0);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, 0);
	mnl_attr_nest_end(nlh, nest);
	expect_err(nlh, 1, -EAFNOSUPPORT);
	*(uint16_t *)mnl_attr_get_payload((struct nlattr *)((char *)nest + 4)) = AF_INET6;
	expect_err(nlh, 1, -EINVAL);
}

static void test_dump_200_services(void **state)
{
	struct nlmsghdr *nlh;
	char ip[32];
	size_t i, msgs = 0, dones = 0;

	for (i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "10.1.%zu.%zu", i / 100, i % 100 + 1);
		add_svc(ip, 80, "wlc");
	}
	nlh = req(RA | NLM_F_DUMP, IPVS_CMD_GET_SERVICE);
	nls_t_run_msg(&cap, nlh, 1);
	assert_true(cap.n >= 4);
	for (i = 0; i < cap.n; i++) {
		const struct nlmsghdr *m = (const void *)cap.d[i];
		int rem = cap.len[i];

		assert_true(cap.len[i] <= 16384);
		for (; mnl_nlmsg_ok(m, rem); m = mnl_nlmsg_next(m, &rem)) {
			assert_int_equal(dones, 0);
			assert_int_equal(m->nlmsg_flags, NLM_F_MULTI);
			assert_int_equal(m->nlmsg_seq, NLS_T_SEQ);
			assert_int_equal(m->nlmsg_pid, NLS_T_PID);
			if (m->nlmsg_type == NLMSG_DONE) {
				dones++;
				continue;
			}
			assert_int_equal(m->nlmsg_type, NLS_IPVS_FAMILY_ID);
			assert_int_equal(m->nlmsg_len, 320);
			msgs++;
		}
		assert_int_equal(rem, 0);
		/* DONE only at the very end; never an ACK. */
		assert_int_equal(dones, i == cap.n - 1);
	}
	assert_int_equal(msgs, 200);

	/* FLUSH empties the table: an empty dump is DONE alone. */
	expect_ack(req(RA, IPVS_CMD_FLUSH));
	expect_empty_dump(req(RA | NLM_F_DUMP, IPVS_CMD_GET_SERVICE));
}

static void test_zero(void **state)
{
	struct nlmsghdr *nlh;

	expect_ack(req(RA, IPVS_CMD_ZERO));
	add_svc("10.0.0.1", 80, "wlc");
	nlh = req(RA, IPVS_CMD_ZERO);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.1"), 80, "", 0, 0, 0xffffffff);
	expect_ack(nlh);
	nlh = req(RA, IPVS_CMD_ZERO);
	nls_t_put_svc4(nlh, IPPROTO_TCP, ip4("10.0.0.3"), 80, "", 0, 0, 0xffffffff);
	expect_err(nlh, 1, -ESRCH);
	nlh = req(RA, IPVS_CMD_ZERO);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE));
	expect_err(nlh, 1, -EINVAL);
}

static struct nlmsghdr *new_daemon(const char *ifn, uint32_t group)
{
	struct nlmsghdr *nlh = req(RA, IPVS_CMD_NEW_DAEMON);
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DAEMON);

	mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_STATE, NLVS_DAEMON_MASTER);
	mnl_attr_put_strz(nlh, IPVS_DAEMON_ATTR_MCAST_IFN, ifn);
	mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_SYNC_ID, 5);
	mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_SYNC_MAXLEN, 1400);
	mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_MCAST_PORT, 9000);
	mnl_attr_put_u8(nlh, IPVS_DAEMON_ATTR_MCAST_TTL, 2);
	mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_MCAST_GROUP, group);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void test_daemon(void **state)
{
	struct nls_t_bb bb;
	struct nlmsghdr *nlh;
	size_t nest;

	expect_empty_dump(req(RA | NLM_F_DUMP, IPVS_CMD_GET_DAEMON));
	expect_err(req(RA, IPVS_CMD_NEW_DAEMON), 1, -EINVAL);
	expect_err(new_daemon("lo", ip4("10.1.1.1")), 1, -EINVAL);
	expect_err(new_daemon("nosuchif0", ip4("239.1.1.1")), 1, -ENODEV);
	expect_ack(new_daemon("lo", ip4("239.1.1.1")));
	expect_err(new_daemon("lo", ip4("239.1.1.1")), 1, -EEXIST);

	nls_t_run_msg(&cap, req(RA | NLM_F_DUMP, IPVS_CMD_GET_DAEMON), 1);
	assert_int_equal(cap.n, 1);
	nls_t_bb_hdr(&bb, NLS_IPVS_FAMILY_ID, NLM_F_MULTI, NLS_T_SEQ, NLS_T_PID,
		     IPVS_CMD_NEW_DAEMON, 1);
	nest = nls_t_bb_nest(&bb, IPVS_CMD_ATTR_DAEMON);
	nls_t_bb_u32(&bb, IPVS_DAEMON_ATTR_STATE, 1);
	nls_t_bb_str(&bb, IPVS_DAEMON_ATTR_MCAST_IFN, "lo");
	nls_t_bb_u32(&bb, IPVS_DAEMON_ATTR_SYNC_ID, 5);
	nls_t_bb_u16(&bb, IPVS_DAEMON_ATTR_SYNC_MAXLEN, 1400);
	nls_t_bb_u16(&bb, IPVS_DAEMON_ATTR_MCAST_PORT, 9000);
	nls_t_bb_u8(&bb, IPVS_DAEMON_ATTR_MCAST_TTL, 2);
	nls_t_bb_u32(&bb, IPVS_DAEMON_ATTR_MCAST_GROUP, ip4("239.1.1.1"));
	nls_t_bb_end(&bb, nest);
	nls_t_bb_done(&bb);
	assert_int_equal(cap.len[0], bb.n + 20);
	nls_t_assert_bytes(cap.d[0], bb.n, bb.b, bb.n);

	nls_t_run(&cap, del_daemon_k, sizeof(del_daemon_k), 1);
	assert_int_equal(cap.n, 1);
	nls_t_assert_ack(&cap, 0, (const void *)del_daemon_k);
	nls_t_run(&cap, del_daemon_k, sizeof(del_daemon_k), 1);
	nls_t_assert_error(&cap, (const void *)del_daemon_k, -ESRCH);
	nlh = req(RA, IPVS_CMD_DEL_DAEMON);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DAEMON));
	expect_err(nlh, 1, -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions_and_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_appendix_a, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_wlc_320, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dest_af, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_200_services, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
