// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Family lookups without a round trip to nlvsd.  ipvsadm and keepalived
 * open a new socket for every command and resolve "IPVS" on it first
 * (ipvs-genl.md 2.2, 7.1): half of the round trips of a restore.
 *
 * The first lookup of a process is asked of nlvsd on a private connection,
 * and its answer (the reply, and the ACK when one is asked for) is kept with
 * the request and the identity of nlvsd's socket file.  A later lookup that
 * differs from that request only in nlmsg_seq and nlmsg_pid, while the same
 * socket file is in place, is answered with the same datagrams carrying its
 * own seq and pid, which is exactly what nlvsd builds (replies and ACKs
 * echo the request's seq and pid; nlctrl's answer depends on nothing else).
 * The answer waits in a stand-in (shim_conn.c) put in place of the client's
 * kernel socket; the client's next request dials nlvsd.
 *
 * The kept answer is one process-wide record behind a generation counter
 * (odd while it is written): readers copy it and check the counter again,
 * so no context ever waits, and a vfork child only reads.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "shim.h"

/* GETFAMILY by name is 32 bytes (ipvs-genl.md 2.1); longer ones are asked of nlvsd. */
#define SHIM_FAMILY_REQ_MAX	64
/* The bytes of nlmsg_seq and nlmsg_pid: where lookups may differ. */
#define SHIM_FAMILY_ID_OFF	offsetof(struct nlmsghdr, nlmsg_seq)
#define SHIM_FAMILY_ID_END	(offsetof(struct nlmsghdr, nlmsg_pid) + sizeof(uint32_t))

struct shim_family {
	dev_t dev;			/* nlvsd's socket file that answered */
	ino_t ino;
	struct timespec ctim;
	size_t req_len;
	unsigned char req[SHIM_FAMILY_REQ_MAX];
	struct nlvs_shim_replay rp;
};

static unsigned int shim_family_gen;
static struct shim_family shim_family;

static bool shim_family_same(const struct shim_family *f, const struct stat *st,
			     const unsigned char *req, size_t len)
{
	return f->req_len == len && f->dev == st->st_dev && f->ino == st->st_ino &&
	       f->ctim.tv_sec == st->st_ctim.tv_sec && f->ctim.tv_nsec == st->st_ctim.tv_nsec &&
	       !memcmp(f->req, req, SHIM_FAMILY_ID_OFF) &&
	       !memcmp(f->req + SHIM_FAMILY_ID_END, req + SHIM_FAMILY_ID_END,
		       len - SHIM_FAMILY_ID_END);
}

/* The kept answer to @req from the nlvsd behind @st, into *rp; false if none. */
static bool shim_family_cached(const unsigned char *req, size_t len, const struct stat *st,
			       struct nlvs_shim_replay *rp)
{
	unsigned int gen = __atomic_load_n(&shim_family_gen, __ATOMIC_ACQUIRE);
	struct shim_family f;

	/* Nothing kept yet (gen 0) or being written. */
	if (!gen || (gen & 1))
		return false;
	memcpy(&f, &shim_family, sizeof(f));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&shim_family_gen, __ATOMIC_RELAXED) != gen ||
	    !shim_family_same(&f, st, req, len))
		return false;
	*rp = f.rp;
	return true;
}

