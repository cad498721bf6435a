// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_rtt: the floor under a control plane that lives in another process.
 *
 * ipvsadm waits for the answer to each command before it reads the next
 * line, so a restore through nlvs-exec costs at least one round trip between
 * two processes per command, whatever nlvsd does; the kernel's IPVS answers
 * inside the sendmsg() call and needs none.  This measures that round trip
 * on this machine, over what nlvs-exec and nlvsd talk over (AF_UNIX
 * SOCK_SEQPACKET, a 128-byte request and a 36-byte answer, the sizes of an
 * ipvsadm command and its ACK), and the cost of one system call.  Each is
 * the median of several batches.  Printed as "ctl_rtt_us X" and
 * "syscall_ns Y", and written to FILE with --kv FILE.
 *
 * Usage: bench_rtt [--kv FILE] [ROUNDTRIPS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define BATCHES		7
#define REQ_LEN		128
#define ANS_LEN		36

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* The other process: answer each request until the socket closes. */
static void echo_loop(int fd)
{
	char buf[REQ_LEN];

	while (recv(fd, buf, sizeof(buf), 0) > 0)
		if (send(fd, buf, ANS_LEN, MSG_NOSIGNAL) != ANS_LEN)
			break;
	_exit(0);
}

/* Nanoseconds per round trip, median of BATCHES batches of @n; < 0 on error. */
static double rtt_ns(long n)
{
	char req[REQ_LEN], ans[REQ_LEN];
	double t[BATCHES], a;
	int sv[2], b, status;
	long i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(sv[0]);
		echo_loop(sv[1]);
	}
	close(sv[1]);
	memset(req, 0x5a, sizeof(req));
	for (b = 0; b < BATCHES; b++) {
		a = now_ns();
		for (i = 0; i < n; i++)
			if (send(sv[0], req, sizeof(req), 0) != REQ_LEN ||
			    recv(sv[0], ans, sizeof(ans), 0) != ANS_LEN)
				break;
		if (i < n)
			break;
		t[b] = (now_ns() - a) / n;
	}
	close(sv[0]);
	waitpid(pid, &status, 0);
	return b == BATCHES ? median(t, BATCHES) : -1;
}

/* Nanoseconds per system call (getppid: never answered from a cache). */
static double syscall_ns(long n)
{
	double t[BATCHES], a;
	int b;
	long i;

	for (b = 0; b < BATCHES; b++) {
		a = now_ns();
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		t[b] = (now_ns() - a) / n;
	}
	return median(t, BATCHES);
}

int main(int argc, char **argv)
{
	const char *kv = NULL;
	long n = 20000;
	double rtt, sc;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--kv") == 0 && i + 1 < argc)
			kv = argv[++i];
		else if ((n = strtol(argv[i], NULL, 10)) <= 0) {
			fprintf(stderr, "usage: bench_rtt [--kv FILE] [ROUNDTRIPS]\n");
			return 2;
		}
	}
	rtt = rtt_ns(n / BATCHES + 1);
	if (rtt < 0) {
		fprintf(stderr, "bench_rtt: round trip: %s\n", strerror(errno));
		return 1;
	}
	sc = syscall_ns(10 * n / BATCHES + 1);
	printf("ctl_rtt_us %.2f\nsyscall_ns %.0f\n", rtt / 1e3, sc);
	if (kv) {
		f = fopen(kv, "w");
		if (!f || fprintf(f, "ctl_rtt_us %.2f\nsyscall_ns %.0f\n", rtt / 1e3, sc) < 0 ||
		    fclose(f) != 0) {
			fprintf(stderr, "bench_rtt: %s: %s\n", kv, strerror(errno));
			return 1;
		}
	}
	return 0;
}
