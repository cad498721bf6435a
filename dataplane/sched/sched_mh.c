// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mh: Maglev hashing (ip_vs_mh.c, Eisenbud et al., NSDI 2016, 3.4).
 *
 * Every dest gets a permutation of the lookup table positions (offset and
 * skip from hsiphash of its address and port); dests take turns claiming
 * their next free preferred position until the table is full.  A dest
 * claims weight/gcd positions per turn (scaled down so the largest takes at
 * most 2^6).  The table size, the hash keys and the fill order are the
 * kernel's, so a client maps to the same real server as on a kernel node
 * with the same dests.  Lookups hash the source address (plus source port
 * with SCHED2); SCHED1 probes further positions when the dest found is
 * unusable.
 *
 * Quiescing a dest (weight 0) keeps its table slots, as the kernel builds
 * the table from last_weight; we take it from rs->last_weight and, should
 * the caller not maintain that, remember it ourselves across updates.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "sched_priv.h"

/* CONFIG_IP_VS_MH_TAB_INDEX 12: primes[12 - 8]; 12 / 2 bits of weight */
#define MH_TAB_SIZE	4093u
#define MH_TAB_BITS	6

static const struct nlvs_hsiphash_key mh_key1 = {
	{ 2654435761ULL, 2654435761ULL }
};
static const struct nlvs_hsiphash_key mh_key2 = {
	{ 2654446892ULL, 2654446892ULL }
};

struct mh_state {
	struct nlvs_rs *lookup[MH_TAB_SIZE];
	unsigned int num_known;
	struct nlvs_rs **known;		/* dests of the last update ... */
	int32_t *known_lw;		/* ... and the last_weight used for them */
};

struct mh_setup {
	unsigned int perm, skip;
	int turns;
};

static uint32_t mh_hashkey(uint16_t af, const union nlvs_addr *addr, uint16_t port,
			   const struct nlvs_hsiphash_key *key, unsigned int offset)
{
	/* hashed as a native u32; the kernel's little-endian layout is what
	 * nlvs_hsiphash reads */
	uint32_t v = offset + ntohs(port) + nlvs_sched_addr_fold(af, addr);
	uint8_t b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

	return nlvs_hsiphash(b, sizeof(b), key);
}

static int fls_int(unsigned int x)
{
	int r = 0;

	while (x) {
		r++;
		x >>= 1;
	}
	return r;
}

static int32_t mh_last_weight(const struct mh_state *st, const struct nlvs_rs *rs)
{
	unsigned int i;

	if (rs->weight > 0)
		return rs->weight;
	if (rs->last_weight > 0)
		return rs->last_weight;
	for (i = 0; i < st->num_known; i++)
		if (st->known[i] == rs)
			return st->known_lw[i];
	return 0;
}

static void mh_populate(struct mh_state *st, struct nlvs_sched_svc *svc,
			struct mh_setup *ds, unsigned char *taken)
{
	unsigned int n = 0, j, c;
	int dt_count = 0;

	for (;;) {
		for (j = 0; j < svc->num_dests; ) {
			if (ds[j].turns < 1) {
				j++;
				continue;
			}
			c = ds[j].perm;
			while (taken[c]) {
				ds[j].perm += ds[j].skip;
				if (ds[j].perm >= MH_TAB_SIZE)
					ds[j].perm -= MH_TAB_SIZE;
				c = ds[j].perm;
			}
			taken[c] = 1;
			st->lookup[c] = svc->dests[j];
			if (++n == MH_TAB_SIZE)
				return;
			if (++dt_count >= ds[j].turns) {
				dt_count = 0;
				j++;
			}
		}
	}
}

