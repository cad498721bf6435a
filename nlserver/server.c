// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The socket side of nlserver: a filesystem AF_UNIX SOCK_SEQPACKET listener
 * and its clients behind one epoll descriptor.  Every client socket is
 * non-blocking.  A client owns an output queue and at most one dump cursor;
 * dump datagrams are produced only as its socket drains, and while a client
 * has output pending its further requests stay unread, so a client that
 * stops reading stalls itself and nobody else.
 *
 * Descriptors are finite.  The clients are bounded (NLS_CLIENTS_MAX, and
 * what RLIMIT_NOFILE leaves beside a reserve), the list is kept in order of
 * last activity, and a spare descriptor is held open: when the bound or
 * EMFILE/ENFILE is hit, the spare lets the next connection be accepted and
 * either kept in place of the least recently active idle unprivileged client
 * (shed) or closed at once (refused) so that its client sees an error rather
 * than a hang.  If even that is impossible the listener is taken out of
 * epoll for NLS_PAUSE_MS or until a client goes: never a busy loop on a
 * listener that stays readable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>

#include "nls_int.h"
#include "base/nlvs_log.h"

/* Requests larger than this are dropped unread (libnl sends < 1 KiB). */
#define NLS_REQ_MAX		(256 * 1024)
/* Room in the kernel for several dump datagrams and any error echo. */
#define NLS_SNDBUF		(128 * 1024)
/* Datagrams or messages handled per client per dispatch, for fairness. */
#define NLS_BUDGET		32
#define NLS_MAX_EVENTS		64
/* Clients at most, and descriptors left to the rest of the daemon. */
#define NLS_CLIENTS_MAX		4096
#define NLS_FD_RESERVE		128
/* How long the listener rests when no descriptor can be had at all. */
#define NLS_PAUSE_MS		200
/* At most one descriptor-shortage warning per this many seconds. */
#define NLS_LOG_INTERVAL	10

struct nls_dgram {
	struct nls_dgram *next;
	size_t len;
	unsigned char data[];
};

struct nls_client {
	struct nls_client *prev, *next;
	struct nls_server *srv;
	int fd;
	int admin;
	int dead;
	uint32_t events;		/* what epoll watches now */
	unsigned char *in;		/* the request datagram being handled */
	size_t in_len, in_off;
	struct nls_dgram *out_head, *out_tail;
	struct nls_dump dump;
};

struct nls_server {
	int lfd, epfd;
	int spare;			/* /dev/null, given up to accept at EMFILE */
	int tfd;			/* timerfd that resumes a paused listener */
	int paused;
	char *path;
	struct nls_client *clients;	/* most recently active first */
	struct nls_client *last;
	unsigned int nclients, max_clients;
	time_t log_next;		/* rate limit of the shortage warnings */
	unsigned long shed, refused, suppressed;
	uint32_t scratch[NLS_DGRAM_MAX / 4];
	unsigned char rbuf[NLS_REQ_MAX];	/* one request, read whole */
};

static int nls_mkdir_parents(const char *path)
{
	char *dir = strdup(path), *p;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	for (p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(dir, 0755) == 0) {
			/* The umask must not make the socket unreachable. */
			if (chmod(dir, 0755) < 0)
				err = -errno;
		} else if (errno != EEXIST) {
			err = -errno;
		}
		*p = '/';
		if (err)
			break;
	}
	free(dir);
	return err;
}

