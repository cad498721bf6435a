// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control thread: turn the IPVS table of the control API into the immutable
 * struct lb_cfg the workers read, and publish it under RCU.
 *
 * As in the kernel, a change is in force when ipvsadm or keepalived get its
 * ACK: nlserver calls lb_cfg_sync() (through nlvs_ctl_sync()) before it
 * acknowledges.  A rebuild walks every service and dest once (O(total)), so
 * when rebuilding per change would cost too much (rebuilds over
 * LB_SYNC_MAX_US, or more than a tenth of the time during a restore of
 * thousands of services) changes are coalesced: they go live from the
 * tick, one rebuild for all the changes since the last, taking at most
 * 1/LB_BURST_SHARE of the time but never leaving a change out of the
 * dataplane for more than LB_LAG_MAX_MS (plus one rebuild).  The journal
 * has every change before its ACK either way (ctl_state.c): what lags is
 * only the workers' view, which the kernel's IPVS never lets lag.  Each
 * service carries two version numbers, kept when nothing relevant changed,
 * so workers only rebuild the scheduler instances of services that did.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "ctl/nlvs_ctl_table.h"
#include "lb_calc.h"
#include "lb_priv.h"
#include "base/nlvs_log.h"

struct lb_cslot *lb_csvc, *lb_cdest;
uint32_t lb_ncsvc, lb_ncdest;
static uint32_t cap_csvc, cap_cdest;
static uint32_t *free_svc, *free_dest;
static uint32_t nfree_svc, nfree_dest;

static uint64_t built_gen = UINT64_MAX, seen_gen = UINT64_MAX, last_build_ms;
/*
 * The last rebuilds' CPU times.  Decisions take the smallest: in a VM the
 * time the hypervisor takes the vCPU away is charged to whatever thread ran
 * (the guest sees no steal), and one rebuild of a few microseconds charged
 * milliseconds must not turn per-change publication off.  A table that
 * really costs that much costs it every time.
 */
#define COST_HIST	4
static uint64_t rebuild_us[COST_HIST];
static unsigned int cost_at;

static uint64_t cost_est(void)
{
	uint64_t m = rebuild_us[0];
	unsigned int i;

	for (i = 1; i < COST_HIST; i++)
		m = RTE_MIN(m, rebuild_us[i]);
	return m;
}
static uint32_t ver_counter;
static uint64_t cfg_seq;		/* of the last table built */

/* laddr pools services are built with (lb.c makes them) */
static struct lb_pools *pools_cur;

/* VIPs registered with L3 (so ARP/ND and echo answer for them) */
struct lb_vip {
	uint16_t af;
	union nlvs_addr addr;
};
static struct lb_vip *vips;
static unsigned int nvips;


/* lb_svc_lookup's key, for svc_match */
struct svc_key {
	const struct lb_cfg *cfg;
	const union nlvs_addr *addr;
	uint16_t port;
	uint8_t proto;
	uint8_t af;
};

static int svc_match(uint32_t slot, const void *key)
{
	const struct svc_key *k = key;
	const struct lb_svc *s = &k->cfg->svcs[slot];

	return s->port == k->port && s->proto == k->proto && s->af == k->af &&
	       nlvs_addr_equal(k->af, &s->addr, k->addr);
}

const struct lb_svc *lb_svc_lookup(const struct lb_cfg *cfg, int af, uint8_t proto,
				   const union nlvs_addr *addr, uint16_t port)
{
	struct svc_key k = { cfg, addr, port, proto, (uint8_t)af };
	int64_t slot = lb_hash_find(cfg->hash, cfg->hmask, lb_svc_hash(af, proto, addr, port),
				    svc_match, &k);

	return slot < 0 ? NULL : &cfg->svcs[slot];
}

/* fwmark services are hashed as protocol 0 (no other service has it) at
 * the mark's value */
static int mark_match(uint32_t slot, const void *key)
{
	const struct svc_key *k = key;
	const struct lb_svc *s = &k->cfg->svcs[slot];

	return s->fwmark && s->af == k->af && s->fwmark == k->addr->ip;
}

static uint32_t mark_hash(int af, uint32_t mark)
{
	union nlvs_addr a;

	memset(&a, 0, sizeof(a));
	a.ip = mark;
	return lb_svc_hash(af, 0, &a, 0);
}

