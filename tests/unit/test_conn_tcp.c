// SPDX-License-Identifier: GPL-2.0-or-later
/* TCP states: kernel transitions checked cell by cell from the kernel's
 * behaviour, lifecycles with Active/InAct accounting on a real dest,
 * timeouts and --set, state names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "conn/nlvs_conn.h"
#include "sched/nlvs_sched.h"

#define S	NLVS_TCP_SYN
#define F	(NLVS_TCP_FIN | NLVS_TCP_ACK)
#define A	NLVS_TCP_ACK
#define R	NLVS_TCP_RST
#define IN	NLVS_CONN_SIDE_CLIENT
#define OUT	NLVS_CONN_SIDE_RS

static void test_transitions(void **state)
{
	/* client SYN opens, server SYN-ACK keeps SYN_RECV, client ACK establishes */
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_NONE, IN, 0, S), NLVS_TCP_S_SYN_RECV);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_SYN_RECV, OUT, 0, S | A),
			 NLVS_TCP_S_SYN_RECV);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_SYN_RECV, IN, 0, A),
			 NLVS_TCP_S_ESTABLISHED);
	/* the half-closes */
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_ESTABLISHED, IN, 0, F),
			 NLVS_TCP_S_CLOSE_WAIT);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_ESTABLISHED, OUT, 0, F),
			 NLVS_TCP_S_FIN_WAIT);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_CLOSE_WAIT, OUT, 0, F),
			 NLVS_TCP_S_TIME_WAIT);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_FIN_WAIT, IN, 0, F),
			 NLVS_TCP_S_TIME_WAIT);
	/* input-only (no reply seen): a client FIN means FIN_WAIT */
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_ESTABLISHED, IN, 1, F),
			 NLVS_TCP_S_FIN_WAIT);
	/* resets */
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_ESTABLISHED, IN, 0, R),
			 NLVS_TCP_S_CLOSE);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_SYN_RECV, IN, 0, R),
			 NLVS_TCP_S_SYN_RECV);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_SYN_SENT, OUT, 0, R),
			 NLVS_TCP_S_SYN_SENT);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_TIME_WAIT, OUT, 0, R),
			 NLVS_TCP_S_TIME_WAIT);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_LAST_ACK, IN, 0, R),
			 NLVS_TCP_S_LAST_ACK);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_SYNACK, IN, 1, R), NLVS_TCP_S_CLOSE);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_SYNACK, IN, 0, R),
			 NLVS_TCP_S_SYN_RECV);
	/* a bare ACK from the client does not open anything (kernel >= 3.x) */
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_NONE, IN, 0, A), NLVS_TCP_S_CLOSE);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_NONE, OUT, 0, A),
			 NLVS_TCP_S_ESTABLISHED);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_LISTEN, OUT, 0, A),
			 NLVS_TCP_S_ESTABLISHED);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_LAST_ACK, IN, 0, A), NLVS_TCP_S_CLOSE);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_LAST_ACK, OUT, 0, A),
			 NLVS_TCP_S_LAST_ACK);
	/* SYN from the server side */
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_NONE, OUT, 0, S), NLVS_TCP_S_SYN_SENT);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_SYN_SENT, IN, 0, S),
			 NLVS_TCP_S_ESTABLISHED);
	/* priority: RST beats SYN, SYN beats FIN, FIN beats ACK; no flag closes */
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_ESTABLISHED, IN, 0, S | R),
			 NLVS_TCP_S_CLOSE);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_ESTABLISHED, IN, 0, S | F),
			 NLVS_TCP_S_ESTABLISHED);
	assert_int_equal(nlvs_tcp_state_next(NLVS_TCP_S_ESTABLISHED, IN, 0, NLVS_TCP_PSH),
			 NLVS_TCP_S_CLOSE);
}

