// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Generic-netlink framing: the receive loop over the messages of a datagram,
 * the genl core checks in the kernel's order, ACK and error messages, and
 * dump datagrams.  Framing follows ipvs-genl.md sections 1-4: replies and
 * ACKs travel in separate datagrams because libnl drops the rest of a
 * datagram once its VALID callback returns NL_STOP.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nls_int.h"

/* A handler started a dump: no ACK for this request (the kernel's -EINTR). */
#define NLS_DUMP_STARTED	1

struct nlmsghdr *nls_msg_start(void *buf, uint16_t type, uint16_t flags, uint32_t seq,
			       uint32_t pid, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlattr *nls_nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	/* libmnl flags nests; the kernel's replies do not (ipvs-genl.md 1.3). */
	nest->nla_type &= ~NLA_F_NESTED;
	return nest;
}

struct nlmsghdr *nls_reply_start(struct nls_req *req, void *buf, uint8_t cmd)
{
	memset(buf, 0, NLS_REPLY_MAX);
	return nls_msg_start(buf, req->nlh->nlmsg_type, 0, req->nlh->nlmsg_seq,
			     req->nlh->nlmsg_pid, cmd, req->fam->version);
}

void nls_reply_send(struct nls_req *req, const struct nlmsghdr *nlh)
{
	req->out->emit(req->out->arg, nlh, NLMSG_ALIGN(nlh->nlmsg_len));
}

struct nlmsghdr *nls_dump_msg_start(const struct nls_dump *d, void *buf, uint8_t cmd)
{
	return nls_msg_start(buf, d->type, NLM_F_MULTI, d->seq, d->pid, cmd, d->version);
}

/* netlink_ack(): a capped 36-byte ACK, or an error echoing the request. */
static void nls_ack_send(struct nls_out *out, const struct nlmsghdr *req, int err)
{
	uint32_t stackbuf[NLS_REPLY_MAX / 4];
	size_t echo = err ? req->nlmsg_len : sizeof(*req);
	size_t len = NLMSG_HDRLEN + sizeof(int) + echo;
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	void *buf = stackbuf;

	if (NLMSG_ALIGN(len) > sizeof(stackbuf)) {
		buf = calloc(1, NLMSG_ALIGN(len));
		if (!buf) {
			/* Still answer: a capped error is enough for libnl. */
			buf = stackbuf;
			echo = sizeof(*req);
			len = NLMSG_HDRLEN + sizeof(int) + echo;
		}
	}
	memset(buf, 0, NLMSG_ALIGN(len));
	nlh = buf;
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = (err && echo == req->nlmsg_len) ? 0 : NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = req->nlmsg_pid;
	e = mnl_nlmsg_get_payload(nlh);
	e->error = err;
	memcpy(&e->msg, req, echo);
	out->emit(out->arg, buf, NLMSG_ALIGN(len));
	if (buf != stackbuf)
		free(buf);
}

static const struct nls_family *const nls_families[] = {
	&nls_ctrl_family, &nls_ipvs_family, &nls_nlvs_family,
};

const struct nls_family *nls_family_at(size_t i)
{
	return i < sizeof(nls_families) / sizeof(nls_families[0]) ? nls_families[i] : NULL;
}

const struct nls_family *nls_family_by_id(uint16_t id)
{
	const struct nls_family *f;
	size_t i;

	for (i = 0; (f = nls_family_at(i)); i++)
		if (f->id == id)
			return f;
	return NULL;
}

static const struct nls_op *nls_op_find(const struct nls_family *fam, uint8_t cmd)
{
	size_t i;

	for (i = 0; i < fam->n_ops; i++)
		if (fam->ops[i].cmd == cmd)
			return &fam->ops[i];
	return NULL;
}

/* genl_family_rcv_msg(): the checks of ipvs-genl.md 3.2, then the handler. */
static int nls_msg_handle(const struct nlmsghdr *nlh, int admin, struct nls_out *out,
			  struct nls_dump *d)
{
	const struct nlattr *tb[32] = { NULL };
	const struct nls_family *fam;
	const struct nls_op *op;
	struct nls_req req;
	int dump, err;

	fam = nls_family_by_id(nlh->nlmsg_type);
	if (!fam)
		return -ENOENT;
	if (nlh->nlmsg_len < NLS_GENL_HDRLEN)
		return -EINVAL;
	req.fam = fam;
	req.nlh = nlh;
	req.genl = mnl_nlmsg_get_payload(nlh);
	req.admin = admin;
	req.out = out;
	if (req.genl->cmd >= fam->resv_start_op && req.genl->reserved)
		return -EINVAL;

	dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	op = nls_op_find(fam, req.genl->cmd);
	if (!op || !(dump ? op->dumpit != NULL : op->doit != NULL))
		return -EOPNOTSUPP;
	if ((op->flags & GENL_ADMIN_PERM) && !admin)
		return -EPERM;

	if (dump) {
		memset(d, 0, sizeof(*d));
		d->type = fam->id;
		d->version = fam->version;
		d->seq = nlh->nlmsg_seq;
		d->pid = nlh->nlmsg_pid;
		err = op->dumpit(&req, d);
		if (err) {
			d->next = NULL;
			return err;
		}
		return NLS_DUMP_STARTED;
	}

	if (fam->maxattr >= sizeof(tb) / sizeof(tb[0]))
		return -EINVAL;
	err = nls_attr_parse((const char *)nlh + NLS_GENL_HDRLEN,
			     nlh->nlmsg_len - NLS_GENL_HDRLEN, fam->policy, fam->maxattr, tb);
	if (err)
		return err;
	return op->doit(&req, tb);
}

/* netlink_rcv_skb(): messages in order; a bad length ends the datagram. */
void nls_dgram_run(const void *buf, size_t len, size_t *off, int admin,
		   struct nls_out *out, struct nls_dump *d)
{
	while (!d->next && *off < len && len - *off >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const void *)((const char *)buf + *off);
		size_t rem = len - *off, msglen;
		int err = 0;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > rem)
			break;
		/* Replies and control messages are not handled, only acked. */
		if ((nlh->nlmsg_flags & NLM_F_REQUEST) && nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			uint64_t gen = nlvs_ctl_generation();

			err = nls_msg_handle(nlh, admin, out, d);
			/* as in the kernel, a change is in force once acknowledged */
			if (nlvs_ctl_generation() != gen)
				nlvs_ctl_sync();
		}
		if (err != NLS_DUMP_STARTED && ((nlh->nlmsg_flags & NLM_F_ACK) || err))
			nls_ack_send(out, nlh, err);

		msglen = NLMSG_ALIGN(nlh->nlmsg_len);
		*off += msglen > rem ? rem : msglen;
		if (err == NLS_DUMP_STARTED)
			return;
	}
	*off = len;
}

static int nls_dump_none(struct nls_dump *d, void *buf, size_t room)
{
	return 0;
}

size_t nls_dump_dgram(struct nls_dump *d, void *buf)
{
	size_t off = 0;
	int n;

	memset(buf, 0, NLS_DGRAM_MAX);
	while (d->next) {
		if (d->finished) {
			struct nlmsghdr *nlh;
			int *done;

			if (NLS_DGRAM_MAX - off < NLMSG_LENGTH(sizeof(int)))
				break;
			nlh = mnl_nlmsg_put_header((char *)buf + off);
			nlh->nlmsg_type = NLMSG_DONE;
			nlh->nlmsg_flags = NLM_F_MULTI;
			nlh->nlmsg_seq = d->seq;
			nlh->nlmsg_pid = d->pid;
			done = mnl_nlmsg_put_extra_header(nlh, sizeof(*done));
			*done = 0;
			off += nlh->nlmsg_len;
			nls_dump_abort(d);
			break;
		}
		n = d->next(d, (char *)buf + off, NLS_DGRAM_MAX - off);
		if (n < 0 && off == 0)
			n = 0;	/* cannot happen: an empty datagram fits any object */
		if (n < 0)
			break;
		if (n == 0)
			d->finished = 1;
		off += NLMSG_ALIGN((size_t)n);
	}
	return off;
}

void nls_dump_abort(struct nls_dump *d)
{
	d->next = NULL;
	d->finished = 0;
}

int nls_dump_empty_start(struct nls_dump *d)
{
	d->next = nls_dump_none;
	return 0;
}

void nls_handle_datagram(const void *req, size_t len, int admin, nls_emit_fn emit, void *arg)
{
	struct nls_out out = { emit, arg };
	struct nls_dump d = { 0 };
	void *copy, *dgram;
	size_t off = 0, n;

	/* An aligned private copy: callers (the fuzzer) may pass any pointer. */
	copy = malloc(len ? len : 1);
	dgram = malloc(NLS_DGRAM_MAX);
	if (!copy || !dgram)
		goto out;
	memcpy(copy, req, len);
	while (off < len) {
		nls_dgram_run(copy, len, &off, admin, &out, &d);
		while (d.next) {
			n = nls_dump_dgram(&d, dgram);
			if (n)
				emit(arg, dgram, n);
		}
	}
out:
	free(copy);
	free(dgram);
}
