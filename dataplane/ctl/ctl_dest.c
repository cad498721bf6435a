// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Destinations (real servers) of a service.  A service has few of them and
 * the kernel looks them up with a list walk too, so a plain array does; it
 * holds them oldest first and is read backwards to give the kernel's order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_priv.h"

static unsigned long mixed_dests;

unsigned long nlvs_ctl_mixed_dests(void)
{
	return mixed_dests;
}

struct nlvs_dest *nlvs_ctl_dest_at(const struct nlvs_svc *svc, uint32_t i)
{
	if (i >= svc->num_dests)
		return NULL;
	return svc->dests[svc->num_dests - 1 - i];
}

void nlvs_ctl_dests_free(struct nlvs_svc *svc)
{
	uint32_t i;

	for (i = 0; i < svc->num_dests; i++) {
		if (svc->dests[i]->conf.af != svc->conf.key.af)
			mixed_dests--;
		free(svc->dests[i]);
	}
	free(svc->dests);
	svc->dests = NULL;
	svc->num_dests = 0;
	svc->max_dests = 0;
}

int nlvs_ctl_ip6_multicast(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}

/*
 * What ip_vs_new_dest() accepts: for IPv4 inet_addr_type() RTN_UNICAST or
 * RTN_LOCAL, i.e. not 0.0.0.0/8, not 255.255.255.255, not multicast (the
 * subnet broadcasts of the host's own interfaces are out of reach here); for
 * IPv6 ipv6_addr_type() with IPV6_ADDR_UNICAST and without LINKLOCAL.
 */
static int dest_addr_ok(uint16_t af, const union nlvs_addr *a)
{
	const uint8_t *b = a->b;
	uint32_t w0, w2;

	if (af == AF_INET) {
		uint32_t h = ntohl(a->ip);

		return (h & 0xff000000) != 0 && h != 0xffffffff &&
		       (h & 0xf0000000) != 0xe0000000;
	}
	w0 = ntohl(a->ip6[0]);
	if ((w0 & 0xe0000000) != 0 && (w0 & 0xe0000000) != 0xe0000000)
		return 1;			/* global unicast */
	if (b[0] == 0xff)
		return 0;			/* multicast */
	if ((w0 & 0xffc00000) == 0xfe800000)
		return 0;			/* link-local */
	if ((w0 & 0xffc00000) == 0xfec00000 || (w0 & 0xfe000000) == 0xfc000000)
		return 1;			/* site-local, unique local */
	if (w0 == 0 && a->ip6[1] == 0) {
		w2 = ntohl(a->ip6[2]);
		if (w2 == 0)
			return a->ip6[3] != 0;	/* :: is "any" */
		if (w2 == 0x0000ffff)
			return 0;		/* IPv4-mapped */
	}
	return 1;
}

static struct nlvs_dest *dest_lookup(const struct nlvs_svc *svc, uint16_t af,
				     const union nlvs_addr *addr, uint16_t port, uint32_t *idx)
{
	uint32_t i;

	for (i = 0; i < svc->num_dests; i++) {
		struct nlvs_dest *d = svc->dests[i];

		if (d->conf.af == af && d->conf.port == port &&
		    !memcmp(&d->conf.addr, addr, sizeof(*addr))) {
			if (idx)
				*idx = i;
			return d;
		}
	}
	return NULL;
}

static int journal_dest(const char *verb, const struct nlvs_svc *svc,
			const struct nlvs_dest_conf *conf, int full)
{
	char rec[NLVS_REC_MAX];

	if (!nlvs_ctl_journal_on())
		return 0;
	return nlvs_ctl_journal_append(rec, nlvs_ctl_rec_dest(rec, sizeof(rec), verb,
							      &svc->conf.key, conf, full));
}

/*
 * The checks of ip_vs_genl_set_cmd() and ip_vs_add_dest()/ip_vs_edit_dest()
 * for a full dest, in the kernel's order, up to the existence test.
 */
static int dest_check(const struct nlvs_svc *svc, const struct nlvs_dest_conf *in,
		      struct nlvs_dest_conf *out)
{
	*out = *in;
	if (!out->af)
		out->af = svc->conf.key.af;
	if (!nlvs_ctl_af_valid(out->af))
		return -EAFNOSUPPORT;
	out->fwd &= NLVS_FWD_MASK;
	if (out->af != svc->conf.key.af) {
		/* the sync protocol cannot carry mixed families */
		if (nlvs_ctl_daemon_any())
			return -EINVAL;
		if (out->fwd != NLVS_FWD_TUNNEL)
			return -EINVAL;
	}
	if (out->weight < 0)
		return -ERANGE;
	if (out->l_thresh > out->u_thresh)
		return -ERANGE;
	if (out->tun_type == NLVS_TUN_GUE && out->tun_port == 0)
		return -EINVAL;
	nlvs_ctl_addr_norm(out->af, &out->addr, &in->addr);
	return 0;
}