/* A socket left behind by a dead server is replaced; a live one is not. */
static int nls_stale_remove(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, live;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 || errno == EAGAIN;
	close(fd);
	if (live)
		return -EADDRINUSE;
	if (unlink(sun->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* The bound on clients, from the descriptor limit nlvsd runs with. */
static unsigned int nls_clients_max(void)
{
	struct rlimit rl;
	rlim_t n = NLS_CLIENTS_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		n = rl.rlim_cur > 2 * NLS_FD_RESERVE ? rl.rlim_cur - NLS_FD_RESERVE :
		    rl.rlim_cur / 2;
	return n < NLS_CLIENTS_MAX ? (unsigned int)n : NLS_CLIENTS_MAX;
}

struct nls_server *nls_server_open(const char *path)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct nls_server *srv;
	int err;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return NULL;
	srv->lfd = srv->epfd = srv->spare = srv->tfd = -1;
	srv->max_clients = nls_clients_max();
	srv->path = strdup(path);
	err = srv->path ? nls_mkdir_parents(path) : -ENOMEM;
	if (!err)
		err = nls_stale_remove(&sun);
	if (err)
		goto out;
	srv->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0 ||
	    bind(srv->lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = -errno;
		goto out;
	}
	/* Before listen(): nobody can connect while the mode is still wrong. */
	if (chmod(path, 0660) < 0 || listen(srv->lfd, SOMAXCONN) < 0) {
		err = -errno;
		unlink(path);
		goto out;
	}
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->epfd < 0 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->lfd, &ev) < 0) {
		err = -errno;
		unlink(path);
		goto out;
	}
	srv->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	ev.data.ptr = srv;
	if (srv->tfd < 0 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->tfd, &ev) < 0) {
		err = -errno;
		unlink(path);
		goto out;
	}
	srv->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return srv;
out:
	if (srv->lfd >= 0)
		close(srv->lfd);
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->tfd >= 0)
		close(srv->tfd);
	free(srv->path);
	free(srv);
	errno = -err;
	return NULL;
}

int nls_server_fd(const struct nls_server *srv)
{
	return srv->epfd;
}

static void nls_list_unlink(struct nls_client *c)
{
	struct nls_server *srv = c->srv;

	if (c->prev)
		c->prev->next = c->next;
	else
		srv->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		srv->last = c->prev;
	c->prev = c->next = NULL;
}

static void nls_list_push(struct nls_client *c)
{
	struct nls_server *srv = c->srv;

	c->prev = NULL;
	c->next = srv->clients;
	if (c->next)
		c->next->prev = c;
	else
		srv->last = c;
	srv->clients = c;
}

/* The listener back in epoll after a pause. */
static void nls_listen_resume(struct nls_server *srv)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };

	if (!srv->paused)
		return;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->lfd, &ev) < 0 && errno != EEXIST)
		return;
	timerfd_settime(srv->tfd, 0, &off, NULL);
	srv->paused = 0;
}

static void nls_client_free(struct nls_client *c)
{
	struct nls_server *srv = c->srv;
	struct nls_dgram *d;

	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	while ((d = c->out_head)) {
		c->out_head = d->next;
		free(d);
	}
	nls_dump_abort(&c->dump);
	free(c->in);
	nls_list_unlink(c);
	srv->nclients--;
	free(c);
	/* a descriptor is free again */
	nls_listen_resume(srv);
}

static int nls_client_busy(const struct nls_client *c);
static void nls_client_event(struct nls_client *c, uint32_t events);

/* One warning per NLS_LOG_INTERVAL, with what happened meanwhile. */
static void nls_shortage_log(struct nls_server *srv, const char *what, int err)
{
	time_t now = time(NULL);

	if (now < srv->log_next) {
		srv->suppressed++;
		return;
	}
	srv->log_next = now + NLS_LOG_INTERVAL;
	nlvs_log_warnx("nlserver: %s (%s); %u clients of at most %u, %lu shed and %lu "
		       "refused so far, %lu warnings suppressed", what,
		       err ? strerror(err) : "client bound", srv->nclients, srv->max_clients,
		       srv->shed, srv->refused, srv->suppressed);
	srv->suppressed = 0;
}

/* No descriptor for the listener: rest it instead of polling it hot. */
static void nls_listen_pause(struct nls_server *srv, int err)
{
	struct itimerspec its = { { 0, 0 }, { 0, NLS_PAUSE_MS * 1000000L } };

	nls_shortage_log(srv, "cannot accept, listener paused", err);
	if (srv->paused || epoll_ctl(srv->epfd, EPOLL_CTL_DEL, srv->lfd, NULL) < 0)
		return;
	srv->paused = 1;
	timerfd_settime(srv->tfd, 0, &its, NULL);
}

/*
 * The least recently active client with nothing in progress that may not
 * change the table (privileged clients, keepalived's above all, are never
 * shed), or NULL.
 */
