// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * State file records: one readable line per change, "verb key=value ...",
 * used by both the journal and the snapshot, e.g.
 *   service-add af=2 proto=6 addr=10.0.0.1 port=80 sched=wlc pe= flags=0x3
 *               timeout=300 netmask=255.255.255.255
 *   dest-add af=2 fwmark=7 daf=2 daddr=192.168.1.10 dport=0 fwd=2 weight=1 ...
 * Ports are in host order, names are %-escaped.  Records hold resulting
 * state (flags with mask ~0, all dest fields), so applying one twice is
 * harmless.  Applying goes through the public control functions, so a loaded
 * configuration passes the same checks as one built by ipvsadm.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_priv.h"
#include "base/nlvs_log.h"

struct rec_buf {
	char *p;
	size_t max, len;
};

static void put(struct rec_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct rec_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->max)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->max - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

/* Escape what would break the "key=value " syntax: space, '=', '%', controls. */
static void put_name(struct rec_buf *b, const char *key, const char *s, size_t size)
{
	size_t i;

	put(b, " %s=", key);
	for (i = 0; i < size && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '%' || c == '=')
			put(b, "%%%02x", c);
		else
			put(b, "%c", c);
	}
}

static void put_addr(struct rec_buf *b, const char *key, uint16_t af, const union nlvs_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	put(b, " %s=%s", key, nlvs_addr_str(af, a, s, sizeof(s)));
}

static void put_key(struct rec_buf *b, const char *verb, const struct nlvs_svc_key *k)
{
	put(b, "%s af=%u", verb, k->af);
	if (k->fwmark) {
		put(b, " fwmark=%u", k->fwmark);
		return;
	}
	put(b, " proto=%u", k->protocol);
	put_addr(b, "addr", k->af, &k->addr);
	put(b, " port=%u", ntohs(k->port));
}

/* A record that does not fit is cut: it then fails to parse and is skipped
 * rather than misread.  Nothing real comes close to NLVS_REC_MAX. */
static int put_end(struct rec_buf *b)
{
	put(b, "\n");
	if (b->len >= b->max) {
		b->len = b->max - 1;
		b->p[b->len] = '\0';
	}
	return (int)b->len;
}

int nlvs_ctl_rec_svc_key(char *buf, size_t max, const char *verb,
			 const struct nlvs_svc_key *key)
{
	struct rec_buf b = { buf, max, 0 };

	put_key(&b, verb, key);
	return put_end(&b);
}

int nlvs_ctl_rec_svc(char *buf, size_t max, const char *verb, const struct nlvs_svc_conf *c)
{
	struct rec_buf b = { buf, max, 0 };

	put_key(&b, verb, &c->key);
	put_name(&b, "sched", c->sched_name, sizeof(c->sched_name));
	put_name(&b, "pe", c->pe_name, sizeof(c->pe_name));
	put(&b, " flags=0x%x timeout=%u", c->flags, c->timeout);
	if (c->key.af == AF_INET)
		put_addr(&b, "netmask", AF_INET, (const union nlvs_addr *)&c->netmask);
	else
		put(&b, " netmask=%u", c->netmask);
	return put_end(&b);
}

int nlvs_ctl_rec_dest(char *buf, size_t max, const char *verb, const struct nlvs_svc_key *key,
		      const struct nlvs_dest_conf *c, int full)
{
	struct rec_buf b = { buf, max, 0 };

	put_key(&b, verb, key);
	put(&b, " daf=%u", c->af);
	put_addr(&b, "daddr", c->af, &c->addr);
	put(&b, " dport=%u", ntohs(c->port));
	if (full)
		put(&b, " fwd=%u weight=%d uthresh=%u lthresh=%u tuntype=%u tunport=%u tunflags=%u",
		    c->fwd, c->weight, c->u_thresh, c->l_thresh, c->tun_type, ntohs(c->tun_port),
		    c->tun_flags);
	return put_end(&b);
}

