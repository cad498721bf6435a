/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Local-address ports (FULLNAT source ports; later SNAT egress ports and
 * ICMP echo identifiers).  The 16-bit port space of every local address is
 * split between workers by the port's low bits, so the owner of a return
 * packet is known from its destination port alone and a NIC can steer it
 * with one rte_flow rule per low-bits value:
 *
 *	owner(port) = (port & (P - 1)) % W,  P = smallest power of two >= W
 *
 * (for W a power of two simply port % W).  Each worker allocates from its
 * own slice with O(1) alloc and free; ports come back in FIFO order so a
 * just-freed port is reused last (the real server may still hold it in
 * TIME_WAIT).
 */
#ifndef NLVS_LADDR_H
#define NLVS_LADDR_H

#include <stdint.h>
#include "ctl/nlvs_ctl.h"

/** Low-bits mask a NIC rule matches the destination port with. */
static inline uint16_t nlvs_laddr_owner_mask(unsigned int nworkers)
{
	unsigned int p = 1;

	while (p < nworkers)
		p <<= 1;
	return (uint16_t)(p - 1);
}

/** Worker owning @port (host order) of any local address. */
static inline unsigned int nlvs_laddr_port_owner(uint16_t port, unsigned int nworkers)
{
	if (nworkers <= 1)
		return 0;
	return (port & nlvs_laddr_owner_mask(nworkers)) % nworkers;
}

/*
 * One worker's ports of one local address: a slice.  Only the owning
 * worker allocates and frees; any thread may read how many are free (the
 * control thread does, to learn when a retired address is no longer held).
 */
struct nlvs_laddr_slice;

/** Ports @port_min..@port_max (host order) owned by @worker of @nworkers;
 *  @seed picks where the free ring starts, so that two addresses do not
 *  hand out the same port sequence.  NULL on bad arguments or no memory. */
struct nlvs_laddr_slice *nlvs_laddr_slice_create(unsigned int worker, unsigned int nworkers,
						 uint16_t port_min, uint16_t port_max,
						 unsigned int seed);
void nlvs_laddr_slice_destroy(struct nlvs_laddr_slice *s);
/** A free port (network order): 0, or NLVS_DROP_NO_LADDR_PORT. */
int nlvs_laddr_slice_alloc(struct nlvs_laddr_slice *s, uint16_t *port);
/** Give @port (network order) back; 0, or -EINVAL if not ours or not in use. */
int nlvs_laddr_slice_free(struct nlvs_laddr_slice *s, uint16_t port);
/** Free ports now (any thread). */
uint32_t nlvs_laddr_slice_avail(const struct nlvs_laddr_slice *s);
/** Ports the slice owns (fixed; any thread). */
uint32_t nlvs_laddr_slice_size(const struct nlvs_laddr_slice *s);
/** Every port of the slice is free: no connection holds one (any thread). */
int nlvs_laddr_slice_idle(const struct nlvs_laddr_slice *s);

/**
 * A port from the pool of address ids @ids[@n], whose slices are
 * @slices[id], taking the addresses round robin from the worker's cursor
 * *@rr.  Returns 0 with the position in @ids in *@which and the port
 * (network order), or NLVS_DROP_NO_LADDR_PORT when every slice is exhausted
 * (a missing slice counts as exhausted).
 */
int nlvs_laddr_pool_alloc(struct nlvs_laddr_slice *const *slices, const uint16_t *ids,
			  unsigned int n, uint32_t *rr, unsigned int *which, uint16_t *port);

/*
 * The control thread's registry of local addresses by id.  An id names
 * one address for as long as any connection may hold one of its ports:
 * an address that leaves every pool retires, keeps its id (and its
 * slices) until the owner has seen them all idle, and only then is the id
 * released for another address.  An address added back while it retires
 * gets its old id, so a port still held can never be handed out twice.
 *
 * Changes are planned, then committed or aborted as a whole: plan() every
 * address of the new pools, commit() (or abort()).
 */
