/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nlserver: the in-process generic-netlink server.  It speaks nlctrl and the
 * kernel's IPVS family (plus nlvs' own "NLVS" family for /proc texts) on an
 * AF_UNIX SOCK_SEQPACKET socket, validates and parses requests into the plain
 * structs of nlvs_ctl.h, and calls the control API.  It never touches packets.
 *
 * It runs on the control thread: the daemon polls nls_server_fd() (an epoll
 * descriptor, readable whenever the server has work) and calls
 * nls_server_dispatch().  Sockets are non-blocking; a client that does not
 * read its replies only stalls itself.
 */
#ifndef NLS_SERVER_H
#define NLS_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct nls_server;

/** Create the listening socket at @path (parent directory created 0755,
 *  stale socket replaced, socket mode 0660).  NULL and errno on failure. */
struct nls_server *nls_server_open(const char *path);
/** An fd to poll for readability. */
int nls_server_fd(const struct nls_server *srv);
/** Handle whatever is ready, without blocking. */
void nls_server_dispatch(struct nls_server *srv);
/** Close every client and the listening socket, unlink the path. */
void nls_server_close(struct nls_server *srv);

/*
 * The message handler without sockets: for unit tests and the fuzz target.
 * @req/@len is one received datagram (possibly several messages); @admin
 * says whether the peer has CAP_NET_ADMIN.  Replies go to @emit, one call per
 * datagram, in order.  A dump is produced entirely.
 */
typedef void (*nls_emit_fn)(void *arg, const void *dgram, size_t len);
void nls_handle_datagram(const void *req, size_t len, int admin,
			 nls_emit_fn emit, void *arg);

/* Fixed family ids: they never change while clients run (ipvs-genl.md 2.4). */
#define NLS_IPVS_FAMILY_ID	0x3f0
#define NLS_NLVS_FAMILY_ID	0x3f1
#define NLS_NLVS_FAMILY_NAME	"NLVS"

/* nlvs' own family: text of the /proc files the shim serves. */
enum {
	NLS_NLVS_CMD_UNSPEC,
	NLS_NLVS_CMD_GET_PROC,		/* dump: PROC_NAME -> TEXT chunks */
	NLS_NLVS_CMD_PROC_TEXT,		/* reply cmd */
};
enum {
	NLS_NLVS_ATTR_UNSPEC,
	NLS_NLVS_ATTR_PROC_NAME,	/* string: "ip_vs_conn", "ip_vs", "ip_vs_stats" */
	NLS_NLVS_ATTR_TEXT,		/* binary chunk of the file */
};

#endif /* NLS_SERVER_H */
