// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers of the nlserver unit tests (see test_nls_util.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>

#include "nls_server.h"
#include "test_nls_util.h"

void nls_t_emit(void *arg, const void *dgram, size_t len)
{
	struct nls_t_cap *c = arg;

	if (c->n == c->max) {
		c->max = c->max ? c->max * 2 : 16;
		c->d = realloc(c->d, c->max * sizeof(*c->d));
		c->len = realloc(c->len, c->max * sizeof(*c->len));
		assert_non_null(c->d);
		assert_non_null(c->len);
	}
	c->d[c->n] = malloc(len ? len : 1);
	assert_non_null(c->d[c->n]);
	memcpy(c->d[c->n], dgram, len);
	c->len[c->n++] = len;
}

void nls_t_cap_free(struct nls_t_cap *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->d[i]);
	free(c->d);
	free(c->len);
	memset(c, 0, sizeof(*c));
}

void nls_t_run(struct nls_t_cap *c, const void *req, size_t len, int admin)
{
	nls_t_cap_free(c);
	nls_handle_datagram(req, len, admin, nls_t_emit, c);
}

void nls_t_run_msg(struct nls_t_cap *c, const struct nlmsghdr *nlh, int admin)
{
	nls_t_run(c, nlh, nlh->nlmsg_len, admin);
}

int nls_t_error(const struct nls_t_cap *c, size_t i)
{
	const struct nlmsghdr *nlh;
	const struct nlmsgerr *e;

	if (i >= c->n || c->len[i] < NLMSG_HDRLEN + sizeof(*e))
		return 1;
	nlh = (const void *)c->d[i];
	if (nlh->nlmsg_type != NLMSG_ERROR || NLMSG_ALIGN(nlh->nlmsg_len) != c->len[i])
		return 1;
	e = mnl_nlmsg_get_payload(nlh);
	return e->error;
}

void nls_t_assert_ack(const struct nls_t_cap *c, size_t i, const struct nlmsghdr *req)
{
	unsigned char want[36];
	uint32_t v;

	assert_true(i < c->n);
	v = 36;
	memcpy(want, &v, 4);
	want[4] = NLMSG_ERROR;
	want[5] = 0;
	want[6] = 0;
	want[7] = 1;	/* NLM_F_CAPPED */
	memcpy(want + 8, &req->nlmsg_seq, 4);
	memcpy(want + 12, &req->nlmsg_pid, 4);
	memset(want + 16, 0, 4);
	memcpy(want + 20, req, 16);
	nls_t_assert_bytes(c->d[i], c->len[i], want, sizeof(want));
}

void nls_t_assert_error(const struct nls_t_cap *c, const struct nlmsghdr *req, int err)
{
	const struct nlmsghdr *nlh;

	assert_int_equal(c->n, 1);
	assert_int_equal(nls_t_error(c, 0), err);
	nlh = (const void *)c->d[0];
	assert_int_equal(nlh->nlmsg_len, 20 + req->nlmsg_len);
	assert_int_equal(nlh->nlmsg_flags, 0);
	assert_int_equal(nlh->nlmsg_seq, req->nlmsg_seq);
	assert_int_equal(nlh->nlmsg_pid, req->nlmsg_pid);
	assert_memory_equal(c->d[0] + 20, req, req->nlmsg_len);
}

struct nlmsghdr *nls_t_req(void *buf, uint16_t type, uint16_t flags, uint8_t cmd,
			   uint8_t version)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(buf, 0, 4096);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = NLS_T_SEQ;
	nlh->nlmsg_pid = NLS_T_PID;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

void nls_t_put_svc4(struct nlmsghdr *nlh, uint16_t proto, uint32_t ip_be, uint16_t port,
		    const char *sched, uint32_t flags, uint32_t timeout, uint32_t mask_be)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	unsigned char addr[16] = { 0 };
	struct ip_vs_flags fl = { flags, 0xffffffff };

	memcpy(addr, &ip_be, 4);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, 2);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, proto);
	mnl_attr_put(nlh, IPVS_SVC_ATTR_ADDR, 16, addr);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, htons(port));
	if (sched) {
		mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME, sched);
		mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof(fl), &fl);
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT, timeout);
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK, mask_be);
	}
	mnl_attr_nest_end(nlh, nest);
}

