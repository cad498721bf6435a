// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SNAT on the control thread: follow the FULLNAT engine's published IPVS
 * table, keep the egress addresses (masquerading dests of the fwmark
 * services that snat rules mark for) registered with L3 and provided with
 * per-worker port slices, and publish what workers need to go from a rule
 * to its service and from a scheduled dest to its egress entry.
 *
 * SNAT services are few (IPVS keeps one service per family and mark, and
 * only the marks of snat rules count), so they are kept as a set of service
 * slots, followed by the lists of changed slots that each lb_cfg carries: a
 * change to any other service costs a look at its slot and a new lb_cfg seq
 * stamped on the current table, never a walk of the whole IPVS table nor a
 * grace period.  A change to a SNAT service (or its dests) rebuilds this
 * small table from the set, before the change's ACK (lb.c's lb_sync).  Rule
 * changes, full lb_cfg rebuilds and tables this side did not follow rebuild
 * the set from every service.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl/nlvs_ctl_table.h"
#include "base/nlvs_log.h"
#include "snat_priv.h"

struct snat_egress *snat_eg;
struct snat_tab *snat_tab_current;

static unsigned int neg;		/* entries of snat_eg ever used */
static uint8_t *registered;		/* [SNAT_EGRESS_MAX]: answered by L3 */
static struct nlvs_conf_snat *rules;
static unsigned int nrules;
static uint16_t port_min = SNAT_PORT_MIN, port_max = SNAT_PORT_MAX;
static unsigned int nworkers;
static int dirty;
/* The SNAT services: slots of fwmark services a rule marks for, in the
 * lb_cfg of seq seen_seq (in_set[slot] says whether a slot is one). */
static uint32_t *set;
static unsigned int nset, cap_set;
static uint8_t *in_set;
static uint32_t cap_in_set;
static uint64_t seen_seq;


