/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SNAT: inside hosts reach the outside from egress addresses.
 *
 * The classifier (snat_class.c, no EAL) turns the snat-rule lines of
 * nlvsd.conf into per-family rule lists a worker walks per new flow without
 * locks; the first rule that matches gives the packet its firewall mark.
 * The mark names an IPVS firewall-mark service (ipvsadm -A -f MARK) whose
 * dests are the egress addresses (ipvsadm -a -f MARK -r EGRESS -m).
 *
 * Order: rules are tried in the order of the file, across families (a rule
 * without prefixes applies to IPv4 and IPv6).  The first rule whose every
 * given condition holds wins; later rules are not looked at, so put narrow
 * rules before broad ones, as in a firewall.  A packet no rule matches is
 * not translated (forwarded as is with ip-forward on, dropped otherwise).
 *
 * The engine (snat.c, snat_cfg.c, DPDK) is called by the FULLNAT engine's
 * nlvs_lb_input() for transit traffic and for traffic to egress addresses.
 */
#ifndef NLVS_SNAT_H
#define NLVS_SNAT_H

#include <stdint.h>

#include "ctl/nlvs_conf.h"
#include "conn/nlvs_conn.h"
#include "ctl/nlvs_ctl.h"

/* What the classifier looks at in one packet. */
struct nlvs_snat_key {
	uint8_t af;			/* AF_INET or AF_INET6 */
	uint8_t proto;			/* IPPROTO_* */
	uint16_t dport;			/* host order; mark rules test it */
	unsigned int in_port;		/* port index it arrived on */
	unsigned int out_port;		/* port index the route chose, or
					 * NLVS_CONF_PORT_ANY when unknown */
	union nlvs_addr saddr, daddr;	/* IPv4: first 4 bytes */
};

struct nlvs_snat_class;

/** Compile @n rules; *@out is freed with nlvs_snat_class_free().  0 or
 *  -ENOMEM / -EINVAL (a prefix of an unknown family). */
int nlvs_snat_class_build(const struct nlvs_conf_snat *rules, unsigned int n,
			  struct nlvs_snat_class **out);
void nlvs_snat_class_free(struct nlvs_snat_class *c);
/** Rules that apply to family @af (0: any family). */
unsigned int nlvs_snat_class_count(const struct nlvs_snat_class *c, int af);
/** Does some rule of family @af test the egress port?  Then the caller
 *  fills key->out_port from a route lookup before matching. */
int nlvs_snat_class_needs_out(const struct nlvs_snat_class *c, int af);
/** First rule matching @k: its index in the configuration (>= 0) with
 *  *@mark set, or -1.  A rule with an "out" port never matches a key whose
 *  out_port is unknown. */
int nlvs_snat_class_match(const struct nlvs_snat_class *c, const struct nlvs_snat_key *k,
			  uint32_t *mark);

/*
 * The engine, for the FULLNAT engine (lb*.c) to call.
 */
struct nlvs_worker;
struct rte_mbuf;
struct nlvs_l3_info;

/** Control thread: rules and per-worker state.  0 or -errno. */
int nlvs_snat_init(const struct nlvs_conf *conf);
/** Control thread, SIGHUP: new rules (egress port range as started).  0 or
 *  -errno, then nothing changed. */
int nlvs_snat_reload(const struct nlvs_conf *conf);
/** Control thread, after the FULLNAT engine published its table: register
 *  egress addresses, publish what workers need to find them. */
void nlvs_snat_tick(void);
void nlvs_snat_fini(void);
/** Control thread: a line per egress address for nlvsctl's laddrs (as
 *  lb.c writes them): ports held by connections over all workers. */
void nlvs_snat_egress_write(FILE *f);
/** Worker: transit traffic (l3->kind NLVS_ADDR_NONE) or traffic to an
 *  egress address.  Consumes @m. */
void nlvs_snat_input(struct nlvs_worker *w, struct rte_mbuf *m, const struct nlvs_l3_info *l3);
/* Flag of SNAT connections in nlvs_conn.flags (lb_priv.h's LB_CF_* are the
 * bits around it: FULLNAT below, DR and TUN above); the egress entry index
 * sits from bit 20 on. */
#define NLVS_SNAT_CONN_F	0x00020000u

static inline int nlvs_snat_conn_is(const struct nlvs_conn *c)
{
	return !!(c->flags & NLVS_SNAT_CONN_F);
}

/** Worker: a connection of ours is freed: give back its port.  Returns 1
 *  if @c was a SNAT connection, 0 otherwise. */
int nlvs_snat_conn_release(struct nlvs_worker *w, const struct nlvs_conn *c);

#endif /* NLVS_SNAT_H */
