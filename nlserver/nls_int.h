/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nlserver internals shared by the framing core (genl.c), the attribute
 * parser (ipvs_parse.c), the IPVS commands (ipvs_cmd.c), the NLVS family
 * (nlvs_proc.c) and the socket server (server.c).
 */
#ifndef NLS_INT_H
#define NLS_INT_H

#include <stdint.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "nls_server.h"
#include "ctl/nlvs_ctl.h"

/* Dump datagrams stay within the first receive buffer of libnl clients. */
#define NLS_DGRAM_MAX		16384
/* Room for the largest object message of a dump (a dest is 356 bytes). */
#define NLS_OBJ_MAX		512
/* Room for any doit reply (the nlctrl family reply is 388 bytes). */
#define NLS_REPLY_MAX		1024

#define NLS_GENL_HDRLEN		(NLMSG_HDRLEN + GENL_HDRLEN)

/* Attribute policy, kernel lib/nlattr.c semantics under liberal validation. */
enum nls_attr_kind {
	NLS_A_UNSPEC,		/* only a minimum length when len != 0 */
	NLS_A_U8,
	NLS_A_U16,
	NLS_A_U32,
	NLS_A_U64,
	NLS_A_NUL_STRING,	/* NUL within len + 1 bytes, at most len chars */
	NLS_A_BINARY,		/* at most len bytes */
	NLS_A_NESTED,		/* empty, or at least one attribute header */
};

struct nls_policy {
	uint8_t kind;
	uint16_t len;
};

/* Parse @len bytes of attributes at @data into @tb[0..maxtype] (last one of
 * a type wins, unknown types and trailing garbage ignored).  0, -EINVAL or
 * -ERANGE like the kernel's validate_nla(). */
int nls_attr_parse(const void *data, size_t len, const struct nls_policy *pol,
		   unsigned int maxtype, const struct nlattr **tb);
int nls_attr_parse_nested(const struct nlattr *nest, const struct nls_policy *pol,
			  unsigned int maxtype, const struct nlattr **tb);

/* Where the datagrams of one request go. */
struct nls_out {
	nls_emit_fn emit;
	void *arg;
};

/* The request a handler works on. */
struct nls_req {
	const struct nls_family *fam;
	const struct nlmsghdr *nlh;
	const struct genlmsghdr *genl;
	int admin;
	struct nls_out *out;
};

/*
 * A dump in progress.  @next writes one message of at most @room bytes at
 * @buf and returns its length, 0 when the dump has no more objects, or -1
 * when @room is too small (nothing consumed; it goes in the next datagram).
 */
struct nls_dump;
typedef int (*nls_dump_next_fn)(struct nls_dump *d, void *buf, size_t room);

struct nls_proc_gen {
	int file;			/* NLS_PROC_* */
	nlvs_ctl_text_fn text;		/* NLS_PROC_TEXT: a registered source */
	int stage;			/* file-specific progress */
	size_t svc_cursor, dest_cursor;
	struct nlvs_svc_key svc;
	struct nlvs_stats tot;		/* ip_vs_stats: sums over services */
	char line[256];
	size_t line_len, line_off;
};

struct nls_dump {
	nls_dump_next_fn next;		/* NULL: no dump running */
	uint16_t type;			/* nlmsg_type of the replies */
	uint8_t version;		/* genl version of the replies */
	uint32_t seq, pid;
	int finished;			/* all objects sent, DONE pending */
	size_t cursor;
	struct nlvs_svc_key svc;
	struct nls_proc_gen proc;
};

/* One generic-netlink family: a table of {cmd, doit, dumpit, flags}. */
struct nls_op {
	uint8_t cmd;
	uint8_t flags;			/* GENL_ADMIN_PERM, GENL_CMD_CAP_HASPOL */
	int (*doit)(struct nls_req *req, const struct nlattr **tb);
	/* Set @d up (errors before the dump starts are returned as is). */
	int (*dumpit)(struct nls_req *req, struct nls_dump *d);
};

struct nls_family {
	const char *name;
	uint16_t id;
	uint8_t version;
	uint8_t resv_start_op;
	unsigned int maxattr;
	const struct nls_policy *policy;	/* top level, doit only */
	const struct nls_op *ops;
	size_t n_ops;
};

extern const struct nls_family nls_ctrl_family;
extern const struct nls_family nls_ipvs_family;
extern const struct nls_family nls_nlvs_family;

/* The families in id order (nlctrl first); NULL past the end. */
const struct nls_family *nls_family_at(size_t i);
const struct nls_family *nls_family_by_id(uint16_t id);

/* Start a message at @buf (zeroed up to @room bytes is the caller's job). */
struct nlmsghdr *nls_msg_start(void *buf, uint16_t type, uint16_t flags, uint32_t seq,
			       uint32_t pid, uint8_t cmd, uint8_t version);
/* A nest without NLA_F_NESTED, as the kernel sends them. */
struct nlattr *nls_nest_start(struct nlmsghdr *nlh, uint16_t type);
/* Send one reply message of a doit as its own datagram. */
void nls_reply_send(struct nls_req *req, const struct nlmsghdr *nlh);
/* Start a doit reply in @buf (NLS_REPLY_MAX bytes) for @req. */
struct nlmsghdr *nls_reply_start(struct nls_req *req, void *buf, uint8_t cmd);
/* Start a dump message in @buf. */
struct nlmsghdr *nls_dump_msg_start(const struct nls_dump *d, void *buf, uint8_t cmd);

/* peer.c: 1 if the peer of the accepted @fd may change the table, from the
 * credentials fixed when it connected. */
int nls_peer_admin(int fd);

/* Handle the messages of datagram @buf/@len from *@off on until it ends or a
 * dump starts (@d->next set); *@off is advanced past what was handled. */
void nls_dgram_run(const void *buf, size_t len, size_t *off, int admin,
		   struct nls_out *out, struct nls_dump *d);
/* Produce the next datagram of dump @d into @buf (NLS_DGRAM_MAX bytes);
 * returns its length.  @d->next becomes NULL once DONE is in. */
size_t nls_dump_dgram(struct nls_dump *d, void *buf);
/* Forget a dump (client gone). */
void nls_dump_abort(struct nls_dump *d);
/* Make @d a dump without objects (only DONE). */
int nls_dump_empty_start(struct nls_dump *d);

/* IPVS request parsing (ipvs_parse.c). */
int nls_ipvs_parse_svc(const struct nlattr *nest, int full, struct nlvs_svc_conf *conf);
int nls_ipvs_parse_dest(const struct nlattr *nest, int full, struct nlvs_dest_conf *conf);
int nls_ipvs_parse_daemon(const struct nlattr *nest, int full, struct nlvs_daemon_conf *conf);
extern const struct nls_policy nls_ipvs_cmd_policy[];

/* NLVS /proc text generators (nlvs_proc.c). */
enum { NLS_PROC_CONN, NLS_PROC_IPVS, NLS_PROC_STATS, NLS_PROC_TEXT };
size_t nls_proc_read(struct nls_proc_gen *g, char *buf, size_t max);

#endif /* NLS_INT_H */
