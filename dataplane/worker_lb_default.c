// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The L4 engine until FULLNAT lands: no services, so traffic for VIPs and
 * local addresses is dropped as NO_SERVICE and transit traffic as NOT_FOR_US.
 * The FULLNAT/SNAT glue replaces this file in dp.mk (same symbols, dp_lb.h).
 */
#include <rte_mbuf.h>

#include "dp_priv.h"

int nlvs_lb_init(const struct nlvs_conf *conf)
{
	return 0;
}

int nlvs_lb_reload(const struct nlvs_conf *conf)
{
	return 0;
}

void nlvs_lb_tick(void)
{
}

void nlvs_lb_fini(void)
{
}

void nlvs_lb_input(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3)
{
	nlvs_worker_drop(w, m, l3->kind == NLVS_ADDR_NONE ? NLVS_DROP_NOT_FOR_US :
							   NLVS_DROP_NO_SERVICE);
}

void nlvs_lb_worker_poll(struct nlvs_worker *w)
{
}
