// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NLVS family: the text of /proc/net/ip_vs_conn, /proc/net/ip_vs and
 * /proc/net/ip_vs_stats as a dump of TEXT chunks, for the shim to serve to
 * `ipvsadm -Lc` and to monitoring tools, and the dataplane's own texts
 * (nlvs_ctl_text_source_set(): "nlvs_stats", ...) for nlvsctl.  The kernel's files are world
 * readable, so this needs no CAP_NET_ADMIN.  Formats: ipvs-genl.md 11.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/ip_vs.h>

#include "nls_int.h"

#define NLS_NLVS_VERSION	1
/* /proc/net/ip_vs prints persistence timeouts in jiffies; Debian's HZ. */
#define NLS_PROC_HZ		250
/* A TEXT message needs its headers plus a useful amount of text. */
#define NLS_PROC_MIN_ROOM	(NLS_GENL_HDRLEN + 4 + 256)

static const char *nls_fwd_name(uint32_t fwd)
{
	switch (fwd & NLVS_FWD_MASK) {
	case NLVS_FWD_LOCALNODE:
		return "Local";
	case NLVS_FWD_TUNNEL:
		return "Tunnel";
	case NLVS_FWD_DROUTE:
		return "Route";
	default:
		return "Masq";
	}
}

static int nls_proc_svc_line(struct nls_proc_gen *g, const struct nlvs_svc_info *si)
{
	const struct nlvs_svc_conf *c = &si->conf;
	const char *sched = c->sched_name[0] ? c->sched_name : "none";
	const char *ops = (c->flags & NLVS_SVC_F_ONEPACKET) ? "ops " : "";
	char proto[16], ip6[40];
	int n;

	if (c->key.fwmark)
		n = snprintf(g->line, sizeof(g->line), "FWM  %08X %s %s", c->key.fwmark, sched,
			     ops);
	else if (c->key.af == AF_INET6) {
		nlvs_ip6_full(&c->key.addr, ip6, sizeof(ip6));
		n = snprintf(g->line, sizeof(g->line), "%s  [%s]:%04X %s ",
			     nlvs_proto_name(c->key.protocol, proto, sizeof(proto)), ip6,
			     ntohs(c->key.port), sched);
	} else {
		n = snprintf(g->line, sizeof(g->line), "%s  %08X:%04X %s %s ",
			     nlvs_proto_name(c->key.protocol, proto, sizeof(proto)),
			     ntohl(c->key.addr.ip), ntohs(c->key.port), sched, ops);
	}
	if (n < 0 || (size_t)n >= sizeof(g->line))
		n = 0;
	if (c->flags & NLVS_SVC_F_PERSISTENT)
		n += snprintf(g->line + n, sizeof(g->line) - n, "persistent %d %08X\n",
			      (int)(c->timeout * NLS_PROC_HZ), ntohl(c->netmask));
	else
		n += snprintf(g->line + n, sizeof(g->line) - n, "\n");
	return n;
}

static int nls_proc_dest_line(struct nls_proc_gen *g, const struct nlvs_dest_info *di)
{
	const struct nlvs_dest_conf *c = &di->conf;
	char ip6[40];

	if (c->af == AF_INET6) {
		nlvs_ip6_full(&c->addr, ip6, sizeof(ip6));
		return snprintf(g->line, sizeof(g->line),
				"  -> [%s]:%04X      %-7s %-6d %-10d %-10d\n",
				ip6, ntohs(c->port), nls_fwd_name(c->fwd), c->weight,
				(int)di->activeconns, (int)di->inactconns);
	}
	return snprintf(g->line, sizeof(g->line), "  -> %08X:%04X      %-7s %-6d %-10d %-10d\n",
			ntohl(c->addr.ip), ntohs(c->port), nls_fwd_name(c->fwd), c->weight,
			(int)di->activeconns, (int)di->inactconns);
}

/* /proc/net/ip_vs: three header lines, then each service and its dests. */
static int nls_proc_ipvs_line(struct nls_proc_gen *g)
{
	struct nlvs_svc_info si;
	struct nlvs_dest_info di;

	switch (g->stage) {
	case 0:
		g->stage++;
		return snprintf(g->line, sizeof(g->line),
				"IP Virtual Server version %d.%d.%d (size=%d)\n",
				(NLVS_IPVS_VERSION >> 16) & 0xff, (NLVS_IPVS_VERSION >> 8) & 0xff,
				NLVS_IPVS_VERSION & 0xff, NLVS_CONN_TAB_SIZE);
	case 1:
		g->stage++;
		return snprintf(g->line, sizeof(g->line),
				"Prot LocalAddress:Port Scheduler Flags\n");
	case 2:
		g->stage++;
		return snprintf(g->line, sizeof(g->line),
				"  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n");
	case 3:
		if (nlvs_ctl_svc_walk(&g->svc_cursor, &si) <= 0)
			return 0;
		g->svc = si.conf.key;
		g->dest_cursor = 0;
		g->stage++;
		return nls_proc_svc_line(g, &si);
	case 4:
		if (nlvs_ctl_dest_walk(&g->svc, &g->dest_cursor, &di) > 0)
			return nls_proc_dest_line(g, &di);
		g->stage = 3;
		return nls_proc_ipvs_line(g);
	default:
		return 0;
	}
}

static int nls_proc_stats_row(struct nls_proc_gen *g, uint64_t a, uint64_t b, uint64_t c,
			      uint64_t d, uint64_t e, const char *tail)
{
	return snprintf(g->line, sizeof(g->line), "%8llX %8llX %8llX %16llX %16llX\n%s",
			(unsigned long long)a, (unsigned long long)b, (unsigned long long)c,
			(unsigned long long)d, (unsigned long long)e, tail);
}

