// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_worker's phases, as seen from the control thread: hand the worker
 * a phase, keep ticking the dataplane the way nlvsd's control loop does
 * while it runs, then compare the worker's own counters with what was sent
 * and print them.  And the final table of figures.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_worker.h"
#include "net/nlvs_net.h"
#include "conn/nlvs_conn.h"
#include "daemon/nlvs_dp.h"

#define PHASE_TIMEOUT_S	120

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Arm a phase on the queues of @qmask: with k of them, the j-th sends
 * flows j, j + k, ... (all flows when k is 1) and its share of the frames. */
static void phase_arm(struct bw_run *r, unsigned int qmask, enum bw_kind ck, uint64_t cn,
		      enum bw_kind rk, uint64_t rn, int tx_mode)
{
	static uint64_t seed = 0x9e3779b97f4a7c15ull, phase;
	const enum bw_kind kind[BW_SIDES] = { ck, rk };
	const uint64_t todo[BW_SIDES] = { cn, rn };
	unsigned int k = (unsigned int)__builtin_popcount(qmask), j = 0, q, s;

	for (q = 0; q < BW_QUEUES; q++) {
		struct bw_wstat *ws = &r->ws[q];

		/* all but "finished": a callback still looking at the last
		 * phase must keep finding its queue finished */
		memset(&ws->gen, 0, sizeof(*ws) - offsetof(struct bw_wstat, gen));
		if (!(qmask & (1u << q)))
			continue;
		for (s = 0; s < BW_SIDES; s++) {
			struct bw_gen *g = &ws->gen[s];

			g->kind = kind[s];
			g->todo = todo[s] / k + (j < todo[s] % k);
			g->off = j;
			g->stride = k;
			g->count = (r->flows - j + k - 1) / k;
			g->rng = seed += 0x632be59bd9b4e019ull;
		}
		/* alone on another worker than 0, the owner of every flow */
		ws->pace = k == 1 && q ? nlvs_dp.workers[q]->handoff_out[0] : NULL;
		j++;
	}
	r->tx_mode = tx_mode;
	__atomic_store_n(&r->done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->active, ++phase << 8 | qmask, __ATOMIC_RELEASE);
}

/* The workers' counters summed. */
static void stats_sum(const struct bw_run *r, struct nlvs_worker_stats *s)
{
	unsigned int q, i;

	memset(s, 0, sizeof(*s));
	for (q = 0; q < r->nq; q++) {
		const struct nlvs_worker_stats *w =
			(const struct nlvs_worker_stats *)(const void *)&nlvs_dp.workers[q]->st;

		s->rx += w->rx;
		s->tx += w->tx;
		s->handoff_in += w->handoff_in;
		s->handoff_out += w->handoff_out;
		s->busy_tsc += w->busy_tsc;
		for (i = 0; i < NLVS_DROP_MAX; i++)
			s->drops[i] += w->drops[i];
	}
}

static uint64_t drops_of(const struct nlvs_worker_stats *s)
{
	uint64_t d = 0;
	unsigned int i;

	for (i = 0; i < NLVS_DROP_MAX; i++)
		d += s->drops[i];
	return d;
}

/* Until the phase's @nq queues are done and, with hand-offs, the other
 * workers have sent what they were handed. */
static int phase_wait(struct bw_run *r, unsigned int nq, const struct nlvs_worker_stats *s0,
		      uint64_t want_tx)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	uint64_t deadline = mono_s() + PHASE_TIMEOUT_S;
	struct nlvs_worker_stats s;

	while (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) < nq) {
		nanosleep(&ts, NULL);
		nlvs_dp_tick();
		if (mono_s() > deadline) {
			__atomic_store_n(&r->active, 0, __ATOMIC_RELEASE);
			return -ETIMEDOUT;
		}
	}
	__atomic_store_n(&r->active, 0, __ATOMIC_RELEASE);
	for (;;) {
		stats_sum(r, &s);
		if (s.tx - s0->tx + drops_of(&s) - drops_of(s0) >= want_tx || mono_s() > deadline)
			return 0;
		nanosleep(&ts, NULL);
	}
}

/* How phase_run() times a phase and what it refuses. */
enum {
	PH_BY_BUSY = 1,		/* the workers' busy loop turns, not the window */
	PH_RSS = 2,		/* every queue, each frame on its owner's: a hand-off fails */
};

static uint64_t busy_of(unsigned int q)
{
	return ((const struct nlvs_worker_stats *)(const void *)&nlvs_dp.workers[q]->st)->busy_tsc;
}

