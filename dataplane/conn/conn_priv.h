/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Connection table internals shared by conn_table.c and conn_timer.c. */
#ifndef NLVS_CONN_PRIV_H
#define NLVS_CONN_PRIV_H

#include "nlvs_conn.h"

/* One cache line: 7 entries (32-bit hash signature, conn index << 1 | side),
 * a link to an overflow bucket and the fill count. */
#define CONN_BKT_ENTRIES	7
struct conn_bucket {
	uint32_t sig[CONN_BKT_ENTRIES];
	uint32_t next;			/* overflow bucket + 1, 0 = none */
	uint32_t ent[CONN_BKT_ENTRIES];
	uint32_t count;
} __attribute__((aligned(64)));

/* Wheel: 4096 slots of 256 ms span 17 minutes, so ESTABLISHED (900 s) is
 * filed once; longer timeouts go round and are re-filed when passed. */
#define CONN_TW_SLOTS		4096u
#define CONN_TW_MASK		(CONN_TW_SLOTS - 1)
#define CONN_TW_GRAN_MS		256u
#define CONN_TW_PENDING		CONN_TW_SLOTS	/* list being expired now */

/* What only the wheel and templates touch, by connection index. */
struct conn_cold {
	uint32_t tw_next, tw_prev;	/* wheel links (indices); free list */
	uint32_t tw_tick;		/* the wheel tick we are filed under */
	uint32_t ctrl;			/* index of our template, or NONE */
	uint32_t n_control;		/* templates: connections controlled */
};

struct nlvs_conn_tab {
	struct nlvs_conn *pool;
	struct conn_cold *cold;		/* parallel to pool */
	struct conn_bucket *bkt;	/* nb_main heads, then overflow buckets */
	uint32_t capacity, count;
	uint32_t free_head;		/* pool free list through cold tw_next */
	int huge;			/* pool and buckets on transparent huge pages */
	uint32_t nb_main, mask;
	uint32_t ovf_free;		/* overflow free list (+1), through next */
	uint64_t seed;
	uint32_t tw_tick;		/* next wheel tick to run */
	uint32_t tw_head[CONN_TW_SLOTS + 1];
};

void nlvs_conn_tw_add(struct nlvs_conn_tab *t, struct nlvs_conn *c, uint32_t tick);
void nlvs_conn_tw_del(struct nlvs_conn_tab *t, struct nlvs_conn *c);

static inline uint32_t conn_idx(const struct nlvs_conn_tab *t, const struct nlvs_conn *c)
{
	return (uint32_t)(c - t->pool);
}

static inline uint32_t conn_tw_tick(uint64_t ms)
{
	return (uint32_t)(ms / CONN_TW_GRAN_MS);
}

/*
 * For the state machines: a packet from the real server's side means its
 * replies come through us (the kernel clears IP_VS_CONN_F_NOOUTPUT for
 * TCP and SCTP there).  Returns whether @c still has seen no output.
 */
static inline unsigned int conn_nooutput(struct nlvs_conn *c, unsigned int side)
{
	if (side == NLVS_CONN_SIDE_RS)
		c->flags &= ~NLVS_CONN_F_NOOUTPUT;
	return !!(c->flags & NLVS_CONN_F_NOOUTPUT);
}

#endif /* NLVS_CONN_PRIV_H */
