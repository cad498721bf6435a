// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "mark" lines of nlvsd.conf: what iptables' mangle MARK rule does for
 * kernel IPVS.  A packet to a VIP that misses the connection table and
 * matches a mark rule carries the rule's mark; the firewall-mark service
 * of that mark (and the packet's family) then takes it before any
 * proto/addr/port service, as ip_vs_service_find() tries the mark first.
 * The rules are compiled by the SNAT classifier (snat_class.c): one
 * matcher for both kinds of lines.  A rule's host-length "to" addresses are
 * answered for (ARP/ND) as VIPs while a service of its mark exists.
 *
 * The compiled set is published to the workers under RCU; without mark
 * lines the pointer is NULL and the packet path pays one branch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "base/nlvs_log.h"
#include "lb_priv.h"

struct nlvs_snat_class *lb_mark_cls;

/* the lines, for the VIPs they name */
static struct nlvs_conf_snat *rules;
static unsigned int nrules;

static int publish(const struct nlvs_conf *conf)
{
	struct nlvs_snat_class *cls = NULL, *old = lb_mark_cls;
	struct nlvs_conf_snat *r = NULL;
	int rc;

	if (conf->nmark) {
		rc = nlvs_snat_class_build(conf->mark, conf->nmark, &cls);
		if (rc < 0)
			return rc;
		r = malloc(conf->nmark * sizeof(*r));
		if (!r) {
			nlvs_snat_class_free(cls);
			return -ENOMEM;
		}
		memcpy(r, conf->mark, conf->nmark * sizeof(*r));
	}
	__atomic_store_n(&lb_mark_cls, cls, __ATOMIC_RELEASE);
	free(rules);
	rules = r;
	nrules = conf->nmark;
	if (old) {
		nlvs_dp_rcu_synchronize();
		nlvs_snat_class_free(old);
	}
	return 0;
}

int lb_mark_init(const struct nlvs_conf *conf)
{
	return publish(conf);
}

int lb_mark_reload(const struct nlvs_conf *conf)
{
	int rc = publish(conf);

	if (rc < 0)
		nlvs_log_warnx("reload: mark rules not changed: %s", strerror(-rc));
	else
		lb_cfg_vips_refresh();
	return rc;
}

void lb_mark_fini(void)
{
	struct nlvs_conf empty;

	memset(&empty, 0, sizeof(empty));
	publish(&empty);
}

unsigned int lb_mark_nrules(void)
{
	return nrules;
}

int lb_mark_vip(unsigned int i, uint32_t mark, int af, union nlvs_addr *a)
{
	const struct nlvs_conf_snat *r = &rules[i];

	if (r->mark != mark || !r->has_to || r->to.af != af ||
	    r->to.len != (af == AF_INET ? 32u : 128u))
		return 0;
	*a = r->to.addr;
	return 1;
}

const struct lb_svc *lb_mark_svc(const struct lb_worker *lw, const struct nlvs_snat_class *cls,
				 const struct nlvs_l3_info *l3, const struct nlvs_conn_tuple *k)
{
	struct nlvs_snat_key key;
	uint32_t mark;

	key.af = k->af;
	key.proto = k->proto;
	key.dport = rte_be_to_cpu_16(k->dport);
	key.in_port = l3->port;
	key.out_port = NLVS_CONF_PORT_ANY;
	key.saddr = k->saddr;
	key.daddr = k->daddr;
	if (nlvs_snat_class_match(cls, &key, &mark) < 0)
		return NULL;
	return lb_svc_lookup_mark(lw->cfg, k->af, mark);
}

/* Persistence (-p): the key of a client's template.  A firewall-mark
 * service keeps one per client (masked) and mark for every port and
 * protocol, as the kernel's fwmark templates (protocol 0, the mark where
 * the VIP goes, port 0); SNAT's inside hosts get theirs the same way. */
void lb_tmpl_key(struct nlvs_conn_tuple *tk, const struct lb_svc *s,
		 const struct nlvs_conn_tuple *k)
{
	union nlvs_addr m;

	if (!s->fwmark) {
		nlvs_conn_tuple_template(tk, s->af, s->proto, &k->saddr, s->plen, &k->daddr,
					 s->port);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.ip = htonl(s->fwmark);
	nlvs_conn_tuple_template(tk, s->af, 0, &k->saddr, s->plen, &m, 0);
}
