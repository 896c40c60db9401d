/* appt_public_routes.c — the customer-facing scheduling API, on the
 * tenant's own host with no credentials: the catalog, availability, holds,
 * bookings (with Idempotency-Key), and a customer's own booking by
 * reference plus e-mail or phone. Parse and validate, call the service,
 * render. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "modules/appointments/appointments.h"
#include "modules/appointments/appt_input.h"
#include "modules/appointments/appt_render.h"
#include "modules/appointments/appt_service.h"

#define JSON_TYPE "application/json; charset=utf-8"

/* GET /v1/public/services — active services with their active add-ons,
 * read from the tenant cache like the public profile. */
static enum status
services_route(struct request *r, struct response *w)
{
	const char *json;
	enum status st;

	if ((st = appt_catalog_json(&r->ctx, &json)) != ST_OK)
		return st;
	return reply_text(w, 200, JSON_TYPE, json, strlen(json));
}

/* GET /v1/public/availability ------------------------------------------------ */

/* Records a query parameter given twice. */
static bool
once(struct request *r, const char **slot, const char *name, const char *value)
{
	if (*slot != NULL) {
		err_detail(&r->err, name, "is given more than once");
		return false;
	}
	*slot = value;
	return true;
}

static bool
parse_date(struct request *r, const char *s, int32_t *out)
{
	int32_t today = (int32_t)(time(NULL) / TZ_DAY_S);

	if (s == NULL) {
		err_detail(&r->err, "date", "is required (YYYY-MM-DD)");
		return false;
	}
	if (!tz_date_parse(s, out)) {
		err_detail(&r->err, "date", "must be a date such as 2026-03-08");
		return false;
	}
	/* Far outside what any business can book: refused rather than
	 * computed for nothing. */
	if (*out < today - 366 || *out > today + AVAIL_MAX_DAYS_AHEAD) {
		err_detail(&r->err, "date", "must be within a year back and ten years ahead");
		return false;
	}
	return true;
}

static json_t *
slot_staff_json(const struct appt_world *world, const struct avail_slot *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < s->n_services; i++) {
		const char *name = NULL;

		for (size_t k = 0; k < world->n_staff && name == NULL; k++)
			if (world->staff[k].id == s->services[i].staff_id ||
			    strcmp(world->staff[k].id, s->services[i].staff_id) == 0)
				name = world->staff_names[k];
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s?}", "service_id",
		    world->services[i].id, "staff_id", s->services[i].staff_id, "staff_name", name));
	}
	return arr;
}