static void dest_update(struct nlvs_dest *d, const struct nlvs_dest_conf *c)
{
	d->conf.fwd = c->fwd;
	d->conf.weight = c->weight;
	d->conf.u_thresh = c->u_thresh;
	d->conf.l_thresh = c->l_thresh;
	d->conf.tun_type = c->tun_type;
	d->conf.tun_port = c->tun_port;
	d->conf.tun_flags = c->tun_flags;
}

int nlvs_ctl_dest_add(const struct nlvs_svc_key *key, const struct nlvs_dest_conf *conf)
{
	struct nlvs_dest_conf c;
	struct nlvs_svc *svc;
	struct nlvs_dest *d;
	int ret;

	if (!nlvs_ctl_af_valid(key->af))
		return -EAFNOSUPPORT;
	svc = nlvs_ctl_svc_find(key);
	if (!svc)
		return -ESRCH;
	ret = dest_check(svc, conf, &c);
	if (ret < 0)
		return ret;
	if (dest_lookup(svc, c.af, &c.addr, c.port, NULL))
		return -EEXIST;
	if (!dest_addr_ok(c.af, &c.addr))
		return -EINVAL;

	if (svc->num_dests == svc->max_dests) {
		uint32_t max = svc->max_dests ? svc->max_dests * 2 : 4;
		struct nlvs_dest **v = realloc(svc->dests, max * sizeof(*v));

		if (!v)
			return -ENOMEM;
		svc->dests = v;
		svc->max_dests = max;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->conf = c;
	d->svc = svc;
	ret = journal_dest("dest-add", svc, &d->conf, 1);
	if (ret < 0) {
		free(d);
		return ret;
	}
	svc->dests[svc->num_dests++] = d;
	if (c.af != svc->conf.key.af)
		mixed_dests++;

	nlvs_ctl_note(NLVS_CTL_SVC, svc, NULL);
	return 0;
}

int nlvs_ctl_dest_edit(const struct nlvs_svc_key *key, const struct nlvs_dest_conf *conf)
{
	struct nlvs_dest_conf c;
	struct nlvs_dest *d, nd;
	struct nlvs_svc *svc;
	int ret;

	if (!nlvs_ctl_af_valid(key->af))
		return -EAFNOSUPPORT;
	svc = nlvs_ctl_svc_find(key);
	if (!svc)
		return -ESRCH;
	ret = dest_check(svc, conf, &c);
	if (ret < 0)
		return ret;
	d = dest_lookup(svc, c.af, &c.addr, c.port, NULL);
	if (!d)
		return -ENOENT;
	nd.conf = d->conf;
	dest_update(&nd, &c);
	ret = journal_dest("dest-edit", svc, &nd.conf, 1);
	if (ret < 0)
		return ret;
	d->conf = nd.conf;

	nlvs_ctl_note(NLVS_CTL_SVC, svc, NULL);
	return 0;
}

int nlvs_ctl_dest_del(const struct nlvs_svc_key *key, const struct nlvs_dest_conf *id)
{
	union nlvs_addr addr;
	struct nlvs_svc *svc;
	struct nlvs_dest *d;
	uint16_t af;
	uint32_t i;
	int ret;

	if (!nlvs_ctl_af_valid(key->af))
		return -EAFNOSUPPORT;
	svc = nlvs_ctl_svc_find(key);
	if (!svc)
		return -ESRCH;
	af = id->af ? id->af : svc->conf.key.af;
	if (!nlvs_ctl_af_valid(af))
		return -EAFNOSUPPORT;
	nlvs_ctl_addr_norm(af, &addr, &id->addr);
	d = dest_lookup(svc, af, &addr, id->port, &i);
	if (!d)
		return -ENOENT;
	ret = journal_dest("dest-del", svc, &d->conf, 0);
	if (ret < 0)
		return ret;

	memmove(&svc->dests[i], &svc->dests[i + 1],
		(svc->num_dests - i - 1) * sizeof(svc->dests[0]));
	svc->num_dests--;
	if (af != svc->conf.key.af)
		mixed_dests--;
	nlvs_ctl_note(NLVS_CTL_DEST_GONE, svc, d);
	free(d);
	return 0;
}

int nlvs_ctl_dest_walk(const struct nlvs_svc_key *key, size_t *cursor,
		       struct nlvs_dest_info *out)
{
	struct nlvs_svc *svc = nlvs_ctl_svc_find(key);
	struct nlvs_dest *d;

	if (!svc)
		return -ESRCH;
	if (*cursor >= svc->num_dests)
		return 0;
	d = nlvs_ctl_dest_at(svc, (uint32_t)(*cursor)++);
	if (out) {
		out->conf = d->conf;
		out->activeconns = d->activeconns;
		out->inactconns = d->inactconns;
		out->persistconns = d->persistconns;
		out->stats = d->stats;
	}
	return 1;
}
