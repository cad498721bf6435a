// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlvs_conf.h"

int nlvs_conf_split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -1;
		if (*p == '"') {
			words[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
			*p++ = '\0';
			continue;
		}
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

static int set_string(char **dst, int argc, char **argv, const char **why)
{
	if (argc != 2) {
		*why = "expects exactly one argument";
		return -1;
	}
	free(*dst);
	*dst = strdup(argv[1]);
	return *dst ? 0 : -1;
}

static int kw_eal(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	int i;

	if (c->eal_argc) {
		*why = "given twice";
		return -1;
	}
	if (argc + 1 > NLVS_CONF_MAX_ARGS) {
		*why = "too many arguments";
		return -1;
	}
	c->eal_argv[c->eal_argc++] = strdup("nlvsd");
	for (i = 1; i < argc; i++)
		c->eal_argv[c->eal_argc++] = strdup(argv[i]);
	return 0;
}

static int kw_socket(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	return set_string(&c->control_socket, argc, argv, why);
}

static int kw_state(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	return set_string(&c->state_file, argc, argv, why);
}

int nlvs_listen_parse(const char *s, struct nlvs_conf_listen *l)
{
	char host[INET6_ADDRSTRLEN + 2], *end;
	const char *colon;
	unsigned long port;
	size_t n;

	colon = strrchr(s, ':');
	if (!colon || colon == s || colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535)
		return -EINVAL;
	n = (size_t)(colon - s);
	if (n >= sizeof(host))
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return -EINVAL;
		memcpy(host, s + 1, n - 2);
		host[n - 2] = '\0';
		l->af = AF_INET6;
	} else {
		memcpy(host, s, n);
		host[n] = '\0';
		l->af = AF_INET;
	}
	if (inet_pton(l->af, host, &l->addr) != 1) {
		l->af = 0;
		return -EINVAL;
	}
	l->port = (uint16_t)port;
	return 0;
}

static int kw_metrics(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc != 2 || nlvs_listen_parse(argv[1], &c->metrics) < 0) {
		*why = "expects ADDRESS:PORT ([ADDRESS]:PORT for IPv6)";
		return -1;
	}
	return 0;
}

static int kw_state_sync(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc == 2 && !strcmp(argv[1], "on"))
		c->state_sync = 1;
	else if (argc == 2 && !strcmp(argv[1], "off"))
		c->state_sync = 0;
	else {
		*why = "expects on or off";
		return -1;
	}
	return 0;
}

static int kw_log(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc == 2 && !strcmp(argv[1], "info"))
		c->verbosity = 0;
	else if (argc == 2 && !strcmp(argv[1], "debug"))
		c->verbosity = 1;
	else {
		*why = "expects info or debug";
		return -1;
	}
	return 0;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int nlvs_prefix_parse(const char *s, int need_len, int clear_host, struct nlvs_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	unsigned int len, max, i;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (slash)
		buf[slash - s] = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, &p->addr.ip) == 1) {
		p->af = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, &p->addr.in6) == 1) {
		p->af = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	if ((slash && need_len < 0) || (!slash && need_len > 0))
		return -EINVAL;
	len = max;
	if (slash && parse_uint(slash + 1, 0, max, &len) < 0)
		return -EINVAL;
	p->len = (uint8_t)len;
	if (clear_host) {
		for (i = len; i < max; i++)
			p->addr.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	}
	return 0;
}

int nlvs_conf_port_find(const struct nlvs_conf *conf, const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->nports; i++)
		if (!strcmp(conf->ports[i].name, name))
			return (int)i;
	return -ENOENT;
}

/* Grow a malloc'ed array by one zeroed element; NULL on ENOMEM. */
static void *array_add(void *arrayp, unsigned int *n, size_t size)
{
	void **arr = arrayp;
	char *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

static int port_ref(struct nlvs_conf *c, const char *name, unsigned int *idx, const char **why)
{
	int i = nlvs_conf_port_find(c, name);

	if (i < 0) {
		*why = "unknown port (declare it with \"port\" first)";
		return -1;
	}
	*idx = (unsigned int)i;
	return 0;
}

static int kw_workers(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc != 2 || parse_uint(argv[1], 1, 127, &c->workers) < 0) {
		*why = "expects a number of worker lcores, 1 to 127";
		return -1;
	}
	return 0;
}

