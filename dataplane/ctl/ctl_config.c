// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rest of the IPVS configuration: sync daemons (stored and reported as
 * the kernel would; the sync protocol itself comes later), protocol timeouts
 * and the connection listing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_priv.h"

#define SYNC_GROUP	0xe0000051	/* 224.0.0.81 */
#define SYNC_PORT	8848
#define SYNC_HLEN4	28		/* IPv4 + UDP headers */
#define SYNC_HLEN6	48		/* IPv6 + UDP headers */
/* The kernel rejects more than INT_MAX jiffies: INT_MAX / HZ seconds.  Debian's
 * kernels run with HZ = 250, so ipvsadm's own maximum (2678400, 31 days) must
 * pass, as it does on a real kernel. */
#define TIMEOUT_MAX	8589934u

static struct {
	struct {
		int running;
		struct nlvs_daemon_conf asked;	/* as requested: what the journal keeps */
		struct nlvs_daemon_conf conf;	/* with the kernel's defaults */
	} daemon[2];
	struct nlvs_timeouts timeouts;
	size_t (*conn_source)(size_t *idx, char *buf, size_t max);
} cfg;

void nlvs_ctl_config_reset(void)
{
	memset(cfg.daemon, 0, sizeof(cfg.daemon));
	cfg.timeouts.tcp = NLVS_TIMEOUT_TCP_DEFAULT;
	cfg.timeouts.tcp_fin = NLVS_TIMEOUT_TCP_FIN_DEFAULT;
	cfg.timeouts.udp = NLVS_TIMEOUT_UDP_DEFAULT;
}

int nlvs_ctl_daemon_any(void)
{
	return cfg.daemon[0].running || cfg.daemon[1].running;
}

/* The device MTU, looked up in the netns nlvsd runs in, like the kernel's
 * __dev_get_by_name() in the caller's netns.  0 = no such interface. */
static unsigned int ifname_mtu(const char *name)
{
	struct ifreq ifr;
	int fd, ret;

	if (!name[0] || strlen(name) >= IFNAMSIZ || !if_nametoindex(name))
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1500;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ret = ioctl(fd, SIOCGIFMTU, &ifr);
	close(fd);
	return ret < 0 || ifr.ifr_mtu <= 0 ? 1500 : (unsigned int)ifr.ifr_mtu;
}

