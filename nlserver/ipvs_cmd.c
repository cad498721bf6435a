// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPVS family: one handler per IPVS_CMD_*, the reply builders and the
 * dumps.  Handlers check attribute presence in the kernel's order
 * (ipvs-genl.md 6) and leave value semantics to the control API, whose
 * errno goes straight into NLMSG_ERROR.
 */
#include <errno.h>
#include <string.h>
#include <linux/ip_vs.h>

#include "nls_int.h"

#define NLS_IPVS_GENL_VERSION	1

/*
 * Reply builders, attribute order and sizes as the kernel's
 * ip_vs_genl_fill_*() (an IPv4 "wlc" service message is 320 bytes, a dest
 * message 356).
 */
static void nls_put_stats(struct nlmsghdr *nlh, uint16_t type, const struct nlvs_stats *s)
{
	struct nlattr *nest = nls_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, IPVS_STATS_ATTR_CONNS, (uint32_t)s->conns);
	mnl_attr_put_u32(nlh, IPVS_STATS_ATTR_INPKTS, (uint32_t)s->inpkts);
	mnl_attr_put_u32(nlh, IPVS_STATS_ATTR_OUTPKTS, (uint32_t)s->outpkts);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_INBYTES, s->inbytes);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_OUTBYTES, s->outbytes);
	mnl_attr_put_u32(nlh, IPVS_STATS_ATTR_CPS, (uint32_t)s->cps);
	mnl_attr_put_u32(nlh, IPVS_STATS_ATTR_INPPS, (uint32_t)s->inpps);
	mnl_attr_put_u32(nlh, IPVS_STATS_ATTR_OUTPPS, (uint32_t)s->outpps);
	mnl_attr_put_u32(nlh, IPVS_STATS_ATTR_INBPS, (uint32_t)s->inbps);
	mnl_attr_put_u32(nlh, IPVS_STATS_ATTR_OUTBPS, (uint32_t)s->outbps);
	mnl_attr_nest_end(nlh, nest);
}

static void nls_put_stats64(struct nlmsghdr *nlh, uint16_t type, const struct nlvs_stats *s)
{
	struct nlattr *nest = nls_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_CONNS, s->conns);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_INPKTS, s->inpkts);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_OUTPKTS, s->outpkts);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_INBYTES, s->inbytes);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_OUTBYTES, s->outbytes);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_CPS, s->cps);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_INPPS, s->inpps);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_OUTPPS, s->outpps);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_INBPS, s->inbps);
	mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_OUTBPS, s->outbps);
	mnl_attr_nest_end(nlh, nest);
}

static void nls_put_svc(struct nlmsghdr *nlh, const struct nlvs_svc_info *si)
{
	const struct nlvs_svc_conf *c = &si->conf;
	struct ip_vs_flags flags = { c->flags | NLVS_SVC_F_HASHED, 0xffffffff };
	struct nlattr *nest = nls_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);

	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, c->key.af);
	if (c->key.fwmark) {
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, c->key.fwmark);
	} else {
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, c->key.protocol);
		mnl_attr_put(nlh, IPVS_SVC_ATTR_ADDR, sizeof(c->key.addr), &c->key.addr);
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, c->key.port);
	}
	mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME,
			  c->sched_name[0] ? c->sched_name : "none");
	if (c->pe_name[0])
		mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_PE_NAME, c->pe_name);
	mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags);
	mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT, c->timeout);
	mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK, c->netmask);
	nls_put_stats(nlh, IPVS_SVC_ATTR_STATS, &si->stats);
	nls_put_stats64(nlh, IPVS_SVC_ATTR_STATS64, &si->stats);
	mnl_attr_nest_end(nlh, nest);
}

static void nls_put_dest(struct nlmsghdr *nlh, const struct nlvs_dest_info *di)
{
	const struct nlvs_dest_conf *c = &di->conf;
	struct nlattr *nest = nls_nest_start(nlh, IPVS_CMD_ATTR_DEST);

	mnl_attr_put(nlh, IPVS_DEST_ATTR_ADDR, sizeof(c->addr), &c->addr);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, c->port);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD, c->fwd & NLVS_FWD_MASK);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, (uint32_t)c->weight);
	mnl_attr_put_u8(nlh, IPVS_DEST_ATTR_TUN_TYPE, c->tun_type);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_PORT, c->tun_port);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_FLAGS, c->tun_flags);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, c->u_thresh);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, c->l_thresh);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_ACTIVE_CONNS, di->activeconns);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_INACT_CONNS, di->inactconns);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_PERSIST_CONNS, di->persistconns);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, c->af);
	nls_put_stats(nlh, IPVS_DEST_ATTR_STATS, &di->stats);
	nls_put_stats64(nlh, IPVS_DEST_ATTR_STATS64, &di->stats);
	mnl_attr_nest_end(nlh, nest);
}