static int kw_idle_sleep(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc != 2 || parse_uint(argv[1], 0, 100000, &c->idle_sleep_us) < 0) {
		*why = "expects microseconds, 0 to 100000";
		return -1;
	}
	return 0;
}

static int kw_idle_backoff(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc == 2 && !strcmp(argv[1], "adaptive"))
		c->idle_backoff = NLVS_IDLE_ADAPTIVE;
	else if (argc == 2 && !strcmp(argv[1], "off"))
		c->idle_backoff = NLVS_IDLE_OFF;
	else {
		*why = "expects adaptive or off";
		return -1;
	}
	return 0;
}

static int kw_conn_table(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc != 2 || parse_uint(argv[1], 1024, 1u << 30, &c->conn_table_size) < 0) {
		*why = "expects a number of connections, 1024 to 2^30";
		return -1;
	}
	return 0;
}

static int kw_conn_table_ipv6(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc != 2 || parse_uint(argv[1], 0, 1u << 29, &c->conn_table_ipv6) < 0) {
		*why = "expects a number of IPv6 connections, 0 to 2^29";
		return -1;
	}
	c->conn_table_ipv6_set = 1;
	return 0;
}

void nlvs_conf_conn_tables(const struct nlvs_conf *conf, uint32_t *cap4, uint32_t *cap6)
{
	*cap4 = conf->conn_table_size ? conf->conn_table_size : NLVS_CONN_TABLE_DEFAULT;
	*cap6 = conf->conn_table_ipv6_set ? conf->conn_table_ipv6 : nlvs_conn_ipv6_default(*cap4);
}

/* Both sizes together fit one table's index (NLVS_CONN_LINES_MAX lines):
 * told here, by nlvsd -n too, rather than as a worker failing at start. */
static int conn_tables_fit(const struct nlvs_conf *c)
{
	uint32_t v4, v6;

	nlvs_conf_conn_tables(c, &v4, &v6);
	return (uint64_t)v4 + 2ull * v6 <= NLVS_CONN_LINES_MAX;
}

static int kw_mbufs(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc != 2 || parse_uint(argv[1], 512, 1u << 24, &c->mbufs) < 0) {
		*why = "expects a number of buffers, 512 to 2^24";
		return -1;
	}
	return 0;
}

static int kw_neighbours(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc != 2 || parse_uint(argv[1], 64, 1u << 20, &c->neigh_entries) < 0) {
		*why = "expects a number of neighbour entries, 64 to 2^20";
		return -1;
	}
	return 0;
}

static int kw_snat_ports(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc != 3 || parse_uint(argv[1], 1, 65535, &c->snat_port_min) < 0 ||
	    parse_uint(argv[2], 1, 65535, &c->snat_port_max) < 0 ||
	    c->snat_port_min > c->snat_port_max) {
		*why = "expects MIN MAX, 1 <= MIN <= MAX <= 65535";
		return -1;
	}
	return 0;
}

static int kw_kernel_mirror(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc == 2 && (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))) {
		c->kernel_mirror_off = !strcmp(argv[1], "off");
		return 0;
	}
	*why = "expects on or off";
	return -1;
}

static int kw_vip_neigh(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc == 2 && (!strcmp(argv[1], "all") || !strcmp(argv[1], "kernel"))) {
		c->vip_neigh_kernel = !strcmp(argv[1], "kernel");
		return 0;
	}
	*why = "expects all or kernel";
	return -1;
}

static int kw_forward(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc == 2 && !strcmp(argv[1], "on"))
		c->ip_forward = 1;
	else if (argc == 2 && !strcmp(argv[1], "off"))
		c->ip_forward = 0;
	else {
		*why = "expects on or off";
		return -1;
	}
	return 0;
}

/* A kernel interface name: what dev_valid_name() in the kernel accepts. */
static int ifname_valid(const char *s)
{
	if (!*s || strlen(s) >= NLVS_CONF_IFNAME_LEN || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ',' || *s == '=' || isspace((unsigned char)*s))
			return 0;
	return 1;
}

static int kw_host_rate(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	if (argc != 2 || parse_uint(argv[1], 0, 100000000, &c->host_rate) < 0) {
		*why = "expects packets per second per worker, 0 (unlimited) to 100000000";
		return -1;
	}
	return 0;
}