static struct nls_client *nls_shed_victim(struct nls_server *srv)
{
	struct nls_client *c;

	for (c = srv->last; c; c = c->prev)
		if (!c->admin && !nls_client_busy(c))
			return c;
	return NULL;
}

/*
 * Accept one connection on the spare descriptor and keep it in the place of
 * a shed client, or close it at once.  0, or -errno when even that failed.
 */
static int nls_accept_over_limit(struct nls_server *srv, int *fdp, int err)
{
	struct nls_client *victim;
	int fd = *fdp;

	if (fd < 0) {
		if (srv->spare < 0)
			return -err;
		close(srv->spare);
		srv->spare = -1;
		fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			err = errno;
			srv->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
			return -err;
		}
	}
	victim = nls_shed_victim(srv);
	if (victim) {
		srv->shed++;
		nls_shortage_log(srv, "out of descriptors, least recently active idle client "
				 "shed", err);
		nls_client_free(victim);
		*fdp = fd;
	} else {
		srv->refused++;
		nls_shortage_log(srv, "out of descriptors, connection refused", err);
		close(fd);
		*fdp = -1;
	}
	if (srv->spare < 0)
		srv->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return 0;
}

static void nls_accept(struct nls_server *srv)
{
	struct epoll_event ev;
	struct nls_client *c;
	int i, fd, err, sndbuf = NLS_SNDBUF;

	for (i = 0; i < NLS_MAX_EVENTS; i++) {
		fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			err = errno;
			if (err == EAGAIN || err == EWOULDBLOCK)
				return;
			if (err == EINTR || err == ECONNABORTED)
				continue;
			if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) {
				nlvs_log_warn("nlserver: accept");
				nls_listen_pause(srv, err);
				return;
			}
			if (nls_accept_over_limit(srv, &fd, err) < 0) {
				nls_listen_pause(srv, err);
				return;
			}
			if (fd < 0)
				continue;
		} else if (srv->nclients >= srv->max_clients) {
			if (nls_accept_over_limit(srv, &fd, 0) < 0 || fd < 0)
				continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->srv = srv;
		c->fd = fd;
		c->admin = nls_peer_admin(fd);
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		c->events = EPOLLIN | EPOLLRDHUP;
		ev.events = c->events;
		ev.data.ptr = c;
		if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		nls_list_push(c);
		srv->nclients++;
		/*
		 * A client sends its first request right after connect(): it is
		 * often there already (half the time in an ipvsadm -R here), and
		 * answering it now saves a round of polling.  One connection per round: the listener is
		 * level-triggered, so a next one is reported at once, and no
		 * accept4() ends in EAGAIN after each connection.
		 */
		nls_client_event(c, EPOLLIN);
		return;
	}
}

static int nls_send_error_fatal(int err)
{
	return err != EAGAIN && err != EWOULDBLOCK && err != ENOBUFS && err != EINTR;
}

/* nls_emit_fn for a client: send now if nothing waits, else queue a copy. */
static void nls_client_emit(void *arg, const void *buf, size_t len)
{
	struct nls_client *c = arg;
	struct nls_dgram *d;

	if (c->dead)
		return;
	if (!c->out_head) {
		if (send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len)
			return;
		if (nls_send_error_fatal(errno)) {
			c->dead = 1;
			return;
		}
	}
	d = malloc(sizeof(*d) + len);
	if (!d) {
		/* A lost reply would desynchronise the client: drop it instead. */
		c->dead = 1;
		return;
	}
	d->next = NULL;
	d->len = len;
	memcpy(d->data, buf, len);
	if (c->out_tail)
		c->out_tail->next = d;
	else
		c->out_head = d;
	c->out_tail = d;
}

/* 0 when the queue is empty, -EAGAIN when the socket is full. */
static int nls_client_flush(struct nls_client *c)
{
	struct nls_dgram *d;

	while ((d = c->out_head)) {
		if (send(c->fd, d->data, d->len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)d->len) {
			if (nls_send_error_fatal(errno))
				c->dead = 1;
			return -EAGAIN;
		}
		c->out_head = d->next;
		if (!c->out_head)
			c->out_tail = NULL;
		free(d);
	}
	return 0;
}

