// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SCTP association states as kernel IPVS tracks them (ip_vs_proto_sctp.c):
 * the same fourteen states and names, the same event for each chunk type
 * (DATA, SACK, HEARTBEAT and unknown chunks are "data"), the same three
 * transition tables (client, real server, client while no reply was seen:
 * the one DR and TUN connections use) and the same default timeouts,
 * which ipvsadm --set does not reach.  ESTABLISHED alone is active.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include "conn_priv.h"

enum { NO = NLVS_SCTP_S_NONE, I1 = NLVS_SCTP_S_INIT1, IN = NLVS_SCTP_S_INIT,
	CS = NLVS_SCTP_S_COOKIE_SENT, CR = NLVS_SCTP_S_COOKIE_REPLIED,
	CW = NLVS_SCTP_S_COOKIE_WAIT, CO = NLVS_SCTP_S_COOKIE, CE = NLVS_SCTP_S_COOKIE_ECHOED,
	ES = NLVS_SCTP_S_ESTABLISHED, SS = NLVS_SCTP_S_SHUTDOWN_SENT,
	SR = NLVS_SCTP_S_SHUTDOWN_RECEIVED, SA = NLVS_SCTP_S_SHUTDOWN_ACK_SENT,
	RJ = NLVS_SCTP_S_REJECTED, CL = NLVS_SCTP_S_CLOSED };

enum { EV_DATA, EV_INIT, EV_INIT_ACK, EV_COOKIE_ECHO, EV_COOKIE_ACK, EV_SHUTDOWN,
	EV_SHUTDOWN_ACK, EV_SHUTDOWN_COMPLETE, EV_ERROR, EV_ABORT, EV_MAX };
enum { TAB_INPUT, TAB_OUTPUT, TAB_INPUT_ONLY, TAB_MAX };

static const uint8_t chunk_event[] = {
	[NLVS_SCTP_DATA] = EV_DATA,			[NLVS_SCTP_INIT] = EV_INIT,
	[NLVS_SCTP_INIT_ACK] = EV_INIT_ACK,		[NLVS_SCTP_SACK] = EV_DATA,
	[NLVS_SCTP_HEARTBEAT] = EV_DATA,		[NLVS_SCTP_HEARTBEAT_ACK] = EV_DATA,
	[NLVS_SCTP_ABORT] = EV_ABORT,			[NLVS_SCTP_SHUTDOWN] = EV_SHUTDOWN,
	[NLVS_SCTP_SHUTDOWN_ACK] = EV_SHUTDOWN_ACK,	[NLVS_SCTP_ERROR] = EV_ERROR,
	[NLVS_SCTP_COOKIE_ECHO] = EV_COOKIE_ECHO,	[NLVS_SCTP_COOKIE_ACK] = EV_COOKIE_ACK,
	[NLVS_SCTP_ECNE] = EV_DATA,			[NLVS_SCTP_CWR] = EV_DATA,
	[NLVS_SCTP_SHUTDOWN_COMPLETE] = EV_SHUTDOWN_COMPLETE,
};

