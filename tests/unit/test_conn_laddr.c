// SPDX-License-Identifier: GPL-2.0-or-later
/* Local-address ports: partition between workers, exhaustion, frees. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "nlvs_drop.h"
#include "nlvs_laddr.h"

static void test_owner_partition(void **state)
{
	unsigned int w, p;

	for (w = 1; w <= 8; w++) {
		unsigned int per[8] = { 0 };
		uint16_t mask = nlvs_laddr_owner_mask(w);

		for (p = 0; p < 65536; p++) {
			unsigned int o = nlvs_laddr_port_owner((uint16_t)p, w);

			assert_true(o < w);
			/* ports with equal low bits have the same owner (rte_flow) */
			assert_int_equal(o, nlvs_laddr_port_owner((uint16_t)(p & mask), w));
			if ((w & (w - 1)) == 0)
				assert_int_equal(o, p % w);
			per[o]++;
		}
		for (p = 0; p < w; p++)
			assert_true(per[p] >= 65536 / (2 * w));	/* nobody starves */
	}
	assert_int_equal(nlvs_laddr_owner_mask(3), 3);
	assert_int_equal(nlvs_laddr_owner_mask(4), 3);
	assert_int_equal(nlvs_laddr_owner_mask(1), 0);
}

/* Three workers drain two addresses: every port 1024..65535 of each address
 * handed out exactly once, by its owner. */
static void test_drain_three_workers(void **state)
{
	static uint8_t seen[2][65536];
	union nlvs_addr a[2], got;
	struct nlvs_laddr_ports *lp[3];
	unsigned int w, i, p, total = 0;
	uint16_t port;

	memset(a, 0, sizeof(a));
	a[0].ip = inet_addr("10.0.0.100");
	a[1].ip = inet_addr("10.0.0.101");
	memset(seen, 0, sizeof(seen));
	for (w = 0; w < 3; w++) {
		lp[w] = nlvs_laddr_ports_create(AF_INET, a, 2, w, 3, 1024, 65535);
		assert_non_null(lp[w]);
	}
	for (w = 0; w < 3; w++) {
		uint32_t avail = nlvs_laddr_ports_avail(lp[w]);

		for (;;) {
			int r = nlvs_laddr_port_alloc(lp[w], &got, &port);

			if (r) {
				assert_int_equal(r, NLVS_DROP_NO_LADDR_PORT);
				break;
			}
			i = got.ip == a[0].ip ? 0 : 1;
			assert_true(got.ip == a[i].ip);
			p = ntohs(port);
			assert_true(p >= 1024);
			assert_int_equal(nlvs_laddr_port_owner((uint16_t)p, 3), w);
			assert_int_equal(nlvs_laddr_owner(lp[(w + 1) % 3], &got, port), (int)w);
			assert_int_equal(seen[i][p], 0);
			seen[i][p] = 1;
			total++;
			avail--;
			assert_int_equal(nlvs_laddr_ports_avail(lp[w]), avail);
		}
		assert_int_equal(nlvs_laddr_ports_avail(lp[w]), 0);
	}
	assert_int_equal(total, 2 * (65536 - 1024));
	for (w = 0; w < 3; w++)
		nlvs_laddr_ports_destroy(lp[w]);
}

static void test_free_rules(void **state)
{
	union nlvs_addr a, other, got, got2;
	struct nlvs_laddr_ports *lp;
	uint16_t port, port2, first;
	unsigned int i;

	memset(&a, 0, sizeof(a));
	memset(&other, 0, sizeof(other));
	inet_pton(AF_INET6, "fd00::100", &a);
	inet_pton(AF_INET6, "fd00::101", &other);
	lp = nlvs_laddr_ports_create(AF_INET6, &a, 1, 1, 2, 2000, 2009);	/* 5 odd ports */
	assert_non_null(lp);
	assert_int_equal(nlvs_laddr_ports_avail(lp), 5);
	assert_int_equal(nlvs_laddr_port_alloc(lp, &got, &first), 0);
	assert_memory_equal(&got, &a, 16);
	assert_int_equal(ntohs(first) % 2, 1);
	/* not ours, not in use, wrong address */
	assert_int_equal(nlvs_laddr_port_free(lp, &a, htons(2001) == first ? htons(2003) :
					      htons(2001)), -EINVAL);
	assert_int_equal(nlvs_laddr_port_free(lp, &other, first), -EINVAL);
	assert_int_equal(nlvs_laddr_owner(lp, &other, first), -1);
	assert_int_equal(nlvs_laddr_port_free(lp, &a, first), 0);
	assert_int_equal(nlvs_laddr_port_free(lp, &a, first), -EINVAL);	/* double */
	/* FIFO: the freed port comes back only after the other four */
	for (i = 0; i < 4; i++) {
		assert_int_equal(nlvs_laddr_port_alloc(lp, &got2, &port), 0);
		assert_int_not_equal(port, first);
	}
	assert_int_equal(nlvs_laddr_port_alloc(lp, &got2, &port2), 0);
	assert_int_equal(port2, first);
	assert_int_equal(nlvs_laddr_port_alloc(lp, &got2, &port), NLVS_DROP_NO_LADDR_PORT);
	nlvs_laddr_ports_destroy(lp);
	assert_null(nlvs_laddr_ports_create(AF_INET, &a, 1, 2, 2, 1024, 65535));
	assert_null(nlvs_laddr_ports_create(AF_INET, &a, 0, 0, 1, 1024, 65535));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_partition),
		cmocka_unit_test(test_drain_three_workers),
		cmocka_unit_test(test_free_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
