// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The datagram paths.  A send that opens an IPVS conversation on a kernel
 * NETLINK_GENERIC socket turns the descriptor into an nlvsd connection; on
 * those, receives are dressed up as netlink ones (ipvs-genl.md 7.1).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "shim.h"

static size_t shim_msg_gather(const struct msghdr *msg, void *buf, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < msg->msg_iovlen && n < cap; i++) {
		size_t k = msg->msg_iov[i].iov_len;

		if (k > cap - n)
			k = cap - n;
		memcpy((char *)buf + n, msg->msg_iov[i].iov_base, k);
		n += k;
	}
	return n;
}

static size_t shim_msg_size(const struct msghdr *msg)
{
	size_t i, n = 0;

	for (i = 0; i < msg->msg_iovlen; i++)
		n += msg->msg_iov[i].iov_len;
	return n;
}

/* Does the datagram start with a plausible netlink header? */
static bool shim_msg_is_netlink(const unsigned char *head, size_t n, size_t size)
{
	struct nlmsghdr nlh;

	if (n < NLMSG_HDRLEN)
		return false;
	memcpy(&nlh, head, sizeof(nlh));
	return nlh.nlmsg_len >= NLMSG_HDRLEN && nlh.nlmsg_len <= size;
}

/* libnl insists on a 12-byte AF_NETLINK sender, kernel pid 0. */
static void shim_msg_fix_name(struct msghdr *msg)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	size_t n = sizeof(snl);

	if (!msg->msg_name)
		return;
	if (msg->msg_namelen < n)
		n = msg->msg_namelen;
	memcpy(msg->msg_name, &snl, n);
	msg->msg_namelen = sizeof(snl);
}

/* The next synthetic datagram of @c, as a receive of the socket's own would give it. */
static ssize_t shim_synth_deliver(struct nlvs_shim_conv *c, struct msghdr *msg, int flags)
{
	size_t off = c->synth_i ? c->synth_len[0] : 0, len = c->synth_len[c->synth_i];
	size_t i, n = 0;

	for (i = 0; i < msg->msg_iovlen && n < len; i++) {
		size_t k = msg->msg_iov[i].iov_len;

		if (k > len - n)
			k = len - n;
		memcpy(msg->msg_iov[i].iov_base, c->synth + off + n, k);
		n += k;
	}
	msg->msg_flags = n < len ? MSG_TRUNC : 0;
	msg->msg_controllen = 0;
	shim_msg_fix_name(msg);
	if (!(flags & MSG_PEEK) && ++c->synth_i >= c->synth_n) {
		__atomic_store_n(&c->synth_valid, false, __ATOMIC_RELEASE);
		/* An error ends its request; a lookup answered here had none in flight. */
		if (!c->synth_local)
			c->req_valid = false;
	}
	return (flags & MSG_TRUNC) ? (ssize_t)len : (ssize_t)n;
}

/* The request is answered once its ERROR (or ACK) or DONE has been read. */
/* Does @buf hold an NLMSG_ERROR or NLMSG_DONE (the only answers that end a request)? */
static bool shim_has_end(const char *buf, size_t len)
{
	size_t off;

	for (off = 0; off + NLMSG_HDRLEN <= len;) {
		struct nlmsghdr nlh;

		memcpy(&nlh, buf + off, sizeof(nlh));
		if (nlh.nlmsg_len < NLMSG_HDRLEN)
			return false;
		if (nlh.nlmsg_type == NLMSG_ERROR || nlh.nlmsg_type == NLMSG_DONE)
			return true;
		off += NLMSG_ALIGN(nlh.nlmsg_len);
	}
	return false;
}

static void shim_track_answer(uint64_t key, const struct msghdr *msg, size_t len)
{
	struct nlvs_shim_conv *c;
	const char *buf;
	size_t off;

	if (!msg->msg_iovlen)
		return;
	buf = msg->msg_iov[0].iov_base;
	if (len > msg->msg_iov[0].iov_len)
		len = msg->msg_iov[0].iov_len;
	/* A dump page ends nothing: no need to look up (and getpid()) for it. */
	if (!shim_has_end(buf, len))
		return;
	c = nlvs_shim_conv_get(key, false);
	for (off = 0; c && c->req_valid && off + NLMSG_HDRLEN <= len;) {
		struct nlmsghdr nlh;

		memcpy(&nlh, buf + off, sizeof(nlh));
		if (nlh.nlmsg_len < NLMSG_HDRLEN)
			break;
		if ((nlh.nlmsg_type == NLMSG_ERROR || nlh.nlmsg_type == NLMSG_DONE) &&
		    nlh.nlmsg_seq == c->req.nlmsg_seq)
			c->req_valid = false;
		off += NLMSG_ALIGN(nlh.nlmsg_len);
	}
	nlvs_shim_conv_put(c);
}

