/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libnlvs-preload.so internals.  The shim interposes libc calls so that an
 * unmodified netlink client's IPVS conversation reaches nlvsd over an AF_UNIX
 * SOCK_SEQPACKET socket while every other netlink socket keeps talking to the
 * kernel.  Nothing here is exported: the only public symbols of the library
 * are the libc functions it replaces.
 *
 * The kernel's descriptor table is the only record of which descriptor is
 * what.  A descriptor is an nlvsd connection when it is an AF_UNIX socket
 * bound to an abstract name the shim made (NLVS_SHIM_NAME_PREFIX, carrying
 * the netlink socket type and port id it stands for); it is a kernel
 * NETLINK_GENERIC socket when SO_DOMAIN/SO_PROTOCOL say so.  Every call asks
 * the kernel again, so dup, close, fork, vfork, exec and threads cannot make
 * the shim's picture wrong, and nothing needs updating when they happen.
 * Per-connection memory (the request in flight, a port id set by bind after
 * the switch) lives in a fixed table keyed by the connection's name; losing
 * an entry costs a nicer error message, never a request sent to the kernel.
 *
 * Everything reachable from an interposed call is async-signal-safe: no
 * malloc, no mutex, no stdio; a vfork child writes no shared memory.
 */
#ifndef NLVS_SHIM_H
#define NLVS_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/netlink.h>

#define NLVS_SHIM_HIDDEN __attribute__((visibility("hidden")))

#define NLVS_SHIM_DEFAULT_SOCKET "/run/nlvs/ipvs.sock"
/* Abstract AF_UNIX name of a shim connection: "nlvs-shim:TYPE:NLPID:PID:SEQ". */
#define NLVS_SHIM_NAME_PREFIX "nlvs-shim:"

/* The libc functions the shim forwards to (resolved with dlsym(RTLD_NEXT)). */
struct nlvs_shim_real {
	int (*socket)(int, int, int);
	int (*socketpair)(int, int, int, int *);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*read)(int, void *, size_t);
	int (*close)(int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	FILE *(*fopen)(const char *, const char *);
	FILE *(*fopen64)(const char *, const char *);
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
};

NLVS_SHIM_HIDDEN extern struct nlvs_shim_real nlvs_shim_real;
/* Resolve nlvs_shim_real and read the environment, once (a constructor does it). */
NLVS_SHIM_HIDDEN void nlvs_shim_init(void);
/* Path of nlvsd's socket (NLVS_SOCKET or the default). */
NLVS_SHIM_HIDDEN const char *nlvs_shim_socket_path(void);
/* The pid this memory belongs to (equal to getpid() where nlvs_shim_may_record() holds). */
NLVS_SHIM_HIDDEN pid_t nlvs_shim_self(void);
/* False in a vfork()/clone(CLONE_VM) child: it shares our memory, so it records nothing. */
NLVS_SHIM_HIDDEN bool nlvs_shim_may_record(void);
/* May this process hold an nlvsd connection at all?  Never goes back to false. */
NLVS_SHIM_HIDDEN bool nlvs_shim_ours_possible(void);
NLVS_SHIM_HIDDEN void nlvs_shim_ours_seen(void);
/* Has this process ever synthesized an answer?  Never goes back to false. */
NLVS_SHIM_HIDDEN bool nlvs_shim_synth_possible(void);
NLVS_SHIM_HIDDEN void nlvs_shim_synth_seen(void);

/* What the kernel says a descriptor is (shim_fd.c). */
enum nlvs_shim_kind {
	NLVS_SHIM_OTHER,	/* not a socket of ours, nor a kernel genl socket */
	NLVS_SHIM_GENL,		/* the kernel's AF_NETLINK NETLINK_GENERIC socket */
	NLVS_SHIM_OURS,		/* a connection to nlvsd (or its dead stand-in) */
	NLVS_SHIM_UNKNOWN,	/* the kernel would not say: IPVS requests fail */
};

/* What the name of one of our connections says. */
struct nlvs_shim_id {
	uint64_t key;		/* PID:SEQ, unique while the connection exists */
	int type;		/* the netlink socket type the client asked for */
	uint32_t nl_pid;	/* its port id when it was switched */
};

NLVS_SHIM_HIDDEN enum nlvs_shim_kind nlvs_shim_fd_kind(int fd, struct nlvs_shim_id *id);
/*
 * The same with one question (getsockname): a netlink socket is taken for
 * the kernel's genl socket, and the caller asks its protocol later, under
 * the switch lock, with nlvs_shim_fd_confirm().  For all three, a netlink
 * socket's port id is in id->nl_pid.
 */
NLVS_SHIM_HIDDEN enum nlvs_shim_kind nlvs_shim_fd_netlink(int fd, struct nlvs_shim_id *id);
/*
 * @fd was a netlink socket a moment ago (its port id in id->nl_pid): GENL
 * when its protocol is NETLINK_GENERIC, else what it is now (another
 * thread may have switched it), asked in full.
 */
NLVS_SHIM_HIDDEN enum nlvs_shim_kind nlvs_shim_fd_confirm(int fd, struct nlvs_shim_id *id);
/* Is this address (from getsockname) the name of one of our connections? */
NLVS_SHIM_HIDDEN bool nlvs_shim_addr_ours(const struct sockaddr *sa, socklen_t len,
					  struct nlvs_shim_id *id);
/* Is @fd one of our connections?  (One getsockname: never asks a netlink socket's protocol.) */
NLVS_SHIM_HIDDEN bool nlvs_shim_fd_ours(int fd, struct nlvs_shim_id *id);

/* A family's answer (CTRL_CMD_NEWFAMILY) and its ACK fit here. */
#define NLVS_SHIM_SYNTH_MAX 1024

