// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipvs_fdops: an IPVS client (raw netlink, no libnl) that does to its
 * sockets what real programs do with processes and descriptors, then sends
 * IPVS requests on them.  Each request creates a firewall-mark service, so
 * the test can see in nlvsd's table that it arrived; strace shows that none
 * went to the kernel.  One line per request: "WHAT ok" or "WHAT error ERRNO".
 * The child patterns hold two sockets while the child runs: one that has
 * already looked IPVS up (M1) and one still the kernel's (M2), which looks
 * it up afterwards.
 *
 *   ipvs_fdops vfork M1 M2         vfork child closes/dups the sockets, execs
 *   ipvs_fdops spawn M1 M2         posix_spawn with close/dup2 actions, system()
 *   ipvs_fdops clone M1 M2         clone(CLONE_VM) child closes the sockets
 *   ipvs_fdops fork M1 M2          fork child uses the inherited socket
 *   ipvs_fdops fork-early M1 M2    fork before the IPVS lookup, both look up
 *   ipvs_fdops exec M1 M2          sockets inherited across execve
 *   ipvs_fdops dup M1 .. M7        dup, dup2, dup3, F_DUPFD[_CLOEXEC], close
 *   ipvs_fdops close-range M1 M2 M3  close_range around and over the sockets
 *   ipvs_fdops threads N K BASE    N threads, own sockets, K requests each
 *   ipvs_fdops signal N BASE       N requests from a signal handler
 *   ipvs_fdops genl NAME           a request to kernel family NAME: its answer
 *   ipvs_fdops kernel-id MARK      find IPVS in the kernel's family dump and
 *                                  send NEW_SERVICE to that id directly
 *   ipvs_fdops sockets M1          a request to nlvsd's IPVS id on a
 *                                  NETLINK_ROUTE socket (the kernel answers
 *                                  it), bind() after the lookup, a request
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>

extern char **environ;

static int ipvs_family;
static const char *self_path;

static int report(const char *what, int ret);

static int nl_open(int flags)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | flags, NETLINK_GENERIC);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&snl, sizeof(snl)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct nlattr *nl_put(char *buf, size_t *len, int type, const void *data, size_t n)
{
	struct nlattr *nla = (struct nlattr *)(buf + *len);

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + n;
	if (data)
		memcpy((char *)nla + NLA_HDRLEN, data, n);
	*len += NLA_ALIGN(nla->nla_len);
	return nla;
}

/*
 * Send one request (with ACK) and read until its ERROR/ACK; the family id
 * of a GETFAMILY reply goes to *family.  0 or -errno.  Async-signal-safe.
 */
static int nl_talk(int fd, char *req, size_t len, int *family)
{
	static unsigned int next_seq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh = (struct nlmsghdr *)req;
	unsigned int seq = __atomic_add_fetch(&next_seq, 1, __ATOMIC_RELAXED);
	char buf[8192];
	ssize_t n;

	nlh->nlmsg_len = len;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == GENL_ID_CTRL && family) {
				struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
				int left = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

				for (; left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
				     left -= NLA_ALIGN(a->nla_len),
				     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
					if (a->nla_type == CTRL_ATTR_FAMILY_ID)
						memcpy(family, (char *)a + NLA_HDRLEN, 2);
			}
		}
	}
}

static int genl_resolve(int fd, const char *name)
{
	char req[64] = { 0 };
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;
	struct genlmsghdr *g = (void *)(req + NLMSG_HDRLEN);
	int family = 0, ret;

	((struct nlmsghdr *)req)->nlmsg_type = GENL_ID_CTRL;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	nl_put(req, &len, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	ret = nl_talk(fd, req, len, &family);
	if (ret)
		return ret;
	family &= 0xffff;
	return family ? family : -ENOENT;
}

/* The id a CTRL_CMD_GETFAMILY dump lists for @name, 0 if none, or -errno. */
static int genl_dump_find(int fd, const char *name)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = GENL_ID_CTRL,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 77 },
		.g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char buf[32768];
	int found = 0;
	ssize_t n;

	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
			int left = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, id = 0;
			bool match = false;

			if (h->nlmsg_type == NLMSG_DONE)
				return found;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			for (; left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
			     left -= NLA_ALIGN(a->nla_len),
			     a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
				if (a->nla_type == CTRL_ATTR_FAMILY_ID)
					memcpy(&id, (char *)a + NLA_HDRLEN, 2);
				if (a->nla_type == CTRL_ATTR_FAMILY_NAME)
					match = !strcmp((char *)a + NLA_HDRLEN, name);
			}
			if (match)
				found = id & 0xffff;
		}
	}
}

