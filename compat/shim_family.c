// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Family lookups answered in the process (shim.h).  ipvsadm opens a socket
 * per command and looks "IPVS" up on each before sending the command: half
 * of its round trips to nlvsd were the same question with the same answer.
 * The answer nlvsd gave is kept here and repeated, with the request's
 * sequence number and port id in its header as nlvsd would put them, and
 * the ACK nlvsd would add (ipvs-genl.md 3.1).
 *
 * Each cached answer sits behind a generation word (a seqlock): even and
 * non-zero when stable, odd while written.  A reader that sees it change
 * while copying, or a writer interrupted by a signal, simply goes to nlvsd.
 */
#include <string.h>
#include <linux/genetlink.h>

#include "shim.h"
#include "nls_server.h"

/* Room for the ACK that may follow the answer in a connection's queue. */
#define SHIM_ACK_LEN (NLMSG_HDRLEN + sizeof(int) + sizeof(struct nlmsghdr))
#define SHIM_FAMILY_MAX (NLVS_SHIM_SYNTH_MAX - SHIM_ACK_LEN)

static struct shim_family {
	uint32_t gen;
	uint32_t len;
	unsigned char msg[SHIM_FAMILY_MAX];
} shim_families[2];		/* "IPVS", "NLVS" */

int nlvs_shim_family_index(const struct nlattr *nla)
{
	const char *name = (const char *)nla + NLA_HDRLEN;
	size_t k = nla->nla_len - NLA_HDRLEN;

	if (k == sizeof("IPVS") && !memcmp(name, "IPVS", k))
		return 0;
	if (k == sizeof(NLS_NLVS_FAMILY_NAME) && !memcmp(name, NLS_NLVS_FAMILY_NAME, k))
		return 1;
	return -1;
}

/*
 * The family a CTRL message names with its only attribute (@only) or with
 * any: 0 for IPVS, 1 for NLVS, -1 otherwise.
 */
static int shim_family_named(const unsigned char *buf, size_t len, bool only)
{
	size_t off;
	int which = -1, n = 0;

	for (off = NLMSG_HDRLEN + GENL_HDRLEN; off + NLA_HDRLEN <= len; n++) {
		const struct nlattr *nla = (const void *)(buf + off);

		if (nla->nla_len < NLA_HDRLEN || off + nla->nla_len > len)
			return -1;
		if (nla->nla_type == CTRL_ATTR_FAMILY_NAME &&
		    (which = nlvs_shim_family_index(nla)) < 0)
			return -1;
		off += NLA_ALIGN(nla->nla_len);
	}
	if (off != NLA_ALIGN(len) || (only && n != 1))
		return -1;
	return which;
}

/* A single CTRL message of @cmd filling the datagram, or NULL. */
static const struct nlmsghdr *shim_ctrl_msg(const void *buf, size_t len, uint8_t cmd)
{
	const struct nlmsghdr *nlh = buf;
	const struct genlmsghdr *genl;

	if (len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_len != len ||
	    nlh->nlmsg_type != GENL_ID_CTRL)
		return NULL;
	genl = (const void *)((const char *)buf + NLMSG_HDRLEN);
	return genl->cmd == cmd ? nlh : NULL;
}

