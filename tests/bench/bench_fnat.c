// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FULLNAT packet-core benchmark, in memory, one worker: N established TCP
 * flows in one connection table, bursts of 32 packets (half from clients,
 * half from real servers, random flows) through parse, bulk lookup, state
 * update, expiry refresh and rewrite.  Prints Mpps, cycles per packet,
 * connection setup rate and memory per connection.  No assertions: the
 * figures depend on the machine.
 *
 * usage: bench_fnat [FLOWS...]	(default 65536 4194304)
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#endif

#include "conn/nlvs_conn.h"
#include "net/nlvs_csum.h"
#include "lb/nlvs_laddr.h"
#include "net/nlvs_pkt.h"

#define BURST		32
#define PKT_LEN		64	/* L3 bytes: 20 IP + 20 TCP + 24 payload */
#define NPKTS		(1u << 20)
#define NLADDR		80	/* 80 * 64512 ports > 4 M flows */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cycles(void)
{
#ifdef HAVE_TSC
	return __rdtsc();
#else
	return 0;
#endif
}

static uint64_t rng = 88172645463325252ull;
static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* flow i: client 100.64.0.0/10 + i : 1024 + (i & 0x7fff) -> VIP 192.0.2.10:80 */
static void flow_client(uint32_t i, struct nlvs_conn_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->af = AF_INET;
	t->proto = IPPROTO_TCP;
	t->saddr.ip = htonl(0x64400000u + i);
	t->daddr.ip = htonl(0xc000020au);
	t->sport = htons((uint16_t)(1024 + (i & 0x7fff)));
	t->dport = htons(80);
}

static void build_pkt(uint8_t *b, const struct nlvs_conn_tuple *t)
{
	uint16_t c;

	memset(b, 0, PKT_LEN);
	b[0] = 0x45;
	b[2] = 0;
	b[3] = PKT_LEN;
	b[6] = 0x40;
	b[8] = 64;
	b[9] = IPPROTO_TCP;
	memcpy(b + 12, &t->saddr.ip, 4);
	memcpy(b + 16, &t->daddr.ip, 4);
	c = nlvs_csum(b, 20);
	memcpy(b + 10, &c, 2);
	memcpy(b + 20, &t->sport, 2);
	memcpy(b + 22, &t->dport, 2);
	b[32] = 5 << 4;
	b[33] = NLVS_TCP_ACK;
	c = nlvs_csum_l4_v4(b + 12, b + 16, IPPROTO_TCP, b + 20, PKT_LEN - 20);
	memcpy(b + 36, &c, 2);
}

