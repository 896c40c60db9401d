/* calendar_routes.c — the calendar module's HTTP edge: each route parses
 * and validates, calls one service (calendar_service.c, calendar_busy.c)
 * and renders.
 *
 *  GET    /v1/admin/calendar/connections              list (never a secret)
 *  POST   /v1/admin/calendar/google/authorize         → {authorize_url}
 *  GET    /v1/calendar/google/callback?code&state     OAuth redirect target
 *  POST   /v1/admin/calendar/calcom                   connect a Cal.com key
 *  DELETE /v1/admin/calendar/connections/{id}         disconnect
 *  GET    /v1/admin/calendar/sync-status[?booking_id] sync state / failures
 *  POST   /v1/admin/calendar/bookings/{booking_id}/resync
 *  POST   /v1/webhooks/calcom?connection={id}         Cal.com deliveries
 * and, with ENABLE_TEST_ROUTES only, GET /v1/test/calendar/busy and POST
 * /v1/test/calendar/reconcile. */
#include <string.h>

#include "core/ids.h"
#include "core/jsonv.h"
#include "modules/auth/auth.h"
#include "modules/billing/billing.h"
#include "modules/calendar/calendar_internal.h"

#define WEBHOOK_BODY_MAX (256 * 1024)

static enum status
require_plan(struct request *r)
{
	enum plan_tier tier;

	if (!plan_parse(r->ctx.tenant.plan, &tier))
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return plan_require(tier, FEAT_CALENDAR_SYNC, &r->err);
}

static const char *
opt_string(json_t *body, const char *name)
{
	return json_string_value(json_object_get(body, name));
}

static enum status
reply_items(struct request *r, struct response *w, json_t *items)
{
	return reply_json(r, w, 200, json_pack("{s:O, s:n}", "items", items, "next_cursor"));
}

/* GET /v1/admin/calendar/connections ------------------------------------------------------ */

static enum status
connections_list(struct request *r, struct response *w)
{
	json_t *items = NULL, *c;
	size_t i;
	enum status st;

	if ((st = calendar_connections(&r->ctx, &items)) != ST_OK)
		return st;
	/* Cal.com connections show the URL their webhook must post to. */
	json_array_foreach(items, i, c) {
		const char *p = json_string_value(json_object_get(c, "provider"));

		if (p != NULL && strcmp(p, "calcom") == 0)
			json_object_set_new(c, "webhook_url", json_string(calendar_webhook_url(&r->ctx,
			    json_string_value(json_object_get(c, "id")))));
	}
	return reply_items(r, w, items);
}

/* POST /v1/admin/calendar/google/authorize ------------------------------------------------- */

static bool
calendar_id_ok(const char *s)
{
	return jv_no_controls(s) && strchr(s, '/') == NULL;
}

static enum status
google_authorize(struct request *r, struct response *w)
{
	static const struct jv_field f[] = {
		{ "staff_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "a staff id" },
		{ "calendar_id", JV_STRING, false, false, 1, 254, NULL, calendar_id_ok,
		    "a Google calendar id such as primary or name@example.com" },
	};
	struct calendar_authorize out;
	const char *calendar_id;
	json_t *body;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK || (st = jv_validate(body, f, 2, &r->err)))
		return st;
	if ((st = require_plan(r)) != ST_OK)
		return st;
	if ((calendar_id = opt_string(body, "calendar_id")) == NULL)
		calendar_id = "primary";
	if ((st = calendar_google_authorize(&r->ctx, opt_string(body, "staff_id"), calendar_id,
	    &out)) != ST_OK)
		return st;
	response_header(w, "cache-control", "no-store");
	return reply_json(r, w, 200, json_pack("{s:s, s:s, s:s}",
	    "authorize_url", out.authorize_url,
	    "redirect_uri", calendar_redirect_uri(&r->ctx),
	    "expires_at", calendar_time_format(r->arena, out.expires)));
}