static void test_timeouts(void **state)
{
	struct nlvs_conn_timeouts to;

	nlvs_conn_timeouts_default(&to);
	assert_int_equal(to.tcp[NLVS_TCP_S_ESTABLISHED], 900);
	assert_int_equal(to.tcp[NLVS_TCP_S_SYN_SENT], 120);
	assert_int_equal(to.tcp[NLVS_TCP_S_SYN_RECV], 60);
	assert_int_equal(to.tcp[NLVS_TCP_S_FIN_WAIT], 120);
	assert_int_equal(to.tcp[NLVS_TCP_S_TIME_WAIT], 120);
	assert_int_equal(to.tcp[NLVS_TCP_S_CLOSE], 10);
	assert_int_equal(to.tcp[NLVS_TCP_S_CLOSE_WAIT], 60);
	assert_int_equal(to.tcp[NLVS_TCP_S_LAST_ACK], 30);
	assert_int_equal(to.tcp[NLVS_TCP_S_LISTEN], 120);
	assert_int_equal(to.tcp[NLVS_TCP_S_SYNACK], 120);
	assert_int_equal(to.udp, 300);
	assert_int_equal(to.tcp[NLVS_TCP_S_ESTABLISHED], NLVS_TIMEOUT_TCP_DEFAULT);
	nlvs_conn_timeouts_set(&to, 3600, 0, 30);
	assert_int_equal(to.tcp[NLVS_TCP_S_ESTABLISHED], 3600);
	assert_int_equal(to.tcp[NLVS_TCP_S_FIN_WAIT], 120);
	assert_int_equal(to.udp, 30);
	nlvs_conn_timeouts_set(&to, 0, 15, 0);
	assert_int_equal(to.tcp[NLVS_TCP_S_FIN_WAIT], 15);
	assert_int_equal(to.tcp[NLVS_TCP_S_ESTABLISHED], 3600);
}

struct step {
	unsigned int side;
	uint8_t flags;
	unsigned int state;
	int delta;
	uint32_t active, inact;
};

/* A full FULLNAT lifecycle driving a real dest's counters as the worker will. */
static void test_lifecycle_accounting(void **state)
{
	static const struct step steps[] = {
		{ IN, S, NLVS_TCP_S_SYN_RECV, 0, 0, 1 },
		{ OUT, S | A, NLVS_TCP_S_SYN_RECV, 0, 0, 1 },
		{ IN, A, NLVS_TCP_S_ESTABLISHED, 1, 1, 0 },
		{ IN, A | NLVS_TCP_PSH, NLVS_TCP_S_ESTABLISHED, 0, 1, 0 },
		{ OUT, A, NLVS_TCP_S_ESTABLISHED, 0, 1, 0 },
		{ IN, F, NLVS_TCP_S_CLOSE_WAIT, -1, 0, 1 },
		{ OUT, F, NLVS_TCP_S_TIME_WAIT, 0, 0, 1 },
		{ IN, A, NLVS_TCP_S_TIME_WAIT, 0, 0, 1 },
	};
	struct nlvs_conn_timeouts to;
	struct nlvs_conn c;
	struct nlvs_rs rs;
	unsigned int i;

	nlvs_conn_timeouts_default(&to);
	memset(&c, 0, sizeof(c));
	memset(&rs, 0, sizeof(rs));
	rs.weight = 1;
	c.proto = IPPROTO_TCP;
	c.flags = NLVS_CONN_F_INACTIVE;		/* new connections start inactive */
	nlvs_rs_conn_bind(&rs, 0, 0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int d = nlvs_conn_state_update(&c, steps[i].side, steps[i].flags, &to);

		if (d)
			nlvs_rs_conn_activate(&rs, d > 0);
		assert_int_equal(c.state, steps[i].state);
		assert_int_equal(d, steps[i].delta);
		assert_int_equal(rs.activeconns, steps[i].active);
		assert_int_equal(rs.inactconns, steps[i].inact);
		assert_int_equal(c.timeout, to.tcp[c.state] * 1000);
	}
	assert_string_equal(nlvs_conn_state_name(&c), "TIME_WAIT");

	/* reset of an established connection */
	c.state = NLVS_TCP_S_ESTABLISHED;
	c.flags = 0;
	assert_int_equal(nlvs_conn_state_update(&c, IN, R, &to), -1);
	assert_int_equal(c.timeout, 10000);
	assert_string_equal(nlvs_conn_state_name(&c), "CLOSE");

	/* NOOUTPUT: input-only table until the first reply */
	c.state = NLVS_TCP_S_ESTABLISHED;
	c.flags = NLVS_CONN_F_NOOUTPUT;
	nlvs_conn_state_update(&c, IN, F, &to);
	assert_int_equal(c.state, NLVS_TCP_S_FIN_WAIT);
	c.state = NLVS_TCP_S_ESTABLISHED;
	nlvs_conn_state_update(&c, OUT, A, &to);
	assert_false(c.flags & NLVS_CONN_F_NOOUTPUT);
	nlvs_conn_state_update(&c, IN, F, &to);
	assert_int_equal(c.state, NLVS_TCP_S_CLOSE_WAIT);

	/* --set tcp applies to ESTABLISHED */
	nlvs_conn_timeouts_set(&to, 7200, 0, 0);
	c.state = NLVS_TCP_S_SYN_RECV;
	c.flags = NLVS_CONN_F_INACTIVE;
	assert_int_equal(nlvs_conn_state_update(&c, IN, A, &to), 1);
	assert_int_equal(c.timeout, 7200000u);
}