static int nls_client_busy(const struct nls_client *c)
{
	return c->out_head || c->dump.next || (c->in && c->in_off < c->in_len);
}

/* Make progress on output, the running dump and the pending request. */
static void nls_client_work(struct nls_client *c)
{
	struct nls_out out = { nls_client_emit, c };
	int budget = NLS_BUDGET;
	size_t n;

	while (!c->dead && budget-- > 0) {
		if (c->out_head) {
			if (nls_client_flush(c))
				break;
		} else if (c->dump.next) {
			n = nls_dump_dgram(&c->dump, c->srv->scratch);
			if (n)
				nls_client_emit(c, c->srv->scratch, n);
		} else if (c->in && c->in_off < c->in_len) {
			nls_dgram_run(c->in, c->in_len, &c->in_off, c->admin, &out, &c->dump);
		} else {
			break;
		}
	}
	if (!nls_client_busy(c)) {
		free(c->in);
		c->in = NULL;
	}
}

/*
 * Read one request datagram, whole, in one call; 0 on success or nothing to
 * read, -1 if the client is gone.
 */
static int nls_client_read(struct nls_client *c, uint32_t events)
{
	struct nls_server *srv = c->srv;
	ssize_t len;

	len = recv(c->fd, srv->rbuf, sizeof(srv->rbuf), MSG_TRUNC | MSG_DONTWAIT);
	if (len < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	if (len == 0 && (events & (EPOLLHUP | EPOLLRDHUP)))
		return -1;
	/* Empty, or cut short because absurd: consumed and ignored, as netlink would. */
	if (len == 0 || len > (ssize_t)sizeof(srv->rbuf))
		return 0;
	c->in = malloc(len);
	if (!c->in)
		return -1;
	memcpy(c->in, srv->rbuf, len);
	c->in_len = len;
	c->in_off = 0;
	return 0;
}

static void nls_client_event(struct nls_client *c, uint32_t events)
{
	struct epoll_event ev;

	if (events & EPOLLERR)
		c->dead = 1;
	if (c->prev) {
		nls_list_unlink(c);
		nls_list_push(c);
	}
	nls_client_work(c);
	/*
	 * One request per readiness: ipvsadm and keepalived wait for an answer
	 * before the next request, and epoll (level-triggered) reports a
	 * further one at once, so reading on until EAGAIN would cost a call per
	 * request.
	 */
	if (!c->dead && !nls_client_busy(c) && (events & EPOLLIN)) {
		if (nls_client_read(c, events) < 0)
			c->dead = 1;
		else if (c->in)
			nls_client_work(c);
	}
	if (c->dead) {
		nls_client_free(c);
		return;
	}
	/* Requests wait while anything is pending: that is the back-pressure. */
	ev.events = nls_client_busy(c) ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
	if (ev.events != c->events) {
		ev.data.ptr = c;
		if (epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
			nls_client_free(c);
		else
			c->events = ev.events;
	}
}

void nls_server_dispatch(struct nls_server *srv)
{
	struct epoll_event evs[NLS_MAX_EVENTS];
	int i, n, accept_ready = 0;
	uint64_t ticks;

	n = epoll_wait(srv->epfd, evs, NLS_MAX_EVENTS, 0);
	for (i = 0; i < n; i++) {
		if (!evs[i].data.ptr) {
			accept_ready = 1;
		} else if (evs[i].data.ptr == srv) {
			if (read(srv->tfd, &ticks, sizeof(ticks)) > 0)
				nls_listen_resume(srv);
		} else {
			nls_client_event(evs[i].data.ptr, evs[i].events);
		}
	}
	/* Last: accepting may shed a client that evs[] still points to. */
	if (accept_ready)
		nls_accept(srv);
}

void nls_server_close(struct nls_server *srv)
{
	if (!srv)
		return;
	while (srv->clients)
		nls_client_free(srv->clients);
	close(srv->lfd);
	close(srv->epfd);
	close(srv->tfd);
	if (srv->spare >= 0)
		close(srv->spare);
	unlink(srv->path);
	free(srv->path);
	free(srv);
}