/* /proc/net/ip_vs_stats: the global totals (deleted services included), then rates. */
static int nls_proc_stats_line(struct nls_proc_gen *g)
{
	struct nlvs_stats *t = &g->tot;

	switch (g->stage++) {
	case 0:
		return snprintf(g->line, sizeof(g->line), "%s\n%s\n",
				"   Total Incoming Outgoing         Incoming         Outgoing",
				"   Conns  Packets  Packets            Bytes            Bytes");
	case 1:
		nlvs_ctl_stats_get(t);
		return nls_proc_stats_row(g, t->conns, t->inpkts, t->outpkts, t->inbytes,
					  t->outbytes, "\n");
	case 2:
		return snprintf(g->line, sizeof(g->line), "%s\n",
				" Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s");
	case 3:
		return nls_proc_stats_row(g, t->cps, t->inpps, t->outpps, t->inbps, t->outbps, "");
	default:
		return 0;
	}
}

size_t nls_proc_read(struct nls_proc_gen *g, char *buf, size_t max)
{
	size_t done = 0, n;
	int len;

	if (g->file == NLS_PROC_CONN)
		return nlvs_ctl_conn_text(&g->svc_cursor, buf, max);
	if (g->file == NLS_PROC_TEXT)
		return g->text(&g->svc_cursor, buf, max);
	while (done < max) {
		if (g->line_off == g->line_len) {
			if (g->file == NLS_PROC_IPVS)
				len = nls_proc_ipvs_line(g);
			else
				len = nls_proc_stats_line(g);
			if (len <= 0)
				break;
			if ((size_t)len >= sizeof(g->line))
				len = sizeof(g->line) - 1;
			g->line_len = len;
			g->line_off = 0;
		}
		n = g->line_len - g->line_off;
		if (n > max - done)
			n = max - done;
		memcpy(buf + done, g->line + g->line_off, n);
		g->line_off += n;
		done += n;
	}
	return done;
}

static int nls_nlvs_proc_next(struct nls_dump *d, void *buf, size_t room)
{
	struct nlmsghdr *nlh;
	struct nlattr *text;
	size_t n, max;

	if (room < NLS_PROC_MIN_ROOM)
		return -1;
	nlh = nls_dump_msg_start(d, buf, NLS_NLVS_CMD_PROC_TEXT);
	text = mnl_nlmsg_get_payload_tail(nlh);
	max = room - NLS_GENL_HDRLEN - MNL_ATTR_HDRLEN;
	max &= ~(size_t)(MNL_ALIGNTO - 1);
	n = nls_proc_read(&d->proc, mnl_attr_get_payload(text), max);
	if (!n)
		return 0;
	text->nla_type = NLS_NLVS_ATTR_TEXT;
	text->nla_len = MNL_ATTR_HDRLEN + n;
	nlh->nlmsg_len += MNL_ALIGN(text->nla_len);
	return nlh->nlmsg_len;
}

static const struct nls_policy nls_nlvs_policy[NLS_NLVS_ATTR_TEXT + 1] = {
	[NLS_NLVS_ATTR_PROC_NAME] = { NLS_A_NUL_STRING, 31 },
	[NLS_NLVS_ATTR_TEXT] = { NLS_A_BINARY, 0 },
};

static int nls_nlvs_dump_proc(struct nls_req *req, struct nls_dump *d)
{
	static const char *const names[] = {
		[NLS_PROC_CONN] = "ip_vs_conn",
		[NLS_PROC_IPVS] = "ip_vs",
		[NLS_PROC_STATS] = "ip_vs_stats",
	};
	const struct nlattr *tb[NLS_NLVS_ATTR_TEXT + 1];
	const struct nlmsghdr *nlh = req->nlh;
	const char *name;
	size_t i;
	int err;

	err = nls_attr_parse((const char *)nlh + NLS_GENL_HDRLEN, nlh->nlmsg_len - NLS_GENL_HDRLEN,
			     nls_nlvs_policy, NLS_NLVS_ATTR_TEXT, tb);
	if (err)
		return err;
	if (!tb[NLS_NLVS_ATTR_PROC_NAME])
		return -EINVAL;
	name = mnl_attr_get_payload(tb[NLS_NLVS_ATTR_PROC_NAME]);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			d->proc.file = i;
			d->next = nls_nlvs_proc_next;
			return 0;
		}
	}
	/* Dataplane texts for nlvsctl (drop counters, ports, workers). */
	d->proc.text = nlvs_ctl_text_source(name);
	if (!d->proc.text)
		return -ENOENT;
	d->proc.file = NLS_PROC_TEXT;
	d->next = nls_nlvs_proc_next;
	return 0;
}

static const struct nls_op nls_nlvs_ops[] = {
	{ NLS_NLVS_CMD_GET_PROC, 0, NULL, nls_nlvs_dump_proc },
};

const struct nls_family nls_nlvs_family = {
	.name = NLS_NLVS_FAMILY_NAME,
	.id = NLS_NLVS_FAMILY_ID,
	.version = NLS_NLVS_VERSION,
	.resv_start_op = 0,
	.maxattr = NLS_NLVS_ATTR_TEXT,
	.policy = nls_nlvs_policy,
	.ops = nls_nlvs_ops,
	.n_ops = sizeof(nls_nlvs_ops) / sizeof(nls_nlvs_ops[0]),
};
