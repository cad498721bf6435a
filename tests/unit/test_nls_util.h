/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the nlserver unit tests: capture of emitted datagrams,
 * request builders laid out like libnl's (nests flagged NLA_F_NESTED), and an
 * independent little byte builder for the expected kernel-form replies.
 */
#ifndef TEST_NLS_UTIL_H
#define TEST_NLS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#define NLS_T_SEQ	0x5f5e1001u
#define NLS_T_PID	0x00401234u

struct nls_t_cap {
	size_t n, max;
	unsigned char **d;
	size_t *len;
};

void nls_t_emit(void *arg, const void *dgram, size_t len);
void nls_t_cap_free(struct nls_t_cap *c);
/* Free what was captured, then hand @req to nls_handle_datagram(). */
void nls_t_run(struct nls_t_cap *c, const void *req, size_t len, int admin);
/* Same, for a built request message. */
void nls_t_run_msg(struct nls_t_cap *c, const struct nlmsghdr *nlh, int admin);

/* The error code of captured datagram @i if it is a lone NLMSG_ERROR, else 1. */
int nls_t_error(const struct nls_t_cap *c, size_t i);
/* Assert that datagram @i is the kernel's 36-byte ACK of @req. */
void nls_t_assert_ack(const struct nls_t_cap *c, size_t i, const struct nlmsghdr *req);
/* Assert exactly one datagram: the full-echo error @err for @req. */
void nls_t_assert_error(const struct nls_t_cap *c, const struct nlmsghdr *req, int err);

/* Request builders. */
struct nlmsghdr *nls_t_req(void *buf, uint16_t type, uint16_t flags, uint8_t cmd,
			   uint8_t version);
/* ipvsadm's SERVICE nest for an IPv4 service (@full adds sched/flags/...). */
void nls_t_put_svc4(struct nlmsghdr *nlh, uint16_t proto, uint32_t ip_be, uint16_t port,
		    const char *sched, uint32_t flags, uint32_t timeout, uint32_t mask_be);
/* ipvsadm's DEST nest for an IPv4 real server. */
void nls_t_put_dest4(struct nlmsghdr *nlh, uint32_t ip_be, uint16_t port, uint32_t fwd,
		     uint32_t weight, uint32_t u_thresh, uint32_t l_thresh);

/* Expected bytes, built without libmnl. */
struct nls_t_bb {
	unsigned char b[4096];
	size_t n;
};
void nls_t_bb_hdr(struct nls_t_bb *bb, uint16_t type, uint16_t flags, uint32_t seq,
		  uint32_t pid, uint8_t cmd, uint8_t version);
void nls_t_bb_attr(struct nls_t_bb *bb, uint16_t type, const void *data, size_t len);
void nls_t_bb_u8(struct nls_t_bb *bb, uint16_t type, uint8_t v);
void nls_t_bb_u16(struct nls_t_bb *bb, uint16_t type, uint16_t v);
void nls_t_bb_u32(struct nls_t_bb *bb, uint16_t type, uint32_t v);
void nls_t_bb_u64(struct nls_t_bb *bb, uint16_t type, uint64_t v);
void nls_t_bb_str(struct nls_t_bb *bb, uint16_t type, const char *s);
size_t nls_t_bb_nest(struct nls_t_bb *bb, uint16_t type);
void nls_t_bb_end(struct nls_t_bb *bb, size_t nest);
/* Fix nlmsg_len once the message is complete. */
void nls_t_bb_done(struct nls_t_bb *bb);

/* Assert that two byte ranges are equal, printing the first difference. */
void nls_t_assert_bytes(const void *got, size_t got_len, const void *want, size_t want_len);

#endif /* TEST_NLS_UTIL_H */