/* On a shared machine a worker thread is preempted now and then: count
 * the cycles it was on the CPU in its queue's window, not the wall
 * clock's.  Preemption falls on our callbacks as often as on the
 * dataplane, so the dataplane's share of the on-CPU time is its share of
 * the window.  Adds to @out's elapsed and on-CPU cycles, returns the
 * dataplane's. */
static uint64_t on_cpu_cycles(const struct bw_wstat *ws, struct bw_phase_res *out)
{
	uint64_t elapsed = ws->t_end - ws->t_start;
	uint64_t on_cpu = (uint64_t)((double)(ws->cpu_end - ws->cpu_start) *
				     (double)nlvs_dp.hz / 1e9);
	double share;

	if (on_cpu > elapsed)
		on_cpu = elapsed;
	out->elapsed += elapsed;
	out->on_cpu += on_cpu;
	share = elapsed > ws->aux_cycles ? (double)(elapsed - ws->aux_cycles) / (double)elapsed : 0;
	return (uint64_t)((double)on_cpu * share);
}

/* A phase's figures: the cycles its queues' workers were on the CPU for
 * it, or every worker's busy turns (@wcyc, callbacks out: a handed packet
 * costs on both workers).  RSS also keeps the busiest worker's busy
 * turns: the run lasted as long as those. */
static void phase_result(const struct bw_run *r, unsigned int qmask, int how, uint64_t frames,
			 uint64_t handoffs, const uint64_t *wcyc, struct bw_phase_res *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->packets = frames;
	out->handoffs = handoffs;
	for (i = 0; i < r->nq; i++) {
		if (how & PH_BY_BUSY)
			out->cycles += wcyc[i];
		else if (qmask & (1u << i))
			out->cycles += on_cpu_cycles(&r->ws[i], out);
		if ((how & PH_RSS) && wcyc[i] > out->max_cycles)
			out->max_cycles = wcyc[i];
	}
}

static int phase_run(struct bw_run *r, const char *name, unsigned int qmask, enum bw_kind ck,
		     uint64_t cn, enum bw_kind rk, uint64_t rn, int tx_mode,
		     struct bw_phase_res *out, int how)
{
	uint64_t frames = cn + rn, want_tx, tx, seen = 0, other = 0, bad = 0, aux = 0, drops;
	uint64_t rx_frames = 0, no_mbuf = 0, handoffs, busy[BW_QUEUES], wcyc[BW_QUEUES];
	unsigned int i;
	struct nlvs_worker_stats s0, s1;
	const struct bw_wstat *ws;
	const char *why = "";
	int rc;

