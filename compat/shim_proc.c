// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/net/ip_vs, ip_vs_conn and ip_vs_stats as nlvsd renders them
 * (ipvs-genl.md 11): fetched with one NLVS GET_PROC dump into a memfd, so the
 * reader gets an ordinary seekable file.  ipvsadm -Lc reads ip_vs_conn.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "shim.h"
#include "nls_server.h"

/* A stuck nlvsd must not hang a monitoring tool forever. */
#define SHIM_PROC_TIMEOUT_S 10

static const char *const shim_proc_names[] = { "ip_vs", "ip_vs_conn", "ip_vs_stats" };

const char *nlvs_shim_proc_name(const char *path)
{
	static const char *const dirs[] = { "/proc/net/", "/proc/self/net/" };
	size_t i, j, n;

	if (!path)
		return NULL;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n))
			continue;
		for (j = 0; j < sizeof(shim_proc_names) / sizeof(shim_proc_names[0]); j++)
			if (!strcmp(path + n, shim_proc_names[j]))
				return shim_proc_names[j];
	}
	return NULL;
}

static int shim_proc_request(int sfd, const char *name)
{
	unsigned char buf[128];
	struct nlmsghdr *nlh = (void *)buf;
	struct genlmsghdr *genl = (void *)(buf + NLMSG_HDRLEN);
	struct nlattr *nla = (void *)(buf + NLMSG_HDRLEN + GENL_HDRLEN);
	size_t nlen = strlen(name) + 1;

	memset(buf, 0, sizeof(buf));
	nla->nla_type = NLS_NLVS_ATTR_PROC_NAME;
	nla->nla_len = NLA_HDRLEN + nlen;
	memcpy((char *)nla + NLA_HDRLEN, name, nlen);
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(nla->nla_len);
	nlh->nlmsg_type = NLS_NLVS_FAMILY_ID;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	nlh->nlmsg_pid = getpid();
	genl->cmd = NLS_NLVS_CMD_GET_PROC;
	genl->version = 1;
	if (nlvs_shim_real.send(sfd, buf, nlh->nlmsg_len, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

static int shim_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = nlvs_shim_real.write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* Append the TEXT chunks of one reply message; 1 at DONE, -errno on error. */
static int shim_proc_msg(int mfd, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e;
	size_t off;
	int ret;

	if (nlh->nlmsg_type == NLMSG_DONE)
		return 1;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(e->error))
			return -EPROTO;
		e = NLMSG_DATA(nlh);
		return e->error ? e->error : 0;
	}
	if (nlh->nlmsg_type != NLS_NLVS_FAMILY_ID)
		return 0;
	for (off = NLMSG_HDRLEN + GENL_HDRLEN; off + NLA_HDRLEN <= nlh->nlmsg_len;) {
		const struct nlattr *nla = (const void *)((const char *)nlh + off);

		if (nla->nla_len < NLA_HDRLEN || off + nla->nla_len > nlh->nlmsg_len)
			return -EPROTO;
		if ((nla->nla_type & NLA_TYPE_MASK) == NLS_NLVS_ATTR_TEXT) {
			ret = shim_write_all(mfd, (const char *)nla + NLA_HDRLEN,
					     nla->nla_len - NLA_HDRLEN);
			if (ret)
				return ret;
		}
		off += NLA_ALIGN(nla->nla_len);
	}
	return 0;
}

/*
 * The receive buffer comes from mmap, not malloc: open() may be called from
 * a signal handler or a vfork child, where the heap is not ours to touch.
 */
static int shim_proc_fetch(int sfd, int mfd)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	while (!ret) {
		size_t off;

		n = nlvs_shim_real.recv(sfd, buf, cap, MSG_PEEK | MSG_TRUNC);
		if (n > 0 && (size_t)n > cap) {
			size_t ncap = ((size_t)n + 4095) & ~(size_t)4095;
			char *nbuf = mmap(NULL, ncap, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (nbuf == MAP_FAILED) {
				ret = -ENOMEM;
				break;
			}
			if (buf)
				munmap(buf, cap);
			buf = nbuf;
			cap = ncap;
		}
		if (n >= 0)
			n = nlvs_shim_real.recv(sfd, buf, cap, 0);
		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			break;
		}
		if (n == 0) {
			ret = -ECONNRESET;
			break;
		}
		for (off = 0; !ret && off + NLMSG_HDRLEN <= (size_t)n;) {
			const struct nlmsghdr *nlh = (const void *)(buf + off);

			if (nlh->nlmsg_len < NLMSG_HDRLEN || off + nlh->nlmsg_len > (size_t)n) {
				ret = -EPROTO;
				break;
			}
			ret = shim_proc_msg(mfd, nlh);
			off += NLMSG_ALIGN(nlh->nlmsg_len);
		}
	}
	if (buf)
		munmap(buf, cap);
	return ret < 0 ? ret : 0;
}

