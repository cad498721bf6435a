// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * genl_lookup: looks a generic netlink family up N times, each on a socket
 * of its own, with raw netlink (no libnl), and prints what came back, so a
 * test can check that the shim's answers to repeated lookups (nlvs-exec(1))
 * are nlvsd's own answer byte for byte.
 *
 *   genl_lookup NAME N block      blocking sockets, read at once after send
 *   genl_lookup NAME N poll       non-blocking sockets, poll() before reading
 *   genl_lookup NAME N pipeline   blocking; a GET_INFO sent right after the
 *                                 lookup, before reading either answer
 *
 * One line per lookup: "lookup I: MSG MSG ..." where each MSG is the type
 * and, for the family answer, its bytes in hex with the sequence number and
 * port id cleared; then "headers ok" when every answer carried the
 * sequence number and port id of its request.  Exit status 1 on any error.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>

static bool headers_ok = true;

static int lookup_send(int fd, const char *name, uint32_t seq, uint32_t pid)
{
	char req[64] = { 0 };
	struct nlmsghdr *nlh = (void *)req;
	struct genlmsghdr *g = (void *)(req + NLMSG_HDRLEN);
	struct nlattr *nla = (void *)(req + NLMSG_HDRLEN + GENL_HDRLEN);
	size_t n = strlen(name) + 1;

	if (n > sizeof(req) - NLMSG_HDRLEN - GENL_HDRLEN - NLA_HDRLEN)
		return -ENAMETOOLONG;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	nla->nla_type = CTRL_ATTR_FAMILY_NAME;
	nla->nla_len = NLA_HDRLEN + n;
	memcpy((char *)nla + NLA_HDRLEN, name, n);
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(nla->nla_len);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	return send(fd, req, nlh->nlmsg_len, 0) < 0 ? -errno : 0;
}

/* IPVS_CMD_GET_INFO to family @id, with ACK. */
static int info_send(int fd, uint16_t id, uint32_t seq, uint32_t pid)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = id,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = seq,
			 .nlmsg_pid = pid },
		.g = { .cmd = IPVS_CMD_GET_INFO, .version = IPVS_GENL_VERSION },
	};

	return send(fd, &req, sizeof(req), 0) < 0 ? -errno : 0;
}

/* Print one answer; *acks counts the ERROR messages seen; *id gets a family id. */
static void show(const struct nlmsghdr *h, uint32_t seq, uint32_t pid, int *acks, uint16_t *id)
{
	struct nlmsghdr copy;
	const unsigned char *p = (const void *)h;

	if (h->nlmsg_pid != pid)
		headers_ok = false;
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);

		printf(" ack(%s,%d)", h->nlmsg_seq == seq ? "lookup" : "info", e->error);
		(*acks)++;
		return;
	}
	if (h->nlmsg_type != GENL_ID_CTRL) {
		printf(" info-reply");
		return;
	}
	if (h->nlmsg_seq != seq)
		headers_ok = false;
	copy = *h;
	copy.nlmsg_seq = 0;
	copy.nlmsg_pid = 0;
	printf(" family:");
	for (size_t i = 0; i < h->nlmsg_len; i++)
		printf("%02x", i < sizeof(copy) ? ((unsigned char *)&copy)[i] : p[i]);
	for (const struct nlattr *a = (const void *)(p + NLMSG_HDRLEN + GENL_HDRLEN);
	     (const unsigned char *)a + NLA_HDRLEN <= p + h->nlmsg_len && a->nla_len >= NLA_HDRLEN;
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			memcpy(id, (const char *)a + NLA_HDRLEN, sizeof(*id));
}

int main(int argc, char **argv)
{
	static uint16_t id;
	char buf[8192];
	int n, mode;

	if (argc != 4 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: genl_lookup NAME N block|poll|pipeline\n");
		return 2;
	}
	mode = !strcmp(argv[3], "poll") ? 1 : !strcmp(argv[3], "pipeline") ? 2 : 0;
	if (!mode && strcmp(argv[3], "block"))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (mode == 1 ? SOCK_NONBLOCK : 0),
				NETLINK_GENERIC);
		uint32_t seq = 100 + 10 * i, pid = 4000 + i;
		int acks = 0, want = 1;

		if (fd < 0 || lookup_send(fd, argv[1], seq, pid) < 0) {
			printf("lookup %d: send error %s\n", i, strerror(errno));
			return 1;
		}
		if (mode == 2 && id) {
			if (info_send(fd, id, seq + 1, pid) < 0) {
				printf("lookup %d: info send error %s\n", i, strerror(errno));
				return 1;
			}
			want = 2;
		}
		printf("lookup %d:", i);
		while (acks < want) {
			ssize_t r;

			if (mode == 1) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };

				if (poll(&pfd, 1, 10000) != 1) {
					printf(" poll timeout\n");
					return 1;
				}
			}
			r = recv(fd, buf, sizeof(buf), 0);
			if (r <= 0) {
				printf(" recv %s\n", r ? strerror(errno) : "EOF");
				return 1;
			}
			for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)r);
			     h = NLMSG_NEXT(h, r))
				show(h, seq, pid, &acks, &id);
		}
		printf("\n");
		close(fd);
	}
	printf("headers %s\n", headers_ok ? "ok" : "wrong");
	return headers_ok ? 0 : 1;
}
