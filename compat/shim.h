/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libnlvs-preload.so internals.  The shim interposes libc calls so that an
 * unmodified netlink client's IPVS conversation reaches nlvsd over an AF_UNIX
 * SOCK_SEQPACKET socket while every other netlink socket keeps talking to the
 * kernel.  Nothing here is exported: the only public symbols of the library
 * are the libc functions it replaces.
 */
#ifndef NLVS_SHIM_H
#define NLVS_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/netlink.h>

#define NLVS_SHIM_HIDDEN __attribute__((visibility("hidden")))

#define NLVS_SHIM_DEFAULT_SOCKET "/run/nlvs/ipvs.sock"

/* The libc functions the shim forwards to (resolved with dlsym(RTLD_NEXT)). */
struct nlvs_shim_real {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*read)(int, void *, size_t);
	int (*close)(int);
	int (*close_range)(unsigned int, unsigned int, int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	FILE *(*fopen)(const char *, const char *);
	FILE *(*fopen64)(const char *, const char *);
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
};

NLVS_SHIM_HIDDEN extern struct nlvs_shim_real nlvs_shim_real;
/* Resolve nlvs_shim_real and read the environment, once. */
NLVS_SHIM_HIDDEN void nlvs_shim_init(void);
/* Path of nlvsd's socket (NLVS_SOCKET or the default). */
NLVS_SHIM_HIDDEN const char *nlvs_shim_socket_path(void);

enum nlvs_shim_state {
	NLVS_SHIM_KERNEL,	/* still the kernel's NETLINK_GENERIC socket */
	NLVS_SHIM_SERVER,	/* connected to nlvsd */
	NLVS_SHIM_DEAD,		/* nlvsd gone: EOF end, reconnect on next send */
};

/* One tracked descriptor.  Only touched with the table lock held. */
struct nlvs_shim_sock {
	struct nlvs_shim_sock *next;
	int fd;
	enum nlvs_shim_state state;
	int type;		/* socket() type without flags, for SO_TYPE */
	uint32_t nl_pid;	/* bound port id as the client believes it */
	int sndbuf;		/* SO_SNDBUF/SO_RCVBUF to replay on reconnect */
	int rcvbuf;
	bool req_valid;		/* a request is waiting for ERROR/DONE */
	struct nlmsghdr req;
	bool synth_valid;	/* a synthetic NLMSG_ERROR waits to be read */
	unsigned char synth[sizeof(struct nlmsghdr) + sizeof(struct nlmsgerr)];
};

/* fd table (shim_fd.c) */
NLVS_SHIM_HIDDEN extern int nlvs_shim_ntracked;
NLVS_SHIM_HIDDEN void nlvs_shim_lock(void);
NLVS_SHIM_HIDDEN void nlvs_shim_unlock(void);
NLVS_SHIM_HIDDEN struct nlvs_shim_sock *nlvs_shim_sock_find(int fd);
NLVS_SHIM_HIDDEN struct nlvs_shim_sock *nlvs_shim_sock_add(int fd);
NLVS_SHIM_HIDDEN void nlvs_shim_sock_del(int fd);
NLVS_SHIM_HIDDEN void nlvs_shim_sock_del_range(unsigned int first, unsigned int last);
NLVS_SHIM_HIDDEN void nlvs_shim_sock_copy(int oldfd, int newfd);

static inline bool nlvs_shim_any_tracked(void)
{
	return __atomic_load_n(&nlvs_shim_ntracked, __ATOMIC_ACQUIRE) != 0;
}

/* Server connection (shim_conn.c) */
NLVS_SHIM_HIDDEN int nlvs_shim_conn_open(int *err);
NLVS_SHIM_HIDDEN void nlvs_shim_conn_warn(int err);
NLVS_SHIM_HIDDEN int nlvs_shim_conn_attach(struct nlvs_shim_sock *s);
NLVS_SHIM_HIDDEN bool nlvs_shim_msg_is_ipvs(const void *buf, size_t len);
NLVS_SHIM_HIDDEN void nlvs_shim_synth_error(struct nlvs_shim_sock *s, int err);

/* Datagram paths (shim_io.c) */
NLVS_SHIM_HIDDEN bool nlvs_shim_io_send(int fd, const struct msghdr *msg, int flags,
					ssize_t *ret);
NLVS_SHIM_HIDDEN bool nlvs_shim_io_recv(int fd, struct msghdr *msg, int flags,
					ssize_t *ret);

/* /proc/net/ip_vs* (shim_proc.c) */
NLVS_SHIM_HIDDEN const char *nlvs_shim_proc_name(const char *path);
NLVS_SHIM_HIDDEN int nlvs_shim_proc_open(const char *name, int oflags);

#endif /* NLVS_SHIM_H */
