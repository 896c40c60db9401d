/* appt_admin_routes.c — the scheduling admin API: bookings (list, read,
 * create, move, cancel, status), customers with their history, usage
 * against the plan, a customer's export and erasure, and the scheduling
 * and retention settings (served by the admin engine from descriptors).
 * STAFF callers see only bookings with an item of their own; the service
 * narrows every read. Parse, call, render. */
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/ids.h"
#include "modules/admin/admin.h"
#include "modules/appointments/appointments.h"
#include "modules/appointments/appt_input.h"
#include "modules/appointments/appt_render.h"
#include "modules/appointments/appt_service.h"
#include "modules/billing/billing.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define BOOKINGS "/v1/admin/bookings"
#define LIST_DEFAULT 50
#define LIST_MAX 100

/* Scheduling settings -------------------------------------------------------------- */

static const struct admin_field settings_fields[] = {
	ADMIN_F_INT("min_notice_minutes", 0, AVAIL_MAX_NOTICE_MIN, 0),
	ADMIN_F_INT("max_days_ahead", 0, AVAIL_MAX_DAYS_AHEAD, 0),
	ADMIN_F_INT("slot_step_minutes", 5, 240, 0),
	ADMIN_F_INT("hold_minutes", 1, 60, 0),
};

static const struct admin_resource settings_res = {
	.name = "scheduling_settings", .title = "scheduling settings",
	.path = "/v1/admin/scheduling-settings", .table = "scheduling_settings",
	.fields = settings_fields, .nfields = ADMIN_NFIELDS(settings_fields),
	.flags = ADMIN_SINGLETON,
};

ADMIN_SINGLETON_HANDLERS(settings, settings_res)

/* Retention: how long this business's chat transcripts and customers are
 * kept (the system.retention job applies them; migration 0011 sets the
 * defaults and the database checks the same limits). */
static const struct admin_field retention_fields[] = {
	ADMIN_F_INT("transcript_days", 30, 365, 0),
	ADMIN_F_INT("customer_months", 12, 60, 0),
};

static const struct admin_resource retention_res = {
	.name = "retention_settings", .title = "retention settings",
	.path = "/v1/admin/retention-settings", .table = "retention_settings",
	.fields = retention_fields, .nfields = ADMIN_NFIELDS(retention_fields),
	.flags = ADMIN_SINGLETON,
};

ADMIN_SINGLETON_HANDLERS(retention, retention_res)

/* Helpers ---------------------------------------------------------------------------- */

static enum status
path_id(struct request *r, const char **id)
{
	if (admin_path_id(r, "id", "booking", id) != ST_OK)
		return ST_NOTFOUND;
	*id = appt_lower(r->arena, *id);
	return ST_OK;
}

static enum status
reply_booking(struct request *r, struct response *w, int status, const struct appt_shown *b)
{
	struct tz *z;

	if (tz_open(r->arena, b->zone, &z) != ST_OK)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return admin_reply_row(r, w, status, appt_booking_json(r->arena, z, &b->view,
	    b->cancel_window_h, true));
}

