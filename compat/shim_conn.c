// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Switching a NETLINK_GENERIC descriptor over to nlvsd, and what the client
 * sees when nlvsd is not there (ipvs-genl.md 4.6, R2, R3).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "shim.h"
#include "nls_server.h"

/* Blocking, close-on-exec connection to nlvsd; -1 and *err on failure. */
int nlvs_shim_conn_open(int *err)
{
	const char *path = nlvs_shim_socket_path();
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
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
	*err = 0;
	return fd;
}

/* Once per process: a silent failure here is what made operators lose hours. */
void nlvs_shim_conn_warn(int err)
{
	static int warned;
	char line[512];
	int n;

	if (__atomic_exchange_n(&warned, 1, __ATOMIC_ACQ_REL))
		return;
	n = snprintf(line, sizeof(line), "nlvs: cannot reach nlvsd at %s: %s\n",
		     nlvs_shim_socket_path(), strerror(err));
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (nlvs_shim_real.write(STDERR_FILENO, line, n) < 0)
		return;
}

/*
 * A socket whose peer is already closed: reads give EOF at once and poll()
 * reports it readable, so a dead descriptor never blocks its owner.
 */
static int shim_dead_socket(void)
{
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	nlvs_shim_real.close(sp[1]);
	return sp[0];
}

/*
 * Put a fresh nlvsd connection (or, if nlvsd is unreachable, a dead socket)
 * in place of s->fd, keeping the descriptor number and its O_NONBLOCK and
 * FD_CLOEXEC flags.  Returns 0 when connected, -errno otherwise; s->state
 * says which.  Called with the table lock held.
 */
int nlvs_shim_conn_attach(struct nlvs_shim_sock *s)
{
	int oflags, fdflags, nfd, err = 0;

	if (s->state == NLVS_SHIM_KERNEL && !s->nl_pid) {
		struct sockaddr_nl snl;
		socklen_t len = sizeof(snl);

		if (!nlvs_shim_real.getsockname(s->fd, (struct sockaddr *)&snl, &len) &&
		    snl.nl_family == AF_NETLINK)
			s->nl_pid = snl.nl_pid;
	}
	oflags = nlvs_shim_real.fcntl(s->fd, F_GETFL);
	fdflags = nlvs_shim_real.fcntl(s->fd, F_GETFD);
	if (oflags < 0 || fdflags < 0)
		return -errno;

	nfd = nlvs_shim_conn_open(&err);
	if (nfd < 0) {
		nlvs_shim_conn_warn(err);
		nfd = shim_dead_socket();
		if (nfd < 0) {
			s->state = NLVS_SHIM_DEAD;
			return -err;
		}
	}
	if (s->sndbuf)
		nlvs_shim_real.setsockopt(nfd, SOL_SOCKET, SO_SNDBUF, &s->sndbuf,
					  sizeof(s->sndbuf));
	if (s->rcvbuf)
		nlvs_shim_real.setsockopt(nfd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf,
					  sizeof(s->rcvbuf));
	if (oflags & O_NONBLOCK)
		nlvs_shim_real.fcntl(nfd, F_SETFL, O_NONBLOCK);
	if (nlvs_shim_real.dup3(nfd, s->fd, (fdflags & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		if (!err)
			err = errno;
		nlvs_shim_real.close(nfd);
		s->state = NLVS_SHIM_DEAD;
		return -err;
	}
	nlvs_shim_real.close(nfd);
	s->state = err ? NLVS_SHIM_DEAD : NLVS_SHIM_SERVER;
	return -err;
}

static bool shim_name_is_ours(const struct nlattr *nla)
{
	const char *name = (const char *)nla + NLA_HDRLEN;
	size_t len = nla->nla_len - NLA_HDRLEN;

	return (len == sizeof("IPVS") && !memcmp(name, "IPVS", len)) ||
	       (len == sizeof(NLS_NLVS_FAMILY_NAME) &&
		!memcmp(name, NLS_NLVS_FAMILY_NAME, len));
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
			return shim_name_is_ours(nla);
		off += NLA_ALIGN(nla->nla_len);
	}
	return false;
}

/*
 * Queue the answer nlvsd can no longer give: an NLMSG_ERROR for the request
 * in flight.  EAGAIN survives libnl's errno mapping and is never mistaken
 * for success by ipvsadm or keepalived (ipvs-genl.md 4.6).
 */
void nlvs_shim_synth_error(struct nlvs_shim_sock *s, int err)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = sizeof(s->synth),
		.nlmsg_type = NLMSG_ERROR,
		.nlmsg_flags = NLM_F_CAPPED,
		.nlmsg_seq = s->req.nlmsg_seq,
		.nlmsg_pid = s->req.nlmsg_pid,
	};
	struct nlmsgerr e = { .error = -err, .msg = s->req };

	memcpy(s->synth, &nlh, sizeof(nlh));
	memcpy(s->synth + sizeof(nlh), &e, sizeof(e));
	s->synth_valid = true;
}
