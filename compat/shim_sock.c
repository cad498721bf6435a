// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Socket set-up calls.  Before the switch to nlvsd everything reaches the
 * kernel; afterwards bind/getsockname/SOL_NETLINK options are emulated so
 * libnl sees the socket it expects.  socket, close, dup* and fcntl are not
 * interposed: the kernel's descriptor table is the record (shim.h).
 * The legacy IP_VS_SO_* sockopts are refused on every socket (R3).
 */
#include <errno.h>
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

/* Is @fd one of our nlvsd connections?  Only the kernel knows. */
static bool shim_emulated(int fd, struct nlvs_shim_id *id)
{
	return nlvs_shim_ours_possible() && nlvs_shim_fd_ours(fd, id);
}

/* The port id the client believes its socket has. */
static uint32_t shim_nl_pid(const struct nlvs_shim_id *id)
{
	struct nlvs_shim_conv *c = nlvs_shim_conv_get(id->key, false);
	uint32_t pid = c && c->nl_pid_set ? c->nl_pid : id->nl_pid;

	nlvs_shim_conv_put(c);
	return pid;
}

/*
 * Before the switch bind reaches the kernel, which then holds the port id.
 * Our connections are bound already, so the kernel refuses a netlink
 * address on them: only then is it worth asking whose the socket is.
 */
int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_nl *snl = (const void *)addr;
	struct nlvs_shim_conv *c;
	struct nlvs_shim_id id;
	uint32_t pid;
	int err;

	nlvs_shim_init();
	if (nlvs_shim_ours_possible() && addr && len >= sizeof(*snl) &&
	    snl->nl_family == AF_NETLINK) {
		if (!nlvs_shim_real.bind(fd, addr, len))
			return 0;
		err = errno;
		if (!nlvs_shim_fd_ours(fd, &id)) {
			errno = err;
			return -1;
		}
	} else if (!shim_emulated(fd, &id)) {
		return nlvs_shim_real.bind(fd, addr, len);
	}
	if (!addr || len < sizeof(*snl) || snl->nl_family != AF_NETLINK) {
		errno = EINVAL;
		return -1;
	}
	pid = snl->nl_pid ? snl->nl_pid : shim_nl_pid(&id);
	if (!pid)
		pid = (uint32_t)getpid();
	c = nlvs_shim_conv_get(id.key, true);
	if (c) {
		c->nl_pid = pid;
		c->nl_pid_set = true;
	}
	nlvs_shim_conv_put(c);
	return 0;
}

/* Answer a name query with a netlink address of port @pid, truncated to
 * *@len as the kernel does, *@len set to the full size. */
static int shim_nl_addr_out(struct sockaddr *addr, socklen_t *len, uint32_t pid)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_pid = pid };
	size_t n = sizeof(snl);

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

/*
 * The name the kernel gave us answers the client too when the socket is
 * not ours: truncated to *@len, *@len set to its size, as the kernel does.
 */
int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t got = sizeof(ss);
	struct nlvs_shim_id id;

	nlvs_shim_init();
	if (!nlvs_shim_ours_possible() || !addr || !len)
		return nlvs_shim_real.getsockname(fd, addr, len);
	if (nlvs_shim_real.getsockname(fd, (struct sockaddr *)&ss, &got) < 0)
		return -1;
	if (nlvs_shim_addr_ours((struct sockaddr *)&ss, got, &id))
		return shim_nl_addr_out(addr, len, shim_nl_pid(&id));
	memcpy(addr, &ss, got < *len ? got : *len);
	*len = got;
	return 0;
}

/* An unconnected netlink socket's peer is the kernel: port 0, no groups. */
int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct nlvs_shim_id id;

	nlvs_shim_init();
	if (!shim_emulated(fd, &id))
		return nlvs_shim_real.getpeername(fd, addr, len);
	return shim_nl_addr_out(addr, len, 0);
}

/* SOL_SOCKET options (buffer sizes) reach the unix socket, and move with it on reconnect. */
int setsockopt(int fd, int level, int optname, const void *val, socklen_t len)
{
	struct nlvs_shim_id id;

	nlvs_shim_init();
	if (shim_sockopt_is_ipvs(level, optname)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (level == SOL_NETLINK && shim_emulated(fd, &id))
		return 0;
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
	struct nlvs_shim_id id;

	nlvs_shim_init();
	if (shim_sockopt_is_ipvs(level, optname)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (!shim_emulated(fd, &id))
		return nlvs_shim_real.getsockopt(fd, level, optname, val, len);
	if (level == SOL_NETLINK)
		return shim_getsockopt_int(val, len, 0);
	if (level == SOL_SOCKET && optname == SO_DOMAIN)
		return shim_getsockopt_int(val, len, AF_NETLINK);
	if (level == SOL_SOCKET && optname == SO_PROTOCOL)
		return shim_getsockopt_int(val, len, NETLINK_GENERIC);
	if (level == SOL_SOCKET && optname == SO_TYPE)
		return shim_getsockopt_int(val, len, id.type);
	return nlvs_shim_real.getsockopt(fd, level, optname, val, len);
}
