// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Socket set-up calls and descriptor bookkeeping.  Before the switch to
 * nlvsd everything reaches the kernel; afterwards bind/getsockname/
 * SOL_NETLINK options are emulated so libnl sees the socket it expects.
 * The legacy IP_VS_SO_* sockopts are refused on every socket (R3).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "shim.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* IP_VS_BASE_CTL .. IP_VS_SO_SET_MAX of the kernel's sockopt interface. */
#define SHIM_IPVS_SO_FIRST 1152
#define SHIM_IPVS_SO_LAST 1167

static bool shim_sockopt_is_ipvs(int level, int optname)
{
	return level == IPPROTO_IP && optname >= SHIM_IPVS_SO_FIRST &&
	       optname <= SHIM_IPVS_SO_LAST;
}

/* Lock and find @fd if it is an nlvsd connection; unlocks if not. */
static struct nlvs_shim_sock *shim_emulated(int fd)
{
	struct nlvs_shim_sock *s;

	if (!nlvs_shim_any_tracked())
		return NULL;
	nlvs_shim_lock();
	s = nlvs_shim_sock_find(fd);
	if (s && s->state != NLVS_SHIM_KERNEL)
		return s;
	nlvs_shim_unlock();
	return NULL;
}

int socket(int domain, int type, int protocol)
{
	struct nlvs_shim_sock *s;
	int fd;

	nlvs_shim_init();
	fd = nlvs_shim_real.socket(domain, type, protocol);
	if (fd < 0)
		return fd;
	if (domain == AF_NETLINK && protocol == NETLINK_GENERIC) {
		nlvs_shim_lock();
		s = nlvs_shim_sock_add(fd);
		if (s) {
			s->state = NLVS_SHIM_KERNEL;
			s->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
		}
		nlvs_shim_unlock();
	} else if (nlvs_shim_any_tracked()) {
		/* The number was closed behind our back (e.g. by a raw syscall). */
		nlvs_shim_lock();
		nlvs_shim_sock_del(fd);
		nlvs_shim_unlock();
	}
	return fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct nlvs_shim_sock *s;
	const struct sockaddr_nl *snl = (const void *)addr;
	int ret;

	nlvs_shim_init();
	s = shim_emulated(fd);
	if (s) {
		if (!addr || len < sizeof(*snl) || snl->nl_family != AF_NETLINK) {
			nlvs_shim_unlock();
			errno = EINVAL;
			return -1;
		}
		s->nl_pid = snl->nl_pid ? snl->nl_pid : (s->nl_pid ? s->nl_pid : (uint32_t)getpid());
		nlvs_shim_unlock();
		return 0;
	}
	ret = nlvs_shim_real.bind(fd, addr, len);
	if (!ret && nlvs_shim_any_tracked()) {
		nlvs_shim_lock();
		s = nlvs_shim_sock_find(fd);
		/* pid 0 asks the kernel to choose: learn it at the switch. */
		if (s && addr && len >= sizeof(*snl) && snl->nl_family == AF_NETLINK)
			s->nl_pid = snl->nl_pid;
		nlvs_shim_unlock();
	}
	return ret;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct nlvs_shim_sock *s;
	size_t n = sizeof(snl);

	nlvs_shim_init();
	s = shim_emulated(fd);
	if (!s)
		return nlvs_shim_real.getsockname(fd, addr, len);
	snl.nl_pid = s->nl_pid;
	nlvs_shim_unlock();
	if (!addr || !len) {
		errno = EFAULT;
		return -1;
	}
	if (*len < n)
		n = *len;
	memcpy(addr, &snl, n);
	*len = sizeof(snl);
	return 0;
}

