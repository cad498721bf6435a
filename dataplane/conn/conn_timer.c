// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Connection expiry on a timer wheel.  A packet only moves a connection's
 * expiry time forward; the wheel finds out when it reaches the slot and
 * re-files the connection, so the per-packet cost is one store.  Only a
 * shorter timeout (a state change towards CLOSE) re-files at once.
 */
#include "conn_priv.h"

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#endif

/* Put @line first on the list of @slot (a wheel slot or CONN_TW_PENDING). */
static void tw_push(struct nlvs_conn_tab *t, uint32_t slot, uint32_t line)
{
	struct conn_cold *k = conn_cold(t, line);
	uint32_t *head = &t->tw_head[slot];

	k->tw_prev = CONN_TW_FIRST | slot;
	k->tw_next = *head;
	if (*head != NLVS_CONN_NONE)
		conn_cold(t, *head)->tw_prev = line;
	*head = line;
}

void nlvs_conn_tw_add(struct nlvs_conn_tab *t, struct nlvs_conn *c, uint32_t tick)
{
	uint32_t line = conn_line(t, c);

	/* never file into the past: the slot would wait a whole turn */
	if ((int32_t)(tick - t->tw_tick) <= 0) {
		tick = t->tw_tick;
		if (t->tw_head[CONN_TW_PENDING] != NLVS_CONN_NONE) {
			/* the current slot is being run: join it */
			tw_push(t, CONN_TW_PENDING, line);
			return;
		}
	}
	tw_push(t, tick & CONN_TW_MASK, line);
}

void nlvs_conn_tw_del(struct nlvs_conn_tab *t, struct nlvs_conn *c)
{
	struct conn_cold *k = conn_cold(t, conn_line(t, c));

	if (k->tw_prev == NLVS_CONN_NONE)
		return;
	if (k->tw_prev & CONN_TW_FIRST)
		t->tw_head[k->tw_prev & ~CONN_TW_FIRST] = k->tw_next;
	else
		conn_cold(t, k->tw_prev)->tw_next = k->tw_next;
	if (k->tw_next != NLVS_CONN_NONE)
		conn_cold(t, k->tw_next)->tw_prev = k->tw_prev;
	k->tw_next = k->tw_prev = NLVS_CONN_NONE;
}

void nlvs_conn_refresh(struct nlvs_conn_tab *t, struct nlvs_conn *c, uint64_t now_ms)
{
	uint32_t e = (uint32_t)now_ms + c->timeout;

	/* the usual case: later than before, the wheel finds out when it
	 * gets there (no cold line touched) */
	if (likely((int32_t)(e - c->expires) >= 0)) {
		c->expires = e;
		return;
	}
	/* earlier (a state towards CLOSE): the entry may be filed too late
	 * (the wheel keeps no tick per entry), so it moves now */
	c->expires = e;
	if (conn_cold(t, conn_line(t, c))->tw_prev != NLVS_CONN_NONE) {
		nlvs_conn_tw_del(t, c);
		nlvs_conn_tw_add(t, c, conn_tw_tick(now_ms + c->timeout));
	}
}

/* Take one connection off the pending list and decide its fate. */
static int tw_visit(struct nlvs_conn_tab *t, struct nlvs_conn *c, uint64_t now_ms,
		    nlvs_conn_expire_fn fn, void *arg)
{
	uint32_t left = nlvs_conn_expires_in(c, now_ms);

	nlvs_conn_tw_del(t, c);
	if (!left && (c->flags & NLVS_CONN_F_TEMPLATE) && nlvs_conn_n_control(t, c)) {
		/* a template lives while it controls connections */
		left = c->timeout;
		c->expires = (uint32_t)now_ms + left;
	}
	if (left) {
		uint32_t tick = conn_tw_tick(now_ms + left);

		if ((int32_t)(tick - t->tw_tick) <= 0)
			tick = t->tw_tick + 1;
		nlvs_conn_tw_add(t, c, tick);
		return 0;
	}
	if (fn)
		fn(c, arg);
	nlvs_conn_free(t, c);
	return 1;
}

unsigned int nlvs_conn_expire(struct nlvs_conn_tab *t, uint64_t now_ms, unsigned int budget,
			      nlvs_conn_expire_fn fn, void *arg)
{
	uint32_t target = conn_tw_tick(now_ms), *pending = &t->tw_head[CONN_TW_PENDING];
	unsigned int freed = 0;

	/* after a long pause one turn of the wheel covers every slot */
	if ((int32_t)(target - t->tw_tick) >= (int32_t)CONN_TW_SLOTS &&
	    *pending == NLVS_CONN_NONE)
		t->tw_tick = target - CONN_TW_SLOTS + 1;

	while (budget) {
		if (*pending == NLVS_CONN_NONE) {
			uint32_t slot;

			if ((int32_t)(target - t->tw_tick) < 0)
				break;
			/* move the slot aside so re-filed entries cannot loop */
			slot = t->tw_tick & CONN_TW_MASK;
			*pending = t->tw_head[slot];
			t->tw_head[slot] = NLVS_CONN_NONE;
			budget--;
			if (*pending == NLVS_CONN_NONE) {
				t->tw_tick++;
				continue;
			}
			conn_cold(t, *pending)->tw_prev = CONN_TW_FIRST | CONN_TW_PENDING;
		}
		while (budget && *pending != NLVS_CONN_NONE) {
			budget--;
			freed += (unsigned int)tw_visit(t, conn_at(t, *pending), now_ms, fn, arg);
		}
		if (*pending == NLVS_CONN_NONE)
			t->tw_tick++;
	}
	return freed;
}