int nlvs_ctl_rec_daemon(char *buf, size_t max, const struct nlvs_daemon_conf *c)
{
	struct rec_buf b = { buf, max, 0 };

	put(&b, "daemon-add state=%u", c->state);
	put_name(&b, "ifn", c->mcast_ifn, sizeof(c->mcast_ifn));
	put(&b, " syncid=%u maxlen=%u mcastport=%u ttl=%u mcastaf=%u", c->syncid,
	    c->sync_maxlen, c->mcast_port, c->mcast_ttl, c->mcast_af);
	if (c->mcast_af)
		put_addr(&b, "group", c->mcast_af, &c->mcast_group);
	return put_end(&b);
}

int nlvs_ctl_rec_timeouts(char *buf, size_t max, const struct nlvs_timeouts *t)
{
	struct rec_buf b = { buf, max, 0 };

	put(&b, "timeouts tcp=%u tcpfin=%u udp=%u", t->tcp, t->tcp_fin, t->udp);
	return put_end(&b);
}

/*
 * Seals.  In the state files every line carries a CRC-32 (IEEE, as zlib) of
 * its number in the file (0 for the header, as 8 little-endian bytes)
 * followed by its text: " ~xxxxxxxx" before the newline.  A changed byte
 * fails its line; a lost, duplicated or moved line fails the lines after it.
 */

uint32_t nlvs_ctl_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const unsigned char *p = buf;
	uint32_t c;
	int i, k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			c = (uint32_t)i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t seal_crc(const char *text, size_t len, uint64_t seq)
{
	unsigned char le[8];
	int i;

	for (i = 0; i < 8; i++)
		le[i] = (unsigned char)(seq >> (8 * i));
	return nlvs_ctl_crc32(nlvs_ctl_crc32(0, le, sizeof(le)), text, len);
}

int nlvs_ctl_rec_seal(char *out, size_t max, const char *rec, size_t len, uint64_t seq)
{
	int n;

	if (len && rec[len - 1] == '\n')
		len--;
	if (!len || memchr(rec, '\n', len) || len + NLVS_SEAL_LEN + 1 > max)
		return -EMSGSIZE;
	if (out != rec)
		memmove(out, rec, len);
	n = snprintf(out + len, max - len, " ~%08x\n", seal_crc(out, len, seq));
	return (int)len + n;
}

int nlvs_ctl_rec_unseal(char *line, uint64_t seq)
{
	size_t len = strlen(line);
	char *end;
	unsigned long crc;

	if (len < NLVS_SEAL_LEN || line[len - NLVS_SEAL_LEN] != ' ' ||
	    line[len - NLVS_SEAL_LEN + 1] != '~')
		return -EBADMSG;
	crc = strtoul(line + len - 8, &end, 16);
	if (*end || seal_crc(line, len - NLVS_SEAL_LEN, seq) != crc)
		return -EBADMSG;
	line[len - NLVS_SEAL_LEN] = '\0';
	return 0;
}

/*
 * Parsing.
 */

#define REC_MAX_KV	24

struct rec {
	const char *verb;
	unsigned int n;
	char *key[REC_MAX_KV], *val[REC_MAX_KV];
	const char *bad;	/* first problem found, for the log */
};

static int rec_split(struct rec *r, char *line)
{
	char *save = NULL, *tok;

	memset(r, 0, sizeof(*r));
	r->verb = strtok_r(line, " \t\r\n", &save);
	if (!r->verb)
		return -1;
	while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq || r->n == REC_MAX_KV)
			return -1;
		*eq = '\0';
		r->key[r->n] = tok;
		r->val[r->n++] = eq + 1;
	}
	return 0;
}

static const char *rec_get(struct rec *r, const char *key)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], key))
			return r->val[i];
	if (!r->bad)
		r->bad = key;
	return NULL;
}