static void nls_put_daemon(struct nlmsghdr *nlh, uint32_t state,
			   const struct nlvs_daemon_conf *c)
{
	struct nlattr *nest = nls_nest_start(nlh, IPVS_CMD_ATTR_DAEMON);

	mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_STATE, state);
	mnl_attr_put_strz(nlh, IPVS_DAEMON_ATTR_MCAST_IFN, c->mcast_ifn);
	mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_SYNC_ID, c->syncid);
	mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_SYNC_MAXLEN, c->sync_maxlen);
	mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_MCAST_PORT, c->mcast_port);
	mnl_attr_put_u8(nlh, IPVS_DAEMON_ATTR_MCAST_TTL, c->mcast_ttl);
	if (c->mcast_af == AF_INET6)
		mnl_attr_put(nlh, IPVS_DAEMON_ATTR_MCAST_GROUP6, 16, &c->mcast_group);
	else if (c->mcast_af == AF_INET)
		mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_MCAST_GROUP, c->mcast_group.ip);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * Doit handlers.
 */

/* NEW/SET/DEL_SERVICE: section 6.0 parse, then the control API decides. */
static int nls_ipvs_svc_cmd(struct nls_req *req, const struct nlattr **tb)
{
	uint8_t cmd = req->genl->cmd;
	struct nlvs_svc_conf conf;
	int err;

	err = nls_ipvs_parse_svc(tb[IPVS_CMD_ATTR_SERVICE],
				 cmd == IPVS_CMD_NEW_SERVICE || cmd == IPVS_CMD_SET_SERVICE, &conf);
	if (err)
		return err;
	if (cmd == IPVS_CMD_NEW_SERVICE)
		return nlvs_ctl_svc_add(&conf);
	if (cmd == IPVS_CMD_SET_SERVICE)
		return nlvs_ctl_svc_edit(&conf);
	return nlvs_ctl_svc_del(&conf.key);
}

static int nls_ipvs_daemon_running(void)
{
	struct nlvs_daemon_conf dc;

	return !nlvs_ctl_daemon_get(0, &dc) || !nlvs_ctl_daemon_get(1, &dc);
}

/*
 * NEW/SET/DEL_DEST: the service must exist (-ESRCH) before the DEST nest is
 * looked at, as in ip_vs_genl_set_cmd().
 */
static int nls_ipvs_dest_cmd(struct nls_req *req, const struct nlattr **tb)
{
	uint8_t cmd = req->genl->cmd;
	struct nlvs_svc_conf sc;
	struct nlvs_svc_info si;
	struct nlvs_dest_conf dc;
	int err;

	err = nls_ipvs_parse_svc(tb[IPVS_CMD_ATTR_SERVICE], 0, &sc);
	if (err)
		return err;
	err = nlvs_ctl_svc_get(&sc.key, &si);
	if (err)
		return err;
	err = nls_ipvs_parse_dest(tb[IPVS_CMD_ATTR_DEST], cmd != IPVS_CMD_DEL_DEST, &dc);
	if (err)
		return err;
	if (!dc.af)
		dc.af = si.conf.key.af;
	if (dc.af != AF_INET && dc.af != AF_INET6)
		return -EAFNOSUPPORT;
	/* Mixed families only tunnel, and the sync protocol cannot carry them. */
	if (dc.af != si.conf.key.af && cmd != IPVS_CMD_DEL_DEST &&
	    (nls_ipvs_daemon_running() || dc.fwd != NLVS_FWD_TUNNEL))
		return -EINVAL;
	if (cmd == IPVS_CMD_NEW_DEST)
		return nlvs_ctl_dest_add(&sc.key, &dc);
	if (cmd == IPVS_CMD_SET_DEST)
		return nlvs_ctl_dest_edit(&sc.key, &dc);
	return nlvs_ctl_dest_del(&sc.key, &dc);
}

static int nls_ipvs_zero(struct nls_req *req, const struct nlattr **tb)
{
	struct nlvs_svc_conf conf;
	int err;

	if (!tb[IPVS_CMD_ATTR_SERVICE])
		return nlvs_ctl_svc_zero(NULL);
	err = nls_ipvs_parse_svc(tb[IPVS_CMD_ATTR_SERVICE], 0, &conf);
	if (err)
		return err;
	return nlvs_ctl_svc_zero(&conf.key);
}

static int nls_ipvs_flush(struct nls_req *req, const struct nlattr **tb)
{
	return nlvs_ctl_flush();
}

