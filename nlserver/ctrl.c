// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlctrl: CTRL_CMD_GETFAMILY by name or id (doit) and the family list
 * (dump), in the kernel's reply form (ipvs-genl.md 2.3).  nlctrl needs no
 * privilege: an unprivileged client resolves "IPVS" and fails later.
 */
#include <errno.h>
#include <string.h>

#include "nls_int.h"

/* nlctrl's own protocol version, reported in its replies. */
#define NLS_CTRL_VERSION	2

static void nls_ctrl_fill(struct nlmsghdr *nlh, const struct nls_family *f)
{
	struct nlattr *ops, *op;
	size_t i;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, f->name);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, f->id);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, f->version);
	mnl_attr_put_u32(nlh, CTRL_ATTR_HDRSIZE, 0);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MAXATTR, f->maxattr);
	if (!f->n_ops)
		return;
	ops = nls_nest_start(nlh, CTRL_ATTR_OPS);
	for (i = 0; i < f->n_ops; i++) {
		uint32_t flags = f->ops[i].flags;

		if (f->ops[i].doit)
			flags |= GENL_CMD_CAP_DO;
		if (f->ops[i].dumpit)
			flags |= GENL_CMD_CAP_DUMP;
		op = nls_nest_start(nlh, i + 1);
		mnl_attr_put_u32(nlh, CTRL_ATTR_OP_ID, f->ops[i].cmd);
		mnl_attr_put_u32(nlh, CTRL_ATTR_OP_FLAGS, flags);
		mnl_attr_nest_end(nlh, op);
	}
	mnl_attr_nest_end(nlh, ops);
}

static int nls_ctrl_getfamily(struct nls_req *req, const struct nlattr **tb)
{
	uint32_t buf[NLS_REPLY_MAX / 4];
	const struct nls_family *f = NULL, *it;
	struct nlmsghdr *nlh;
	int err = -EINVAL;
	size_t i;

	/* As ctrl_getfamily(): the name, when present, overrides the id. */
	if (tb[CTRL_ATTR_FAMILY_ID]) {
		err = -ENOENT;
		f = nls_family_by_id(mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]));
	}
	if (tb[CTRL_ATTR_FAMILY_NAME]) {
		const char *name = mnl_attr_get_payload(tb[CTRL_ATTR_FAMILY_NAME]);

		err = -ENOENT;
		f = NULL;
		for (i = 0; (it = nls_family_at(i)); i++)
			if (!strcmp(it->name, name))
				f = it;
	}
	if (!f)
		return err;
	nlh = nls_reply_start(req, buf, CTRL_CMD_NEWFAMILY);
	nls_ctrl_fill(nlh, f);
	nls_reply_send(req, nlh);
	return 0;
}

static int nls_ctrl_dump_next(struct nls_dump *d, void *buf, size_t room)
{
	const struct nls_family *f = nls_family_at(d->cursor);
	struct nlmsghdr *nlh;

	if (!f)
		return 0;
	if (room < NLS_OBJ_MAX)
		return -1;
	d->cursor++;
	nlh = nls_dump_msg_start(d, buf, CTRL_CMD_NEWFAMILY);
	nls_ctrl_fill(nlh, f);
	return nlh->nlmsg_len;
}

static int nls_ctrl_dumpfamily(struct nls_req *req, struct nls_dump *d)
{
	d->next = nls_ctrl_dump_next;
	return 0;
}

static const struct nls_policy nls_ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { NLS_A_U16, 0 },
	[CTRL_ATTR_FAMILY_NAME] = { NLS_A_NUL_STRING, GENL_NAMSIZ - 1 },
};

static const struct nls_op nls_ctrl_ops[] = {
	{ CTRL_CMD_GETFAMILY, GENL_CMD_CAP_HASPOL, nls_ctrl_getfamily, nls_ctrl_dumpfamily },
};

const struct nls_family nls_ctrl_family = {
	.name = "nlctrl",
	.id = GENL_ID_CTRL,
	.version = NLS_CTRL_VERSION,
	.resv_start_op = CTRL_CMD_GETPOLICY + 1,
	.maxattr = CTRL_ATTR_MAX,
	.policy = nls_ctrl_policy,
	.ops = nls_ctrl_ops,
	.n_ops = sizeof(nls_ctrl_ops) / sizeof(nls_ctrl_ops[0]),
};
