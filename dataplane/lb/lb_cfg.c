// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control thread: turn the IPVS table of the control API into the immutable
 * struct lb_cfg the workers read, and publish it under RCU.
 *
 * As in the kernel, a change is in force when ipvsadm or keepalived get its
 * ACK: nlserver calls lb_cfg_sync() (through nlvs_ctl_sync()) before it
 * acknowledges.  The control API tells us which service each change is
 * about (nlvs_ctl_watch_set): the service gets its slot at once, its slot
 * is noted, and the next table is the current one with only the noted
 * services (and their dests) rebuilt, copy on write: chunks of 256 slots,
 * the service's own dest list, the hashes touched, the VIPs it adds or
 * drops, and the list of slots the workers have to look at.  The work per
 * change is proportional to the service changed, not to the table, so
 * every change is published before its ACK.
 *
 * Global changes (timeouts, flush, state restore, a laddr pools reload)
 * rebuild everything (O(total)): when those rebuilds cost too much to do
 * per change (over LB_SYNC_MAX_US, or more than a tenth of the time in a
 * burst) they are coalesced and go live from the tick, at most
 * 1/LB_BURST_SHARE of the time but never more than LB_LAG_MAX_MS late.
 * Each service carries two version numbers, kept when nothing relevant
 * changed, so workers only rebuild the scheduler instances of services
 * that did.
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

static uint64_t cost_min(const uint64_t *v)
{
	uint64_t m = v[0];
	unsigned int i;

	for (i = 1; i < COST_HIST; i++)
		m = RTE_MIN(m, v[i]);
	return m;
}

static uint64_t cost_est(void)
{
	return cost_min(rebuild_us);
}
static uint32_t ver_counter;
static uint64_t cfg_seq;		/* of the last table built */

/* laddr pools services are built with (lb.c makes them) */
static struct lb_pools *pools_cur;

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
	const struct lb_svc *s = lb_cfg_svc(k->cfg, (uint32_t)slot);

	return s->port == k->port && s->proto == k->proto && s->af == k->af &&
	       nlvs_addr_equal(k->af, &s->addr, k->addr);
}

const struct lb_svc *lb_svc_lookup(const struct lb_cfg *cfg, int af, uint8_t proto,
				   const union nlvs_addr *addr, uint16_t port)
{
	struct svc_key k = { cfg, addr, port, proto, (uint8_t)af };
	int64_t slot = lb_hash_find(&cfg->hash, lb_svc_hash(af, proto, addr, port), svc_match,
				    &k);

	return slot < 0 ? NULL : lb_cfg_svc(cfg, (uint32_t)slot);
}

/* fwmark services are hashed as protocol 0 (no other service has it) at
 * the mark's value */
static int mark_match(uint32_t slot, const void *key)
{
	const struct svc_key *k = key;
	const struct lb_svc *s = lb_cfg_svc(k->cfg, (uint32_t)slot);

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
	int64_t slot = lb_hash_find(&cfg->hash, mark_hash(af, mark), mark_match, &k);

	return slot < 0 ? NULL : lb_cfg_svc(cfg, (uint32_t)slot);
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
	const struct lb_dest *d = lb_cfg_dest(k->cfg, slot);

	return d->port == k->port && d->af == k->af && nlvs_addr_equal(k->af, &d->addr, k->addr);
}

int lb_nat_rs_is(const struct lb_cfg *cfg, int af, uint8_t proto, const union nlvs_addr *addr,
		 uint16_t port)
{
	struct rs_key k = { cfg, addr, port, (uint8_t)af };

	if (!cfg->nat_rs.pg)
		return 0;
	if (lb_hash_find(&cfg->nat_rs, lb_svc_hash(af, proto, addr, port), rs_match, &k) >= 0)
		return 1;
	k.port = 0;	/* dests of port-zero services answer from any port */
	return lb_hash_find(&cfg->nat_rs, lb_svc_hash(af, proto, addr, 0), rs_match, &k) >= 0;
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

/* ---- slots ---- */

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

/* The slot @obj holds, or UINT32_MAX. */
static uint32_t slot_held(const void *dp, const void *obj, int is_dest)
{
	const struct lb_cslot *v = is_dest ? lb_cdest : lb_csvc;
	uintptr_t s = (uintptr_t)dp;

	if (s && s - 1 < (is_dest ? lb_ncdest : lb_ncsvc) && v[s - 1].obj == obj)
		return (uint32_t)(s - 1);
	return UINT32_MAX;
}

/* @slot's object is gone: a new generation, so that connections bound to it
 * see it gone, and the slot is free for another. */
static void slot_release(int is_dest, uint32_t slot)
{
	struct lb_cslot *cs = is_dest ? &lb_cdest[slot] : &lb_csvc[slot];

	cs->obj = NULL;
	cs->gen++;
	if (is_dest)
		free_dest[nfree_dest++] = slot;
	else
		free_svc[nfree_svc++] = slot;
}

static void slots_sweep(struct lb_cslot *v, uint32_t n, int is_dest)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (v[i].obj && !v[i].seen)
			slot_release(is_dest, i);
		v[i].seen = 0;
	}
}

/* Pass 1 of a full build: give every service and dest a slot, forget the
 * vanished ones (those a flush or a state restore freed). */
static int slots_assign(uint32_t *nsvcs)
{
	struct nlvs_svc *svc;
	size_t cur = 0;
	uint32_t i, slot;
	int rc;

	for (i = 0; i < lb_ncsvc; i++)
		lb_csvc[i].seen = 0;
	for (i = 0; i < lb_ncdest; i++)
		lb_cdest[i].seen = 0;
	*nsvcs = 0;
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
	}
	slots_sweep(lb_csvc, lb_ncsvc, 0);
	slots_sweep(lb_cdest, lb_ncdest, 1);
	return 0;
}

/* ---- what changed since the last table ---- */

