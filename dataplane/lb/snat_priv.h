/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the SNAT engine.  It lives on the FULLNAT engine's structures
 * (lb_priv.h): the same published IPVS table, per-worker schedulers,
 * counters and connection tables, so SNAT services and connections show in
 * ipvsadm like any other.  What SNAT adds:
 *
 *   snat_cfg.c  control thread: the egress addresses (dests of fwmark
 *               services some rule marks for) with their per-worker port
 *               slices, registered with L3; the table workers read
 *               (classifier, rule -> service, egress address -> entry),
 *               published under RCU after each lb_cfg
 *   snat.c      worker: the packet path (what a miss does; hits and
 *               connection filing are lb_path.c's)
 *
 * Egress entries are never freed while nlvsd runs (their ports may be held
 * by connections of a deleted dest until those expire); the array is
 * append-only with a fixed capacity, so workers index it without locks.
 */
#ifndef NLVS_SNAT_PRIV_H
#define NLVS_SNAT_PRIV_H

#include "lb_priv.h"
#include "nlvs_snat.h"

#define SNAT_EGRESS_MAX		4096	/* fits the flag bits below */
#define SNAT_PORT_MIN		1024
#define SNAT_PORT_MAX		65535

/* Connection flag bits (lb_priv.h uses 0x00010000 and the pool index from
 * bit 20 for FULLNAT; a SNAT connection never has LB_CF_FNAT). */
#define SNAT_CF			NLVS_SNAT_CONN_F
#define SNAT_CF_EG_SHIFT	20

struct snat_egress {
	uint8_t af;
	uint8_t live;			/* control: a dest of a SNAT service now */
	union nlvs_addr addr;
	struct nlvs_laddr_ports *lp[NLVS_MAX_WORKERS];
};

extern struct snat_egress *snat_eg;	/* [SNAT_EGRESS_MAX] */

/* What workers read; immutable once published, but for lbcfg_seq. */
struct snat_tab {
	/* seq of the newest lb_cfg it stands for (stamped again, atomically,
	 * when a change left everything of SNAT's as it was) */
	uint64_t lbcfg_seq;
	struct nlvs_snat_class *cls;
	unsigned int nrules;
	uint32_t *rule_svc[2];		/* [v4/v6][rule]: svc slot + 1, 0 none */
	uint32_t ehmask;
	uint16_t *ehash;		/* egress index + 1, 0 empty */
};

extern struct snat_tab *snat_tab_current;

static inline const struct snat_tab *snat_tab_get(void)
{
	return __atomic_load_n(&snat_tab_current, __ATOMIC_ACQUIRE);
}

/* snat_cfg.c */
uint32_t snat_addr_hash(int af, const union nlvs_addr *a);
int snat_egress_find(const struct snat_tab *t, int af, const union nlvs_addr *a);

/* snat.c: the SNAT side of a burst (lb_path.c) */
unsigned int snat_classify(struct lb_worker *lw, const struct snat_tab *t, struct rte_mbuf *m,
			   const struct nlvs_l3_info *l3, struct lb_bpkt *b,
			   struct nlvs_conn_tuple *k);
void snat_slow(struct lb_worker *lw, const struct snat_tab *t, struct rte_mbuf *m,
	       const struct nlvs_l3_info *l3, const struct lb_bpkt *b);
void snat_out(struct lb_worker *lw, const struct snat_tab *t, struct rte_mbuf *m,
	      const struct nlvs_l3_info *l3, const struct nlvs_pkt *p,
	      const struct nlvs_conn_tuple *k, struct nlvs_conn *c, unsigned int side);
void snat_in(struct lb_worker *lw, struct rte_mbuf *m, const struct nlvs_l3_info *l3,
	     const struct nlvs_pkt *p, struct nlvs_conn *c, unsigned int side);

#endif /* NLVS_SNAT_PRIV_H */