const struct lb_svc *lb_svc_lookup_mark(const struct lb_cfg *cfg, int af, uint32_t mark)
{
	union nlvs_addr a = { .ip = mark };
	struct svc_key k = { cfg, &a, 0, 0, (uint8_t)af };
	int64_t slot = lb_hash_find(cfg->hash, cfg->hmask, mark_hash(af, mark), mark_match, &k);

	return slot < 0 ? NULL : &cfg->svcs[slot];
}

/* lb_nat_rs_is's key, for rs_match */
struct rs_key {
	const struct lb_cfg *cfg;
	const union nlvs_addr *addr;
	uint16_t port;
	uint8_t af;
};

static int rs_match(uint32_t slot, const void *key)
{
	const struct rs_key *k = key;
	const struct lb_dest *d = &k->cfg->dests[slot];

	return d->port == k->port && d->af == k->af && nlvs_addr_equal(k->af, &d->addr, k->addr);
}

int lb_nat_rs_is(const struct lb_cfg *cfg, int af, uint8_t proto, const union nlvs_addr *addr,
		 uint16_t port)
{
	struct rs_key k = { cfg, addr, port, (uint8_t)af };

	if (!cfg->nat_rs)
		return 0;
	if (lb_hash_find(cfg->nat_rs, cfg->nat_rs_mask, lb_svc_hash(af, proto, addr, port),
			 rs_match, &k) >= 0)
		return 1;
	k.port = 0;	/* dests of port-zero services answer from any port */
	return lb_hash_find(cfg->nat_rs, cfg->nat_rs_mask, lb_svc_hash(af, proto, addr, 0),
			    rs_match, &k) >= 0;
}

static int pool_find(const struct lb_pools *pl, int af, const union nlvs_addr *vip)
{
	unsigned int i;

	for (i = 0; pl && i < pl->n; i++)
		if (pl->p[i].af == af && nlvs_addr_equal(af, &pl->p[i].vip, vip))
			return (int)i;
	return -1;
}

int lb_pool_of(const struct lb_cfg *cfg, int af, const union nlvs_addr *vip)
{
	return pool_find(cfg->pools, af, vip);
}

static int slots_grow(struct lb_cslot **v, uint32_t *cap, uint32_t **fl, uint32_t want)
{
	struct lb_cslot *n;
	uint32_t *f, c = *cap ? *cap : 64;

	if (want <= *cap)
		return 0;
	while (c < want)
		c *= 2;
	n = realloc(*v, c * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + *cap, 0, (c - *cap) * sizeof(*n));
	*v = n;
	f = realloc(*fl, c * sizeof(*f));
	if (!f)
		return -ENOMEM;
	*fl = f;
	*cap = c;
	return 0;
}

/* The slot of a control object, a new one if it has none. */
static int slot_of(void **dp, void *obj, int is_dest, uint32_t *out)
{
	struct lb_cslot **v = is_dest ? &lb_cdest : &lb_csvc;
	uint32_t *n = is_dest ? &lb_ncdest : &lb_ncsvc;
	uint32_t *nf = is_dest ? &nfree_dest : &nfree_svc;
	uint32_t max = is_dest ? LB_DEST_CHUNKS * LB_CHUNK : LB_SVC_CHUNKS * LB_CHUNK;
	uintptr_t s = (uintptr_t)*dp;
	uint32_t slot;
	int rc;

	if (s && s - 1 < *n && (*v)[s - 1].obj == obj) {
		*out = (uint32_t)(s - 1);
		(*v)[s - 1].seen = 1;
		return 0;
	}
	if (*nf) {
		slot = (is_dest ? free_dest : free_svc)[--*nf];
	} else {
		if (*n >= max)
			return -ENOSPC;
		rc = is_dest ? slots_grow(&lb_cdest, &cap_cdest, &free_dest, *n + 1) :
			       slots_grow(&lb_csvc, &cap_csvc, &free_svc, *n + 1);
		if (rc < 0)
			return rc;
		slot = (*n)++;
	}
	(*v)[slot].obj = obj;
	(*v)[slot].gen++;
	(*v)[slot].seen = 1;
	lb_stats_slot_reset(&(*v)[slot], is_dest, slot);
	*dp = (void *)(uintptr_t)(slot + 1);
	*out = slot;
	return 0;
}

