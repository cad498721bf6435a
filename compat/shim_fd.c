// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Start-up, and telling descriptors apart by asking the kernel (shim.h).
 * The only memory shared by every context is a handful of words changed
 * with atomics and a fixed table of per-connection entries, each behind a
 * lock word that a signal handler or a vfork child never waits for.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim.h"

/* A process has one or two IPVS sockets; the table only has to outnumber them. */
#define SHIM_NCONV 32

struct nlvs_shim_real nlvs_shim_real;

enum { SHIM_INIT_NONE, SHIM_INIT_RUNNING, SHIM_INIT_DONE };
static int shim_init_state;
static char shim_path[sizeof(((struct sockaddr_un *)0)->sun_path)] = NLVS_SHIM_DEFAULT_SOCKET;
/* The process whose memory this is: set at start and in fork() children only. */
static pid_t shim_pid;
static int shim_ours;
static bool shim_lookups_here = true;
static int shim_synth;
static int shim_switch_owner;
static uint64_t shim_clock;
static struct nlvs_shim_conv shim_convs[SHIM_NCONV];

#define SHIM_RESOLVE(name) \
	(*(void **)&nlvs_shim_real.name = dlsym(RTLD_NEXT, #name))

/*
 * Only used where nlvs_shim_may_record() holds, so never by a vfork child
 * running on its parent's thread block; fork() children start afresh.
 */
static __thread int shim_tid_cache __attribute__((tls_model("initial-exec")));

static int shim_tid(void)
{
	if (!shim_tid_cache)
		shim_tid_cache = (int)syscall(SYS_gettid);
	return shim_tid_cache;
}

/* fork() runs this in the child, vfork() and clone() do not. */
static void shim_atfork_child(void)
{
	__atomic_store_n(&shim_pid, getpid(), __ATOMIC_RELEASE);
	shim_tid_cache = 0;
	/* The threads holding locks did not come along. */
	__atomic_store_n(&shim_switch_owner, 0, __ATOMIC_RELEASE);
	for (size_t i = 0; i < SHIM_NCONV; i++) {
		shim_convs[i].ver += shim_convs[i].ver & 1;
		__atomic_store_n(&shim_convs[i].lock, 0, __ATOMIC_RELEASE);
	}
}

/*
 * Connections inherited across execve() (no FD_CLOEXEC) or received before
 * we looked: if any exists, every call must ask the kernel about its
 * descriptor.  Without /proc we cannot know, so we assume there is one.
 */
static void shim_scan_inherited(void)
{
	char buf[1024];
	enum nlvs_shim_kind kind;
	struct nlvs_shim_id id;
	int dfd;
	long n;

	dfd = nlvs_shim_real.open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		nlvs_shim_ours_seen();
		return;
	}
	while ((n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (void *)(buf + off);
			int fd = atoi(d->d_name);

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9' || fd == dfd)
				continue;
			kind = nlvs_shim_fd_kind(fd, &id);
			if (kind == NLVS_SHIM_OURS || kind == NLVS_SHIM_UNKNOWN)
				nlvs_shim_ours_seen();
		}
	}
	if (n < 0)
		nlvs_shim_ours_seen();
	nlvs_shim_real.close(dfd);
}

static void shim_init_real(void)
{
	const char *env = getenv("NLVS_SOCKET");
	const char *lookups = getenv("NLVS_LOCAL_LOOKUP");

	SHIM_RESOLVE(socket);
	SHIM_RESOLVE(socketpair);
	SHIM_RESOLVE(bind);
	SHIM_RESOLVE(connect);
	SHIM_RESOLVE(getsockname);
	SHIM_RESOLVE(getpeername);
	SHIM_RESOLVE(setsockopt);
	SHIM_RESOLVE(getsockopt);
	SHIM_RESOLVE(sendmsg);
	SHIM_RESOLVE(sendmmsg);
	SHIM_RESOLVE(sendto);
	SHIM_RESOLVE(send);
	SHIM_RESOLVE(write);
	SHIM_RESOLVE(writev);
	SHIM_RESOLVE(recvmsg);
	SHIM_RESOLVE(recvfrom);
	SHIM_RESOLVE(recv);
	SHIM_RESOLVE(read);
	SHIM_RESOLVE(close);
	SHIM_RESOLVE(dup3);
	SHIM_RESOLVE(fcntl);
	SHIM_RESOLVE(fopen);
	SHIM_RESOLVE(fopen64);
	SHIM_RESOLVE(open);
	SHIM_RESOLVE(open64);
	SHIM_RESOLVE(openat);
	SHIM_RESOLVE(openat64);

	/* A copy: the program may rewrite its environment later. */
	if (env && *env && strlen(env) < sizeof(shim_path))
		strcpy(shim_path, env);
	else if (env && *env)
		shim_path[0] = '\0';	/* too long: conn_open says ENAMETOOLONG */
	if (lookups && !strcmp(lookups, "0"))
		shim_lookups_here = false;
	shim_pid = getpid();
	pthread_atfork(NULL, NULL, shim_atfork_child);
	shim_scan_inherited();
}

/*
 * Normally the constructor below runs this before anything else; a call
 * from another library's constructor may come first, and a second thread
 * then waits for the first.
 */
void nlvs_shim_init(void)
{
	int st = __atomic_load_n(&shim_init_state, __ATOMIC_ACQUIRE);

	if (st == SHIM_INIT_DONE)
		return;
	st = SHIM_INIT_NONE;
	if (__atomic_compare_exchange_n(&shim_init_state, &st, SHIM_INIT_RUNNING, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		shim_init_real();
		__atomic_store_n(&shim_init_state, SHIM_INIT_DONE, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&shim_init_state, __ATOMIC_ACQUIRE) != SHIM_INIT_DONE)
		sched_yield();
}

__attribute__((constructor)) static void shim_constructor(void)
{
	nlvs_shim_init();
}

const char *nlvs_shim_socket_path(void)
{
	return shim_path;
}

bool nlvs_shim_lookups_here(void)
{
	return shim_lookups_here;
}

pid_t nlvs_shim_self(void)
{
	return __atomic_load_n(&shim_pid, __ATOMIC_ACQUIRE);
}

bool nlvs_shim_may_record(void)
{
	return getpid() == __atomic_load_n(&shim_pid, __ATOMIC_ACQUIRE);
}

bool nlvs_shim_ours_possible(void)
{
	return __atomic_load_n(&shim_ours, __ATOMIC_ACQUIRE) != 0;
}

/* Only ever set, so a vfork child setting it in its parent's memory is harmless. */
void nlvs_shim_ours_seen(void)
{
	__atomic_store_n(&shim_ours, 1, __ATOMIC_RELEASE);
}

/*
 * Lets a receive skip the per-connection table (and the getpid() of
 * nlvs_shim_may_record) while nlvsd has never failed us: a synthetic answer
 * only exists after one was made.  Only ever set, like shim_ours.
 */
bool nlvs_shim_synth_possible(void)
{
	return __atomic_load_n(&shim_synth, __ATOMIC_ACQUIRE) != 0;
}

void nlvs_shim_synth_seen(void)
{
	__atomic_store_n(&shim_synth, 1, __ATOMIC_RELEASE);
}

size_t nlvs_shim_utoa(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* Parse "DIGITS" up to @end into *v; returns the first character after them. */
static const char *shim_parse_u(const char *p, const char *end, uint64_t *v)
{
	const char *start = p;

	*v = 0;
	while (p < end && *p >= '0' && *p <= '9' && p - start < 20)
		*v = *v * 10 + (uint64_t)(*p++ - '0');
	return p == start ? NULL : p;
}

static bool shim_name_parse(const struct sockaddr_un *sun, socklen_t len, struct nlvs_shim_id *id)
{
	const size_t plen = sizeof(NLVS_SHIM_NAME_PREFIX) - 1;
	const char *p = sun->sun_path + 1, *end = (const char *)sun + len;
	uint64_t type, nl_pid, pid, seq;

	if (len <= offsetof(struct sockaddr_un, sun_path) + 1 + plen || sun->sun_path[0])
		return false;
	if (memcmp(p, NLVS_SHIM_NAME_PREFIX, plen))
		return false;
	p += plen;
	if (!(p = shim_parse_u(p, end, &type)) || p >= end || *p++ != ':' ||
	    !(p = shim_parse_u(p, end, &nl_pid)) || p >= end || *p++ != ':' ||
	    !(p = shim_parse_u(p, end, &pid)) || p >= end || *p++ != ':' ||
	    !(p = shim_parse_u(p, end, &seq)) || p != end)
		return false;
	id->type = (int)type;
	id->nl_pid = (uint32_t)nl_pid;
	id->key = (pid << 32) | (seq & 0xffffffffu);
	return id->key != 0;
}

bool nlvs_shim_addr_ours(const struct sockaddr *sa, socklen_t len, struct nlvs_shim_id *id)
{
	return len >= sizeof(sa_family_t) && sa->sa_family == AF_UNIX &&
	       len <= sizeof(struct sockaddr_un) &&
	       shim_name_parse((const struct sockaddr_un *)sa, len, id);
}

/* What to make of a netlink socket (shim_fd_kind). */
enum shim_netlink {
	SHIM_NL_OTHER,		/* never ours: only the send path cares for its protocol */
	SHIM_NL_ASK,		/* GENL if its protocol is NETLINK_GENERIC */
	SHIM_NL_GENL,		/* GENL: the caller asks the protocol later (fd_confirm) */
};

/*
 * One getsockname answers for most descriptors (files, pipes, other
 * sockets, our own connections); only netlink sockets may need a second
 * call to learn their protocol.  For a netlink socket, id->nl_pid is its
 * port id.
 */
static enum nlvs_shim_kind shim_fd_kind(int fd, struct nlvs_shim_id *id, enum shim_netlink nl)
{
	union {
		struct sockaddr sa;
		struct sockaddr_nl snl;
		struct sockaddr_un sun;
		struct sockaddr_storage ss;
	} addr;
	socklen_t len = sizeof(addr);
	int v;

	if (nlvs_shim_real.getsockname(fd, &addr.sa, &len) < 0)
		/* Not a socket (or no descriptor): the real call reports that itself. */
		return (errno == ENOTSOCK || errno == EBADF) ? NLVS_SHIM_OTHER : NLVS_SHIM_UNKNOWN;
	if (len < sizeof(sa_family_t))
		/* An unbound AF_UNIX socket: not one of ours, which are all bound. */
		return NLVS_SHIM_OTHER;
	if (addr.sa.sa_family == AF_NETLINK) {
		if (nl == SHIM_NL_OTHER || len < sizeof(addr.snl))
			return NLVS_SHIM_OTHER;
		id->key = 0;
		id->type = 0;
		id->nl_pid = addr.snl.nl_pid;
		if (nl == SHIM_NL_GENL)
			return NLVS_SHIM_GENL;
		len = sizeof(int);
		if (nlvs_shim_real.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) < 0)
			return NLVS_SHIM_UNKNOWN;
		return v == NETLINK_GENERIC ? NLVS_SHIM_GENL : NLVS_SHIM_OTHER;
	}
	return nlvs_shim_addr_ours(&addr.sa, len, id) ? NLVS_SHIM_OURS : NLVS_SHIM_OTHER;
}

enum nlvs_shim_kind nlvs_shim_fd_kind(int fd, struct nlvs_shim_id *id)
{
	return shim_fd_kind(fd, id, SHIM_NL_ASK);
}

enum nlvs_shim_kind nlvs_shim_fd_netlink(int fd, struct nlvs_shim_id *id)
{
	return shim_fd_kind(fd, id, SHIM_NL_GENL);
}

enum nlvs_shim_kind nlvs_shim_fd_confirm(int fd, struct nlvs_shim_id *id)
{
	socklen_t len = sizeof(int);
	int v;

	/* Our connections and every other kind of socket say 0, or another protocol. */
	if (nlvs_shim_real.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 &&
	    v == NETLINK_GENERIC)
		return NLVS_SHIM_GENL;
	return shim_fd_kind(fd, id, SHIM_NL_ASK);
}

bool nlvs_shim_fd_ours(int fd, struct nlvs_shim_id *id)
{
	return shim_fd_kind(fd, id, SHIM_NL_OTHER) == NLVS_SHIM_OURS;
}

/*
 * Take a lock word for this thread.  The holder never makes a syscall that
 * can block, so waiting is short, except when the holder is this very
 * thread (a signal handler interrupted it): then we must not wait at all.
 */
static bool shim_lock_take(int *lock)
{
	int tid = shim_tid(), cur;

	for (;;) {
		cur = 0;
		if (__atomic_compare_exchange_n(lock, &cur, tid, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
		if (cur == tid)
			return false;
		sched_yield();
	}
}

static void shim_lock_drop(int *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/*
 * An entry's lock also makes its version odd while it is held, so that a
 * reader without the lock (nlvs_shim_conv_peek) sees that it raced a writer.
 */
static bool shim_conv_lock(struct nlvs_shim_conv *c)
{
	if (!shim_lock_take(&c->lock))
		return false;
	__atomic_store_n(&c->ver, c->ver + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return true;
}

static void shim_conv_unlock(struct nlvs_shim_conv *c)
{
	__atomic_store_n(&c->ver, c->ver + 1, __ATOMIC_RELEASE);
	shim_lock_drop(&c->lock);
}

/* The locked entry for @key, or NULL. */
static struct nlvs_shim_conv *shim_conv_find(uint64_t key, bool *busy)
{
	struct nlvs_shim_conv *c;
	size_t i;

	for (i = 0; i < SHIM_NCONV; i++) {
		c = &shim_convs[i];
		if (__atomic_load_n(&c->key, __ATOMIC_ACQUIRE) != key)
			continue;
		if (!shim_conv_lock(c)) {
			*busy = true;
			return NULL;
		}
		if (c->key == key)
			return c;
		shim_conv_unlock(c);	/* evicted meanwhile */
	}
	return NULL;
}

/* A free entry, else the one unused for longest, locked and given to @key. */
static struct nlvs_shim_conv *shim_conv_claim(uint64_t key)
{
	struct nlvs_shim_conv *c, *victim;
	uint64_t seen;
	size_t i;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		victim = NULL;
		for (i = 0; i < SHIM_NCONV; i++) {
			c = &shim_convs[i];
			if (!__atomic_load_n(&c->key, __ATOMIC_ACQUIRE)) {
				victim = c;
				break;
			}
			if (!victim || __atomic_load_n(&c->stamp, __ATOMIC_RELAXED) <
				       __atomic_load_n(&victim->stamp, __ATOMIC_RELAXED))
				victim = c;
		}
		seen = __atomic_load_n(&victim->key, __ATOMIC_ACQUIRE);
		if (!shim_conv_lock(victim))
			return NULL;
		/* Another thread took it between our look and our lock: look again. */
		if (victim->key != seen) {
			shim_conv_unlock(victim);
			continue;
		}
		memset((char *)victim + offsetof(struct nlvs_shim_conv, stamp), 0,
		       sizeof(*victim) - offsetof(struct nlvs_shim_conv, stamp));
		__atomic_store_n(&victim->key, key, __ATOMIC_RELEASE);
		return victim;
	}
	return NULL;
}

struct nlvs_shim_conv *nlvs_shim_conv_get(uint64_t key, bool create)
{
	struct nlvs_shim_conv *c;
	bool busy = false;

	if (!key || !nlvs_shim_may_record())
		return NULL;
	c = shim_conv_find(key, &busy);
	if (!c && create && !busy)
		c = shim_conv_claim(key);
	if (c)
		__atomic_store_n(&c->stamp, __atomic_add_fetch(&shim_clock, 1, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	return c;
}

bool nlvs_shim_conv_has_synth(uint64_t key)
{
	for (size_t i = 0; key && i < SHIM_NCONV; i++)
		if (__atomic_load_n(&shim_convs[i].key, __ATOMIC_ACQUIRE) == key &&
		    __atomic_load_n(&shim_convs[i].synth_valid, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

void nlvs_shim_conv_put(struct nlvs_shim_conv *c)
{
	if (c)
		shim_conv_unlock(c);
}

bool nlvs_shim_conv_peek(uint64_t key, struct nlvs_shim_conv *out)
{
	const struct nlvs_shim_conv *c;
	uint32_t ver;

	for (size_t i = 0; key && i < SHIM_NCONV; i++) {
		c = &shim_convs[i];
		if (__atomic_load_n(&c->key, __ATOMIC_ACQUIRE) != key)
			continue;
		ver = __atomic_load_n(&c->ver, __ATOMIC_ACQUIRE);
		if (ver & 1)
			return false;
		memcpy(out, c, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return __atomic_load_n(&c->ver, __ATOMIC_RELAXED) == ver && out->key == key &&
		       out->synth_valid && out->synth_n <= 2 && out->synth_i < out->synth_n &&
		       (size_t)out->synth_len[0] + out->synth_len[1] <= sizeof(out->synth);
	}
	return false;
}

/*
 * Serialises the switch of a descriptor to nlvsd between threads, so two
 * threads sending on one socket at once do not both replace it.  A vfork
 * child has its own descriptor table: it needs (and takes) no lock.
 */
bool nlvs_shim_switch_lock(bool *held)
{
	*held = false;
	if (!nlvs_shim_may_record())
		return true;
	*held = shim_lock_take(&shim_switch_owner);
	return *held;
}

/* @held from the lock call: no second getpid() to learn what it already knew. */
void nlvs_shim_switch_unlock(bool held)
{
	if (held)
		shim_lock_drop(&shim_switch_owner);
}