/* Append @slot to the growing list *@v of *@n (room for *@cap). */
static int slot_push(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t slot)
{
	if (*n == *cap) {
		uint32_t c = *cap ? *cap * 2 : 256;
		uint32_t *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = slot;
	return 0;
}

static int notes_all = 1;		/* a full build is due */
static uint32_t *note_svc, *note_dest;	/* service and (freed) dest slots */
static uint32_t nnote_svc, nnote_dest, cap_note_svc, cap_note_dest;

static void note(int is_dest, uint32_t slot)
{
	struct lb_cslot *cs = is_dest ? &lb_cdest[slot] : &lb_csvc[slot];
	uint32_t **v = is_dest ? &note_dest : &note_svc;
	uint32_t *n = is_dest ? &nnote_dest : &nnote_svc;
	uint32_t *cap = is_dest ? &cap_note_dest : &cap_note_svc;

	if (cs->noted)
		return;
	if (slot_push(v, n, cap, slot) < 0) {
		notes_all = 1;
		return;
	}
	cs->noted = 1;
}

static void notes_clear(void)
{
	uint32_t i;

	for (i = 0; i < nnote_svc; i++)
		lb_csvc[note_svc[i]].noted = 0;
	for (i = 0; i < nnote_dest; i++)
		lb_cdest[note_dest[i]].noted = 0;
	nnote_svc = nnote_dest = 0;
	notes_all = 0;
}

/*
 * Workers skip tables: one asleep is offline, so a grace period does not
 * wait for it, and one may report quiescent before it looked at the newest
 * table.  So each table lists the slots changed since the oldest table a
 * worker follows (acc_from), not only since the one before it: a worker
 * behind syncs those rather than walk every slot.  In practice workers are
 * at most a millisecond behind (they follow per burst and per timer tick),
 * so the list stays short; past ACC_MAX slots it starts again and a worker
 * further behind walks everything.
 */
#define ACC_MAX		4096
static uint64_t acc_from;
static uint32_t *acc_svc, *acc_dest;
static uint32_t nacc_svc, nacc_dest, cap_acc_svc, cap_acc_dest;

static void acc_clear(uint64_t from)
{
	uint32_t i;

	for (i = 0; i < nacc_svc; i++)
		lb_csvc[acc_svc[i]].behind = 0;
	for (i = 0; i < nacc_dest; i++)
		lb_cdest[acc_dest[i]].behind = 0;
	nacc_svc = nacc_dest = 0;
	acc_from = from;
}

static int acc_add(int is_dest, uint32_t slot)
{
	struct lb_cslot *cs = is_dest ? &lb_cdest[slot] : &lb_csvc[slot];
	uint32_t **v = is_dest ? &acc_dest : &acc_svc;
	uint32_t *n = is_dest ? &nacc_dest : &nacc_svc;
	uint32_t *cap = is_dest ? &cap_acc_dest : &cap_acc_svc;

	if (cs->behind)
		return 0;
	if (slot_push(v, n, cap, slot) < 0)
		return -ENOMEM;
	cs->behind = 1;
	return 0;
}

/* The seq of the oldest table a worker follows. */
static uint64_t workers_seq(void)
{
	uint64_t m = UINT64_MAX, s;
	unsigned int w;

	for (w = 0; w < lb_nworkers; w++) {
		s = __atomic_load_n(&lb_workers[w]->cfg_seq, __ATOMIC_ACQUIRE);
		m = RTE_MIN(m, s);
	}
	return m;
}

/* Turn @c's lists (the changes since @prev_seq) into the changes since the
 * oldest table a worker follows, or as far back as they go. */
static void acc_merge(struct lb_cfg *c, uint64_t prev_seq)
{
	uint64_t min = workers_seq();
	uint32_t *sv, *dv, i;

	if (min >= prev_seq || min < acc_from ||
	    nacc_svc + nacc_dest + c->nchg_svc + c->nchg_dest > ACC_MAX)
		acc_clear(prev_seq);
	for (i = 0; i < c->nchg_svc; i++)
		if (acc_add(0, c->chg_svc[i]) < 0)
			goto own;
	for (i = 0; i < c->nchg_dest; i++)
		if (acc_add(1, c->chg_dest[i]) < 0)
			goto own;
	c->from_seq = acc_from;
	if (acc_from == prev_seq)
		return;		/* the lists are the table's own */
	sv = malloc((nacc_svc ? nacc_svc : 1) * sizeof(*sv));
	dv = malloc((nacc_dest ? nacc_dest : 1) * sizeof(*dv));
	if (!sv || !dv) {
		free(sv);
		free(dv);
		goto own;
	}
	if (nacc_svc)
		memcpy(sv, acc_svc, nacc_svc * sizeof(*sv));
	if (nacc_dest)
		memcpy(dv, acc_dest, nacc_dest * sizeof(*dv));
	free(c->chg_svc);
	free(c->chg_dest);
	c->chg_svc = sv;
	c->chg_dest = dv;
	c->nchg_svc = nacc_svc;
	c->nchg_dest = nacc_dest;
	return;
own:
	/* start again from this table's own changes (the entries added
	 * already are among them) */
	acc_clear(prev_seq);
	c->from_seq = prev_seq;
}

/* The control API's word on each change (nlvs_ctl_table.h).  Slots are
 * taken and freed here, as the objects come and go; the build that follows
 * rebuilds the noted services. */
static void watch(enum nlvs_ctl_what what, struct nlvs_svc *svc, struct nlvs_dest *d)
{
	uint32_t slot, i, ds;

	if (what == NLVS_CTL_ALL || notes_all) {
		notes_all = 1;		/* the full build's sweep frees slots */
		return;
	}
	if (what == NLVS_CTL_SVC_GONE) {
		slot = slot_held(svc->dp, svc, 0);
		if (slot == UINT32_MAX) {
			notes_all = 1;
			return;
		}
		for (i = 0; i < svc->num_dests; i++) {
			ds = slot_held(svc->dests[i]->dp, svc->dests[i], 1);
			if (ds != UINT32_MAX) {
				slot_release(1, ds);
				note(1, ds);
			}
		}
		slot_release(0, slot);
		note(0, slot);
		return;
	}
	if (what == NLVS_CTL_DEST_GONE) {
		ds = slot_held(d->dp, d, 1);
		if (ds != UINT32_MAX) {
			slot_release(1, ds);
			note(1, ds);
		}
	}
	if (slot_of(&svc->dp, svc, 0, &slot) < 0) {
		notes_all = 1;
		return;
	}
	note(0, slot);
}

/* ---- VIPs: answered for while a service (or a mark rule's host) names them ---- */

struct lb_vip {
	struct lb_vip *next;
	uint16_t af;
	uint8_t live;			/* registered with L3 */
	uint8_t queued;			/* on vip_q */
	uint32_t refs;
	union nlvs_addr addr;
};
#define VIP_BUCKETS	(1u << 16)
static struct lb_vip **vip_tab;
static struct lb_vip **vip_q;		/* those whose refs moved */
static uint32_t nvip_q, cap_vip_q;
static int vip_q_lost;			/* the queue could not grow: look at all */

static struct lb_vip **vip_find(int af, const union nlvs_addr *a)
{
	struct lb_vip **pp = &vip_tab[lb_svc_hash(af, 0, a, 0) & (VIP_BUCKETS - 1)];

	while (*pp && ((*pp)->af != af || !nlvs_addr_equal(af, &(*pp)->addr, a)))
		pp = &(*pp)->next;
	return pp;
}

static void vip_queue(struct lb_vip *v)
{
	if (v->queued)
		return;
	if (nvip_q == cap_vip_q) {
		uint32_t c = cap_vip_q ? cap_vip_q * 2 : 256;
		struct lb_vip **q = realloc(vip_q, c * sizeof(*q));

		if (!q) {
			vip_q_lost = 1;
			return;
		}
		vip_q = q;
		cap_vip_q = c;
	}
	vip_q[nvip_q++] = v;
	v->queued = 1;
}

static void vip_ref(int af, const union nlvs_addr *a, int delta)
{
	struct lb_vip **pp, *v;

	if (!vip_tab && !(vip_tab = calloc(VIP_BUCKETS, sizeof(*vip_tab)))) {
		nlvs_log_warnx("cannot answer for a VIP: %s", strerror(ENOMEM));
		return;
	}
	pp = vip_find(af, a);
	if (!*pp) {
		if (delta < 0)
			return;
		v = calloc(1, sizeof(*v));
		if (!v) {
			nlvs_log_warnx("cannot answer for a VIP: %s", strerror(ENOMEM));
			return;
		}
		v->af = (uint16_t)af;
		v->addr = *a;	/* addresses are normalised: IPv4 tail zero */
		*pp = v;
	}
	v = *pp;
	if (delta < 0 && !v->refs)
		return;
	v->refs += (uint32_t)delta;
	vip_queue(v);
}

/* The VIPs of service @s: its own address, or the host addresses its
 * mark rules name. */
static void vip_refs(const struct lb_svc *s, int delta)
{
	unsigned int i, nr;
	union nlvs_addr a;

	if (!s->fwmark) {
		vip_ref(s->af, &s->addr, delta);
		return;
	}
	for (i = 0, nr = lb_mark_nrules(); i < nr; i++)
		if (lb_mark_vip(i, s->fwmark, s->af, &a))
			vip_ref(s->af, &a, delta);
}

static void vip_add(const struct lb_vip *v)
{
	int rc = nlvs_addr_add(NLVS_ADDR_VIP, v->af, &v->addr, NLVS_PORT_ANY);

	if (rc == -EEXIST)
		nlvs_log_warnx("a VIP is also an address of a port or a local address");
	else if (rc < 0)
		nlvs_log_warnx("cannot answer for a VIP: %s", strerror(-rc));
}

/* Answer ARP/ND and echo for exactly the VIPs referenced. */
static void vip_settle(struct lb_vip *v)
{
	struct lb_vip **pp;

	v->queued = 0;
	if (v->refs && !v->live) {
		vip_add(v);
		v->live = 1;
	} else if (!v->refs && v->live) {
		nlvs_addr_del(v->af, &v->addr);
		v->live = 0;
	}
	if (!v->refs) {
		pp = vip_find(v->af, &v->addr);
		*pp = v->next;
		free(v);
	}
}

/* Does a queued VIP come or go (rather than only count one service more or less)? */
static int vips_come_or_go(void)
{
	uint32_t i;

	for (i = 0; i < nvip_q; i++)
		if (!vip_q[i]->refs != !vip_q[i]->live)
			return 1;
	return vip_q_lost;
}

static void vips_apply(void)
{
	struct lb_vip *v, *next;
	uint32_t i;

	if (!nvip_q && !vip_q_lost)
		return;
	nlvs_addr_batch_begin();
	for (i = 0; i < nvip_q; i++)
		vip_settle(vip_q[i]);
	nvip_q = 0;
	for (i = 0; vip_q_lost && i < VIP_BUCKETS; i++)
		for (v = vip_tab[i]; v; v = next) {
			next = v->next;
			vip_settle(v);
		}
	vip_q_lost = 0;
	if (nlvs_addr_batch_end() < 0)
		nlvs_log_warnx("cannot publish the VIPs' addresses");
}

/* Count every VIP's references again from table @c (after a full build or a
 * change of the mark rules). */
static void vips_recount(const struct lb_cfg *c)
{
	struct lb_vip *v;
	uint32_t i;

	for (i = 0; vip_tab && i < VIP_BUCKETS; i++)
		for (v = vip_tab[i]; v; v = v->next) {
			v->refs = 0;
			vip_queue(v);
		}
	for (i = 0; i < c->nsvc; i++)
		if (lb_cfg_svc(c, i)->used)
			vip_refs(lb_cfg_svc(c, i), 1);
	vips_apply();
}

void lb_cfg_vips_refresh(void)
{
	if (lb_cfg_current)
		vips_recount(lb_cfg_current);
}

static void vips_fini(void)
{
	struct lb_vip *v, *next;
	uint32_t i;

	for (i = 0; vip_tab && i < VIP_BUCKETS; i++)
		for (v = vip_tab[i]; v; v = next) {
			next = v->next;
			if (v->live)
				nlvs_addr_del(v->af, &v->addr);
			free(v);
		}
	free(vip_tab);
	free(vip_q);
	vip_tab = NULL;
	vip_q = NULL;
	nvip_q = cap_vip_q = 0;
	vip_q_lost = 0;
}

/* ---- tables ---- */

/*
 * A step replaces a service and a dest chunk (20 and 14 KiB) and frees the
 * old ones after the grace period: kept aside and used again, instead of
 * going back to malloc, which would return them to the system and fault
 * them in again on every change.
 */
#define SPARE_CHUNKS	4
static void *spare_svc[SPARE_CHUNKS], *spare_dest[SPARE_CHUNKS];
static unsigned int nspare_svc, nspare_dest;

static void chunk_put(void **spare, unsigned int *n, void *ch)
{
	if (*n < SPARE_CHUNKS)
		spare[(*n)++] = ch;
	else
		free(ch);
}

static void *chunk_get(void **spare, unsigned int *n, size_t size)
{
	return *n ? spare[--*n] : malloc(size);
}

static void spares_free(void)
{
	while (nspare_svc)
		free(spare_svc[--nspare_svc]);
	while (nspare_dest)
		free(spare_dest[--nspare_dest]);
}

/* Chunk @k of table @c when @c has it in use (a step copies only those), else NULL. */
static struct lb_svc *svc_chunk_of(const struct lb_cfg *c, uint32_t k)
{
	return c && k < LB_CHUNKS(c->nsvc) ? c->svc_chunk[k] : NULL;
}

static struct lb_dest *dest_chunk_of(const struct lb_cfg *c, uint32_t k)
{
	return c && k < LB_CHUNKS(c->ndest) ? c->dest_chunk[k] : NULL;
}

/*
 * Free what table @c holds that @keep (the table built from it, or the one
 * it was built from) does not share; @keep NULL: everything.
 */
static void cfg_free_unshared(struct lb_cfg *c, const struct lb_cfg *keep)
{
	uint32_t k, j;

	if (!c)
		return;
	for (k = 0; k < LB_CHUNKS(c->nsvc); k++) {
		struct lb_svc *ch = c->svc_chunk[k];
		const struct lb_svc *kc = svc_chunk_of(keep, k);

		if (!ch || ch == kc)
			continue;
		for (j = 0; j < LB_CHUNK; j++)
			if (!kc || ch[j].dests != kc[j].dests)
				free(ch[j].dests);
		chunk_put(spare_svc, &nspare_svc, ch);
	}
	for (k = 0; k < LB_CHUNKS(c->ndest); k++)
		if (c->dest_chunk[k] && c->dest_chunk[k] != dest_chunk_of(keep, k))
			chunk_put(spare_dest, &nspare_dest, c->dest_chunk[k]);
	lb_hash_free(&c->hash, keep ? &keep->hash : NULL);
	lb_hash_free(&c->nat_rs, keep ? &keep->nat_rs : NULL);
	free(c->chg_svc);
	free(c->chg_dest);
	free(c);
}

/* A table being built: @base shares its chunks and hashes until they are
 * written (NULL: a full build, everything is new), @prev is the table its
 * version numbers and last weights carry on from. */
struct build {
	struct lb_cfg *c;
	const struct lb_cfg *base, *prev;
	int rehash, renat;		/* build the hash / nat_rs after the fill */
};

/* Room for @nsvc and @ndest slots: the chunk pointers past those in use
 * emptied, for chunks_alloc() (a step copies only those in use). */
static void chunks_more(struct lb_cfg *c, uint32_t nsvc, uint32_t ndest)
{
	uint32_t k;

	for (k = LB_CHUNKS(c->nsvc); k < LB_CHUNKS(nsvc); k++)
		c->svc_chunk[k] = NULL;
	for (k = LB_CHUNKS(c->ndest); k < LB_CHUNKS(ndest); k++)
		c->dest_chunk[k] = NULL;
	c->nsvc = nsvc;
	c->ndest = ndest;
}

/* Chunks for slots added since @base (zeroed: no slot of them is used). */
static int chunks_alloc(struct lb_cfg *c)
{
	uint32_t k;

	for (k = 0; k < LB_CHUNKS(c->nsvc); k++)
		if (!c->svc_chunk[k] &&
		    !(c->svc_chunk[k] = calloc(LB_CHUNK, sizeof(struct lb_svc))))
			return -ENOMEM;
	for (k = 0; k < LB_CHUNKS(c->ndest); k++)
		if (!c->dest_chunk[k] &&
		    !(c->dest_chunk[k] = calloc(LB_CHUNK, sizeof(struct lb_dest))))
			return -ENOMEM;
	return 0;
}

/* Writable records: a chunk still shared with the base (@shared) is copied
 * first (once per build).  Returns the chunk, NULL without memory. */
static void *chunk_w(void *ch, const void *shared, void **spare, unsigned int *nspare,
		     size_t size)
{
	void *n;

	if (ch != shared)
		return ch;
	n = chunk_get(spare, nspare, size);
	if (n)
		memcpy(n, ch, size);
	return n;
}

static struct lb_svc *svc_w(struct build *b, uint32_t slot)
{
	uint32_t k = slot >> LB_CHUNK_SHIFT;
	struct lb_svc *ch = chunk_w(b->c->svc_chunk[k], svc_chunk_of(b->base, k), spare_svc,
				    &nspare_svc, LB_CHUNK * sizeof(*ch));

	if (!ch)
		return NULL;
	b->c->svc_chunk[k] = ch;
	return &ch[slot & (LB_CHUNK - 1)];
}

static struct lb_dest *dest_w(struct build *b, uint32_t slot)
{
	uint32_t k = slot >> LB_CHUNK_SHIFT;
	struct lb_dest *ch = chunk_w(b->c->dest_chunk[k], dest_chunk_of(b->base, k), spare_dest,
				     &nspare_dest, LB_CHUNK * sizeof(*ch));

	if (!ch)
		return NULL;
	b->c->dest_chunk[k] = ch;
	return &ch[slot & (LB_CHUNK - 1)];
}

static int dest_same(const struct lb_dest *a, const struct lb_dest *b)
{
	return a->gen == b->gen && a->weight == b->weight && a->u_thresh == b->u_thresh &&
	       a->l_thresh == b->l_thresh && a->fwd == b->fwd;
}

static int dest_fill(struct build *b, const struct nlvs_dest *d, uint32_t slot, uint8_t proto)
{
	const struct lb_cfg *old = b->prev;
	const struct lb_dest *o = old && slot < old->ndest ? lb_cfg_dest(old, slot) : NULL;
	struct lb_dest *e = dest_w(b, slot);
	int32_t last = o ? o->last_weight : 0;
	int keep_last = o && o->used && o->gen == lb_cdest[slot].gen;

	if (!e)
		return -ENOMEM;
	memset(e, 0, sizeof(*e));
	e->gen = lb_cdest[slot].gen;
	e->used = 1;
	e->af = (uint8_t)d->conf.af;
	e->proto = proto;
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
	e->last_weight = e->weight || !keep_last ? e->weight : last;
	return 0;
}

/* Fill @slot from @svc, with a dest list of its own. */
static int svc_fill(struct build *b, const struct nlvs_svc *svc, uint32_t slot)
{
	const struct lb_cfg *old = b->prev;
	const struct lb_svc *o = old && slot < old->nsvc ? lb_cfg_svc(old, slot) : NULL;
	struct lb_svc *s = svc_w(b, slot);
	uint32_t *ids = NULL, i, ds;
	int same_dests, rc;

	if (!s)
		return -ENOMEM;
	if (svc->num_dests && !(ids = malloc(svc->num_dests * sizeof(*ids))))
		return -ENOMEM;
	for (i = 0; i < svc->num_dests; i++) {
		struct nlvs_dest *d = nlvs_ctl_dest_at(svc, i);

		rc = slot_of(&d->dp, d, 1, &ds);
		if (rc == 0)
			rc = dest_fill(b, d, ds, (uint8_t)svc->conf.key.protocol);
		if (rc < 0) {
			free(ids);
			return rc;
		}
		ids[i] = ds;
	}
	s->gen = lb_csvc[slot].gen;
	s->used = 1;
	s->slot = slot;
	s->af = (uint8_t)svc->conf.key.af;
	s->proto = (uint8_t)svc->conf.key.protocol;
	s->addr = svc->conf.key.addr;
	s->port = svc->conf.key.port;
	s->fwmark = svc->conf.key.fwmark;
	s->flags = svc->conf.flags;
	s->timeout_ms = svc->conf.timeout * 1000u;
	s->plen = lb_svc_plen(s->af, svc->conf.netmask);
	s->sched = svc->sched;
	s->pool = (int16_t)(s->fwmark ? -1 : pool_find(b->c->pools, s->af, &s->addr));
	s->ndests = svc->num_dests;
	s->dests = ids;
	if (o && o->used && o->gen == s->gen && o->sched == s->sched && o->flags == s->flags)
		s->sched_ver = o->sched_ver;
	else
		s->sched_ver = ++ver_counter;
	same_dests = o && o->used && o->gen == s->gen && o->ndests == s->ndests;
	for (i = 0; same_dests && i < s->ndests; i++)
		same_dests = o->dests[i] == ids[i] &&
			     dest_same(lb_cfg_dest(b->c, ids[i]), lb_cfg_dest(old, ids[i]));
	s->dests_ver = same_dests ? o->dests_ver : ++ver_counter;
	return 0;
}

/* Classic NAT services (no laddr pool): with several workers their replies
 * (transit traffic) look for their connection on each worker, through
 * nat_rs, the hash of their dests. */
static int svc_is_nat(const struct lb_svc *s)
{
	return !s->fwmark && s->pool < 0;
}

/* Hash homes of the entries, read in table @arg. */
static uint32_t svc_home(uint32_t slot, const void *arg)
{
	const struct lb_svc *s = lb_cfg_svc(arg, slot);

	if (s->fwmark)
		return mark_hash(s->af, s->fwmark);
	return lb_svc_hash(s->af, s->proto, &s->addr, s->port);
}

static uint32_t rs_home(uint32_t slot, const void *arg)
{
	const struct lb_dest *d = lb_cfg_dest(arg, slot);

	return lb_svc_hash(d->af, d->proto, &d->addr, d->port);
}

/* The base's hashes, which a step's writes must leave alone (lb_hash_add). */
static const struct lb_hash *base_hash(const struct build *b)
{
	return b->base ? &b->base->hash : NULL;
}

static const struct lb_hash *base_nat(const struct build *b)
{
	return b->base ? &b->base->nat_rs : NULL;
}

/* Take the published service @o (a record of the base) out of the hashes
 * (@whole: out of the service hash and the VIPs too; else it stays and only
 * its NAT dests go).  The entries' homes are read in the base, which
 * matches the hashes until something is added. */
static int svc_unhook(struct build *b, const struct lb_svc *o, int whole)
{
	struct lb_cfg *c = b->c;
	uint32_t i;
	int rc;

	if (whole) {
		rc = lb_hash_del(&c->hash, base_hash(b), svc_home(o->slot, b->base), o->slot,
				 svc_home, b->base);
		if (rc < 0)
			return rc;
		c->nhash -= (uint32_t)rc;
		vip_refs(o, -1);
		if (svc_is_nat(o))
			c->nat--;
	}
	if (!svc_is_nat(o) || !c->nat_rs.pg || !o->ndests)
		return 0;
	for (i = 0; i < o->ndests; i++) {
		rc = lb_hash_del(&c->nat_rs, base_nat(b), rs_home(o->dests[i], b->base),
				 o->dests[i], rs_home, b->base);
		if (rc < 0)
			return rc;
		c->nnat_rs -= (uint32_t)rc;
	}
	return 0;
}

/* Put service @s (filled in the new table) in the hashes, as svc_unhook()
 * took it out.  The room is there (cfg_step checked), or the hash is built
 * after the fill (rehash, renat). */
static int svc_hook(struct build *b, const struct lb_svc *s, int whole)
{
	struct lb_cfg *c = b->c;
	uint32_t i;

	if (whole) {
		if (!b->rehash &&
		    lb_hash_add(&c->hash, base_hash(b), svc_home(s->slot, c), s->slot) < 0)
			return -ENOMEM;
		c->nhash++;
		if (b->base)	/* a full build counts the VIPs afresh */
			vip_refs(s, 1);
		if (svc_is_nat(s))
			c->nat++;
	}
	if (!svc_is_nat(s) || lb_nworkers < 2)
		return 0;
	for (i = 0; i < s->ndests; i++) {
		if (!b->renat &&
		    lb_hash_add(&c->nat_rs, base_nat(b), rs_home(s->dests[i], c), s->dests[i]) < 0)
			return -ENOMEM;
		c->nnat_rs++;
	}
	return 0;
}

/* Build the hashes anew from the services of the table (a full build, or a
 * hash that has to grow: amortised over the additions that filled it). */
static int svc_rehash(struct build *b)
{
	struct lb_cfg *c = b->c;
	struct lb_hash h;
	uint32_t i;

	if (lb_hash_init(&h, lb_hash_size(c->nhash)) < 0)
		return -ENOMEM;
	lb_hash_free(&c->hash, base_hash(b));
	c->hash = h;
	for (i = 0; i < c->nsvc; i++)
		if (lb_cfg_svc(c, i)->used)
			(void)lb_hash_add(&c->hash, NULL, svc_home(i, c), i);	/* owned */
	b->rehash = 0;
	return 0;
}

static int nat_rehash(struct build *b)
{
	struct lb_cfg *c = b->c;
	uint32_t i, j;

	lb_hash_free(&c->nat_rs, base_nat(b));
	b->renat = 0;
	if (!c->nnat_rs)
		return 0;
	if (lb_hash_init(&c->nat_rs, lb_hash_size(c->nnat_rs)) < 0)
		return -ENOMEM;
	for (i = 0; i < c->nsvc; i++) {
		const struct lb_svc *s = lb_cfg_svc(c, i);

		if (!s->used || !svc_is_nat(s))
			continue;
		for (j = 0; j < s->ndests; j++)
			(void)lb_hash_add(&c->nat_rs, NULL, rs_home(s->dests[j], c),
					  s->dests[j]);	/* owned */
	}
	return 0;
}

static void cfg_timeouts(struct lb_cfg *c)
{
	struct nlvs_timeouts t;

	nlvs_conn_timeouts_default(&c->to);
	nlvs_ctl_timeout_get(&t);
	nlvs_conn_timeouts_set(&c->to, t.tcp, t.tcp_fin, t.udp);
}

/* A full build with the pools @pl: every service and dest (O(total)). */
static struct lb_cfg *cfg_full(const struct lb_cfg *prev, const struct lb_pools *pl, int *rc)
{
	struct lb_cfg *c = calloc(1, sizeof(*c));
	struct build b = { c, NULL, prev, 1, 1 };
	struct nlvs_svc *svc;
	uint32_t nsvcs, slot;
	size_t cur = 0;

	*rc = -ENOMEM;
	if (!c)
		return NULL;
	*rc = slots_assign(&nsvcs);
	if (*rc < 0)
		goto fail;
	*rc = -ENOMEM;
	c->seq = ++cfg_seq;
	c->from_seq = c->seq;
	c->pools = pl;
	c->all = 1;
	c->nsvc = lb_ncsvc;
	c->ndest = lb_ncdest;
	if (chunks_alloc(c) < 0)
		goto fail;
	for (slot = 0; slot < c->ndest; slot++)
		((struct lb_dest *)lb_cfg_dest(c, slot))->gen = lb_cdest[slot].gen;
	for (slot = 0; slot < c->nsvc; slot++) {
		struct lb_svc *s = (struct lb_svc *)lb_cfg_svc(c, slot);

		s->gen = lb_csvc[slot].gen;
		s->slot = slot;
	}
	while ((svc = nlvs_ctl_svc_next(&cur))) {
		slot = (uint32_t)((uintptr_t)svc->dp - 1);
		*rc = svc_fill(&b, svc, slot);
		if (*rc < 0)
			goto fail;
		*rc = svc_hook(&b, lb_cfg_svc(c, slot), 1);	/* counts: hashed below */
		if (*rc < 0)
			goto fail;
	}
	*rc = -ENOMEM;
	if (svc_rehash(&b) < 0 || nat_rehash(&b) < 0)
		goto fail;
	cfg_timeouts(c);
	return c;
fail:
	cfg_free_unshared(c, NULL);
	return NULL;
}

/* Is the service in @slot the one the base published there (an edit, not a
 * new one)? */
static int svc_kept(const struct lb_cfg *base, uint32_t slot)
{
	const struct lb_svc *o = slot < base->nsvc ? lb_cfg_svc(base, slot) : NULL;

	return o && o->used && o->gen == lb_csvc[slot].gen && lb_csvc[slot].obj;
}

/* Would service @svc be classic NAT in @c? */
static int conf_is_nat(const struct lb_cfg *c, const struct nlvs_svc *svc)
{
	return !svc->conf.key.fwmark &&
	       pool_find(c->pools, svc->conf.key.af, &svc->conf.key.addr) < 0;
}

/*
 * The next table after @old: @old with the noted services rebuilt (and the
 * freed dests' slots emptied).  Three passes, so that the hashes are only
 * ever probed with keys of the table their entries come from: out of the
 * hashes go the services as @old has them, then the noted services are
 * filled and go in, then the dest slots freed are emptied.
 */
static struct lb_cfg *cfg_step(const struct lb_cfg *old, int *rc)
{
	struct lb_cfg *c = malloc(sizeof(*c));
	struct build b = { c, old, old, 0, 0 };
	uint32_t i, slot, nd = nnote_dest, nadd = 0, nnat = 0;

	*rc = -ENOMEM;
	if (!c)
		return NULL;
	/* the pointers in use, not the arrays (O(table / LB_CHUNK), ~3 KiB at 100,000 dests) */
	memcpy(c, old, offsetof(struct lb_cfg, svc_chunk));
	memcpy(c->svc_chunk, old->svc_chunk, LB_CHUNKS(old->nsvc) * sizeof(c->svc_chunk[0]));
	memcpy(c->dest_chunk, old->dest_chunk, LB_CHUNKS(old->ndest) * sizeof(c->dest_chunk[0]));
	c->seq = ++cfg_seq;
	c->all = 0;
	c->nchg_svc = c->nchg_dest = 0;
	c->chg_svc = c->chg_dest = NULL;
	for (i = 0; i < nnote_svc; i++) {
		const struct nlvs_svc *svc = lb_csvc[note_svc[i]].obj;
		uint32_t j, ds;

		if (!svc)
			continue;
		/* slots for new dests first: the chunks are allocated for them */
		for (j = 0; j < svc->num_dests; j++) {
			*rc = slot_of(&svc->dests[j]->dp, svc->dests[j], 1, &ds);
			if (*rc < 0)
				goto fail;
		}
		nd += svc->num_dests;
		nadd += !svc_kept(old, note_svc[i]);
		if (conf_is_nat(c, svc))
			nnat += svc->num_dests;
	}
	*rc = -ENOMEM;
	chunks_more(c, lb_ncsvc, lb_ncdest);
	c->chg_svc = malloc((nnote_svc ? nnote_svc : 1) * sizeof(*c->chg_svc));
	c->chg_dest = malloc((nd ? nd : 1) * sizeof(*c->chg_dest));
	if (!c->chg_svc || !c->chg_dest || chunks_alloc(c) < 0)
		goto fail;

	for (i = 0; i < nnote_svc; i++) {
		slot = note_svc[i];
		if (slot < old->nsvc && lb_cfg_svc(old, slot)->used &&
		    svc_unhook(&b, lb_cfg_svc(old, slot), !svc_kept(old, slot)) < 0)
			goto fail;
	}

	/* room for the additions, else the hash is built anew after them */
	if (nadd && lb_hash_size(c->nhash + nadd) > c->hash.mask + 1)
		b.rehash = 1;
	if (nnat && lb_nworkers >= 2 &&
	    (!c->nat_rs.pg || lb_hash_size(c->nnat_rs + nnat) > c->nat_rs.mask + 1))
		b.renat = 1;

	for (i = 0; i < nnote_svc; i++) {
		const struct nlvs_svc *svc;
		struct lb_svc *s;

		slot = note_svc[i];
		svc = lb_csvc[slot].obj;
		c->chg_svc[c->nchg_svc++] = slot;
		if (!svc) {
			s = svc_w(&b, slot);
			if (!s)
				goto fail;
			memset(s, 0, sizeof(*s));
			s->gen = lb_csvc[slot].gen;
			s->slot = slot;
			continue;
		}
		*rc = svc_fill(&b, svc, slot);
		if (*rc < 0)
			goto fail;
		s = (struct lb_svc *)lb_cfg_svc(c, slot);
		*rc = svc_hook(&b, s, !svc_kept(old, slot));
		if (*rc < 0)
			goto fail;
		if (s->ndests)
			memcpy(c->chg_dest + c->nchg_dest, s->dests,
			       s->ndests * sizeof(*s->dests));
		c->nchg_dest += s->ndests;
	}
	*rc = -ENOMEM;
	for (i = 0; i < nnote_dest; i++) {
		slot = note_dest[i];
		if (!lb_cdest[slot].obj) {	/* not taken again by a dest filled above */
			struct lb_dest *d = dest_w(&b, slot);

			if (!d)
				goto fail;
			memset(d, 0, sizeof(*d));
			d->gen = lb_cdest[slot].gen;
		}
		c->chg_dest[c->nchg_dest++] = slot;
	}
	if ((b.rehash && svc_rehash(&b) < 0) ||
	    ((b.renat || (c->nat_rs.pg && !c->nnat_rs)) && nat_rehash(&b) < 0))
		goto fail;
	acc_merge(c, old->seq);
	return c;
fail:
	if (*rc == 0)
		*rc = -ENOMEM;
	cfg_free_unshared(c, old);
	return NULL;
}

static uint64_t clock_us(void);
static int cfg_step_due(void);

/* Build the next table (with the pools @pl, or the current ones: then only
 * the noted changes when that is enough), and the workers' chunks it needs. */
static int cfg_make(const struct lb_pools *pl, struct lb_cfg **out)
{
	const struct lb_cfg *cur;
	struct lb_cfg *c;
	unsigned int w;
	int rc;

	lb_cfg_reclaim();	/* its chunks become spares for this build */
	cur = lb_cfg_current;

	if (cur && !notes_all && pl == cur->pools)
		c = cfg_step(cur, &rc);
	else
		c = cfg_full(cur, pl, &rc);
	if (!c) {
		notes_all = 1;	/* whatever was noted, the next build sees it all */
		return rc < 0 ? rc : -ENOMEM;	/* never "done" without a table */
	}
	for (w = 0; w < lb_nworkers; w++) {
		rc = lb_worker_chunks(lb_workers[w], c->nsvc, c->ndest);
		if (rc < 0) {
			cfg_free_unshared(c, cur);
			notes_all = 1;
			return rc;
		}
	}
	*out = c;
	return 0;
}

/*
 * The table published before the current one, until no worker can be
 * reading it: a step's ACK does not wait for the workers' grace period (nor
 * for the freeing), the control loop reclaims it once the answers are out
 * (lb_cfg_reclaim), or the next build does before it takes spare chunks.
 */
static struct lb_cfg *cfg_retired;

void lb_cfg_reclaim(void)
{
	if (!cfg_retired)
		return;
	nlvs_dp_rcu_synchronize();
	/* the current table is the one built from it: builds reclaim first */
	cfg_free_unshared(cfg_retired, lb_cfg_current);
	cfg_retired = NULL;
}

/* Publish @c; what the old table no longer shares with it is freed once no
 * worker can be reading it. */
static void cfg_publish(struct lb_cfg *c)
{
	struct lb_cfg *old = lb_cfg_current;

	lb_cfg_reclaim();	/* one retired table at a time (cfg_make did it) */
	__atomic_store_n(&lb_cfg_current, c, __ATOMIC_RELEASE);
	/* L3 input reads this word per transit packet; the table has it too */
	__atomic_store_n(&nlvs_dp.lb_transit, c->nat != 0, __ATOMIC_RELAXED);
	notes_clear();
	if (c->all)
		acc_clear(c->seq);
	cfg_retired = old;
	/* L3 edits its address table in place, O(1) per VIP: the VIPs are
	 * live before the ACK too, whatever their number.  A VIP changes only
	 * once every worker reads the table that has (or lost) its service. */
	if (c->all) {
		lb_cfg_reclaim();
		vips_recount(c);
	} else if (nvip_q || vip_q_lost) {
		if (vips_come_or_go())
			lb_cfg_reclaim();
		vips_apply();
	}
}

/* Build and publish; *@cost_us gets the time of the build, not the wait for
 * the workers' grace period; *@full whether it was a full one. */
static int cfg_rebuild(uint64_t *cost_us, int *full)
{
	/* Only full rebuilds are timed (they are paced by their cost); the
	 * thread's CPU clock is a system call, twice per change otherwise. */
	int timed = !cfg_step_due(), rc;
	uint64_t t0 = timed ? clock_us() : 0;
	struct lb_cfg *c;

	rc = cfg_make(pools_cur, &c);
	if (rc < 0)
		return rc;
	*cost_us = timed ? clock_us() - t0 : 0;
	*full = c->all;
	if (c->all)
		nlvs_log_debug("dataplane table %lu rebuilt: %u service and %u dest slots, %lu us",
			       (unsigned long)c->seq, c->nsvc, c->ndest,
			       (unsigned long)*cost_us);
	else
		nlvs_log_debug("dataplane table %lu: %u service and %u dest slots listed",
			       (unsigned long)c->seq, c->nchg_svc, c->nchg_dest);
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

/* Only the noted changes are pending (not a full build)? */
static int cfg_step_due(void)
{
	return lb_cfg_current && !notes_all;
}

static int cfg_update(uint64_t now_ms, int now)
{
	uint64_t gen = nlvs_ctl_generation(), cost;
	int rc, full = 0;

	if (gen == built_gen)
		return 1;
	/* Full rebuilds only: while changes keep coming (the generation moved
	 * since the last tick) they take at most 1/LB_BURST_SHARE of the
	 * time, yet come at least every LB_LAG_MAX_MS; once changes stop, the
	 * next tick publishes at once.  A step costs what it changes: it is
	 * never held back. */
	if (!now && !cfg_step_due() && lb_cfg_current && gen != seen_gen) {
		uint64_t gap = RTE_MAX((uint64_t)LB_REBUILD_MS,
				       cost_est() * LB_BURST_SHARE / 1000);

		seen_gen = gen;
		if (now_ms - last_build_ms < RTE_MIN(gap, (uint64_t)LB_LAG_MAX_MS))
			return 0;
	}
	rc = cfg_rebuild(&cost, &full);
	if (rc < 0) {
		nlvs_log_warnx("dataplane configuration not updated: %s", strerror(-rc));
		return 0;
	}
	if (full) {
		last_build_ms = now_ms;
		rebuild_us[cost_at++ % COST_HIST] = cost;
	}
	built_gen = gen;
	return 1;
}

int lb_cfg_update(uint64_t now_ms)
{
	return cfg_update(now_ms, 0);
}

/* Every change that only steps the table is published before its ACK.  Full
 * rebuilds per change are bounded by a budget of rebuild time that refills
 * at 1/LB_SYNC_SHARE of the clock (up to LB_SYNC_BURST_US): a global change
 * now and then goes live before its ACK, while a burst of them, whose
 * rebuilds grow with the table, soon runs out and falls back to the tick's
 * batched rebuilds. */
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
	if (cfg_step_due())
		return cfg_update(now_ms, 1);
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
	notes_all = 1;
	nlvs_ctl_watch_set(watch);
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
	cfg_publish(c);
	lb_cfg_reclaim();	/* after its grace period no table names @old */
	built_gen = nlvs_ctl_generation();
	lb_pools_free(old);
}

void lb_cfg_pools_abort(struct lb_cfg *c)
{
	cfg_free_unshared(c, lb_cfg_current);
	notes_all = 1;		/* its slots_assign() may have freed slots */
}

void lb_cfg_fini(void)
{
	nlvs_ctl_watch_set(NULL);
	nlvs_dp.lb_transit = 0;
	lb_cfg_reclaim();
	cfg_free_unshared(lb_cfg_current, NULL);
	lb_cfg_current = NULL;
	vips_fini();
	spares_free();
	lb_pools_free(pools_cur);
	pools_cur = NULL;
	free(lb_csvc);
	free(lb_cdest);
	free(free_svc);
	free(free_dest);
	free(note_svc);
	free(note_dest);
	free(acc_svc);
	free(acc_dest);
	acc_svc = acc_dest = NULL;
	nacc_svc = nacc_dest = cap_acc_svc = cap_acc_dest = 0;
	acc_from = 0;
	lb_csvc = lb_cdest = NULL;
	free_svc = free_dest = note_svc = note_dest = NULL;
	lb_ncsvc = lb_ncdest = cap_csvc = cap_cdest = nfree_svc = nfree_dest = 0;
	nnote_svc = nnote_dest = cap_note_svc = cap_note_dest = 0;
	notes_all = 1;
}
