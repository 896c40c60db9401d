/* reminders_test_routes.c — the planner with a movable clock, mounted only
 * with ENABLE_TEST_ROUTES=true: tests say what time it is instead of
 * waiting for it. Never enabled in production. */
#include "core/jsonv.h"
#include "core/time.h"
#include "http/http.h"
#include "modules/reminders/reminders.h"
#include "modules/reminders/reminders_service.h"

static const struct jv_field plan_fields[] = {
	{ "now", JV_STRING, true, false, 20, 40, NULL, NULL, NULL },
	{ "horizon_minutes", JV_INT, false, false, 1, 86400, NULL, NULL, NULL },
	{ "all_tenants", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
};

/* POST /v1/test/reminders/plan {now, horizon_minutes?, all_tenants?} — one
 * planner run as if the clock said `now`, for the request's tenant. */
static enum status
plan_route(struct request *r, struct response *w)
{
	long long planned = 0, cancelled = 0;
	json_t *body, *h;
	int64_t secs;
	int32_t nanos;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK ||
	    (st = jv_validate(body, plan_fields, 3, &r->err)) != ST_OK)
		return st;
	if (!time_parse_rfc3339(json_string_value(json_object_get(body, "now")), 0, &secs,
	    &nanos)) {
		err_detail(&r->err, "now", "must be an RFC 3339 date-time");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	h = json_object_get(body, "horizon_minutes");
	if ((st = rmd_plan(&r->ctx, json_string_value(json_object_get(body, "now")),
	    h ? (int)json_integer_value(h) : 0,
	    !json_is_true(json_object_get(body, "all_tenants")), &planned, &cancelled)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:I, s:I}", "planned", (json_int_t)planned,
	    "cancelled", (json_int_t)cancelled));
}

static const struct route reminders_test_routes_v[] = {
	{ HTTP_POST, "/v1/test/reminders/plan", plan_route, TENANCY_HOST_OR_HEADER, 0, NULL },
};
const struct route_table reminders_test_routes = TABLE_OF(reminders_test_routes_v);