static enum status
availability_route(struct request *r, struct response *w)
{
	struct http_qparam qp[APPT_QPARAMS_MAX];
	struct appt_avail_query q;
	struct appt_avail_answer ans;
	const char *ids[AVAIL_MAX_SERVICES], *date = NULL, *days = NULL, *staff = NULL,
	    *addons = NULL;
	size_t before = r->err.nviolations, nids = 0, n;
	json_t *slots;
	enum status st;

	memset(&q, 0, sizeof(q));
	if (!appt_input_query(r, qp, &n))
		return appt_input_done(r, before);
	for (size_t i = 0; i < n; i++) {
		const char *k = qp[i].name, *v = qp[i].value;

		if (strcmp(k, "service_id") == 0) {
			if (!id_is_uuid(v))
				err_detail(&r->err, "service_id", "must be an id");
			else if (nids == AVAIL_MAX_SERVICES)
				err_detail(&r->err, "service_id", "may be given at most %d times",
				    AVAIL_MAX_SERVICES);
			else
				ids[nids++] = appt_lower(r->arena, v);
		} else if (strcmp(k, "date") == 0) {
			(void)once(r, &date, k, v);
		} else if (strcmp(k, "days") == 0) {
			(void)once(r, &days, k, v);
		} else if (strcmp(k, "staff_id") == 0) {
			(void)once(r, &staff, k, v);
		} else if (strcmp(k, "addon_ids") == 0) {
			(void)once(r, &addons, k, v);
		} else {
			err_detail(&r->err, k, "is not a parameter of this endpoint");
		}
	}
	for (size_t i = 0; i < nids; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				err_detail(&r->err, "service_id", "lists %s twice", ids[i]);
	if (nids == 0 && r->err.nviolations == before)
		err_detail(&r->err, "service_id", "is required (repeat it for a bundle)");
	else if (nids > 0)
		(void)appt_input_service_ids(r, ids, nids, "service_id", q.items, &q.n_items);
	(void)parse_date(r, date, &q.date);
	(void)appt_input_int(r, days, "days", 1, AVAIL_MAX_DAYS, 1, &q.days);
	if (staff != NULL) {
		if (id_is_uuid(staff))
			q.staff_id = appt_lower(r->arena, staff);
		else
			err_detail(&r->err, "staff_id", "must be an id");
	}
	if (addons != NULL)
		(void)appt_input_uuid_list(r, addons, "addon_ids", APPT_ADDONS_MAX, &q.addon_ids,
		    &q.n_addons);
	if ((st = appt_input_done(r, before)) != ST_OK ||
	    (st = appt_availability(&r->ctx, &q, &ans)) != ST_OK)
		return st;
	slots = json_array();
	for (size_t i = 0; i < ans.result.n_slots; i++) {
		const struct avail_slot *s = &ans.result.slots[i];

		json_array_append_new(slots, json_pack("{s:s, s:s, s:o}", "start", s->start_text,
		    "end", s->end_text, "staff", slot_staff_json(ans.world, s)));
	}
	return reply_json(r, w, 200, json_pack("{s:s, s:o}", "timezone", ans.zone,
	    "slots", slots));
}

/* POST /v1/public/holds ------------------------------------------------------- */

static const struct jv_field hold_fields[] = {
	{ "service_ids", JV_ARRAY, false, false, 1, AVAIL_MAX_SERVICES, NULL, NULL, NULL },
	{ "service_id", JV_STRING, false, false, 36, 36, NULL, id_is_uuid, "an id" },
	{ "addon_ids", JV_ARRAY, false, false, 0, APPT_ADDONS_MAX, NULL, NULL, NULL },
	{ "start", JV_STRING, true, false, 20, 40, NULL, NULL, NULL },
	{ "staff_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "an id" },
};

static enum status
holds_route(struct request *r, struct response *w)
{
	struct appt_hold_in in;
	struct appt_hold_out out;
	json_t *body, *one;
	const char **ids = NULL;
	size_t before = r->err.nviolations, nids = 0;
	struct tz *z;
	enum status st;

	memset(&in, 0, sizeof(in));
	if ((st = http_json_body(r, &body)) != ST_OK ||
	    (st = jv_validate(body, hold_fields, sizeof(hold_fields) / sizeof(hold_fields[0]),
	    &r->err)) != ST_OK)
		return st;
	one = json_object_get(body, "service_id");
	if ((one != NULL) == (json_object_get(body, "service_ids") != NULL)) {
		err_detail(&r->err, "service_ids", "give service_ids (a bundle) or service_id");
	} else if (one != NULL) {
		ids = arena_alloc(r->arena, sizeof(*ids));
		ids[0] = appt_lower(r->arena, json_string_value(one));
		(void)appt_input_service_ids(r, ids, 1, "service_id", in.items, &in.n_items);
	} else if (appt_input_uuid_array(r, json_object_get(body, "service_ids"), "service_ids",
	    AVAIL_MAX_SERVICES, &ids, &nids)) {
		(void)appt_input_service_ids(r, ids, nids, "service_ids", in.items, &in.n_items);
	}
	(void)appt_input_uuid_array(r, json_object_get(body, "addon_ids"), "addon_ids",
	    APPT_ADDONS_MAX, &in.addon_ids, &in.n_addons);
	(void)appt_input_start(r, json_string_value(json_object_get(body, "start")), "start",
	    &in.start);
	(void)appt_input_uuid(r, json_object_get(body, "staff_id"), "staff_id", &in.staff_id);
	if ((st = appt_input_done(r, before)) != ST_OK ||
	    (st = appt_hold_create(&r->ctx, &in, &out)) != ST_OK)
		return st;
	if (tz_open(r->arena, out.world->settings.zone, &z) != ST_OK)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return reply_json(r, w, 201, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}",
	    "hold_id", out.id, "hold_token", out.token,
	    "expires_at", appt_time_text(r->arena, z, out.expires_at),
	    "start", out.slot.start_text, "end", out.slot.end_text,
	    "staff", slot_staff_json(out.world, &out.slot)));
}

/* POST /v1/public/bookings ---------------------------------------------------- */