/* Port reuse: only a client's plain SYN on an ended, uncontrolled TCP
 * connection starts a new one. */
static void test_reuse(void **state)
{
	struct nlvs_conn c;
	unsigned int st;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.proto = IPPROTO_TCP;
	for (st = NLVS_TCP_S_NONE; st < NLVS_TCP_S_LAST; st++) {
		int ended = st == NLVS_TCP_S_TIME_WAIT || st == NLVS_TCP_S_CLOSE;

		c.state = (uint8_t)st;
		assert_int_equal(nlvs_conn_reusable(&c, IN, S), ended);
		assert_false(nlvs_conn_reusable(&c, OUT, S));
		assert_false(nlvs_conn_reusable(&c, IN, S | A));
		assert_false(nlvs_conn_reusable(&c, IN, A));
		assert_false(nlvs_conn_reusable(&c, IN, S | R));
	}
	c.state = NLVS_TCP_S_TIME_WAIT;
	assert_true(nlvs_conn_reusable(&c, IN, S | NLVS_TCP_PSH));
	c.flags = NLVS_CONN_F_CONTROLLED;	/* a persistence template holds it */
	assert_false(nlvs_conn_reusable(&c, IN, S));
	c.flags = NLVS_CONN_F_TEMPLATE;
	assert_false(nlvs_conn_reusable(&c, IN, S));
	c.flags = 0;
	c.proto = IPPROTO_UDP;
	assert_false(nlvs_conn_reusable(&c, IN, S));
}

static void test_udp_and_names(void **state)
{
	struct nlvs_conn_timeouts to;
	struct nlvs_conn c;
	unsigned int s;

	nlvs_conn_timeouts_default(&to);
	memset(&c, 0, sizeof(c));
	c.proto = IPPROTO_UDP;
	assert_int_equal(nlvs_conn_state_update(&c, IN, 0, &to), 0);
	assert_int_equal(c.timeout, 300000);
	assert_string_equal(nlvs_conn_state_name(&c), "UDP");
	c.proto = IPPROTO_TCP;
	{
		static const char *const names[] = {
			"NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
			"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK",
		};

		for (s = 0; s < NLVS_TCP_S_LAST; s++) {
			c.state = (uint8_t)s;
			assert_string_equal(nlvs_conn_state_name(&c), names[s]);
		}
	}
}

/* SCTP: the kernel's input-only lifecycle of a DR/TUN association, the
 * Active/InAct delta, timeouts, a reply leaving the input-only table, names */