static void slots_sweep(struct lb_cslot *v, uint32_t n, uint32_t *fl, uint32_t *nf)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (v[i].obj && !v[i].seen) {
			v[i].obj = NULL;
			v[i].gen++;	/* connections bound to it see it gone */
			fl[(*nf)++] = i;
		}
		v[i].seen = 0;
	}
}

static int dest_same(const struct lb_dest *a, const struct lb_dest *b)
{
	return a->gen == b->gen && a->weight == b->weight && a->u_thresh == b->u_thresh &&
	       a->l_thresh == b->l_thresh && a->fwd == b->fwd;
}

static void cfg_free(struct lb_cfg *c)
{
	if (!c)
		return;
	free(c->svcs);
	free(c->dests);
	free(c->dest_ids);
	free(c->hash);
	free(c->nat_rs);
	free(c);
}

/* Pass 1: give every service and dest a slot, forget the vanished ones. */
static int slots_assign(uint32_t *nsvcs, uint32_t *ndests)
{
	struct nlvs_svc *svc;
	size_t cur = 0;
	uint32_t i, slot;
	int rc;

	*nsvcs = *ndests = 0;
	while ((svc = nlvs_ctl_svc_next(&cur))) {
		rc = slot_of(&svc->dp, svc, 0, &slot);
		if (rc < 0)
			return rc;
		for (i = 0; i < svc->num_dests; i++) {
			rc = slot_of(&svc->dests[i]->dp, svc->dests[i], 1, &slot);
			if (rc < 0)
				return rc;
		}
		(*nsvcs)++;
		*ndests += svc->num_dests;
	}
	slots_sweep(lb_csvc, lb_ncsvc, free_svc, &nfree_svc);
	slots_sweep(lb_cdest, lb_ncdest, free_dest, &nfree_dest);
	return 0;
}

static void dest_fill(struct lb_cfg *c, const struct lb_cfg *old, const struct nlvs_dest *d,
		      uint32_t slot)
{
	struct lb_dest *e = &c->dests[slot];
	const struct lb_dest *o = old && slot < old->ndest ? &old->dests[slot] : NULL;

	e->gen = lb_cdest[slot].gen;
	e->used = 1;
	e->af = (uint8_t)d->conf.af;
	e->addr = d->conf.addr;
	e->port = d->conf.port;
	e->fwd = d->conf.fwd;
	e->tun_type = d->conf.tun_type;
	e->tun_port = d->conf.tun_port;
	e->tun_flags = d->conf.tun_flags;
	e->weight = d->conf.weight;
	e->u_thresh = d->conf.u_thresh;
	e->l_thresh = d->conf.l_thresh;
	/* the kernel's last_weight: the latest non-zero weight */
	if (e->weight || !o || !o->used || o->gen != e->gen)
		e->last_weight = e->weight;
	else
		e->last_weight = o->last_weight;
}

static void svc_fill(struct lb_cfg *c, const struct lb_cfg *old, const struct nlvs_svc *svc,
		     uint32_t slot, uint32_t *ids)
{
	struct lb_svc *s = &c->svcs[slot];
	const struct lb_svc *o = old && slot < old->nsvc ? &old->svcs[slot] : NULL;
	int same_dests;
	uint32_t i;

	s->gen = lb_csvc[slot].gen;
	s->used = 1;
	s->af = (uint8_t)svc->conf.key.af;
	s->proto = (uint8_t)svc->conf.key.protocol;
	s->addr = svc->conf.key.addr;
	s->port = svc->conf.key.port;
	s->fwmark = svc->conf.key.fwmark;
	s->flags = svc->conf.flags;
	s->timeout_ms = svc->conf.timeout * 1000u;
	s->plen = lb_svc_plen(s->af, svc->conf.netmask);
	s->sched = svc->sched;
	s->pool = (int16_t)(s->fwmark ? -1 : pool_find(c->pools, s->af, &s->addr));
	s->ndests = svc->num_dests;
	s->dests = ids;
	for (i = 0; i < svc->num_dests; i++) {
		const struct nlvs_dest *d = nlvs_ctl_dest_at(svc, i);

		ids[i] = (uint32_t)((uintptr_t)d->dp - 1);
		dest_fill(c, old, d, ids[i]);
	}
	if (o && o->used && o->gen == s->gen && o->sched == s->sched && o->flags == s->flags)
		s->sched_ver = o->sched_ver;
	else
		s->sched_ver = ++ver_counter;
	same_dests = o && o->used && o->gen == s->gen && o->ndests == s->ndests;
	for (i = 0; same_dests && i < s->ndests; i++)
		same_dests = o->dests[i] == ids[i] &&
			     dest_same(&c->dests[ids[i]], &old->dests[ids[i]]);
	s->dests_ver = same_dests ? o->dests_ver : ++ver_counter;
}

