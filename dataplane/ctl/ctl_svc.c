// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Services: a hash on the identity for O(1) lookups with many thousands of
 * services, and an array in insertion order for dumps.  The kernel dumps in
 * hash order and every client sorts for itself, so any stable order does;
 * insertion order also makes the state file replay in the order it was built.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_priv.h"
#include "base/nlvs_log.h"

#define SVC_HASH_MIN	1024
/* Compact the dump array once this many slots are dead (and most are). */
#define SVC_ORDER_SLACK	1024

static struct {
	int ready;
	struct nlvs_svc **hash;
	size_t hash_size;		/* power of two */
	struct nlvs_svc **order;	/* dump order; NULL = deleted */
	size_t order_len, order_max, order_dead;
	size_t count;
	uint64_t generation;
	struct nlvs_stats total;
} tab;

uint64_t nlvs_ctl_generation(void)
{
	return tab.generation;
}

static nlvs_ctl_watch_fn watch_fn;

void nlvs_ctl_watch_set(nlvs_ctl_watch_fn fn)
{
	watch_fn = fn;
}

void nlvs_ctl_changed(void)
{
	nlvs_ctl_note(NLVS_CTL_ALL, NULL, NULL);
}

void nlvs_ctl_note(enum nlvs_ctl_what what, struct nlvs_svc *svc, struct nlvs_dest *d)
{
	tab.generation++;
	if (watch_fn)
		watch_fn(what, svc, d);
}

struct nlvs_stats *nlvs_ctl_stats_total(void)
{
	return &tab.total;
}

void nlvs_ctl_stats_get(struct nlvs_stats *out)
{
	*out = *nlvs_ctl_stats_total();
}

int nlvs_ctl_af_valid(unsigned int af)
{
	return af == AF_INET || af == AF_INET6;
}

/* IPv4 compares on 4 bytes: keep bytes 4..15 zero so that whole-address
 * compares and hashes are right whatever the caller left there. */
void nlvs_ctl_addr_norm(uint16_t af, union nlvs_addr *out, const union nlvs_addr *in)
{
	if (af == AF_INET) {
		memset(out, 0, sizeof(*out));
		out->ip = in->ip;
	} else {
		*out = *in;
	}
}

void nlvs_ctl_svc_key_norm(struct nlvs_svc_key *out, const struct nlvs_svc_key *in)
{
	memset(out, 0, sizeof(*out));
	out->af = in->af;
	if (in->fwmark) {
		/* like ip_vs_genl_parse_service(): only (af, fwmark) count */
		out->fwmark = in->fwmark;
		out->protocol = IPPROTO_TCP;
		return;
	}
	out->protocol = in->protocol;
	out->port = in->port;
	nlvs_ctl_addr_norm(in->af, &out->addr, &in->addr);
}

static int svc_key_equal(const struct nlvs_svc_key *a, const struct nlvs_svc_key *b)
{
	return a->af == b->af && a->protocol == b->protocol && a->port == b->port &&
	       a->fwmark == b->fwmark && !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static size_t svc_hash(const struct nlvs_svc_key *k, size_t size)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	unsigned int i;

	h ^= k->af | (uint64_t)k->protocol << 16 | (uint64_t)k->port << 32;
	h = (h ^ k->fwmark) * 0xff51afd7ed558ccdULL;
	for (i = 0; i < 4; i++) {
		h ^= k->addr.ip6[i];
		h *= 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 31;
	}
	h ^= h >> 29;
	return (size_t)h & (size - 1);
}

/* @key must be normalised. */
static struct nlvs_svc *svc_lookup(const struct nlvs_svc_key *key)
{
	struct nlvs_svc *svc;

	if (!tab.ready)
		return NULL;
	for (svc = tab.hash[svc_hash(key, tab.hash_size)]; svc; svc = svc->hnext)
		if (svc_key_equal(&svc->conf.key, key))
			return svc;
	return NULL;
}

struct nlvs_svc *nlvs_ctl_svc_find(const struct nlvs_svc_key *key)
{
	struct nlvs_svc_key k;

	if (!nlvs_ctl_af_valid(key->af))
		return NULL;
	nlvs_ctl_svc_key_norm(&k, key);
	return svc_lookup(&k);
}

