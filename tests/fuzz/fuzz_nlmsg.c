// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: one received datagram through nls_handle_datagram(), as an
 * admin and as an unprivileged peer, on a fresh control table each time so
 * every input reproduces alone.  Every reply must be well framed.
 *
 * `make check` builds this with gcc and fuzz_driver.c, which replays the
 * seed corpus (tests/fuzz/corpus/) and a bounded run of mutations of it.
 * The real libFuzzer build, with clang, from a build tree configured with
 * CC=clang CFLAGS='-g -O1 -fsanitize=address,undefined,fuzzer-no-link':
 *
 *   make nlserver/libnlserver.la dataplane/libnlvsctl.la
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I$SRC -I$SRC/dataplane \
 *	-I$SRC/nlserver $SRC/tests/fuzz/fuzz_nlmsg.c nlserver/.libs/libnlserver.a \
 *	dataplane/.libs/libnlvsctl.a -lmnl -lm -o fuzz_nlmsg
 *   mkdir -p corpus && ./fuzz_nlmsg -max_total_time=300 corpus $SRC/tests/fuzz/corpus
 *
 * (libFuzzer writes new inputs to the first directory, so keep the
 * committed seeds read-only by naming them second.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <libmnl/libmnl.h>

#include "nls_server.h"
#include "ctl/nlvs_ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ctx {
	size_t in_len;
};

/* A reply that a libnl client could not walk is a bug: abort. */
static void fuzz_check(void *arg, const void *dgram, size_t len)
{
	const struct fuzz_ctx *ctx = arg;
	const struct nlmsghdr *nlh = dgram;
	int rem = (int)len;

	if (len == 0 || len % 4)
		abort();
	/* Dumps stay within 16 KiB; only an error echo grows with the input. */
	if (len > 16384 && len > NLMSG_ALIGN(ctx->in_len + 20))
		abort();
	while (mnl_nlmsg_ok(nlh, rem))
		nlh = mnl_nlmsg_next(nlh, &rem);
	if (rem != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_ctx ctx = { size };

	if (nlvs_ctl_init())
		abort();
	nls_handle_datagram(data, size, 1, fuzz_check, &ctx);
	nls_handle_datagram(data, size, 0, fuzz_check, &ctx);
	nlvs_ctl_fini();
	return 0;
}
