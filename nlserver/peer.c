// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who may change the table.  The kernel's IPVS family is GENL_ADMIN_PERM:
 * netlink_capable(CAP_NET_ADMIN) against the credentials the socket was
 * *opened* with, so a socket keeps the rights of its opener whatever the
 * process holding it does later.  AF_UNIX gives us the credentials of the
 * process that called connect() (SO_PEERCRED: pid, euid, egid, recorded by
 * the kernel at connect), but not its capabilities; those we read from /proc
 * at accept, and only trust when nothing can have raised them since the
 * connect:
 *  - the euid/egid now are those recorded at connect (a setuid or setgid
 *    exec changes them: "nobody connects, then execs su");
 *  - the running image was not started by a privilege-raising exec
 *    (AT_SECURE in its auxiliary vector: setuid, setgid, or file
 *    capabilities that add to what the process had);
 *  - the capability is held in nlvsd's own user namespace (CapEff of a
 *    process in a child namespace says nothing about ours);
 *  - the process read is the one that connected: with SO_PEERPIDFD (Linux
 *    6.5) a pidfd taken at connect still names it after the reads, else the
 *    euid check above guards against a recycled pid.
 * A process that already had CAP_NET_ADMIN (root, or ambient capabilities
 * as systemd's AmbientCapabilities= gives) passes all of these; a process
 * that gains the capability after connecting never does.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "nls_int.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD		77
#endif
#define NLS_CAP_NET_ADMIN	12

struct nls_proc_creds {
	long euid, egid;
	unsigned long long capeff;
};

static int nls_read_at(int dfd, const char *name, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (n < size - 1) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return (int)n;
}

static int nls_status_parse(const char *s, struct nls_proc_creds *pc)
{
	const char *uid = strstr(s, "\nUid:"), *gid = strstr(s, "\nGid:");
	const char *cap = strstr(s, "\nCapEff:");
	long real;

	if (!uid || !gid || !cap ||
	    sscanf(uid, "\nUid: %ld %ld", &real, &pc->euid) != 2 ||
	    sscanf(gid, "\nGid: %ld %ld", &real, &pc->egid) != 2 ||
	    sscanf(cap, "\nCapEff: %llx", &pc->capeff) != 1)
		return -EINVAL;
	return 0;
}

/* 1 if the image was started by a privilege-raising exec, 0 if not, -errno. */
static int nls_auxv_secure(int dfd)
{
	Elf64_auxv_t av[64];
	int n, i;

	n = nls_read_at(dfd, "auxv", (char *)av, sizeof(av));
	if (n < (int)sizeof(av[0]))
		return n < 0 ? n : -EINVAL;
	for (i = 0; i < n / (int)sizeof(av[0]) && av[i].a_type != AT_NULL; i++)
		if (av[i].a_type == AT_SECURE)
			return av[i].a_un.a_val != 0;
	return -EINVAL;
}

static int nls_same_userns(int dfd)
{
	char mine[64], theirs[64];
	ssize_t a, b;

	a = readlink("/proc/self/ns/user", mine, sizeof(mine));
	b = readlinkat(dfd, "ns/user", theirs, sizeof(theirs));
	return a > 0 && a == b && !memcmp(mine, theirs, (size_t)a);
}

int nls_peer_admin(int fd)
{
	struct nls_proc_creds pc;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	char path[64], status[4096];
	int dfd = -1, pidfd = -1, admin = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return 0;
	/* euid 0 at connect: what file_ns_capable() grants root. */
	if (cr.uid == 0)
		return 1;
	if (cr.pid <= 0)
		return 0;
	len = sizeof(pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
		pidfd = -1;
	snprintf(path, sizeof(path), "/proc/%d", (int)cr.pid);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		goto out;
	if (nls_read_at(dfd, "status", status, sizeof(status)) <= 0 ||
	    nls_status_parse(status, &pc) < 0)
		goto out;
	if (pc.euid != (long)cr.uid || pc.egid != (long)cr.gid)
		goto out;
	if (!((pc.capeff >> NLS_CAP_NET_ADMIN) & 1) || !nls_same_userns(dfd))
		goto out;
	if (nls_auxv_secure(dfd) != 0)
		goto out;
	/* Still alive, so /proc/<pid> above was the connecting process. */
	if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		goto out;
	admin = 1;
out:
	if (dfd >= 0)
		close(dfd);
	if (pidfd >= 0)
		close(pidfd);
	return admin;
}
