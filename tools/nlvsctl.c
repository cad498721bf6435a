// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlvsctl: read the dataplane state that IPVS cannot express (drop counters
 * by reason, ports and their kernel twins, workers, addresses, routes,
 * neighbours) and the /proc texts, from nlvsd's control socket through the
 * NLVS generic-netlink family.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "nls_server.h"
#include "ctl/nlvs_conf.h"
#include "nlvsctl.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: nlvsctl [-j] [-s socket] command\n"
		"  -j             print the view as JSON\n"
		"commands:\n"
		"  stats          dataplane counters: workers, drops by reason, host path, ports\n"
		"  ports          ports: DPDK port, MAC, MTU, link, kernel twin and its link\n"
		"  conns          connections (as /proc/net/ip_vs_conn)\n"
		"  services       services and real servers (as /proc/net/ip_vs)\n"
		"  totals         global IPVS counters (as /proc/net/ip_vs_stats)\n"
		"  laddrs         local addresses (FULLNAT pools, SNAT egress), ports held\n"
		"  addrs          addresses the dataplane answers for, with their origin\n"
		"                 (config, kernel: mirrored from the port's twin, ipvs)\n"
		"  routes         the dataplane's route table, next hops, origin\n"
		"  neigh          neighbours of every worker\n");
}

static int sock_open(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int text_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == NLS_NLVS_ATTR_TEXT)
			fwrite(mnl_attr_get_payload(attr), 1, mnl_attr_get_payload_len(attr), data);
	}
	return MNL_CB_OK;
}

/* Dump the text @name into @out; returns 0 or -errno from nlvsd. */
static int text_dump(int fd, const char *name, FILE *out)
{
	char buf[32768];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;
	unsigned int seq = 1;
	ssize_t n;
	int rc;

	nlh->nlmsg_type = NLS_NLVS_FAMILY_ID;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = NLS_NLVS_CMD_GET_PROC;
	genl->version = 1;
	mnl_attr_put_strz(nlh, NLS_NLVS_ATTR_PROC_NAME, name);
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		rc = mnl_cb_run(buf, n, seq, 0, text_cb, out);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return -errno;
	}
}

int main(int argc, char **argv)
{
	static const struct { const char *cmd, *text; } cmds[] = {
		{ "stats", "nlvs_stats" },
		{ "ports", "nlvs_ports" },
		{ "conns", "ip_vs_conn" },
		{ "services", "ip_vs" },
		{ "totals", "ip_vs_stats" },
		{ "laddrs", "nlvs_laddrs" },
		{ "addrs", "nlvs_addrs" },
		{ "routes", "nlvs_routes" },
		{ "neigh", "nlvs_neigh" },
	};
	const char *path = getenv("NLVS_SOCKET");
	unsigned int i;
	int ch, fd, rc, json = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *out = stdout;

	if (!path || !*path)
		path = NLVS_SOCKET_DEFAULT;
	while ((ch = getopt(argc, argv, "js:h")) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 's':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[optind], cmds[i].cmd))
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
		fprintf(stderr, "nlvsctl: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	fd = sock_open(path);
	if (fd < 0) {
		fprintf(stderr, "nlvsctl: cannot reach nlvsd at %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* for JSON the whole text first: a chunk may end mid-line */
	if (json && !(out = open_memstream(&text, &len))) {
		perror("nlvsctl");
		return 1;
	}
	rc = text_dump(fd, cmds[i].text, out);
	close(fd);
	if (json && fclose(out) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc == -ENOENT && !strncmp(cmds[i].text, "nlvs_", 5)) {	/* the dataplane's */
		fprintf(stderr, "nlvsctl: nlvsd runs no dataplane (no eal directive)\n");
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "nlvsctl: %s: %s\n", cmds[i].cmd, strerror(-rc));
		free(text);
		return 1;
	}
	if (json) {
		rc = nlvsctl_json_print(cmds[i].cmd, text, stdout);
		free(text);
		if (rc < 0) {
			fprintf(stderr, "nlvsctl: cannot write JSON\n");
			return 1;
		}
	}
	return 0;
}