void nls_t_put_dest4(struct nlmsghdr *nlh, uint32_t ip_be, uint16_t port, uint32_t fwd,
		     uint32_t weight, uint32_t u_thresh, uint32_t l_thresh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);
	unsigned char addr[16] = { 0 };

	memcpy(addr, &ip_be, 4);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, 2);
	mnl_attr_put(nlh, IPVS_DEST_ATTR_ADDR, 16, addr);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, htons(port));
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD, fwd);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, weight);
	mnl_attr_put_u8(nlh, IPVS_DEST_ATTR_TUN_TYPE, 0);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_PORT, 0);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_FLAGS, 0);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, u_thresh);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, l_thresh);
	mnl_attr_nest_end(nlh, nest);
}

static void bb_raw(struct nls_t_bb *bb, const void *p, size_t len)
{
	assert_true(bb->n + len <= sizeof(bb->b));
	memcpy(bb->b + bb->n, p, len);
	bb->n += len;
}

void nls_t_bb_hdr(struct nls_t_bb *bb, uint16_t type, uint16_t flags, uint32_t seq,
		  uint32_t pid, uint8_t cmd, uint8_t version)
{
	uint32_t len = 0;
	uint8_t genl[4] = { cmd, version, 0, 0 };

	bb->n = 0;
	memset(bb->b, 0, sizeof(bb->b));
	bb_raw(bb, &len, 4);
	bb_raw(bb, &type, 2);
	bb_raw(bb, &flags, 2);
	bb_raw(bb, &seq, 4);
	bb_raw(bb, &pid, 4);
	bb_raw(bb, genl, 4);
}

void nls_t_bb_attr(struct nls_t_bb *bb, uint16_t type, const void *data, size_t len)
{
	uint16_t alen = 4 + len;
	static const unsigned char zero[4];

	bb_raw(bb, &alen, 2);
	bb_raw(bb, &type, 2);
	bb_raw(bb, data, len);
	bb_raw(bb, zero, (4 - len % 4) % 4);
}

void nls_t_bb_u8(struct nls_t_bb *bb, uint16_t type, uint8_t v)
{
	nls_t_bb_attr(bb, type, &v, 1);
}

void nls_t_bb_u16(struct nls_t_bb *bb, uint16_t type, uint16_t v)
{
	nls_t_bb_attr(bb, type, &v, 2);
}

void nls_t_bb_u32(struct nls_t_bb *bb, uint16_t type, uint32_t v)
{
	nls_t_bb_attr(bb, type, &v, 4);
}

void nls_t_bb_u64(struct nls_t_bb *bb, uint16_t type, uint64_t v)
{
	nls_t_bb_attr(bb, type, &v, 8);
}

void nls_t_bb_str(struct nls_t_bb *bb, uint16_t type, const char *s)
{
	nls_t_bb_attr(bb, type, s, strlen(s) + 1);
}

size_t nls_t_bb_nest(struct nls_t_bb *bb, uint16_t type)
{
	size_t at = bb->n;
	uint16_t zero = 0;

	bb_raw(bb, &zero, 2);
	bb_raw(bb, &type, 2);
	return at;
}

void nls_t_bb_end(struct nls_t_bb *bb, size_t nest)
{
	uint16_t len = bb->n - nest;

	memcpy(bb->b + nest, &len, 2);
}

void nls_t_bb_done(struct nls_t_bb *bb)
{
	uint32_t len = bb->n;

	memcpy(bb->b, &len, 4);
}

void nls_t_assert_bytes(const void *got, size_t got_len, const void *want, size_t want_len)
{
	const unsigned char *g = got, *w = want;
	size_t i;

	for (i = 0; i < got_len && i < want_len; i++) {
		if (g[i] != w[i]) {
			print_error("first difference at byte %zu: got %02x want %02x\n",
				    i, g[i], w[i]);
			break;
		}
	}
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
}