void nlvs_shim_family_learn(const void *buf, size_t len)
{
	struct shim_family *f;
	struct nlmsghdr nlh;
	uint32_t gen;
	int which;

	/* A page of a family dump (NLM_F_MULTI) is not what a lookup gets back. */
	if (len > SHIM_FAMILY_MAX || !shim_ctrl_msg(buf, len, CTRL_CMD_NEWFAMILY) ||
	    (((const struct nlmsghdr *)buf)->nlmsg_flags & NLM_F_MULTI))
		return;
	which = shim_family_named(buf, len, false);
	if (which < 0)
		return;
	f = &shim_families[which];
	gen = __atomic_load_n(&f->gen, __ATOMIC_ACQUIRE);
	/* Known already (the usual case), or being written by someone else. */
	if ((gen && !(gen & 1) && __atomic_load_n(&f->len, __ATOMIC_RELAXED)) || (gen & 1))
		return;
	/* A vfork child writes nothing in its parent's memory. */
	if (!nlvs_shim_may_record() ||
	    !__atomic_compare_exchange_n(&f->gen, &gen, gen + 1, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return;
	memcpy(f->msg, buf, len);
	memcpy(&nlh, f->msg, sizeof(nlh));
	nlh.nlmsg_seq = 0;
	nlh.nlmsg_pid = 0;
	memcpy(f->msg, &nlh, sizeof(nlh));
	__atomic_store_n(&f->len, (uint32_t)len, __ATOMIC_RELAXED);
	__atomic_store_n(&f->gen, gen + 2, __ATOMIC_RELEASE);
}

/* nlvsd went away: the next one may be another build, so ask it again. */
void nlvs_shim_family_forget(void)
{
	if (!nlvs_shim_may_record())
		return;
	for (size_t i = 0; i < sizeof(shim_families) / sizeof(shim_families[0]); i++) {
		struct shim_family *f = &shim_families[i];
		uint32_t gen = __atomic_load_n(&f->gen, __ATOMIC_ACQUIRE);

		if (!gen || (gen & 1) || !__atomic_load_n(&f->len, __ATOMIC_RELAXED))
			continue;
		if (!__atomic_compare_exchange_n(&f->gen, &gen, gen + 1, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&f->len, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&f->gen, gen + 2, __ATOMIC_RELEASE);
	}
}

/*
 * Queue on @c (locked, no request in flight, nothing queued) the answer
 * nlvsd would give to @req, a lone lookup of IPVS or NLVS by name, and its
 * ACK if asked for.  False when the answer is not known here: the caller
 * then sends the request to nlvsd.
 */
bool nlvs_shim_family_answer(struct nlvs_shim_conv *c, const void *req, size_t len)
{
	const struct nlmsghdr *rq = shim_ctrl_msg(req, len, CTRL_CMD_GETFAMILY);
	struct shim_family *f;
	struct nlmsghdr nlh;
	uint32_t gen, flen;
	int which;

	if (!rq || !(rq->nlmsg_flags & NLM_F_REQUEST) ||
	    (rq->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		return false;
	which = shim_family_named(req, len, true);
	if (which < 0)
		return false;
	f = &shim_families[which];
	gen = __atomic_load_n(&f->gen, __ATOMIC_ACQUIRE);
	flen = __atomic_load_n(&f->len, __ATOMIC_RELAXED);
	if (!gen || (gen & 1) || !flen || flen > SHIM_FAMILY_MAX)
		return false;
	memcpy(c->synth, f->msg, flen);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&f->gen, __ATOMIC_RELAXED) != gen)
		return false;

	/* The answer: nlvsd's reply_start() takes both from the request. */
	memcpy(&nlh, c->synth, sizeof(nlh));
	nlh.nlmsg_seq = rq->nlmsg_seq;
	nlh.nlmsg_pid = rq->nlmsg_pid;
	memcpy(c->synth, &nlh, sizeof(nlh));
	c->synth_len[0] = (uint16_t)flen;
	c->synth_n = 1;
	if (rq->nlmsg_flags & NLM_F_ACK) {
		/* The capped 36-byte ACK of nls_ack_send(): the request's header echoed. */
		struct nlmsghdr ack = {
			.nlmsg_len = SHIM_ACK_LEN,
			.nlmsg_type = NLMSG_ERROR,
			.nlmsg_flags = NLM_F_CAPPED,
			.nlmsg_seq = rq->nlmsg_seq,
			.nlmsg_pid = rq->nlmsg_pid,
		};
		int err = 0;

		memcpy(c->synth + flen, &ack, sizeof(ack));
		memcpy(c->synth + flen + NLMSG_HDRLEN, &err, sizeof(err));
		memcpy(c->synth + flen + NLMSG_HDRLEN + sizeof(err), rq, sizeof(*rq));
		c->synth_len[1] = SHIM_ACK_LEN;
		c->synth_n = 2;
	}
	c->synth_i = 0;
	c->synth_local = true;
	nlvs_shim_synth_seen();
	__atomic_store_n(&c->synth_valid, true, __ATOMIC_RELEASE);
	return true;
}