static const uint8_t sctp_next[TAB_MAX][EV_MAX][NLVS_SCTP_S_LAST] = {
	[TAB_INPUT] = {
		/*		   NO  I1  IN  CS  CR  CW  CO  CE  ES  SS  SR  SA  RJ  CL */
		[EV_DATA]	= { ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_INIT]	= { I1, IN, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, IN, IN },
		[EV_INIT_ACK]	= { CW, CW, CW, CS, CR, CO, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_COOKIE_ECHO] = { CR, IN, IN, CR, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_COOKIE_ACK]	= { ES, I1, IN, CS, CR, CW, CO, ES, ES, SS, SR, SA, RJ, CL },
		[EV_SHUTDOWN]	= { SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL },
		[EV_SHUTDOWN_ACK] = { CL, IN, IN, CS, CR, CW, CO, CE, ES, CL, SR, CL, RJ, CL },
		[EV_SHUTDOWN_COMPLETE] = { CL, CL, CL, CS, CR, CW, CO, CE, ES, SS, SR, CL, RJ, CL },
		[EV_ERROR]	= { CL, I1, IN, CS, CR, CW, CO, CL, ES, SS, SR, SA, RJ, CL },
		[EV_ABORT]	= { CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL },
	},
	[TAB_OUTPUT] = {
		[EV_DATA]	= { ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_INIT]	= { CW, CW, CW, CW, CW, CW, CW, CW, ES, CW, CW, CW, CW, CW },
		[EV_INIT_ACK]	= { CS, CS, CS, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_COOKIE_ECHO] = { CE, CE, CE, CE, CE, CE, CE, CE, ES, SS, SR, SA, RJ, CL },
		[EV_COOKIE_ACK]	= { ES, ES, ES, ES, ES, ES, ES, ES, ES, SS, SR, SA, RJ, CL },
		[EV_SHUTDOWN]	= { SS, SS, SS, SS, SS, SS, SS, SS, SS, SS, SR, SA, RJ, CL },
		[EV_SHUTDOWN_ACK] = { SA, SA, SA, SA, SA, CW, CO, CE, ES, SA, SA, SA, RJ, CL },
		[EV_SHUTDOWN_COMPLETE] = { CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_ERROR]	= { CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_ABORT]	= { CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL },
	},
	[TAB_INPUT_ONLY] = {
		[EV_DATA]	= { ES, I1, IN, CS, CR, ES, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_INIT]	= { I1, IN, IN, IN, IN, IN, CO, CE, ES, SS, SR, SA, IN, IN },
		[EV_INIT_ACK]	= { CE, CE, CE, CE, CE, CE, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_COOKIE_ECHO] = { ES, ES, ES, ES, ES, ES, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_COOKIE_ACK]	= { ES, I1, IN, ES, ES, CW, ES, ES, ES, SS, SR, SA, RJ, CL },
		[EV_SHUTDOWN]	= { SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL },
		[EV_SHUTDOWN_ACK] = { CL, IN, IN, CS, CR, CW, CO, CE, CL, CL, SR, CL, RJ, CL },
		[EV_SHUTDOWN_COMPLETE] = { CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, CL, CL, RJ, CL },
		[EV_ERROR]	= { CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
		[EV_ABORT]	= { CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL },
	},
};

#define MAX_RTO	(60 + 1)	/* seconds: the handshake and shutdown states */

static const uint32_t sctp_timeout[NLVS_SCTP_S_LAST] = {
	[NO] = 2, [I1] = 3 + 1, [IN] = MAX_RTO, [CS] = MAX_RTO, [CR] = MAX_RTO,
	[CW] = MAX_RTO, [CO] = MAX_RTO, [CE] = MAX_RTO, [ES] = 15 * 60, [SS] = MAX_RTO,
	[SR] = MAX_RTO, [SA] = MAX_RTO, [RJ] = 3 + 1, [CL] = MAX_RTO,
};

static const char *const sctp_names[NLVS_SCTP_S_LAST] = {
	"NONE", "INIT1", "INIT", "C-SENT", "C-REPLIED", "C-WAIT", "COOKIE", "C-ECHOED",
	"ESTABLISHED", "S-SENT", "S-RECEIVED", "S-ACK-SENT", "REJECTED", "CLOSED",
};

unsigned int nlvs_sctp_state_next(unsigned int state, unsigned int side, int nooutput,
				  uint8_t chunk)
{
	unsigned int ev = chunk < sizeof(chunk_event) ? chunk_event[chunk] : EV_DATA;
	unsigned int tab = side == NLVS_CONN_SIDE_RS ? TAB_OUTPUT :
			   nooutput ? TAB_INPUT_ONLY : TAB_INPUT;

	if (state >= NLVS_SCTP_S_LAST)
		return NLVS_SCTP_S_CLOSED;
	return sctp_next[tab][ev][state];
}

int nlvs_sctp_state_update(struct nlvs_conn *c, unsigned int side, uint8_t chunk)
{
	unsigned int next;

	next = nlvs_sctp_state_next(c->state, side, conn_nooutput(c, side), chunk);
	return nlvs_conn_state_set(c, next, next == NLVS_SCTP_S_ESTABLISHED, sctp_timeout[next]);
}

const char *nlvs_sctp_state_name(unsigned int state)
{
	return state < NLVS_SCTP_S_LAST ? sctp_names[state] : "ERR!";
}
