// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scheduler registry and the connection accounting every scheduler relies on.
 *
 * The registry is one constant array, so the set of schedulers is fixed at
 * build time and lookups need no locking.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "nlvs_sched.h"
#include "sched_priv.h"

static const struct nlvs_sched_ops *const nlvs_sched_all[] = {
	&nlvs_sched_rr,
	&nlvs_sched_wrr,
	&nlvs_sched_lc,
	&nlvs_sched_wlc,
	&nlvs_sched_lblc,
	&nlvs_sched_lblcr,
	&nlvs_sched_dh,
	&nlvs_sched_sh,
	&nlvs_sched_sed,
	&nlvs_sched_nq,
	&nlvs_sched_fo,
	&nlvs_sched_ovf,
	&nlvs_sched_mh,
	&nlvs_sched_twos,
};

const struct nlvs_sched_ops *nlvs_sched_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(nlvs_sched_all) / sizeof(nlvs_sched_all[0]); i++)
		if (!strcmp(nlvs_sched_all[i]->name, name))
			return nlvs_sched_all[i];
	return NULL;
}

int nlvs_sched_svc_init(struct nlvs_sched_svc *svc, const struct nlvs_sched_ops *ops)
{
	int rc = 0;

	if (!svc || !ops)
		return -EINVAL;
	svc->ops = ops;
	svc->priv = NULL;
	if (ops->init)
		rc = ops->init(svc);
	if (rc) {
		svc->ops = NULL;
		svc->priv = NULL;
	}
	return rc;
}

int nlvs_sched_svc_update(struct nlvs_sched_svc *svc)
{
	if (!svc->ops)
		return -EINVAL;
	if (!svc->ops->update)
		return 0;
	return svc->ops->update(svc);
}

void nlvs_sched_svc_done(struct nlvs_sched_svc *svc)
{
	if (svc->ops && svc->ops->done)
		svc->ops->done(svc);
	svc->priv = NULL;
	svc->ops = NULL;
}

struct nlvs_rs *nlvs_sched_schedule(struct nlvs_sched_svc *svc,
				    const struct nlvs_sched_pkt *pkt)
{
	if (!svc->ops || !svc->num_dests)
		return NULL;
	return svc->ops->schedule(svc, pkt);
}

/*
 * Connection accounting.  As in ip_vs_bind_dest(), a persistence template
 * only counts in persistconns; the overload flag is judged on active plus
 * inactive connections.
 */
static uint32_t rs_conns(const struct nlvs_rs *rs)
{
	return rs->activeconns + rs->inactconns;
}

void nlvs_rs_conn_bind(struct nlvs_rs *rs, int active, int persist)
{
	if (persist)
		rs->persistconns++;
	else if (active)
		rs->activeconns++;
	else
		rs->inactconns++;

	if (rs->u_thresh && rs_conns(rs) >= rs->u_thresh)
		rs->flags |= NLVS_RS_F_OVERLOAD;
}

static void rs_count_dec(uint32_t *c)
{
	if (*c)
		(*c)--;
}

void nlvs_rs_conn_unbind(struct nlvs_rs *rs, int active, int persist)
{
	uint32_t total;

	if (persist)
		rs_count_dec(&rs->persistconns);
	else if (active)
		rs_count_dec(&rs->activeconns);
	else
		rs_count_dec(&rs->inactconns);

	total = rs_conns(rs);
	if (rs->l_thresh) {
		if (total < rs->l_thresh)
			rs->flags &= ~NLVS_RS_F_OVERLOAD;
	} else if (rs->u_thresh) {
		/* no lower threshold: hysteresis at 3/4 of the upper one */
		if ((uint64_t)total * 4 < (uint64_t)rs->u_thresh * 3)
			rs->flags &= ~NLVS_RS_F_OVERLOAD;
	} else {
		rs->flags &= ~NLVS_RS_F_OVERLOAD;
	}
}

void nlvs_rs_conn_activate(struct nlvs_rs *rs, int now_active)
{
	if (now_active) {
		rs_count_dec(&rs->inactconns);
		rs->activeconns++;
	} else {
		rs_count_dec(&rs->activeconns);
		rs->inactconns++;
	}
}
