// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlvsctl -j: each view's text (the /proc formats and nlvsd's own "name
 * value" and laddrs texts, as nlvsd sends them) as JSON, built with jansson.
 * Addresses come out in the usual notation, ports and counters as numbers.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "nlvsctl.h"

/* Unsigned decimal or NULL: counters become numbers, the rest strings. */
static json_t *value_new(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s >= '0' && *s <= '9') {
		v = strtoull(s, &end, 10);
		if (!*end && v <= INT64_MAX)
			return json_integer((json_int_t)v);
	}
	return json_string(s);
}

static json_t *uhex_new(const char *s)
{
	return json_integer((json_int_t)strtoull(s, NULL, 16));
}

/* An address as /proc prints it: 8 hex digits (IPv4, host order) or eight
 * colon-separated groups of four (IPv6, with or without brackets). */
static json_t *addr_new(const char *s)
{
	char buf[INET6_ADDRSTRLEN], tmp[48];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n = strlen(s);

	if (n == 8 && !strchr(s, ':')) {
		a4.s_addr = htonl((uint32_t)strtoul(s, NULL, 16));
		inet_ntop(AF_INET, &a4, buf, sizeof(buf));
		return json_string(buf);
	}
	if (s[0] == '[' && n >= 2 && n - 2 < sizeof(tmp)) {
		memcpy(tmp, s + 1, n - 2);
		tmp[n - 2] = '\0';
		s = tmp;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		inet_ntop(AF_INET6, &a6, buf, sizeof(buf));
		return json_string(buf);
	}
	return json_string(s);
}

/* "ADDR:PORT" of /proc/net/ip_vs (port in hex) into @o's "address", "port". */
static void addr_port_set(json_t *o, const char *s)
{
	const char *colon = strrchr(s, ':');
	char a[64];
	size_t n;

	if (!colon || (size_t)(colon - s) >= sizeof(a)) {
		json_object_set_new(o, "address", json_string(s));
		return;
	}
	n = (size_t)(colon - s);
	memcpy(a, s, n);
	a[n] = '\0';
	json_object_set_new(o, "address", addr_new(a));
	json_object_set_new(o, "port", uhex_new(colon + 1));
}

static int words(char *line, char **w, int max)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	return n;
}

/* "name value" lines: one object, keys in nlvsd's order. */
static json_t *stats_json(char *text)
{
	json_t *o = json_object();
	char *save = NULL, *line, *w[2];

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (words(line, w, 2) == 2)
			json_object_set_new(o, w[0], value_new(w[1]));
	return o;
}

/* /proc/net/ip_vs_stats: two heading lines and the totals, a blank line,
 * a heading line and the rates: the rows of five hex numbers, in order. */
static json_t *totals_json(char *text)
{
	static const char *const names[2][5] = {
		{ "conns", "inpkts", "outpkts", "inbytes", "outbytes" },
		{ "cps", "inpps", "outpps", "inbps", "outbps" },
	};
	json_t *o = json_object();
	char *save = NULL, *line, *w[6], *end;
	int row = 0, i;

	for (line = strtok_r(text, "\n", &save); line && row < 2;
	     line = strtok_r(NULL, "\n", &save)) {
		if (words(line, w, 6) != 5)
			continue;
		strtoull(w[0], &end, 16);
		if (*end)
			continue;	/* a heading */
		for (i = 0; i < 5; i++)
			json_object_set_new(o, names[row][i], uhex_new(w[i]));
		row++;
	}
	return o;
}

/* /proc/net/ip_vs: a service line, then its "  -> " dest lines. */
static json_t *services_json(char *text)
{
	json_t *list = json_array(), *svc = NULL, *dests = NULL;
	char *save = NULL, *line, *w[12];
	int n, i;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n = words(line, w, 12);
		if (n >= 6 && !strcmp(w[0], "->") && dests && strchr(w[1], ':')) {
			json_t *d = json_object();

			addr_port_set(d, w[1]);
			json_object_set_new(d, "forward", json_string(w[2]));
			json_object_set_new(d, "weight", value_new(w[3]));
			json_object_set_new(d, "active_conns", value_new(w[4]));
			json_object_set_new(d, "inactive_conns", value_new(w[5]));
			json_array_append_new(dests, d);
			continue;
		}
		if (n < 2 || !strcmp(w[0], "IP") || !strcmp(w[0], "Prot") || !strcmp(w[0], "->"))
			continue;
		svc = json_object();
		dests = json_array();
		json_object_set_new(svc, "proto", json_string(w[0]));
		if (!strcmp(w[0], "FWM"))
			json_object_set_new(svc, "fwmark", uhex_new(w[1]));
		else
			addr_port_set(svc, w[1]);
		json_object_set_new(svc, "scheduler", json_string(n > 2 ? w[2] : "none"));
		for (i = 3; i < n; i++) {
			if (!strcmp(w[i], "ops"))
				json_object_set_new(svc, "one_packet", json_true());
			else if (!strcmp(w[i], "persistent") && i + 2 < n) {
				/* timeout in jiffies (HZ 250, as the kernel's file) */
				json_object_set_new(svc, "persistent_jiffies", value_new(w[i + 1]));
				json_object_set_new(svc, "netmask", uhex_new(w[i + 2]));
				i += 2;
			}
		}
		json_object_set_new(svc, "dests", dests);
		json_array_append_new(list, svc);
	}
	return list;
}

