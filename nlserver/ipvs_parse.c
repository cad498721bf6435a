// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attribute validation with the kernel's liberal rules (lib/nlattr.c as used
 * by genl doit parsing and by IPVS' nested parses), the IPVS policies, and
 * the conversion of SERVICE, DEST and DAEMON nests into nlvs_ctl.h structs.
 * Only presence and policy are checked here; value semantics belong to the
 * control API (ipvs-genl.md 3.3, 6.0).
 */
#include <errno.h>
#include <string.h>
#include <linux/ip_vs.h>

#include "nls_int.h"

/* The minimum payload of the fixed-size kinds. */
static const uint8_t nls_kind_minlen[] = {
	[NLS_A_U8] = 1, [NLS_A_U16] = 2, [NLS_A_U32] = 4, [NLS_A_U64] = 8,
};

static int nls_attr_validate(const struct nlattr *a, const struct nls_policy *pt)
{
	const char *data = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a), minlen;

	switch (pt->kind) {
	case NLS_A_U8:
	case NLS_A_U16:
	case NLS_A_U32:
	case NLS_A_U64:
		/* Longer than needed is only warned about by the kernel. */
		if (len < nls_kind_minlen[pt->kind])
			return -ERANGE;
		return 0;
	case NLS_A_NESTED:
		if (len > 0 && len < sizeof(struct nlattr))
			return -ERANGE;
		return 0;
	case NLS_A_NUL_STRING:
		minlen = pt->len && len > pt->len + 1u ? pt->len + 1u : len;
		if (!minlen || !memchr(data, '\0', minlen))
			return -EINVAL;
		if (pt->len) {
			if (data[len - 1] == '\0')
				len--;
			if (len > pt->len)
				return -ERANGE;
		}
		return 0;
	case NLS_A_BINARY:
		if (pt->len && len > pt->len)
			return -ERANGE;
		return 0;
	default:
		if (pt->len && len < pt->len)
			return -ERANGE;
		return 0;
	}
}

int nls_attr_parse(const void *data, size_t len, const struct nls_policy *pol,
		   unsigned int maxtype, const struct nlattr **tb)
{
	const struct nlattr *attr;	/* the name libmnl's iterator uses */
	unsigned int type;
	int err;

	memset(tb, 0, (maxtype + 1) * sizeof(*tb));
	mnl_attr_for_each_payload(data, len) {
		type = mnl_attr_get_type(attr);
		if (type == 0 || type > maxtype)
			continue;
		if (pol) {
			err = nls_attr_validate(attr, &pol[type]);
			if (err)
				return err;
		}
		tb[type] = attr;
	}
	return 0;
}

int nls_attr_parse_nested(const struct nlattr *nest, const struct nls_policy *pol,
			  unsigned int maxtype, const struct nlattr **tb)
{
	return nls_attr_parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
			      pol, maxtype, tb);
}

const struct nls_policy nls_ipvs_cmd_policy[IPVS_CMD_ATTR_MAX + 1] = {
	[IPVS_CMD_ATTR_SERVICE] = { NLS_A_NESTED, 0 },
	[IPVS_CMD_ATTR_DEST] = { NLS_A_NESTED, 0 },
	[IPVS_CMD_ATTR_DAEMON] = { NLS_A_NESTED, 0 },
	[IPVS_CMD_ATTR_TIMEOUT_TCP] = { NLS_A_U32, 0 },
	[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN] = { NLS_A_U32, 0 },
	[IPVS_CMD_ATTR_TIMEOUT_UDP] = { NLS_A_U32, 0 },
};

