/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scheduler test bench: a service whose dests are kept in kernel list order
 * (the newest first), with the scheduler told of every change one at a
 * time as ip_vs_ctl.c tells the kernel's.
 */
#ifndef TEST_SCHED_UTIL_H
#define TEST_SCHED_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "sched/nlvs_sched.h"

#define TS_MAX	64

struct tsvc {
	struct nlvs_sched_svc svc;
	struct nlvs_rs rs[TS_MAX];
	struct nlvs_rs *order[TS_MAX];
	unsigned int used;
};

static inline void ts_init(struct tsvc *t, const char *sched, uint32_t flags)
{
	const struct nlvs_sched_ops *ops = nlvs_sched_find(sched);

	memset(t, 0, sizeof(*t));
	assert_non_null(ops);
	t->svc.af = AF_INET;
	t->svc.protocol = IPPROTO_TCP;
	t->svc.flags = flags;
	t->svc.dests = t->order;
	assert_int_equal(nlvs_sched_svc_init(&t->svc, ops), 0);
}

/* Add a dest 10.0.0.<host>:80 at the list head, as the kernel's list_add(). */
static inline struct nlvs_rs *ts_add(struct tsvc *t, unsigned int host, int32_t weight)
{
	struct nlvs_rs *rs = &t->rs[t->used++];

	assert_true(t->used <= TS_MAX);
	rs->af = AF_INET;
	rs->addr.ip = htonl(0x0a000000u | host);
	rs->port = htons(80);
	rs->weight = weight;
	rs->last_weight = weight;
	memmove(&t->order[1], &t->order[0], t->svc.num_dests * sizeof(t->order[0]));
	t->order[0] = rs;
	t->svc.num_dests++;
	assert_int_equal(nlvs_sched_svc_update(&t->svc), 0);
	return rs;
}

static inline void ts_del(struct tsvc *t, struct nlvs_rs *rs)
{
	unsigned int i;

	for (i = 0; i < t->svc.num_dests; i++)
		if (t->order[i] == rs)
			break;
	assert_true(i < t->svc.num_dests);
	memmove(&t->order[i], &t->order[i + 1],
		(t->svc.num_dests - i - 1) * sizeof(t->order[0]));
	t->svc.num_dests--;
	assert_int_equal(nlvs_sched_svc_update(&t->svc), 0);
}

/* ipvsadm -e -w: the kernel keeps last_weight on a change to 0 */
static inline void ts_weight(struct tsvc *t, struct nlvs_rs *rs, int32_t weight)
{
	rs->weight = weight;
	if (weight)
		rs->last_weight = weight;
	assert_int_equal(nlvs_sched_svc_update(&t->svc), 0);
}

static inline struct nlvs_rs *ts_pick_from(struct tsvc *t, uint32_t saddr, uint16_t sport,
					   uint32_t daddr)
{
	struct nlvs_sched_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.af = AF_INET;
	pkt.protocol = IPPROTO_TCP;
	pkt.saddr.ip = htonl(saddr);
	pkt.daddr.ip = htonl(daddr);
	pkt.sport = htons(sport);
	pkt.dport = htons(80);
	return nlvs_sched_schedule(&t->svc, &pkt);
}

static inline struct nlvs_rs *ts_pick(struct tsvc *t)
{
	return ts_pick_from(t, 0xc0a80001u, 40000, 0xc0a80064u);
}

static inline void ts_fini(struct tsvc *t)
{
	nlvs_sched_svc_done(&t->svc);
}

#endif /* TEST_SCHED_UTIL_H */