static const struct jv_field booking_fields[] = {
	{ "services", JV_ARRAY, true, false, 1, AVAIL_MAX_SERVICES, NULL, NULL, NULL },
	{ "start", JV_STRING, true, false, 20, 40, NULL, NULL, NULL },
	{ "staff_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "an id" },
	{ "hold_token", JV_STRING, false, true, 1, 100, NULL, appt_hold_token_ok,
	  "a hold_token from POST /v1/public/holds" },
	{ "customer", JV_OBJECT, true, false, 0, 0, NULL, NULL, NULL },
	{ "notes", JV_STRING, false, true, 0, 2000, NULL, NULL, NULL },
	{ "sms_consent", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
};

static enum status
bookings_route(struct request *r, struct response *w)
{
	struct appt_book_in in;
	struct appt_reply out;
	json_t *body;
	size_t before = r->err.nviolations;
	enum status st;

	if ((st = appt_input_booking(r, booking_fields,
	    sizeof(booking_fields) / sizeof(booking_fields[0]), &in, &body)) != ST_OK)
		return st;
	(void)appt_input_customer(r, json_object_get(body, "customer"),
	    json_is_true(json_object_get(body, "sms_consent")), &in.customer);
	in.hold_token = json_string_value(json_object_get(body, "hold_token"));
	in.source = "portal";
	if ((st = appt_input_done(r, before)) != ST_OK || (st = appt_book(&r->ctx, &in, &out)) != ST_OK)
		return st;
	return reply_text(w, out.status, JSON_TYPE, out.body, strlen(out.body));
}

/* A customer's own booking ----------------------------------------------------- */

static enum status
reference(struct request *r, struct appt_verify *v)
{
	char *ref = arena_alloc(r->arena, APPT_REF_LEN + 1);

	if (!appt_reference_normalize(http_param(r, "ref"), ref))
		return err_set(&r->err, ST_NOTFOUND,
		    "No booking matches this reference and contact details.");
	v->reference = ref;
	return ST_OK;
}

static enum status
reply_booking(struct request *r, struct response *w, const struct appt_shown *b)
{
	struct tz *z;

	if (tz_open(r->arena, b->zone, &z) != ST_OK)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return reply_json(r, w, 200, appt_booking_json(r->arena, z, &b->view,
	    b->cancel_window_h, false));
}

/* GET /v1/public/bookings/{ref}?email=…|phone=… */
static enum status
booking_get_route(struct request *r, struct response *w)
{
	struct appt_verify v;
	struct appt_shown b;
	size_t before = r->err.nviolations;
	enum status st;

	if ((st = reference(r, &v)) != ST_OK)
		return st;
	(void)appt_input_contact(r, http_query(r, "email"), http_query(r, "phone"), &v);
	if ((st = appt_input_done(r, before)) != ST_OK || (st = appt_public_get(&r->ctx, &v, &b)) != ST_OK)
		return st;
	return reply_booking(r, w, &b);
}

static const struct jv_field cancel_fields[] = {
	{ "email", JV_STRING, false, false, 1, 254, NULL, NULL, NULL },
	{ "phone", JV_STRING, false, false, 1, 16, NULL, NULL, NULL },
	{ "reason", JV_STRING, false, true, 0, 500, NULL, NULL, NULL },
};

/* POST /v1/public/bookings/{ref}/cancel {email|phone, reason?} */
static enum status
booking_cancel_route(struct request *r, struct response *w)
{
	struct appt_verify v;
	struct appt_shown b;
	json_t *body;
	size_t before = r->err.nviolations;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK ||
	    (st = jv_validate(body, cancel_fields, 3, &r->err)) != ST_OK)
		return st;
	(void)appt_input_contact(r, json_string_value(json_object_get(body, "email")),
	    json_string_value(json_object_get(body, "phone")), &v);
	if ((st = appt_input_done(r, before)) != ST_OK || (st = reference(r, &v)) != ST_OK ||
	    (st = appt_public_cancel(&r->ctx, &v, json_string_value(json_object_get(body, "reason")),
	    &b)) != ST_OK)
		return st;
	return reply_booking(r, w, &b);
}

static const struct jv_field reschedule_fields[] = {
	{ "email", JV_STRING, false, false, 1, 254, NULL, NULL, NULL },
	{ "phone", JV_STRING, false, false, 1, 16, NULL, NULL, NULL },
	{ "start", JV_STRING, true, false, 20, 40, NULL, NULL, NULL },
	{ "staff_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "an id" },
};

/* POST /v1/public/bookings/{ref}/reschedule {email|phone, start, staff_id?} */
static enum status
booking_reschedule_route(struct request *r, struct response *w)
{
	struct appt_verify v;
	struct appt_shown b;
	const char *staff;
	json_t *body;
	int64_t start;
	size_t before = r->err.nviolations;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK ||
	    (st = jv_validate(body, reschedule_fields, 4, &r->err)) != ST_OK)
		return st;
	(void)appt_input_contact(r, json_string_value(json_object_get(body, "email")),
	    json_string_value(json_object_get(body, "phone")), &v);
	(void)appt_input_start(r, json_string_value(json_object_get(body, "start")), "start",
	    &start);
	(void)appt_input_uuid(r, json_object_get(body, "staff_id"), "staff_id", &staff);
	if ((st = appt_input_done(r, before)) != ST_OK || (st = reference(r, &v)) != ST_OK ||
	    (st = appt_public_reschedule(&r->ctx, &v, start, staff, &b)) != ST_OK)
		return st;
	return reply_booking(r, w, &b);
}

static const struct route appt_public_routes_v[] = {
	{ HTTP_GET, "/v1/public/services", services_route, TENANCY_HOST, 0, NULL },
	{ HTTP_GET, "/v1/public/availability", availability_route, TENANCY_HOST, 0, NULL },
	{ HTTP_POST, "/v1/public/holds", holds_route, TENANCY_HOST, 0, NULL },
	{ HTTP_POST, "/v1/public/bookings", bookings_route, TENANCY_HOST, 0, NULL },
	{ HTTP_GET, "/v1/public/bookings/{ref}", booking_get_route, TENANCY_HOST, 0, NULL },
	{ HTTP_POST, "/v1/public/bookings/{ref}/cancel", booking_cancel_route, TENANCY_HOST, 0,
	  NULL },
	{ HTTP_POST, "/v1/public/bookings/{ref}/reschedule", booking_reschedule_route,
	  TENANCY_HOST, 0, NULL },
};
const struct route_table appt_public_routes = TABLE_OF(appt_public_routes_v);