static int ipvs_resolve(int fd)
{
	int ret = genl_resolve(fd, "IPVS");

	if (ret < 0)
		return ret;
	ipvs_family = ret;
	return 0;
}

/* Command 1 of a kernel family, empty: whatever the kernel says to that. */
static int do_genl(char **argv)
{
	char req[64] = { 0 };
	struct genlmsghdr *g = (void *)(req + NLMSG_HDRLEN);
	int fd = nl_open(0), family, ret;

	family = genl_resolve(fd, argv[0]);
	if (family < 0)
		return report("lookup", family);
	((struct nlmsghdr *)req)->nlmsg_type = family;
	g->cmd = 1;
	g->version = 1;
	ret = nl_talk(fd, req, NLMSG_HDRLEN + GENL_HDRLEN, NULL);
	printf("%s answers %d\n", argv[0], -ret);
	return 0;
}

/* NEW_SERVICE fwmark @mark, rr: what ipvsadm -A -f MARK sends. */
static int ipvs_new_fwmark(int fd, unsigned int mark)
{
	char req[256] = { 0 };
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;
	struct genlmsghdr *g = (void *)(req + NLMSG_HDRLEN);
	struct ip_vs_flags flags = { 0, ~0U };
	unsigned short af = 2;	/* AF_INET */
	unsigned int zero = 0, mask = ~0U;
	struct nlattr *nest;

	((struct nlmsghdr *)req)->nlmsg_type = ipvs_family;
	g->cmd = IPVS_CMD_NEW_SERVICE;
	g->version = 1;
	nest = nl_put(req, &len, IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED, NULL, 0);
	nl_put(req, &len, IPVS_SVC_ATTR_AF, &af, sizeof(af));
	nl_put(req, &len, IPVS_SVC_ATTR_FWMARK, &mark, sizeof(mark));
	nl_put(req, &len, IPVS_SVC_ATTR_SCHED_NAME, "rr", 3);
	nl_put(req, &len, IPVS_SVC_ATTR_FLAGS, &flags, sizeof(flags));
	nl_put(req, &len, IPVS_SVC_ATTR_TIMEOUT, &zero, sizeof(zero));
	nl_put(req, &len, IPVS_SVC_ATTR_NETMASK, &mask, sizeof(mask));
	nest->nla_len = len - ((char *)nest - req);
	return nl_talk(fd, req, len, NULL);
}

/* GET_INFO: a request that changes nothing. */
static int ipvs_get_info(int fd)
{
	char req[64] = { 0 };
	struct genlmsghdr *g = (void *)(req + NLMSG_HDRLEN);

	((struct nlmsghdr *)req)->nlmsg_type = ipvs_family;
	g->cmd = IPVS_CMD_GET_INFO;
	g->version = 1;
	return nl_talk(fd, req, NLMSG_HDRLEN + GENL_HDRLEN, NULL);
}

static int report(const char *what, int ret)
{
	if (ret)
		printf("%s error %d\n", what, -ret);
	else
		printf("%s ok\n", what);
	return ret ? 1 : 0;
}

static int open_resolved(int flags)
{
	int fd = nl_open(flags), ret;

	if (fd < 0) {
		report("socket", -errno);
		exit(1);
	}
	ret = ipvs_resolve(fd);
	if (ret) {
		report("resolve", ret);
		exit(1);
	}
	return fd;
}

static unsigned int mark_arg(const char *s)
{
	return (unsigned int)strtoul(s, NULL, 0);
}