uint32_t snat_addr_hash(int af, const union nlvs_addr *a)
{
	uint64_t h = (uint64_t)af * 0x9e3779b97f4a7c15ull;
	unsigned int i, n = af == AF_INET ? 1 : 4;

	for (i = 0; i < n; i++) {
		h ^= a->ip6[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 33;
	}
	return (uint32_t)h;
}

int snat_egress_find(const struct snat_tab *t, int af, const union nlvs_addr *a)
{
	uint32_t i;

	if (!t->ehash)
		return -1;
	for (i = snat_addr_hash(af, a) & t->ehmask;; i = (i + 1) & t->ehmask) {
		unsigned int e = t->ehash[i];

		if (!e)
			return -1;
		if (snat_eg[e - 1].af == af && nlvs_addr_equal(af, &snat_eg[e - 1].addr, a))
			return (int)(e - 1);
	}
}

static int rules_set(const struct nlvs_conf *conf)
{
	struct nlvs_conf_snat *r = NULL;

	if (conf->nsnat) {
		r = calloc(conf->nsnat, sizeof(*r));
		if (!r)
			return -ENOMEM;
		memcpy(r, conf->snat, conf->nsnat * sizeof(*r));
	}
	free(rules);
	rules = r;
	nrules = conf->nsnat;
	dirty = 1;
	return 0;
}

static int rule_marks(uint32_t mark)
{
	unsigned int i;

	for (i = 0; i < nrules; i++)
		if (rules[i].mark == mark)
			return 1;
	return 0;
}

/* Is slot @s of @c a SNAT service? */
static int svc_is_snat(const struct lb_cfg *c, uint32_t s)
{
	const struct lb_svc *v;

	if (s >= c->nsvc)
		return 0;
	v = lb_cfg_svc(c, s);
	return v->used && v->fwmark && rule_marks(v->fwmark);
}

static int set_put(uint32_t s)
{
	if (s >= cap_in_set) {
		uint32_t cap = cap_in_set ? cap_in_set : 1024;
		uint8_t *v;

		while (cap <= s)
			cap *= 2;
		v = realloc(in_set, cap);
		if (!v)
			return -ENOMEM;
		memset(v + cap_in_set, 0, cap - cap_in_set);
		in_set = v;
		cap_in_set = cap;
	}
	if (in_set[s])
		return 0;
	if (nset == cap_set) {
		unsigned int cap = cap_set ? 2 * cap_set : 16;
		uint32_t *v = realloc(set, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		set = v;
		cap_set = cap;
	}
	set[nset++] = s;
	in_set[s] = 1;
	return 0;
}

static void set_drop(uint32_t s)
{
	unsigned int i;

	if (s >= cap_in_set || !in_set[s])
		return;
	in_set[s] = 0;
	for (i = 0; i < nset; i++) {
		if (set[i] == s) {
			set[i] = set[--nset];
			return;
		}
	}
}

static void set_clear(void)
{
	while (nset)
		in_set[set[--nset]] = 0;
}

/* The set from every service of @c. */
static int set_rebuild(const struct lb_cfg *c)
{
	uint32_t s;

	set_clear();
	for (s = 0; s < c->nsvc; s++)
		if (svc_is_snat(c, s) && set_put(s) < 0)
			return -ENOMEM;
	return 0;
}

/* Bring the set from table seen_seq to @c by @c's changed slots (the
 * changes since c->from_seq <= seen_seq); *@touched: a SNAT service was
 * among them, before or after. */
static int set_follow(const struct lb_cfg *c, int *touched)
{
	uint32_t i, s;
	int was, now;

	*touched = 0;
	for (i = 0; i < c->nchg_svc; i++) {
		s = c->chg_svc[i];
		was = s < cap_in_set && in_set[s];
		now = svc_is_snat(c, s);
		if (!was && !now)
			continue;
		*touched = 1;
		if (!now)
			set_drop(s);
		else if (!was && set_put(s) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The entry of egress address @a, made (with its port slices) if new. */
static int egress_get(int af, const union nlvs_addr *a)
{
	struct snat_egress *e;
	unsigned int i;

	for (i = 0; i < neg; i++)
		if (snat_eg[i].af == af && nlvs_addr_equal(af, &snat_eg[i].addr, a))
			return (int)i;
	if (neg == SNAT_EGRESS_MAX)
		return -ENOSPC;
	e = &snat_eg[neg];
	memset(e, 0, sizeof(*e));
	e->af = (uint8_t)af;
	e->addr = *a;
	nlvs_addr_normalize(af, &e->addr);
	for (i = 0; i < nworkers; i++) {
		e->lp[i] = nlvs_laddr_ports_create(af, &e->addr, 1, i, nworkers, port_min,
						   port_max);
		if (!e->lp[i]) {
			while (i--)
				nlvs_laddr_ports_destroy(e->lp[i]);
			return -ENOMEM;
		}
	}
	return (int)neg++;
}

/* Mark the egress addresses of the current table live, make new ones. */
static void egress_sync(const struct lb_cfg *c)
{
	uint32_t s, j;
	unsigned int i;

	for (i = 0; i < neg; i++)
		snat_eg[i].live = 0;
	for (s = 0; s < nset; s++) {
		const struct lb_svc *v = lb_cfg_svc(c, set[s]);

		for (j = 0; j < v->ndests; j++) {
			const struct lb_dest *d = lb_cfg_dest(c, v->dests[j]);
			int e;

			if (!d->used || d->fwd != NLVS_FWD_MASQ || d->af != v->af)
				continue;
			e = egress_get(d->af, &d->addr);
			if (e < 0) {
				nlvs_log_warnx("snat: egress address not usable: %s",
					       strerror(-e));
				continue;
			}
			snat_eg[e].live = 1;
		}
	}
}

/* Answer ARP/ND for exactly the live egress addresses. */
static void egress_register(void)
{
	unsigned int i;

	for (i = 0; i < neg; i++) {
		struct snat_egress *e = &snat_eg[i];
		int rc;

		if (e->live && !registered[i]) {
			rc = nlvs_addr_add(NLVS_ADDR_EGRESS, e->af, &e->addr, NLVS_PORT_ANY);
			if (rc == 0)
				registered[i] = 1;
			else if (rc == -EEXIST)
				registered[i] = 2;	/* someone else's: never delete */
			if (rc == -EEXIST)
				nlvs_log_warnx("snat: an egress address is already a port, "
					       "VIP or local address; replies to it will not "
					       "reach SNAT");
			else if (rc < 0)
				nlvs_log_warnx("snat: cannot answer for an egress address: %s",
					       strerror(-rc));
		} else if (!e->live && registered[i]) {
			if (registered[i] == 1)
				nlvs_addr_del(e->af, &e->addr);
			registered[i] = 0;
		}
	}
}

static void tab_free(struct snat_tab *t)
{
	if (!t)
		return;
	nlvs_snat_class_free(t->cls);
	free(t->rule_svc[0]);
	free(t->rule_svc[1]);
	free(t->ehash);
	free(t);
}

static struct snat_tab *tab_build(const struct lb_cfg *c)
{
	struct snat_tab *t = calloc(1, sizeof(*t));
	uint32_t hsize = 16, s;
	unsigned int i;

	if (!t)
		return NULL;
	t->lbcfg_seq = c->seq;
	t->nrules = nrules;
	t->rule_svc[0] = calloc(nrules + 1, sizeof(uint32_t));
	t->rule_svc[1] = calloc(nrules + 1, sizeof(uint32_t));
	while (hsize < 2 * neg)
		hsize <<= 1;
	t->ehmask = hsize - 1;
	t->ehash = calloc(hsize, sizeof(*t->ehash));
	if (!t->rule_svc[0] || !t->rule_svc[1] || !t->ehash ||
	    nlvs_snat_class_build(rules, nrules, &t->cls) < 0) {
		tab_free(t);
		return NULL;
	}
	/* IPVS keeps one service per (af, mark): the one of the set */
	for (s = 0; s < nset; s++) {
		const struct lb_svc *v = lb_cfg_svc(c, set[s]);

		for (i = 0; i < nrules; i++) {
			uint32_t *rs = t->rule_svc[v->af == AF_INET6];

			if (rules[i].mark == v->fwmark && !rs[i])
				rs[i] = set[s] + 1;
		}
	}
	for (i = 0; i < neg; i++) {
		uint32_t h = snat_addr_hash(snat_eg[i].af, &snat_eg[i].addr) & t->ehmask;

		while (t->ehash[h])
			h = (h + 1) & t->ehmask;
		t->ehash[h] = (uint16_t)(i + 1);
	}
	return t;
}

void nlvs_snat_tick(void)
{
	const struct lb_cfg *c = lb_cfg_current;
	struct snat_tab *old = snat_tab_current, *t;
	int touched, rc;

	if (!snat_eg || !c || (!nrules && !old))
		return;
	/* a rebuilt IPVS table has a new seq (its address may be an old one's) */
	if (!dirty && old && old->lbcfg_seq == c->seq)
		return;
	if (dirty || !old || c->all || c->from_seq > seen_seq) {
		touched = 1;
		rc = set_rebuild(c);
	} else {
		rc = set_follow(c, &touched);
	}
	if (rc < 0) {
		/* the set is no longer the table's: rebuilt from all next time */
		dirty = 1;
		nlvs_log_warnx("snat: no memory for the service set");
		return;
	}
	seen_seq = c->seq;
	if (!touched) {
		/* nothing of SNAT's changed: the table stands for @c too (a
		 * worker reading the old seq only looks its service up again) */
		__atomic_store_n(&old->lbcfg_seq, c->seq, __ATOMIC_RELAXED);
		return;
	}
	egress_sync(c);
	t = tab_build(c);
	if (!t) {
		nlvs_log_warnx("snat: no memory for the worker table");
		dirty = 1;	/* tried again on the next tick */
		return;
	}
	/* slices exist before the table that leads workers to them */
	__atomic_store_n(&snat_tab_current, t, __ATOMIC_RELEASE);
	dirty = 0;
	if (old) {
		nlvs_dp_rcu_synchronize();
		tab_free(old);
	}
	egress_register();
}

void nlvs_snat_egress_write(FILE *f)
{
	unsigned int i, w;

	for (i = 0; snat_eg && i < neg; i++) {
		const struct snat_egress *e = &snat_eg[i];
		uint32_t size = 0, avail = 0;

		for (w = 0; w < nworkers; w++) {
			if (e->lp[w]) {
				size += nlvs_laddr_ports_size(e->lp[w]);
				avail += nlvs_laddr_ports_avail(e->lp[w]);
			}
		}
		lb_laddr_row_write(f, "egress", e->af, &e->addr, e->live ? "active" : "unused",
				   size - avail, size);
		fputs("snat\n", f);
	}
}

int nlvs_snat_init(const struct nlvs_conf *conf)
{
	int rc;

	nworkers = nlvs_dp.nworkers ? nlvs_dp.nworkers : 1;
	if (conf->snat_port_min) {
		port_min = (uint16_t)conf->snat_port_min;
		port_max = (uint16_t)conf->snat_port_max;
	}
	snat_eg = calloc(SNAT_EGRESS_MAX, sizeof(*snat_eg));
	registered = calloc(SNAT_EGRESS_MAX, 1);
	if (!snat_eg || !registered) {
		nlvs_snat_fini();
		return -ENOMEM;
	}
	rc = rules_set(conf);
	if (rc < 0)
		nlvs_snat_fini();
	return rc;
}

int nlvs_snat_reload(const struct nlvs_conf *conf)
{
	struct nlvs_snat_class *cls;
	unsigned int lo = conf->snat_port_min ? conf->snat_port_min : SNAT_PORT_MIN;
	unsigned int hi = conf->snat_port_min ? conf->snat_port_max : SNAT_PORT_MAX;
	int rc;

	if (lo != port_min || hi != port_max) {
		/* connections hold ports of the slices as they are */
		nlvs_log_warnx("reload: snat-ports change only with a restart");
		return -EBUSY;
	}
	rc = nlvs_snat_class_build(conf->snat, conf->nsnat, &cls);
	if (rc < 0)
		return rc;
	nlvs_snat_class_free(cls);
	return rules_set(conf);
}

void nlvs_snat_fini(void)
{
	unsigned int i, w;

	tab_free(snat_tab_current);
	snat_tab_current = NULL;
	for (i = 0; i < neg; i++) {
		if (registered && registered[i] == 1)
			nlvs_addr_del(snat_eg[i].af, &snat_eg[i].addr);
		for (w = 0; w < NLVS_MAX_WORKERS; w++)
			nlvs_laddr_ports_destroy(snat_eg[i].lp[w]);
	}
	free(snat_eg);
	free(registered);
	free(rules);
	free(set);
	free(in_set);
	set = NULL;
	in_set = NULL;
	nset = cap_set = cap_in_set = 0;
	seen_seq = 0;
	snat_eg = NULL;
	registered = NULL;
	rules = NULL;
	nrules = neg = 0;
	port_min = SNAT_PORT_MIN;
	port_max = SNAT_PORT_MAX;
	dirty = 0;
}