static int nls_ipvs_set_config(struct nls_req *req, const struct nlattr **tb)
{
	struct nlvs_timeouts t = { 0, 0, 0 };

	if (tb[IPVS_CMD_ATTR_TIMEOUT_TCP])
		t.tcp = mnl_attr_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP]);
	if (tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN])
		t.tcp_fin = mnl_attr_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]);
	if (tb[IPVS_CMD_ATTR_TIMEOUT_UDP])
		t.udp = mnl_attr_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_UDP]);
	return nlvs_ctl_timeout_set(&t);
}

static int nls_ipvs_get_config(struct nls_req *req, const struct nlattr **tb)
{
	uint32_t buf[NLS_REPLY_MAX / 4];
	struct nlvs_timeouts t;
	struct nlmsghdr *nlh;

	nlvs_ctl_timeout_get(&t);
	nlh = nls_reply_start(req, buf, IPVS_CMD_SET_CONFIG);
	mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp);
	mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp_fin);
	mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp);
	nls_reply_send(req, nlh);
	return 0;
}

static int nls_ipvs_get_info(struct nls_req *req, const struct nlattr **tb)
{
	uint32_t buf[NLS_REPLY_MAX / 4];
	struct nlmsghdr *nlh;

	nlh = nls_reply_start(req, buf, IPVS_CMD_SET_INFO);
	mnl_attr_put_u32(nlh, IPVS_INFO_ATTR_VERSION, NLVS_IPVS_VERSION);
	mnl_attr_put_u32(nlh, IPVS_INFO_ATTR_CONN_TAB_SIZE, NLVS_CONN_TAB_SIZE);
	nls_reply_send(req, nlh);
	return 0;
}

static int nls_ipvs_get_service(struct nls_req *req, const struct nlattr **tb)
{
	uint32_t buf[NLS_REPLY_MAX / 4];
	struct nlvs_svc_conf conf;
	struct nlvs_svc_info si;
	struct nlmsghdr *nlh;
	int err;

	err = nls_ipvs_parse_svc(tb[IPVS_CMD_ATTR_SERVICE], 0, &conf);
	if (err)
		return err;
	err = nlvs_ctl_svc_get(&conf.key, &si);
	if (err)
		return err;
	nlh = nls_reply_start(req, buf, IPVS_CMD_NEW_SERVICE);
	nls_put_svc(nlh, &si);
	nls_reply_send(req, nlh);
	return 0;
}

static int nls_ipvs_new_daemon(struct nls_req *req, const struct nlattr **tb)
{
	struct nlvs_daemon_conf conf;
	int err;

	err = nls_ipvs_parse_daemon(tb[IPVS_CMD_ATTR_DAEMON], 1, &conf);
	if (err)
		return err;
	return nlvs_ctl_daemon_add(&conf);
}

static int nls_ipvs_del_daemon(struct nls_req *req, const struct nlattr **tb)
{
	struct nlvs_daemon_conf conf;
	int err;

	err = nls_ipvs_parse_daemon(tb[IPVS_CMD_ATTR_DAEMON], 0, &conf);
	if (err)
		return err;
	return nlvs_ctl_daemon_del(conf.state);
}

/*
 * Dumps: one object per message, checked for room before the walk moves on
 * so an object that does not fit simply starts the next datagram.
 */
static int nls_ipvs_svc_next(struct nls_dump *d, void *buf, size_t room)
{
	struct nlvs_svc_info si;
	struct nlmsghdr *nlh;

	if (room < NLS_OBJ_MAX)
		return -1;
	if (nlvs_ctl_svc_walk(&d->cursor, &si) <= 0)
		return 0;
	nlh = nls_dump_msg_start(d, buf, IPVS_CMD_NEW_SERVICE);
	nls_put_svc(nlh, &si);
	return nlh->nlmsg_len;
}

static int nls_ipvs_dump_services(struct nls_req *req, struct nls_dump *d)
{
	d->next = nls_ipvs_svc_next;
	return 0;
}

static int nls_ipvs_dest_next(struct nls_dump *d, void *buf, size_t room)
{
	struct nlvs_dest_info di;
	struct nlmsghdr *nlh;

	if (room < NLS_OBJ_MAX)
		return -1;
	if (nlvs_ctl_dest_walk(&d->svc, &d->cursor, &di) <= 0)
		return 0;
	nlh = nls_dump_msg_start(d, buf, IPVS_CMD_NEW_DEST);
	nls_put_dest(nlh, &di);
	return nlh->nlmsg_len;
}