/* The dests of classic NAT services, so that with several workers their
 * replies (transit traffic) can look for their connection on each worker. */
static int cfg_nat_rs_build(struct lb_cfg *c)
{
	uint32_t slot, i, n = 0;

	for (slot = 0; slot < c->nsvc; slot++)
		if (c->svcs[slot].used && !c->svcs[slot].fwmark && c->svcs[slot].pool < 0)
			n += c->svcs[slot].ndests;
	if (!n || lb_nworkers < 2)
		return 0;
	c->nat_rs_mask = lb_hash_size(n) - 1;
	c->nat_rs = calloc(c->nat_rs_mask + 1, sizeof(*c->nat_rs));
	if (!c->nat_rs)
		return -ENOMEM;
	for (slot = 0; slot < c->nsvc; slot++) {
		const struct lb_svc *s = &c->svcs[slot];

		if (!s->used || s->fwmark || s->pool >= 0)
			continue;
		for (i = 0; i < s->ndests; i++) {
			const struct lb_dest *d = &c->dests[s->dests[i]];

			lb_hash_add(c->nat_rs, c->nat_rs_mask,
				    lb_svc_hash(d->af, s->proto, &d->addr, d->port), s->dests[i]);
		}
	}
	return 0;
}

static struct lb_cfg *cfg_build(const struct lb_cfg *old, uint32_t nsvcs, uint32_t ndests,
				const struct lb_pools *pl)
{
	struct lb_cfg *c = calloc(1, sizeof(*c));
	struct nlvs_timeouts t;
	struct nlvs_svc *svc;
	const struct lb_svc *s;
	uint32_t hsize = lb_hash_size(nsvcs), used = 0, slot;
	size_t cur = 0;

	if (!c)
		return NULL;
	c->seq = ++cfg_seq;
	c->pools = pl;
	c->nsvc = lb_ncsvc;
	c->ndest = lb_ncdest;
	c->hmask = hsize - 1;
	c->svcs = calloc(c->nsvc ? c->nsvc : 1, sizeof(*c->svcs));
	c->dests = calloc(c->ndest ? c->ndest : 1, sizeof(*c->dests));
	c->dest_ids = calloc(ndests ? ndests : 1, sizeof(*c->dest_ids));
	c->hash = calloc(hsize, sizeof(*c->hash));
	if (!c->svcs || !c->dests || !c->dest_ids || !c->hash) {
		cfg_free(c);
		return NULL;
	}
	for (slot = 0; slot < c->ndest; slot++)
		c->dests[slot].gen = lb_cdest[slot].gen;
	for (slot = 0; slot < c->nsvc; slot++)
		c->svcs[slot].gen = lb_csvc[slot].gen;
	while ((svc = nlvs_ctl_svc_next(&cur))) {
		slot = (uint32_t)((uintptr_t)svc->dp - 1);
		svc_fill(c, old, svc, slot, c->dest_ids + used);
		used += svc->num_dests;
		s = &c->svcs[slot];
		if (s->fwmark) {
			lb_hash_add(c->hash, c->hmask, mark_hash(s->af, s->fwmark), slot);
			continue;
		}
		lb_hash_add(c->hash, c->hmask, lb_svc_hash(s->af, s->proto, &s->addr, s->port),
			    slot);
		if (s->pool < 0)
			c->nat++;	/* classic NAT: replies come as transit traffic */
	}
	if (cfg_nat_rs_build(c) < 0) {
		cfg_free(c);
		return NULL;
	}
	nlvs_conn_timeouts_default(&c->to);
	nlvs_ctl_timeout_get(&t);
	nlvs_conn_timeouts_set(&c->to, t.tcp, t.tcp_fin, t.udp);
	return c;
}

static int vip_cmp(const void *a, const void *b)
{
	const struct lb_vip *x = a, *y = b;

	if (x->af != y->af)
		return x->af < y->af ? -1 : 1;
	return memcmp(&x->addr, &y->addr, sizeof(x->addr));
}