/* nlvsd's answer to a family lookup, whole in the first buffer: kept (shim.h). */
static void shim_learn_family(const struct msghdr *msg, ssize_t len)
{
	const struct nlmsghdr *nlh;

	if (!msg->msg_iovlen || (size_t)len > msg->msg_iov[0].iov_len ||
	    (size_t)len < NLMSG_HDRLEN || (msg->msg_flags & MSG_TRUNC))
		return;
	nlh = msg->msg_iov[0].iov_base;
	if (nlh->nlmsg_type == GENL_ID_CTRL)
		nlvs_shim_family_learn(nlh, (size_t)len);
}

static bool shim_errno_is_hangup(int err)
{
	return err == EPIPE || err == ECONNRESET || err == ENOTCONN || err == ECONNREFUSED;
}

/* Remember the request on connection @key, so a dead nlvsd can be answered for. */
static void shim_track_request(uint64_t key, const unsigned char *head, size_t n)
{
	struct nlvs_shim_conv *c = nlvs_shim_conv_get(key, true);

	if (!c)
		return;
	c->req_valid = n >= NLMSG_HDRLEN;
	if (c->req_valid)
		memcpy(&c->req, head, NLMSG_HDRLEN);
	/* A lookup answered here stays queued: it comes before this one's answer. */
	if (!c->synth_local)
		__atomic_store_n(&c->synth_valid, false, __ATOMIC_RELEASE);
	nlvs_shim_conv_put(c);
}

/*
 * A lone family lookup on connection @fd (@key) that nlvsd answered before
 * in this process: answered here, when nothing else is in flight or queued
 * (the answer would otherwise overtake another) and the socket blocks (an
 * event loop waits for poll(), which cannot see this answer).  True when it was.
 */
static bool shim_answer_here(int fd, uint64_t key, const unsigned char *head, size_t n,
			     size_t size, int fl)
{
	struct nlvs_shim_conv *c;
	bool done = false;

	if (n != size || n < NLMSG_HDRLEN + GENL_HDRLEN ||
	    ((const struct nlmsghdr *)head)->nlmsg_type != GENL_ID_CTRL ||
	    !nlvs_shim_lookups_here())
		return false;
	/* @fl: the flags the switch just read, or -1 */
	if (fl < 0)
		fl = nlvs_shim_real.fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_NONBLOCK))
		return false;
	c = nlvs_shim_conv_get(key, true);
	if (c && !c->req_valid && !c->synth_valid)
		done = nlvs_shim_family_answer(c, head, n);
	nlvs_shim_conv_put(c);
	return done;
}

/*
 * nlvsd is gone for this request: answer it ourselves when we can keep the
 * answer, else the send itself fails.  Either way the client sees an error.
 */
static ssize_t shim_send_fail(const struct nlvs_shim_id *id, const unsigned char *head,
			      size_t n, size_t size)
{
	struct nlvs_shim_conv *c = nlvs_shim_conv_get(id->key, true);

	/* A lookup answered here and still unread keeps its place. */
	if (!c || n < NLMSG_HDRLEN || c->synth_valid) {
		nlvs_shim_conv_put(c);
		errno = ECONNREFUSED;
		return -1;
	}
	c->req_valid = true;
	memcpy(&c->req, head, NLMSG_HDRLEN);
	nlvs_shim_synth_error(c, EAGAIN);
	nlvs_shim_conv_put(c);
	return size;
}

/*
 * Returns false when @fd is not ours to handle (the caller then uses the
 * real function it replaced), true with *ret set otherwise.  A request that
 * opens or continues an IPVS conversation is never let through to a kernel
 * socket: it goes to nlvsd or fails.
 */
