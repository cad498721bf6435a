// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlserver framing and nlctrl against ipvs-genl.md sections 1-4: the
 * captured GETFAMILY request of 2.1, the 388-byte family reply and its
 * separate ACK, error echoes, the genl core checks in kernel order, several
 * messages per datagram and malformed input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>

#include "nls_server.h"
#include "ctl/nlvs_ctl.h"
#include "test_nls_util.h"

/* ipvs-genl.md 2.1, with seq 0x5f5e1001 and pid 0x00401234. */
static const unsigned char getfamily_ipvs[32] = {
	0x20, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00, 0x01, 0x10, 0x5e, 0x5f,
	0x34, 0x12, 0x40, 0x00, 0x03, 0x01, 0x00, 0x00, 0x09, 0x00, 0x02, 0x00,
	0x49, 0x50, 0x56, 0x53, 0x00, 0x00, 0x00, 0x00,
};

static const struct { uint32_t cmd, flags; } ipvs_ops[16] = {
	{ 1, 0x0b }, { 2, 0x0b }, { 3, 0x0b }, { 4, 0x0f }, { 5, 0x0b }, { 6, 0x0b },
	{ 7, 0x0b }, { 8, 0x05 }, { 9, 0x0b }, { 10, 0x0b }, { 11, 0x05 }, { 12, 0x0b },
	{ 13, 0x0b }, { 15, 0x0b }, { 16, 0x0b }, { 17, 0x0b },
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

static void expect_ipvs_family(struct nls_t_bb *bb, uint16_t flags, uint32_t seq, uint32_t pid)
{
	size_t ops, op;
	int i;

	nls_t_bb_hdr(bb, GENL_ID_CTRL, flags, seq, pid, CTRL_CMD_NEWFAMILY, 2);
	nls_t_bb_str(bb, CTRL_ATTR_FAMILY_NAME, "IPVS");
	nls_t_bb_u16(bb, CTRL_ATTR_FAMILY_ID, NLS_IPVS_FAMILY_ID);
	nls_t_bb_u32(bb, CTRL_ATTR_VERSION, 1);
	nls_t_bb_u32(bb, CTRL_ATTR_HDRSIZE, 0);
	nls_t_bb_u32(bb, CTRL_ATTR_MAXATTR, 6);
	ops = nls_t_bb_nest(bb, CTRL_ATTR_OPS);
	for (i = 0; i < 16; i++) {
		op = nls_t_bb_nest(bb, i + 1);
		nls_t_bb_u32(bb, CTRL_ATTR_OP_ID, ipvs_ops[i].cmd);
		nls_t_bb_u32(bb, CTRL_ATTR_OP_FLAGS, ipvs_ops[i].flags);
		nls_t_bb_end(bb, op);
	}
	nls_t_bb_end(bb, ops);
	nls_t_bb_done(bb);
}

static void test_getfamily_ipvs(void **state)
{
	struct nls_t_bb bb;

	nls_t_run(&cap, getfamily_ipvs, sizeof(getfamily_ipvs), 1);
	assert_int_equal(cap.n, 2);
	expect_ipvs_family(&bb, 0, NLS_T_SEQ, NLS_T_PID);
	assert_int_equal(bb.n, 388);
	nls_t_assert_bytes(cap.d[0], cap.len[0], bb.b, bb.n);
	nls_t_assert_ack(&cap, 1, (const void *)getfamily_ipvs);
}

static void test_getfamily_unprivileged(void **state)
{
	nls_t_run(&cap, getfamily_ipvs, sizeof(getfamily_ipvs), 0);
	assert_int_equal(cap.n, 2);
	assert_int_equal(cap.len[0], 388);
	nls_t_assert_ack(&cap, 1, (const void *)getfamily_ipvs);
}

static void test_getfamily_by_id(void **state)
{
	struct nlmsghdr *nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
					 CTRL_CMD_GETFAMILY, 1);
	struct nls_t_bb bb;

	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, NLS_IPVS_FAMILY_ID);
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 2);
	expect_ipvs_family(&bb, 0, NLS_T_SEQ, NLS_T_PID);
	nls_t_assert_bytes(cap.d[0], cap.len[0], bb.b, bb.n);
	nls_t_assert_ack(&cap, 1, nlh);
}