static int kw_port(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	struct nlvs_conf_port *p;
	unsigned int queues = 0, mtu = 0;
	const char *twin;
	int i;

	if (argc < 3 || argc % 2 == 0) {
		*why = "expects NAME DEVARGS [queues N] [mtu N] [twin IFNAME|off]";
		return -1;
	}
	twin = argv[1];
	if (strlen(argv[1]) >= NLVS_CONF_NAME_LEN) {
		*why = "name too long";
		return -1;
	}
	if (nlvs_conf_port_find(c, argv[1]) >= 0) {
		*why = "port declared twice";
		return -1;
	}
	for (i = 3; i < argc; i += 2) {
		if (!strcmp(argv[i], "queues")) {
			if (parse_uint(argv[i + 1], 1, 128, &queues) < 0) {
				*why = "queues expects 1 to 128";
				return -1;
			}
		} else if (!strcmp(argv[i], "mtu")) {
			if (parse_uint(argv[i + 1], 68, 65535, &mtu) < 0) {
				*why = "mtu expects 68 to 65535";
				return -1;
			}
		} else if (!strcmp(argv[i], "twin")) {
			twin = strcmp(argv[i + 1], "off") ? argv[i + 1] : "";
		} else {
			*why = "unknown option (queues, mtu or twin)";
			return -1;
		}
	}
	/* ',' and '=' would cut the net_tap devargs the name goes into */
	if (*twin && !ifname_valid(twin)) {
		*why = twin == argv[1] ? "the name is no kernel interface name for its twin: "
		       "give one with \"twin IFNAME\" or say \"twin off\"" : "twin: not a valid interface name (at most 15 characters, "
		       "no blank, '/', ':', ',' or '=')";
		return -1;
	}
	p = array_add(&c->ports, &c->nports, sizeof(*p));
	if (!p)
		return -1;
	strcpy(p->name, argv[1]);
	p->queues = queues;
	p->mtu = mtu;
	strcpy(p->twin, twin);
	p->devargs = strdup(argv[2]);
	return p->devargs ? 0 : -1;
}

static int kw_address(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	struct nlvs_conf_addr a, *p;

	if (argc != 3) {
		*why = "expects PORT ADDRESS[/LEN]";
		return -1;
	}
	if (port_ref(c, argv[1], &a.port, why) < 0)
		return -1;
	if (nlvs_prefix_parse(argv[2], 0, 0, &a.pfx) < 0) {
		*why = "bad address";
		return -1;
	}
	p = array_add(&c->addrs, &c->naddrs, sizeof(*p));
	if (!p)
		return -1;
	*p = a;
	return 0;
}

static int kw_route(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	struct nlvs_conf_route r, *p;
	struct nlvs_prefix gw;
	int i = 2;

	memset(&r, 0, sizeof(r));
	*why = "expects PREFIX [via GATEWAY] port PORT";
	if (argc != 4 && argc != 6)
		return -1;
	if (nlvs_prefix_parse(argv[1], 0, 1, &r.dst) < 0) {
		*why = "bad prefix";
		return -1;
	}
	if (argc == 6) {
		if (strcmp(argv[2], "via"))
			return -1;
		if (nlvs_prefix_parse(argv[3], -1, 0, &gw) < 0 || gw.af != r.dst.af) {
			*why = "bad gateway (an address of the prefix's family)";
			return -1;
		}
		r.has_gw = 1;
		r.gw = gw.addr;
		i = 4;
	}
	if (strcmp(argv[i], "port"))
		return -1;
	if (port_ref(c, argv[i + 1], &r.port, why) < 0)
		return -1;
	p = array_add(&c->routes, &c->nroutes, sizeof(*p));
	if (!p)
		return -1;
	*p = r;
	return 0;
}

