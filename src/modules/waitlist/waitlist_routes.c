/* waitlist_routes.c — the waitlist's HTTP edge: joining and leaving from
 * the portal or widget, the offer link's confirmation (all on the tenant's
 * host, no credentials), and the owner's list, summary and removal. Parse
 * and validate, call one service, render. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/addr.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/jsonv.h"
#include "core/time.h"
#include "http/http.h"
#include "modules/admin/admin.h"
#include "modules/appointments/appointments.h"
#include "modules/auth/auth.h"
#include "modules/waitlist/waitlist.h"
#include "modules/waitlist/waitlist_service.h"

static const char *const parts[] = { "any", "morning", "afternoon", "evening", NULL };
static const char *const shown[] = { "waiting", "booked", "cancelled", "expired", NULL };
static const char *const sources[] = { "portal", "widget", NULL };

/* YYYY-MM-DD naming a real date (2027-02-30 is not one). */
static bool
date_check(const char *s)
{
	int y, m, d, yy, mm, dd;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	tz_civil_from_days(tz_days_from_civil(y, m, d), &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

static const struct jv_field join_fields[] = {
	{ "service_id", JV_STRING, true, false, 36, 36, NULL, id_is_uuid, "a UUID" },
	{ "day", JV_STRING, true, false, 10, 10, NULL, date_check, "a date (YYYY-MM-DD)" },
	{ "part_of_day", JV_STRING, false, false, 0, 0, parts, NULL, NULL },
	{ "customer", JV_OBJECT, true, false, 0, 0, NULL, NULL, NULL },
	{ "sms_consent", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
	{ "source", JV_STRING, false, false, 0, 0, sources, NULL, NULL },
};

static const struct jv_field customer_fields[] = {
	{ "name", JV_STRING, true, false, 1, 200, NULL, NULL, NULL },
	{ "email", JV_STRING, false, true, 3, 254, NULL, addr_email_ok, "an e-mail address" },
	{ "phone", JV_STRING, false, true, 8, 16, NULL, addr_e164_ok,
	  "a phone number in E.164 form such as +14155550123" },
};

static const char *
str_or(json_t *o, const char *k, const char *dflt)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v != NULL ? v : dflt;
}

/* The customer: a name and a way to send the offer — SMS when they gave a
 * phone and agreed to texts, e-mail otherwise. */
static void
customer_parse(struct request *r, json_t *c, bool sms, struct waitlist_join_in *e)
{
	struct err sub;

	memset(&sub, 0, sizeof(sub));
	if (jv_validate(c, customer_fields, 3, &sub) != ST_OK) {
		for (size_t i = 0; i < sub.ndetails; i++)
			err_detail(&r->err, arena_printf(r->arena, "customer.%s",
			    sub.details[i].field), "%s", sub.details[i].issue);
		return;
	}
	e->name = str_or(c, "name", NULL);
	e->email = str_or(c, "email", NULL);
	e->phone = str_or(c, "phone", NULL);
	if (strspn(e->name, " \t") == strlen(e->name))
		err_detail(&r->err, "customer.name", "must not be blank");
	if (sms && e->phone == NULL)
		err_detail(&r->err, "sms_consent", "needs customer.phone");
	else if (!sms && e->email == NULL)
		err_detail(&r->err, "customer.email", "give an e-mail address, or a phone number"
		    " with sms_consent, so we can tell you when a time frees up");
	e->channel = sms ? "sms" : "email";
}

/* POST /v1/public/waitlist */
static enum status
join_route(struct request *r, struct response *w)
{
	struct waitlist_join_in e;
	struct waitlist_joined out;
	json_t *body;
	enum status st;

	memset(&e, 0, sizeof(e));
	if ((st = http_json_body(r, &body)) != ST_OK ||
	    (st = jv_validate(body, join_fields, sizeof(join_fields) / sizeof(join_fields[0]),
	    &r->err)) != ST_OK)
		return st;
	customer_parse(r, json_object_get(body, "customer"),
	    json_is_true(json_object_get(body, "sms_consent")), &e);
	if (r->err.ndetails > 0)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	e.service_id = appt_lower(r->arena, str_or(body, "service_id", NULL));
	e.day = str_or(body, "day", NULL);
	e.part_of_day = str_or(body, "part_of_day", "any");
	e.source = str_or(body, "source", "portal");
	e.client = r->remote_addr;
	if ((st = waitlist_join(&r->ctx, &e, &out)) != ST_OK)
		return st;
	return reply_json(r, w, 201, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "id", out.id, "service_id", e.service_id, "day", e.day, "part_of_day",
	    e.part_of_day, "channel", out.channel, "status", "waiting", "created_at",
	    out.created_at, "leave_token", out.leave_token));
}

static const struct jv_field token_fields[] = {
	{ "token", JV_STRING, true, false, SEC_TOKEN_CHARS, SEC_TOKEN_CHARS, NULL, NULL, NULL },
};

static const char *
token_of(struct request *r, enum status *st)
{
	json_t *body;

	if ((*st = http_json_body(r, &body)) != ST_OK ||
	    (*st = jv_validate(body, token_fields, 1, &r->err)) != ST_OK)
		return NULL;
	return str_or(body, "token", NULL);
}

/* POST /v1/public/waitlist/leave {token} */
static enum status
leave_route(struct request *r, struct response *w)
{
	const char *token;
	enum status st;

	if ((token = token_of(r, &st)) == NULL || (st = wl_leave(&r->ctx, token)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:s}", "status", "cancelled"));
}

/* POST /v1/public/waitlist/offers/accept {token} — the offer link's button. */
static enum status
accept_route(struct request *r, struct response *w)
{
	struct wl_accepted out;
	const char *token;
	char start[32];
	struct tm tm;
	time_t t;
	enum status st;

	if ((token = token_of(r, &st)) == NULL || (st = wl_accept(&r->ctx, token, &out)) != ST_OK)
		return st;
	t = (time_t)out.start;
	strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	return reply_json(r, w, 200, json_pack("{s:s, s:s, s:s, s:s, s:b}", "status", "booked",
	    "booking_id", out.booking_id, "reference", out.reference, "start", start,
	    "already_booked", out.already));
}

static bool
one_of(const char *const *v, const char *s)
{
	for (; *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

static json_t *
entry_json(const struct wl_entry_row *e)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s?, s:s?}, s:s, s:s, s:s, s:s,"
	    " s:s?, s:I}", "id", e->id, "service_id", e->service_id, "service_name",
	    e->service_name, "day", e->day, "part_of_day", e->part_of_day, "customer", "name",
	    e->name, "email", e->email, "phone", e->phone, "channel", e->channel, "status",
	    e->status, "source", e->source, "created_at", e->created_at, "booking_id",
	    e->booking_id, "offers", (json_int_t)e->offers);
}

/* GET /v1/admin/waitlist?status=&limit= — newest first, one page. */
static enum status
list_route(struct request *r, struct response *w)
{
	const char *status = http_query(r, "status"), *lim = http_query(r, "limit");
	struct wl_entry_row *rows = NULL;
	json_t *items;
	size_t n = 0;
	long limit = WL_LIST_MAX;
	char *end = NULL;
	enum status st;

	if (status != NULL && *status == '\0')
		status = NULL;
	if (status != NULL && !one_of(shown, status))
		err_detail(&r->err, "status", "must be waiting, booked, cancelled or expired");
	if (lim != NULL && ((limit = strtol(lim, &end, 10)) < 1 || limit > WL_LIST_MAX ||
	    *end != '\0'))
		err_detail(&r->err, "limit", "must be a whole number from 1 to %d", WL_LIST_MAX);
	if (r->err.ndetails > 0)
		return err_set(&r->err, ST_INVALID, "Some query parameters are invalid.");
	if ((st = wl_list(&r->ctx, status, (int)limit, &rows, &n)) != ST_OK)
		return st;
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, entry_json(&rows[i]));
	return reply_json(r, w, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* GET /v1/admin/waitlist/summary — "slots refilled" and what they brought. */
static enum status
summary_route(struct request *r, struct response *w)
{
	struct wl_summary s;
	enum status st;

	if ((st = wl_summary(&r->ctx, &s)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:I, s:I, s:I, s:s?}", "waiting",
	    (json_int_t)s.waiting, "slots_refilled", (json_int_t)s.refilled,
	    "revenue_recovered_minor", (json_int_t)s.revenue_minor, "currency", s.currency));
}

/* DELETE /v1/admin/waitlist/{id} — takes a waiting entry off the list. */
static enum status
remove_route(struct request *r, struct response *w)
{
	const char *id;
	enum status st;

	if ((st = admin_path_id(r, "id", "waiting entry", &id)) != ST_OK ||
	    (st = wl_remove(&r->ctx, id)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}

static const struct route waitlist_routes_v[] = {
	{ HTTP_POST, "/v1/public/waitlist", join_route, TENANCY_HOST, 0, NULL },
	{ HTTP_POST, "/v1/public/waitlist/leave", leave_route, TENANCY_HOST, 0, NULL },
	{ HTTP_POST, "/v1/public/waitlist/offers/accept", accept_route, TENANCY_HOST, 0, NULL },
	/* The list shows customers' addresses; the summary is money. */
	{ HTTP_GET, "/v1/admin/waitlist", list_route, TENANCY_HOST_OR_HEADER,
	    PERM(RES_CUSTOMERS, VERB_READ), NULL },
	{ HTTP_GET, "/v1/admin/waitlist/summary", summary_route, TENANCY_HOST_OR_HEADER,
	    PERM(RES_ANALYTICS, VERB_READ), NULL },
	{ HTTP_DELETE, "/v1/admin/waitlist/{id}", remove_route, TENANCY_HOST_OR_HEADER,
	    PERM(RES_BOOKINGS, VERB_WRITE), NULL },
};
const struct route_table waitlist_routes = TABLE_OF(waitlist_routes_v);
