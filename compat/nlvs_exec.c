// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlvs-exec: run an unmodified IPVS client (ipvsadm, keepalived, ...) with
 * libnlvs-preload.so, so that its IPVS netlink traffic reaches nlvsd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NLVS_PKGLIBDIR
#define NLVS_PKGLIBDIR "/usr/local/lib/nlvs"
#endif
#define NLVS_EXEC_LIB NLVS_PKGLIBDIR "/libnlvs-preload.so"
#define NLVS_EXEC_DEFAULT_SOCKET "/run/nlvs/ipvs.sock"

static void usage(FILE *out)
{
	fprintf(out, "usage: nlvs-exec [-s PATH] COMMAND [ARGS...]\n"
		"Run COMMAND with its IPVS netlink traffic sent to nlvsd.\n"
		"  -s PATH  nlvsd control socket (default: $NLVS_SOCKET, else %s)\n"
		"  -h       show this help\n", NLVS_EXEC_DEFAULT_SOCKET);
}

/* LD_PRELOAD with the shim first, keeping whatever the caller preloads. */
static int preload_set(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *val;
	int ret;

	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1);
	if (asprintf(&val, "%s:%s", lib, old) < 0)
		return -1;
	ret = setenv("LD_PRELOAD", val, 1);
	free(val);
	return ret;
}

int main(int argc, char **argv)
{
	const char *sock = NULL, *lib;
	int c;

	/* '+': options end at COMMAND, whose own options are not ours. */
	while ((c = getopt(argc, argv, "+hs:")) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "nlvs-exec: missing COMMAND\n");
		usage(stderr);
		return 2;
	}
	if (sock && !*sock) {
		fprintf(stderr, "nlvs-exec: empty socket path\n");
		return 2;
	}
	if (!sock)
		sock = getenv("NLVS_SOCKET");
	if (!sock || !*sock)
		sock = NLVS_EXEC_DEFAULT_SOCKET;
	lib = getenv("NLVS_PRELOAD_LIB");
	if (!lib || !*lib)
		lib = NLVS_EXEC_LIB;
	if (access(lib, R_OK) < 0) {
		fprintf(stderr, "nlvs-exec: %s: %s\n", lib, strerror(errno));
		return 127;
	}
	if (setenv("NLVS_SOCKET", sock, 1) < 0 || preload_set(lib) < 0) {
		fprintf(stderr, "nlvs-exec: setenv: %s\n", strerror(errno));
		return 125;
	}
	execvp(argv[optind], argv + optind);
	c = errno;
	fprintf(stderr, "nlvs-exec: %s: %s\n", argv[optind], strerror(c));
	return c == ENOENT ? 127 : 126;
}
