// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus text exposition of nlvsd, written on the control thread
 * (metrics.c asks for it through ctl_call.h).  IPVS figures come from the
 * control API, as ipvsadm and /proc/net/ip_vs* read them, under the names
 * and labels of node_exporter's ipvs collector, so that the dashboards built
 * on it work unchanged; what only nlvs has is under nlvs_*.  Dataplane
 * figures are those of `nlvsctl stats` and `nlvsctl laddrs`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ctl/nlvs_ctl.h"
#include "net/nlvs_net.h"
#include "net/nlvs_drop.h"
#include "lb/nlvs_lb.h"
#include "metrics.h"

/* The labels of one service (node_exporter: local_address, local_port,
 * proto, local_mark) and of one of its dests (remote_address, remote_port
 * too), as its collector derives them from /proc/net/ip_vs. */
struct svc_labels {
	char laddr[INET6_ADDRSTRLEN], mark[16], proto[16];
	unsigned int lport;
};

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static void svc_labels_get(const struct nlvs_svc_key *k, struct svc_labels *l)
{
	char pbuf[16];

	memset(l, 0, sizeof(*l));
	if (k->fwmark) {
		/* /proc/net/ip_vs prints "FWM  %08X": no address, port 0 */
		snprintf(l->mark, sizeof(l->mark), "%08X", k->fwmark);
		snprintf(l->proto, sizeof(l->proto), "FWM");
		return;
	}
	nlvs_addr_str(k->af, &k->addr, l->laddr, sizeof(l->laddr));
	l->lport = ntohs(k->port);
	snprintf(l->proto, sizeof(l->proto), "%s",
		 nlvs_proto_name(k->protocol, pbuf, sizeof(pbuf)));
}

static void svc_labels_write(FILE *f, const struct svc_labels *l)
{
	fprintf(f, "local_address=\"%s\",local_port=\"%u\",proto=\"%s\",local_mark=\"%s\"",
		l->laddr, l->lport, l->proto, l->mark);
}

static void dest_labels_write(FILE *f, const struct svc_labels *l, const struct nlvs_dest_info *d)
{
	char ra[INET6_ADDRSTRLEN];

	fprintf(f, "local_address=\"%s\",local_port=\"%u\",remote_address=\"%s\","
		"remote_port=\"%u\",proto=\"%s\",local_mark=\"%s\"", l->laddr, l->lport,
		nlvs_addr_str(d->conf.af, &d->conf.addr, ra, sizeof(ra)), ntohs(d->conf.port),
		l->proto, l->mark);
}

enum stat_field { ST_CONNS, ST_INPKTS, ST_OUTPKTS, ST_INBYTES, ST_OUTBYTES, ST_MAX };

static const struct {
	const char *name, *help;
} stat_fields[ST_MAX] = {
	[ST_CONNS] = { "connections_total", "The total number of connections made." },
	[ST_INPKTS] = { "incoming_packets_total", "The total number of incoming packets." },
	[ST_OUTPKTS] = { "outgoing_packets_total", "The total number of outgoing packets." },
	[ST_INBYTES] = { "incoming_bytes_total", "The total amount of incoming data." },
	[ST_OUTBYTES] = { "outgoing_bytes_total", "The total amount of outgoing data." },
};

static uint64_t stat_get(const struct nlvs_stats *s, enum stat_field i)
{
	switch (i) {
	case ST_CONNS:
		return s->conns;
	case ST_INPKTS:
		return s->inpkts;
	case ST_OUTPKTS:
		return s->outpkts;
	case ST_INBYTES:
		return s->inbytes;
	default:
		return s->outbytes;
	}
}

/* node_ipvs_*_total: /proc/net/ip_vs_stats, deleted services included. */
static void ipvs_totals_write(FILE *f)
{
	struct nlvs_stats t;
	char name[64];
	int i;

	nlvs_ctl_stats_get(&t);
	for (i = 0; i < ST_MAX; i++) {
		snprintf(name, sizeof(name), "node_ipvs_%s", stat_fields[i].name);
		family(f, name, "counter", stat_fields[i].help);
		fprintf(f, "%s %" PRIu64 "\n", name, stat_get(&t, i));
	}
}

enum dest_field { D_ACTIVE, D_INACTIVE, D_WEIGHT, D_PERSIST };

