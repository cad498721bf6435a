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

/* What only the wheel and templates touch, one per connection. */
struct conn_cold {
	uint32_t tw_next;		/* wheel list (a line, or NONE); free lists */
	uint32_t tw_prev;		/* a line, CONN_TW_FIRST | slot, or NONE:
					 * not on the wheel */
	uint32_t ctrl;			/* our template's line, or NONE */
};

/* tw_prev of a list's first entry: the list's slot (or CONN_TW_PENDING),
 * above every line (< 2^30) */
#define CONN_TW_FIRST		0x80000000u

/* A template's count of the connections it controls, in a word of its
 * line that templates do not use (they are hashed under side 0 only). */
#define conn_n_control(c)	((c)->side[1].saddr4)

/*
 * The pools are one allocation of lines: cap4 64-byte IPv4 entries, then
 * cap6 128-byte IPv6 ones.  A connection is known by its first line, in
 * the index (which finds it with no arithmetic), the wheel, the free lists
 * and the templates' links; the cold array has one entry per connection
 * (line l, or (l + cap4) / 2 for an IPv6 one).
 */
#define NLVS_CONN_PEND_MAX	NLVS_CONN_BULK_MAX	/* tuples filed late */

struct nlvs_conn_tab {
	struct nlvs_conn *pool;		/* cap4 nlvs_conn, then cap6 nlvs_conn6 */
	struct conn_cold *cold;		/* by index */
	struct conn_bucket *bkt;	/* nb_main heads, then overflow buckets */
	uint32_t cap4, cap6, count;
	uint32_t free4, free6;		/* free lists (lines) through cold tw_next */
	int huge;			/* pools and buckets on transparent huge pages */
	uint32_t nb_main, mask, nb_ovf;
	uint32_t ovf_free;		/* overflow free list (+1), through next */
	uint32_t ovf_nfree;		/* buckets on that list */
	uint64_t seed;
	/* Inside nlvs_conn_defer_begin/end: connections whose second tuple is
	 * filed at the end (its bucket prefetched meanwhile).  One overflow
	 * bucket stays reserved per pending tuple, so filing never fails. */
	uint8_t defer;
	uint32_t npend;
	uint32_t pend[NLVS_CONN_PEND_MAX];
	uint32_t tw_tick;		/* next wheel tick to run */
	uint32_t tw_head[CONN_TW_SLOTS + 1];
};

void nlvs_conn_tw_add(struct nlvs_conn_tab *t, struct nlvs_conn *c, uint32_t tick);
void nlvs_conn_tw_del(struct nlvs_conn_tab *t, struct nlvs_conn *c);

static inline struct nlvs_conn *conn_at(const struct nlvs_conn_tab *t, uint32_t line)
{
	return &t->pool[line];
}

static inline uint32_t conn_line(const struct nlvs_conn_tab *t, const struct nlvs_conn *c)
{
	return (uint32_t)(c - t->pool);
}

static inline struct conn_cold *conn_cold(const struct nlvs_conn_tab *t, uint32_t line)
{
	return &t->cold[line < t->cap4 ? line : (line + t->cap4) / 2];
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
