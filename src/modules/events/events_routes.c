/* events_routes.c — GET /v1/admin/events, the admin app's live updates.
 *
 * One Server-Sent Events stream per signed-in tab (EventSource sends the
 * session cookie; a GET needs no CSRF token). http_stream_admit takes the
 * stream out of the worker pool, so an open stream never starves request
 * handling; STREAMS_MAX bounds them all, EVENTS_STREAMS_MAX and
 * EVENTS_STREAMS_PER_TENANT bound these.
 *
 * Events carry `id:` (increasing within a server process) and the stream
 * starts with `retry:`; there is no replay: after a reconnect the browser
 * refetches what it shows. Every EVENTS_HEARTBEAT_S (25 s) a comment keeps
 * proxies from closing the stream, and the session is checked again: a
 * signed-out or expired session ends the stream then. */
#include "modules/events/events_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/log.h"
#include "http/http.h"
#include "modules/auth/auth.h"

static bool
gone(struct request *r)
{
	return (r->cancelled != NULL && atomic_load(r->cancelled)) || http_shutting_down();
}

/* One wait on the stream: an event sent, a heartbeat, or nothing. NULL
 * while the stream goes on, else why it ends. */
static const char *
stream_step(struct request *r, struct events_sub *s, time_t *beat)
{
	bool lagging;
	char *m;
	enum status st;

	if (gone(r))
		return http_shutting_down() ? "shutdown" : "client gone";
	if ((m = events_next(s, 250, &lagging)) != NULL) {
		enum status ws = http_stream_write(r, m, strlen(m));

		free(m);
		return ws == ST_OK ? NULL : "client gone";
	}
	if (lagging)
		return "lagging";
	if (time(NULL) < *beat)
		return NULL;
	*beat = time(NULL) + r->ctx.cfg->events_heartbeat_s;
	/* Revoked or expired: end the stream; EventSource reconnects and
	 * gets the 401. */
	if ((st = auth_authenticate(r, PERM_AUTHENTICATED)) != ST_OK)
		return st == ST_UNAUTHENTICATED ? "signed out" : "session check failed";
	/* A closed client is noticed here: h2o reads nothing while a response
	 * is in progress, so the second write after the peer left fails. */
	if (http_stream_try_write(r, ": keep-alive\n\n", 14) == ST_UNAVAILABLE)
		return "client gone";
	return NULL;
}

static enum status
stream_route(struct request *r, struct response *w)
{
	struct events_sub *s;
	const struct config *cfg = r->ctx.cfg;
	time_t beat, opened;
	const char *why;
	enum status st;
	static const char hello[] = "retry: 3000\n: connected\n\n";

	if (!r->ctx.has_tenant || r->ctx.principal == NULL)
		return err_set(&r->err, ST_UNAUTHENTICATED, "Sign in first.");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return err_set(&r->err, ST_UNAVAILABLE, "Out of memory.");
	strcpy(s->tenant_id, ctx_tenant_id(&r->ctx));
	s->principal = *r->ctx.principal;
	if ((st = events_subscribe(s, cfg->events_streams_max,
	    cfg->events_streams_per_tenant)) != ST_OK) {
		free(s);
		return err_set(&r->err, ST_UNAVAILABLE, "Too many live update streams.");
	}
	if ((st = http_stream_admit(r)) != ST_OK)
		goto out;
	response_header(w, "X-Accel-Buffering", "no");
	if ((st = http_stream_start(r, w, 200, "text/event-stream; charset=utf-8")) != ST_OK)
		goto out;
	if (http_stream_write(r, hello, sizeof(hello) - 1) != ST_OK)
		goto done;
	opened = beat = time(NULL);
	beat += cfg->events_heartbeat_s;
	while ((why = stream_step(r, s, &beat)) == NULL)
		;
	/* One line per stream: why it ended and after how long (a slot held
	 * long after its tab closed shows here). */
	log_emit(LOG_INFO, "events stream ended", json_pack("{s:s, s:s, s:I}",
	    "request_id", r->request_id, "reason", why,
	    "seconds", (json_int_t)(time(NULL) - opened)));
done:
	err_clear(&r->err);
	st = ST_OK;
out:
	events_unsubscribe(s);
	free(s);
	return st;
}

static const struct route events_routes_v[] = {
	{ HTTP_GET, "/v1/admin/events", stream_route, TENANCY_HOST_OR_HEADER,
	    PERM_AUTHENTICATED, NULL },
};

const struct route_table events_routes = TABLE_OF(events_routes_v);