static bool
all_digits(const char *s)
{
	if (*s == '\0' || strlen(s) > 18)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A list cursor: the last row's sort value and its id. */
static bool
decode_cursor(struct request *r, const char *cursor, const char **sort_value,
    const char **id)
{
	const char *v[2];

	if (!cursor_decode(r->arena, cursor, v, 2) || *v[0] == '\0' || !id_is_uuid(v[1]))
		return false;
	*sort_value = v[0];
	*id = v[1];
	return true;
}

/* GET /v1/admin/bookings ---------------------------------------------------------------- */

static const char *const booking_sources[] = { "portal", "widget", "ai", "admin", "api", "phone",
	"sms", "whatsapp", "instagram", "messenger", NULL };

static bool
known_source(const char *s)
{
	for (size_t i = 0; booking_sources[i] != NULL; i++)
		if (strcmp(s, booking_sources[i]) == 0)
			return true;
	return false;
}

/* The desk's filters: a service, where the booking came from, a search
 * over the customer and the reference, and the calendar-review flag. */
static void
list_filters(struct request *r, const char *service, const char *source, const char *q,
    const char *review, struct appt_booking_filter *f)
{
	if (service != NULL && !id_is_uuid(service))
		err_detail(&r->err, "service_id", "must be an id");
	else if (service != NULL)
		f->service_id = appt_lower(r->arena, service);
	if (source != NULL && !known_source(source))
		err_detail(&r->err, "source", "must be one of portal, widget, ai, admin, api, phone,"
		    " sms, whatsapp, instagram, messenger");
	else
		f->source = source;
	if (q != NULL && (jv_utf8_length(q) < 1 || jv_utf8_length(q) > 100 || !jv_no_controls(q)))
		err_detail(&r->err, "q", "must be 1 to 100 characters");
	else
		f->q = q;
	if (review != NULL && strcmp(review, "true") != 0 && strcmp(review, "false") != 0)
		err_detail(&r->err, "needs_review", "must be true or false");
	else
		f->needs_review = review;
}

static enum status
list_route(struct request *r, struct response *w)
{
	static const char *const names[] = { "from", "to", "status", "staff_id", "customer_id",
		"cursor", "limit", "service_id", "source", "q", "needs_review" };
	const char *v[11], *from, *to, *status, *staff, *customer, *cursor, *limit, *zone;
	const char *next = NULL;
	struct appt_booking_filter f;
	struct appt_view *rows;
	size_t before = r->err.nviolations, n;
	enum appt_status stv;
	json_t *items;
	struct tz *z;
	enum status st;

	memset(&f, 0, sizeof(f));
	if (!appt_input_query_named(r, names, v, 11))
		return appt_input_done(r, before);
	from = v[0], to = v[1], status = v[2], staff = v[3], customer = v[4], cursor = v[5];
	limit = v[6];
	list_filters(r, v[7], v[8], v[9], v[10], &f);
	if (from != NULL && appt_input_instant(r, from, "from", &f.from))
		f.has_from = true;
	if (to != NULL && appt_input_instant(r, to, "to", &f.to))
		f.has_to = true;
	if (f.has_from && f.has_to && f.to <= f.from)
		err_detail(&r->err, "to", "must be after from");
	if (status != NULL) {
		if (appt_status_parse(status, &stv))
			f.status = appt_status_name(stv);
		else
			err_detail(&r->err, "status", "must be one of PENDING, CONFIRMED, IN_PROGRESS,"
			    " COMPLETED, CANCELLED, NO_SHOW");
	}
	if (staff != NULL && !id_is_uuid(staff))
		err_detail(&r->err, "staff_id", "must be an id");
	else if (staff != NULL)
		f.staff_id = appt_lower(r->arena, staff);
	if (customer != NULL && !id_is_uuid(customer))
		err_detail(&r->err, "customer_id", "must be an id");
	else if (customer != NULL)
		f.customer_id = appt_lower(r->arena, customer);
	(void)appt_input_int(r, limit, "limit", 1, LIST_MAX, LIST_DEFAULT, &f.limit);
	if (cursor != NULL && (!decode_cursor(r, cursor, &f.cursor_start, &f.cursor_id) ||
	    !all_digits(f.cursor_start)))
		err_detail(&r->err, "cursor", "is not a cursor of this list");
	if ((st = appt_input_done(r, before)) != ST_OK ||
	    (st = appt_admin_list(&r->ctx, &f, &rows, &n, &zone)) != ST_OK)
		return st;
	if (tz_open(r->arena, zone, &z) != ST_OK)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, appt_booking_json(r->arena, z, &rows[i], 0, true));
	/* cancel_until is the customer's: the list shows it for each row. */
	for (size_t i = 0; i < n; i++)
		json_object_del(json_array_get(items, i), "cancel_until");
	if (n == (size_t)f.limit)
		next = cursor_encode(r->arena, (const char *[]){ arena_printf(r->arena, "%lld",
		    (long long)rows[n - 1].start), rows[n - 1].id }, 2);
	return reply_json(r, w, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor", next));
}

/* GET /v1/admin/bookings/{id} */
static enum status
get_route(struct request *r, struct response *w)
{
	struct appt_shown b;
	const char *id;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK || (st = appt_admin_get(&r->ctx, id, &b)) != ST_OK)
		return st;
	return reply_booking(r, w, 200, &b);
}