struct nlvs_svc *nlvs_ctl_svc_next(size_t *cursor)
{
	while (*cursor < tab.order_len) {
		struct nlvs_svc *svc = tab.order[(*cursor)++];

		if (svc)
			return svc;
	}
	return NULL;
}

/* Growing the hash is best effort: without memory the chains get longer. */
static void svc_hash_grow(void)
{
	size_t size = tab.hash_size * 2, i;
	struct nlvs_svc **h = calloc(size, sizeof(*h));

	if (!h)
		return;
	for (i = 0; i < tab.hash_size; i++) {
		struct nlvs_svc *svc, *next;

		for (svc = tab.hash[i]; svc; svc = next) {
			size_t b = svc_hash(&svc->conf.key, size);

			next = svc->hnext;
			svc->hnext = h[b];
			h[b] = svc;
		}
	}
	free(tab.hash);
	tab.hash = h;
	tab.hash_size = size;
}

static void svc_order_compact(void)
{
	size_t i, n = 0;

	for (i = 0; i < tab.order_len; i++) {
		if (!tab.order[i])
			continue;
		tab.order[n] = tab.order[i];
		tab.order[n]->order = n;
		n++;
	}
	tab.order_len = n;
	tab.order_dead = 0;
}

static void svc_unlink(struct nlvs_svc *svc)
{
	struct nlvs_svc **pp = &tab.hash[svc_hash(&svc->conf.key, tab.hash_size)];

	while (*pp != svc)
		pp = &(*pp)->hnext;
	*pp = svc->hnext;
	tab.order[svc->order] = NULL;
	tab.order_dead++;
	tab.count--;
	if (tab.order_dead > SVC_ORDER_SLACK && tab.order_dead > tab.count)
		svc_order_compact();
}

static void svc_free(struct nlvs_svc *svc)
{
	nlvs_ctl_dests_free(svc);
	free(svc);
}

/* Names arrive from the wire in fixed arrays; never trust a NUL to be there. */
static int name_copy(char *dst, const char *src, size_t size)
{
	size_t len = strnlen(src, size);

	if (len == size)
		return -1;
	memcpy(dst, src, len + 1);
	return 0;
}

/*
 * The checks of ip_vs_add_service()/ip_vs_edit_service(), in their order:
 * scheduler, persistence engine, IPv6 prefix length.  @strict = 0 (state file)
 * keeps a service whose scheduler is unknown, without one.
 */
static int svc_check(const struct nlvs_svc_conf *conf, int strict, char *sched_name,
		     char *pe_name, const struct nlvs_sched_ops **sched)
{
	*sched = NULL;
	if (name_copy(sched_name, conf->sched_name, NLVS_SCHED_NAME_LEN) < 0) {
		if (strict)
			return -ENOENT;
		strcpy(sched_name, "none");
	}
	if (strcmp(sched_name, "none")) {
		*sched = sched_name[0] ? nlvs_sched_find(sched_name) : NULL;
		if (!*sched) {
			if (strict)
				return -ENOENT;
			nlvs_log_warnx("scheduler %s not found: service kept without one",
				       sched_name);
		}
	}
	if (name_copy(pe_name, conf->pe_name, NLVS_PE_NAME_LEN) < 0)
		return -ENOENT;
	if (pe_name[0] && strcmp(pe_name, "sip"))
		return -ENOENT;
	if (conf->key.af == AF_INET6 && (conf->netmask < 1 || conf->netmask > 128))
		return -EINVAL;
	return 0;
}

static void svc_info_fill(const struct nlvs_svc *svc, struct nlvs_svc_info *out)
{
	out->conf = svc->conf;
	out->num_dests = svc->num_dests;
	out->stats = svc->stats;
}

static int journal_svc(const char *verb, const struct nlvs_svc_conf *conf)
{
	char rec[NLVS_REC_MAX];

	if (!nlvs_ctl_journal_on())
		return 0;
	return nlvs_ctl_journal_append(rec, nlvs_ctl_rec_svc(rec, sizeof(rec), verb, conf));
}

