/* test_routes.c — routes mounted only with ENABLE_TEST_ROUTES=true. They
 * exist so the integration suite can drive the server's machinery (a slow
 * request for drain tests, a strict JSON body, job enqueueing) through real
 * HTTP. Never enabled in production. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/jsonv.h"
#include "core/log.h"
#include "modules/auth/auth.h"
#include "modules/system/system.h"
#include "modules/system/system_store.h"

/* GET /v1/test/sleep?ms=N — answers after N ms (max 10 s), sooner if the
 * client goes away. */
static enum status
sleep_route(struct request *r, struct response *w)
{
	const char *v = http_query(r, "ms");
	long ms = v ? strtol(v, NULL, 10) : 0;

	if (ms < 0 || ms > 10000) {
		err_detail(&r->err, "ms", "must be between 0 and 10000");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	for (long t = 0; t < ms && !atomic_load(r->cancelled); t += 10) {
		struct timespec ts = { 0, 10 * 1000000L };

		nanosleep(&ts, NULL);
	}
	return reply_json(r, w, 200, json_pack("{s:i}", "slept_ms", (int)ms));
}

static const char *const colours[] = { "red", "green", "blue", NULL };

static const struct jv_field echo_fields[] = {
	{ "name", JV_STRING, true, false, 1, 50, NULL, NULL, NULL },
	{ "count", JV_INT, false, false, 0, 100, NULL, NULL, NULL },
	{ "colour", JV_STRING, false, true, 0, 0, colours, NULL, NULL },
	{ "id", JV_STRING, false, false, 36, 36, NULL, id_is_uuid, "a UUID" },
	{ "flag", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
};

/* POST /v1/test/echo — strict JSON validation, echoed back. */
static enum status
echo_route(struct request *r, struct response *w)
{
	json_t *body;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	if ((st = jv_validate(body, echo_fields, sizeof(echo_fields) / sizeof(echo_fields[0]),
	    &r->err)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_incref(body));
}

static const char *const test_kinds[] = { "test.sleep", "test.fail", NULL };

static const struct jv_field job_fields[] = {
	{ "kind", JV_STRING, true, false, 1, 50, test_kinds, NULL, NULL },
	{ "payload", JV_OBJECT, false, false, 0, 0, NULL, NULL, NULL },
	{ "unique_key", JV_STRING, false, false, 1, 255, NULL, NULL, NULL },
	{ "max_attempts", JV_INT, false, false, 1, 100, NULL, NULL, NULL },
};

/* POST /v1/test/jobs — enqueues a test job for the tenant. */
static enum status
jobs_route(struct request *r, struct response *w)
{
	json_t *body, *ma;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	if ((st = jv_validate(body, job_fields, sizeof(job_fields) / sizeof(job_fields[0]),
	    &r->err)) != ST_OK)
		return st;
	ma = json_object_get(body, "max_attempts");
	if ((st = system_test_enqueue(&r->ctx, json_string_value(json_object_get(body, "kind")),
	    json_object_get(body, "payload"),
	    json_string_value(json_object_get(body, "unique_key")),
	    ma ? (int)json_integer_value(ma) : 3)) != ST_OK)
		return st;
	return reply_json(r, w, 201, json_pack("{s:b}", "queued", 1));
}

/* POST /v1/test/retention — the tenant's part of a retention run, now
 * (the hourly system.retention job runs it for every tenant in turn). */
static enum status
retention_tenant_route(struct request *r, struct response *w)
{
	struct retention_result out;
	json_t *deleted;
	enum status st;

	if ((st = system_retention_tenant(&r->ctx, &out)) != ST_OK)
		return st;
	deleted = json_object();
	for (int t = 0; t < RT__COUNT; t++)
		json_object_set_new(deleted, retention_table_names[t], json_integer(out.rows[t]));
	return reply_json(r, w, 200, json_pack("{s:i, s:i, s:o}", "transcript_days",
	    out.transcript_days, "customer_months", out.customer_months, "deleted", deleted));
}

/* GET /v1/test/routes — every mounted route and the permission it needs,
 * so the permission-matrix test covers new routes without being told. */
static enum status
routes_route(struct request *r, struct response *w)
{
	static const char *const tenancy[] = { "none", "host", "host_or_header" };
	const struct router *rt = &r->app->router;
	json_t *items = json_array();

	for (size_t i = 0; i < rt->n; i++) {
		const struct route *ro = &rt->routes[i];
		json_t *methods = json_array(), *perm;
		char allow[64];
		char *tok, *save = NULL;

		router_allow_string(ro->methods, allow, sizeof(allow));
		for (tok = strtok_r(allow, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			if (strcmp(tok, "HEAD") != 0)
				json_array_append_new(methods, json_string(tok));
		if (ro->perm == 0)
			perm = json_null();
		else if (ro->perm == PERM_PLATFORM)
			perm = json_string("platform");
		else
			perm = json_pack("{s:s, s:s}", "resource",
			    authz_resource_name(PERM_RESOURCE(ro->perm)), "verb",
			    PERM_VERB(ro->perm) == VERB_WRITE ? "write" : "read");
		json_array_append_new(items, json_pack("{s:o, s:s, s:s, s:o}", "methods", methods,
		    "pattern", ro->pattern, "tenancy", tenancy[ro->tenancy], "perm", perm));
	}
	return reply_json(r, w, 200, json_pack("{s:o}", "items", items));
}

/* GET /v1/test/stream?n=N&ms=M&size=S — N server-sent events of S bytes,
 * M ms apart; stops as soon as the client goes away and logs how far it
 * got, so tests can see cancellation. */
static enum status
stream_route(struct request *r, struct response *w)
{
	const char *nv = http_query(r, "n"), *mv = http_query(r, "ms"), *sv = http_query(r, "size");
	long n = nv ? strtol(nv, NULL, 10) : 3, ms = mv ? strtol(mv, NULL, 10) : 0;
	long size = sv ? strtol(sv, NULL, 10) : 16;
	char *payload;
	long i;
	enum status st;

	if (n < 1 || n > 100000 || ms < 0 || ms > 10000 || size < 1 || size > 65536) {
		err_detail(&r->err, "n", "n 1..100000, ms 0..10000, size 1..65536");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	payload = arena_alloc(r->arena, (size_t)size + 1);
	memset(payload, 'x', (size_t)size);
	payload[size] = '\0';
	if ((st = http_stream_start(r, w, 200, "text/event-stream")) != ST_OK)
		return st;
	for (i = 0; i < n; i++) {
		char *ev = arena_printf(r->arena, "event: tick\nid: %ld\ndata: %s\n\n", i, payload);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		if (http_stream_write(r, ev, strlen(ev)) != ST_OK)
			break;
		if (ms > 0 && i + 1 < n)
			nanosleep(&ts, NULL);
	}
	log_emit(LOG_INFO, "test stream ended", json_pack("{s:s, s:I, s:b}", "request_id",
	    r->request_id, "sent", (json_int_t)i, "cancelled", atomic_load(r->cancelled)));
	return ST_OK;
}

static const struct route system_test_routes_v[] = {
	{ HTTP_GET, "/v1/test/stream", stream_route, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/v1/test/routes", routes_route, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/v1/test/sleep", sleep_route, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/test/echo", echo_route, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/test/jobs", jobs_route, TENANCY_HOST_OR_HEADER, 0, NULL },
	{ HTTP_POST, "/v1/test/retention", retention_tenant_route, TENANCY_HOST_OR_HEADER, 0,
	    NULL },
};
const struct route_table system_test_routes = TABLE_OF(system_test_routes_v);
