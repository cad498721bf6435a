// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Switching a NETLINK_GENERIC descriptor over to nlvsd, and what the client
 * sees when nlvsd is not there (ipvs-genl.md 4.6, R2, R3).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "shim.h"
#include "nls_server.h"

/* Once per process: a silent failure here is what made operators lose hours. */
void nlvs_shim_conn_warn(int err)
{
	static int warned;
	static const char head[] = "nlvs: cannot reach nlvsd at ";
	const char *path = nlvs_shim_socket_path(), *text = strerrordesc_np(err);
	char line[512];
	size_t n = 0, k;

	/* A vfork child says it too, but leaves its parent's flag alone. */
	if (nlvs_shim_may_record() ? __atomic_exchange_n(&warned, 1, __ATOMIC_ACQ_REL) :
	    __atomic_load_n(&warned, __ATOMIC_ACQUIRE))
		return;
	/* Built by hand: snprintf and strerror are not async-signal-safe. */
	memcpy(line, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	k = strlen(path);
	memcpy(line + n, path, k);
	n += k;
	line[n++] = ':';
	line[n++] = ' ';
	if (!text)
		text = "Unknown error";
	k = strlen(text);
	if (k > sizeof(line) - n - 1)
		k = sizeof(line) - n - 1;
	memcpy(line + n, text, k);
	n += k;
	line[n++] = '\n';
	if (nlvs_shim_real.write(STDERR_FILENO, line, n) < 0)
		return;
}

/*
 * Give @fd the abstract name that marks it as ours (shim.h) and records
 * what it stands for.  The name only has to be unique while the socket
 * lives: PID:SEQ is, unless a pid was reused while an inherited connection
 * of the old process still exists, hence the retries.
 */
static int shim_conn_mark(int fd, int type, uint32_t nl_pid, pid_t self,
			  struct nlvs_shim_id *id)
{
	static uint32_t seq;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const size_t plen = sizeof(NLVS_SHIM_NAME_PREFIX) - 1;
	int tries;

	for (tries = 0; tries < 16; tries++) {
		char *p = sun.sun_path + 1;
		uint64_t pid = (uint64_t)(self > 0 ? self : getpid());
		uint32_t n = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);

		memcpy(p, NLVS_SHIM_NAME_PREFIX, plen);
		p += plen;
		p += nlvs_shim_utoa(p, (uint64_t)type);
		*p++ = ':';
		p += nlvs_shim_utoa(p, nl_pid);
		*p++ = ':';
		p += nlvs_shim_utoa(p, pid);
		*p++ = ':';
		p += nlvs_shim_utoa(p, n);
		if (!nlvs_shim_real.bind(fd, (struct sockaddr *)&sun, p - (char *)&sun)) {
			/* What shim_name_parse will read back. */
			id->key = (pid << 32) | n;
			id->type = type;
			id->nl_pid = nl_pid;
			return 0;
		}
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

/*
 * A blocking, close-on-exec connection to nlvsd, marked as ours when it
 * stands for a client's netlink socket (@id, filled in); -1 and *err on
 * failure.  @self: our pid if known, else 0.
 */
static int shim_conn_dial(int type, uint32_t nl_pid, pid_t self, struct nlvs_shim_id *id,
			  int *err)
{
	const char *path = nlvs_shim_socket_path();
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, ret;

	if (!*path || strlen(path) >= sizeof(sun.sun_path)) {
		*err = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = nlvs_shim_real.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	while (nlvs_shim_real.connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == EINTR)
			continue;
		*err = errno;
		nlvs_shim_real.close(fd);
		return -1;
	}
	/* Marked once connected: a failed attempt costs no name. */
	ret = id ? shim_conn_mark(fd, type, nl_pid, self, id) : 0;
	if (ret) {
		*err = -ret;
		nlvs_shim_real.close(fd);
		return -1;
	}
	*err = 0;
	return fd;
}

/* An unmarked connection, for the shim's own requests (shim_proc.c). */
int nlvs_shim_conn_open(int *err)
{
	return shim_conn_dial(0, 0, 0, NULL, err);
}

/*
 * Stands in for nlvsd while it is unreachable: reads give EOF at once and
 * poll() reports it readable, so a dead descriptor never blocks its owner,
 * and sends fail with EPIPE, which makes the next request try nlvsd again.
 */
static int shim_dead_socket(int type, uint32_t nl_pid, pid_t self, struct nlvs_shim_id *id)
{
	int sp[2];

	if (nlvs_shim_real.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	nlvs_shim_real.close(sp[1]);
	if (shim_conn_mark(sp[0], type, nl_pid, self, id)) {
		nlvs_shim_real.close(sp[0]);
		return -1;
	}
	return sp[0];
}

/* What a new socket copies from the one it replaces: the kernel's values. */
struct shim_fd_props {
	int type;
	uint32_t nl_pid;
	int oflags;
	int fdflags;
	int sndbuf;
	int rcvbuf;
};

static int shim_props_read(int fd, enum nlvs_shim_kind kind, const struct nlvs_shim_id *id,
			   struct shim_fd_props *p)
{
	socklen_t len;

	if (kind == NLVS_SHIM_GENL) {
		len = sizeof(p->type);
		if (nlvs_shim_real.getsockopt(fd, SOL_SOCKET, SO_TYPE, &p->type, &len) < 0)
			return -errno;
		/* 0 when never bound: the client learns its id from getsockname as usual. */
		p->nl_pid = id->nl_pid;
	} else {
		struct nlvs_shim_conv *c = nlvs_shim_conv_get(id->key, false);

		p->type = id->type;
		p->nl_pid = c && c->nl_pid_set ? c->nl_pid : id->nl_pid;
		nlvs_shim_conv_put(c);
	}
	p->oflags = nlvs_shim_real.fcntl(fd, F_GETFL);
	p->fdflags = nlvs_shim_real.fcntl(fd, F_GETFD);
	if (p->oflags < 0 || p->fdflags < 0)
		return -errno;
	/* The kernel reports twice what was set, and doubles what we set. */
	len = sizeof(p->sndbuf);
	if (nlvs_shim_real.getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &p->sndbuf, &len) < 0)
		p->sndbuf = 0;
	len = sizeof(p->rcvbuf);
	if (nlvs_shim_real.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &p->rcvbuf, &len) < 0)
		p->rcvbuf = 0;
	p->sndbuf /= 2;
	p->rcvbuf /= 2;
	return 0;
}

/*
 * Put a fresh nlvsd connection (or, if nlvsd is unreachable, a dead
 * stand-in) in place of @fd, keeping the descriptor number, its O_NONBLOCK
 * and FD_CLOEXEC flags and its buffer sizes.  @fd is a kernel genl socket
 * (@old NULL) or our connection @old that hung up.  Returns 0 when @fd is
 * now connected to nlvsd (or another thread already replaced it), 1 when
 * the stand-in took its place, with *@now naming what @fd is in both cases;
 * NLVS_SHIM_ATTACH_NOT_OURS when @fd (@old NULL, found to be a netlink
 * socket without asking its protocol) is no genl socket; -errno when @fd
 * could not be replaced: the caller must then fail the request, since @fd
 * may still be the kernel's.  @old and @now may alias.  *@oflags (unless
 * NULL) gets @fd's file status flags when this call replaced it, else -1.
 */
int nlvs_shim_conn_attach(int fd, const struct nlvs_shim_id *old, struct nlvs_shim_id *now,
			  int *oflags)
{
	struct nlvs_shim_id cur, fresh;
	struct shim_fd_props p;
	enum nlvs_shim_kind kind;
	int nfd, err = 0, ret;
	pid_t self;
	bool held;

	if (oflags)
		*oflags = -1;
	if (!nlvs_shim_switch_lock(&held))
		return -EDEADLK;	/* a signal handler interrupted a switch */
	/* Asked under the lock: another thread's switch may have changed @fd. */
	if (old) {
		kind = nlvs_shim_fd_kind(fd, &cur);
	} else {
		cur = *now;
		kind = nlvs_shim_fd_confirm(fd, &cur);
	}
	if (kind == NLVS_SHIM_OURS && (!old || cur.key != old->key)) {
		*now = cur;
		ret = 0;
		goto out;
	}
	if (!old && kind == NLVS_SHIM_OTHER) {
		ret = NLVS_SHIM_ATTACH_NOT_OURS;
		goto out;
	}
	if (kind != (old ? NLVS_SHIM_OURS : NLVS_SHIM_GENL)) {
		ret = kind == NLVS_SHIM_OTHER ? -EBADF : -EIO;
		goto out;
	}
	ret = shim_props_read(fd, kind, &cur, &p);
	if (ret)
		goto out;
	if (old)
		nlvs_shim_family_forget();	/* nlvsd hung up: maybe another build now */

	/* Holding the lock means nlvs_shim_may_record(): no getpid() for the name. */
	self = held ? nlvs_shim_self() : 0;
	nfd = shim_conn_dial(p.type, p.nl_pid, self, &fresh, &err);
	if (nfd < 0) {
		nlvs_shim_conn_warn(err);
		nfd = shim_dead_socket(p.type, p.nl_pid, self, &fresh);
		if (nfd < 0) {
			ret = -errno;
			goto out;
		}
	}
	if (p.sndbuf > 0)
		nlvs_shim_real.setsockopt(nfd, SOL_SOCKET, SO_SNDBUF, &p.sndbuf,
					  sizeof(p.sndbuf));
	if (p.rcvbuf > 0)
		nlvs_shim_real.setsockopt(nfd, SOL_SOCKET, SO_RCVBUF, &p.rcvbuf,
					  sizeof(p.rcvbuf));
	if (p.oflags & O_NONBLOCK)
		nlvs_shim_real.fcntl(nfd, F_SETFL, O_NONBLOCK);
	nlvs_shim_ours_seen();
	if (nlvs_shim_real.dup3(nfd, fd, (p.fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		ret = -errno;
		nlvs_shim_real.close(nfd);
		goto out;
	}
	nlvs_shim_real.close(nfd);
	*now = fresh;
	if (oflags)
		*oflags = p.oflags;
	ret = err ? 1 : 0;
out:
	nlvs_shim_switch_unlock(held);
	return ret;
}

/*
 * Does the first message of a datagram start an IPVS conversation?  Either
 * the nlctrl lookup of "IPVS"/"NLVS" (what libnl sends first), or a request
 * already addressed to nlvsd's fixed family ids.
 */
bool nlvs_shim_msg_is_ipvs(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	const struct genlmsghdr *genl;
	size_t off, end;

	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN)
		return false;
	if (nlh->nlmsg_type == NLS_IPVS_FAMILY_ID || nlh->nlmsg_type == NLS_NLVS_FAMILY_ID)
		return true;
	if (nlh->nlmsg_type != GENL_ID_CTRL || len < NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	genl = (const void *)((const char *)buf + NLMSG_HDRLEN);
	if (genl->cmd != CTRL_CMD_GETFAMILY ||
	    (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		return false;
	end = nlh->nlmsg_len < len ? nlh->nlmsg_len : len;
	for (off = NLMSG_HDRLEN + GENL_HDRLEN; off + NLA_HDRLEN <= end;) {
		const struct nlattr *nla = (const void *)((const char *)buf + off);

		if (nla->nla_len < NLA_HDRLEN || off + nla->nla_len > end)
			return false;
		if ((nla->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_NAME)
			return nlvs_shim_family_index(nla) >= 0;
		off += NLA_ALIGN(nla->nla_len);
	}
	return false;
}

/*
 * Could this datagram be a request to a dynamically numbered generic
 * family?  Only then may it be one to the kernel's own IPVS, under the id
 * a family dump (CTRL_CMD_GETFAMILY with NLM_F_DUMP) told the client.
 */
bool nlvs_shim_msg_is_genl_request(const void *buf, size_t len, uint16_t *type)
{
	const struct nlmsghdr *nlh = buf;

	if (len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
	    !(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type <= GENL_ID_CTRL)
		return false;
	*type = nlh->nlmsg_type;
	return true;
}

/*
 * Is @type the id under which the kernel itself serves IPVS?  Asked anew
 * each time on a private socket (ids change when ip_vs is reloaded); only
 * requests to dynamic genl families on kernel sockets pay for it, and
 * ipvsadm and keepalived send none.  When the kernel cannot be asked, the
 * answer is yes: the request then fails instead of maybe programming it.
 */
bool nlvs_shim_kernel_ipvs_is(uint16_t type)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr genl;
		struct nlattr nla;
		char name[8];
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = GENL_ID_CTRL,
			 .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
		.genl = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 },
		.nla = { .nla_len = NLA_HDRLEN + sizeof("IPVS"),
			 .nla_type = CTRL_ATTR_FAMILY_NAME },
		.name = "IPVS",
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	unsigned char buf[2048];
	size_t off;
	ssize_t n;
	int fd;
	bool ret = true;

	fd = nlvs_shim_real.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return true;
	if (nlvs_shim_real.sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel,
				  sizeof(kernel)) != sizeof(req))
		goto out;
	do
		n = nlvs_shim_real.recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)NLMSG_HDRLEN)
		goto out;
	if (((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_ERROR) {
		/* ENOENT: the kernel has no IPVS. */
		ret = n < (ssize_t)(NLMSG_HDRLEN + sizeof(int)) ||
		      ((struct nlmsgerr *)NLMSG_DATA(buf))->error != -ENOENT;
		goto out;
	}
	for (off = NLMSG_HDRLEN + GENL_HDRLEN; off + NLA_HDRLEN <= (size_t)n;) {
		struct nlattr nla;
		uint16_t id;

		memcpy(&nla, buf + off, sizeof(nla));
		if (nla.nla_len < NLA_HDRLEN)
			break;
		if ((nla.nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID &&
		    nla.nla_len >= NLA_HDRLEN + sizeof(id) &&
		    off + NLA_HDRLEN + sizeof(id) <= (size_t)n) {
			memcpy(&id, buf + off + NLA_HDRLEN, sizeof(id));
			ret = id == type;
			break;
		}
		off += NLA_ALIGN(nla.nla_len);
	}
out:
	nlvs_shim_real.close(fd);
	return ret;
}

/*
 * Queue the answer nlvsd can no longer give: an NLMSG_ERROR for the request
 * in flight.  EAGAIN survives libnl's errno mapping and is never mistaken
 * for success by ipvsadm or keepalived (ipvs-genl.md 4.6).
 */
void nlvs_shim_synth_error(struct nlvs_shim_conv *s, int err)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = sizeof(struct nlmsghdr) + sizeof(struct nlmsgerr),
		.nlmsg_type = NLMSG_ERROR,
		.nlmsg_flags = NLM_F_CAPPED,
		.nlmsg_seq = s->req.nlmsg_seq,
		.nlmsg_pid = s->req.nlmsg_pid,
	};
	struct nlmsgerr e = { .error = -err, .msg = s->req };

	memcpy(s->synth, &nlh, sizeof(nlh));
	memcpy(s->synth + sizeof(nlh), &e, sizeof(e));
	s->synth_len[0] = nlh.nlmsg_len;
	s->synth_n = 1;
	s->synth_i = 0;
	s->synth_local = false;
	/* Before the entry is unlocked, so a reader that sees it also sees this. */
	nlvs_shim_synth_seen();
	__atomic_store_n(&s->synth_valid, true, __ATOMIC_RELEASE);
}