static uint64_t dest_get(const struct nlvs_dest_info *d, enum dest_field i)
{
	switch (i) {
	case D_ACTIVE:
		return d->activeconns;
	case D_INACTIVE:
		return d->inactconns;
	case D_PERSIST:
		return d->persistconns;
	default:
		return d->conf.weight < 0 ? 0 : (uint64_t)d->conf.weight;
	}
}

/* One family over every dest of every service: @stat >= 0 a counter of
 * struct nlvs_stats, else the dest field @df. */
static void dest_family(FILE *f, const char *name, const char *type, const char *help,
			int stat, enum dest_field df)
{
	struct nlvs_svc_info si;
	struct nlvs_dest_info di;
	struct svc_labels l;
	size_t sc = 0, dc;

	family(f, name, type, help);
	while (nlvs_ctl_svc_walk(&sc, &si) > 0) {
		svc_labels_get(&si.conf.key, &l);
		dc = 0;
		while (nlvs_ctl_dest_walk(&si.conf.key, &dc, &di) > 0) {
			fprintf(f, "%s{", name);
			dest_labels_write(f, &l, &di);
			fprintf(f, "} %" PRIu64 "\n", stat >= 0 ? stat_get(&di.stats, stat) :
				dest_get(&di, df));
		}
	}
}

static void ipvs_backends_write(FILE *f)
{
	char name[64], help[96];
	int i;

	dest_family(f, "node_ipvs_backend_connections_active", "gauge",
		    "The current active connections by local and remote address.", -1, D_ACTIVE);
	dest_family(f, "node_ipvs_backend_connections_inactive", "gauge",
		    "The current inactive connections by local and remote address.", -1,
		    D_INACTIVE);
	dest_family(f, "node_ipvs_backend_weight", "gauge",
		    "The current backend weight by local and remote address.", -1, D_WEIGHT);
	dest_family(f, "nlvs_backend_connections_persistent", "gauge",
		    "The current persistence templates by local and remote address.", -1,
		    D_PERSIST);
	/* per service and per dest: what ipvsadm -Ln --stats shows */
	for (i = 0; i < ST_MAX; i++) {
		struct nlvs_svc_info si;
		struct svc_labels l;
		size_t sc = 0;

		snprintf(name, sizeof(name), "nlvs_service_%s", stat_fields[i].name);
		snprintf(help, sizeof(help), "%s By virtual service (ipvsadm -Ln --stats).",
			 stat_fields[i].help);
		family(f, name, "counter", help);
		while (nlvs_ctl_svc_walk(&sc, &si) > 0) {
			svc_labels_get(&si.conf.key, &l);
			fprintf(f, "%s{", name);
			svc_labels_write(f, &l);
			fprintf(f, "} %" PRIu64 "\n", stat_get(&si.stats, i));
		}
	}
	for (i = 0; i < ST_MAX; i++) {
		snprintf(name, sizeof(name), "nlvs_backend_%s", stat_fields[i].name);
		snprintf(help, sizeof(help), "%s By local and remote address.",
			 stat_fields[i].help);
		dest_family(f, name, "counter", help, i, D_ACTIVE);
	}
	family(f, "nlvs_services", "gauge", "Virtual services configured.");
	fprintf(f, "nlvs_services %zu\n", nlvs_ctl_svc_count());
}

/* Per-worker figures: one family each, a sample per worker. */
#define WORKER_FAMILY(f, name, type, help, expr)					\
	do {										\
		unsigned int w_;							\
		family(f, name, type, help);						\
		for (w_ = 0; w_ < nlvs_dp.nworkers; w_++) {				\
			const struct nlvs_worker *w = nlvs_dp.workers[w_];		\
			fprintf(f, "%s{worker=\"%u\"} %" PRIu64 "\n", name, w_,		\
				(uint64_t)(expr));					\
		}									\
	} while (0)

static uint64_t neigh_used(const struct nlvs_worker *w, int size)
{
	unsigned int used, sz;

	nlvs_neigh_stats(w->neigh, &used, &sz);
	return size ? sz : used;
}

static uint64_t conn_usage(unsigned int worker, int cap)
{
	uint32_t count, capacity;

	nlvs_lb_conn_usage(worker, &count, &capacity);
	return cap ? capacity : count;
}