/* /proc/net/ip_vs_conn: a header, then one connection a line. */
static json_t *conns_json(char *text)
{
	static const char *const pairs[] = { "client", "virtual", "dest" };
	json_t *list = json_array();
	char *save = NULL, *line, *w[12];
	int n, i;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *c;

		n = words(line, w, 12);
		if (n < 9 || !strcmp(w[0], "Pro"))
			continue;
		c = json_object();
		json_object_set_new(c, "proto", json_string(w[0]));
		for (i = 0; i < 3; i++) {
			json_t *ep = json_object();

			json_object_set_new(ep, "address", addr_new(w[1 + 2 * i]));
			json_object_set_new(ep, "port", uhex_new(w[2 + 2 * i]));
			json_object_set_new(c, pairs[i], ep);
		}
		json_object_set_new(c, "state", json_string(w[7]));
		json_object_set_new(c, "expires", value_new(w[8]));
		json_array_append_new(list, c);
	}
	return list;
}

/* nlvsd's laddrs: kind address state held ports pool. */
static json_t *laddrs_json(char *text)
{
	json_t *list = json_array();
	char *save = NULL, *line, *w[6];
	int n;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *o;

		n = words(line, w, 6);
		if (n < 5 || !strcmp(w[0], "kind"))
			continue;
		o = json_object();
		json_object_set_new(o, "kind", json_string(w[0]));
		json_object_set_new(o, "address", json_string(w[1]));
		json_object_set_new(o, "state", json_string(w[2]));
		json_object_set_new(o, "held", value_new(w[3]));
		json_object_set_new(o, "ports", value_new(w[4]));
		json_object_set_new(o, "pool", json_string(n > 5 ? w[5] : "-"));
		json_array_append_new(list, o);
	}
	return list;
}

/* nlvsd's ports: PORT DPDK MAC MTU LINK(state speed) TWIN TWIN-LINK UP/DOWN. */
static json_t *ports_json(char *text)
{
	json_t *list = json_array();
	char *save = NULL, *line, *w[10], *slash;
	int n;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *o;

		n = words(line, w, 10);
		if (n < 9 || !strcmp(w[0], "PORT"))
			continue;
		o = json_object();
		json_object_set_new(o, "name", json_string(w[0]));
		json_object_set_new(o, "port_id", value_new(w[1]));
		json_object_set_new(o, "mac", json_string(w[2]));
		json_object_set_new(o, "mtu", value_new(w[3]));
		json_object_set_new(o, "link", json_string(w[4]));
		json_object_set_new(o, "speed_mbps", json_integer(strtol(w[5], NULL, 10)));
		json_object_set_new(o, "twin", !strcmp(w[6], "off") ? json_null() : json_string(w[6]));
		json_object_set_new(o, "twin_link", !strcmp(w[7], "-") ? json_null() : json_string(w[7]));
		slash = strchr(w[8], '/');
		if (slash) {
			*slash = '\0';
			json_object_set_new(o, "twin_up", value_new(w[8]));
			json_object_set_new(o, "twin_down", value_new(slash + 1));
		}
		json_array_append_new(list, o);
	}
	return list;
}

/* A view this file does not know yet: "name value" lines as an object,
 * anything else as its lines, so that -j never fails on a new view. */
static json_t *lines_json(char *text)
{
	json_t *o = json_object(), *lines = json_array();
	char *save = NULL, *line, *copy, *w[3];
	int pairs = 1;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_array_append_new(lines, json_string(line));
		copy = strdup(line);
		if (!copy || words(copy, w, 3) != 2)
			pairs = 0;
		else
			json_object_set_new(o, w[0], value_new(w[1]));
		free(copy);
	}
	if (pairs) {
		json_decref(lines);
		return o;
	}
	json_decref(o);
	return lines;
}

int nlvsctl_json_print(const char *view, char *text, FILE *out)
{
	static const struct {
		const char *view;
		json_t *(*conv)(char *text);
	} views[] = {
		{ "stats", stats_json },
		{ "totals", totals_json },
		{ "services", services_json },
		{ "conns", conns_json },
		{ "laddrs", laddrs_json },
		{ "ports", ports_json },
	};
	json_t *j = NULL;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (!strcmp(view, views[i].view))
			j = views[i].conv(text);
	if (!j)
		j = lines_json(text);
	if (!j)
		return -1;
	rc = json_dumpf(j, out, JSON_INDENT(2));
	json_decref(j);
	if (rc == 0)
		fputc('\n', out);
	return rc;
}