static int kw_laddr(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	struct nlvs_conf_laddr *l;
	struct nlvs_prefix vip, a;
	unsigned int i;
	int j;

	if (argc < 3) {
		*why = "expects VIP ADDRESS...";
		return -1;
	}
	if (nlvs_prefix_parse(argv[1], -1, 0, &vip) < 0) {
		*why = "bad VIP address";
		return -1;
	}
	for (i = 0; i < c->nladdrs; i++) {
		if (c->laddrs[i].af == vip.af && !memcmp(&c->laddrs[i].vip, &vip.addr,
							 sizeof(vip.addr))) {
			*why = "VIP has a pool already";
			return -1;
		}
	}
	l = array_add(&c->laddrs, &c->nladdrs, sizeof(*l));
	if (!l)
		return -1;
	l->af = vip.af;
	l->vip = vip.addr;
	l->addrs = calloc((size_t)argc - 2, sizeof(*l->addrs));
	if (!l->addrs)
		return -1;
	for (j = 2; j < argc; j++) {
		if (nlvs_prefix_parse(argv[j], -1, 0, &a) < 0 || a.af != vip.af) {
			*why = "bad local address (an address of the VIP's family)";
			return -1;
		}
		l->addrs[l->naddrs++] = a.addr;
	}
	return 0;
}

static int snat_prefix(struct nlvs_conf_snat *r, const char *s, struct nlvs_prefix *p,
		       const char **why)
{
	if (nlvs_prefix_parse(s, 0, 1, p) < 0) {
		*why = "bad prefix";
		return -1;
	}
	if (r->af && r->af != p->af) {
		*why = "from and to prefixes of different families";
		return -1;
	}
	r->af = p->af;
	return 0;
}

static int parse_dport(const char *v, struct nlvs_conf_snat *r, const char **why)
{
	char lo[16];
	const char *dash = strchr(v, '-');
	unsigned int a, b;

	if (dash && (size_t)(dash - v) < sizeof(lo)) {
		memcpy(lo, v, (size_t)(dash - v));
		lo[dash - v] = 0;
	} else if (!dash) {
		snprintf(lo, sizeof(lo), "%s", v);
	} else {
		lo[0] = 0;
	}
	if (parse_uint(lo, 1, 65535, &a) < 0 ||
	    parse_uint(dash ? dash + 1 : lo, a, 65535, &b) < 0) {
		*why = "dport expects P or P-Q (1-65535, P <= Q)";
		return -1;
	}
	r->dport_lo = (uint16_t)a;
	r->dport_hi = (uint16_t)b;
	return 0;
}

/* snat-rule and mark: the same classifier rule; only mark lines take a
 * dport, only snat-rule lines an out port. */
static int kw_rule(struct nlvs_conf *c, int argc, char **argv, int is_mark, const char **why)
{
	struct nlvs_conf_snat r, *p;
	int i, first = is_mark ? 2 : 3;

	memset(&r, 0, sizeof(r));
	r.in_port = r.out_port = NLVS_CONF_PORT_ANY;
	if (argc < first || (argc - first) % 2 || (!is_mark && strcmp(argv[1], "mark"))) {
		*why = is_mark ? "expects N [from P] [to P] [proto P] [dport P[-Q]] [in PORT]" :
				 "expects mark N [from P] [to P] [proto P] [in PORT] [out PORT]";
		return -1;
	}
	if (parse_uint(argv[first - 1], 1, UINT_MAX, &r.mark) < 0) {
		*why = "mark expects a non-zero 32-bit number";
		return -1;
	}
	for (i = first; i < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "from")) {
			if (snat_prefix(&r, v, &r.from, why) < 0)
				return -1;
			r.has_from = 1;
		} else if (!strcmp(k, "to")) {
			if (snat_prefix(&r, v, &r.to, why) < 0)
				return -1;
			r.has_to = 1;
		} else if (!strcmp(k, "proto")) {
			if (!strcmp(v, "tcp"))
				r.proto = IPPROTO_TCP;
			else if (!strcmp(v, "udp"))
				r.proto = IPPROTO_UDP;
			else if (!strcmp(v, "icmp"))
				r.proto = IPPROTO_ICMP;
			else {
				*why = "proto expects tcp, udp or icmp";
				return -1;
			}
		} else if (!strcmp(k, "in")) {
			if (port_ref(c, v, &r.in_port, why) < 0)
				return -1;
		} else if (!strcmp(k, "out") && !is_mark) {
			if (port_ref(c, v, &r.out_port, why) < 0)
				return -1;
		} else if (!strcmp(k, "dport") && is_mark) {
			if (parse_dport(v, &r, why) < 0)
				return -1;
		} else {
			*why = is_mark ? "unknown option (from, to, proto, dport or in)" :
					 "unknown option (from, to, proto, in or out)";
			return -1;
		}
	}
	if (is_mark)
		p = array_add(&c->mark, &c->nmark, sizeof(*p));
	else
		p = array_add(&c->snat, &c->nsnat, sizeof(*p));
	if (!p)
		return -1;
	*p = r;
	return 0;
}