static void shim_family_keep(const unsigned char *req, size_t len, const struct stat *st,
			     const struct nlvs_shim_replay *rp)
{
	unsigned int gen = __atomic_load_n(&shim_family_gen, __ATOMIC_ACQUIRE);

	/* A vfork child writes no shared memory; a writer already at work wins. */
	if (!nlvs_shim_may_record() || (gen & 1) ||
	    !__atomic_compare_exchange_n(&shim_family_gen, &gen, gen + 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	shim_family.dev = st->st_dev;
	shim_family.ino = st->st_ino;
	shim_family.ctim = st->st_ctim;
	shim_family.req_len = len;
	memcpy(shim_family.req, req, len);
	shim_family.rp = *rp;
	__atomic_store_n(&shim_family_gen, gen + 2, __ATOMIC_RELEASE);
}

/*
 * Ask nlvsd on a private connection; its answer ends with the datagram
 * holding an NLMSG_ERROR (the ACK, or the error) or, when no ACK was asked
 * for, with the first datagram.  False when anything else happens: the
 * lookup then takes the ordinary path, which reports the failure.
 */
static bool shim_family_fetch(const unsigned char *req, size_t len, struct nlvs_shim_replay *rp)
{
	const struct nlmsghdr *nlh = (const void *)req;
	bool done = false;
	ssize_t r;
	int fd, err;

	fd = nlvs_shim_conn_open(&err);
	if (fd < 0)
		return false;
	rp->n = 0;
	if (nlvs_shim_real.send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		goto out;
	while (!done && rp->n < NLVS_SHIM_REPLAY_DGRAMS) {
		do
			r = nlvs_shim_real.recv(fd, rp->dgram[rp->n], NLVS_SHIM_REPLAY_MAX,
						MSG_TRUNC);
		while (r < 0 && errno == EINTR);
		if (r < (ssize_t)NLMSG_HDRLEN || r > NLVS_SHIM_REPLAY_MAX)
			break;
		rp->len[rp->n] = (size_t)r;
		done = nlvs_shim_has_end((const char *)rp->dgram[rp->n], (size_t)r) ||
		       !(nlh->nlmsg_flags & NLM_F_ACK);
		rp->n++;
	}
out:
	nlvs_shim_real.close(fd);
	return done;
}

static void shim_hdr_patch(unsigned char *p, uint32_t seq, uint32_t pid)
{
	memcpy(p + offsetof(struct nlmsghdr, nlmsg_seq), &seq, sizeof(seq));
	memcpy(p + offsetof(struct nlmsghdr, nlmsg_pid), &pid, sizeof(pid));
}

/* Every message, and the request header an NLMSG_ERROR echoes, gets @seq and @pid. */
static void shim_family_patch(struct nlvs_shim_replay *rp, uint32_t seq, uint32_t pid)
{
	for (unsigned int i = 0; i < rp->n; i++) {
		unsigned char *d = rp->dgram[i];
		size_t off = 0;

		while (off + NLMSG_HDRLEN <= rp->len[i]) {
			struct nlmsghdr h;

			memcpy(&h, d + off, sizeof(h));
			if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > rp->len[i] - off)
				break;
			shim_hdr_patch(d + off, seq, pid);
			if (h.nlmsg_type == NLMSG_ERROR &&
			    h.nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nlmsgerr))
				shim_hdr_patch(d + off + NLMSG_HDRLEN +
					       offsetof(struct nlmsgerr, msg), seq, pid);
			off += NLMSG_ALIGN(h.nlmsg_len);
		}
	}
}

/*
 * @req (@n bytes gathered of @size) is the first request of an IPVS
 * conversation on kernel genl socket @fd.  True when it was a family
 * lookup and its answer now waits on @fd; false when it must go to nlvsd.
 */
bool nlvs_shim_family_answer(int fd, const void *req, size_t n, size_t size)
{
	const struct nlmsghdr *nlh = req;
	struct nlvs_shim_replay rp;
	struct nlvs_shim_id id;
	struct stat st;

	if (n != size || size > SHIM_FAMILY_REQ_MAX || size < SHIM_FAMILY_ID_END ||
	    nlh->nlmsg_type != GENL_ID_CTRL || nlh->nlmsg_len != size)
		return false;
	if (stat(nlvs_shim_socket_path(), &st) < 0)
		return false;
	if (!shim_family_cached(req, size, &st, &rp)) {
		if (!shim_family_fetch(req, size, &rp))
			return false;
		shim_family_keep(req, size, &st, &rp);
	}
	shim_family_patch(&rp, nlh->nlmsg_seq, nlh->nlmsg_pid);
	return nlvs_shim_conn_replay(fd, &rp, &id) == 0;
}