static void vip_add(const struct lb_vip *v)
{
	int rc = nlvs_addr_add(NLVS_ADDR_VIP, v->af, &v->addr, NLVS_PORT_ANY);

	if (rc == -EEXIST)
		nlvs_log_warnx("a VIP is also an address of a port or a local address");
	else if (rc < 0)
		nlvs_log_warnx("cannot answer for a VIP: %s", strerror(-rc));
}

/* Answer ARP/ND and echo for exactly the VIPs of the services: both lists
 * sorted, one merge (thousands of VIPs must not cost a quadratic walk). */
static void vips_update(const struct lb_cfg *c)
{
	unsigned int nr = lb_mark_nrules(), n = 0, i, j, k;
	struct lb_vip *nv = calloc(c->nsvc * (nr + 1) + 1, sizeof(*nv));
	uint32_t s;

	if (!nv)
		return;
	for (s = 0; s < c->nsvc; s++) {
		const struct lb_svc *e = &c->svcs[s];

		if (!e->used)
			continue;
		if (e->fwmark) {	/* the host addresses its mark rules name */
			for (i = 0; i < nr; i++)
				if (lb_mark_vip(i, e->fwmark, e->af, &nv[n].addr))
					nv[n++].af = e->af;
			continue;
		}
		nv[n].af = e->af;	/* addresses are normalised: IPv4 tail zero */
		nv[n].addr = e->addr;
		n++;
	}
	qsort(nv, n, sizeof(*nv), vip_cmp);
	for (i = 0, k = 0; i < n; i++)	/* unique */
		if (!k || vip_cmp(&nv[k - 1], &nv[i]))
			nv[k++] = nv[i];
	n = k;
	nlvs_addr_batch_begin();
	for (i = 0, j = 0; i < n || j < nvips;) {
		int d = i == n ? 1 : j == nvips ? -1 : vip_cmp(&nv[i], &vips[j]);

		if (d <= 0 && i < n) {
			if (d < 0)
				vip_add(&nv[i]);
			i++;
		}
		if (d >= 0 && j < nvips) {
			if (d > 0)
				nlvs_addr_del(vips[j].af, &vips[j].addr);
			j++;
		}
	}
	if (nlvs_addr_batch_end() < 0)
		nlvs_log_warnx("cannot publish the VIPs' addresses");
	free(vips);
	vips = nv;
	nvips = n;
}

void lb_cfg_vips_refresh(void)
{
	if (lb_cfg_current)
		vips_update(lb_cfg_current);
}

static uint64_t clock_us(void);

/* Build a table with the pools @pl, and the workers' chunks it needs. */
static int cfg_make(const struct lb_pools *pl, struct lb_cfg **out)
{
	uint32_t nsvcs, ndests;
	struct lb_cfg *c;
	unsigned int w;
	int rc;

	rc = slots_assign(&nsvcs, &ndests);
	if (rc < 0)
		return rc;
	c = cfg_build(lb_cfg_current, nsvcs, ndests, pl);
	if (!c)
		return -ENOMEM;
	for (w = 0; w < lb_nworkers; w++) {
		rc = lb_worker_chunks(lb_workers[w], c->nsvc, c->ndest);
		if (rc < 0) {
			cfg_free(c);
			return rc;
		}
	}
	*out = c;
	return 0;
}

/* Publish @c; the old table is freed once no worker can be reading it. */
static void cfg_publish(struct lb_cfg *c)
{
	struct lb_cfg *old = lb_cfg_current;

	__atomic_store_n(&lb_cfg_current, c, __ATOMIC_RELEASE);
	/* L3 input reads this word per transit packet; the table has it too */
	__atomic_store_n(&nlvs_dp.lb_transit, c->nat != 0, __ATOMIC_RELAXED);
	if (old) {
		nlvs_dp_rcu_synchronize();
		cfg_free(old);
	}
	vips_update(c);
}

/* Build and publish; *@cost_us gets the time of the part that grows with the
 * table (the build), not the wait for the workers' grace period. */