	/* ARP replies and NAs are learnt and consumed; everything else is forwarded */
	want_tx = ck == BW_ARP || rk == BW_ARP ? 0 : frames;
	stats_sum(r, &s0);
	for (i = 0; i < r->nq; i++)
		busy[i] = busy_of(i);
	phase_arm(r, qmask, ck, cn, rk, rn, tx_mode);
	rc = phase_wait(r, (unsigned int)__builtin_popcount(qmask), &s0, want_tx);
	if (rc < 0) {
		fprintf(stderr, "bench_worker: %s: the worker did not finish in %d s\n", name,
			PHASE_TIMEOUT_S);
		return rc;
	}
	stats_sum(r, &s1);
	for (i = 0; i < r->nq; i++) {
		ws = &r->ws[i];
		seen += ws->tx_seen[BW_SIDE_CLIENT] + ws->tx_seen[BW_SIDE_RS];
		other += ws->tx_other;
		aux += ws->aux_cycles;
		rx_frames += ws->rx_frames;
		no_mbuf += ws->no_mbuf;
		if (ws->tx_bad && !bad)
			why = ws->why;
		bad += ws->tx_bad;
		/* each worker's busy turns, less our callbacks in them */
		busy[i] = busy_of(i) - busy[i];
		wcyc[i] = busy[i] > ws->aux_cycles ? busy[i] - ws->aux_cycles : 0;
	}
	drops = drops_of(&s1) - drops_of(&s0);
	tx = s1.tx - s0.tx;
	handoffs = s1.handoff_out - s0.handoff_out;
	printf("  %-23s in %8" PRIu64 "  rx %8" PRIu64 "  tx %8" PRIu64 " (IP %" PRIu64
	       ", ARP/ND %" PRIu64 ", handed over %" PRIu64 ")\n", name, frames, s1.rx - s0.rx,
	       tx, seen, other, handoffs);
	printf("  %-23s dropped %" PRIu64 "; benchmark callbacks %.0f TSC cycles/frame"
	       " (taken out)\n", "", drops, frames ? (double)aux / (double)frames : 0.0);
	for (i = 0; (how & PH_RSS) && i < r->nq; i++) {
		struct bw_phase_res w = { 0 };
		double pk = (double)r->ws[i].rx_frames;
		uint64_t c = on_cpu_cycles(&r->ws[i], &w);

		printf("  %-23s worker %u: %.0f frames, %.0f cycles/frame on the CPU (%.0f%% of"
		       " its window), %.0f busy\n", "", i, pk, pk ? (double)c / pk : 0.0,
		       w.elapsed ? 100.0 * (double)w.on_cpu / (double)w.elapsed : 0.0,
		       pk ? (double)wcyc[i] / pk : 0.0);
	}
	for (i = 0; i < NLVS_DROP_MAX; i++)
		if (s1.drops[i] != s0.drops[i])
			printf("    drop %-28s %" PRIu64 "\n", nlvs_drop_name(i),
			       s1.drops[i] - s0.drops[i]);
	if (no_mbuf)
		printf("    RX bursts retried for want of mbufs: %" PRIu64 "\n", no_mbuf);
	rc = 0;
	if (s1.rx - s0.rx != frames || rx_frames != frames) {
		fprintf(stderr, "bench_worker: %s: %" PRIu64 " frames sent, the worker received %"
			PRIu64 "\n", name, frames, s1.rx - s0.rx);
		rc = -EPROTO;
	}
	/* the dataplane's own ARP/ND (announcements of egress addresses, say)
	 * may be counted in one phase and reach the port in the next */
	if (drops || seen != want_tx || tx < seen) {
		fprintf(stderr, "bench_worker: %s: %" PRIu64 " frames should have been forwarded, "
			"%" PRIu64 " were (%" PRIu64 " reached the ports), %" PRIu64 " dropped: "
			"the path is broken, no figures\n", name, want_tx, tx, seen, drops);
		rc = -EPROTO;
	}
	if (bad) {
		fprintf(stderr, "bench_worker: %s: %" PRIu64 " output frames wrong, first: %s\n",
			name, bad, why);
		rc = -EPROTO;
	}
	if ((how & PH_RSS) && handoffs) {
		fprintf(stderr, "bench_worker: %s: %" PRIu64 " frames reached a worker that does not"
			" own their flow\n", name, handoffs);
		rc = -EPROTO;
	}
	if (rc == 0 && out)
		phase_result(r, qmask, how, frames, handoffs, wcyc, out);
	return rc;
}

int bw_phase(struct bw_run *r, const char *name, enum bw_kind ck, uint64_t cn,
	     enum bw_kind rk, uint64_t rn, int tx_mode, struct bw_phase_res *out)
{
	return phase_run(r, name, 1, ck, cn, rk, rn, tx_mode, out, 0);
}

int bw_phase_q(struct bw_run *r, const char *name, unsigned int q, enum bw_kind ck,
	       uint64_t cn, enum bw_kind rk, uint64_t rn, int tx_mode,
	       struct bw_phase_res *out)
{
	return phase_run(r, name, 1u << q, ck, cn, rk, rn, tx_mode, out, PH_BY_BUSY);
}

int bw_phase_rss(struct bw_run *r, const char *name, enum bw_kind ck, uint64_t cn,
		 enum bw_kind rk, uint64_t rn, int tx_mode, struct bw_phase_res *out)
{
	return phase_run(r, name, (1u << r->nq) - 1, ck, cn, rk, rn, tx_mode, out, PH_RSS);
}

static const char *const mode_name[] = { "fnat4", "fnat6", "snat4" };
static const char *const phase_key[BW_PH_MAX] = {
	"new", "est_in", "est_out", "est", "l3fwd", "est_out_2w", "handoff", "est_rss",
};
static const char *const phase_name[BW_PH_MAX] = {
	"new conns (SYN)", "established client->RS", "established RS->client",
	"established both ways", "plain IPv4 forwarding", "RS->client, 2 workers",
	"same, handed over", "est. both ways, RSS",
};

static double cpp_of(const struct bw_phase_res *p)
{
	return p->packets ? (double)p->cycles / (double)p->packets : 0;
}

/* Mpps: TSC Hz / cycles per packet; over several workers at once, the
 * packets / the busiest worker's busy time (callbacks out). */
static double mpps_of(const struct bw_result *res, const struct bw_phase_res *p)
{
	double cpp = cpp_of(p);

	if (p->max_cycles)
		return (double)p->packets * (double)res->hz / (double)p->max_cycles / 1e6;
	return cpp > 0 ? (double)res->hz / cpp / 1e6 : 0;
}

