// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The metrics endpoint: libmicrohttpd with its own polling thread, so a slow
 * or hostile scraper never holds up the control loop, and the control loop
 * never waits for the network.  Each scrape asks the control thread for the
 * text (metrics_text.c) and sends it; nothing here reads a counter itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "base/nlvs_log.h"
#include "ctl_call.h"
#include "metrics.h"

#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define METRICS_CONN_MAX	16	/* scrapers at once */
#define METRICS_TIMEOUT_S	10	/* idle connection */

static struct MHD_Daemon *mhd;

struct render {
	char *buf;
	size_t len;
	int ok;
};

/* On the control thread. */
static void render(void *arg)
{
	struct render *r = arg;
	FILE *f = open_memstream(&r->buf, &r->len);

	if (!f)
		return;
	nlvs_metrics_write(f);
	r->ok = fclose(f) == 0;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, char *body,
			     size_t len, const char *type)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result text_reply(struct MHD_Connection *conn, unsigned int status,
				  const char *msg)
{
	char *body = strdup(msg);

	return body ? reply(conn, status, body, strlen(body), "text/plain") : MHD_NO;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	static int first;
	struct render r = { 0 };

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return text_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
	/* the first call comes with the headers; answer on the second */
	if (*con_cls != &first) {
		*con_cls = &first;
		return MHD_YES;
	}
	if (*upload_size)
		return text_reply(conn, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	if (!strcmp(url, "/"))
		return text_reply(conn, MHD_HTTP_OK,
				  "nlvsd: Prometheus metrics at /metrics\n");
	if (strcmp(url, "/metrics"))
		return text_reply(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
	if (nlvs_ctl_call(render, &r) < 0 || !r.ok) {
		free(r.buf);
		return text_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "nlvsd is stopping\n");
	}
	return reply(conn, MHD_HTTP_OK, r.buf, r.len, METRICS_TYPE);
}

int nlvs_metrics_start(const struct nlvs_conf_listen *l)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	const struct sockaddr *sa;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;

	if (l->af == AF_INET6) {
		memcpy(&sin6.sin6_addr, &l->addr, sizeof(sin6.sin6_addr));
		sin6.sin6_port = htons(l->port);
		sa = (const struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
	} else {
		sin.sin_addr.s_addr = l->addr.ip;
		sin.sin_port = htons(l->port);
		sa = (const struct sockaddr *)&sin;
	}
	mhd = MHD_start_daemon(flags, l->port, NULL, NULL, answer, NULL,
			       MHD_OPTION_SOCK_ADDR, sa,
			       MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CONN_MAX,
			       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
			       MHD_OPTION_END);
	if (!mhd)
		return errno ? -errno : -EADDRNOTAVAIL;
	return 0;
}

void nlvs_metrics_stop(void)
{
	if (mhd)
		MHD_stop_daemon(mhd);
	mhd = NULL;
}
