// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control thread: what ipvsadm shows.  Workers only increment their own
 * counters; here they are summed, and what grew since the last fold is
 * added to the control API's stats (so ZERO there needs no call-back).
 * Active/InAct/Persist connections are the sums of the workers' scheduler
 * counters.  Rates come from an estimator that works like the kernel's
 * (ip_vs_est.c): every 2 s, an average with weight 1/4, kept scaled.
 *
 * The connection listing reads the workers' connection pools while they
 * run: a line may show a connection in the middle of a change (benign for
 * a listing), but the pools are never freed under it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "ctl/nlvs_ctl_table.h"
#include "lb_priv.h"

static struct lb_est total_est;

static void cnt_add(struct lb_cnt *a, const struct lb_cnt *b)
{
	a->conns += b->conns;
	a->inpkts += b->inpkts;
	a->outpkts += b->outpkts;
	a->inbytes += b->inbytes;
	a->outbytes += b->outbytes;
}

static uint64_t grew(uint64_t now, uint64_t *last)
{
	uint64_t d = now >= *last ? now - *last : 0;

	*last = now;
	return d;
}

static int cnt_same(const struct lb_cnt *a, const struct lb_cnt *b)
{
	return a->conns == b->conns && a->inpkts == b->inpkts && a->outpkts == b->outpkts &&
	       a->inbytes == b->inbytes && a->outbytes == b->outbytes;
}

static void stats_add(struct nlvs_stats *st, struct lb_cnt *last, const struct lb_cnt *now)
{
	st->conns += grew(now->conns, &last->conns);
	st->inpkts += grew(now->inpkts, &last->inpkts);
	st->outpkts += grew(now->outpkts, &last->outpkts);
	st->inbytes += grew(now->inbytes, &last->inbytes);
	st->outbytes += grew(now->outbytes, &last->outbytes);
}

static void slot_sum(int is_dest, uint32_t slot, struct lb_cnt *sum)
{
	unsigned int w;

	memset(sum, 0, sizeof(*sum));
	for (w = 0; w < lb_nworkers; w++) {
		const struct lb_worker *lw = lb_workers[w];

		if (is_dest) {
			if (lw->dest_chunk[slot >> LB_CHUNK_SHIFT])
				cnt_add(sum, &lb_wdest(lw, slot)->cnt);
		} else if (lw->svc_chunk[slot >> LB_CHUNK_SHIFT]) {
			cnt_add(sum, &lb_wsvc(lw, slot)->cnt);
		}
	}
}

void lb_stats_slot_reset(struct lb_cslot *cs, int is_dest, uint32_t slot)
{
	slot_sum(is_dest, slot, &cs->last);
	memset(&cs->est, 0, sizeof(cs->est));
	cs->act = cs->inact = cs->pers = UINT32_MAX;	/* the next fold writes them */
}

/*
 * The fold runs every LB_FOLD_MS over every slot.  It reads only arrays
 * (the workers' chunks and the slots) and touches a control object only
 * when something of it changed: with 100,000 idle dests, visiting each
 * object (scattered in memory) made the fold a third of the control
 * thread's time even with nothing to report.
 */

