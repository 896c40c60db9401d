/* dispatch.c — runs one request through routing, tenant resolution and its
 * handler, turning every failure into the one error body. */
#include "http/dispatch.h"

#include <stdio.h>
#include <time.h>

#include "app.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/router.h"

uint64_t
http_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
access_log(struct request *r, struct response *w, uint64_t dur_us)
{
	enum log_level lvl = w->status >= 500 ? LOG_ERROR : LOG_INFO;
	json_t *f;

	if (!log_enabled(lvl))
		return;
	/* The path is logged without its query string, which may carry
	 * personal data; bodies are never logged. */
	f = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:i, s:f, s:I}",
	    "request_id", r->request_id,
	    "tenant_id", r->ctx.has_tenant ? r->ctx.tenant.id : NULL,
	    "route", r->route ? r->route->name : "unmatched",
	    "method", r->method_name ? r->method_name : "?",
	    "path", r->path ? r->path : "",
	    "status", w->status,
	    "duration_ms", (double)dur_us / 1000.0,
	    "bytes", (json_int_t)w->body_len);
	if (f == NULL)	/* a path that is not UTF-8 */
		f = json_pack("{s:s, s:i}", "request_id", r->request_id, "status", w->status);
	log_emit(lvl, "request", f);
}

void
http_finish(struct app *app, struct request *r, struct response *w, uint64_t start_us)
{
	uint64_t dur = http_now_us() - start_us;

	metrics_record(app->metrics, r->route ? router_index(&app->router, r->route)
	    : ROUTER_MAX_ROUTES, w->status, dur);
	access_log(r, w, dur);
}

/* On every reply a browser guard let through, errors included: a widget
 * must be able to read its 429 and Retry-After. */
static void
cors_headers(struct request *r, struct response *w)
{
	if (r->cors_origin == NULL)
		return;
	response_header(w, "access-control-allow-origin", r->cors_origin);
	response_header(w, "access-control-expose-headers", "retry-after, x-request-id");
	response_header(w, "vary", "Origin");
}

void
http_dispatch(struct app *app, struct request *r, struct response *w)
{
	uint64_t start = http_now_us();
	unsigned allow = 0;
	enum status st;

	err_clear(&r->err);
	if (r->body_len > (size_t)app->cfg.max_body_bytes) {
		st = err_set(&r->err, ST_TOO_LARGE, "The request body is larger than %d bytes.",
		    app->cfg.max_body_bytes);
		goto out;
	}
	st = router_match(&app->router, r->arena, r->method, r->path, r, &allow);
	if (st == ST_METHOD && r->method == HTTP_OPTIONS && app->preflight != NULL &&
	    http_header(r, "access-control-request-method") != NULL) {
		st = app->preflight(r, w);
		goto out;
	}
	if (st == ST_NOTFOUND)
		err_set(&r->err, st, "No route for %s.", "this path");
	if (st == ST_METHOD)
		err_set(&r->err, st, "This path does not accept %s.", r->method_name);
	if (st == ST_OK && r->route->tenancy != TENANCY_NONE)
		st = app->resolve_tenant(r);
	if (st == ST_OK && app->browser_guard != NULL)
		st = app->browser_guard(r);
	if (st == ST_OK && r->route->perm != 0)
		st = app->authenticate != NULL ? app->authenticate(r, r->route->perm)
		    : err_set(&r->err, ST_UNAUTHENTICATED, "Authentication is not available.");
	if (st == ST_OK) {
		cors_headers(r, w);
		st = r->route->fn(r, w);
	}
out:
	if (st != ST_OK) {
		http_render_error(r, w, st);
		if (st == ST_METHOD) {
			char *a = arena_alloc(r->arena, 64);

			router_allow_string(allow, a, 64);
			response_header(w, "allow", a);
		}
		if (st == ST_INTERNAL)
			log_error("request %s failed: %s", r->request_id, r->err.message);
		cors_headers(r, w);
	}
	http_finish(app, r, w, start);
}
