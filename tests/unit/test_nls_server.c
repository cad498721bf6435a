// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The socket server: path, modes and stale sockets; the nlctrl exchange over
 * a real SOCK_SEQPACKET connection; a 3,000-service dump to a client that
 * does not read while another client is served; a client leaving mid-dump;
 * several requests in one datagram; the SO_PEERCRED permission check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>

#include "nls_server.h"
#include "ctl/nlvs_ctl.h"
#include "test_nls_util.h"

static char dir[64], sub[96], path[128];
static struct nls_server *srv;
static uint32_t reqbuf[1024];
static unsigned char rbuf[65536];

static int setup(void **state)
{
	strcpy(dir, "/tmp/nls-test-XXXXXX");
	if (!mkdtemp(dir) || nlvs_ctl_init())
		return -1;
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/ipvs.sock", sub);
	srv = nls_server_open(path);
	return srv ? 0 : -1;
}

static int teardown(void **state)
{
	nls_server_close(srv);
	rmdir(sub);
	rmdir(dir);
	nlvs_ctl_fini();
	return 0;
}

static int client_open(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(sun.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Dispatch until @fd has something to read (or give up after ~2 s). */
static void pump(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int i;

	for (i = 0; i < 2000; i++) {
		nls_server_dispatch(srv);
		if (poll(&p, 1, 1) > 0)
			return;
	}
	fail_msg("no reply from the server");
}

static ssize_t client_recv(int fd)
{
	ssize_t n;

	pump(fd);
	n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
	assert_true(n > 0);
	return n;
}

static struct nlmsghdr *getfamily(const char *name)
{
	struct nlmsghdr *nlh = nls_t_req(reqbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
					 CTRL_CMD_GETFAMILY, 1);

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return nlh;
}

static void test_paths(void **state)
{
	struct stat st;
	struct nls_server *other;
	int fd;

	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_true(nls_server_fd(srv) >= 0);

	/* A live server's socket is not stolen. */
	other = nls_server_open(path);
	assert_null(other);
	assert_int_equal(errno, EADDRINUSE);

	/* A stale one is replaced. */
	nls_server_close(srv);
	assert_int_equal(access(path, F_OK), -1);
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		strcpy(sun.sun_path, path);
		fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
		close(fd);
	}
	assert_int_equal(access(path, F_OK), 0);
	srv = nls_server_open(path);
	assert_non_null(srv);
	fd = client_open();
	close(fd);
}

static void test_getfamily(void **state)
{
	struct nlmsghdr *nlh = getfamily("IPVS");
	int fd = client_open();
	ssize_t n;

	assert_int_equal(send(fd, nlh, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	n = client_recv(fd);
	assert_int_equal(n, 388);
	/* The ACK comes as a datagram of its own. */
	n = client_recv(fd);
	assert_int_equal(n, 36);
	assert_int_equal(((struct nlmsghdr *)rbuf)->nlmsg_type, NLMSG_ERROR);
	close(fd);
}

/* Datagram lengths of a whole dump; returns the number of objects. */
static size_t read_dump(int fd, size_t *dgrams)
{
	size_t objs = 0;
	int done = 0;

	*dgrams = 0;
	while (!done) {
		int rem = client_recv(fd);
		const struct nlmsghdr *m = (const void *)rbuf;

		assert_true(rem <= 16384);
		(*dgrams)++;
		for (; mnl_nlmsg_ok(m, rem); m = mnl_nlmsg_next(m, &rem)) {
			assert_int_equal(done, 0);
			assert_int_equal(m->nlmsg_flags, NLM_F_MULTI);
			if (m->nlmsg_type == NLMSG_DONE)
				done = 1;
			else
				objs++;
		}
	}
	return objs;
}

static void add_services(size_t n)
{
	struct nlvs_svc_conf c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.key.af = AF_INET;
	c.key.protocol = IPPROTO_TCP;
	c.key.port = htons(80);
	strcpy(c.sched_name, "rr");
	c.netmask = 0xffffffff;
	for (i = 0; i < n; i++) {
		c.key.addr.ip = htonl(0x0a000000 + i + 1);
		assert_int_equal(nlvs_ctl_svc_add(&c), 0);
	}
}

static void test_stalled_dump(void **state)
{
	struct nlmsghdr *nlh;
	size_t dgrams, objs;
	int slow, fast, i;
	ssize_t n;

	add_services(3000);
	slow = client_open();
	fast = client_open();
	nlh = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
			IPVS_CMD_GET_SERVICE, 1);
	assert_int_equal(send(slow, nlh, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	for (i = 0; i < 200; i++)
		nls_server_dispatch(srv);

	/* The slow reader has not read a byte; the other client is served. */
	nlh = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK,
			IPVS_CMD_GET_INFO, 1);
	assert_int_equal(send(fast, nlh, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	n = client_recv(fast);
	assert_int_equal(n, 36);
	n = client_recv(fast);
	assert_int_equal(n, 36);

	objs = read_dump(slow, &dgrams);
	assert_int_equal(objs, 3000);
	assert_true(dgrams >= 3000 / 52);
	/* No ACK after DONE: a GET_INFO now gets exactly its reply next. */
	assert_int_equal(send(slow, nlh, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	n = client_recv(slow);
	assert_int_equal(n, 36);
	assert_int_equal(((struct nlmsghdr *)rbuf)->nlmsg_type, NLS_IPVS_FAMILY_ID);
	close(slow);
	close(fast);
}

static void test_leave_mid_dump(void **state)
{
	struct nlmsghdr *nlh;
	int fd, i;
	ssize_t n;

	add_services(2000);
	nlh = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
			IPVS_CMD_GET_SERVICE, 1);
	for (i = 0; i < 5; i++) {
		fd = client_open();
		assert_int_equal(send(fd, nlh, nlh->nlmsg_len, 0), nlh->nlmsg_len);
		pump(fd);
		if (i % 2)
			recv(fd, rbuf, sizeof(rbuf), 0);
		close(fd);
	}
	for (i = 0; i < 50; i++)
		nls_server_dispatch(srv);
	/* Still serving. */
	fd = client_open();
	nlh = getfamily("NLVS");
	assert_int_equal(send(fd, nlh, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	n = client_recv(fd);
	assert_int_equal(n, 88);
	close(fd);
}

/* GET_INFO, a dump, GET_INFO in one datagram: answered strictly in order. */
static void test_ordered_batch(void **state)
{
	unsigned char buf[128];
	struct nlmsghdr *nlh;
	size_t off = 0, dgrams;
	int fd = client_open();
	ssize_t n;

	add_services(200);
	nlh = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK,
			IPVS_CMD_GET_INFO, 1);
	memcpy(buf, nlh, 20);
	off += 20;
	memcpy(buf + off, nlh, 20);
	((struct nlmsghdr *)(buf + off))->nlmsg_flags |= NLM_F_DUMP;
	((struct genlmsghdr *)(buf + off + 16))->cmd = IPVS_CMD_GET_SERVICE;
	off += 20;
	memcpy(buf + off, nlh, 20);
	off += 20;
	assert_int_equal(send(fd, buf, off, 0), (ssize_t)off);

	n = client_recv(fd);
	assert_int_equal(n, 36);
	n = client_recv(fd);
	assert_int_equal(n, 36);
	assert_int_equal(((struct nlmsghdr *)rbuf)->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(read_dump(fd, &dgrams), 200);
	n = client_recv(fd);
	assert_int_equal(((struct nlmsghdr *)rbuf)->nlmsg_type, NLS_IPVS_FAMILY_ID);
	n = client_recv(fd);
	assert_int_equal(((struct nlmsghdr *)rbuf)->nlmsg_type, NLMSG_ERROR);
	close(fd);
}

/* An unprivileged peer resolves the family and reads /proc texts but gets
 * -EPERM for IPVS commands. */
static void test_peercred(void **state)
{
	struct nlmsghdr *nlh;
	pid_t pid;
	int status = -1, fd, i;

	if (geteuid() != 0)
		skip();
	fd = client_open();
	nlh = nls_t_req(reqbuf, NLS_IPVS_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK,
			IPVS_CMD_GET_INFO, 1);
	assert_int_equal(send(fd, nlh, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	assert_int_equal(client_recv(fd), 36);
	close(fd);

	/* Let "nobody" reach the socket: only SO_PEERCRED stands in the way. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chmod(path, 0666), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct nlmsgerr *e;
		ssize_t n;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		{
			struct sockaddr_un sun = { .sun_family = AF_UNIX };

			strcpy(sun.sun_path, path);
			if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
				_exit(11);
		}
		if (send(fd, nlh, nlh->nlmsg_len, 0) != nlh->nlmsg_len)
			_exit(12);
		n = recv(fd, rbuf, sizeof(rbuf), 0);
		e = mnl_nlmsg_get_payload((struct nlmsghdr *)rbuf);
		_exit(n == 40 && e->error == -EPERM ? 0 : 13);
	}
	/* at least 60 s (1 ms a round) for the child to run: a loaded machine
	 * may not schedule it for seconds; it ends the loop as soon as it exits */
	for (i = 0; i < 60000 && waitpid(pid, &status, WNOHANG) == 0; i++) {
		nls_server_dispatch(srv);
		usleep(1000);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getfamily, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stalled_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leave_mid_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ordered_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peercred, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