void lb_stats_fold(void)
{
	struct nlvs_stats *total = nlvs_ctl_stats_total();
	struct lb_cnt sum, before;
	uint32_t i;
	unsigned int w;

	for (i = 0; i < lb_ncsvc; i++) {
		struct lb_cslot *cs = &lb_csvc[i];
		struct nlvs_svc *svc = cs->obj;

		slot_sum(0, i, &sum);
		if (!svc) {
			cs->last = sum;
			continue;
		}
		if (cnt_same(&sum, &cs->last))
			continue;
		before = cs->last;
		stats_add(&svc->stats, &cs->last, &sum);
		stats_add(total, &before, &sum);
	}
	for (i = 0; i < lb_ncdest; i++) {
		struct lb_cslot *cs = &lb_cdest[i];
		struct nlvs_dest *d = cs->obj;
		uint32_t act = 0, inact = 0, pers = 0;

		slot_sum(1, i, &sum);
		if (!d) {
			cs->last = sum;
			continue;
		}
		if (!cnt_same(&sum, &cs->last))
			stats_add(&d->stats, &cs->last, &sum);
		for (w = 0; w < lb_nworkers; w++) {
			const struct lb_worker *lw = lb_workers[w];
			const struct lb_wdest *wd;

			if (!lw->dest_chunk[i >> LB_CHUNK_SHIFT])
				continue;
			wd = lb_wdest(lw, i);
			if (wd->gen != cs->gen)
				continue;
			act += wd->rs.activeconns;
			inact += wd->rs.inactconns;
			pers += wd->rs.persistconns;
		}
		if (act == cs->act && inact == cs->inact && pers == cs->pers)
			continue;
		cs->act = act;
		cs->inact = inact;
		cs->pers = pers;
		d->activeconns = act;
		d->inactconns = inact;
		d->persistconns = pers;
	}
}

void nlvs_lb_conn_usage(unsigned int worker, uint32_t *count, uint32_t *capacity)
{
	*count = *capacity = 0;
	if (worker < lb_nworkers && lb_workers[worker] && lb_workers[worker]->tab) {
		*count = nlvs_conn_tab_count(lb_workers[worker]->tab);
		*capacity = nlvs_conn_tab_capacity(lb_workers[worker]->tab);
	}
}

/* One estimator step over 2 s (the kernel's scaling: conns and packets
 * by 2^10 per second, bytes by 2^5). */
static void est_step(struct lb_est *e, struct nlvs_stats *st)
{
	if (st->conns < e->last_conns || st->inpkts < e->last_inpkts ||
	    st->outpkts < e->last_outpkts || st->inbytes < e->last_inbytes ||
	    st->outbytes < e->last_outbytes) {
		/* zeroed (ipvsadm -Z): start over */
		memset(e, 0, sizeof(*e));
	}
#define EST(f, last, avg, shift)						\
	do {								\
		int64_t r = (int64_t)((st->f - e->last) << (shift));	\
		e->last = st->f;					\
		e->avg = (uint64_t)((int64_t)e->avg + ((r - (int64_t)e->avg) >> 2)); \
	} while (0)
	EST(conns, last_conns, cps, 9);
	EST(inpkts, last_inpkts, inpps, 9);
	EST(outpkts, last_outpkts, outpps, 9);
	EST(inbytes, last_inbytes, inbps, 4);
	EST(outbytes, last_outbytes, outbps, 4);
#undef EST
	st->cps = (e->cps + 0x1ff) >> 10;
	st->inpps = (e->inpps + 0x1ff) >> 10;
	st->outpps = (e->outpps + 0x1ff) >> 10;
	st->inbps = (e->inbps + 0xf) >> 5;
	st->outbps = (e->outbps + 0xf) >> 5;
}

void lb_stats_estimate(void)
{
	uint32_t i;

	for (i = 0; i < lb_ncsvc; i++)
		if (lb_csvc[i].obj)
			est_step(&lb_csvc[i].est, &((struct nlvs_svc *)lb_csvc[i].obj)->stats);
	for (i = 0; i < lb_ncdest; i++)
		if (lb_cdest[i].obj)
			est_step(&lb_cdest[i].est, &((struct nlvs_dest *)lb_cdest[i].obj)->stats);
	est_step(&total_est, nlvs_ctl_stats_total());
}