static void test_getfamily_nlvs(void **state)
{
	struct nlmsghdr *nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
					 CTRL_CMD_GETFAMILY, 1);
	struct nls_t_bb bb;
	size_t ops, op;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NLS_NLVS_FAMILY_NAME);
	nls_t_run_msg(&cap, nlh, 0);
	assert_int_equal(cap.n, 2);
	nls_t_bb_hdr(&bb, GENL_ID_CTRL, 0, NLS_T_SEQ, NLS_T_PID, CTRL_CMD_NEWFAMILY, 2);
	nls_t_bb_str(&bb, CTRL_ATTR_FAMILY_NAME, "NLVS");
	nls_t_bb_u16(&bb, CTRL_ATTR_FAMILY_ID, NLS_NLVS_FAMILY_ID);
	nls_t_bb_u32(&bb, CTRL_ATTR_VERSION, 1);
	nls_t_bb_u32(&bb, CTRL_ATTR_HDRSIZE, 0);
	nls_t_bb_u32(&bb, CTRL_ATTR_MAXATTR, NLS_NLVS_ATTR_TEXT);
	ops = nls_t_bb_nest(&bb, CTRL_ATTR_OPS);
	op = nls_t_bb_nest(&bb, 1);
	nls_t_bb_u32(&bb, CTRL_ATTR_OP_ID, NLS_NLVS_CMD_GET_PROC);
	nls_t_bb_u32(&bb, CTRL_ATTR_OP_FLAGS, GENL_CMD_CAP_DUMP);
	nls_t_bb_end(&bb, op);
	nls_t_bb_end(&bb, ops);
	nls_t_bb_done(&bb);
	nls_t_assert_bytes(cap.d[0], cap.len[0], bb.b, bb.n);
	nls_t_assert_ack(&cap, 1, nlh);
}

static void test_getfamily_errors(void **state)
{
	struct nlmsghdr *nlh;

	/* Unknown name, unknown id: one NLMSG_ERROR -ENOENT, nothing else. */
	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "IPVSX");
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -ENOENT);

	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x123);
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -ENOENT);

	/* Neither attribute. */
	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -EINVAL);

	/* The name wins over an unknown id. */
	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x123);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "IPVS");
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 2);
	assert_int_equal(cap.len[0], 388);

	/* A one-byte FAMILY_ID fails top-level validation with -ERANGE. */
	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_u8(nlh, CTRL_ATTR_FAMILY_ID, 1);
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -ERANGE);

	/*
	 * No NUL in the first 16 bytes is -EINVAL; a NUL early but more than 15
	 * bytes before the end (no trailing NUL) is -ERANGE.
	 */
	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put(nlh, CTRL_ATTR_FAMILY_NAME, 4, "IPVS");
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -EINVAL);
	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "ABCDEFGHIJKLMNOP");
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -EINVAL);
	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put(nlh, CTRL_ATTR_FAMILY_NAME, 20, "IPVS\0xxxxxxxxxxxxxxx");
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -ERANGE);

	/* Other nlctrl commands. */
	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETPOLICY, 1);
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -EOPNOTSUPP);
	nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_UNSPEC, 1);
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -EOPNOTSUPP);
}