static unsigned int clamp_u(unsigned int v, unsigned int lo, unsigned int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * ip_vs_genl_new_daemon() then start_sync_thread(), in their order: group
 * must be multicast, no mixed-family dest, interface known (defaults are
 * filled in before that), then the state: running -EEXIST, unknown -EINVAL.
 */
int nlvs_ctl_daemon_add(const struct nlvs_daemon_conf *conf)
{
	struct nlvs_daemon_conf c = *conf;
	unsigned int mtu, devmtu, hlen, min;
	struct nlvs_daemon_conf asked = *conf;
	char rec[NLVS_REC_MAX];
	int slot, ret;

	c.mcast_ifn[NLVS_IFNAME_LEN - 1] = '\0';
	if (c.mcast_af == AF_INET) {
		if ((ntohl(c.mcast_group.ip) & 0xf0000000) != 0xe0000000)
			return -EINVAL;
		nlvs_ctl_addr_norm(AF_INET, &c.mcast_group, &conf->mcast_group);
	} else if (c.mcast_af == AF_INET6) {
		if (!nlvs_ctl_ip6_multicast(&c.mcast_group.in6))
			return -EINVAL;
	} else if (c.mcast_af) {
		return -EAFNOSUPPORT;
	}
	if (nlvs_ctl_mixed_dests())
		return -EINVAL;

	if (!c.mcast_af) {
		c.mcast_af = AF_INET;
		memset(&c.mcast_group, 0, sizeof(c.mcast_group));
		c.mcast_group.ip = htonl(SYNC_GROUP);
	}
	if (!c.mcast_port)
		c.mcast_port = SYNC_PORT;
	if (!c.mcast_ttl)
		c.mcast_ttl = 1;
	devmtu = ifname_mtu(c.mcast_ifn);
	if (!devmtu)
		return -ENODEV;
	hlen = c.mcast_af == AF_INET6 ? SYNC_HLEN6 : SYNC_HLEN4;
	mtu = c.state == NLVS_DAEMON_BACKUP ? clamp_u(devmtu, 1500, 65535) : 1500;
	min = c.state == NLVS_DAEMON_BACKUP ? 1024 : 1;
	if (c.sync_maxlen)
		c.sync_maxlen = (uint16_t)clamp_u(c.sync_maxlen, min, 65535 - hlen);
	else
		c.sync_maxlen = (uint16_t)(mtu - hlen);

	if (c.state != NLVS_DAEMON_MASTER && c.state != NLVS_DAEMON_BACKUP)
		return -EINVAL;
	slot = c.state == NLVS_DAEMON_MASTER ? 0 : 1;
	if (cfg.daemon[slot].running)
		return -EEXIST;
	asked.mcast_ifn[NLVS_IFNAME_LEN - 1] = '\0';
	if (nlvs_ctl_journal_on()) {
		ret = nlvs_ctl_journal_append(rec, nlvs_ctl_rec_daemon(rec, sizeof(rec), &asked));
		if (ret < 0)
			return ret;
	}
	cfg.daemon[slot].running = 1;
	cfg.daemon[slot].asked = asked;
	cfg.daemon[slot].conf = c;

	nlvs_ctl_changed();
	return 0;
}

int nlvs_ctl_daemon_del(uint32_t state)
{
	char rec[NLVS_REC_MAX];
	int slot, ret;

	if (state != NLVS_DAEMON_MASTER && state != NLVS_DAEMON_BACKUP)
		return -EINVAL;
	slot = state == NLVS_DAEMON_MASTER ? 0 : 1;
	if (!cfg.daemon[slot].running)
		return -ESRCH;
	if (nlvs_ctl_journal_on()) {
		ret = nlvs_ctl_journal_append(rec, snprintf(rec, sizeof(rec),
							    "daemon-del state=%u\n", state));
		if (ret < 0)
			return ret;
	}
	memset(&cfg.daemon[slot], 0, sizeof(cfg.daemon[slot]));

	nlvs_ctl_changed();
	return 0;
}

int nlvs_ctl_daemon_get(unsigned int idx, struct nlvs_daemon_conf *out)
{
	if (idx > 1 || !cfg.daemon[idx].running)
		return -ENOENT;
	if (out)
		*out = cfg.daemon[idx].conf;
	return 0;
}

/* Both halves of the state file need the request, not the filled-in form:
 * the defaults follow the interface MTU at the time of the restart. */
int nlvs_ctl_daemon_asked(unsigned int idx, struct nlvs_daemon_conf *out)
{
	if (idx > 1 || !cfg.daemon[idx].running)
		return -ENOENT;
	*out = cfg.daemon[idx].asked;
	return 0;
}

/* ip_vs_set_timeout(): everything is checked before anything changes. */
int nlvs_ctl_timeout_set(const struct nlvs_timeouts *t)
{
	struct nlvs_timeouts nt = cfg.timeouts;
	char rec[NLVS_REC_MAX];
	int ret;

	if (t->tcp > TIMEOUT_MAX || t->tcp_fin > TIMEOUT_MAX || t->udp > TIMEOUT_MAX)
		return -EINVAL;
	if (t->tcp)
		nt.tcp = t->tcp;
	if (t->tcp_fin)
		nt.tcp_fin = t->tcp_fin;
	if (t->udp)
		nt.udp = t->udp;
	if (!t->tcp && !t->tcp_fin && !t->udp)
		return 0;
	if (nlvs_ctl_journal_on()) {
		ret = nlvs_ctl_journal_append(rec, nlvs_ctl_rec_timeouts(rec, sizeof(rec), &nt));
		if (ret < 0)
			return ret;
	}
	cfg.timeouts = nt;

	nlvs_ctl_changed();
	return 0;
}

void nlvs_ctl_timeout_get(struct nlvs_timeouts *t)
{
	*t = cfg.timeouts;
}

void nlvs_ctl_conn_source_set(size_t (*fn)(size_t *idx, char *buf, size_t max))
{
	cfg.conn_source = fn;
}

/*
 * *cursor below the header's length is an offset into the header, so that
 * even tiny reads get all of it; from there on it counts connections.  The
 * dataplane writes whole lines only: @max must hold at least one line.
 */
size_t nlvs_ctl_conn_text(size_t *cursor, char *buf, size_t max)
{
	static const char header[] = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt "
				     "State       Expires PEName PEData\n";
	const size_t hlen = sizeof(header) - 1;
	size_t len = 0, idx;

	if (*cursor < hlen) {
		len = hlen - *cursor;
		if (len > max)
			len = max;
		memcpy(buf, header + *cursor, len);
		*cursor += len;
	}
	if (*cursor >= hlen && cfg.conn_source && len < max) {
		idx = *cursor - hlen;
		len += cfg.conn_source(&idx, buf + len, max - len);
		*cursor = idx + hlen;
	}
	return len;
}