static void workers_write(FILE *f)
{
	family(f, "nlvs_workers", "gauge", "Packet workers running.");
	fprintf(f, "nlvs_workers %u\n", nlvs_dp.nworkers);
	WORKER_FAMILY(f, "nlvs_worker_lcore", "gauge", "The lcore a worker runs on.", w->lcore);
	WORKER_FAMILY(f, "nlvs_worker_rx_packets_total", "counter",
		      "Packets a worker received from its queues.", w->st.rx);
	WORKER_FAMILY(f, "nlvs_worker_tx_packets_total", "counter",
		      "Packets a worker sent.", w->st.tx);
	WORKER_FAMILY(f, "nlvs_worker_handoff_in_packets_total", "counter",
		      "Packets handed to a worker by the others (it owns their connection).",
		      w->st.handoff_in);
	WORKER_FAMILY(f, "nlvs_worker_handoff_out_packets_total", "counter",
		      "Packets a worker handed to the worker owning their connection.",
		      w->st.handoff_out);
	WORKER_FAMILY(f, "nlvs_worker_idle_sleeps_total", "counter",
		      "Times an idle worker slept (idle back-off).", w->st.sleeps);
	WORKER_FAMILY(f, "nlvs_worker_neighbour_entries", "gauge",
		      "Entries in a worker's neighbour table.", neigh_used(w, 0));
	WORKER_FAMILY(f, "nlvs_worker_neighbour_table_size", "gauge",
		      "Size of a worker's neighbour table.", neigh_used(w, 1));
	WORKER_FAMILY(f, "nlvs_worker_connection_table_entries", "gauge",
		      "Connections (and persistence templates) in a worker's table.",
		      conn_usage(w->id, 0));
	WORKER_FAMILY(f, "nlvs_worker_connection_table_capacity", "gauge",
		      "Connections a worker's table can hold.", conn_usage(w->id, 1));
}

/* The global dataplane counters of `nlvsctl stats`, summed over workers. */
static void dp_totals_write(FILE *f)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} sums[] = {
#define SUM(n, field, h) { "nlvs_" n "_total", h, offsetof(struct nlvs_worker_stats, field) }
		SUM("control_tx_packets", ctl_tx, "Frames the control thread sent through workers."),
		SUM("arp_replies", arp_replies, "ARP replies sent."),
		SUM("nd_adverts", nd_adverts, "IPv6 neighbour advertisements sent."),
		SUM("echo_replies", echo_replies, "ICMP echo replies sent for own addresses."),
		SUM("icmp_errors", icmp_errors, "ICMP errors sent or translated."),
		SUM("neighbour_requests", neigh_requests, "ARP requests and neighbour solicitations sent."),
		SUM("neighbour_messages_lost", neigh_msgs_lost, "Learnt neighbours not passed to other workers (ring full)."),
		SUM("neighbour_evicted", neigh_evicted, "Neighbour entries replaced while idle."),
		SUM("neighbour_full", neigh_full, "Neighbours not learnt for want of room."),
		SUM("neighbour_offlink", neigh_offlink, "Neighbours not learnt: sender on no connected prefix."),
		SUM("neighbour_reclaimed", neigh_reclaimed, "Neighbour entries freed by the sweep."),
#undef SUM
	};
	uint64_t drops[NLVS_DROP_MAX] = { 0 };
	unsigned int i, w, r;

	for (i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
		uint64_t v = 0;

		for (w = 0; w < nlvs_dp.nworkers; w++)
			v += *(const uint64_t *)((const char *)&nlvs_dp.workers[w]->st +
						 sums[i].off);
		family(f, sums[i].name, "counter", sums[i].help);
		fprintf(f, "%s %" PRIu64 "\n", sums[i].name, v);
	}
	for (w = 0; w < nlvs_dp.nworkers; w++)
		for (r = 0; r < NLVS_DROP_MAX; r++)
			drops[r] += nlvs_dp.workers[w]->st.drops[r];
	nlvs_host_drops_add(drops);	/* the host thread's, as nlvsctl stats counts them */
	family(f, "nlvs_drops_total", "counter", "Packets dropped, by reason (nlvsctl stats drop.*).");
	for (r = 0; r < NLVS_DROP_MAX; r++)
		fprintf(f, "nlvs_drops_total{reason=\"%s\"} %" PRIu64 "\n", nlvs_drop_name(r),
			drops[r]);
}

enum port_field { P_IPK, P_OPK, P_IB, P_OB, P_MISS, P_IERR, P_OERR, P_NOMBUF, P_MAX };