static void test_sctp(void **state)
{
	struct nlvs_conn_timeouts to;
	struct nlvs_conn c;

	nlvs_conn_timeouts_default(&to);
	memset(&c, 0, sizeof(c));
	c.proto = IPPROTO_SCTP;
	c.flags = NLVS_CONN_F_NOOUTPUT | NLVS_CONN_F_INACTIVE;
	assert_string_equal(nlvs_conn_state_name(&c), "NONE");
	assert_int_equal(nlvs_conn_state_update(&c, IN, NLVS_SCTP_INIT, &to), 0);
	assert_string_equal(nlvs_conn_state_name(&c), "INIT1");
	assert_int_equal(c.timeout, 4000);
	assert_int_equal(nlvs_conn_state_update(&c, IN, NLVS_SCTP_INIT, &to), 0);
	assert_string_equal(nlvs_conn_state_name(&c), "INIT");
	assert_int_equal(c.timeout, 61000);
	assert_int_equal(nlvs_conn_state_update(&c, IN, NLVS_SCTP_COOKIE_ECHO, &to), 1);
	assert_string_equal(nlvs_conn_state_name(&c), "ESTABLISHED");
	assert_int_equal(c.timeout, 900000);
	assert_int_equal(nlvs_conn_state_update(&c, IN, NLVS_SCTP_HEARTBEAT, &to), 0);
	assert_int_equal(nlvs_conn_state_update(&c, IN, 0xc0, &to), 0);	/* unknown: data */
	assert_int_equal(nlvs_conn_state_update(&c, IN, NLVS_SCTP_SHUTDOWN, &to), -1);
	assert_string_equal(nlvs_conn_state_name(&c), "S-RECEIVED");
	assert_int_equal(nlvs_conn_state_update(&c, IN, NLVS_SCTP_SHUTDOWN_COMPLETE, &to), 0);
	assert_string_equal(nlvs_conn_state_name(&c), "CLOSED");
	/* a new INIT on a CLOSED association opens it again */
	assert_int_equal(nlvs_sctp_state_next(NLVS_SCTP_S_CLOSED, IN, 1, NLVS_SCTP_INIT),
			 NLVS_SCTP_S_INIT);
	/* input-only differs from input: INIT ACK seen from the client side */
	assert_int_equal(nlvs_sctp_state_next(NLVS_SCTP_S_NONE, IN, 1, NLVS_SCTP_INIT_ACK),
			 NLVS_SCTP_S_COOKIE_ECHOED);
	assert_int_equal(nlvs_sctp_state_next(NLVS_SCTP_S_NONE, IN, 0, NLVS_SCTP_INIT_ACK),
			 NLVS_SCTP_S_COOKIE_WAIT);
	assert_int_equal(nlvs_sctp_state_next(NLVS_SCTP_S_COOKIE_WAIT, IN, 0, NLVS_SCTP_ABORT),
			 NLVS_SCTP_S_REJECTED);
	assert_int_equal(nlvs_sctp_state_next(NLVS_SCTP_S_INIT1, OUT, 0, NLVS_SCTP_ABORT),
			 NLVS_SCTP_S_REJECTED);
	/* a packet from the real server leaves the input-only table for good */
	c.state = NLVS_SCTP_S_INIT1;
	nlvs_conn_state_update(&c, OUT, NLVS_SCTP_INIT_ACK, &to);
	assert_false(c.flags & NLVS_CONN_F_NOOUTPUT);
	assert_string_equal(nlvs_conn_state_name(&c), "C-SENT");
	/* an INIT on a CLOSED association is a new one (conn_reuse_mode) */
	c.state = NLVS_SCTP_S_CLOSED;
	assert_true(nlvs_conn_reusable(&c, IN, NLVS_SCTP_INIT));
	assert_false(nlvs_conn_reusable(&c, IN, NLVS_SCTP_DATA));
	assert_false(nlvs_conn_reusable(&c, OUT, NLVS_SCTP_INIT));
	c.state = NLVS_SCTP_S_ESTABLISHED;
	assert_false(nlvs_conn_reusable(&c, IN, NLVS_SCTP_INIT));
	c.state = NLVS_SCTP_S_LAST;
	assert_string_equal(nlvs_conn_state_name(&c), "ERR!");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_lifecycle_accounting),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_udp_and_names),
		cmocka_unit_test(test_sctp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