static int kw_snat(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	return kw_rule(c, argc, argv, 0, why);
}

static int kw_mark(struct nlvs_conf *c, int argc, char **argv, const char **why)
{
	return kw_rule(c, argc, argv, 1, why);
}

static const struct {
	const char *name;
	int (*parse)(struct nlvs_conf *c, int argc, char **argv, const char **why);
} keywords[] = {
	{ "eal", kw_eal },
	{ "control-socket", kw_socket },
	{ "state-file", kw_state },
	{ "state-sync", kw_state_sync },
	{ "log-level", kw_log },
	{ "metrics-listen", kw_metrics },
	{ "workers", kw_workers },
	{ "idle-sleep-us", kw_idle_sleep },
	{ "idle-backoff", kw_idle_backoff },
	{ "conn-table-size", kw_conn_table },
	{ "conn-table-ipv6", kw_conn_table_ipv6 },
	{ "mbufs", kw_mbufs },
	{ "neighbours", kw_neighbours },
	{ "ip-forward", kw_forward },
	{ "host-rate", kw_host_rate },
	{ "kernel-mirror", kw_kernel_mirror },
	{ "vip-neigh", kw_vip_neigh },
	{ "port", kw_port },
	{ "address", kw_address },
	{ "route", kw_route },
	{ "laddr", kw_laddr },
	{ "snat-rule", kw_snat },
	{ "mark", kw_mark },
	{ "snat-ports", kw_snat_ports },
};

int nlvs_conf_load(struct nlvs_conf *conf, const char *path, int must_exist,
		   char *err, size_t errlen)
{
	char line[4096], *words[NLVS_CONF_MAX_ARGS];
	unsigned int lineno = 0, conn_lineno = 0, i;
	int argc, rc = -1;
	FILE *f;

	memset(conf, 0, sizeof(*conf));
	conf->idle_sleep_us = NLVS_IDLE_SLEEP_DEFAULT;
	conf->mbufs = NLVS_MBUFS_DEFAULT;
	conf->neigh_entries = NLVS_NEIGH_ENTRIES_DEFAULT;
	conf->host_rate = NLVS_HOST_RATE_DEFAULT;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	conf->path = strdup(path);
	while (fgets(line, sizeof(line), f)) {
		const char *why = NULL;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			goto out;
		}
		argc = nlvs_conf_split(line, words, NLVS_CONF_MAX_ARGS);
		if (argc < 0) {
			snprintf(err, errlen, "%s:%u: unterminated quote or too many words",
				 path, lineno);
			goto out;
		}
		if (argc == 0)
			continue;
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (!strcmp(words[0], keywords[i].name))
				break;
		if (i == sizeof(keywords) / sizeof(keywords[0])) {
			snprintf(err, errlen, "%s:%u: unknown directive '%s'", path, lineno,
				 words[0]);
			goto out;
		}
		if (keywords[i].parse(conf, argc, words, &why) < 0) {
			snprintf(err, errlen, "%s:%u: %s: %s", path, lineno, words[0],
				 why ? why : strerror(errno));
			goto out;
		}
		if (!strncmp(words[0], "conn-table-", 11))
			conn_lineno = lineno;
	}
	if (!conn_tables_fit(conf)) {
		snprintf(err, errlen,
			 "%s:%u: conn-table-size plus twice conn-table-ipv6 (default: a sixteenth "
			 "of the size) is over 2^30 - 1",
			 path, conn_lineno);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	if (rc < 0)
		nlvs_conf_free(conf);
	return rc;
}

void nlvs_conf_free(struct nlvs_conf *conf)
{
	unsigned int u;
	int i;

	for (i = 0; i < conf->eal_argc; i++)
		free(conf->eal_argv[i]);
	for (u = 0; u < conf->nports; u++)
		free(conf->ports[u].devargs);
	for (u = 0; u < conf->nladdrs; u++)
		free(conf->laddrs[u].addrs);
	free(conf->ports);
	free(conf->addrs);
	free(conf->routes);
	free(conf->laddrs);
	free(conf->snat);
	free(conf->mark);
	free(conf->path);
	free(conf->control_socket);
	free(conf->state_file);
	memset(conf, 0, sizeof(*conf));
}