static int svc_add(const struct nlvs_svc_conf *conf, int strict)
{
	char sched_name[NLVS_SCHED_NAME_LEN], pe_name[NLVS_PE_NAME_LEN];
	const struct nlvs_sched_ops *sched;
	struct nlvs_svc_key key;
	struct nlvs_svc *svc;
	size_t b;
	int ret;

	if (!tab.ready)
		return -ENOMEM;
	if (!nlvs_ctl_af_valid(conf->key.af))
		return -EAFNOSUPPORT;
	nlvs_ctl_svc_key_norm(&key, &conf->key);
	if (svc_lookup(&key))
		return -EEXIST;
	ret = svc_check(conf, strict, sched_name, pe_name, &sched);
	if (ret < 0)
		return ret;
	/* The sockopt interface's protocol check; genl has none (deviation). */
	if (key.protocol != IPPROTO_TCP && key.protocol != IPPROTO_UDP &&
	    key.protocol != IPPROTO_SCTP)
		return -EINVAL;

	if (tab.order_len == tab.order_max) {
		size_t max = tab.order_max ? tab.order_max * 2 : 1024;
		struct nlvs_svc **o = realloc(tab.order, max * sizeof(*o));

		if (!o)
			return -ENOMEM;
		tab.order = o;
		tab.order_max = max;
	}
	svc = calloc(1, sizeof(*svc));
	if (!svc)
		return -ENOMEM;
	svc->conf = *conf;
	svc->conf.key = key;
	memcpy(svc->conf.sched_name, sched_name, sizeof(sched_name));
	memcpy(svc->conf.pe_name, pe_name, sizeof(pe_name));
	svc->conf.flags = (conf->flags & conf->flags_mask) | NLVS_SVC_F_HASHED;
	svc->conf.flags_mask = 0xffffffff;
	svc->sched = sched;
	ret = journal_svc("service-add", &svc->conf);
	if (ret < 0) {
		free(svc);
		return ret;
	}

	b = svc_hash(&key, tab.hash_size);
	svc->hnext = tab.hash[b];
	tab.hash[b] = svc;
	svc->order = tab.order_len;
	tab.order[tab.order_len++] = svc;
	tab.count++;
	if (tab.count > tab.hash_size * 2)
		svc_hash_grow();

	nlvs_ctl_note(NLVS_CTL_SVC, svc, NULL);
	return 0;
}

int nlvs_ctl_svc_add(const struct nlvs_svc_conf *conf)
{
	return svc_add(conf, 1);
}

int nlvs_ctl_svc_add_loaded(const struct nlvs_svc_conf *conf)
{
	return svc_add(conf, 0);
}

static int svc_edit(const struct nlvs_svc_conf *conf, int strict)
{
	char sched_name[NLVS_SCHED_NAME_LEN], pe_name[NLVS_PE_NAME_LEN];
	const struct nlvs_sched_ops *sched;
	struct nlvs_svc_conf nc;
	struct nlvs_svc *svc;
	int ret;

	if (!nlvs_ctl_af_valid(conf->key.af))
		return -EAFNOSUPPORT;
	svc = nlvs_ctl_svc_find(&conf->key);
	if (!svc)
		return -ESRCH;
	ret = svc_check(conf, strict, sched_name, pe_name, &sched);
	if (ret < 0)
		return ret;

	nc = svc->conf;
	memcpy(nc.sched_name, sched_name, sizeof(sched_name));
	memcpy(nc.pe_name, pe_name, sizeof(pe_name));
	nc.flags = (nc.flags & ~conf->flags_mask) | (conf->flags & conf->flags_mask) |
		   NLVS_SVC_F_HASHED;
	nc.timeout = conf->timeout;
	nc.netmask = conf->netmask;
	ret = journal_svc("service-edit", &nc);
	if (ret < 0)
		return ret;
	svc->conf = nc;
	svc->sched = sched;

	nlvs_ctl_note(NLVS_CTL_SVC, svc, NULL);
	return 0;
}

int nlvs_ctl_svc_edit(const struct nlvs_svc_conf *conf)
{
	return svc_edit(conf, 1);
}

int nlvs_ctl_svc_edit_loaded(const struct nlvs_svc_conf *conf)
{
	return svc_edit(conf, 0);
}

