// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TCP connection states as kernel IPVS tracks them (ip_vs_proto_tcp.c):
 * the same states, the same transition table for packets from the client
 * ("input"), from the real server ("output") and from the client while no
 * reply was seen ("input only"), the same flag priority (RST, SYN, FIN,
 * ACK) and default timeouts, so ipvsadm -Lc and the Active/InAct counters
 * read as on a kernel director.  The table below was written from the
 * kernel's behaviour; the test checks it transition by transition.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include "conn_priv.h"

enum { NO = NLVS_TCP_S_NONE, ES = NLVS_TCP_S_ESTABLISHED, SS = NLVS_TCP_S_SYN_SENT,
	SR = NLVS_TCP_S_SYN_RECV, FW = NLVS_TCP_S_FIN_WAIT, TW = NLVS_TCP_S_TIME_WAIT,
	CL = NLVS_TCP_S_CLOSE, CW = NLVS_TCP_S_CLOSE_WAIT, LA = NLVS_TCP_S_LAST_ACK,
	LI = NLVS_TCP_S_LISTEN, SA = NLVS_TCP_S_SYNACK };

enum { EV_SYN, EV_FIN, EV_ACK, EV_RST, EV_MAX };
enum { TAB_INPUT, TAB_OUTPUT, TAB_INPUT_ONLY, TAB_MAX };

static const uint8_t tcp_next[TAB_MAX][EV_MAX][NLVS_TCP_S_LAST] = {
	[TAB_INPUT] = {
		/*	   NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA */
		[EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
		[EV_FIN] = { CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW },
		[EV_ACK] = { CL, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
		[EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR },
	},
	[TAB_OUTPUT] = {
		[EV_SYN] = { SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR },
		[EV_FIN] = { TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW },
		[EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES },
		[EV_RST] = { CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL },
	},
	[TAB_INPUT_ONLY] = {
		[EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
		[EV_FIN] = { CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW },
		[EV_ACK] = { CL, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
		[EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL },
	},
};

static const char *const tcp_names[NLVS_TCP_S_LAST] = {
	"NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
	"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK",
};

void nlvs_conn_timeouts_default(struct nlvs_conn_timeouts *to)
{
	static const uint32_t tcp[NLVS_TCP_S_LAST] = {
		[NLVS_TCP_S_NONE] = 2,		[NLVS_TCP_S_ESTABLISHED] = 15 * 60,
		[NLVS_TCP_S_SYN_SENT] = 2 * 60,	[NLVS_TCP_S_SYN_RECV] = 60,
		[NLVS_TCP_S_FIN_WAIT] = 2 * 60,	[NLVS_TCP_S_TIME_WAIT] = 2 * 60,
		[NLVS_TCP_S_CLOSE] = 10,	[NLVS_TCP_S_CLOSE_WAIT] = 60,
		[NLVS_TCP_S_LAST_ACK] = 30,	[NLVS_TCP_S_LISTEN] = 2 * 60,
		[NLVS_TCP_S_SYNACK] = 120,
	};
	unsigned int i;

	for (i = 0; i < NLVS_TCP_S_LAST; i++)
		to->tcp[i] = tcp[i];
	to->udp = 5 * 60;
}

void nlvs_conn_timeouts_set(struct nlvs_conn_timeouts *to, uint32_t tcp, uint32_t tcpfin,
			    uint32_t udp)
{
	if (tcp)
		to->tcp[NLVS_TCP_S_ESTABLISHED] = tcp;
	if (tcpfin)
		to->tcp[NLVS_TCP_S_FIN_WAIT] = tcpfin;
	if (udp)
		to->udp = udp;
}

/* A timeout from seconds, as long as an expiry can hold. */
static uint32_t timeout_ms(uint32_t s)
{
	uint64_t ms = (uint64_t)s * 1000u;

	return ms < NLVS_CONN_TIMEOUT_MAX ? (uint32_t)ms : NLVS_CONN_TIMEOUT_MAX;
}

static int tcp_event(uint8_t flags)
{
	if (flags & NLVS_TCP_RST)
		return EV_RST;
	if (flags & NLVS_TCP_SYN)
		return EV_SYN;
	if (flags & NLVS_TCP_FIN)
		return EV_FIN;
	if (flags & NLVS_TCP_ACK)
		return EV_ACK;
	return -1;
}

unsigned int nlvs_tcp_state_next(unsigned int state, unsigned int side, int nooutput,
				 uint8_t tcp_flags)
{
	int ev = tcp_event(tcp_flags);
	unsigned int tab = side == NLVS_CONN_SIDE_RS ? TAB_OUTPUT :
			   nooutput ? TAB_INPUT_ONLY : TAB_INPUT;

	/* like the kernel: a segment without any of the four flags closes */
	if (ev < 0 || state >= NLVS_TCP_S_LAST)
		return NLVS_TCP_S_CLOSE;
	return tcp_next[tab][ev][state];
}

int nlvs_conn_state_update(struct nlvs_conn *c, unsigned int side, uint8_t tcp_flags,
			   const struct nlvs_conn_timeouts *to)
{
	unsigned int next;

	if (c->proto != IPPROTO_TCP) {
		if (c->proto == IPPROTO_SCTP)
			return nlvs_sctp_state_update(c, side, tcp_flags);
		c->timeout = timeout_ms(to->udp);
		return 0;
	}
	next = nlvs_tcp_state_next(c->state, side, conn_nooutput(c, side), tcp_flags);
	return nlvs_conn_state_set(c, next, next == NLVS_TCP_S_ESTABLISHED, to->tcp[next]);
}

int nlvs_conn_state_set(struct nlvs_conn *c, unsigned int next, int active, uint32_t timeout_s)
{
	int delta = 0;

	if (next != c->state && !(c->flags & NLVS_CONN_F_TEMPLATE)) {
		if (!(c->flags & NLVS_CONN_F_INACTIVE) && !active) {
			c->flags |= NLVS_CONN_F_INACTIVE;
			delta = -1;
		} else if ((c->flags & NLVS_CONN_F_INACTIVE) && active) {
			c->flags &= ~NLVS_CONN_F_INACTIVE;
			delta = 1;
		}
	}
	c->state = (uint8_t)next;
	c->timeout = timeout_ms(timeout_s);
	return delta;
}

const char *nlvs_conn_state_name(const struct nlvs_conn *c)
{
	switch (c->proto) {
	case IPPROTO_TCP:
		return c->state < NLVS_TCP_S_LAST ? tcp_names[c->state] : "ERR!";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_SCTP:
		return nlvs_sctp_state_name(c->state);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return "ICMP";
	default:
		return "NONE";
	}
}
