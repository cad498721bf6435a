// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DPDK telemetry commands under /nlvs/ (dpdk-telemetry.py, or any client of
 * the telemetry socket): the figures of nlvsctl and of the metrics endpoint.
 * Handlers run on DPDK's telemetry thread; like the metrics server they only
 * ask the control thread (ctl_call.h) to fill in the answer.
 *
 *   /nlvs/totals            global IPVS counters and rates (ip_vs_stats)
 *   /nlvs/services          the services, "PROTO ADDR:PORT" or "FWM MARK"
 *   /nlvs/service,SERVICE   one service's counters and rates, and its dests
 *                           as columns: dests (ADDR:PORT), dest_weight, ...
 *   /nlvs/stats[,PREFIX]    nlvsctl stats, the names starting with PREFIX
 *   /nlvs/laddrs            nlvsctl laddrs as columns: kind, address, ...
 *
 * Telemetry allows only letters, digits, '_' and '/' in a dict's names: the
 * names of nlvsctl stats have every other character turned into '_', and
 * what is keyed by an address comes as columns (arrays of one field).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "ctl/nlvs_ctl.h"
#include "base/nlvs_log.h"
#include "ctl_call.h"
#include "nlvs_dp.h"
#include "telemetry.h"

struct tel_req {
	const char *params;
	struct rte_tel_data *d;
	int rc;
	void (*fill)(struct tel_req *r);
	void *priv;
};

static void stats_fill(struct rte_tel_data *d, const struct nlvs_stats *s)
{
	rte_tel_data_add_dict_u64(d, "conns", s->conns);
	rte_tel_data_add_dict_u64(d, "inpkts", s->inpkts);
	rte_tel_data_add_dict_u64(d, "outpkts", s->outpkts);
	rte_tel_data_add_dict_u64(d, "inbytes", s->inbytes);
	rte_tel_data_add_dict_u64(d, "outbytes", s->outbytes);
	rte_tel_data_add_dict_u64(d, "cps", s->cps);
	rte_tel_data_add_dict_u64(d, "inpps", s->inpps);
	rte_tel_data_add_dict_u64(d, "outpps", s->outpps);
	rte_tel_data_add_dict_u64(d, "inbps", s->inbps);
	rte_tel_data_add_dict_u64(d, "outbps", s->outbps);
}

/* A service as ipvsadm -Ln names it: "TCP 10.0.0.1:80", "TCP [::1]:80",
 * "FWM 100". */
static void svc_name(const struct nlvs_svc_key *k, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], p[16];

	if (k->fwmark) {
		snprintf(buf, size, "FWM %u", k->fwmark);
		return;
	}
	nlvs_addr_str(k->af, &k->addr, a, sizeof(a));
	snprintf(buf, size, k->af == AF_INET6 ? "%s [%s]:%u" : "%s %s:%u",
		 nlvs_proto_name(k->protocol, p, sizeof(p)), a, ntohs(k->port));
}

static void totals_fill(struct tel_req *r)
{
	struct nlvs_stats t;

	nlvs_ctl_stats_get(&t);
	rte_tel_data_start_dict(r->d);
	stats_fill(r->d, &t);
}

static void services_fill(struct tel_req *r)
{
	struct nlvs_svc_info si;
	char name[96];
	size_t c = 0;

	rte_tel_data_start_array(r->d, RTE_TEL_STRING_VAL);
	while (nlvs_ctl_svc_walk(&c, &si) > 0) {
		svc_name(&si.conf.key, name, sizeof(name));
		rte_tel_data_add_array_string(r->d, name);
	}
}

/* Columns, one array each: a dict holds only names made of letters,
 * digits, '_' and '/', so addresses cannot be keys. */
static struct rte_tel_data *column_new(enum rte_tel_value_type type)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (a)
		rte_tel_data_start_array(a, type);
	return a;
}

static void column_put(struct rte_tel_data *d, const char *name, struct rte_tel_data *a)
{
	if (a && rte_tel_data_add_dict_container(d, name, a, 0) < 0)
		rte_tel_data_free(a);
}

enum { DC_WEIGHT, DC_ACTIVE, DC_INACTIVE, DC_CONNS, DC_INPKTS, DC_OUTPKTS, DC_INBYTES,
	DC_OUTBYTES, DC_MAX };

