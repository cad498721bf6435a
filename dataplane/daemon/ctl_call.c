// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hand-off of ctl_call.h: a list of waiting calls under a mutex, an
 * eventfd in the control loop's epoll set, and a condition variable the
 * callers sleep on.  Each call lives on its caller's stack until it is done.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "ctl_call.h"

struct ctl_call {
	void (*fn)(void *arg);
	void *arg;
	int done;
	struct ctl_call *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static struct ctl_call *waiting;
static int efd = -1, open_for_calls;

int nlvs_ctl_call_open(void)
{
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return -errno;
	pthread_mutex_lock(&lock);
	open_for_calls = 1;
	pthread_mutex_unlock(&lock);
	return efd;
}

void nlvs_ctl_call_run(void)
{
	struct ctl_call *batch, *c;
	uint64_t n;

	if (read(efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&lock);
	batch = waiting;
	waiting = NULL;
	pthread_mutex_unlock(&lock);
	/* Without the lock: a call may take a while (a large table). */
	for (c = batch; c; c = c->next)
		c->fn(c->arg);
	pthread_mutex_lock(&lock);
	for (c = batch; c; c = c->next)
		c->done = 1;
	pthread_cond_broadcast(&finished);
	pthread_mutex_unlock(&lock);
}

void nlvs_ctl_call_close(void)
{
	struct ctl_call *c;

	pthread_mutex_lock(&lock);
	open_for_calls = 0;
	for (c = waiting; c; c = c->next)
		c->done = -1;
	waiting = NULL;
	pthread_cond_broadcast(&finished);
	pthread_mutex_unlock(&lock);
	if (efd >= 0)
		close(efd);
	efd = -1;
}

int nlvs_ctl_call(void (*fn)(void *arg), void *arg)
{
	struct ctl_call c = { .fn = fn, .arg = arg };
	uint64_t one = 1;
	int rc = 0;

	pthread_mutex_lock(&lock);
	if (!open_for_calls) {
		pthread_mutex_unlock(&lock);
		return -ESHUTDOWN;
	}
	c.next = waiting;
	waiting = &c;
	/* under the lock, so that close() cannot close efd meanwhile; EAGAIN
	 * means the counter is already non-zero: the loop will wake */
	if (write(efd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
		rc = -errno;
		waiting = c.next;	/* still first: pushed and unlinked under the lock */
		pthread_mutex_unlock(&lock);
		return rc;
	}
	while (!c.done)
		pthread_cond_wait(&finished, &lock);
	if (c.done < 0)
		rc = -ESHUTDOWN;
	pthread_mutex_unlock(&lock);
	return rc;
}