/* POST /v1/admin/bookings ----------------------------------------------------------------- */

static const char *const admin_sources[] = { "admin", "phone", "api", "sms", "whatsapp",
	"instagram", "messenger", NULL };

static const struct jv_field create_fields[] = {
	{ "services", JV_ARRAY, true, false, 1, AVAIL_MAX_SERVICES, NULL, NULL, NULL },
	{ "start", JV_STRING, true, false, 20, 40, NULL, NULL, NULL },
	{ "staff_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "an id" },
	{ "customer_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "an id" },
	{ "customer", JV_OBJECT, false, true, 0, 0, NULL, NULL, NULL },
	{ "notes", JV_STRING, false, true, 0, 2000, NULL, NULL, NULL },
	{ "sms_consent", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
	{ "source", JV_STRING, false, false, 1, 20, admin_sources, NULL, NULL },
	{ "override_min_notice", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
};

static enum status
create_route(struct request *r, struct response *w)
{
	struct appt_book_in in;
	struct appt_reply out;
	json_t *body, *cust;
	size_t before = r->err.nviolations;
	enum status st;

	if ((st = appt_input_booking(r, create_fields,
	    sizeof(create_fields) / sizeof(create_fields[0]), &in, &body)) != ST_OK)
		return st;
	(void)appt_input_uuid(r, json_object_get(body, "customer_id"), "customer_id",
	    &in.customer_id);
	cust = json_object_get(body, "customer");
	if (cust != NULL && json_is_null(cust))
		cust = NULL;
	if ((cust == NULL) == (in.customer_id == NULL))
		err_detail(&r->err, "customer_id", "give customer_id or a new customer, not both");
	else if (cust != NULL)
		(void)appt_input_customer(r, cust, json_is_true(json_object_get(body, "sms_consent")),
		    &in.customer);
	in.source = json_string_value(json_object_get(body, "source"));
	if (in.source == NULL)
		in.source = "admin";
	in.override_notice = json_is_true(json_object_get(body, "override_min_notice"));
	in.admin = true;
	if ((st = appt_input_done(r, before)) != ST_OK || (st = appt_book(&r->ctx, &in, &out)) != ST_OK)
		return st;
	return reply_text(w, out.status, JSON_TYPE, out.body, strlen(out.body));
}

/* Actions on one booking -------------------------------------------------------------------- */

/* The body of an action: If-Match (or "version"), then fields. */
static enum status
action_body(struct request *r, const struct jv_field *f, size_t n, json_t **body,
    struct appt_if_match *im)
{
	bool have = false;
	long long v = 0;
	enum status st;

	if ((st = http_json_body(r, body)) != ST_OK ||
	    (st = admin_if_match(r, *body, &have, &v)) != ST_OK ||
	    (st = jv_validate(*body, f, n, &r->err)) != ST_OK)
		return st;
	im->have = have;
	im->version = v;
	return ST_OK;
}

static const struct jv_field move_fields[] = {
	{ "start", JV_STRING, true, false, 20, 40, NULL, NULL, NULL },
	{ "staff_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "an id" },
	{ "override_min_notice", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
};

/* POST /v1/admin/bookings/{id}/move {start, staff_id?} */
static enum status
move_route(struct request *r, struct response *w)
{
	struct appt_if_match im;
	struct appt_shown b;
	const char *id, *staff;
	json_t *body;
	int64_t start;
	size_t before = r->err.nviolations;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK || (st = action_body(r, move_fields, 3, &body,
	    &im)) != ST_OK)
		return st;
	(void)appt_input_start(r, json_string_value(json_object_get(body, "start")), "start",
	    &start);
	(void)appt_input_uuid(r, json_object_get(body, "staff_id"), "staff_id", &staff);
	if ((st = appt_input_done(r, before)) != ST_OK ||
	    (st = appt_admin_move(&r->ctx, id, start, staff,
	    json_is_true(json_object_get(body, "override_min_notice")), im, &b)) != ST_OK)
		return st;
	return reply_booking(r, w, 200, &b);
}

static const struct jv_field cancel_fields[] = {
	{ "reason", JV_STRING, true, false, 1, 500, NULL, NULL, NULL },
};

/* POST /v1/admin/bookings/{id}/cancel {reason} */
static enum status
cancel_route(struct request *r, struct response *w)
{
	struct appt_if_match im;
	struct appt_shown b;
	const char *id;
	json_t *body;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK || (st = action_body(r, cancel_fields, 1, &body,
	    &im)) != ST_OK ||
	    (st = appt_admin_cancel(&r->ctx, id, json_string_value(json_object_get(body, "reason")),
	    im, &b)) != ST_OK)
		return st;
	return reply_booking(r, w, 200, &b);
}

static const char *const target_statuses[] = { "CONFIRMED", "IN_PROGRESS", "COMPLETED",
	"NO_SHOW", NULL };

static const struct jv_field status_fields[] = {
	{ "status", JV_STRING, true, false, 1, 20, target_statuses, NULL, NULL },
};

/* POST /v1/admin/bookings/{id}/status {status} with If-Match */
static enum status
status_route(struct request *r, struct response *w)
{
	struct appt_if_match im;
	struct appt_shown b;
	enum appt_status to = APPT_CONFIRMED;
	const char *id;
	json_t *body;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK || (st = action_body(r, status_fields, 1, &body,
	    &im)) != ST_OK)
		return st;
	if (!im.have) {
		err_detail(&r->err, "If-Match",
		    "is required: send the version you read, as If-Match: \"<version>\"");
		return err_set(&r->err, ST_INVALID, "Status changes need If-Match.");
	}
	(void)appt_status_parse(json_string_value(json_object_get(body, "status")), &to);
	if ((st = appt_admin_status(&r->ctx, id, to, im, &b)) != ST_OK)
		return st;
	return reply_booking(r, w, 200, &b);
}

/* Customers --------------------------------------------------------------------------------- */

static enum status
customers_route(struct request *r, struct response *w)
{
	static const char *const names[] = { "q", "cursor", "limit" };
	const char *v[3], *q, *cursor, *limit, *last = NULL, *next = NULL;
	struct appt_customer_filter f;
	struct appt_customer *rows;
	size_t before = r->err.nviolations, n;
	json_t *items;
	enum status st;

	memset(&f, 0, sizeof(f));
	if (!appt_input_query_named(r, names, v, 3))
		return appt_input_done(r, before);
	q = v[0], cursor = v[1], limit = v[2];
	if (q != NULL && (jv_utf8_length(q) < 1 || jv_utf8_length(q) > 100 || !jv_no_controls(q)))
		err_detail(&r->err, "q", "must be 1 to 100 characters");
	f.q = q;
	(void)appt_input_int(r, limit, "limit", 1, LIST_MAX, LIST_DEFAULT, &f.limit);
	if (cursor != NULL && (!decode_cursor(r, cursor, &f.cursor_created, &f.cursor_id) ||
	    strlen(f.cursor_created) > 40))
		err_detail(&r->err, "cursor", "is not a cursor of this list");
	if ((st = appt_input_done(r, before)) != ST_OK ||
	    (st = appt_customers_list(&r->ctx, &f, &rows, &n, &last)) != ST_OK)
		return st;
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, appt_customer_json(r->arena, &rows[i]));
	if (n == (size_t)f.limit && last != NULL)
		next = cursor_encode(r->arena, (const char *[]){ last, rows[n - 1].id }, 2);
	return reply_json(r, w, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor", next));
}

/* GET /v1/admin/customers/{id} — the customer and their bookings, newest
 * first (the latest 100). */
static enum status
customer_route(struct request *r, struct response *w)
{
	struct appt_customer c;
	struct appt_view *rows;
	const char *id, *zone;
	json_t *o, *arr;
	struct tz *z;
	size_t n;
	enum status st;

	if ((st = admin_path_id(r, "id", "customer", &id)) != ST_OK ||
	    (st = appt_customer_history(&r->ctx, appt_lower(r->arena, id), &c, &rows, &n, &zone)) != ST_OK)
		return st;
	if (tz_open(r->arena, zone, &z) != ST_OK)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *b = appt_booking_json(r->arena, z, &rows[i], 0, true);

		json_object_del(b, "cancel_until");
		json_object_del(b, "customer");
		json_array_append_new(arr, b);
	}
	o = appt_customer_json(r->arena, &c);
	if (o != NULL)
		json_object_set_new(o, "bookings", arr);
	else
		json_decref(arr);
	return admin_reply_row(r, w, 200, o);
}

static const struct jv_field customer_fields[] = {
	{ "notes", JV_STRING, true, true, 0, 4000, NULL, NULL, NULL },
};

/* PATCH /v1/admin/customers/{id} {notes} with If-Match — the business's
 * notes on the person; "" or null clears them. Contact details and
 * consent are the customer's own to give, not editable here. */
static enum status
customer_patch_route(struct request *r, struct response *w)
{
	struct appt_customer c;
	const char *id, *notes;
	json_t *body, *n;
	bool have = false;
	long long v = 0;
	enum status st;

	if ((st = admin_path_id(r, "id", "customer", &id)) != ST_OK ||
	    (st = http_json_body(r, &body)) != ST_OK ||
	    (st = admin_if_match(r, body, &have, &v)) != ST_OK ||
	    (st = jv_validate(body, customer_fields, 1, &r->err)) != ST_OK)
		return st;
	if (!have) {
		err_detail(&r->err, "If-Match", "is required: the version the notes were read at");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	n = json_object_get(body, "notes");
	notes = json_is_string(n) && json_string_length(n) > 0 ? json_string_value(n) : NULL;
	if ((st = appt_customer_set_notes(&r->ctx, appt_lower(r->arena, id), notes, (int)v,
	    &c)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, appt_customer_json(r->arena, &c));
}

/* GET /v1/admin/customers/{id}/export — everything we hold on the person. */
static enum status
customer_export_route(struct request *r, struct response *w)
{
	const char *id;
	json_t *out;
	enum status st;

	if ((st = admin_path_id(r, "id", "customer", &id)) != ST_OK ||
	    (st = appt_customer_export(&r->ctx, appt_lower(r->arena, id), &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
}

/* POST /v1/admin/customers/{id}/erase — the person's data erased, their
 * bookings kept anonymised. */
static enum status
customer_erase_route(struct request *r, struct response *w)
{
	struct appt_erasure e;
	const char *id;
	enum status st;

	if ((st = admin_path_id(r, "id", "customer", &id)) != ST_OK ||
	    (st = appt_customer_erase(&r->ctx, appt_lower(r->arena, id), &e)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I}",
	    "id", appt_lower(r->arena, id), "already_erased", e.already_erased,
	    "messages_deleted", (json_int_t)e.messages,
	    "conversations_anonymised", (json_int_t)e.conversations,
	    "bookings_anonymised", (json_int_t)e.rows.bookings_cleared,
	    "bookings_kept", (json_int_t)e.rows.bookings_kept,
	    "notifications_deleted", (json_int_t)e.rows.notifications));
}

/* GET /v1/admin/usage — this month's bookings against the plan. */
static enum status
usage_route(struct request *r, struct response *w)
{
	struct appt_usage u;
	struct tz *z;
	enum status st;

	if ((st = appt_usage_get(&r->ctx, &u)) != ST_OK)
		return st;
	if (tz_open(r->arena, u.zone, &z) != ST_OK)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return reply_json(r, w, 200, json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:I, s:o, s:o},"
	    " s:{s:I, s:o}}", "plan", u.plan, "timezone", u.zone,
	    "period", "start", appt_time_text(r->arena, z, u.period_start),
	    "end", appt_time_text(r->arena, z, u.period_end),
	    "bookings", "used", (json_int_t)u.bookings_used,
	    "limit", u.bookings_limit == PLAN_UNLIMITED ? json_null() :
	    json_integer(u.bookings_limit),
	    "remaining", u.bookings_limit == PLAN_UNLIMITED ? json_null() :
	    json_integer(u.bookings_used >= u.bookings_limit ? 0 :
	    u.bookings_limit - u.bookings_used),
	    "messages", "used", (json_int_t)u.messages_used,
	    "limit", u.messages_limit == PLAN_UNLIMITED ? json_null() :
	    json_integer(u.messages_limit)));
}

#define ROUTE(m, p, fn, res, verb) { m, p, fn, TENANCY_HOST_OR_HEADER, PERM(res, verb), NULL }

static const struct route appt_admin_routes_v[] = {
	ROUTE(HTTP_GET, BOOKINGS, list_route, RES_BOOKINGS, VERB_READ),
	ROUTE(HTTP_POST, BOOKINGS, create_route, RES_BOOKINGS, VERB_WRITE),
	ROUTE(HTTP_GET, BOOKINGS "/{id}", get_route, RES_BOOKINGS, VERB_READ),
	ROUTE(HTTP_POST, BOOKINGS "/{id}/move", move_route, RES_BOOKINGS, VERB_WRITE),
	ROUTE(HTTP_POST, BOOKINGS "/{id}/cancel", cancel_route, RES_BOOKINGS, VERB_WRITE),
	ROUTE(HTTP_POST, BOOKINGS "/{id}/status", status_route, RES_BOOKINGS, VERB_WRITE),
	ROUTE(HTTP_GET, "/v1/admin/customers", customers_route, RES_CUSTOMERS, VERB_READ),
	ROUTE(HTTP_GET, "/v1/admin/customers/{id}", customer_route, RES_CUSTOMERS, VERB_READ),
	ROUTE(HTTP_PATCH, "/v1/admin/customers/{id}", customer_patch_route, RES_CUSTOMERS,
	    VERB_WRITE),
	/* A person's whole record, and its erasure: owners and admins only
	 * (customers:write), though the export only reads. */
	ROUTE(HTTP_GET, "/v1/admin/customers/{id}/export", customer_export_route, RES_CUSTOMERS,
	    VERB_WRITE),
	ROUTE(HTTP_POST, "/v1/admin/customers/{id}/erase", customer_erase_route, RES_CUSTOMERS,
	    VERB_WRITE),
	/* The bill's side of the business: owners, admins and accountants. */
	ROUTE(HTTP_GET, "/v1/admin/usage", usage_route, RES_BILLING, VERB_READ),
	ADMIN_SINGLETON_ROUTES(settings, "/v1/admin/scheduling-settings", RES_PROFILE),
	/* Read by whoever sees customers, changed by owners and admins. */
	ADMIN_SINGLETON_ROUTES(retention, "/v1/admin/retention-settings", RES_CUSTOMERS),
};
const struct route_table appt_admin_routes = TABLE_OF(appt_admin_routes_v);