static void ports_write(FILE *f)
{
	static const struct {
		const char *name, *help;
	} pf[P_MAX] = {
		[P_IPK] = { "nlvs_port_rx_packets_total", "Packets received on a port." },
		[P_OPK] = { "nlvs_port_tx_packets_total", "Packets sent on a port." },
		[P_IB] = { "nlvs_port_rx_bytes_total", "Bytes received on a port." },
		[P_OB] = { "nlvs_port_tx_bytes_total", "Bytes sent on a port." },
		[P_MISS] = { "nlvs_port_rx_missed_total", "Packets the port dropped: queues full." },
		[P_IERR] = { "nlvs_port_rx_errors_total", "Erroneous packets received." },
		[P_OERR] = { "nlvs_port_tx_errors_total", "Packets that failed to be sent." },
		[P_NOMBUF] = { "nlvs_port_rx_nombuf_total", "Receive buffer allocation failures." },
	};
	struct rte_eth_stats st[NLVS_MAX_PORTS];
	int ok[NLVS_MAX_PORTS];
	unsigned int i, q, k;

	/* one read per port, so that every family shows the same moment */
	for (i = 0; i < nlvs_dp.nports; i++)
		ok[i] = rte_eth_stats_get(nlvs_dp.ports[i].port_id, &st[i]) == 0;
	family(f, "nlvs_port_up", "gauge", "Link state of a port (1 up).");
	for (i = 0; i < nlvs_dp.nports; i++)
		fprintf(f, "nlvs_port_up{port=\"%s\"} %d\n", nlvs_dp.ports[i].name,
			nlvs_dp.ports[i].link_up ? 1 : 0);
	for (k = 0; k < P_MAX; k++) {
		family(f, pf[k].name, "counter", pf[k].help);
		for (i = 0; i < nlvs_dp.nports; i++) {
			const uint64_t v[P_MAX] = { st[i].ipackets, st[i].opackets, st[i].ibytes,
						    st[i].obytes, st[i].imissed, st[i].ierrors,
						    st[i].oerrors, st[i].rx_nombuf };
			if (ok[i])
				fprintf(f, "%s{port=\"%s\"} %" PRIu64 "\n", pf[k].name,
					nlvs_dp.ports[i].name, v[k]);
		}
	}
	family(f, "nlvs_port_queue_rx_packets_total", "counter",
	       "Packets received on a port's receive queue.");
	for (i = 0; i < nlvs_dp.nports; i++)
		for (q = 0; ok[i] && q < nlvs_dp.ports[i].nb_rxq &&
		     q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++)
			fprintf(f, "nlvs_port_queue_rx_packets_total{port=\"%s\",queue=\"%u\"} %"
				PRIu64 "\n", nlvs_dp.ports[i].name, q, st[i].q_ipackets[q]);
	family(f, "nlvs_port_queue_tx_packets_total", "counter",
	       "Packets sent on a port's transmit queue (one per worker).");
	for (i = 0; i < nlvs_dp.nports; i++)
		for (q = 0; ok[i] && q < nlvs_dp.nworkers && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++)
			fprintf(f, "nlvs_port_queue_tx_packets_total{port=\"%s\",queue=\"%u\"} %"
				PRIu64 "\n", nlvs_dp.ports[i].name, q, st[i].q_opackets[q]);
}

/* The driver's extended counters, one family with the driver's names. */
static void xstats_write(FILE *f)
{
	unsigned int i;
	int n, k;

	family(f, "nlvs_port_xstats_total", "counter",
	       "A port's extended counters, named by its driver (nlvsctl stats port.*.x.*).");
	for (i = 0; i < nlvs_dp.nports; i++) {
		uint16_t id = nlvs_dp.ports[i].port_id;
		struct rte_eth_xstat_name *names;
		struct rte_eth_xstat *xs;

		n = rte_eth_xstats_get_names(id, NULL, 0);
		if (n <= 0)
			continue;
		names = calloc((size_t)n, sizeof(*names));
		xs = calloc((size_t)n, sizeof(*xs));
		if (names && xs && rte_eth_xstats_get_names(id, names, (unsigned int)n) == n &&
		    rte_eth_xstats_get(id, xs, (unsigned int)n) == n) {
			for (k = 0; k < n; k++) {
				fprintf(f, "nlvs_port_xstats_total{port=\"%s\",name=\"",
					nlvs_dp.ports[i].name);
				label_value(f, names[xs[k].id].name);
				fprintf(f, "\"} %" PRIu64 "\n", xs[k].value);
			}
		}
		free(names);
		free(xs);
	}
}

