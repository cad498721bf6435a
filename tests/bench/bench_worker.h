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
#include <stdio.h>

#include <rte_ether.h>
#include <rte_mempool.h>
#include <rte_ring.h>

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
#define BW_EGRESS_BASE	0x0a020064u	/* SNAT egress address k is 10.2.0.100 + k */
#define BW_FRAME6_LEN	80		/* 14 Ethernet + 40 IPv6 + 20 TCP + 6 data */
#define BW_QUEUES	2		/* RX queues hooked per port (one per worker) */

/* What the dataplane is configured as, and so which frames a run makes. */
enum bw_mode {
	BW_M_FNAT4,	/* client -> VIP:80 (IPv4), FULLNAT to the RS */
	BW_M_FNAT6,	/* the same over IPv6: 2001:db8:... addresses */
	BW_M_SNAT4,	/* inside host -> RS:8080 directly, SNAT to an egress address */
};

enum { BW_SIDE_CLIENT, BW_SIDE_RS, BW_SIDES };

enum bw_kind {
	BW_NONE,	/* this side sends nothing in the phase */
	BW_ARP,		/* RS side: ARP replies (IPv6: NAs) from each RS (primes the neighbours) */
	BW_SYN,		/* client: SYN of flow next++ */
	BW_SYNACK,	/* RS: SYN+ACK of flow next++ */
	BW_ACK,		/* client: ACK of flow next++ */
	BW_DATA,	/* either side: ACK+PSH with 6 bytes, random flows */
	BW_FWD,		/* client: plain IPv4 to a RS address, no service (routed) */
};

/* What the dataplane gave flow i on the real-server side (learnt from its
 * SYN on the way out): 4 bytes a flow. */
struct bw_flow {
	uint16_t lport;			/* host order; 0 = not seen yet */
	uint8_t laddr;			/* index of the local address */
	uint8_t rs;			/* index of the real server */
};

/* One side's traffic on one queue.  The queue's flows are off, off +
 * stride, ... (count of them): all flows for a phase on one queue, flow i
 * on queue i % workers when the phase is spread as RSS would. */
struct bw_gen {
	enum bw_kind kind;
	uint64_t todo;			/* frames left to send */
	uint32_t next;			/* sequential flow cursor */
	uint32_t off, stride, count;	/* the queue's share of the flows */
	uint64_t rng;			/* random flows (BW_DATA) */
};

/* Check modes of the TX callback. */
enum { BW_TX_COUNT, BW_TX_LEARN, BW_TX_VERIFY };

struct bw_run {
	enum bw_mode mode;
	uint32_t flows, nladdr;
	uint32_t laddr_base;		/* first local (FULLNAT) or egress (SNAT) address */
	uint16_t frame_len;
	unsigned int nq;		/* workers, so RX queues per port */
	struct bw_flow *flow;
	struct rte_mempool *mp[BW_QUEUES];	/* the workers' pools */
	uint16_t port_id[BW_SIDES];
	struct rte_ether_addr port_mac[BW_SIDES];

	/* A phase: the control thread fills each queue's gen[] and tx_mode,
	 * clears the results and sets active to the phase's number and
	 * queues; each of those queues' workers marks its queue finished and
	 * counts it in done when, at the top of a loop turn, everything was
	 * sent and the previous turn flushed. */
	int tx_mode;
	uint64_t active;		/* __atomic: phase << 8 | queue mask, 0 = none */
	unsigned int done;		/* __atomic: queues finished */
	/* one slot per worker, written by its callbacks: no sharing */
	struct bw_wstat {
		uint64_t finished;	/* the active word of the last phase it finished */
		/* the rest is cleared for every phase */
		struct bw_gen gen[BW_SIDES];
		struct rte_ring *pace;	/* hand-off ring to keep from overflowing, or NULL */
		int started;
		uint64_t t_start, t_end;	/* TSC, first and after last turn */
		uint64_t cpu_start, cpu_end;	/* the worker thread's CPU time, ns */
		uint64_t rx_frames;	/* handed to the worker */
		uint64_t no_mbuf;	/* bursts lost for want of mbufs */
		uint64_t aux_cycles;	/* spent in our callbacks: not the dataplane's */
		uint64_t tx_seen[BW_SIDES];	/* IP frames the worker transmitted, per port */
		uint64_t tx_other;	/* its own ARP/ND announcements and requests */
		uint64_t tx_bad;	/* transmitted frames that failed a check */
		char why[160];		/* the first failure */
	} __attribute__((aligned(64))) ws[BW_QUEUES];
};

/** 2001:db8:NET::HOST into @a (16 bytes). */
void bw_addr6(uint8_t *a, unsigned int net, uint32_t host);

/** Install the RX and TX callbacks on every worker's queue of both ports.
 *  0 or -errno. */
int bw_hooks_install(struct bw_run *r);

/* The timed phases of one flow count. */
enum {
	BW_PH_SYN, BW_PH_IN, BW_PH_OUT, BW_PH_BOTH,
	BW_PH_FWD,		/* plain IPv4 forwarding (fnat4 runs) */
	BW_PH_OUT_LOCAL,	/* two workers: RS->client on the owner's queue */
	BW_PH_OUT_HANDOFF,	/* two workers: RS->client on the other worker's queue */
	BW_PH_RSS,		/* both ways, each flow on its owner's queue (1 or 2 workers) */
	BW_PH_MAX
};

struct bw_phase_res {
	uint64_t packets;
	uint64_t cycles;		/* worker TSC cycles, our callbacks taken out */
	uint64_t elapsed, on_cpu;	/* TSC cycles of the window, of it on the CPU */
	uint64_t handoffs;		/* packets that crossed to another worker */
	uint64_t max_cycles;		/* busy-timed: the busiest worker's cycles */
};

/* What a flow count's process reports to the parent. */
struct bw_result {
	enum bw_mode mode;
	unsigned int workers;
	int huge;			/* EAL ran on 2 MiB hugepages */
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
/** The same on queue (worker) @q, timed by the workers' busy cycles (all
 *  of them: a hand-off costs on both sides). */
int bw_phase_q(struct bw_run *r, const char *name, unsigned int q, enum bw_kind ck,
	       uint64_t cn, enum bw_kind rk, uint64_t rn, int tx_mode,
	       struct bw_phase_res *out);
/** Both sides' frames spread over every worker's queue as RSS would: flow
 *  i on queue i % workers, whose worker owns its connection and local port
 *  (no hand-off: one aborts the phase).  Timed by the workers' busy cycles. */
int bw_phase_rss(struct bw_run *r, const char *name, enum bw_kind ck, uint64_t cn,
		 enum bw_kind rk, uint64_t rn, int tx_mode, struct bw_phase_res *out);
/** Print the table of figures; with @kv, also "key value" lines into it. */
void bw_report(const struct bw_result *res, unsigned int n, FILE *kv);

#endif /* BENCH_WORKER_H */
