// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of descriptors the shim watches, and start-up.  A process has a
 * handful of NETLINK_GENERIC sockets at most, so a list under one mutex is
 * enough; nlvs_shim_ntracked lets every other descriptor skip the lock.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

struct nlvs_shim_real nlvs_shim_real;
int nlvs_shim_ntracked;

static pthread_once_t shim_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t shim_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct nlvs_shim_sock *shim_socks;
static const char *shim_path = NLVS_SHIM_DEFAULT_SOCKET;

#define SHIM_RESOLVE(name) \
	(*(void **)&nlvs_shim_real.name = dlsym(RTLD_NEXT, #name))

/* A fork while another thread holds the lock must not leave it held. */
static void shim_atfork_prepare(void)
{
	pthread_mutex_lock(&shim_mutex);
}

static void shim_atfork_release(void)
{
	pthread_mutex_unlock(&shim_mutex);
}

static void shim_init_once(void)
{
	const char *env = getenv("NLVS_SOCKET");

	SHIM_RESOLVE(socket);
	SHIM_RESOLVE(bind);
	SHIM_RESOLVE(connect);
	SHIM_RESOLVE(getsockname);
	SHIM_RESOLVE(setsockopt);
	SHIM_RESOLVE(getsockopt);
	SHIM_RESOLVE(sendmsg);
	SHIM_RESOLVE(sendto);
	SHIM_RESOLVE(send);
	SHIM_RESOLVE(write);
	SHIM_RESOLVE(recvmsg);
	SHIM_RESOLVE(recvfrom);
	SHIM_RESOLVE(recv);
	SHIM_RESOLVE(read);
	SHIM_RESOLVE(close);
	SHIM_RESOLVE(close_range);
	SHIM_RESOLVE(dup);
	SHIM_RESOLVE(dup2);
	SHIM_RESOLVE(dup3);
	SHIM_RESOLVE(fcntl);
	SHIM_RESOLVE(fcntl64);
	SHIM_RESOLVE(fopen);
	SHIM_RESOLVE(fopen64);
	SHIM_RESOLVE(open);
	SHIM_RESOLVE(open64);
	SHIM_RESOLVE(openat);
	SHIM_RESOLVE(openat64);
	if (!nlvs_shim_real.fcntl64)
		nlvs_shim_real.fcntl64 = nlvs_shim_real.fcntl;

	/* A copy: the program may rewrite its environment later. */
	if (env && *env) {
		char *copy = strdup(env);

		if (copy)
			shim_path = copy;
	}

	pthread_atfork(shim_atfork_prepare, shim_atfork_release, shim_atfork_release);
}

void nlvs_shim_init(void)
{
	pthread_once(&shim_once, shim_init_once);
}

const char *nlvs_shim_socket_path(void)
{
	return shim_path;
}

void nlvs_shim_lock(void)
{
	pthread_mutex_lock(&shim_mutex);
}

void nlvs_shim_unlock(void)
{
	pthread_mutex_unlock(&shim_mutex);
}

struct nlvs_shim_sock *nlvs_shim_sock_find(int fd)
{
	struct nlvs_shim_sock *s;

	for (s = shim_socks; s; s = s->next)
		if (s->fd == fd)
			return s;
	return NULL;
}

/* A stale entry for @fd (closed behind our back) is replaced. */
struct nlvs_shim_sock *nlvs_shim_sock_add(int fd)
{
	struct nlvs_shim_sock *s;

	nlvs_shim_sock_del(fd);
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->fd = fd;
	s->next = shim_socks;
	shim_socks = s;
	__atomic_add_fetch(&nlvs_shim_ntracked, 1, __ATOMIC_RELEASE);
	return s;
}

void nlvs_shim_sock_del(int fd)
{
	struct nlvs_shim_sock **pp, *s;

	for (pp = &shim_socks; (s = *pp); pp = &s->next) {
		if (s->fd == fd) {
			*pp = s->next;
			free(s);
			__atomic_sub_fetch(&nlvs_shim_ntracked, 1, __ATOMIC_RELEASE);
			return;
		}
	}
}

void nlvs_shim_sock_del_range(unsigned int first, unsigned int last)
{
	struct nlvs_shim_sock **pp = &shim_socks, *s;

	while ((s = *pp)) {
		if ((unsigned int)s->fd >= first && (unsigned int)s->fd <= last) {
			*pp = s->next;
			free(s);
			__atomic_sub_fetch(&nlvs_shim_ntracked, 1, __ATOMIC_RELEASE);
		} else {
			pp = &s->next;
		}
	}
}

/* A duplicate shares the open file, so it shares what we know about it. */
void nlvs_shim_sock_copy(int oldfd, int newfd)
{
	struct nlvs_shim_sock *old, *s, *next;

	nlvs_shim_sock_del(newfd);
	old = nlvs_shim_sock_find(oldfd);
	if (!old)
		return;
	s = nlvs_shim_sock_add(newfd);
	if (!s)
		return;
	next = s->next;
	*s = *old;
	s->next = next;
	s->fd = newfd;
}