/* The host path's counters, from its own "name value" text (nlvsctl stats:
 * host.*, port.NAME.twin.*), one family per name. */
static void host_write(FILE *f)
{
	static const struct {
		const char *text, *name, *help;
	} fam[] = {
		{ "host.up", "nlvs_host_up_packets_total", "Packets the host thread passed up to the kernel twins." },
		{ "host.up_queued", "nlvs_host_up_queued_packets_total", "Packets workers queued for the kernel twins." },
		{ "host.down", "nlvs_host_down_packets_total", "Packets from the kernel twins workers sent." },
		{ "host.down_read", "nlvs_host_down_read_packets_total", "Packets the host thread read from the kernel twins." },
		{ "host.sleeps", "nlvs_host_idle_sleeps_total", "Times the idle host thread slept." },
		{ ".twin.up", "nlvs_port_twin_up_packets_total", "Packets up a port's kernel twin." },
		{ ".twin.down", "nlvs_port_twin_down_packets_total", "Packets down from a port's kernel twin." },
		{ ".twin.errors", "nlvs_port_twin_errors_total", "Packets a port's kernel twin failed to take." },
	};
	char *buf = NULL, *line, *save, *copy;
	size_t len = 0, i;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	nlvs_host_stats_write(m);
	if (fclose(m) != 0) {
		free(buf);
		return;
	}
	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		int twin = fam[i].text[0] == '.';

		family(f, fam[i].name, "counter", fam[i].help);
		copy = strdup(buf);
		save = NULL;
		for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *v = strchr(line, ' '), *port;
			size_t n, tl = strlen(fam[i].text);

			if (!v)
				continue;
			*v++ = '\0';
			n = strlen(line);
			if (!twin && !strcmp(line, fam[i].text)) {
				fprintf(f, "%s %s\n", fam[i].name, v);
			} else if (twin && !strncmp(line, "port.", 5) && n > 5 + tl &&
				   !strcmp(line + n - tl, fam[i].text)) {
				port = line + 5;
				line[n - tl] = '\0';
				fprintf(f, "%s{port=\"", fam[i].name);
				label_value(f, port);
				fprintf(f, "\"} %s\n", v);
			}
		}
		free(copy);
	}
	free(buf);
}

/* Local addresses and SNAT egress addresses from the "nlvs_laddrs" text
 * (nlvsctl laddrs: kind address state held ports pool). */
static void laddrs_write(FILE *f)
{
	nlvs_ctl_text_fn text = nlvs_ctl_text_source("nlvs_laddrs");
	char *buf = NULL, *line, *save = NULL;
	size_t idx = 0, len = 0, n;
	int pass;

	if (!text)
		return;
	for (;;) {
		char *nb = realloc(buf, len + 4096 + 1);

		if (!nb) {
			free(buf);
			return;
		}
		buf = nb;
		n = text(&idx, buf + len, 4096);
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	for (pass = 0; pass < 2; pass++) {
		char *copy = strdup(buf);

		if (!copy)
			break;
		if (pass == 0)
			family(f, "nlvs_laddr_ports_held", "gauge",
			       "Ports of a local (FULLNAT) or egress (SNAT) address held by connections.");
		else
			family(f, "nlvs_laddr_ports", "gauge",
			       "Ports of a local (FULLNAT) or egress (SNAT) address the workers share.");
		for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char kind[16], addr[INET6_ADDRSTRLEN], state[16];
			unsigned long held, ports;

			if (sscanf(line, "%15s %45s %15s %lu %lu", kind, addr, state, &held,
				   &ports) != 5)
				continue;	/* the heading */
			fprintf(f, "%s{kind=\"%s\",address=\"%s\",state=\"%s\"} %lu\n",
				pass ? "nlvs_laddr_ports" : "nlvs_laddr_ports_held", kind, addr,
				state, pass ? ports : held);
		}
		free(copy);
	}
	free(buf);
}

void nlvs_metrics_write(FILE *f)
{
	ipvs_totals_write(f);
	ipvs_backends_write(f);
	family(f, "nlvs_dataplane_running", "gauge",
	       "1 when nlvsd runs its dataplane, 0 when it runs the control plane only.");
	fprintf(f, "nlvs_dataplane_running %d\n", nlvs_dp.nworkers ? 1 : 0);
	if (!nlvs_dp.nworkers)
		return;
	workers_write(f);
	dp_totals_write(f);
	ports_write(f);
	xstats_write(f);
	host_write(f);
	laddrs_write(f);
}