static int cfg_rebuild(uint64_t *cost_us)
{
	uint64_t t0 = clock_us();
	struct lb_cfg *c;
	int rc;

	rc = cfg_make(pools_cur, &c);
	if (rc < 0)
		return rc;
	*cost_us = clock_us() - t0;
	nlvs_log_debug("dataplane table %lu rebuilt: %u service and %u dest slots, %lu us",
		       (unsigned long)c->seq, c->nsvc, c->ndest, (unsigned long)*cost_us);
	cfg_publish(c);
	return 0;
}

/* CPU time of the control thread: a rebuild preempted on a busy machine
 * must not look costly (it would turn per-change publication off). */
static uint64_t clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int cfg_update(uint64_t now_ms, int now)
{
	uint64_t gen = nlvs_ctl_generation();
	int rc;

	if (gen == built_gen)
		return 1;
	/* While changes keep coming (the generation moved since the last tick)
	 * rebuilds take at most 1/LB_BURST_SHARE of the time, yet come at
	 * least every LB_LAG_MAX_MS; once changes stop, the next tick
	 * publishes at once. */
	if (!now && lb_cfg_current && gen != seen_gen) {
		uint64_t gap = RTE_MAX((uint64_t)LB_REBUILD_MS,
				       cost_est() * LB_BURST_SHARE / 1000);

		seen_gen = gen;
		if (now_ms - last_build_ms < RTE_MIN(gap, (uint64_t)LB_LAG_MAX_MS))
			return 0;
	}
	last_build_ms = now_ms;
	rc = cfg_rebuild(&rebuild_us[cost_at++ % COST_HIST]);
	if (rc < 0) {
		nlvs_log_warnx("dataplane configuration not updated: %s", strerror(-rc));
		return 0;
	}
	built_gen = gen;
	return 1;
}

int lb_cfg_update(uint64_t now_ms)
{
	return cfg_update(now_ms, 0);
}

/* Publishing per change is bounded by a budget of rebuild time that refills
 * at 1/LB_SYNC_SHARE of the clock (up to LB_SYNC_BURST_US): interactive changes go
 * live before their ACK, while a bulk restore, whose rebuilds grow with the
 * table, soon runs out and falls back to the tick's batched rebuilds. */
int lb_cfg_sync(uint64_t now_ms)
{
	static int64_t budget_us = LB_SYNC_BURST_US;
	static uint64_t refill_us;
	uint64_t t, gen = nlvs_ctl_generation();
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the budget refills with the clock */
	t = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;

	budget_us += (int64_t)((t - refill_us) / LB_SYNC_SHARE);
	if (budget_us > LB_SYNC_BURST_US)
		budget_us = LB_SYNC_BURST_US;
	refill_us = t;
	if (gen == built_gen)
		return 1;
	if (budget_us <= 0 || cost_est() > LB_SYNC_MAX_US)
		return 0;
	rc = cfg_update(now_ms, 1);
	budget_us -= (int64_t)cost_est();
	return rc;
}

int lb_cfg_init(struct lb_pools *pl)
{
	pools_cur = pl;
	built_gen = UINT64_MAX;
	return 0;
}

const struct lb_pools *lb_cfg_pools(void)
{
	return pools_cur;
}

int lb_cfg_pools_prepare(const struct lb_pools *pl, struct lb_cfg **out)
{
	return cfg_make(pl, out);
}

void lb_cfg_pools_commit(struct lb_pools *pl, struct lb_cfg *c)
{
	struct lb_pools *old = pools_cur;

	pools_cur = pl;
	cfg_publish(c);		/* after its grace period no table names @old */
	built_gen = nlvs_ctl_generation();
	lb_pools_free(old);
}

void lb_cfg_pools_abort(struct lb_cfg *c)
{
	cfg_free(c);
}

void lb_cfg_fini(void)
{
	unsigned int i;

	nlvs_dp.lb_transit = 0;
	cfg_free(lb_cfg_current);
	lb_cfg_current = NULL;
	for (i = 0; i < nvips; i++)
		nlvs_addr_del(vips[i].af, &vips[i].addr);
	free(vips);
	vips = NULL;
	nvips = 0;
	lb_pools_free(pools_cur);
	pools_cur = NULL;
	free(lb_csvc);
	free(lb_cdest);
	free(free_svc);
	free(free_dest);
	lb_csvc = lb_cdest = NULL;
	free_svc = free_dest = NULL;
	lb_ncsvc = lb_ncdest = cap_csvc = cap_cdest = nfree_svc = nfree_dest = 0;
}