static void test_getfamily_dump(void **state)
{
	static const char *const names[] = { "nlctrl", "IPVS", "NLVS" };
	struct nlmsghdr *nlh = nls_t_req(reqbuf, GENL_ID_CTRL,
					 NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
					 CTRL_CMD_GETFAMILY, 1);
	const struct nlmsghdr *m;
	struct nls_t_bb bb;
	int i = 0, done = 0, len;

	nls_t_run_msg(&cap, nlh, 0);
	assert_int_equal(cap.n, 1);	/* everything fits; no ACK after DONE */
	len = cap.len[0];
	for (m = (const void *)cap.d[0]; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
		const struct nlattr *a = mnl_nlmsg_get_payload_offset(m, 4);

		assert_int_equal(m->nlmsg_seq, NLS_T_SEQ);
		assert_int_equal(m->nlmsg_pid, NLS_T_PID);
		assert_int_equal(m->nlmsg_flags, NLM_F_MULTI);
		if (m->nlmsg_type == NLMSG_DONE) {
			assert_int_equal(m->nlmsg_len, 20);
			done++;
			continue;
		}
		assert_false(done);
		assert_int_equal(m->nlmsg_type, GENL_ID_CTRL);
		assert_true(i < 3);
		assert_string_equal(mnl_attr_get_str(a), names[i]);
		if (i == 1) {
			/* The IPVS entry is the doit reply, flagged MULTI. */
			expect_ipvs_family(&bb, NLM_F_MULTI, NLS_T_SEQ, NLS_T_PID);
			nls_t_assert_bytes(m, m->nlmsg_len, bb.b, bb.n);
		}
		i++;
	}
	assert_int_equal(len, 0);
	assert_int_equal(i, 3);
	assert_int_equal(done, 1);
}

static void test_core_checks(void **state)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	/* Unknown family id. */
	nlh = nls_t_req(reqbuf, 0x200, NLM_F_REQUEST | NLM_F_ACK, 1, 1);
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -ENOENT);

	/* Shorter than nlmsghdr + genlmsghdr. */
	nlh = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK, 15, 1);
	nlh->nlmsg_len = 16;
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -EINVAL);
	assert_int_equal(cap.len[0], 36);

	/* Reserved bits only matter from resv_start_op (IPVS_CMD_FLUSH + 1) on. */
	nlh = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK, 18, 1);
	g = mnl_nlmsg_get_payload(nlh);
	g->reserved = 1;
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -EINVAL);
	g->reserved = 0;
	nls_t_run_msg(&cap, nlh, 1);
	nls_t_assert_error(&cap, nlh, -EOPNOTSUPP);
	nlh = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK,
			IPVS_CMD_GET_INFO, 1);
	g = mnl_nlmsg_get_payload(nlh);
	g->reserved = 7;
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 2);
	assert_int_equal(cap.len[0], 36);
	nls_t_assert_ack(&cap, 1, nlh);
}

static void test_not_request(void **state)
{
	struct nlmsghdr *nlh;

	/* netlink_rcv_skb() hands only requests to genl; others are just acked. */
	nlh = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, 0, IPVS_CMD_GET_INFO, 1);
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 0);
	nlh->nlmsg_flags = NLM_F_ACK;
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 1);
	nls_t_assert_ack(&cap, 0, nlh);

	/* Control message types below NLMSG_MIN_TYPE likewise. */
	nlh = nls_t_req(reqbuf, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 0, 0);
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 1);
	nls_t_assert_ack(&cap, 0, nlh);
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 0);
}

static void test_truncated(void **state)
{
	unsigned char buf[64];
	struct nlmsghdr *nlh = (void *)buf;

	memcpy(buf, getfamily_ipvs, sizeof(getfamily_ipvs));
	/* First header truncated: silently dropped. */
	nls_t_run(&cap, buf, 10, 1);
	assert_int_equal(cap.n, 0);
	nls_t_run(&cap, buf, 0, 1);
	assert_int_equal(cap.n, 0);
	/* nlmsg_len beyond the datagram, or below a header: dropped. */
	nlh->nlmsg_len = 40;
	nls_t_run(&cap, buf, 32, 1);
	assert_int_equal(cap.n, 0);
	nlh->nlmsg_len = 8;
	nls_t_run(&cap, buf, 32, 1);
	assert_int_equal(cap.n, 0);
	/* Trailing bytes after a good message are ignored. */
	nlh->nlmsg_len = 32;
	memset(buf + 32, 0xab, 12);
	nls_t_run(&cap, buf, 44, 1);
	assert_int_equal(cap.n, 2);
	assert_int_equal(cap.len[0], 388);
}