/*
 * Per-connection memory.  nlvs_shim_conv_get returns the entry locked, or
 * NULL when this context may not use the table (vfork child, a signal
 * handler interrupting the holder); callers then do without it.
 */
struct nlvs_shim_conv {
	uint64_t key;		/* 0: free; written only with the slot locked */
	int lock;		/* tid of the holder, 0 when free */
	uint32_t ver;		/* odd while locked (nlvs_shim_conv_peek) */
	uint64_t stamp;		/* last use, to pick the entry to evict */
	bool nl_pid_set;	/* bind() after the switch chose this port id */
	uint32_t nl_pid;
	bool req_valid;		/* a request is waiting for ERROR/DONE */
	struct nlmsghdr req;
	/*
	 * Datagrams the shim answers with, read before the socket's own: the
	 * NLMSG_ERROR for a request nlvsd can no longer answer, or the answer
	 * to a family lookup nlvsd gave before (nlvs_shim_family_answer).
	 * synth_valid is also read without the lock (nlvs_shim_conv_has_synth).
	 */
	bool synth_valid;
	bool synth_local;	/* a lookup answered here: its request went nowhere */
	uint8_t synth_n;	/* datagrams queued (1 or 2) */
	uint8_t synth_i;	/* the next one to deliver */
	uint16_t synth_len[2];
	unsigned char synth[NLVS_SHIM_SYNTH_MAX];
};

NLVS_SHIM_HIDDEN struct nlvs_shim_conv *nlvs_shim_conv_get(uint64_t key, bool create);
NLVS_SHIM_HIDDEN void nlvs_shim_conv_put(struct nlvs_shim_conv *c);
/* Does connection @key have synthetic datagrams queued?  No lock, no syscall. */
NLVS_SHIM_HIDDEN bool nlvs_shim_conv_has_synth(uint64_t key);
/*
 * A copy of connection @key's entry taken without the lock (so without the
 * getpid() of nlvs_shim_may_record, and in a vfork child too), for a
 * MSG_PEEK, which changes nothing: true when it has a synthetic datagram
 * to deliver and no writer came in between.  Else the caller locks.
 */
NLVS_SHIM_HIDDEN bool nlvs_shim_conv_peek(uint64_t key, struct nlvs_shim_conv *out);

/* One lock for replacing descriptors; false when it cannot be taken here. */
NLVS_SHIM_HIDDEN bool nlvs_shim_switch_lock(bool *held);
NLVS_SHIM_HIDDEN void nlvs_shim_switch_unlock(bool held);

/* Small async-signal-safe helpers (shim_fd.c). */
NLVS_SHIM_HIDDEN size_t nlvs_shim_utoa(char *buf, uint64_t v);

/* Server connection (shim_conn.c) */
NLVS_SHIM_HIDDEN int nlvs_shim_conn_open(int *err);
NLVS_SHIM_HIDDEN void nlvs_shim_conn_warn(int err);
NLVS_SHIM_HIDDEN int nlvs_shim_conn_attach(int fd, const struct nlvs_shim_id *old,
					   struct nlvs_shim_id *now, int *oflags);
/* nlvs_shim_conn_attach: @fd is not a genl socket after all, leave it to the kernel. */
#define NLVS_SHIM_ATTACH_NOT_OURS 2
NLVS_SHIM_HIDDEN bool nlvs_shim_msg_is_ipvs(const void *buf, size_t len);
NLVS_SHIM_HIDDEN bool nlvs_shim_msg_is_genl_request(const void *buf, size_t len, uint16_t *type);
NLVS_SHIM_HIDDEN bool nlvs_shim_kernel_ipvs_is(uint16_t type);
NLVS_SHIM_HIDDEN void nlvs_shim_synth_error(struct nlvs_shim_conv *c, int err);

/*
 * Family lookups answered in the process (shim_family.c).  nlvsd's answer
 * to CTRL_CMD_GETFAMILY for IPVS or NLVS is the same for every request but
 * for its sequence number and port id, so the first one a process reads is
 * kept, and later lookups on blocking connections to nlvsd are answered
 * from it without a round trip: the answer is read at once, but poll()
 * does not see it, so non-blocking sockets (event loops) still ask nlvsd.
 * Forgotten whenever nlvsd hangs up; never with NLVS_LOCAL_LOOKUP=0.
 */
NLVS_SHIM_HIDDEN bool nlvs_shim_lookups_here(void);	/* not NLVS_LOCAL_LOOKUP=0 */
/* 0 for a CTRL_ATTR_FAMILY_NAME of "IPVS", 1 for "NLVS", -1 for any other name. */
NLVS_SHIM_HIDDEN int nlvs_shim_family_index(const struct nlattr *nla);
NLVS_SHIM_HIDDEN void nlvs_shim_family_learn(const void *buf, size_t len);
NLVS_SHIM_HIDDEN void nlvs_shim_family_forget(void);
NLVS_SHIM_HIDDEN bool nlvs_shim_family_answer(struct nlvs_shim_conv *c, const void *req,
					      size_t len);

/* Datagram paths (shim_io.c) */
NLVS_SHIM_HIDDEN bool nlvs_shim_io_send(int fd, const struct msghdr *msg, int flags,
					ssize_t *ret);
NLVS_SHIM_HIDDEN bool nlvs_shim_io_recv(int fd, struct msghdr *msg, int flags,
					ssize_t *ret);

/* /proc/net/ip_vs* (shim_proc.c) */
NLVS_SHIM_HIDDEN const char *nlvs_shim_proc_name(const char *path);
NLVS_SHIM_HIDDEN int nlvs_shim_proc_open(const char *name, int oflags);

#endif /* NLVS_SHIM_H */