/* ip_vs_genl_dump_dests(): anything wrong with the service is an empty dump. */
static int nls_ipvs_dump_dests(struct nls_req *req, struct nls_dump *d)
{
	const struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	const struct nlmsghdr *nlh = req->nlh;
	struct nlvs_svc_conf conf;

	if (nls_attr_parse((const char *)nlh + NLS_GENL_HDRLEN, nlh->nlmsg_len - NLS_GENL_HDRLEN,
			   nls_ipvs_cmd_policy, IPVS_CMD_ATTR_MAX, tb) ||
	    nls_ipvs_parse_svc(tb[IPVS_CMD_ATTR_SERVICE], 0, &conf) ||
	    nlvs_ctl_svc_get(&conf.key, NULL))
		return nls_dump_empty_start(d);
	d->svc = conf.key;
	d->next = nls_ipvs_dest_next;
	return 0;
}

static int nls_ipvs_daemon_next(struct nls_dump *d, void *buf, size_t room)
{
	struct nlvs_daemon_conf dc;
	struct nlmsghdr *nlh;

	if (room < NLS_OBJ_MAX)
		return -1;
	/* Master first, then backup. */
	while (d->cursor < 2) {
		unsigned int idx = d->cursor++;

		if (nlvs_ctl_daemon_get(idx, &dc))
			continue;
		nlh = nls_dump_msg_start(d, buf, IPVS_CMD_NEW_DAEMON);
		nls_put_daemon(nlh, idx ? NLVS_DAEMON_BACKUP : NLVS_DAEMON_MASTER, &dc);
		return nlh->nlmsg_len;
	}
	return 0;
}

static int nls_ipvs_dump_daemons(struct nls_req *req, struct nls_dump *d)
{
	d->next = nls_ipvs_daemon_next;
	return 0;
}

#define NLS_ADM		GENL_ADMIN_PERM
#define NLS_ADM_POL	(GENL_ADMIN_PERM | GENL_CMD_CAP_HASPOL)

/* Kernel order: this is also the order of the ops list in the family reply. */
static const struct nls_op nls_ipvs_ops[] = {
	{ IPVS_CMD_NEW_SERVICE, NLS_ADM_POL, nls_ipvs_svc_cmd, NULL },
	{ IPVS_CMD_SET_SERVICE, NLS_ADM_POL, nls_ipvs_svc_cmd, NULL },
	{ IPVS_CMD_DEL_SERVICE, NLS_ADM_POL, nls_ipvs_svc_cmd, NULL },
	{ IPVS_CMD_GET_SERVICE, NLS_ADM_POL, nls_ipvs_get_service, nls_ipvs_dump_services },
	{ IPVS_CMD_NEW_DEST, NLS_ADM_POL, nls_ipvs_dest_cmd, NULL },
	{ IPVS_CMD_SET_DEST, NLS_ADM_POL, nls_ipvs_dest_cmd, NULL },
	{ IPVS_CMD_DEL_DEST, NLS_ADM_POL, nls_ipvs_dest_cmd, NULL },
	{ IPVS_CMD_GET_DEST, NLS_ADM, NULL, nls_ipvs_dump_dests },
	{ IPVS_CMD_NEW_DAEMON, NLS_ADM_POL, nls_ipvs_new_daemon, NULL },
	{ IPVS_CMD_DEL_DAEMON, NLS_ADM_POL, nls_ipvs_del_daemon, NULL },
	{ IPVS_CMD_GET_DAEMON, NLS_ADM, NULL, nls_ipvs_dump_daemons },
	{ IPVS_CMD_SET_CONFIG, NLS_ADM_POL, nls_ipvs_set_config, NULL },
	{ IPVS_CMD_GET_CONFIG, NLS_ADM_POL, nls_ipvs_get_config, NULL },
	{ IPVS_CMD_GET_INFO, NLS_ADM_POL, nls_ipvs_get_info, NULL },
	{ IPVS_CMD_ZERO, NLS_ADM_POL, nls_ipvs_zero, NULL },
	{ IPVS_CMD_FLUSH, NLS_ADM_POL, nls_ipvs_flush, NULL },
};

const struct nls_family nls_ipvs_family = {
	.name = IPVS_GENL_NAME,
	.id = NLS_IPVS_FAMILY_ID,
	.version = NLS_IPVS_GENL_VERSION,
	.resv_start_op = IPVS_CMD_FLUSH + 1,
	.maxattr = IPVS_CMD_ATTR_MAX,
	.policy = nls_ipvs_cmd_policy,
	.ops = nls_ipvs_ops,
	.n_ops = sizeof(nls_ipvs_ops) / sizeof(nls_ipvs_ops[0]),
};
