/* appt_render.c — bookings and customers as JSON (see appt_render.h). */
#include "modules/appointments/appt_render.h"

#include <string.h>

#include "modules/appointments/appt_rules.h"

const char *
appt_time_text(struct arena *a, struct tz *z, int64_t t)
{
	char buf[TZ_RFC3339_SIZE];

	tz_format_rfc3339(z, t, buf);
	return arena_strdup(a, buf);
}

const char *
appt_utc_text(struct arena *a, int64_t t)
{
	char date[TZ_DATE_SIZE];
	int64_t s = tz_floor_mod(t, TZ_DAY_S);

	tz_date_format((int32_t)tz_floor_div(t, TZ_DAY_S), date);
	return arena_printf(a, "%sT%02d:%02d:%02dZ", date, (int)(s / 3600), (int)(s / 60 % 60),
	    (int)(s % 60));
}

static json_t *
services_json(struct arena *a, struct tz *z, const struct appt_view *v, bool admin)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < v->n_items; i++) {
		const struct appt_view_item *it = &v->items[i];
		json_t *addons = json_array();

		for (size_t j = 0; j < it->n_addons; j++)
			json_array_append_new(addons, json_pack("{s:s, s:s?}", "id", it->addon_ids[j],
			    "name", it->addon_names[j]));
		json_array_append_new(arr, json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:s, s:i, s:o}",
		    "service_id", it->service_id, "name", it->service_name,
		    "start", appt_time_text(a, z, it->start), "end", appt_time_text(a, z, it->end),
		    "staff_name", it->staff_name, "staff_id", it->staff_id,
		    "price_minor", it->price_minor, "addons", addons));
		/* Known when the booking was read back (not on the answer
		 * to a change, which is built from what was written). */
		if (admin && it->resources != NULL)
			json_object_set_new(json_array_get(arr, i), "resources",
			    json_loads(it->resources, 0, NULL));
	}
	return arr;
}

/* Who performs what, in the shape availability slots use. */
static json_t *
staff_json(const struct appt_view *v)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < v->n_items; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s?}",
		    "service_id", v->items[i].service_id, "staff_id", v->items[i].staff_id,
		    "staff_name", v->items[i].staff_name));
	return arr;
}

json_t *
appt_booking_json(struct arena *a, struct tz *z, const struct appt_view *v,
    int cancel_window_h, bool admin)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:{s:s?}, s:I, s:s?, s:s}",
	    "reference", v->reference, "id", v->id, "status", v->status,
	    "start", appt_time_text(a, z, v->start), "end", appt_time_text(a, z, v->end),
	    "services", services_json(a, z, v, admin), "staff", staff_json(v),
	    "customer", "name", v->customer_name,
	    "total", (json_int_t)v->total_minor, "currency", v->currency,
	    "cancel_until", appt_time_text(a, z, appt_policy_deadline(v->start, cancel_window_h)));

	if (o == NULL || !admin)
		return o;
	json_object_set_new(json_object_get(o, "customer"), "id", json_string(v->customer_id));
	json_object_set_new(json_object_get(o, "customer"), "email",
	    v->customer_email ? json_string(v->customer_email) : json_null());
	json_object_set_new(json_object_get(o, "customer"), "phone",
	    v->customer_phone ? json_string(v->customer_phone) : json_null());
	json_object_set_new(o, "source", json_string(v->source));
	json_object_set_new(o, "notes", v->notes ? json_string(v->notes) : json_null());
	json_object_set_new(o, "cancelled_at", v->cancelled ?
	    json_string(appt_utc_text(a, v->cancelled_at)) : json_null());
	json_object_set_new(o, "cancel_reason",
	    v->cancel_reason ? json_string(v->cancel_reason) : json_null());
	json_object_set_new(o, "needs_review", json_boolean(v->needs_review));
	json_object_set_new(o, "confirmed_at", v->confirmed ?
	    json_string(appt_utc_text(a, v->confirmed_at)) : json_null());
	json_object_set_new(o, "version", json_integer(v->version));
	json_object_set_new(o, "created_at", json_string(appt_utc_text(a, v->created_at)));
	json_object_set_new(o, "updated_at", json_string(appt_utc_text(a, v->updated_at)));
	return o;
}

json_t *
appt_customer_json(struct arena *a, const struct appt_customer *c)
{
	return json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:o, s:I, s:i, s:s, s:s}",
	    "id", c->id, "name", c->name, "email", c->email, "phone", c->phone,
	    "sms_consent", c->sms_consent,
	    "notes", c->notes ? json_string(c->notes) : json_null(),
	    "bookings_count", (json_int_t)c->n_bookings,
	    "version", c->version, "created_at", appt_utc_text(a, c->created_at),
	    "updated_at", appt_utc_text(a, c->updated_at));
}
