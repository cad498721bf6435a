/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the schedulers: the ops tables the registry lists and small
 * helpers several schedulers share.
 */
#ifndef NLVS_SCHED_PRIV_H
#define NLVS_SCHED_PRIV_H

#include <stddef.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "nlvs_sched.h"

extern const struct nlvs_sched_ops nlvs_sched_rr;
extern const struct nlvs_sched_ops nlvs_sched_wrr;
extern const struct nlvs_sched_ops nlvs_sched_lc;
extern const struct nlvs_sched_ops nlvs_sched_wlc;
extern const struct nlvs_sched_ops nlvs_sched_lblc;
extern const struct nlvs_sched_ops nlvs_sched_lblcr;
extern const struct nlvs_sched_ops nlvs_sched_dh;
extern const struct nlvs_sched_ops nlvs_sched_sh;
extern const struct nlvs_sched_ops nlvs_sched_sed;
extern const struct nlvs_sched_ops nlvs_sched_nq;
extern const struct nlvs_sched_ops nlvs_sched_fo;
extern const struct nlvs_sched_ops nlvs_sched_ovf;
extern const struct nlvs_sched_ops nlvs_sched_mh;
extern const struct nlvs_sched_ops nlvs_sched_twos;

/* The position of @rs in svc->dests, or -1. */
static inline int nlvs_sched_dest_index(const struct nlvs_sched_svc *svc,
					const struct nlvs_rs *rs)
{
	unsigned int i;

	for (i = 0; i < svc->num_dests; i++)
		if (svc->dests[i] == rs)
			return (int)i;
	return -1;
}

/* Greatest common divisor of two weights (wrr's step, mh's turns). */
static inline int nlvs_sched_gcd(int a, int b)
{
	int t;

	while (b) {
		t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* The kernel's hash_32(): multiplicative hashing to @bits bits. */
static inline uint32_t nlvs_sched_hash32(uint32_t val, unsigned int bits)
{
	return (val * 0x61C88647u) >> (32 - bits);
}

/* An address folded to 32 bits in host order, as the kernel's dh, sh, mh,
 * lblc and lblcr hash it: IPv6 words XORed, then ntohl(). */
static inline uint32_t nlvs_sched_addr_fold(uint16_t af, const union nlvs_addr *a)
{
	uint32_t f = a->ip;

	if (af == AF_INET6)
		f = a->ip6[0] ^ a->ip6[1] ^ a->ip6[2] ^ a->ip6[3];
	return ntohl(f);
}

/* Weighted least-connection over all dests (wlc, and lblc/lblcr when they
 * have to choose afresh); NULL if none is usable. */
struct nlvs_rs *nlvs_sched_wlc_pick(const struct nlvs_sched_svc *svc);
/* The usable dest with the least @load / weight (wlc, sed); NULL if none. */
struct nlvs_rs *nlvs_sched_least(const struct nlvs_sched_svc *svc,
				 int64_t (*load)(const struct nlvs_rs *));

/* The kernel's hsiphash() on 64-bit machines: SipHash-1-3 with a 128-bit
 * key, the 64-bit result truncated to 32 bits. */
struct nlvs_hsiphash_key {
	uint64_t key[2];
};

uint32_t nlvs_hsiphash(const void *data, size_t len, const struct nlvs_hsiphash_key *key);

#endif /* NLVS_SCHED_PRIV_H */