static const char *const dest_cols[DC_MAX] = {
	"dest_weight", "dest_active", "dest_inactive", "dest_conns", "dest_inpkts",
	"dest_outpkts", "dest_inbytes", "dest_outbytes",
};

static void dests_add(struct rte_tel_data *d, const struct nlvs_svc_key *key)
{
	struct rte_tel_data *names = column_new(RTE_TEL_STRING_VAL), *col[DC_MAX];
	struct nlvs_dest_info di;
	char addr[INET6_ADDRSTRLEN], name[INET6_ADDRSTRLEN + 10];
	size_t c = 0;
	int i;

	for (i = 0; i < DC_MAX; i++)
		col[i] = column_new(RTE_TEL_U64_VAL);
	while (nlvs_ctl_dest_walk(key, &c, &di) > 0) {
		const uint64_t v[DC_MAX] = {
			di.conf.weight < 0 ? 0 : (uint64_t)di.conf.weight, di.activeconns,
			di.inactconns, di.stats.conns, di.stats.inpkts, di.stats.outpkts,
			di.stats.inbytes, di.stats.outbytes,
		};

		nlvs_addr_str(di.conf.af, &di.conf.addr, addr, sizeof(addr));
		snprintf(name, sizeof(name), di.conf.af == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
			 ntohs(di.conf.port));
		if (names)
			rte_tel_data_add_array_string(names, name);
		for (i = 0; i < DC_MAX; i++)
			if (col[i])
				rte_tel_data_add_array_u64(col[i], v[i]);
	}
	column_put(d, "dests", names);
	for (i = 0; i < DC_MAX; i++)
		column_put(d, dest_cols[i], col[i]);
}

static void service_fill(struct tel_req *r)
{
	struct nlvs_svc_info si;
	char name[96];
	size_t c = 0;

	r->rc = -ENOENT;
	while (r->params && nlvs_ctl_svc_walk(&c, &si) > 0) {
		svc_name(&si.conf.key, name, sizeof(name));
		if (strcmp(name, r->params))
			continue;
		rte_tel_data_start_dict(r->d);
		stats_fill(r->d, &si.stats);
		dests_add(r->d, &si.conf.key);
		r->rc = 0;
		return;
	}
}

/* Lines "name value" of a text; @fn gets each. */
static void lines_each(char *text, void (*fn)(struct tel_req *r, char *name, char *value),
		       struct tel_req *r)
{
	char *save = NULL, *line, *v;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = '\0';
		fn(r, line, v);
	}
}

/* nlvsctl's name as a telemetry dict key: what is not a letter, a digit,
 * '_' or '/' becomes '_' ("drop.no-route" is "drop_no_route"). */
static void tel_name(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++)
		out[i] = isalnum((unsigned char)in[i]) || in[i] == '/' ? in[i] : '_';
	out[i] = '\0';
}

/* A dict holds RTE_TEL_MAX_DICT_ENTRIES: the last one says how many names
 * did not fit ("omitted"), so that a cut answer never passes for whole. */
struct stat_fill {
	unsigned int added, omitted;
};

static void stat_add(struct tel_req *r, char *text_name, char *value)
{
	char name[RTE_TEL_MAX_STRING_LEN], prefix[RTE_TEL_MAX_STRING_LEN];
	struct stat_fill *sf = r->priv;
	char *end;
	uint64_t v;

	tel_name(text_name, name, sizeof(name));
	if (r->params) {
		tel_name(r->params, prefix, sizeof(prefix));
		if (strncmp(name, prefix, strlen(prefix)))
			return;
	}
	if (sf->added == RTE_TEL_MAX_DICT_ENTRIES - 1) {
		sf->omitted++;
		return;
	}
	sf->added++;
	v = strtoull(value, &end, 10);
	if (*end || end == value)
		rte_tel_data_add_dict_string(r->d, name, value);
	else
		rte_tel_data_add_dict_u64(r->d, name, v);
}