static int child_wait(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -ECHILD;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

/* After a child ran: a request on the resolved socket, a lookup and request on the other. */
static int after_child(int fd, int kfd, char **argv, const char *what)
{
	char line[128];
	int ret;

	snprintf(line, sizeof(line), "request after %s", what);
	ret = report(line, ipvs_new_fwmark(fd, mark_arg(argv[0])));
	snprintf(line, sizeof(line), "lookup on a socket opened before %s", what);
	ret |= report(line, ipvs_resolve(kfd));
	snprintf(line, sizeof(line), "request on it");
	return ret | report(line, ipvs_new_fwmark(kfd, mark_arg(argv[1])));
}

static int do_vfork(char **argv)
{
	int fd = open_resolved(0), kfd = nl_open(0), ret = 0;
	pid_t pid;

	pid = vfork();
	if (pid == 0) {
		/* What Python's subprocess does between vfork and exec. */
		close(fd);
		dup2(STDERR_FILENO, kfd);
		close_range(3, ~0U, 0);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	ret |= report("vfork child", child_wait(pid));
	return ret | after_child(fd, kfd, argv, "vfork");
}

static int do_spawn(char **argv)
{
	int fd = open_resolved(0), kfd = nl_open(0), ret = 0;
	char *args[] = { "true", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclose(&fa, fd);
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, kfd);
	ret = posix_spawn(&pid, "/bin/true", &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	ret = report("posix_spawn child", ret ? -ret : child_wait(pid));
	ret |= report("system", system("exec true") ? -EIO : 0);
	return ret | after_child(fd, kfd, argv, "posix_spawn");
}

static int clone_fd, clone_kfd;

static int clone_child(void *arg)
{
	(void)arg;
	close(clone_fd);
	dup3(STDERR_FILENO, clone_kfd, O_CLOEXEC);
	close_range(3, ~0U, 0);
	return 0;
}

static int do_clone(char **argv)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int ret;
	pid_t pid;

	clone_fd = open_resolved(0);
	clone_kfd = nl_open(0);
	pid = clone(clone_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
	ret = report("clone child", child_wait(pid));
	return ret | after_child(clone_fd, clone_kfd, argv, "clone");
}

static int do_fork(char **argv, bool early)
{
	int fd = early ? nl_open(0) : open_resolved(0), ret;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		ret = early ? ipvs_resolve(fd) : 0;
		if (!ret)
			ret = ipvs_new_fwmark(fd, mark_arg(argv[0]));
		report("request in fork child", ret);
		_exit(ret ? 1 : 0);
	}
	ret = child_wait(pid) ? 1 : 0;
	if (early && ipvs_resolve(fd))
		return report("resolve in parent", -EIO);
	return ret | report("request in parent after fork", ipvs_new_fwmark(fd, mark_arg(argv[1])));
}

static int do_exec(char **argv)
{
	int fd = open_resolved(0), cfd = open_resolved(SOCK_CLOEXEC), kfd = nl_open(0);
	char a[3][16], fam[16];

	snprintf(a[0], sizeof(a[0]), "%d", fd);
	snprintf(a[1], sizeof(a[1]), "%d", cfd);
	snprintf(a[2], sizeof(a[2]), "%d", kfd);
	snprintf(fam, sizeof(fam), "%d", ipvs_family);
	fflush(stdout);
	execl(self_path, self_path, "exec-child", a[0], a[1], a[2], fam, argv[0], argv[1],
	      (char *)NULL);
	return report("execl", -errno);
}

static int do_exec_child(char **argv)
{
	int fd = atoi(argv[0]), cfd = atoi(argv[1]), kfd = atoi(argv[2]), ret;
	struct sockaddr_nl snl;
	socklen_t len = sizeof(snl);

	ipvs_family = atoi(argv[3]);
	ret = fcntl(cfd, F_GETFD) < 0 && errno == EBADF ? 0 : -EEXIST;
	ret = report("close-on-exec socket gone after exec", ret);
	ret |= report("inherited socket still netlink after exec",
		      getsockname(fd, (struct sockaddr *)&snl, &len) < 0 ? -errno :
		      snl.nl_family == AF_NETLINK && len == sizeof(snl) ? 0 : -EPROTO);
	ret |= report("request on inherited socket after exec",
		      ipvs_new_fwmark(fd, mark_arg(argv[4])));
	ret |= report("lookup on inherited kernel socket after exec", ipvs_resolve(kfd));
	return ret | report("request on it", ipvs_new_fwmark(kfd, mark_arg(argv[5])));
}

static int do_dup(char **argv)
{
	int fd = open_resolved(0), a, b, c, d, e, k, k2, ret;

	a = dup(fd);
	close(fd);
	ret = report("request on dup", ipvs_new_fwmark(a, mark_arg(argv[0])));
	b = dup2(a, 50);
	ret |= report("request on dup2", ipvs_new_fwmark(b, mark_arg(argv[1])));
	c = dup3(b, 60, O_CLOEXEC);
	ret |= report("request on dup3", ipvs_new_fwmark(c, mark_arg(argv[2])));
	d = fcntl(c, F_DUPFD, 70);
	ret |= report("request on F_DUPFD", ipvs_new_fwmark(d, mark_arg(argv[3])));
	e = fcntl(d, F_DUPFD_CLOEXEC, 80);
	close(a);
	close(b);
	close(c);
	close(d);
	ret |= report("request on F_DUPFD_CLOEXEC, others closed",
		      ipvs_new_fwmark(e, mark_arg(argv[4])));
	/* A duplicate made before the lookup shares the kernel's socket. */
	k = nl_open(0);
	k2 = dup(k);
	ret |= report("lookup on a kernel socket", ipvs_resolve(k));
	ret |= report("request on its earlier dup", ipvs_new_fwmark(k2, mark_arg(argv[5])));
	/* dup2 over a switched socket, then a new socket gets its number. */
	dup2(STDERR_FILENO, k);
	close(k);
	k = nl_open(0);
	ret |= report("lookup on a reused number", ipvs_resolve(k));
	return ret | report("request on it", ipvs_new_fwmark(k, mark_arg(argv[6])));
}

static int do_close_range(char **argv)
{
	int fd = open_resolved(0), kfd = nl_open(0), ret;

	close_range(kfd + 1, ~0U, 0);
	ret = report("request after close_range above it", ipvs_new_fwmark(fd, mark_arg(argv[0])));
	close_range(fd, kfd, CLOSE_RANGE_CLOEXEC);
	ret |= report("FD_CLOEXEC set by close_range", fcntl(fd, F_GETFD) == FD_CLOEXEC &&
		      fcntl(kfd, F_GETFD) == FD_CLOEXEC ? 0 : -EIO);
	ret |= report("request after CLOSE_RANGE_CLOEXEC", ipvs_new_fwmark(fd, mark_arg(argv[1])));
	ret |= report("lookup on a kernel socket after it", ipvs_resolve(kfd));
	return ret | report("request on it", ipvs_new_fwmark(kfd, mark_arg(argv[2])));
}

struct thread_arg {
	pthread_barrier_t *start;
	unsigned int base;
	int k;
	int failed;
};

static void *thread_main(void *p)
{
	struct thread_arg *t = p;
	int fd = nl_open(0), i;

	pthread_barrier_wait(t->start);
	if (fd < 0 || ipvs_resolve(fd)) {
		t->failed = t->k;
		return NULL;
	}
	for (i = 0; i < t->k; i++)
		if (ipvs_new_fwmark(fd, t->base + i))
			t->failed++;
	close(fd);
	return NULL;
}

static int do_threads(char **argv)
{
	int n = atoi(argv[0]), k = atoi(argv[1]), i, failed = 0;
	unsigned int base = mark_arg(argv[2]);
	pthread_barrier_t start;
	pthread_t tid[64];
	struct thread_arg args[64];

	if (n < 1 || n > 64)
		return 2;
	pthread_barrier_init(&start, NULL, n);
	for (i = 0; i < n; i++) {
		args[i] = (struct thread_arg){ &start, base + i * k, k, 0 };
		pthread_create(&tid[i], NULL, thread_main, &args[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		failed += args[i].failed;
	}
	printf("threads: %d of %d requests failed\n", failed, n * k);
	return failed ? 1 : 0;
}

static volatile sig_atomic_t sig_done, sig_failed;
static int sig_n;
static unsigned int sig_base;

/* A fresh socket, its lookup and one request, all inside the handler. */
static void sig_handler(int sig)
{
	int err = errno, fd;

	(void)sig;
	/* A slow run (strace) may see more signals than it asked for. */
	if (sig_done >= sig_n)
		return;
	fd = nl_open(0);
	if (fd < 0 || ipvs_resolve(fd) || ipvs_new_fwmark(fd, sig_base + sig_done))
		sig_failed++;
	if (fd >= 0)
		close(fd);
	sig_done++;
	errno = err;
}

static int do_signal(char **argv)
{
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	struct sigaction sa = { .sa_handler = sig_handler, .sa_flags = SA_RESTART };
	int n = atoi(argv[0]), fd = open_resolved(0), main_failed = 0, main_done = 0;
	sigset_t block, old;

	sig_base = mark_arg(argv[1]);
	sig_n = n;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	while (sig_done < n) {
		if (ipvs_get_info(fd))
			main_failed++;
		main_done++;
	}
	/* The timer may still be firing: stop it with the signal blocked. */
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	printf("signal handler: %d of %d requests failed\n", (int)sig_failed, n);
	printf("main thread: %s\n", main_failed ? "requests failed" : "all requests ok");
	(void)main_done;
	return sig_failed || main_failed ? 1 : 0;
}

/* What a client that lists families instead of looking IPVS up would do. */
static int do_kernel_id(char **argv)
{
	int fd = nl_open(0), id;

	id = genl_dump_find(fd, "IPVS");
	if (id <= 0)
		return report("IPVS in the kernel's family dump", id ? id : -ENOENT);
	report("IPVS in the kernel's family dump", 0);
	ipvs_family = id;
	return report("request to the kernel's IPVS id", ipvs_new_fwmark(fd, mark_arg(argv[0])));
}

/*
 * What only the kernel may answer, and bind() where the kernel accepts it:
 * rtnetlink refuses a message of a type it does not know (EOPNOTSUPP), even
 * one numbered like nlvsd's IPVS family; a bound netlink socket takes a
 * bind() to its own port id, and refuses another address family (EINVAL).
 */
static int do_sockets(char **argv)
{
	char req[64] = { 0 };
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK }, got;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(got);
	int rfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), fd, ret;

	if (rfd < 0)
		return report("route socket", -errno);
	((struct nlmsghdr *)req)->nlmsg_type = ipvs_family ? ipvs_family : 0x3f0;
	((struct genlmsghdr *)(req + NLMSG_HDRLEN))->cmd = IPVS_CMD_GET_INFO;
	printf("IPVS-numbered request on a route socket: answer %d\n",
	       -nl_talk(rfd, req, NLMSG_HDRLEN + GENL_HDRLEN, NULL));
	close(rfd);
	fd = open_resolved(0);
	ret = report("own name", getsockname(fd, (struct sockaddr *)&got, &len) < 0 ? -errno : 0);
	snl.nl_pid = got.nl_pid;
	ret |= report("bind to its own port id after the lookup",
		      bind(fd, (struct sockaddr *)&snl, sizeof(snl)) < 0 ? -errno : 0);
	len = sizeof(got);
	ret |= report("same name after it",
		      getsockname(fd, (struct sockaddr *)&got, &len) < 0 ? -errno :
		      got.nl_family == AF_NETLINK && len == sizeof(got) &&
		      got.nl_pid == snl.nl_pid ? 0 : -EPROTO);
	printf("bind to an AF_UNIX name: %s\n",
	       bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ? strerrorname_np(errno) : "ok");
	return ret | report("request after them", ipvs_new_fwmark(fd, mark_arg(argv[0])));
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int nargs;
	} cmds[] = {
		{ "vfork", 2 }, { "spawn", 2 }, { "clone", 2 }, { "fork", 2 },
		{ "fork-early", 2 }, { "exec", 2 }, { "exec-child", 6 }, { "dup", 7 },
		{ "close-range", 3 }, { "threads", 3 }, { "signal", 2 }, { "genl", 1 },
		{ "kernel-id", 1 }, { "sockets", 1 },
	};
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	self_path = argv[0];
	for (i = 0; argc >= 2 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name) && argc == 2 + cmds[i].nargs)
			break;
	if (argc < 2 || i == sizeof(cmds) / sizeof(cmds[0])) {
		fprintf(stderr, "usage: ipvs_fdops vfork|spawn|clone|fork|fork-early|exec|dup|"
			"close-range|threads|signal|genl|kernel-id|sockets ARGS...\n");
		return 2;
	}
	argv += 2;
	switch (i) {
	case 0: return do_vfork(argv);
	case 1: return do_spawn(argv);
	case 2: return do_clone(argv);
	case 3: return do_fork(argv, false);
	case 4: return do_fork(argv, true);
	case 5: return do_exec(argv);
	case 6: return do_exec_child(argv);
	case 7: return do_dup(argv);
	case 8: return do_close_range(argv);
	case 9: return do_threads(argv);
	case 10: return do_signal(argv);
	case 11: return do_genl(argv);
	case 12: return do_kernel_id(argv);
	default: return do_sockets(argv);
	}
}