static const struct nls_policy nls_svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF] = { NLS_A_U16, 0 },
	[IPVS_SVC_ATTR_PROTOCOL] = { NLS_A_U16, 0 },
	[IPVS_SVC_ATTR_ADDR] = { NLS_A_BINARY, sizeof(union nlvs_addr) },
	[IPVS_SVC_ATTR_PORT] = { NLS_A_U16, 0 },
	[IPVS_SVC_ATTR_FWMARK] = { NLS_A_U32, 0 },
	[IPVS_SVC_ATTR_SCHED_NAME] = { NLS_A_NUL_STRING, IP_VS_SCHEDNAME_MAXLEN - 1 },
	[IPVS_SVC_ATTR_FLAGS] = { NLS_A_BINARY, sizeof(struct ip_vs_flags) },
	[IPVS_SVC_ATTR_TIMEOUT] = { NLS_A_U32, 0 },
	[IPVS_SVC_ATTR_NETMASK] = { NLS_A_U32, 0 },
	[IPVS_SVC_ATTR_STATS] = { NLS_A_NESTED, 0 },
	[IPVS_SVC_ATTR_PE_NAME] = { NLS_A_NUL_STRING, IP_VS_PENAME_MAXLEN },
};

static const struct nls_policy nls_dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR] = { NLS_A_BINARY, sizeof(union nlvs_addr) },
	[IPVS_DEST_ATTR_PORT] = { NLS_A_U16, 0 },
	[IPVS_DEST_ATTR_FWD_METHOD] = { NLS_A_U32, 0 },
	[IPVS_DEST_ATTR_WEIGHT] = { NLS_A_U32, 0 },
	[IPVS_DEST_ATTR_U_THRESH] = { NLS_A_U32, 0 },
	[IPVS_DEST_ATTR_L_THRESH] = { NLS_A_U32, 0 },
	[IPVS_DEST_ATTR_ACTIVE_CONNS] = { NLS_A_U32, 0 },
	[IPVS_DEST_ATTR_INACT_CONNS] = { NLS_A_U32, 0 },
	[IPVS_DEST_ATTR_PERSIST_CONNS] = { NLS_A_U32, 0 },
	[IPVS_DEST_ATTR_STATS] = { NLS_A_NESTED, 0 },
	[IPVS_DEST_ATTR_ADDR_FAMILY] = { NLS_A_U16, 0 },
	[IPVS_DEST_ATTR_TUN_TYPE] = { NLS_A_U8, 0 },
	[IPVS_DEST_ATTR_TUN_PORT] = { NLS_A_U16, 0 },
	[IPVS_DEST_ATTR_TUN_FLAGS] = { NLS_A_U16, 0 },
};

static const struct nls_policy nls_daemon_policy[IPVS_DAEMON_ATTR_MAX + 1] = {
	[IPVS_DAEMON_ATTR_STATE] = { NLS_A_U32, 0 },
	[IPVS_DAEMON_ATTR_MCAST_IFN] = { NLS_A_NUL_STRING, IP_VS_IFNAME_MAXLEN - 1 },
	[IPVS_DAEMON_ATTR_SYNC_ID] = { NLS_A_U32, 0 },
	[IPVS_DAEMON_ATTR_SYNC_MAXLEN] = { NLS_A_U16, 0 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP] = { NLS_A_U32, 0 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP6] = { NLS_A_UNSPEC, sizeof(struct in6_addr) },
	[IPVS_DAEMON_ATTR_MCAST_PORT] = { NLS_A_U16, 0 },
	[IPVS_DAEMON_ATTR_MCAST_TTL] = { NLS_A_U8, 0 },
};

/* nla_memcpy(): at most @size bytes, the rest stays zero. */
static void nls_attr_copy(void *dst, size_t size, const struct nlattr *a)
{
	size_t len = mnl_attr_get_payload_len(a);

	memcpy(dst, mnl_attr_get_payload(a), len < size ? len : size);
}

/* A NUL-terminated string already validated against its policy. */
static void nls_attr_strcpy(char *dst, size_t size, const struct nlattr *a)
{
	size_t len = strnlen(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));

	if (len >= size)
		len = size - 1;
	memcpy(dst, mnl_attr_get_payload(a), len);
	dst[len] = '\0';
}

static uint16_t nls_get_u16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	return v;
}

static uint32_t nls_get_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	return v;
}