static int mh_update(struct nlvs_sched_svc *svc)
{
	struct mh_state *st = svc->priv;
	unsigned int n = svc->num_dests, i;
	struct nlvs_rs **known = NULL;
	int32_t *lw = NULL, maxw = 0;
	struct mh_setup *ds = NULL;
	unsigned char *taken = NULL;
	int g = 0, shift, rc = 0;
	struct nlvs_rs *d;

	if (n > MH_TAB_SIZE)
		return -EINVAL;
	if (n) {
		known = malloc(n * sizeof(*known));
		lw = malloc(n * sizeof(*lw));
		ds = calloc(n, sizeof(*ds));
		taken = calloc(MH_TAB_SIZE, 1);
		if (!known || !lw || !ds || !taken) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		known[i] = svc->dests[i];
		lw[i] = mh_last_weight(st, svc->dests[i]);
		if (lw[i] > 0) {
			g = g ? nlvs_sched_gcd(lw[i], g) : lw[i];
			if (lw[i] > maxw)
				maxw = lw[i];
		}
	}

	if (g < 1) {
		memset(st->lookup, 0, sizeof(st->lookup));
	} else {
		shift = fls_int((unsigned int)(maxw / g)) - MH_TAB_BITS;
		if (shift < 0)
			shift = 0;
		for (i = 0; i < n; i++) {
			d = svc->dests[i];
			ds[i].perm = mh_hashkey(svc->af, &d->addr, d->port, &mh_key1, 0) %
				     MH_TAB_SIZE;
			ds[i].skip = mh_hashkey(svc->af, &d->addr, d->port, &mh_key2, 0) %
				     (MH_TAB_SIZE - 1) + 1;
			ds[i].turns = (lw[i] / g) >> shift;
			if (!ds[i].turns)
				ds[i].turns = lw[i] != 0;
		}
		mh_populate(st, svc, ds, taken);
	}

	free(st->known);
	free(st->known_lw);
	st->known = known;
	st->known_lw = lw;
	st->num_known = n;
	known = NULL;
	lw = NULL;
out:
	free(known);
	free(lw);
	free(ds);
	free(taken);
	return rc;
}

static int mh_init(struct nlvs_sched_svc *svc)
{
	int rc;

	svc->priv = calloc(1, sizeof(struct mh_state));
	if (!svc->priv)
		return -ENOMEM;
	rc = mh_update(svc);
	if (rc) {
		free(svc->priv);
		svc->priv = NULL;
	}
	return rc;
}

static void mh_done(struct nlvs_sched_svc *svc)
{
	struct mh_state *st = svc->priv;

	if (st) {
		free(st->known);
		free(st->known_lw);
	}
	free(st);
	svc->priv = NULL;
}

static struct nlvs_rs *mh_schedule(struct nlvs_sched_svc *svc,
				   const struct nlvs_sched_pkt *pkt)
{
	struct mh_state *st = svc->priv;
	unsigned int ihash, off, roff;
	uint16_t port = 0;
	struct nlvs_rs *d;

	if ((svc->flags & NLVS_SVC_F_SCHED2) &&
	    (pkt->protocol == IPPROTO_TCP || pkt->protocol == IPPROTO_UDP ||
	     pkt->protocol == IPPROTO_SCTP))
		port = pkt->sport;

	ihash = mh_hashkey(svc->af, &pkt->saddr, port, &mh_key1, 0) % MH_TAB_SIZE;
	d = st->lookup[ihash];
	if (!d)
		return NULL;
	if (nlvs_rs_usable(d))
		return d;
	if (!(svc->flags & NLVS_SVC_F_SCHED1))
		return NULL;
	for (off = 0; off < MH_TAB_SIZE; off++) {
		roff = (off + ihash) % MH_TAB_SIZE;
		d = st->lookup[mh_hashkey(svc->af, &pkt->saddr, port, &mh_key1, roff) %
			       MH_TAB_SIZE];
		if (!d)
			break;
		if (nlvs_rs_usable(d))
			return d;
	}
	return NULL;
}

const struct nlvs_sched_ops nlvs_sched_mh = {
	.name = "mh",
	.init = mh_init,
	.done = mh_done,
	.update = mh_update,
	.schedule = mh_schedule,
};