static void test_several_messages(void **state)
{
	unsigned char buf[256];
	struct nlmsghdr *a, *b, *c;
	size_t off;

	/* GET_INFO, unknown family, GET_CONFIG, then a truncated message. */
	memset(buf, 0, sizeof(buf));
	a = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK,
		      IPVS_CMD_GET_INFO, 1);
	a->nlmsg_seq = 1;
	memcpy(buf, a, a->nlmsg_len);
	off = a->nlmsg_len;
	b = (void *)(buf + off);
	memcpy(b, buf, 20);
	b->nlmsg_type = 0x3ff;
	b->nlmsg_seq = 2;
	off += 20;
	c = (void *)(buf + off);
	memcpy(c, buf, 20);
	c->nlmsg_seq = 3;
	((struct genlmsghdr *)mnl_nlmsg_get_payload(c))->cmd = IPVS_CMD_GET_CONFIG;
	off += 20;
	memcpy(buf + off, buf, 20);
	((struct nlmsghdr *)(buf + off))->nlmsg_len = 200;
	off += 20;

	nls_t_run(&cap, buf, off, 1);
	assert_int_equal(cap.n, 5);
	assert_int_equal(cap.len[0], 36);
	assert_int_equal(((struct nlmsghdr *)cap.d[0])->nlmsg_seq, 1);
	nls_t_assert_ack(&cap, 1, (struct nlmsghdr *)buf);
	assert_int_equal(nls_t_error(&cap, 2), -ENOENT);
	assert_int_equal(((struct nlmsghdr *)cap.d[2])->nlmsg_seq, 2);
	assert_int_equal(cap.len[3], 44);
	assert_int_equal(((struct nlmsghdr *)cap.d[3])->nlmsg_seq, 3);
	nls_t_assert_ack(&cap, 4, c);
}

static void test_error_unaligned(void **state)
{
	unsigned char buf[32] = { 0 };
	struct nlmsghdr *nlh = (void *)buf;
	const struct nlmsghdr *r;

	nlh->nlmsg_len = 21;
	nlh->nlmsg_type = 0x300;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 9;
	buf[20] = 0x5a;
	nls_t_run(&cap, buf, 24, 1);
	assert_int_equal(cap.n, 1);
	r = (const void *)cap.d[0];
	assert_int_equal(r->nlmsg_len, 41);
	assert_int_equal(cap.len[0], 44);
	assert_int_equal(nls_t_error(&cap, 0), -ENOENT);
	assert_memory_equal(cap.d[0] + 20, buf, 21);
	assert_int_equal(cap.d[0][41] | cap.d[0][42] | cap.d[0][43], 0);
}

static void test_nested_flags_masked(void **state)
{
	struct nlmsghdr *nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
					 CTRL_CMD_GETFAMILY, 1);

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME | NLA_F_NET_BYTEORDER, "IPVS");
	nls_t_run_msg(&cap, nlh, 1);
	assert_int_equal(cap.n, 2);
	assert_int_equal(cap.len[0], 388);
}

/* Random and bit-flipped requests: no crash, every reply well formed. */
static void test_garbage(void **state)
{
	unsigned char buf[512];
	unsigned int seed = 12345;
	size_t i, j, len, k;

	for (i = 0; i < 3000; i++) {
		len = rand_r(&seed) % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = rand_r(&seed);
		if (i % 2 && len >= 20) {
			/* A plausible header so the handlers are reached. */
			uint32_t l = len;
			uint16_t types[] = { GENL_ID_CTRL, NLS_IPVS_FAMILY_ID, NLS_NLVS_FAMILY_ID };

			memcpy(buf, &l, 4);
			memcpy(buf + 4, &types[i % 3], 2);
			buf[6] |= NLM_F_REQUEST;
			buf[16] %= 20;
		}
		nls_t_run(&cap, buf, len, i % 4 != 1);
		for (k = 0; k < cap.n; k++) {
			int rem = cap.len[k];
			const struct nlmsghdr *m = (const void *)cap.d[k];

			assert_true(rem <= 16384);
			while (mnl_nlmsg_ok(m, rem))
				m = mnl_nlmsg_next(m, &rem);
			assert_int_equal(rem, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_getfamily_ipvs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getfamily_unprivileged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getfamily_by_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getfamily_nlvs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getfamily_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getfamily_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_core_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_unaligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_flags_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
