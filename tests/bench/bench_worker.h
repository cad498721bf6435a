/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_worker: traffic synthesis and output checks that hook into the
 * real worker loop through ethdev RX/TX callbacks on net_null ports.
 *
 * The worker lcore runs the dataplane's own loop; its rte_eth_rx_burst()
 * on a "no-rx" net_null queue returns nothing, and our RX callback fills
 * the burst with frames (mbufs from the worker's pool, as a NIC refills its
 * ring).  What the worker transmits goes through our TX callback (counting,
 * and in some phases checking or learning the rewritten headers) to the
 * net_null PMD, which frees it.  The cycles spent writing frames and
 * checking output are measured and taken out of the figures.
 */
#ifndef BENCH_WORKER_H
#define BENCH_WORKER_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#define BW_BURST	32
#define BW_NRS		16		/* real servers */
#define BW_FRAME_LEN	60		/* 14 Ethernet + 20 IP + 20 TCP + 6 data */
#define BW_VPORT	80
#define BW_RPORT	8080
#define BW_VIP		0xc000020au	/* 192.0.2.10 */
#define BW_CLIENT_NET	0x64400000u	/* 100.64.0.0/10: client i is .0.0 + i */
#define BW_CPORT_BASE	1024u
#define BW_RS_NET	0x0a020000u	/* 10.2.0.0/24 on the RS port */
#define BW_RS_PORT_ADDR	0x0a020001u	/* 10.2.0.1 */
#define BW_RS_FIRST	10u		/* RS j is 10.2.0.(10 + j) */
#define BW_CL_PORT_ADDR	0xc6336401u	/* 198.51.100.1 on the client port */
#define BW_LADDR_BASE	0x0a030001u	/* local address k is 10.3.0.1 + k */
#define BW_MAX_FLOWS	(1u << 22)	/* 100.64.0.0/10 */

enum { BW_SIDE_CLIENT, BW_SIDE_RS, BW_SIDES };

enum bw_kind {
	BW_NONE,	/* this side sends nothing in the phase */
	BW_ARP,		/* RS side: ARP replies from each RS (primes the neighbours) */
	BW_SYN,		/* client: SYN of flow next++ */
	BW_SYNACK,	/* RS: SYN+ACK of flow next++ */
	BW_ACK,		/* client: ACK of flow next++ */
	BW_DATA,	/* either side: ACK+PSH with 6 bytes, random flows */
};

/* What the dataplane gave flow i on the real-server side (learnt from its
 * SYN on the way out): 4 bytes a flow. */
struct bw_flow {
	uint16_t lport;			/* host order; 0 = not seen yet */
	uint8_t laddr;			/* index of the local address */
	uint8_t rs;			/* index of the real server */
};

struct bw_gen {
	enum bw_kind kind;
	uint64_t todo;			/* frames left to send */
	uint32_t next;			/* sequential flow cursor */
	uint64_t rng;			/* random flows (BW_DATA) */
};

/* Check modes of the TX callback. */
enum { BW_TX_COUNT, BW_TX_LEARN, BW_TX_VERIFY };

struct bw_run {
	uint32_t flows, nladdr;
	struct bw_flow *flow;
	struct rte_mempool *mp;		/* the worker's pool */
	uint16_t port_id[BW_SIDES];
	struct rte_ether_addr port_mac[BW_SIDES];

	/* A phase: the control thread fills gen[] and tx_mode, clears the
	 * results and sets active; the worker sets done when, at the top of
	 * a loop turn, everything was sent and the previous turn flushed. */
	struct bw_gen gen[BW_SIDES];
	int tx_mode;
	int active, done;		/* __atomic */
	int started;
	uint64_t t_start, t_end;	/* TSC, first and after last turn */
	uint64_t cpu_start, cpu_end;	/* the worker thread's CPU time, ns */
	uint64_t aux_cycles;		/* spent in our callbacks: not the dataplane's */
	uint64_t rx_frames;		/* handed to the worker */
	uint64_t no_mbuf;		/* bursts lost for want of mbufs */
	uint64_t tx_seen[BW_SIDES];	/* IPv4 frames the worker transmitted, per port */
	uint64_t tx_other;		/* its own ARP announcements and requests */
	uint64_t tx_bad;		/* transmitted frames that failed a check */
	char why[160];			/* the first failure */
};

/** Install the RX and TX callbacks on queue 0 of both ports.  0 or -errno. */
int bw_hooks_install(struct bw_run *r);

/* The timed phases of one flow count. */
enum { BW_PH_SYN, BW_PH_IN, BW_PH_OUT, BW_PH_BOTH, BW_PH_MAX };

struct bw_phase_res {
	uint64_t packets;
	uint64_t cycles;		/* worker TSC cycles, our callbacks taken out */
	uint64_t elapsed, on_cpu;	/* TSC cycles of the window, of it on the CPU */
};

/* What a flow count's process reports to the parent. */
struct bw_result {
	uint32_t flows, cap;
	unsigned int lcore;
	int ok;
	uint64_t hz;
	size_t table;			/* connection table bytes (pool and hash) */
	size_t heap;			/* heap the dataplane took at start */
	struct bw_phase_res ph[BW_PH_MAX];
};

/**
 * Run one phase on the worker: @cn frames of @ck from the client side, @rn
 * of @rk from the real-server side, output checked as @tx_mode says.  Prints
 * a line with the worker's counters; fails (-EPROTO, reasons printed) when
 * anything was dropped, not sent or sent wrong.  @out may be NULL.
 */
int bw_phase(struct bw_run *r, const char *name, enum bw_kind ck, uint64_t cn,
	     enum bw_kind rk, uint64_t rn, int tx_mode, struct bw_phase_res *out);
/** Print the table of figures. */
void bw_report(const struct bw_result *res, unsigned int n);

#endif /* BENCH_WORKER_H */