/* GET /v1/calendar/google/callback ----------------------------------------------------------- */

static enum status
google_callback(struct request *r, struct response *w)
{
	const char *query = NULL;
	enum status st;

	if ((st = calendar_google_finish(&r->ctx, http_query(r, "state"), http_query(r, "code"),
	    http_query(r, "error"), &query)) != ST_OK)
		return st;
	response_header(w, "location", arena_printf(r->arena, "%s/admin/calendar?%s",
	    calendar_base_url(&r->ctx), query));
	/* The URL we came from holds a one-time code: keep it out of caches
	 * and Referer headers. */
	response_header(w, "cache-control", "no-store");
	response_header(w, "referrer-policy", "no-referrer");
	return reply_text(w, 302, "text/plain; charset=utf-8", "", 0);
}

/* POST /v1/admin/calendar/calcom ----------------------------------------------------------- */

static bool
api_key_ok(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

static enum status
calcom_connect(struct request *r, struct response *w)
{
	static const struct jv_field f[] = {
		{ "api_key", JV_STRING, true, false, 8, 512, NULL, api_key_ok, "a Cal.com API key" },
		{ "event_type_id", JV_INT, true, false, 1, 999999999999LL, NULL, NULL, NULL },
		{ "staff_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "a staff id" },
		{ "webhook_secret", JV_STRING, false, false, 16, 256, NULL, api_key_ok,
		    "16 to 256 printable characters" },
	};
	struct calendar_calcom_input in;
	struct calendar_calcom_result out;
	json_t *body;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK || (st = jv_validate(body, f, 4, &r->err)))
		return st;
	if ((st = require_plan(r)) != ST_OK)
		return st;
	in.api_key = opt_string(body, "api_key");
	in.event_type_id = (long long)json_integer_value(json_object_get(body, "event_type_id"));
	in.staff_id = opt_string(body, "staff_id");
	in.webhook_secret = opt_string(body, "webhook_secret");
	if ((st = calendar_calcom_connect(&r->ctx, &in, &out)) != ST_OK)
		return st;
	return reply_json(r, w, out.created ? 201 : 200, json_pack(
	    "{s:s, s:s, s:s?, s:I, s:s, s:n, s:b, s:s, s:b}",
	    "id", out.id, "provider", "calcom", "staff_id", in.staff_id,
	    "event_type_id", (json_int_t)in.event_type_id,
	    "status", "active", "last_error", "has_webhook_secret", 1,
	    "webhook_url", calendar_webhook_url(&r->ctx, out.id),
	    "webhook_registered", out.webhook_registered));
}

/* DELETE /v1/admin/calendar/connections/{id} -------------------------------------------------- */

static enum status
connection_delete(struct request *r, struct response *w)
{
	const char *id = http_param(r, "id");
	enum status st;

	if (id == NULL || !id_is_uuid(id))
		return err_set(&r->err, ST_NOTFOUND, "No such calendar connection.");
	if ((st = calendar_connection_remove(&r->ctx, id)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}

/* GET /v1/admin/calendar/sync-status ------------------------------------------------------------ */

static enum status
sync_status(struct request *r, struct response *w)
{
	const char *booking_id = http_query(r, "booking_id");
	json_t *items = NULL;
	enum status st;

	if (booking_id != NULL && !id_is_uuid(booking_id)) {
		err_detail(&r->err, "booking_id", "must be a booking id");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if ((st = calendar_sync_status(&r->ctx, booking_id, &items)) != ST_OK)
		return st;
	return reply_items(r, w, items);
}

/* POST /v1/admin/calendar/bookings/{booking_id}/resync --------------------------------------------- */

static enum status
resync(struct request *r, struct response *w)
{
	const char *id = http_param(r, "booking_id");
	enum status st;

	if (id == NULL || !id_is_uuid(id))
		return err_set(&r->err, ST_NOTFOUND, "No such booking.");
	if ((st = calendar_resync(&r->ctx, id)) != ST_OK)
		return st;
	return reply_json(r, w, 202, json_pack("{s:s, s:b}", "booking_id", id, "queued", 1));
}

/* POST /v1/webhooks/calcom ------------------------------------------------------------------ */

static enum status
calcom_webhook(struct request *r, struct response *w)
{
	bool duplicate = false;
	enum status st;

	if (r->body_len > WEBHOOK_BODY_MAX)
		return err_set(&r->err, ST_TOO_LARGE, "The webhook body is too large.");
	if ((st = calendar_calcom_receive(&r->ctx, http_query(r, "connection"),
	    http_header(r, "x-cal-signature-256"), r->body, r->body_len, &duplicate)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:b, s:b}", "received", 1, "duplicate",
	    duplicate));
}

/* Test routes ----------------------------------------------------------------------------- */

/* GET /v1/test/calendar/busy?staff_id=a,b&from=…&to=… — calendar_busy()
 * as availability calls it. */
static enum status
test_busy(struct request *r, struct response *w)
{
	const char *list = http_query(r, "staff_id");
	const char *ids[16];
	size_t n = 0;
	int64_t from, to;
	struct calendar_busy busy;
	json_t *items;
	enum status st;

	if (list == NULL || !calendar_time_parse(http_query(r, "from"), &from) ||
	    !calendar_time_parse(http_query(r, "to"), &to))
		return err_set(&r->err, ST_INVALID, "staff_id, from and to are required.");
	for (char *s = arena_strdup(r->arena, list), *save = NULL, *t = strtok_r(s, ",", &save);
	    t != NULL && n < 16; t = strtok_r(NULL, ",", &save))
		ids[n++] = t;
	if ((st = calendar_busy(&r->ctx, r->arena, r->ctx.tenant.id, ids, n, from, to, &busy)) != ST_OK)
		return st;
	items = json_array();
	for (size_t i = 0; i < busy.n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "staff_id",
		    busy.ranges[i].staff_id, "start", calendar_time_format(r->arena,
		    busy.ranges[i].start), "end", calendar_time_format(r->arena, busy.ranges[i].end)));
	return reply_json(r, w, 200, json_pack("{s:o}", "items", items));
}

/* POST /v1/test/calendar/reconcile — runs the tenant's reconciliation now. */
static enum status
test_reconcile(struct request *r, struct response *w)
{
	enum status st;

	if ((st = calendar_reconcile_now(&r->ctx)) != ST_OK)
		return st;
	return reply_json(r, w, 202, json_pack("{s:b}", "queued", 1));
}

static const struct route calendar_routes_v[] = {
	{ HTTP_GET | HTTP_HEAD, "/v1/admin/calendar/connections", connections_list,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_READ), NULL },
	{ HTTP_DELETE, "/v1/admin/calendar/connections/{id}", connection_delete,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_POST, "/v1/admin/calendar/google/authorize", google_authorize,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_GET, CALENDAR_CALLBACK_PATH, google_callback, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/admin/calendar/calcom", calcom_connect,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_GET | HTTP_HEAD, "/v1/admin/calendar/sync-status", sync_status,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_READ), NULL },
	{ HTTP_POST, "/v1/admin/calendar/bookings/{booking_id}/resync", resync,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_POST, "/v1/webhooks/calcom", calcom_webhook, TENANCY_NONE, 0, NULL },
};
const struct route_table calendar_routes = TABLE_OF(calendar_routes_v);

static const struct route calendar_test_routes_v[] = {
	{ HTTP_GET, "/v1/test/calendar/busy", test_busy, TENANCY_HOST_OR_HEADER, 0, NULL },
	{ HTTP_POST, "/v1/test/calendar/reconcile", test_reconcile, TENANCY_HOST_OR_HEADER, 0,
	  NULL },
};
const struct route_table calendar_test_routes = TABLE_OF(calendar_test_routes_v);