static void stats_text_fill(struct tel_req *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	r->rc = -ENOMEM;
	if (!f)
		return;
	nlvs_dp_stats_write(f);
	if (fclose(f) == 0) {
		struct stat_fill sf = { 0 };

		rte_tel_data_start_dict(r->d);
		r->priv = &sf;
		lines_each(buf, stat_add, r);
		if (sf.omitted)		/* narrow the answer with a prefix */
			rte_tel_data_add_dict_u64(r->d, "omitted", sf.omitted);
		r->rc = 0;
	}
	free(buf);
}

struct laddr_cols {
	struct rte_tel_data *kind, *addr, *state, *held, *ports;
};

static void laddr_add(struct tel_req *r, char *kind, char *rest)
{
	struct laddr_cols *lc = r->priv;
	char addr[INET6_ADDRSTRLEN], state[16];
	unsigned long held, ports;

	if (sscanf(rest, "%45s %15s %lu %lu", addr, state, &held, &ports) != 4)
		return;	/* the heading */
	if (!lc->kind || !lc->addr || !lc->state || !lc->held || !lc->ports)
		return;
	rte_tel_data_add_array_string(lc->kind, kind);
	rte_tel_data_add_array_string(lc->addr, addr);
	rte_tel_data_add_array_string(lc->state, state);
	rte_tel_data_add_array_u64(lc->held, held);
	rte_tel_data_add_array_u64(lc->ports, ports);
}

static void laddrs_fill(struct tel_req *r)
{
	nlvs_ctl_text_fn text = nlvs_ctl_text_source("nlvs_laddrs");
	struct laddr_cols lc = {
		column_new(RTE_TEL_STRING_VAL), column_new(RTE_TEL_STRING_VAL),
		column_new(RTE_TEL_STRING_VAL), column_new(RTE_TEL_U64_VAL),
		column_new(RTE_TEL_U64_VAL),
	};
	char *buf = NULL, *nb;
	size_t idx = 0, len = 0, n;

	rte_tel_data_start_dict(r->d);
	for (;;) {
		if (!text)
			break;
		nb = realloc(buf, len + 4096 + 1);
		if (!nb)
			break;
		buf = nb;
		n = text(&idx, buf + len, 4096);
		len += n;
		if (!n)
			break;
	}
	if (buf) {
		buf[len] = '\0';
		r->priv = &lc;
		lines_each(buf, laddr_add, r);
		free(buf);
	}
	column_put(r->d, "kind", lc.kind);
	column_put(r->d, "address", lc.addr);
	column_put(r->d, "state", lc.state);
	column_put(r->d, "held", lc.held);
	column_put(r->d, "ports", lc.ports);
}

static void tel_run(void *arg)
{
	struct tel_req *r = arg;

	r->fill(r);
}

static int tel_call(void (*fill)(struct tel_req *r), const char *params, struct rte_tel_data *d)
{
	struct tel_req r = {
		.params = params && *params ? params : NULL,
		.d = d,
		.fill = fill,
	};
	int rc = nlvs_ctl_call(tel_run, &r);

	return rc < 0 ? rc : r.rc;
}

#define TEL_CMD(fn, fill)							\
	static int fn(const char *cmd, const char *params, struct rte_tel_data *d) \
	{									\
		return tel_call(fill, params, d);				\
	}
TEL_CMD(tel_totals, totals_fill)
TEL_CMD(tel_services, services_fill)
TEL_CMD(tel_service, service_fill)
TEL_CMD(tel_stats, stats_text_fill)
TEL_CMD(tel_laddrs, laddrs_fill)

void nlvs_telemetry_register(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/nlvs/totals", tel_totals,
		  "Global IPVS counters and rates (ip_vs_stats). No parameters." },
		{ "/nlvs/services", tel_services, "The services, as names for /nlvs/service." },
		{ "/nlvs/service", tel_service,
		  "A service's counters, rates and dests. Parameter: a name from /nlvs/services." },
		{ "/nlvs/stats", tel_stats,
		  "Dataplane counters (nlvsctl stats). Parameter: a name prefix, e.g. drop_" },
		{ "/nlvs/laddrs", tel_laddrs,
		  "Local and egress addresses, ports held and ports. No parameters." },
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help) < 0)
			nlvs_log_warnx("telemetry: cannot register %s", cmds[i].cmd);
}