bool nlvs_shim_io_send(int fd, const struct msghdr *msg, int flags, ssize_t *ret)
{
	unsigned char head[256];
	struct nlvs_shim_id id;
	enum nlvs_shim_kind kind;
	struct msghdr m;
	size_t n, size;
	bool ipvs, other;
	uint16_t type = 0;
	int r = 0, fl = -1;

	n = shim_msg_gather(msg, head, sizeof(head));
	size = shim_msg_size(msg);
	ipvs = nlvs_shim_msg_is_ipvs(head, n);
	other = !ipvs && nlvs_shim_msg_is_genl_request(head, n, &type);
	/*
	 * Only a netlink message can concern an nlvsd connection; the program's
	 * other writes (logs, pipes, files) are not worth a question to the kernel.
	 */
	if (!ipvs && !other && (!nlvs_shim_ours_possible() || !shim_msg_is_netlink(head, n, size)))
		return false;
	/* An IPVS request's netlink socket has its protocol asked under the switch lock. */
	kind = ipvs ? nlvs_shim_fd_netlink(fd, &id) : nlvs_shim_fd_kind(fd, &id);
	if (kind == NLVS_SHIM_OTHER)
		return false;
	if (other && kind != NLVS_SHIM_OURS) {
		if (!nlvs_shim_kernel_ipvs_is(type))
			return false;
		/* The kernel's own IPVS, learnt from a family dump: refused (R3). */
		*ret = -1;
		errno = ENOPROTOOPT;
		return true;
	}
	if (kind == NLVS_SHIM_GENL && !ipvs)
		return false;
	if (kind == NLVS_SHIM_UNKNOWN) {
		if (!ipvs)
			return false;
		/* Fail closed: this might be the kernel's IPVS. */
		*ret = -1;
		errno = EIO;
		return true;
	}
	if (kind == NLVS_SHIM_GENL) {
		r = nlvs_shim_conn_attach(fd, NULL, &id, &fl);
		if (r == NLVS_SHIM_ATTACH_NOT_OURS)
			return false;
	}
	if (!r && ipvs && shim_answer_here(fd, id.key, head, n, size, fl)) {
		*ret = size;
		return true;
	}
	m = *msg;
	m.msg_name = NULL;
	m.msg_namelen = 0;
	for (int tries = 0; !r; tries++) {
		shim_track_request(id.key, head, n);
		*ret = nlvs_shim_real.sendmsg(fd, &m, flags | MSG_NOSIGNAL);
		if (*ret >= 0 || !shim_errno_is_hangup(errno))
			return true;
		if (tries)
			break;
		/* nlvsd restarted since the last request: one fresh try. */
		r = nlvs_shim_conn_attach(fd, &id, &id, NULL);
	}
	if (r < 0) {
		*ret = -1;
		errno = -r;
		return true;
	}
	/* nlvsd unreachable (a dead stand-in holds @fd), or hung up twice. */
	*ret = shim_send_fail(&id, head, n, size);
	return true;
}

