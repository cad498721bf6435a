// SPDX-License-Identifier: GPL-2.0-or-later
/* Hooks the dataplane registers with the control API: the publisher of
 * changes, and named texts that front ends (nlvsctl through nlserver's NLVS
 * family) can read: a handful of entries, so a small array. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "nlvs_ctl.h"

#define TEXT_SOURCES_MAX	8
#define TEXT_NAME_LEN		32

static struct {
	char name[TEXT_NAME_LEN];
	nlvs_ctl_text_fn fn;
} sources[TEXT_SOURCES_MAX];

int nlvs_ctl_text_source_set(const char *name, nlvs_ctl_text_fn fn)
{
	int i, free_slot = -1;

	if (!name || !*name || strlen(name) >= TEXT_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < TEXT_SOURCES_MAX; i++) {
		if (sources[i].fn && !strcmp(sources[i].name, name)) {
			sources[i].fn = fn;
			return 0;
		}
		if (!sources[i].fn && free_slot < 0)
			free_slot = i;
	}
	if (!fn)
		return 0;
	if (free_slot < 0)
		return -ENOSPC;
	strcpy(sources[free_slot].name, name);
	sources[free_slot].fn = fn;
	return 0;
}

nlvs_ctl_text_fn nlvs_ctl_text_source(const char *name)
{
	int i;

	for (i = 0; i < TEXT_SOURCES_MAX; i++)
		if (sources[i].fn && !strcmp(sources[i].name, name))
			return sources[i].fn;
	return NULL;
}

size_t nlvs_ctl_text_snap_read(struct nlvs_ctl_text_snap *s, void (*write)(FILE *f),
			       size_t *idx, char *buf, size_t max)
{
	size_t n;

	if (*idx == 0) {
		FILE *f;

		free(s->buf);
		s->buf = NULL;
		s->len = 0;
		f = open_memstream(&s->buf, &s->len);
		if (!f)
			return 0;
		write(f);
		fclose(f);
	}
	if (!s->buf || *idx >= s->len)
		return 0;
	n = s->len - *idx;
	if (n > max)
		n = max;
	memcpy(buf, s->buf + *idx, n);
	*idx += n;
	return n;
}

static void (*sync_fn)(void);

void nlvs_ctl_sync_set(void (*fn)(void))
{
	sync_fn = fn;
}

void nlvs_ctl_sync(void)
{
	if (sync_fn)
		sync_fn();
}

const char *nlvs_proto_name(uint16_t proto, char *buf, size_t size)
{
	switch (proto) {
	case IPPROTO_IP:
		return "IP";
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_SCTP:
		return "SCTP";
	case IPPROTO_ICMP:
		return "ICMP";
	case IPPROTO_ICMPV6:
		return "ICMPv6";
	default:
		snprintf(buf, size, "IP_%u", proto);
		return buf;
	}
}

const char *nlvs_addr_str(int af, const union nlvs_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(af == AF_INET6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

void nlvs_ip6_full(const union nlvs_addr *a, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < 16 && n < size; i += 2)
		n += snprintf(buf + n, size - n, "%s%02x%02x", i ? ":" : "", a->b[i], a->b[i + 1]);
}