/* ip_vs_genl_parse_service(): identity first, the rest only when @full. */
int nls_ipvs_parse_svc(const struct nlattr *nest, int full, struct nlvs_svc_conf *conf)
{
	const struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];
	struct ip_vs_flags flags = { 0, 0 };
	struct nlvs_svc_key *key = &conf->key;

	memset(conf, 0, sizeof(*conf));
	if (!nest || nls_attr_parse_nested(nest, nls_svc_policy, IPVS_SVC_ATTR_MAX, tb))
		return -EINVAL;
	if (!tb[IPVS_SVC_ATTR_AF] || !(tb[IPVS_SVC_ATTR_FWMARK] ||
	    (tb[IPVS_SVC_ATTR_PORT] && tb[IPVS_SVC_ATTR_PROTOCOL] && tb[IPVS_SVC_ATTR_ADDR])))
		return -EINVAL;
	key->af = nls_get_u16(tb[IPVS_SVC_ATTR_AF]);
	if (key->af != AF_INET && key->af != AF_INET6)
		return -EAFNOSUPPORT;
	if (tb[IPVS_SVC_ATTR_FWMARK]) {
		key->protocol = IPPROTO_TCP;
		key->fwmark = nls_get_u32(tb[IPVS_SVC_ATTR_FWMARK]);
	} else {
		key->protocol = nls_get_u16(tb[IPVS_SVC_ATTR_PROTOCOL]);
		nls_attr_copy(&key->addr, sizeof(key->addr), tb[IPVS_SVC_ATTR_ADDR]);
		key->port = nls_get_u16(tb[IPVS_SVC_ATTR_PORT]);
	}
	if (!full)
		return 0;

	if (!(tb[IPVS_SVC_ATTR_SCHED_NAME] && tb[IPVS_SVC_ATTR_FLAGS] &&
	      tb[IPVS_SVC_ATTR_TIMEOUT] && tb[IPVS_SVC_ATTR_NETMASK]))
		return -EINVAL;
	nls_attr_copy(&flags, sizeof(flags), tb[IPVS_SVC_ATTR_FLAGS]);
	conf->flags = flags.flags;
	conf->flags_mask = flags.mask;
	nls_attr_strcpy(conf->sched_name, sizeof(conf->sched_name),
			tb[IPVS_SVC_ATTR_SCHED_NAME]);
	if (tb[IPVS_SVC_ATTR_PE_NAME])
		nls_attr_strcpy(conf->pe_name, sizeof(conf->pe_name), tb[IPVS_SVC_ATTR_PE_NAME]);
	conf->timeout = nls_get_u32(tb[IPVS_SVC_ATTR_TIMEOUT]);
	conf->netmask = nls_get_u32(tb[IPVS_SVC_ATTR_NETMASK]);
	return 0;
}