/* A descriptor passed over a unix socket may be one of ours. */
static void shim_scan_rights(const struct msghdr *msg)
{
	struct cmsghdr *cm;

	if (!msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
		return;
	for (cm = CMSG_FIRSTHDR((struct msghdr *)msg); cm;
	     cm = CMSG_NXTHDR((struct msghdr *)msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			nlvs_shim_ours_seen();
}

bool nlvs_shim_io_recv(int fd, struct msghdr *msg, int flags, ssize_t *ret)
{
	struct nlvs_shim_conv *c, snap;
	struct nlvs_shim_id id;
	ssize_t r;
	int err;

	if (!nlvs_shim_ours_possible() || !nlvs_shim_fd_ours(fd, &id))
		return false;
	if (!nlvs_shim_synth_possible() || !nlvs_shim_conv_has_synth(id.key)) {
		c = NULL;
	} else if ((flags & MSG_PEEK) && nlvs_shim_conv_peek(id.key, &snap)) {
		*ret = shim_synth_deliver(&snap, msg, flags);
		return true;
	} else {
		c = nlvs_shim_conv_get(id.key, false);
	}
	if (c && c->synth_valid) {
		*ret = shim_synth_deliver(c, msg, flags);
		nlvs_shim_conv_put(c);
		return true;
	}
	nlvs_shim_conv_put(c);

	r = nlvs_shim_real.recvmsg(fd, msg, flags);
	err = errno;
	if (r > 0 || (r == 0 && (msg->msg_flags & MSG_TRUNC))) {
		shim_msg_fix_name(msg);
		if (!(flags & MSG_PEEK)) {
			shim_track_answer(id.key, msg, r);
			shim_learn_family(msg, r);
		}
		*ret = r;
		return true;
	}
	if (r < 0 && !shim_errno_is_hangup(err)) {
		*ret = r;
		errno = err;
		return true;
	}

	/* EOF or reset: nlvsd went away with our request unanswered. */
	nlvs_shim_family_forget();
	c = nlvs_shim_conv_get(id.key, false);
	if (c && c->req_valid && !c->synth_valid)
		nlvs_shim_synth_error(c, EAGAIN);
	if (c && c->synth_valid) {
		*ret = shim_synth_deliver(c, msg, flags);
		nlvs_shim_conv_put(c);
		return true;
	}
	nlvs_shim_conv_put(c);
	msg->msg_flags = 0;
	shim_msg_fix_name(msg);
	*ret = 0;
	return true;
}

/* The interposed calls. */

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	ssize_t ret;

	nlvs_shim_init();
	if (nlvs_shim_io_send(fd, msg, flags, &ret))
		return ret;
	return nlvs_shim_real.sendmsg(fd, msg, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t alen)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t ret;

	nlvs_shim_init();
	if (nlvs_shim_io_send(fd, &msg, flags, &ret))
		return ret;
	return nlvs_shim_real.sendto(fd, buf, len, flags, addr, alen);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t ret;

	nlvs_shim_init();
	if (nlvs_shim_io_send(fd, &msg, flags, &ret))
		return ret;
	return nlvs_shim_real.send(fd, buf, len, flags);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t ret;

	nlvs_shim_init();
	if (nlvs_shim_io_send(fd, &msg, 0, &ret))
		return ret;
	return nlvs_shim_real.write(fd, buf, len);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = iovcnt };
	ssize_t ret;

	nlvs_shim_init();
	if (iovcnt > 0 && nlvs_shim_io_send(fd, &msg, 0, &ret))
		return ret;
	return nlvs_shim_real.writev(fd, iov, iovcnt);
}

/* Each message on its own: a batch must not smuggle an IPVS request past us. */
int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	unsigned char head[256];
	unsigned int i;
	ssize_t ret;

	nlvs_shim_init();
	for (i = 0; i < vlen && !nlvs_shim_ours_possible(); i++) {
		size_t n = shim_msg_gather(&vec[i].msg_hdr, head, sizeof(head));
		uint16_t type;

		if (nlvs_shim_msg_is_ipvs(head, n) ||
		    nlvs_shim_msg_is_genl_request(head, n, &type))
			break;
	}
	if (i == vlen)
		return nlvs_shim_real.sendmmsg(fd, vec, vlen, flags);
	for (i = 0; i < vlen; i++) {
		if (!nlvs_shim_io_send(fd, &vec[i].msg_hdr, flags, &ret)) {
			int r = nlvs_shim_real.sendmmsg(fd, &vec[i], 1, flags);

			ret = r == 1 ? (ssize_t)vec[i].msg_len : -1;
		}
		if (ret < 0)
			return i ? (int)i : -1;
		vec[i].msg_len = ret;
	}
	return vlen;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t ret;

	nlvs_shim_init();
	if (nlvs_shim_io_recv(fd, msg, flags, &ret))
		return ret;
	ret = nlvs_shim_real.recvmsg(fd, msg, flags);
	if (ret >= 0)
		shim_scan_rights(msg);
	return ret;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *addr, socklen_t *alen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t ret;

	nlvs_shim_init();
	if (addr && alen) {
		msg.msg_name = addr;
		msg.msg_namelen = *alen;
	}
	if (nlvs_shim_io_recv(fd, &msg, flags, &ret)) {
		if (alen)
			*alen = sizeof(struct sockaddr_nl);
		return ret;
	}
	return nlvs_shim_real.recvfrom(fd, buf, len, flags, addr, alen);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t ret;

	nlvs_shim_init();
	if (nlvs_shim_io_recv(fd, &msg, flags, &ret))
		return ret;
	return nlvs_shim_real.recv(fd, buf, len, flags);
}

ssize_t read(int fd, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t ret;

	nlvs_shim_init();
	if (nlvs_shim_io_recv(fd, &msg, 0, &ret))
		return ret;
	return nlvs_shim_real.read(fd, buf, len);
}

/* _FORTIFY_SOURCE builds call these instead; the size check is theirs. */
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
		       struct sockaddr *addr, socklen_t *alen);

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		__builtin_trap();
	return read(fd, buf, len);
}

ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (len > buflen)
		__builtin_trap();
	return recv(fd, buf, len, flags);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
		       struct sockaddr *addr, socklen_t *alen)
{
	if (len > buflen)
		__builtin_trap();
	return recvfrom(fd, buf, len, flags, addr, alen);
}