/* An fd holding the text of /proc/net/@name, or -1 and errno. */
int nlvs_shim_proc_open(const char *name, int oflags)
{
	struct timeval tv = { .tv_sec = SHIM_PROC_TIMEOUT_S };
	int sfd, mfd = -1, err, ret;

	sfd = nlvs_shim_conn_open(&err);
	if (sfd < 0) {
		nlvs_shim_conn_warn(err);
		errno = err;
		return -1;
	}
	nlvs_shim_real.setsockopt(sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nlvs_shim_real.setsockopt(sfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ret = shim_proc_request(sfd, name);
	if (ret)
		goto out;
	mfd = memfd_create(name, (oflags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (mfd < 0) {
		ret = -errno;
		goto out;
	}
	ret = shim_proc_fetch(sfd, mfd);
	if (!ret && lseek(mfd, 0, SEEK_SET) < 0)
		ret = -errno;
out:
	nlvs_shim_real.close(sfd);
	if (ret) {
		if (mfd >= 0)
			nlvs_shim_real.close(mfd);
		errno = -ret;
		return -1;
	}
	return mfd;
}

static bool shim_mode_is_read(const char *mode)
{
	return mode && mode[0] == 'r' && !strchr(mode, '+');
}

static FILE *shim_fopen(FILE *(*real)(const char *, const char *), const char *path,
			const char *mode)
{
	const char *name = nlvs_shim_proc_name(path);
	FILE *f;
	int fd, err;

	if (!name || !shim_mode_is_read(mode))
		return real(path, mode);
	fd = nlvs_shim_proc_open(name, strchr(mode, 'e') ? O_CLOEXEC : 0);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		err = errno;
		nlvs_shim_real.close(fd);
		errno = err;
	}
	return f;
}

FILE *fopen(const char *path, const char *mode)
{
	nlvs_shim_init();
	return shim_fopen(nlvs_shim_real.fopen, path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	nlvs_shim_init();
	return shim_fopen(nlvs_shim_real.fopen64, path, mode);
}

/* Only a read-only open of an absolute path is ours. */
static const char *shim_open_name(int dirfd, const char *path, int flags)
{
	if ((flags & O_ACCMODE) != O_RDONLY || !path)
		return NULL;
	if (path[0] != '/' && dirfd != AT_FDCWD)
		return NULL;
	return nlvs_shim_proc_name(path);
}

static mode_t shim_open_mode(int flags, va_list ap)
{
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return va_arg(ap, mode_t);
	return 0;
}

#define SHIM_OPEN_BODY(realcall, dirfd)						\
	do {									\
		const char *name;						\
		va_list ap;							\
		mode_t mode;							\
										\
		nlvs_shim_init();						\
		va_start(ap, flags);						\
		mode = shim_open_mode(flags, ap);				\
		va_end(ap);							\
		name = shim_open_name(dirfd, path, flags);			\
		if (name)							\
			return nlvs_shim_proc_open(name, flags);		\
		return realcall;						\
	} while (0)

int open(const char *path, int flags, ...)
{
	SHIM_OPEN_BODY(nlvs_shim_real.open(path, flags, mode), AT_FDCWD);
}

int open64(const char *path, int flags, ...)
{
	SHIM_OPEN_BODY(nlvs_shim_real.open64(path, flags, mode), AT_FDCWD);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	SHIM_OPEN_BODY(nlvs_shim_real.openat(dirfd, path, flags, mode), dirfd);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	SHIM_OPEN_BODY(nlvs_shim_real.openat64(dirfd, path, flags, mode), dirfd);
}

/* _FORTIFY_SOURCE variants (no mode argument: O_CREAT is rejected there). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
	return open(path, flags);
}

int __open64_2(const char *path, int flags)
{
	return open64(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags);
}
