// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The datagram paths.  Sends on a NETLINK_GENERIC socket are inspected until
 * one opens an IPVS conversation; from then on the descriptor is an nlvsd
 * connection and receives are dressed up as netlink ones (ipvs-genl.md 7.1).
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

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

static ssize_t shim_synth_deliver(struct nlvs_shim_sock *s, struct msghdr *msg, int flags)
{
	size_t len = sizeof(s->synth), i, n = 0;

	for (i = 0; i < msg->msg_iovlen && n < len; i++) {
		size_t k = msg->msg_iov[i].iov_len;

		if (k > len - n)
			k = len - n;
		memcpy(msg->msg_iov[i].iov_base, s->synth + n, k);
		n += k;
	}
	msg->msg_flags = n < len ? MSG_TRUNC : 0;
	msg->msg_controllen = 0;
	shim_msg_fix_name(msg);
	if (!(flags & MSG_PEEK)) {
		s->synth_valid = false;
		s->req_valid = false;
	}
	return (flags & MSG_TRUNC) ? (ssize_t)len : (ssize_t)n;
}

/* The request is answered once its ERROR (or ACK) or DONE has been read. */
static void shim_track_answer(int fd, const struct msghdr *msg, size_t len)
{
	struct nlvs_shim_sock *s;
	const char *buf;
	size_t off;

	if (!msg->msg_iovlen)
		return;
	buf = msg->msg_iov[0].iov_base;
	if (len > msg->msg_iov[0].iov_len)
		len = msg->msg_iov[0].iov_len;
	nlvs_shim_lock();
	s = nlvs_shim_sock_find(fd);
	for (off = 0; s && s->req_valid && off + NLMSG_HDRLEN <= len;) {
		struct nlmsghdr nlh;

		memcpy(&nlh, buf + off, sizeof(nlh));
		if (nlh.nlmsg_len < NLMSG_HDRLEN)
			break;
		if ((nlh.nlmsg_type == NLMSG_ERROR || nlh.nlmsg_type == NLMSG_DONE) &&
		    nlh.nlmsg_seq == s->req.nlmsg_seq)
			s->req_valid = false;
		off += NLMSG_ALIGN(nlh.nlmsg_len);
	}
	nlvs_shim_unlock();
}

static bool shim_errno_is_hangup(int err)
{
	return err == EPIPE || err == ECONNRESET || err == ENOTCONN || err == ECONNREFUSED;
}

/* nlvsd is gone for this request: answer it ourselves. */
static ssize_t shim_send_fail(int fd, size_t size)
{
	struct nlvs_shim_sock *s;

	nlvs_shim_lock();
	s = nlvs_shim_sock_find(fd);
	if (s && s->req_valid)
		nlvs_shim_synth_error(s, EAGAIN);
	nlvs_shim_unlock();
	return size;
}

/*
 * Returns false when @fd is not ours to handle (the caller then uses the
 * real function it replaced), true with *ret set otherwise.
 */
bool nlvs_shim_io_send(int fd, const struct msghdr *msg, int flags, ssize_t *ret)
{
	unsigned char head[256];
	struct nlvs_shim_sock *s;
	struct msghdr m;
	size_t n, size;
	bool retried = false;
	ssize_t r;

	if (!nlvs_shim_any_tracked())
		return false;
	nlvs_shim_lock();
	s = nlvs_shim_sock_find(fd);
	if (!s) {
		nlvs_shim_unlock();
		return false;
	}
	n = shim_msg_gather(msg, head, sizeof(head));
	if (s->state == NLVS_SHIM_KERNEL) {
		if (!nlvs_shim_msg_is_ipvs(head, n)) {
			nlvs_shim_unlock();
			return false;
		}
		nlvs_shim_conn_attach(s);
	} else if (s->state == NLVS_SHIM_DEAD) {
		nlvs_shim_conn_attach(s);
	}
	s->req_valid = n >= NLMSG_HDRLEN;
	if (s->req_valid)
		memcpy(&s->req, head, NLMSG_HDRLEN);
	s->synth_valid = false;
	size = shim_msg_size(msg);
	if (s->state != NLVS_SHIM_SERVER) {
		nlvs_shim_unlock();
		*ret = shim_send_fail(fd, size);
		return true;
	}
	nlvs_shim_unlock();

	m = *msg;
	m.msg_name = NULL;
	m.msg_namelen = 0;
	for (;;) {
		r = nlvs_shim_real.sendmsg(fd, &m, flags | MSG_NOSIGNAL);
		if (r >= 0 || !shim_errno_is_hangup(errno)) {
			*ret = r;
			return true;
		}
		/* nlvsd restarted since the last request: one fresh try. */
		nlvs_shim_lock();
		s = nlvs_shim_sock_find(fd);
		if (s) {
			s->state = NLVS_SHIM_DEAD;
			if (!retried)
				nlvs_shim_conn_attach(s);
		}
		if (!s || s->state != NLVS_SHIM_SERVER || retried) {
			nlvs_shim_unlock();
			*ret = shim_send_fail(fd, size);
			return true;
		}
		nlvs_shim_unlock();
		retried = true;
	}
}

bool nlvs_shim_io_recv(int fd, struct msghdr *msg, int flags, ssize_t *ret)
{
	struct nlvs_shim_sock *s;
	ssize_t r;
	int err;

	if (!nlvs_shim_any_tracked())
		return false;
	nlvs_shim_lock();
	s = nlvs_shim_sock_find(fd);
	if (!s || s->state == NLVS_SHIM_KERNEL) {
		nlvs_shim_unlock();
		return false;
	}
	if (s->synth_valid) {
		*ret = shim_synth_deliver(s, msg, flags);
		nlvs_shim_unlock();
		return true;
	}
	nlvs_shim_unlock();

	r = nlvs_shim_real.recvmsg(fd, msg, flags);
	err = errno;
	if (r > 0 || (r == 0 && (msg->msg_flags & MSG_TRUNC))) {
		shim_msg_fix_name(msg);
		if (!(flags & MSG_PEEK))
			shim_track_answer(fd, msg, r);
		*ret = r;
		return true;
	}
	if (r < 0 && !shim_errno_is_hangup(err)) {
		*ret = r;
		return true;
	}

	/* EOF or reset: nlvsd went away with our request unanswered. */
	nlvs_shim_lock();
	s = nlvs_shim_sock_find(fd);
	if (s) {
		s->state = NLVS_SHIM_DEAD;
		if (s->req_valid)
			nlvs_shim_synth_error(s, EAGAIN);
		if (s->synth_valid) {
			*ret = shim_synth_deliver(s, msg, flags);
			nlvs_shim_unlock();
			return true;
		}
	}
	nlvs_shim_unlock();
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

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t ret;

	nlvs_shim_init();
	if (nlvs_shim_io_recv(fd, msg, flags, &ret))
		return ret;
	return nlvs_shim_real.recvmsg(fd, msg, flags);
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