/* A missing or malformed value marks the record bad (r->bad) and leaves 0. */
static uint32_t rec_u32(struct rec *r, const char *key, uint32_t max)
{
	const char *v = rec_get(r, key);
	unsigned long long x;
	char *end;

	if (!v)
		return 0;
	errno = 0;
	x = strtoull(v, &end, 0);
	if (!*v || *end || errno || x > max || v[0] == '-') {
		if (!r->bad)
			r->bad = key;
		return 0;
	}
	return (uint32_t)x;
}

static int32_t rec_s32(struct rec *r, const char *key)
{
	const char *v = rec_get(r, key);
	long long x;
	char *end;

	if (!v)
		return 0;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (!*v || *end || errno || x < INT32_MIN || x > INT32_MAX) {
		if (!r->bad)
			r->bad = key;
		return 0;
	}
	return (int32_t)x;
}

static void rec_addr(struct rec *r, const char *key, uint16_t af, union nlvs_addr *out)
{
	const char *v = rec_get(r, key);

	memset(out, 0, sizeof(*out));
	if (v && inet_pton(af == AF_INET6 ? AF_INET6 : AF_INET, v, out) != 1 && !r->bad)
		r->bad = key;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void rec_name(struct rec *r, const char *key, char *out, size_t size)
{
	const char *v = rec_get(r, key);
	size_t n = 0;

	memset(out, 0, size);
	if (!v)
		return;
	while (*v) {
		int c = (unsigned char)*v++;

		if (c == '%') {
			int hi = hexval(v[0]), lo = hi < 0 ? -1 : hexval(v[1]);

			if (lo < 0)
				goto bad;
			c = hi << 4 | lo;
			v += 2;
		}
		if (n + 1 >= size || c == 0)
			goto bad;
		out[n++] = (char)c;
	}
	return;
bad:
	if (!r->bad)
		r->bad = key;
}

static void rec_svc_key(struct rec *r, struct nlvs_svc_key *k)
{
	unsigned int i;

	memset(k, 0, sizeof(*k));
	k->af = (uint16_t)rec_u32(r, "af", 0xffff);
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], "fwmark"))
			break;
	if (i < r->n) {
		k->fwmark = rec_u32(r, "fwmark", 0xffffffff);
		k->protocol = IPPROTO_TCP;
		return;
	}
	k->protocol = (uint16_t)rec_u32(r, "proto", 0xffff);
	rec_addr(r, "addr", k->af, &k->addr);
	k->port = htons((uint16_t)rec_u32(r, "port", 0xffff));
}

static void rec_svc_conf(struct rec *r, struct nlvs_svc_conf *c)
{
	const char *v;

	memset(c, 0, sizeof(*c));
	rec_svc_key(r, &c->key);
	rec_name(r, "sched", c->sched_name, sizeof(c->sched_name));
	rec_name(r, "pe", c->pe_name, sizeof(c->pe_name));
	c->flags = rec_u32(r, "flags", 0xffffffff);
	c->flags_mask = 0xffffffff;
	c->timeout = rec_u32(r, "timeout", 0xffffffff);
	v = rec_get(r, "netmask");
	if (v && strchr(v, '.')) {
		if (inet_pton(AF_INET, v, &c->netmask) != 1 && !r->bad)
			r->bad = "netmask";
	} else if (v) {
		c->netmask = rec_u32(r, "netmask", 0xffffffff);
	}
}

static void rec_dest_conf(struct rec *r, struct nlvs_dest_conf *c, int full)
{
	memset(c, 0, sizeof(*c));
	c->af = (uint16_t)rec_u32(r, "daf", 0xffff);
	rec_addr(r, "daddr", c->af, &c->addr);
	c->port = htons((uint16_t)rec_u32(r, "dport", 0xffff));
	if (!full)
		return;
	c->fwd = rec_u32(r, "fwd", NLVS_FWD_MASK);
	c->weight = rec_s32(r, "weight");
	c->u_thresh = rec_u32(r, "uthresh", 0xffffffff);
	c->l_thresh = rec_u32(r, "lthresh", 0xffffffff);
	c->tun_type = (uint8_t)rec_u32(r, "tuntype", 0xff);
	c->tun_port = htons((uint16_t)rec_u32(r, "tunport", 0xffff));
	c->tun_flags = (uint16_t)rec_u32(r, "tunflags", 0xffff);
}

