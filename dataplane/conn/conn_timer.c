// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Connection expiry on a timer wheel.  A packet only moves a connection's
 * expiry time forward; the wheel finds out when it reaches the slot and
 * re-files the connection, so the per-packet cost is one store.  Only a
 * shorter timeout (a state change towards CLOSE) re-files at once.
 */
#include "conn_priv.h"

#define TW_UNFILED	UINT32_MAX

static void tw_push(struct nlvs_conn_tab *t, uint32_t *head, struct nlvs_conn *c)
{
	c->tw_prev = NLVS_CONN_NONE;
	c->tw_next = *head;
	if (*head != NLVS_CONN_NONE)
		t->pool[*head].tw_prev = c->idx;
	*head = c->idx;
}

void nlvs_conn_tw_add(struct nlvs_conn_tab *t, struct nlvs_conn *c, uint32_t tick)
{
	uint32_t *pending = &t->tw_head[CONN_TW_PENDING];

	/* never file into the past: the slot would wait a whole turn */
	if ((int32_t)(tick - t->tw_tick) <= 0) {
		tick = t->tw_tick;
		if (*pending != NLVS_CONN_NONE) {
			/* the current slot is being run: join it */
			c->tw_tick = tick;
			tw_push(t, pending, c);
			return;
		}
	}
	c->tw_tick = tick;
	tw_push(t, &t->tw_head[tick & CONN_TW_MASK], c);
}

void nlvs_conn_tw_del(struct nlvs_conn_tab *t, struct nlvs_conn *c)
{
	if (c->tw_tick == TW_UNFILED)
		return;
	if (c->tw_prev != NLVS_CONN_NONE)
		t->pool[c->tw_prev].tw_next = c->tw_next;
	else if (t->tw_head[CONN_TW_PENDING] == c->idx)
		t->tw_head[CONN_TW_PENDING] = c->tw_next;
	else
		t->tw_head[c->tw_tick & CONN_TW_MASK] = c->tw_next;
	if (c->tw_next != NLVS_CONN_NONE)
		t->pool[c->tw_next].tw_prev = c->tw_prev;
	c->tw_next = c->tw_prev = NLVS_CONN_NONE;
	c->tw_tick = TW_UNFILED;
}

void nlvs_conn_refresh(struct nlvs_conn_tab *t, struct nlvs_conn *c, uint64_t now_ms)
{
	uint32_t tick;

	c->expires = now_ms + c->timeout;
	tick = conn_tw_tick(c->expires);
	/* filed too late for the new expiry: move it now */
	if (c->tw_tick != TW_UNFILED && (int32_t)(tick - c->tw_tick) < 0) {
		nlvs_conn_tw_del(t, c);
		nlvs_conn_tw_add(t, c, tick);
	}
}

/* Take one connection off the pending list and decide its fate. */
static int tw_visit(struct nlvs_conn_tab *t, struct nlvs_conn *c, uint64_t now_ms,
		    nlvs_conn_expire_fn fn, void *arg)
{
	nlvs_conn_tw_del(t, c);
	if (c->expires <= now_ms && (c->flags & NLVS_CONN_F_TEMPLATE) && c->n_control) {
		/* a template lives while it controls connections */
		c->expires = now_ms + c->timeout;
	}
	if (c->expires > now_ms) {
		uint32_t tick = conn_tw_tick(c->expires);

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
		}
		while (budget && *pending != NLVS_CONN_NONE) {
			budget--;
			freed += (unsigned int)tw_visit(t, &t->pool[*pending], now_ms, fn, arg);
		}
		if (*pending == NLVS_CONN_NONE)
			t->tw_tick++;
	}
	return freed;
}
