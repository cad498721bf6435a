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

static void phase_arm(struct bw_run *r, enum bw_kind ck, uint64_t cn, enum bw_kind rk,
		      uint64_t rn, int tx_mode)
{
	static uint64_t seed = 0x9e3779b97f4a7c15ull;

	memset(r->gen, 0, sizeof(r->gen));
	r->gen[BW_SIDE_CLIENT].kind = ck;
	r->gen[BW_SIDE_CLIENT].todo = cn;
	r->gen[BW_SIDE_CLIENT].rng = seed += 0x632be59bd9b4e019ull;
	r->gen[BW_SIDE_RS].kind = rk;
	r->gen[BW_SIDE_RS].todo = rn;
	r->gen[BW_SIDE_RS].rng = seed += 0x632be59bd9b4e019ull;
	r->tx_mode = tx_mode;
	r->started = 0;
	r->t_start = r->t_end = 0;
	r->aux_cycles = r->rx_frames = r->no_mbuf = r->tx_bad = r->tx_other = 0;
	r->tx_seen[BW_SIDE_CLIENT] = r->tx_seen[BW_SIDE_RS] = 0;
	r->why[0] = '\0';
	__atomic_store_n(&r->done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->active, 1, __ATOMIC_RELEASE);
}

static int phase_wait(struct bw_run *r)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	uint64_t deadline = mono_s() + PHASE_TIMEOUT_S;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		nanosleep(&ts, NULL);
		nlvs_dp_tick();
		if (mono_s() > deadline) {
			__atomic_store_n(&r->active, 0, __ATOMIC_RELEASE);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

int bw_phase(struct bw_run *r, const char *name, enum bw_kind ck, uint64_t cn,
	     enum bw_kind rk, uint64_t rn, int tx_mode, struct bw_phase_res *out)
{
	const struct nlvs_worker *w = nlvs_dp.workers[0];
	uint64_t frames = cn + rn, want_tx, tx, seen, drops = 0;
	struct nlvs_worker_stats s0, s1;
	unsigned int i;
	int rc;

	memcpy(&s0, (const void *)&w->st, sizeof(s0));
	phase_arm(r, ck, cn, rk, rn, tx_mode);
	rc = phase_wait(r);
	if (rc < 0) {
		fprintf(stderr, "bench_worker: %s: the worker did not finish in %d s\n", name,
			PHASE_TIMEOUT_S);
		return rc;
	}
	memcpy(&s1, (const void *)&w->st, sizeof(s1));
	for (i = 0; i < NLVS_DROP_MAX; i++)
		drops += s1.drops[i] - s0.drops[i];
	tx = s1.tx - s0.tx;
	seen = r->tx_seen[BW_SIDE_CLIENT] + r->tx_seen[BW_SIDE_RS];
	printf("  %-23s in %8" PRIu64 "  rx %8" PRIu64 "  tx %8" PRIu64 " (client %" PRIu64
	       ", rs %" PRIu64 ", ARP %" PRIu64 ")\n", name, frames, s1.rx - s0.rx, tx,
	       r->tx_seen[BW_SIDE_CLIENT], r->tx_seen[BW_SIDE_RS], r->tx_other);
	printf("  %-23s dropped %" PRIu64 "; benchmark callbacks %.0f TSC cycles/frame"
	       " (taken out)\n", "", drops,
	       frames ? (double)r->aux_cycles / (double)frames : 0.0);
	for (i = 0; i < NLVS_DROP_MAX; i++)
		if (s1.drops[i] != s0.drops[i])
			printf("    drop %-28s %" PRIu64 "\n", nlvs_drop_name(i),
			       s1.drops[i] - s0.drops[i]);
	if (r->no_mbuf)
		printf("    RX bursts retried for want of mbufs: %" PRIu64 "\n", r->no_mbuf);
	/* ARP replies are learnt and consumed; everything else is forwarded */
	want_tx = ck == BW_ARP || rk == BW_ARP ? 0 : frames;
	rc = 0;
	if (s1.rx - s0.rx != frames || r->rx_frames != frames) {
		fprintf(stderr, "bench_worker: %s: %" PRIu64 " frames sent, the worker received %"
			PRIu64 "\n", name, frames, s1.rx - s0.rx);
		rc = -EPROTO;
	}
	if (drops || seen != want_tx || tx != seen + r->tx_other) {
		fprintf(stderr, "bench_worker: %s: %" PRIu64 " frames should have been forwarded, "
			"%" PRIu64 " were (%" PRIu64 " reached the ports), %" PRIu64 " dropped: "
			"the path is broken, no figures\n", name, want_tx, tx, seen, drops);
		rc = -EPROTO;
	}
	if (r->tx_bad) {
		fprintf(stderr, "bench_worker: %s: %" PRIu64 " output frames wrong, first: %s\n",
			name, r->tx_bad, r->why);
		rc = -EPROTO;
	}
	if (rc == 0 && out) {
		/* On a shared machine the worker thread is preempted now and
		 * then: count the cycles it was on the CPU, not the wall
		 * clock's.  Preemption falls on our callbacks as often as on
		 * the dataplane, so the dataplane's share of the on-CPU time
		 * is its share of the window. */
		double share;

		out->packets = frames;
		out->elapsed = r->t_end - r->t_start;
		out->on_cpu = (uint64_t)((double)(r->cpu_end - r->cpu_start) *
					 (double)nlvs_dp.hz / 1e9);
		if (out->on_cpu > out->elapsed)
			out->on_cpu = out->elapsed;
		share = out->elapsed > r->aux_cycles ?
			(double)(out->elapsed - r->aux_cycles) / (double)out->elapsed : 0;
		out->cycles = (uint64_t)((double)out->on_cpu * share);
	}
	return rc;
}

static void row(const struct bw_result *res, const char *what, const struct bw_phase_res *p,
		int conns)
{
	double cpp = (double)p->cycles / (double)p->packets;
	double mpps = (double)res->hz / cpp / 1e6;

	printf("%9u  %-24s %10" PRIu64 " %8.2f %11.0f %6.0f%%", res->flows, what, p->packets,
	       mpps, cpp, 100.0 * (double)p->on_cpu / (double)p->elapsed);
	if (conns)
		printf("   %.2f M conn/s", mpps);
	printf("\n");
}

void bw_report(const struct bw_result *res, unsigned int n)
{
	unsigned int i;

	if (!n)
		return;
	printf("\nOne worker (lcore %u), TSC %.3f GHz.  Cycles: TSC cycles the worker thread was on"
	       " the CPU\nfrom the first RX burst of a phase to the end of the loop turn after"
	       " its last, less the\ntime in the benchmark's own callbacks (writing frames,"
	       " checking output); Mpps = TSC Hz /\ncycles per packet.  \"on CPU\": share of"
	       " that window the thread ran (others preempt it\non a busy machine).\n\n",
	       res[0].lcore, (double)res[0].hz / 1e9);
	printf("%9s  %-24s %10s %8s %11s %7s\n", "flows", "traffic", "packets", "Mpps",
	       "cycles/pkt", "on CPU");
	for (i = 0; i < n; i++) {
		row(&res[i], "new conns (SYN)", &res[i].ph[BW_PH_SYN], 1);
		row(&res[i], "established client->RS", &res[i].ph[BW_PH_IN], 0);
		row(&res[i], "established RS->client", &res[i].ph[BW_PH_OUT], 0);
		row(&res[i], "established both ways", &res[i].ph[BW_PH_BOTH], 0);
	}
	printf("\nmemory per connection (struct nlvs_conn is %zu bytes):\n",
	       sizeof(struct nlvs_conn));
	for (i = 0; i < n; i++)
		printf("%9u  connection table %.0f B/conn (%.1f MiB); all heap the dataplane took"
		       " at start\n           (table, local-port pools, ...) %.0f B/conn\n",
		       res[i].cap, (double)res[i].table / res[i].cap,
		       (double)res[i].table / (1 << 20), (double)res[i].heap / res[i].cap);
}