static int run(uint32_t flows)
{
	struct nlvs_conn_timeouts to;
	struct nlvs_laddr_ports *lp;
	struct nlvs_conn_tab *tab;
	union nlvs_addr laddrs[NLADDR];
	uint8_t *pkts, burst[BURST][PKT_LEN];
	uint64_t t0, t1, c0, c1, now_ms = 1000, npk = 0, drops = 0;
	uint32_t i, rs_n = 16;
	unsigned int reason;
	double secs;

	nlvs_conn_timeouts_default(&to);
	for (i = 0; i < NLADDR; i++) {
		memset(&laddrs[i], 0, sizeof(laddrs[i]));
		laddrs[i].ip = htonl(0x0a000064u + i);
	}
	lp = nlvs_laddr_ports_create(AF_INET, laddrs, NLADDR, 0, 1, 1024, 65535);
	tab = nlvs_conn_tab_create(flows, nlvs_conn_ipv6_default(flows), now_ms);
	pkts = malloc((size_t)NPKTS * PKT_LEN);
	if (!lp || !tab || !pkts) {
		fprintf(stderr, "bench_fnat: no memory for %u flows\n", flows);
		return 1;
	}

	/* connection setup: laddr port + insert under two tuples (no scheduling) */
	t0 = now_ns();
	c0 = cycles();
	for (i = 0; i < flows; i++) {
		struct nlvs_conn_tuple a, b;
		struct nlvs_conn *c;
		uint16_t lport;

		flow_client(i, &a);
		memset(&b, 0, sizeof(b));
		b.af = AF_INET;
		b.proto = IPPROTO_TCP;
		b.saddr.ip = htonl(0x0a000100u + i % rs_n);
		b.sport = htons(8080);
		if (nlvs_laddr_port_alloc(lp, &b.daddr, &lport))
			break;
		b.dport = lport;
		c = nlvs_conn_new(tab, &a, &b, NLVS_CONN_F_INACTIVE, 60000, now_ms, &reason);
		if (!c)
			break;
		c->state = NLVS_TCP_S_ESTABLISHED;
		c->flags &= ~NLVS_CONN_F_INACTIVE;
		c->timeout = to.tcp[NLVS_TCP_S_ESTABLISHED] * 1000u;
	}
	c1 = cycles();
	t1 = now_ns();
	if (i != flows) {
		fprintf(stderr, "bench_fnat: setup stopped at %u flows\n", i);
		return 1;
	}
	secs = (double)(t1 - t0) / 1e9;
	printf("flows %u: setup %.2f M conn/s (%.0f cycles/conn), memory %.0f bytes/conn\n",
	       flows, flows / secs / 1e6, (double)(c1 - c0) / flows,
	       (double)nlvs_conn_tab_memsize(flows, nlvs_conn_ipv6_default(flows)) / flows);

	/* traffic: random flows, half each way */
	for (i = 0; i < NPKTS; i++) {
		uint32_t f = (uint32_t)(xorshift() % flows);
		struct nlvs_conn_tuple k;

		flow_client(f, &k);
		if (i & 1) {
			unsigned int side;
			struct nlvs_conn *c = nlvs_conn_lookup(tab, &k, &side);

			nlvs_conn_tuple(c, NLVS_CONN_SIDE_RS, &k);
		}
		build_pkt(pkts + (size_t)i * PKT_LEN, &k);
	}

	t0 = now_ns();
	c0 = cycles();
	for (unsigned int round = 0; round < 8; round++) {
		for (i = 0; i < NPKTS; i += BURST) {
			struct nlvs_conn_tuple keys[BURST];
			struct nlvs_conn *conns[BURST];
			struct nlvs_pkt p[BURST];
			uint8_t sides[BURST];
			unsigned int j;

			/* what RX would have DMA'd into the mbufs */
			memcpy(burst, pkts + (size_t)i * PKT_LEN, sizeof(burst));
			for (j = 0; j < BURST; j++) {
				if (nlvs_pkt_parse(burst[j], PKT_LEN, AF_INET, &p[j]))
					drops++;
				nlvs_conn_tuple_from_pkt(&keys[j], &p[j]);
			}
			nlvs_conn_lookup_bulk(tab, keys, BURST, conns, sides);
			for (j = 0; j < BURST; j++) {
				struct nlvs_pkt_rewrite rw;
				struct nlvs_conn *c = conns[j];

				if (!c) {
					drops++;
					continue;
				}
				nlvs_conn_state_update(c, sides[j], p[j].tcp_flags, &to);
				nlvs_conn_refresh(tab, c, now_ms);
				nlvs_conn_rewrite(c, sides[j], &rw);
				if (nlvs_fnat_rewrite(burst[j], &p[j], &rw))
					drops++;
			}
			npk += BURST;
		}
		now_ms += 1;
	}
	c1 = cycles();
	t1 = now_ns();
	secs = (double)(t1 - t0) / 1e9;
	printf("flows %u: %.2f Mpps, %.0f ns/pkt", flows, npk / secs / 1e6, secs * 1e9 / npk);
#ifdef HAVE_TSC
	printf(", %.0f cycles/pkt (TSC)", (double)(c1 - c0) / npk);
#endif
	printf(", %lu packets, %lu drops\n", (unsigned long)npk, (unsigned long)drops);

	nlvs_conn_tab_destroy(tab);
	nlvs_laddr_ports_destroy(lp);
	free(pkts);
	return drops ? 1 : 0;
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bench_fnat: one worker, bursts of %d, IPv4 TCP, packet core only "
	       "(no NIC, no TX)\n", BURST);
	if (argc < 2) {
		rc |= run(65536);
		rc |= run(4194304);
	}
	for (i = 1; i < argc; i++)
		rc |= run((uint32_t)strtoul(argv[i], NULL, 0));
	return rc;
}
