// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * genl_probe: a small libnl client for the shim tests.  It does what other
 * programs sharing a process with ipvsadm-like code do, so the tests can
 * check that only the IPVS conversation is redirected.
 *
 *   genl_probe resolve NAME...  resolve each generic family on its own
 *                               socket, print "NAME ID" (or "NAME error")
 *   genl_probe link             rtnetlink link dump, print "links N lo"
 *   genl_probe sockopt          the legacy IP_VS_SO_* calls on a raw socket,
 *                               print "get|set OPT errno-name" for each
 *   genl_probe sockopt-badfd    one IP_VS_SO_GET_INFO on a closed descriptor
 *
 * Exit status: 0 when every call got an answer it could print, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

static int probe_resolve(int argc, char **argv)
{
	int i, ret = 0;

	for (i = 0; i < argc; i++) {
		struct nl_sock *sk = nl_socket_alloc();
		int id;

		if (!sk || genl_connect(sk) < 0) {
			printf("%s connect-error\n", argv[i]);
			ret = 1;
		} else {
			id = genl_ctrl_resolve(sk, argv[i]);
			if (id < 0) {
				printf("%s error %s\n", argv[i], nl_geterror(id));
				ret = 1;
			} else {
				printf("%s %d\n", argv[i], id);
			}
		}
		nl_socket_free(sk);
	}
	return ret;
}

struct probe_links {
	int n;
	int lo;
};

static int probe_link_cb(struct nl_msg *msg, void *arg)
{
	struct probe_links *pl = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *name;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return NL_OK;
	pl->n++;
	name = nlmsg_find_attr(nlh, sizeof(struct ifinfomsg), IFLA_IFNAME);
	if (name && !strcmp(nla_get_string(name), "lo"))
		pl->lo = 1;
	return NL_OK;
}

static int probe_link(void)
{
	struct rtgenmsg rt = { .rtgen_family = AF_UNSPEC };
	struct probe_links pl = { 0, 0 };
	struct nl_sock *sk = nl_socket_alloc();
	int ret = 1;

	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0)
		goto out;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, probe_link_cb, &pl);
	if (nl_send_simple(sk, RTM_GETLINK, NLM_F_DUMP, &rt, sizeof(rt)) < 0)
		goto out;
	if (nl_recvmsgs_default(sk) < 0)
		goto out;
	printf("links %d%s\n", pl.n, pl.lo ? " lo" : "");
	ret = pl.n > 0 ? 0 : 1;
out:
	if (ret)
		printf("link error\n");
	nl_socket_free(sk);
	return ret;
}

static const char *probe_errname(int err)
{
	switch (err) {
	case 0: return "OK";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EBADF: return "EBADF";
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return strerror(err);
	}
}

/* IP_VS_BASE_CTL and the ranges of the kernel's get/set sockopts. */
#define PROBE_IPVS_BASE 1152
#define PROBE_IPVS_GET_MAX 1159
#define PROBE_IPVS_SET_MAX 1167

static int probe_sockopt(void)
{
	unsigned char buf[1024];
	socklen_t len;
	int fd, opt, r;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		printf("socket %s\n", probe_errname(errno));
		return 1;
	}
	for (opt = PROBE_IPVS_BASE; opt <= PROBE_IPVS_GET_MAX; opt++) {
		memset(buf, 0, sizeof(buf));
		len = sizeof(buf);
		r = getsockopt(fd, IPPROTO_IP, opt, buf, &len);
		printf("get %d %s\n", opt, probe_errname(r ? errno : 0));
	}
	for (opt = PROBE_IPVS_BASE; opt <= PROBE_IPVS_SET_MAX; opt++) {
		memset(buf, 0, sizeof(buf));
		r = setsockopt(fd, IPPROTO_IP, opt, buf, 44);
		printf("set %d %s\n", opt, probe_errname(r ? errno : 0));
	}
	/* An ordinary IP option must still reach the kernel. */
	len = sizeof(r);
	r = getsockopt(fd, IPPROTO_IP, IP_TTL, &opt, &len);
	printf("get IP_TTL %s\n", probe_errname(r ? errno : 0));
	close(fd);
	return 0;
}

static int probe_sockopt_badfd(void)
{
	unsigned char buf[64];
	socklen_t len = sizeof(buf);
	int fd, r;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	close(fd);
	r = getsockopt(fd, IPPROTO_IP, PROBE_IPVS_BASE + 1, buf, &len);
	printf("badfd %s\n", probe_errname(r ? errno : 0));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "resolve"))
		return probe_resolve(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "link"))
		return probe_link();
	if (argc == 2 && !strcmp(argv[1], "sockopt"))
		return probe_sockopt();
	if (argc == 2 && !strcmp(argv[1], "sockopt-badfd"))
		return probe_sockopt_badfd();
	fprintf(stderr, "usage: genl_probe resolve NAME... | link | sockopt | sockopt-badfd\n");
	return 2;
}