#define NLVS_LADDR_IDS_MAX	4096

enum nlvs_laddr_id_state {
	NLVS_LADDR_ID_FREE,
	NLVS_LADDR_ID_NEW,		/* planned, not committed */
	NLVS_LADDR_ID_ACTIVE,		/* in a pool of the running configuration */
	NLVS_LADDR_ID_RETIRING,		/* in no pool; ports may still be held */
};

struct nlvs_laddr_id {
	uint8_t state;			/* enum nlvs_laddr_id_state */
	uint8_t af;
	uint8_t planned;		/* in the plan being made */
	uint8_t registered;		/* the caller's: announced with L3 by us */
	union nlvs_addr addr;
};

struct nlvs_laddr_ids {
	unsigned int max;		/* ids 0..max-1 */
	struct nlvs_laddr_id e[NLVS_LADDR_IDS_MAX];
};

void nlvs_laddr_ids_init(struct nlvs_laddr_ids *t, unsigned int max);
/** The id of (@af, @addr) in no matter which state, or -ENOENT. */
int nlvs_laddr_ids_find(const struct nlvs_laddr_ids *t, int af, const union nlvs_addr *addr);
/** Put (@af, @addr) in the plan: its id (a new one, NLVS_LADDR_ID_NEW, if
 *  it has none), or -ENOSPC when every id is taken. */
int nlvs_laddr_ids_plan(struct nlvs_laddr_ids *t, int af, const union nlvs_addr *addr);
/** The plan is the new set: new and retiring ids in it become active,
 *  active ids not in it retire.  Returns how many retired. */
unsigned int nlvs_laddr_ids_commit(struct nlvs_laddr_ids *t);
/** Forget the plan: new ids are free again, nothing else changes. */
void nlvs_laddr_ids_abort(struct nlvs_laddr_ids *t);
/** A retired id whose ports are all back: free for another address. */
void nlvs_laddr_ids_release(struct nlvs_laddr_ids *t, unsigned int id);

/*
 * A worker's allocator over several addresses at once (SNAT egress
 * addresses, benchmarks): a slice per address, taken round robin.
 */
struct nlvs_laddr_ports;

/**
 * One worker's allocator over the local addresses @addrs[@n] of one pool,
 * ports @port_min..@port_max (host order, e.g. 1024..65535) owned by
 * @worker of @nworkers.  NULL on bad arguments or no memory.
 */
struct nlvs_laddr_ports *nlvs_laddr_ports_create(int af, const union nlvs_addr *addrs,
						 unsigned int n, unsigned int worker,
						 unsigned int nworkers, uint16_t port_min,
						 uint16_t port_max);
void nlvs_laddr_ports_destroy(struct nlvs_laddr_ports *lp);

/**
 * A local address and port (network order) for a new connection, taking
 * addresses round robin.  Returns 0, or NLVS_DROP_NO_LADDR_PORT when every
 * address's slice is exhausted.
 */
int nlvs_laddr_port_alloc(struct nlvs_laddr_ports *lp, union nlvs_addr *addr,
			  uint16_t *port);
/** Give a port back; 0, or -EINVAL if it is not ours or not in use. */
int nlvs_laddr_port_free(struct nlvs_laddr_ports *lp, const union nlvs_addr *addr,
			 uint16_t port);
/** Ports still free over all addresses. */
uint32_t nlvs_laddr_ports_avail(const struct nlvs_laddr_ports *lp);
/** Ports over all addresses, free or not. */
uint32_t nlvs_laddr_ports_size(const struct nlvs_laddr_ports *lp);
/** Owner of (@addr, @port network order) if @addr is in this pool, else -1. */
int nlvs_laddr_owner(const struct nlvs_laddr_ports *lp, const union nlvs_addr *addr,
		     uint16_t port);

#endif /* NLVS_LADDR_H */
