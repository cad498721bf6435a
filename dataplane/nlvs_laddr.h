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
#include "nlvs_ctl.h"

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
/** Owner of (@addr, @port network order) if @addr is in this pool, else -1. */
int nlvs_laddr_owner(const struct nlvs_laddr_ports *lp, const union nlvs_addr *addr,
		     uint16_t port);

#endif /* NLVS_LADDR_H */