/* ip_vs_genl_parse_dest(): ADDR and PORT always, the rest when @full. */
int nls_ipvs_parse_dest(const struct nlattr *nest, int full, struct nlvs_dest_conf *conf)
{
	const struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];

	memset(conf, 0, sizeof(*conf));
	if (!nest || nls_attr_parse_nested(nest, nls_dest_policy, IPVS_DEST_ATTR_MAX, tb))
		return -EINVAL;
	if (!tb[IPVS_DEST_ATTR_ADDR] || !tb[IPVS_DEST_ATTR_PORT])
		return -EINVAL;
	nls_attr_copy(&conf->addr, sizeof(conf->addr), tb[IPVS_DEST_ATTR_ADDR]);
	conf->port = nls_get_u16(tb[IPVS_DEST_ATTR_PORT]);
	if (tb[IPVS_DEST_ATTR_ADDR_FAMILY])
		conf->af = nls_get_u16(tb[IPVS_DEST_ATTR_ADDR_FAMILY]);
	if (!full)
		return 0;

	if (!(tb[IPVS_DEST_ATTR_FWD_METHOD] && tb[IPVS_DEST_ATTR_WEIGHT] &&
	      tb[IPVS_DEST_ATTR_U_THRESH] && tb[IPVS_DEST_ATTR_L_THRESH]))
		return -EINVAL;
	conf->fwd = nls_get_u32(tb[IPVS_DEST_ATTR_FWD_METHOD]) & NLVS_FWD_MASK;
	conf->weight = (int32_t)nls_get_u32(tb[IPVS_DEST_ATTR_WEIGHT]);
	conf->u_thresh = nls_get_u32(tb[IPVS_DEST_ATTR_U_THRESH]);
	conf->l_thresh = nls_get_u32(tb[IPVS_DEST_ATTR_L_THRESH]);
	if (tb[IPVS_DEST_ATTR_TUN_TYPE])
		conf->tun_type = mnl_attr_get_u8(tb[IPVS_DEST_ATTR_TUN_TYPE]);
	if (tb[IPVS_DEST_ATTR_TUN_PORT])
		conf->tun_port = nls_get_u16(tb[IPVS_DEST_ATTR_TUN_PORT]);
	if (tb[IPVS_DEST_ATTR_TUN_FLAGS])
		conf->tun_flags = nls_get_u16(tb[IPVS_DEST_ATTR_TUN_FLAGS]);
	return 0;
}

/*
 * ip_vs_genl_set_daemon() and ip_vs_genl_new_daemon(): @full for NEW_DAEMON
 * (STATE, MCAST_IFN, SYNC_ID required, groups must be multicast), else only
 * STATE.
 */
int nls_ipvs_parse_daemon(const struct nlattr *nest, int full, struct nlvs_daemon_conf *conf)
{
	const struct nlattr *tb[IPVS_DAEMON_ATTR_MAX + 1];
	const struct nlattr *a;

	memset(conf, 0, sizeof(*conf));
	if (!nest || nls_attr_parse_nested(nest, nls_daemon_policy, IPVS_DAEMON_ATTR_MAX, tb))
		return -EINVAL;
	if (!full) {
		if (!tb[IPVS_DAEMON_ATTR_STATE])
			return -EINVAL;
		conf->state = nls_get_u32(tb[IPVS_DAEMON_ATTR_STATE]);
		return 0;
	}
	if (!(tb[IPVS_DAEMON_ATTR_STATE] && tb[IPVS_DAEMON_ATTR_MCAST_IFN] &&
	      tb[IPVS_DAEMON_ATTR_SYNC_ID]))
		return -EINVAL;
	conf->state = nls_get_u32(tb[IPVS_DAEMON_ATTR_STATE]);
	nls_attr_strcpy(conf->mcast_ifn, sizeof(conf->mcast_ifn), tb[IPVS_DAEMON_ATTR_MCAST_IFN]);
	conf->syncid = nls_get_u32(tb[IPVS_DAEMON_ATTR_SYNC_ID]);
	if (tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN])
		conf->sync_maxlen = nls_get_u16(tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN]);
	a = tb[IPVS_DAEMON_ATTR_MCAST_GROUP];
	if (a) {
		conf->mcast_af = AF_INET;
		conf->mcast_group.ip = nls_get_u32(a);
		if ((conf->mcast_group.b[0] & 0xf0) != 0xe0)
			return -EINVAL;
	} else if ((a = tb[IPVS_DAEMON_ATTR_MCAST_GROUP6])) {
		conf->mcast_af = AF_INET6;
		nls_attr_copy(&conf->mcast_group, sizeof(conf->mcast_group), a);
		if (conf->mcast_group.b[0] != 0xff)
			return -EINVAL;
	}
	if (tb[IPVS_DAEMON_ATTR_MCAST_PORT])
		conf->mcast_port = nls_get_u16(tb[IPVS_DAEMON_ATTR_MCAST_PORT]);
	if (tb[IPVS_DAEMON_ATTR_MCAST_TTL])
		conf->mcast_ttl = mnl_attr_get_u8(tb[IPVS_DAEMON_ATTR_MCAST_TTL]);
	return 0;
}
