/* reminders_routes.c — the reminder settings (/v1/admin/reminders/settings)
 * and the customer's confirmation link (POST
 * /v1/public/bookings/{ref}/confirm). Parse, call one service, render. */
#include <string.h>

#include "core/jsonv.h"
#include "http/http.h"
#include "modules/appointments/appointments.h"
#include "modules/auth/auth.h"
#include "modules/reminders/reminders.h"
#include "modules/reminders/reminders_service.h"

#define SETTINGS "/v1/admin/reminders/settings"

/* GET /v1/admin/reminders/settings */
static enum status
settings_get_route(struct request *r, struct response *w)
{
	struct rmd_settings s;
	enum status st;

	if ((st = rmd_settings_get(&r->ctx, &s)) != ST_OK)
		return st;
	return reply_json(r, w, 200, rmd_settings_json(&s));
}

static const struct jv_field put_fields[] = {
	{ "email", JV_OBJECT, true, false, 0, 0, NULL, NULL, NULL },
	{ "sms", JV_OBJECT, true, false, 0, 0, NULL, NULL, NULL },
	{ "quiet_hours", JV_OBJECT, true, false, 0, 0, NULL, NULL, NULL },
	{ "ask_confirmation", JV_BOOL, true, false, 0, 0, NULL, NULL, NULL },
	{ "version", JV_INT, false, false, 0, 2147483647, NULL, NULL, NULL },
};

static const struct jv_field channel_fields[] = {
	{ "enabled", JV_BOOL, true, false, 0, 0, NULL, NULL, NULL },
	{ "offsets_minutes", JV_ARRAY, true, false, 0, 0, NULL, NULL, NULL },
};

static const struct jv_field quiet_fields[] = {
	{ "enabled", JV_BOOL, true, false, 0, 0, NULL, NULL, NULL },
	{ "start", JV_STRING, true, false, 5, 5, NULL, NULL, NULL },
	{ "end", JV_STRING, true, false, 5, 5, NULL, NULL, NULL },
};

/* A sub-object, its violations named "<name>.<field>". */
static void
sub_validate(struct request *r, json_t *obj, const char *name, const struct jv_field *f,
    size_t n)
{
	struct err sub;

	memset(&sub, 0, sizeof(sub));
	if (jv_validate(obj, f, n, &sub) == ST_OK)
		return;
	for (size_t i = 0; i < sub.ndetails; i++)
		err_detail(&r->err, arena_printf(r->arena, "%s.%s", name, sub.details[i].field),
		    "%s", sub.details[i].issue);
}

static void
channel_parse(struct request *r, json_t *obj, const char *name, struct rmd_channel *c)
{
	size_t before = r->err.nviolations, i;
	json_t *offs, *v;
	const char *why;

	sub_validate(r, obj, name, channel_fields, 2);
	if (r->err.nviolations != before)
		return;
	c->enabled = json_is_true(json_object_get(obj, "enabled"));
	offs = json_object_get(obj, "offsets_minutes");
	c->n = 0;
	json_array_foreach(offs, i, v) {
		if (!json_is_integer(v)) {
			err_detail(&r->err, arena_printf(r->arena, "%s.offsets_minutes", name),
			    "must be whole minutes");
			return;
		}
		if (i >= RMD_MAX_OFFSETS)
			break;
		c->offsets[c->n++] = json_integer_value(v) < -1 ? -1 :
		    json_integer_value(v) > 100000 ? 100000 : (int)json_integer_value(v);
	}
	if (json_array_size(offs) > RMD_MAX_OFFSETS || !rmd_offsets_ok(c->offsets, c->n, &why))
		err_detail(&r->err, arena_printf(r->arena, "%s.offsets_minutes", name), "%s",
		    json_array_size(offs) > RMD_MAX_OFFSETS ? "at most 4 offsets" : why);
}

static void
quiet_parse(struct request *r, json_t *obj, struct rmd_settings *s)
{
	size_t before = r->err.nviolations;

	sub_validate(r, obj, "quiet_hours", quiet_fields, 3);
	if (r->err.nviolations != before)
		return;
	s->quiet_enabled = json_is_true(json_object_get(obj, "enabled"));
	if (!rmd_hhmm_parse(json_string_value(json_object_get(obj, "start")), &s->quiet_start))
		err_detail(&r->err, "quiet_hours.start", "must be HH:MM (00:00 to 23:59)");
	if (!rmd_hhmm_parse(json_string_value(json_object_get(obj, "end")), &s->quiet_end))
		err_detail(&r->err, "quiet_hours.end", "must be HH:MM (00:00 to 23:59)");
	if (r->err.nviolations == before && s->quiet_start == s->quiet_end)
		err_detail(&r->err, "quiet_hours.end", "must differ from the start");
}

/* PUT /v1/admin/reminders/settings — the whole policy (see docs). */
static enum status
settings_put_route(struct request *r, struct response *w)
{
	struct rmd_settings s;
	json_t *body, *ver;
	size_t before = r->err.nviolations;
	enum status st;

	memset(&s, 0, sizeof(s));
	if ((st = http_json_body(r, &body)) != ST_OK ||
	    (st = jv_validate(body, put_fields, sizeof(put_fields) / sizeof(put_fields[0]),
	    &r->err)) != ST_OK)
		return st;
	channel_parse(r, json_object_get(body, "email"), "email", &s.email);
	channel_parse(r, json_object_get(body, "sms"), "sms", &s.sms);
	quiet_parse(r, json_object_get(body, "quiet_hours"), &s);
	s.ask_confirmation = json_is_true(json_object_get(body, "ask_confirmation"));
	if (r->err.nviolations != before)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	ver = json_object_get(body, "version");
	if ((st = rmd_settings_put(&r->ctx, &s, ver ? (int)json_integer_value(ver) : -1)) != ST_OK)
		return st;
	return settings_get_route(r, w);
}

static const struct jv_field confirm_fields[] = {
	{ "token", JV_STRING, true, false, 43, 43, NULL, NULL, NULL },
};

/* POST /v1/public/bookings/{ref}/confirm {token} — the link in a reminder. */
static enum status
confirm_route(struct request *r, struct response *w)
{
	struct reminders_confirmed out;
	char ref[APPT_REF_LEN + 1];
	json_t *body;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK ||
	    (st = jv_validate(body, confirm_fields, 1, &r->err)) != ST_OK)
		return st;
	if (!appt_reference_normalize(http_param(r, "ref"), ref))
		return err_set(&r->err, ST_NOTFOUND, "This confirmation link is not valid.");
	if ((st = rmd_confirm_token(&r->ctx, ref, json_string_value(json_object_get(body,
	    "token")), &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:s, s:b, s:b}", "reference", out.reference,
	    "confirmed", 1, "already_confirmed", out.already));
}

static const struct route reminders_routes_v[] = {
	{ HTTP_GET, SETTINGS, settings_get_route, TENANCY_HOST_OR_HEADER,
	    PERM(RES_PROFILE, VERB_READ), NULL },
	{ HTTP_PUT, SETTINGS, settings_put_route, TENANCY_HOST_OR_HEADER,
	    PERM(RES_PROFILE, VERB_WRITE), NULL },
	{ HTTP_POST, "/v1/public/bookings/{ref}/confirm", confirm_route, TENANCY_HOST, 0, NULL },
};
const struct route_table reminders_routes = TABLE_OF(reminders_routes_v);