static int conn_line(char *buf, size_t max, const struct nlvs_conn *c, const struct lb_cfg *cfg,
		     uint64_t now_ms)
{
	struct nlvs_conn_tuple k0, k1;
	const struct nlvs_conn_tuple *t0 = &k0;
	union nlvs_addr daddr;
	uint16_t dport;
	uint32_t dslot = (uint32_t)(uintptr_t)c->dest;
	unsigned int secs = nlvs_conn_expires_in(c, now_ms) / 1000;
	char pbuf[16], da[40];
	int daf;
	const char *proto = nlvs_proto_name(c->proto, pbuf, sizeof(pbuf));

	nlvs_conn_tuple(c, NLVS_CONN_SIDE_CLIENT, &k0);
	nlvs_conn_tuple(c, NLVS_CONN_SIDE_RS, &k1);
	daf = k0.af;
	daddr = k1.saddr;
	dport = k1.sport;
	if (nlvs_snat_conn_is(c)) {	/* SNAT: the dest is the egress address */
		daddr = k1.daddr;
		dport = k1.dport;
	}
	if (c->flags & NLVS_CONN_F_TEMPLATE) {
		memset(&daddr, 0, sizeof(daddr));
		dport = 0;
		if (cfg && dslot < cfg->ndest && lb_cfg_dest(cfg, dslot)->used) {
			daddr = lb_cfg_dest(cfg, dslot)->addr;
			dport = lb_cfg_dest(cfg, dslot)->port;
		}
	}
	/* a tunnel may lead to a dest of the other family: its address is
	 * printed in its own family, as the kernel does (an IPv4 connection
	 * keeps only 4 bytes of an address: the dest's is the whole one) */
	if ((c->flags & LB_CF_TUN) && cfg && dslot < cfg->ndest && lb_cfg_dest(cfg, dslot)->used) {
		daf = lb_cfg_dest(cfg, dslot)->af;
		daddr = lb_cfg_dest(cfg, dslot)->addr;
	}
	if (daf == AF_INET6)
		nlvs_ip6_full(&daddr, da, sizeof(da));
	else
		snprintf(da, sizeof(da), "%08X", ntohl(daddr.ip));
	if (t0->af == AF_INET6) {
		char ca[40], va[40];

		nlvs_ip6_full(&t0->saddr, ca, sizeof(ca));
		nlvs_ip6_full(&t0->daddr, va, sizeof(va));
		return snprintf(buf, max, "%-3s %s %04X %s %04X %s %04X %-11s %7u\n",
				proto, ca, ntohs(t0->sport), va,
				ntohs(t0->dport), da, ntohs(dport), nlvs_conn_state_name(c), secs);
	}
	return snprintf(buf, max, "%-3s %08X %04X %08X %04X %s %04X %-11s %7u\n",
			proto, ntohl(t0->saddr.ip), ntohs(t0->sport),
			ntohl(t0->daddr.ip), ntohs(t0->dport), da, ntohs(dport),
			nlvs_conn_state_name(c), secs);
}

/* *idx: worker in the high 32 bits, position in its pool in the low. */
size_t lb_conn_text(size_t *idx, char *buf, size_t max)
{
	const struct lb_cfg *cfg = lb_cfg_current;
	uint64_t now_ms = lb_now_ms();
	size_t len = 0;

	while ((*idx >> 32) < lb_nworkers) {
		struct lb_worker *lw = lb_workers[*idx >> 32];
		uint32_t cur = (uint32_t)*idx, at;
		struct nlvs_conn6 snap;	/* the accessors find IPv6 addresses after it */
		struct nlvs_conn *c;

		for (;;) {
			int n;

			at = cur;
			c = nlvs_conn_next(lw->tab, &cur);
			if (!c)
				break;
			memcpy(&snap, c, c->flags & NLVS_CONN_F_INET6 ? sizeof(snap) : sizeof(*c));
			if (!(snap.c.flags & (NLVS_CONN_F_HASHED | NLVS_CONN_F_ONE_PACKET)))
				continue;
			n = conn_line(buf + len, max - len, &snap.c, cfg, now_ms);
			if (n < 0 || (size_t)n >= max - len) {
				*idx = (*idx & ~(size_t)UINT32_MAX) | at;
				return len;
			}
			len += (size_t)n;
		}
		*idx = ((*idx >> 32) + 1) << 32;
	}
	return len;
}