static void rec_daemon_conf(struct rec *r, struct nlvs_daemon_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->state = rec_u32(r, "state", 0xffffffff);
	rec_name(r, "ifn", c->mcast_ifn, sizeof(c->mcast_ifn));
	c->syncid = rec_u32(r, "syncid", 0xffffffff);
	c->sync_maxlen = (uint16_t)rec_u32(r, "maxlen", 0xffff);
	c->mcast_port = (uint16_t)rec_u32(r, "mcastport", 0xffff);
	c->mcast_ttl = (uint8_t)rec_u32(r, "ttl", 0xff);
	c->mcast_af = (uint16_t)rec_u32(r, "mcastaf", 0xffff);
	if (c->mcast_af)
		rec_addr(r, "group", c->mcast_af, &c->mcast_group);
}

static int rec_run(struct rec *r)
{
	const char *v = r->verb;
	struct nlvs_daemon_conf dc;
	struct nlvs_dest_conf d;
	struct nlvs_svc_conf s;
	struct nlvs_timeouts t;

	if (!strcmp(v, "service-add") || !strcmp(v, "service-edit")) {
		rec_svc_conf(r, &s);
		if (r->bad)
			return -EINVAL;
		return v[8] == 'a' ? nlvs_ctl_svc_add_loaded(&s) : nlvs_ctl_svc_edit_loaded(&s);
	}
	if (!strcmp(v, "service-del")) {
		rec_svc_key(r, &s.key);
		return r->bad ? -EINVAL : nlvs_ctl_svc_del(&s.key);
	}
	if (!strcmp(v, "dest-add") || !strcmp(v, "dest-edit") || !strcmp(v, "dest-del")) {
		rec_svc_key(r, &s.key);
		rec_dest_conf(r, &d, v[5] != 'd');
		if (r->bad)
			return -EINVAL;
		if (v[5] == 'a')
			return nlvs_ctl_dest_add(&s.key, &d);
		return v[5] == 'e' ? nlvs_ctl_dest_edit(&s.key, &d) : nlvs_ctl_dest_del(&s.key, &d);
	}
	if (!strcmp(v, "daemon-add")) {
		rec_daemon_conf(r, &dc);
		return r->bad ? -EINVAL : nlvs_ctl_daemon_add(&dc);
	}
	if (!strcmp(v, "daemon-del")) {
		dc.state = rec_u32(r, "state", 0xffffffff);
		return r->bad ? -EINVAL : nlvs_ctl_daemon_del(dc.state);
	}
	if (!strcmp(v, "timeouts")) {
		t.tcp = rec_u32(r, "tcp", 0xffffffff);
		t.tcp_fin = rec_u32(r, "tcpfin", 0xffffffff);
		t.udp = rec_u32(r, "udp", 0xffffffff);
		return r->bad ? -EINVAL : nlvs_ctl_timeout_set(&t);
	}
	if (!strcmp(v, "flush")) {
		return nlvs_ctl_flush();
	}
	r->bad = "verb";
	return -EINVAL;
}

int nlvs_ctl_rec_apply(char *line, const char *file, unsigned int lineno)
{
	struct rec r;
	int ret;

	if (rec_split(&r, line) < 0) {
		nlvs_log_warnx("%s:%u: malformed record, skipped", file, lineno);
		return -EINVAL;
	}
	ret = rec_run(&r);
	if (r.bad)
		nlvs_log_warnx("%s:%u: %s: bad or missing %s, skipped", file, lineno, r.verb,
			       r.bad);
	else if (ret < 0)
		nlvs_log_warnx("%s:%u: %s: %s, skipped", file, lineno, r.verb, strerror(-ret));
	return ret;
}