int nlvs_ctl_svc_del(const struct nlvs_svc_key *key)
{
	char rec[NLVS_REC_MAX];
	struct nlvs_svc *svc;
	int ret;

	if (!nlvs_ctl_af_valid(key->af))
		return -EAFNOSUPPORT;
	svc = nlvs_ctl_svc_find(key);
	if (!svc)
		return -ESRCH;
	if (nlvs_ctl_journal_on()) {
		ret = nlvs_ctl_journal_append(rec, nlvs_ctl_rec_svc_key(rec, sizeof(rec),
									"service-del",
									&svc->conf.key));
		if (ret < 0)
			return ret;
	}
	svc_unlink(svc);
	nlvs_ctl_note(NLVS_CTL_SVC_GONE, svc, NULL);	/* before its dests are freed */
	svc_free(svc);
	return 0;
}

int nlvs_ctl_svc_get(const struct nlvs_svc_key *key, struct nlvs_svc_info *out)
{
	struct nlvs_svc *svc;

	if (!nlvs_ctl_af_valid(key->af))
		return -EAFNOSUPPORT;
	svc = nlvs_ctl_svc_find(key);
	if (!svc)
		return -ESRCH;
	if (out)
		svc_info_fill(svc, out);
	return 0;
}

int nlvs_ctl_svc_walk(size_t *cursor, struct nlvs_svc_info *out)
{
	struct nlvs_svc *svc = nlvs_ctl_svc_next(cursor);

	if (!svc)
		return 0;
	if (out)
		svc_info_fill(svc, out);
	return 1;
}

size_t nlvs_ctl_svc_count(void)
{
	return tab.count;
}

static void svc_zero(struct nlvs_svc *svc)
{
	uint32_t i;

	memset(&svc->stats, 0, sizeof(svc->stats));
	for (i = 0; i < svc->num_dests; i++)
		memset(&svc->dests[i]->stats, 0, sizeof(svc->dests[i]->stats));
}

static void (*fold_fn)(void);

void nlvs_ctl_fold_set(void (*fn)(void))
{
	fold_fn = fn;
}

int nlvs_ctl_svc_zero(const struct nlvs_svc_key *key)
{
	struct nlvs_svc *svc;
	size_t cursor = 0;

	if (fold_fn)
		fold_fn();
	if (key) {
		if (!nlvs_ctl_af_valid(key->af))
			return -EAFNOSUPPORT;
		svc = nlvs_ctl_svc_find(key);
		if (!svc)
			return -ESRCH;
		svc_zero(svc);
		return 0;
	}
	while ((svc = nlvs_ctl_svc_next(&cursor)))
		svc_zero(svc);
	memset(&tab.total, 0, sizeof(tab.total));
	return 0;
}

static void svc_table_clear(void)
{
	size_t i;

	for (i = 0; i < tab.order_len; i++)
		if (tab.order[i])
			svc_free(tab.order[i]);
	if (tab.hash)
		memset(tab.hash, 0, tab.hash_size * sizeof(*tab.hash));
	tab.order_len = 0;
	tab.order_dead = 0;
	tab.count = 0;
}

int nlvs_ctl_flush(void)
{
	char rec[] = "flush\n";
	int ret;

	if (nlvs_ctl_journal_on()) {
		ret = nlvs_ctl_journal_append(rec, (int)strlen(rec));
		if (ret < 0)
			return ret;
	}
	svc_table_clear();
	nlvs_ctl_changed();
	return 0;
}

int nlvs_ctl_init(void)
{
	if (tab.ready)
		nlvs_ctl_fini();
	tab.hash = calloc(SVC_HASH_MIN, sizeof(*tab.hash));
	if (!tab.hash)
		return -ENOMEM;
	tab.hash_size = SVC_HASH_MIN;
	tab.ready = 1;
	nlvs_ctl_config_reset();
	nlvs_ctl_changed();
	return 0;
}

void nlvs_ctl_fini(void)
{
	if (!tab.ready)
		return;
	svc_table_clear();
	free(tab.hash);
	free(tab.order);
	tab.hash = NULL;
	tab.order = NULL;
	tab.hash_size = 0;
	tab.order_max = 0;
	memset(&tab.total, 0, sizeof(tab.total));
	nlvs_ctl_config_reset();
	tab.ready = 0;
	nlvs_ctl_changed();
}