static void row(const struct bw_result *res, unsigned int ph)
{
	const struct bw_phase_res *p = &res->ph[ph];
	double cpp = cpp_of(p);
	double mpps = mpps_of(res, p);
	char what[48];

	snprintf(what, sizeof(what), "%s %s", mode_name[res->mode], phase_name[ph]);
	printf("%9u  %-36s %10" PRIu64 " %8.2f %11.0f", res->flows, what, p->packets, mpps, cpp);
	if (ph == BW_PH_OUT_LOCAL || ph == BW_PH_OUT_HANDOFF)
		printf("    busy (%u workers)", res->workers);
	else
		printf(" %6.0f%%", 100.0 * (double)p->on_cpu / (double)p->elapsed);
	if (ph == BW_PH_RSS)
		printf("   %u worker%s", res->workers, res->workers > 1 ? "s" : "");
	if (ph == BW_PH_SYN)
		printf("   %.2f M conn/s", mpps);
	printf("\n");
}

void bw_report(const struct bw_result *res, unsigned int n, FILE *kv)
{
	unsigned int i, ph;

	if (!n)
		return;
	printf("\nTSC %.3f GHz; EAL memory: %s.  Cycles: TSC cycles the worker thread was on"
	       " the CPU\nfrom the first RX burst of a phase to the end of the loop turn after"
	       " its last, less the\ntime in the benchmark's own callbacks (writing frames,"
	       " checking output); Mpps = TSC Hz /\ncycles per packet.  \"on CPU\": share of"
	       " that window the thread ran (others preempt it\non a busy machine).  Two-worker"
	       " rows: the workers' busy loop turns (nlvs_worker_stats.busy_tsc)\nsummed, less"
	       " the callbacks, per packet.\n\"RSS\" rows (1 and 2 workers): flow i's frames,"
	       " both ways, on worker i %% N's queues,\nwhich owns its connection and local port."
	       "  Cycles as in the one-worker rows, each\nworker's on-CPU cycles in its own"
	       " window, summed, per packet (\"on CPU\": all windows).\nMpps = packets x TSC"
	       " Hz / the busiest worker's busy loop turns less callbacks: the\nrate the run"
	       " had, time preempted included.  With 2 workers on this machine's %ld CPUs,\n"
	       "the workers share them with the control thread, the generator's callbacks"
	       " (taken out\nof the figures, not of the CPUs) and the OS: the 2-worker figures"
	       " are what this\nmachine gives, not a scaling law.\n\n", (double)res[0].hz / 1e9,
	       res[0].huge ? "2 MiB hugepages" : "4 KiB pages (no hugepages reserved)",
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("%9s  %-36s %10s %8s %11s %7s\n", "flows", "traffic", "packets", "Mpps",
	       "cycles/pkt", "on CPU");
	for (i = 0; i < n; i++)
		for (ph = 0; ph < BW_PH_MAX; ph++)
			if (res[i].ph[ph].packets)
				row(&res[i], ph);
	printf("\nmemory per connection (struct nlvs_conn is %zu bytes):\n",
	       sizeof(struct nlvs_conn));
	for (i = 0; i < n; i++)
		printf("%9u  %s: connection table %.0f B/conn (%.1f MiB); with all heap the"
		       " dataplane took\n           at start (local-port pools, ...) %.0f B/conn\n",
		       res[i].cap, mode_name[res[i].mode], (double)res[i].table / res[i].cap,
		       (double)res[i].table / (1 << 20),
		       (double)res[i].heap / res[i].cap);
	if (!kv)
		return;
	fprintf(kv, "tsc_hz %" PRIu64 "\nhugepages %d\nconn_struct_bytes %zu\n", res[0].hz,
		res[0].huge, sizeof(struct nlvs_conn));
	for (i = 0; i < n; i++) {
		for (ph = 0; ph < BW_PH_MAX; ph++)
			if (res[i].ph[ph].packets)
				fprintf(kv, "run %s %u %u %s %.1f\n", mode_name[res[i].mode],
					res[i].flows, res[i].workers, phase_key[ph],
					cpp_of(&res[i].ph[ph]));
		if (res[i].ph[BW_PH_RSS].packets)
			fprintf(kv, "run %s %u %u %s_mpps %.2f\n", mode_name[res[i].mode],
				res[i].flows, res[i].workers, phase_key[BW_PH_RSS],
				mpps_of(&res[i], &res[i].ph[BW_PH_RSS]));
		fprintf(kv, "mem %s %u %.1f %.1f\n", mode_name[res[i].mode], res[i].cap,
			(double)res[i].table / res[i].cap,
			(double)res[i].heap / res[i].cap);
	}
}