int setsockopt(int fd, int level, int optname, const void *val, socklen_t len)
{
	struct nlvs_shim_sock *s;

	nlvs_shim_init();
	if (shim_sockopt_is_ipvs(level, optname)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (!nlvs_shim_any_tracked())
		return nlvs_shim_real.setsockopt(fd, level, optname, val, len);
	nlvs_shim_lock();
	s = nlvs_shim_sock_find(fd);
	if (s && level == SOL_NETLINK && s->state != NLVS_SHIM_KERNEL) {
		nlvs_shim_unlock();
		return 0;
	}
	/* Buffer sizes are replayed on every new nlvsd connection. */
	if (s && level == SOL_SOCKET && val && len >= sizeof(int)) {
		if (optname == SO_SNDBUF || optname == SO_SNDBUFFORCE)
			memcpy(&s->sndbuf, val, sizeof(int));
		else if (optname == SO_RCVBUF || optname == SO_RCVBUFFORCE)
			memcpy(&s->rcvbuf, val, sizeof(int));
	}
	nlvs_shim_unlock();
	return nlvs_shim_real.setsockopt(fd, level, optname, val, len);
}

static int shim_getsockopt_int(void *val, socklen_t *len, int v)
{
	if (!val || !len || *len < sizeof(int)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

int getsockopt(int fd, int level, int optname, void *val, socklen_t *len)
{
	struct nlvs_shim_sock *s;
	int type;

	nlvs_shim_init();
	if (shim_sockopt_is_ipvs(level, optname)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	s = shim_emulated(fd);
	if (!s)
		return nlvs_shim_real.getsockopt(fd, level, optname, val, len);
	type = s->type;
	nlvs_shim_unlock();
	if (level == SOL_NETLINK)
		return shim_getsockopt_int(val, len, 0);
	if (level == SOL_SOCKET && optname == SO_DOMAIN)
		return shim_getsockopt_int(val, len, AF_NETLINK);
	if (level == SOL_SOCKET && optname == SO_PROTOCOL)
		return shim_getsockopt_int(val, len, NETLINK_GENERIC);
	if (level == SOL_SOCKET && optname == SO_TYPE)
		return shim_getsockopt_int(val, len, type);
	return nlvs_shim_real.getsockopt(fd, level, optname, val, len);
}

int close(int fd)
{
	nlvs_shim_init();
	/* Forget first: once closed, the number may be reused by another thread. */
	if (nlvs_shim_any_tracked()) {
		nlvs_shim_lock();
		nlvs_shim_sock_del(fd);
		nlvs_shim_unlock();
	}
	return nlvs_shim_real.close(fd);
}

int close_range(unsigned int first, unsigned int last, int flags);
int close_range(unsigned int first, unsigned int last, int flags)
{
	nlvs_shim_init();
	if (!nlvs_shim_real.close_range) {
		errno = ENOSYS;
		return -1;
	}
	if (nlvs_shim_any_tracked() && !(flags & CLOSE_RANGE_CLOEXEC)) {
		nlvs_shim_lock();
		nlvs_shim_sock_del_range(first, last);
		nlvs_shim_unlock();
	}
	return nlvs_shim_real.close_range(first, last, flags);
}

static void shim_dup_track(int oldfd, int newfd)
{
	if (newfd < 0 || oldfd == newfd || !nlvs_shim_any_tracked())
		return;
	nlvs_shim_lock();
	nlvs_shim_sock_copy(oldfd, newfd);
	nlvs_shim_unlock();
}

int dup(int fd)
{
	int ret;

	nlvs_shim_init();
	ret = nlvs_shim_real.dup(fd);
	shim_dup_track(fd, ret);
	return ret;
}

int dup2(int oldfd, int newfd)
{
	int ret;

	nlvs_shim_init();
	ret = nlvs_shim_real.dup2(oldfd, newfd);
	shim_dup_track(oldfd, ret);
	return ret;
}

int dup3(int oldfd, int newfd, int flags)
{
	int ret;

	nlvs_shim_init();
	ret = nlvs_shim_real.dup3(oldfd, newfd, flags);
	shim_dup_track(oldfd, ret);
	return ret;
}

static int shim_fcntl(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
	int ret = real(fd, cmd, arg);

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		shim_dup_track(fd, ret);
	return ret;
}

/* Like glibc, take the optional argument as a pointer-sized word. */
int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	nlvs_shim_init();
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return shim_fcntl(nlvs_shim_real.fcntl, fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...);
int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	nlvs_shim_init();
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return shim_fcntl(nlvs_shim_real.fcntl64, fd, cmd, arg);
}
