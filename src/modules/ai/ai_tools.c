/* ai_tools.c — the receptionist's tools: their definitions (strict JSON
 * Schemas), argument validation like API input, and execution on the
 * server, always in the request's tenant, through the scheduling module's
 * C API (never HTTP).
 *
 * The guardrails live here, in code, whatever the model says:
 * - hold_slot, book_appointment and reschedule_booking take only a slot
 *   that check_availability returned in this conversation (the
 *   conversation's offered_slots), and the scheduling API re-verifies that
 *   it is still free;
 * - book, cancel and reschedule first record a proposal and answer
 *   "confirmation_required"; only a call with the same arguments in a turn
 *   whose customer message confirmed that proposal (the engine's
 *   classifier, not the model) performs it;
 * - contact details are validated (e-mail, E.164) before use;
 * - existing bookings need their reference and the customer's e-mail or
 *   phone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/addr.h"
#include "core/jsonv.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/ai/ai_internal.h"
#include "modules/appointments/appointments.h"
#include "core/time.h"
#include "modules/audit/audit.h"
#include "modules/messages/messages.h"
#include "modules/push/push.h"
#include "modules/waitlist/waitlist.h"
#include "modules/ai/ai_nlu.h"

/* Slots kept in a conversation's offered list (newest win). */
#define OFFERED_MAX 60
/* Slots one check_availability returns. */
#define SLOTS_PER_CALL 6
/* Add-ons one call may ask for. */
#define WANT_MAX_ADDONS 8

/* ---- definitions ---------------------------------------------------------- */

#define UUID_SCHEMA "{\"type\":\"string\",\"format\":\"uuid\",\"minLength\":36,\"maxLength\":36}"
#define START_SCHEMA(desc) "{\"type\":\"string\",\"format\":\"date-time\",\"maxLength\":40," \
	"\"description\":\"" desc "\"}"
#define HHMM_SCHEMA(desc) "{\"type\":\"string\",\"pattern\":\"^([01][0-9]|2[0-3]):[0-5][0-9]$\"," \
	"\"description\":\"" desc "\"}"
#define EMAIL_SCHEMA "{\"type\":\"string\",\"format\":\"email\",\"minLength\":3,\"maxLength\":254}"
#define PHONE_SCHEMA "{\"type\":\"string\",\"pattern\":\"^\\\\+[1-9][0-9]{6,14}$\"," \
	"\"description\":\"E.164, e.g. +14155550123\"}"
#define REF_SCHEMA "{\"type\":\"string\",\"minLength\":6,\"maxLength\":10," \
	"\"description\":\"The booking reference, 6 characters\"}"
#define IDS_SCHEMA(max, desc) "{\"type\":\"array\",\"items\":" UUID_SCHEMA ",\"maxItems\":" #max "," \
	"\"description\":\"" desc "\"}"
/* What a booking asks for: one service, or several back to back, with
 * add-ons. */
#define WANT_PROPS "\"service_id\":" UUID_SCHEMA "," \
	"\"service_ids\":" IDS_SCHEMA(8, "several services back to back in this order, instead of " \
	"service_id") "," \
	"\"addon_ids\":" IDS_SCHEMA(8, "add-ons of those services (get_services lists them)") ","
#define OBJ(props, req) "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "]," \
	"\"additionalProperties\":false}"

static const struct llm_tool_def defs[] = {
	{ "get_services", "The business's services with duration, price, add-ons and the staff "
	    "who perform each.", OBJ("", "") },
	{ "get_business_info", "Address, phone, opening hours in local time, whether it is open "
	    "now, and the policies.", OBJ("", "") },
	{ "search_faqs", "Searches the business's FAQs for an answer.",
	    OBJ("\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":300}", "\"query\"") },
	{ "check_availability", "Free start times for a service (or several back to back, with "
	    "add-ons) on a local date (and the following days), optionally near a time or within a "
	    "time range, optionally with one staff member. Offer only these times.",
	    OBJ(WANT_PROPS
	    "\"date\":{\"type\":\"string\",\"format\":\"date\",\"description\":\"YYYY-MM-DD, local\"},"
	    "\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":7},"
	    "\"time\":" HHMM_SCHEMA("preferred local start time") ","
	    "\"after\":" HHMM_SCHEMA("earliest local start time") ","
	    "\"before\":" HHMM_SCHEMA("local start time before which to start") ","
	    "\"staff_id\":" UUID_SCHEMA, "\"date\"") },
	{ "hold_slot", "Holds an offered slot for a few minutes while the customer decides.",
	    OBJ(WANT_PROPS "\"start\":" START_SCHEMA("an offered start") ","
	    "\"staff_id\":" UUID_SCHEMA, "\"start\"") },
	{ "collect_contact_info", "Records the customer's name, e-mail and/or phone number.",
	    OBJ("\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200},"
	    "\"email\":" EMAIL_SCHEMA ",\"phone\":" PHONE_SCHEMA, "") },
	{ "book_appointment", "Books an offered slot. The customer is shown a summary and must "
	    "confirm it in their next message before it is booked.",
	    OBJ(WANT_PROPS "\"start\":" START_SCHEMA("an offered start, for the same services and "
	    "add-ons check_availability was asked") ","
	    "\"staff_id\":" UUID_SCHEMA ",\"name\":{\"type\":\"string\",\"minLength\":1,"
	    "\"maxLength\":200},\"email\":" EMAIL_SCHEMA ",\"phone\":" PHONE_SCHEMA ","
	    "\"notes\":{\"type\":\"string\",\"maxLength\":500}",
	    "\"start\",\"name\"") },
	{ "join_waitlist", "Puts the customer on the waitlist for a service on a local date (and "
	    "part of the day) when no offered time suits them; they are told when a time frees up. "
	    "The customer is shown a summary and must confirm it in their next message.",
	    OBJ("\"service_id\":" UUID_SCHEMA ","
	    "\"date\":{\"type\":\"string\",\"format\":\"date\",\"description\":\"YYYY-MM-DD, local\"},"
	    "\"part_of_day\":{\"type\":\"string\",\"enum\":[\"any\",\"morning\",\"afternoon\","
	    "\"evening\"]},\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200},"
	    "\"email\":" EMAIL_SCHEMA ",\"phone\":" PHONE_SCHEMA,
	    "\"service_id\",\"date\",\"name\"") },
	{ "get_booking", "A customer's own booking, by reference and the e-mail or phone it was "
	    "made with.", OBJ("\"reference\":" REF_SCHEMA ",\"email\":" EMAIL_SCHEMA ","
	    "\"phone\":" PHONE_SCHEMA, "\"reference\"") },
	{ "cancel_booking", "Cancels a customer's booking (after their confirmation).",
	    OBJ("\"reference\":" REF_SCHEMA ",\"email\":" EMAIL_SCHEMA ",\"phone\":" PHONE_SCHEMA ","
	    "\"reason\":{\"type\":\"string\",\"maxLength\":300}", "\"reference\"") },
	{ "reschedule_booking", "Moves a customer's booking to an offered slot (after their "
	    "confirmation).", OBJ("\"reference\":" REF_SCHEMA ",\"email\":" EMAIL_SCHEMA ","
	    "\"phone\":" PHONE_SCHEMA ",\"new_start\":" START_SCHEMA("an offered start") ","
	    "\"staff_id\":" UUID_SCHEMA, "\"reference\",\"new_start\"") },
	{ "handoff_to_human", "Hands the conversation to a person of the business.",
	    OBJ("\"reason\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":300}", "\"reason\"") },
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

const struct llm_tool_def *
ai_tool_defs(bool allow_handoff, size_t *n)
{
	/* handoff_to_human is last, so leaving it out is a shorter count. */
	*n = allow_handoff ? NDEFS : NDEFS - 1;
	return defs;
}

/* ---- validation ---------------------------------------------------------------- */

static bool
date_ok(const char *s)
{
	int32_t d;

	return tz_date_parse(s, &d);
}

static bool
hhmm_ok(const char *s)
{
	return strlen(s) == 5 && s[2] == ':' && s[0] >= '0' && s[0] <= '2' &&
	    s[1] >= '0' && s[1] <= '9' && (s[0] < '2' || s[1] <= '3') &&
	    s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9';
}

static bool
rfc3339_ok(const char *s)
{
	int64_t t;

	return appt_parse_rfc3339(s, &t);
}

#define F_UUID(n, req) { n, JV_STRING, req, false, 36, 36, NULL, id_is_uuid, "a UUID" }
#define F_STR(n, req, lo, hi) { n, JV_STRING, req, false, lo, hi, NULL, NULL, NULL }
#define F_EMAIL(n) { n, JV_STRING, false, false, 3, 254, NULL, addr_email_ok, "an e-mail address" }
#define F_PHONE(n) { n, JV_STRING, false, false, 8, 16, NULL, addr_e164_ok, \
	"an E.164 phone number like +14155550123" }
#define F_START(n, req) { n, JV_STRING, req, false, 20, 40, NULL, rfc3339_ok, \
	"an RFC 3339 date-time with offset" }
#define F_HHMM(n) { n, JV_STRING, false, false, 5, 5, NULL, hhmm_ok, "HH:MM" }

static const struct jv_field f_none[] = { { "-", JV_STRING, false, false, 0, 0, NULL, NULL, NULL } };
static const struct jv_field f_faqs[] = { F_STR("query", true, 1, 300) };
#define F_WANT F_UUID("service_id", false), \
	{ "service_ids", JV_ARRAY, false, false, 1, AVAIL_MAX_SERVICES, NULL, NULL, NULL }, \
	{ "addon_ids", JV_ARRAY, false, false, 0, WANT_MAX_ADDONS, NULL, NULL, NULL }

static const struct jv_field f_avail[] = {
	F_WANT,
	{ "date", JV_STRING, true, false, 10, 10, NULL, date_ok, "a date YYYY-MM-DD" },
	{ "days", JV_INT, false, false, 1, 7, NULL, NULL, NULL },
	F_HHMM("time"), F_HHMM("after"), F_HHMM("before"),
	F_UUID("staff_id", false),
};
static const struct jv_field f_hold[] = {
	F_WANT, F_START("start", true), F_UUID("staff_id", false),
};
static const struct jv_field f_contact[] = {
	F_STR("name", false, 1, 200), F_EMAIL("email"), F_PHONE("phone"),
};
static const struct jv_field f_book[] = {
	F_WANT, F_START("start", true), F_UUID("staff_id", false),
	F_STR("name", true, 1, 200), F_EMAIL("email"), F_PHONE("phone"), F_STR("notes", false, 0, 500),
};
static const struct jv_field f_get[] = {
	F_STR("reference", true, 6, 10), F_EMAIL("email"), F_PHONE("phone"),
};
static const struct jv_field f_cancel[] = {
	F_STR("reference", true, 6, 10), F_EMAIL("email"), F_PHONE("phone"),
	F_STR("reason", false, 0, 300),
};
static const struct jv_field f_resched[] = {
	F_STR("reference", true, 6, 10), F_EMAIL("email"), F_PHONE("phone"),
	F_START("new_start", true), F_UUID("staff_id", false),
};
static const struct jv_field f_handoff[] = { F_STR("reason", true, 1, 300) };
static const char *const parts_of_day[] = { "any", "morning", "afternoon", "evening", NULL };
static const struct jv_field f_waitlist[] = {
	F_UUID("service_id", true),
	{ "date", JV_STRING, true, false, 10, 10, NULL, date_ok, "a date YYYY-MM-DD" },
	{ "part_of_day", JV_STRING, false, false, 0, 0, parts_of_day, NULL, NULL },
	F_STR("name", true, 1, 200), F_EMAIL("email"), F_PHONE("phone"),
};

static const struct {
	const char *name;
	const struct jv_field *fields;
	size_t n;
} tables[] = {
	{ "get_services", f_none, 0 },
	{ "get_business_info", f_none, 0 },
	{ "search_faqs", f_faqs, 1 },
	{ "check_availability", f_avail, sizeof(f_avail) / sizeof(f_avail[0]) },
	{ "hold_slot", f_hold, sizeof(f_hold) / sizeof(f_hold[0]) },
	{ "collect_contact_info", f_contact, sizeof(f_contact) / sizeof(f_contact[0]) },
	{ "book_appointment", f_book, sizeof(f_book) / sizeof(f_book[0]) },
	{ "join_waitlist", f_waitlist, sizeof(f_waitlist) / sizeof(f_waitlist[0]) },
	{ "get_booking", f_get, sizeof(f_get) / sizeof(f_get[0]) },
	{ "cancel_booking", f_cancel, sizeof(f_cancel) / sizeof(f_cancel[0]) },
	{ "reschedule_booking", f_resched, sizeof(f_resched) / sizeof(f_resched[0]) },
	{ "handoff_to_human", f_handoff, 1 },
};

enum status
ai_tool_args_parse(struct arena *a, const char *name, const char *arguments, json_t **args,
    char *why, size_t whysz)
{
	struct err e;
	json_t *j;
	size_t i;
	enum status st;

	*args = NULL;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (name != NULL && strcmp(tables[i].name, name) == 0)
			break;
	if (i == sizeof(tables) / sizeof(tables[0])) {
		snprintf(why, whysz, "There is no tool named %.60s.", name ? name : "(none)");
		return ST_INVALID;
	}
	err_clear(&e);
	if (arguments == NULL || *arguments == '\0')
		arguments = "{}";
	if ((st = jv_parse_object(arguments, strlen(arguments), 16384, &j, &e)) != ST_OK) {
		snprintf(why, whysz, "The arguments are not a JSON object: %s", e.message);
		return ST_INVALID;
	}
	if ((st = jv_validate(j, tables[i].fields, tables[i].n, &e)) != ST_OK) {
		size_t k, off = 0;

		off += (size_t)snprintf(why, whysz, "Invalid arguments:");
		for (k = 0; k < e.ndetails && off < whysz; k++)
			off += (size_t)snprintf(why + off, whysz - off, " %s %s;", e.details[k].field,
			    e.details[k].issue);
		json_decref(j);
		return ST_INVALID;
	}
	(void)a;
	*args = j;
	return ST_OK;
}

/* ---- helpers ------------------------------------------------------------------- */

static json_t *
refuse(bool *refused, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *
refuse(bool *refused, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	*refused = true;
	return json_pack("{s:s}", "error", buf);
}

/* What the scheduling API said, for the model, and ctx->err left clean so
 * the chat request itself does not fail. */
static json_t *
api_refusal(struct ai_turn_ctx *t, enum status st, bool *refused)
{
	struct err *e = t->ctx->err;
	char msg[ERR_TEXT_MAX + 200];
	json_t *o;

	snprintf(msg, sizeof(msg), "%s%s%s", e->message[0] ? e->message :
	    status_default_message(st), e->ndetails ? " " : "",
	    e->ndetails ? e->details[0].issue : "");
	o = refuse(refused, "%s", msg);
	json_object_set_new(o, "code", json_string(status_code(st)));
	err_clear(e);
	return o;
}

static const char *
arg(json_t *args, const char *k)
{
	return json_string_value(json_object_get(args, k));
}

static const struct ai_service *
find_service(const struct ai_tenant *t, const char *id)
{
	for (size_t i = 0; id && i < t->nservices; i++)
		if (strcasecmp(t->services[i].id, id) == 0)
			return &t->services[i];
	return NULL;
}

static char *
lower(struct arena *a, const char *s)
{
	char *o = arena_strdup(a, s);

	for (char *p = o; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return o;
}

/* What a call asks to book: one service or several back to back
 * ("service_ids", in order), with add-ons, each going to the first
 * service of the bundle it belongs to — the way the booking API reads a
 * bundle's add-ons. key names the request in the offered slots, so a slot
 * found for a haircut alone is never booked as a haircut and a beard trim. */
struct want {
	const struct ai_service *svc[AVAIL_MAX_SERVICES];
	size_t n;
	const struct ai_addon *addon[WANT_MAX_ADDONS];
	size_t addon_of[WANT_MAX_ADDONS];	/* its service's place in svc */
	size_t naddons;
	const char *key;			/* "sid+sid|aid,aid", lower case */
	const char *names;			/* "Haircut with Hair Wash and Beard Trim" */
	long price_minor;
	int duration_min;
};

static const struct ai_addon *
addon_of_service(const struct ai_service *svc, const char *id)
{
	for (size_t i = 0; id && i < svc->naddons; i++)
		if (strcasecmp(svc->addons[i].id, id) == 0)
			return &svc->addons[i];
	return NULL;
}

/* The services and add-ons of a call; false with *result (for the model)
 * when they do not name this business's services and their add-ons. */
static bool
want_parse(struct ai_turn_ctx *t, json_t *args, struct want *w, json_t **result, bool *refused)
{
	struct arena *a = t->ctx->arena;
	json_t *ids = json_object_get(args, "service_ids"), *adds = json_object_get(args, "addon_ids");
	const char *one = arg(args, "service_id");
	size_t i, k;
	json_t *v;

	memset(w, 0, sizeof(*w));
	if (ids != NULL && one != NULL && (json_array_size(ids) != 1 ||
	    json_string_value(json_array_get(ids, 0)) == NULL ||
	    strcasecmp(json_string_value(json_array_get(ids, 0)), one) != 0)) {
		*result = refuse(refused, "Give service_id for one service or service_ids for "
		    "several, not both.");
		return false;
	}
	if (ids == NULL && one == NULL) {
		*result = refuse(refused, "Give service_id (or service_ids); call get_services for "
		    "this business's services.");
		return false;
	}
	if (ids == NULL) {
		w->svc[w->n++] = find_service(t->tenant, one);
	} else {
		json_array_foreach(ids, i, v)
			if (w->n < AVAIL_MAX_SERVICES)
				w->svc[w->n++] = find_service(t->tenant, json_string_value(v));
	}
	for (i = 0; i < w->n; i++) {
		if (w->svc[i] == NULL) {
			*result = refuse(refused, "Unknown service id; call get_services for this "
			    "business's services.");
			return false;
		}
	}
	json_array_foreach(adds, i, v) {
		const char *id = json_string_value(v);
		const struct ai_addon *ad = NULL;

		for (k = 0; k < w->n && ad == NULL; k++)
			ad = addon_of_service(w->svc[k], id);
		if (ad == NULL) {
			*result = refuse(refused, "Add-on %.40s is not an add-on of the services asked "
			    "for; get_services lists each service's add-ons.", id ? id : "(not a string)");
			return false;
		}
		for (size_t m = 0; m < w->naddons; m++)
			if (w->addon[m] == ad) {
				*result = refuse(refused, "An add-on is named twice.");
				return false;
			}
		w->addon_of[w->naddons] = k - 1;
		w->addon[w->naddons++] = ad;
	}
	w->key = "";
	w->names = "";
	for (i = 0; i < w->n; i++) {
		const char *with = "";

		for (k = 0; k < w->naddons; k++)
			if (w->addon_of[k] == i)
				with = arena_printf(a, "%s%s%s", with, *with ? " and " : " with ",
				    w->addon[k]->name);
		w->key = arena_printf(a, "%s%s%s", w->key, i ? "+" : "", lower(a, w->svc[i]->id));
		w->names = arena_printf(a, "%s%s%s%s", w->names, i == 0 ? "" : i + 1 < w->n ? ", " :
		    " and ", w->svc[i]->name, with);
		w->price_minor += w->svc[i]->price_minor;
		w->duration_min += w->svc[i]->duration_min;
	}
	for (k = 0; k < w->naddons; k++) {
		w->key = arena_printf(a, "%s%s%s", w->key, k ? "," : "|", lower(a, w->addon[k]->id));
		w->price_minor += w->addon[k]->price_minor;
		w->duration_min += w->addon[k]->duration_min;
	}
	return true;
}

/* The scheduling API's items of a want: each service with its add-ons. */
static size_t
want_items(struct arena *a, const struct want *w, struct appt_item_in *items)
{
	static const char *const fields[] = { "services[0].service_id", "services[1].service_id",
		"services[2].service_id", "services[3].service_id", "services[4].service_id",
		"services[5].service_id", "services[6].service_id", "services[7].service_id" };
	static const char *const afields[] = { "services[0].addon_ids", "services[1].addon_ids",
		"services[2].addon_ids", "services[3].addon_ids", "services[4].addon_ids",
		"services[5].addon_ids", "services[6].addon_ids", "services[7].addon_ids" };

	for (size_t i = 0; i < w->n; i++) {
		const char **ad = arena_calloc(a, w->naddons + 1, sizeof(*ad));
		size_t m = 0;

		for (size_t k = 0; k < w->naddons; k++)
			if (w->addon_of[k] == i)
				ad[m++] = lower(a, w->addon[k]->id);
		items[i].req.service_id = lower(a, w->svc[i]->id);
		items[i].req.addon_ids = ad;
		items[i].req.n_addons = m;
		items[i].field = w->n == 1 ? "service_id" : fields[i];
		items[i].addon_field = w->n == 1 ? "addon_ids" : afields[i];
	}
	return w->n;
}

/* The want's services and add-ons as the tools' results show them. */
static json_t *
want_json(struct arena *a, const struct want *w)
{
	json_t *svcs = json_array(), *adds = json_array();

	for (size_t i = 0; i < w->n; i++)
		json_array_append_new(svcs, json_pack("{s:s, s:s}", "id", lower(a, w->svc[i]->id),
		    "name", w->svc[i]->name));
	for (size_t k = 0; k < w->naddons; k++)
		json_array_append_new(adds, json_pack("{s:s, s:s, s:s}", "id",
		    lower(a, w->addon[k]->id), "name", w->addon[k]->name, "service_id",
		    lower(a, w->svc[w->addon_of[k]]->id)));
	return json_pack("{s:o, s:o, s:s, s:i}", "services", svcs, "addons", adds, "total_price",
	    ai_money(a, w->price_minor, w->svc[0]->currency), "duration_minutes", w->duration_min);
}

static int
hhmm_min(const char *s)
{
	return s ? ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0') : -1;
}

/* "Tuesday, March 10 at 4:15 PM" and "Tue 4:15 PM" for instant t. */
static void
labels(struct arena *a, struct tz *z, int64_t t, const char **lng, const char **shrt,
    int32_t *day, int *minute)
{
	int64_t wall = tz_wall(z, t);
	char d[48], tm[16];

	*day = (int32_t)tz_floor_div(wall, TZ_DAY_S);
	*minute = (int)(tz_floor_mod(wall, TZ_DAY_S) / 60);
	nlu_format_day(*day, d, sizeof(d));
	nlu_format_time(*minute, tm, sizeof(tm));
	if (lng)
		*lng = arena_printf(a, "%s at %s", d, tm);
	if (shrt)
		*shrt = arena_printf(a, "%.3s %s", d, tm);
}

static enum status
conv_load(struct ai_turn_ctx *t, struct db_tx *tx, struct ai_conv *c)
{
	bool found = false;
	enum status st;

	if ((st = db_tx_begin(tx, t->ctx)) != ST_OK)
		return st;
	if ((st = ai_store_conv_get(tx, t->conversation_id, true, c, &found)) == ST_OK && !found)
		st = err_set(t->ctx->err, ST_NOTFOUND, "The conversation is gone.");
	if (st != ST_OK)
		return db_tx_end(tx, st);
	return ST_OK;
}

/* What an offered slot was found for (struct want's key; a slot kept
 * before bundles has only its service). */
static const char *
offered_key(json_t *o)
{
	return arg(o, "key") ? arg(o, "key") : arg(o, "service_id");
}

/* The offered slot a call names: same services and add-ons, same instant,
 * and the same staff member when one is named. */
static json_t *
offered_find(json_t *offered, const char *key, int64_t start, const char *staff_id)
{
	size_t i;
	json_t *o;

	json_array_foreach(offered, i, o) {
		const char *sid = offered_key(o), *st = arg(o, "staff_id");

		if (sid == NULL || strcasecmp(sid, key) != 0 ||
		    json_integer_value(json_object_get(o, "start_utc")) != start)
			continue;
		if (staff_id != NULL && (st == NULL || strcasecmp(st, staff_id) != 0))
			continue;
		return o;
	}
	return NULL;
}

static const char *
not_offered_msg(void)
{
	return "That time was not offered in this conversation. Call check_availability and "
	    "offer the customer one of the times it returns.";
}

static void
audit_ai(struct ai_turn_ctx *t, struct db_tx *tx, const char *action, const char *target_type,
    const char *target_id, json_t *changes, enum status *st)
{
	struct audit_actor who;

	if (*st != ST_OK) {
		json_decref(changes);
		return;
	}
	ai_actor(t->ctx, t->conversation_id, &who);
	*st = audit_record(tx, &who, action, target_type, target_id, changes);
}

static char *
nonce(struct arena *a)
{
	unsigned char b[12];
	char *hex = arena_alloc(a, sizeof(b) * 2 + 1);

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(hex, sizeof(b) * 2 + 1, b, sizeof(b));
	return hex;
}

/* The proposal flow shared by book, cancel and reschedule: run the action
 * when the customer's message of this turn confirmed exactly this
 * proposal; otherwise record it (unless it is already the one waiting)
 * and ask for confirmation. */
enum prop_outcome { PROP_RUN, PROP_ASK };

static enum status
proposal_gate(struct ai_turn_ctx *t, const char *action, json_t *canon, const char *summary,
    const char *question, json_t *extra, enum prop_outcome *out, json_t **proposal)
{
	struct db_tx tx;
	struct ai_conv c;
	enum status st;

	*proposal = NULL;
	if ((st = conv_load(t, &tx, &c)) != ST_OK) {
		json_decref(extra);
		return st;
	}
	if (c.proposal != NULL && ai_proposal_matches(c.proposal, action, canon)) {
		json_int_t confirmed = json_integer_value(json_object_get(c.proposal,
		    "confirmed_seq"));

		*proposal = ai_keep(t->ctx->arena, json_incref(c.proposal));
		if (t->confirmed && confirmed == t->user_seq) {
			*out = PROP_RUN;
			json_decref(extra);
			return db_tx_end(&tx, ST_OK);
		}
		*out = PROP_ASK;
		json_decref(extra);
		return db_tx_end(&tx, ST_OK);
	}
	/* A new proposal replaces whatever was waiting: only the newest one
	 * can be confirmed. */
	*proposal = json_pack("{s:s, s:O, s:s, s:s, s:i, s:s}", "action", action, "args", canon,
	    "summary", summary, "question", question, "after_seq", t->user_seq,
	    "nonce", nonce(t->ctx->arena));
	if (extra != NULL) {
		json_object_update(*proposal, extra);
		json_decref(extra);
	}
	ai_keep(t->ctx->arena, *proposal);
	st = ai_store_set_json(&tx, t->conversation_id, "pending_proposal", *proposal);
	*out = PROP_ASK;
	return db_tx_end(&tx, st);
}

static json_t *
ask(struct ai_turn_ctx *t, json_t *proposal)
{
	const char *q = arg(proposal, "question"), *s = arg(proposal, "summary");

	t->confirmation_text = q;
	return json_pack("{s:s, s:s, s:s, s:s}", "status", "confirmation_required",
	    "summary", s ? s : "", "confirmation_text", q ? q : "",
	    "note", "Nothing is done yet. Show the customer the summary and wait for their "
	    "explicit yes in their next message; then call the tool again with the same arguments.");
}

static enum status
clear_proposal(struct ai_turn_ctx *t)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, t->ctx)) != ST_OK)
		return st;
	st = ai_store_set_json(&tx, t->conversation_id, "pending_proposal", NULL);
	return db_tx_end(&tx, st);
}

/* The appointments service refused a confirmed action: the model is told
 * why and the proposal is spent. A failure of our own fails the turn. */
static enum status
action_refused(struct ai_turn_ctx *t, enum status st, json_t **result, bool *refused)
{
	if (st == ST_INTERNAL || st == ST_UNAVAILABLE || st == ST_TIMEOUT)
		return st;
	*result = api_refusal(t, st, refused);
	return clear_proposal(t);
}

/* A confirmed change to a booking is done: the proposal is spent, and the
 * audit log says the AI did it for this conversation. */
static enum status
booking_changed(struct ai_turn_ctx *t, const char *action, const char *booking_id,
    const char *reference)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, t->ctx)) != ST_OK)
		return st;
	st = ai_store_set_json(&tx, t->conversation_id, "pending_proposal", NULL);
	audit_ai(t, &tx, action, "booking", booking_id, json_pack("{s:s, s:s}", "reference",
	    reference, "conversation_id", t->conversation_id), &st);
	return db_tx_end(&tx, st);
}

/* ---- the tools ------------------------------------------------------------------ */

static json_t *
tool_services(struct ai_turn_ctx *t)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < t->tenant->nservices; i++) {
		const struct ai_service *s = &t->tenant->services[i];
		json_t *adds = json_array(), *staff = json_array();

		for (size_t k = 0; k < s->naddons; k++)
			json_array_append_new(adds, json_pack("{s:s, s:s, s:i, s:s}", "id",
			    s->addons[k].id, "name", s->addons[k].name, "extra_minutes",
			    s->addons[k].duration_min, "price", ai_money(t->ctx->arena,
			    s->addons[k].price_minor, s->addons[k].currency)));
		for (size_t k = 0; k < s->nstaff; k++)
			json_array_append_new(staff, json_pack("{s:s, s:s}", "id", s->staff[k].id,
			    "name", s->staff[k].name));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:s, s:s?, s:o, s:o}", "id",
		    s->id, "name", s->name, "duration_minutes", s->duration_min, "price",
		    ai_money(t->ctx->arena, s->price_minor, s->currency), "description",
		    s->description, "addons", adds, "staff", staff));
	}
	return json_pack("{s:o}", "services", arr);
}

static json_t *
tool_business(struct ai_turn_ctx *t)
{
	const struct ai_tenant *tn = t->tenant;
	const char **lines = ai_hours_lines(t->ctx->arena, tn);
	json_t *hours = json_array();
	const char *next = NULL;
	bool open = false;

	for (int d = 0; d < 7; d++)
		json_array_append_new(hours, json_string(lines[d]));
	ai_open_state(t->ctx->arena, tn, t->now, &open, &next);
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:o, s:b, s:s?, s:{s:s?, s:s?, s:s?, "
	    "s:s?, s:i}}", "name", tn->name ? tn->name : "", "address", tn->address, "phone",
	    tn->phone, "email", tn->email, "website", tn->website, "timezone",
	    tn->zone ? tn->zone : "UTC", "hours_text", hours, "open_now", open, "next_open", next,
	    "policies", "cancellation", tn->cancellation_policy, "late", tn->late_policy,
	    "no_show", tn->no_show_policy, "payment", tn->payment_policy,
	    "cancellation_window_hours", tn->cancel_window_h);
}

static json_t *
tool_faqs(struct ai_turn_ctx *t, json_t *args)
{
	struct arena *a = t->ctx->arena;
	const char *q = nlu_normalize(a, arg(args, "query"));
	json_t *res = json_array();
	double best[3] = { 0, 0, 0 };
	int idx[3] = { -1, -1, -1 };

	for (size_t i = 0; i < t->tenant->nfaqs; i++) {
		const struct ai_faq *f = &t->tenant->faqs[i];
		double s = nlu_faq_score(a, q, nlu_normalize(a, f->question),
		    nlu_normalize(a, f->answer));

		for (int k = 0; k < 3; k++) {
			if (s > best[k]) {
				for (int m = 2; m > k; m--) {
					best[m] = best[m - 1];
					idx[m] = idx[m - 1];
				}
				best[k] = s;
				idx[k] = (int)i;
				break;
			}
		}
	}
	for (int k = 0; k < 3; k++)
		if (idx[k] >= 0 && best[k] >= 0.15)
			json_array_append_new(res, json_pack("{s:s, s:s, s:f}", "question",
			    t->tenant->faqs[idx[k]].question, "answer", t->tenant->faqs[idx[k]].answer,
			    "score", (double)((int)(best[k] * 100)) / 100.0));
	return json_pack("{s:o}", "results", res);
}

struct cand {
	const struct avail_slot *s;
	int32_t day;
	int minute;
	int dist;
};

static int
cand_by_dist(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	return a->s->start < b->s->start ? -1 : a->s->start > b->s->start;
}

static int
cand_by_start(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	return a->s->start < b->s->start ? -1 : a->s->start > b->s->start;
}

static const char *
staff_name_of(const struct appt_avail_answer *ans, const char *id)
{
	for (size_t i = 0; id && i < ans->world->n_staff; i++)
		if (strcmp(ans->world->staff[i].id, id) == 0)
			return ans->world->staff_names[i];
	return NULL;
}

/* Slots of one availability answer that satisfy the time wishes. */
static size_t
filter_slots(struct ai_turn_ctx *t, struct tz *z, const struct appt_avail_answer *ans,
    int time, int after, int before, struct cand **out)
{
	struct cand *c = arena_calloc(t->ctx->arena, ans->result.n_slots + 1, sizeof(*c));
	size_t n = 0;

	for (size_t i = 0; i < ans->result.n_slots; i++) {
		const struct avail_slot *s = &ans->result.slots[i];
		int64_t wall = tz_wall(z, s->start);
		int m = (int)(tz_floor_mod(wall, TZ_DAY_S) / 60);

		if (after >= 0 && m < after)
			continue;
		if (before >= 0 && m >= before)
			continue;
		c[n].s = s;
		c[n].day = (int32_t)tz_floor_div(wall, TZ_DAY_S);
		c[n].minute = m;
		c[n].dist = time >= 0 ? abs(m - time) : 0;
		n++;
	}
	if (time >= 0 && n > 0) {
		qsort(c, n, sizeof(*c), cand_by_dist);
		if (n > SLOTS_PER_CALL)
			n = SLOTS_PER_CALL;
		qsort(c, n, sizeof(*c), cand_by_start);
	}
	if (n > SLOTS_PER_CALL)
		n = SLOTS_PER_CALL;
	*out = c;
	return n;
}

static const char *
hhmm_text(struct arena *a, int minute)
{
	return arena_printf(a, "%02d:%02d", minute / 60 % 24, minute % 60);
}

static const char *
wish_text(struct arena *a, int time, int after, int before)
{
	char b1[16], b2[16];

	if (time >= 0) {
		nlu_format_time(time, b1, sizeof(b1));
		return arena_printf(a, " around %s", b1);
	}
	if (after >= 0 && before >= 0) {
		nlu_format_time(after, b1, sizeof(b1));
		nlu_format_time(before, b2, sizeof(b2));
		return arena_printf(a, " between %s and %s", b1, b2);
	}
	if (after >= 0) {
		nlu_format_time(after, b1, sizeof(b1));
		return arena_printf(a, " after %s", b1);
	}
	if (before >= 0) {
		nlu_format_time(before, b1, sizeof(b1));
		return arena_printf(a, " before %s", b1);
	}
	return "";
}

/* Why the exact time asked for (local day + minute) is not among the
 * slots: "closed" that weekday or date, "before_open", "after_close" (the
 * service would end after closing), "too_soon" (the booking policy's
 * notice) or "taken". NULL when it was offered or no time was asked. The
 * receptionist says this in words before offering the nearest times. */
static json_t *
asked_why(struct ai_turn_ctx *t, struct tz *z, const struct appt_avail_answer *ans,
    int32_t day, int time, const struct cand *c, size_t n)
{
	const struct appt_world *w = ans->world;
	int dur = 0;
	int opens = -1, closes = -1, wd = tz_iso_weekday(day);
	int64_t now_wall = tz_wall(z, t->now);
	const char *why;

	/* A bundle's span: every service with its add-ons. */
	for (size_t i = 0; i < w->n_services; i++) {
		dur += w->avail_services[i].duration_min;
		for (size_t k = 0; k < w->avail_services[i].n_addons; k++)
			dur += w->avail_services[i].addon_min[k];
	}
	for (size_t i = 0; i < n; i++)
		if (c[i].day == day && c[i].minute == time)
			return NULL;
	for (size_t i = 0; i < w->n_hours; i++) {
		if (w->hours[i].weekday != wd)
			continue;
		if (opens < 0 || w->hours[i].start_min < opens)
			opens = w->hours[i].start_min;
		if (w->hours[i].end_min > closes)
			closes = w->hours[i].end_min;
	}
	for (size_t i = 0; i < w->n_closures; i++)
		if (w->closures[i] == day)
			opens = -1;
	if (opens < 0)
		why = "closed";
	else if (time < opens)
		why = "before_open";
	else if (time + dur > closes)
		why = "after_close";
	else if ((int64_t)day * TZ_DAY_S + time * 60 < now_wall + w->settings.min_notice_min * 60)
		why = "too_soon";
	else
		why = "taken";
	return json_pack("{s:s, s:s?, s:s?, s:s?}", "why", why,
	    "opens", opens >= 0 ? hhmm_text(t->ctx->arena, opens) : NULL,
	    "closes", opens >= 0 ? hhmm_text(t->ctx->arena, closes) : NULL,
	    "latest", opens >= 0 && closes - dur >= opens ?
	    hhmm_text(t->ctx->arena, (closes - dur) / 15 * 15) : NULL);
}

static enum status
tool_availability(struct ai_turn_ctx *t, json_t *args, json_t **result, bool *refused)
{
	struct ctx *ctx = t->ctx;
	struct arena *a = ctx->arena;
	struct want wt;
	struct appt_avail_query q;
	struct appt_avail_answer ans;
	struct cand *c = NULL;
	struct tz *z;
	struct db_tx tx;
	struct ai_conv conv;
	json_t *slots, *widget, *offered;
	const char *note = NULL;
	json_t *why;
	int32_t day;
	int days = json_is_integer(json_object_get(args, "days")) ?
	    (int)json_integer_value(json_object_get(args, "days")) : 1;
	int time = hhmm_min(arg(args, "time")), after = hhmm_min(arg(args, "after"));
	int before = hhmm_min(arg(args, "before"));
	size_t n;
	enum status st;

	if (!want_parse(t, args, &wt, result, refused))
		return ST_OK;
	(void)tz_date_parse(arg(args, "date"), &day);
	memset(&q, 0, sizeof(q));
	q.n_items = want_items(a, &wt, q.items);
	q.date = day;
	q.days = days;
	q.staff_id = arg(args, "staff_id") ? lower(a, arg(args, "staff_id")) : NULL;
	if ((st = appt_availability(ctx, &q, &ans)) != ST_OK) {
		if (st == ST_INVALID || st == ST_NOTFOUND || st == ST_FORBIDDEN) {
			*result = api_refusal(t, st, refused);
			return ST_OK;
		}
		return st;
	}
	if ((st = tz_open(a, ans.zone, &z)) != ST_OK)
		return err_set(ctx->err, ST_INTERNAL, "The business's time zone is not usable.");
	n = filter_slots(t, z, &ans, time, after, before, &c);
	/* Owned by the arena: the error paths below need not free it. */
	why = time >= 0 && days == 1 ? ai_keep(a, asked_why(t, z, &ans, day, time, c, n)) : NULL;
	if (n == 0 && days < 7) {
		char dd[48];

		nlu_format_day(day, dd, sizeof(dd));
		q.date = day + days;
		q.days = 7;
		if ((st = appt_availability(ctx, &q, &ans)) != ST_OK) {
			err_clear(ctx->err);
		} else {
			n = filter_slots(t, z, &ans, time, after, before, &c);
			note = n ? arena_printf(a, "Nothing is free on %s%s; these are the next "
			    "openings.", dd, wish_text(a, time, after, before))
			    : arena_printf(a, "Nothing is free on %s%s, nor in the week after.", dd,
			    wish_text(a, time, after, before));
		}
	} else if (n == 0) {
		note = arena_printf(a, "Nothing is free in those %d days%s.", days,
		    wish_text(a, time, after, before));
	}

	slots = json_array();
	widget = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct avail_slot *s = c[i].s;
		const char *staff_id = s->n_services ? s->services[0].staff_id : NULL;
		const char *staff = staff_name_of(&ans, staff_id);
		const char *shrt;
		char date[TZ_DATE_SIZE];
		int32_t dd;
		int mm;
		json_t *sj;

		labels(a, z, s->start, NULL, &shrt, &dd, &mm);
		tz_date_format(dd, date);
		sj = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:i}",
		    "start", s->start_text, "end", s->end_text, "label", shrt, "staff_id", staff_id,
		    "staff", staff, "local_date", date, "local_minute", mm);
		if (wt.n > 1) {
			/* Who does what, and when, in a bundle. */
			json_t *items = json_array();

			for (size_t k = 0; k < s->n_services && k < wt.n; k++) {
				int32_t d2;
				int m2;
				const char *l2;

				labels(a, z, s->services[k].start, NULL, &l2, &d2, &m2);
				json_array_append_new(items, json_pack("{s:s, s:s?, s:s?, s:i}",
				    "service", wt.svc[k]->name, "staff_id", s->services[k].staff_id,
				    "staff", staff_name_of(&ans, s->services[k].staff_id),
				    "local_minute", m2));
			}
			json_object_set_new(sj, "items", items);
		}
		json_array_append_new(slots, sj);
		json_array_append_new(widget, json_pack("{s:s, s:s, s:s, s:s?}", "start",
		    s->start_text, "end", s->end_text, "label", shrt, "staff", staff));
	}
	/* Remember what was offered: only these may be held or booked. */
	if ((st = conv_load(t, &tx, &conv)) != ST_OK) {
		json_decref(slots);
		json_decref(widget);
		return st;
	}
	offered = json_array();
	for (size_t i = 0; i < json_array_size(conv.offered); i++) {
		json_t *o = json_array_get(conv.offered, i);
		bool dup = false;

		for (size_t k = 0; k < n && !dup; k++)
			dup = strcasecmp(offered_key(o) ? offered_key(o) : "", wt.key) == 0 &&
			    json_integer_value(json_object_get(o, "start_utc")) == c[k].s->start;
		if (!dup)
			json_array_append(offered, o);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *sj = json_array_get(slots, i);

		json_array_append_new(offered, json_pack("{s:s, s:s, s:I, s:s, s:s?, s:s?, s:s, s:i}",
		    "service_id", lower(a, wt.svc[0]->id), "key", wt.key,
		    "start_utc", (json_int_t)c[i].s->start,
		    "start", c[i].s->start_text, "staff_id", arg(sj, "staff_id"), "staff",
		    arg(sj, "staff"), "label", arg(sj, "label"), "seq", t->user_seq));
	}
	while (json_array_size(offered) > OFFERED_MAX)
		json_array_remove(offered, 0);
	st = ai_store_set_json(&tx, t->conversation_id, "offered_slots", offered);
	json_decref(offered);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(slots);
		json_decref(widget);
		return st;
	}
	t->slots = ai_keep(a, widget);
	*result = json_pack("{s:s, s:s, s:s, s:o}", "service_id", wt.svc[0]->id, "service",
	    wt.names, "date", arg(args, "date"), "slots", slots);
	if (wt.n > 1 || wt.naddons > 0) {
		json_t *more = want_json(a, &wt);

		json_object_update_missing(*result, more);
		json_decref(more);
	}
	if (note)
		json_object_set_new(*result, "note", json_string(note));
	if (why)
		json_object_set(*result, "asked", why);
	return ST_OK;
}

/* Holds the offered slot o (unless it holds it already). *token is the
 * hold's; ST_OK with *result set when the scheduling API refused. */
static enum status
hold_offered(struct ai_turn_ctx *t, const struct want *w, int64_t start, json_t *o,
    const char **token, json_t **result, bool *refused)
{
	struct appt_hold_in in;
	struct appt_hold_out out;
	struct db_tx tx;
	struct ai_conv conv;
	json_t *offered, *mine;
	enum status st;

	*token = NULL;
	if (arg(o, "hold_token") != NULL &&
	    json_integer_value(json_object_get(o, "hold_expires")) > t->now + 30) {
		*token = arg(o, "hold_token");
		return ST_OK;
	}
	memset(&in, 0, sizeof(in));
	in.n_items = want_items(t->ctx->arena, w, in.items);
	in.start = start;
	in.staff_id = arg(o, "staff_id") ? lower(t->ctx->arena, arg(o, "staff_id")) : NULL;
	if ((st = appt_hold_create(t->ctx, &in, &out)) != ST_OK) {
		if (st == ST_CONFLICT || st == ST_INVALID || st == ST_NOTFOUND || st == ST_FORBIDDEN) {
			*result = api_refusal(t, st, refused);
			json_object_set_new(*result, "error", json_string(
			    "That time is no longer available. Call check_availability again and "
			    "offer the customer another time."));
			return ST_OK;
		}
		return st;
	}
	*token = arena_strdup(t->ctx->arena, out.token);
	/* Keep the token with the offered slot, server-side only. */
	if ((st = conv_load(t, &tx, &conv)) != ST_OK)
		return st;
	offered = json_deep_copy(conv.offered);
	mine = offered_find(offered, w->key, start, arg(o, "staff_id"));
	if (mine != NULL) {
		json_object_set_new(mine, "hold_token", json_string(out.token));
		json_object_set_new(mine, "hold_expires", json_integer(out.expires_at));
	}
	st = ai_store_set_json(&tx, t->conversation_id, "offered_slots", offered);
	json_decref(offered);
	return db_tx_end(&tx, st);
}

/* The offered slot of a call, or a refusal. */
static enum status
offered_for(struct ai_turn_ctx *t, const char *key, const char *start_text,
    const char *staff_id, int64_t *start, json_t **slot, json_t **result, bool *refused)
{
	struct db_tx tx;
	struct ai_conv conv;
	enum status st;

	*slot = NULL;
	if (!appt_parse_rfc3339(start_text, start)) {
		*result = refuse(refused, "start must be an RFC 3339 date-time with offset, as "
		    "check_availability returned it.");
		return ST_OK;
	}
	if ((st = conv_load(t, &tx, &conv)) != ST_OK)
		return st;
	*slot = offered_find(conv.offered, key, *start, staff_id);
	if (*slot != NULL)
		*slot = ai_keep(t->ctx->arena, json_deep_copy(*slot));
	if ((st = db_tx_end(&tx, ST_OK)) != ST_OK)
		return st;
	if (*slot == NULL)
		*result = refuse(refused, "%s", not_offered_msg());
	return ST_OK;
}

static enum status
tool_hold(struct ai_turn_ctx *t, json_t *args, json_t **result, bool *refused)
{
	struct want wt;
	const char *token;
	json_t *slot;
	int64_t start;
	enum status st;

	if (!want_parse(t, args, &wt, result, refused))
		return ST_OK;
	if ((st = offered_for(t, wt.key, arg(args, "start"), arg(args, "staff_id"), &start, &slot,
	    result, refused)) != ST_OK || slot == NULL)
		return st;
	if ((st = hold_offered(t, &wt, start, slot, &token, result, refused)) != ST_OK ||
	    token == NULL)
		return st;
	*result = json_pack("{s:b, s:s, s:s?, s:s}", "held", 1, "start", arg(slot, "start"),
	    "label", arg(slot, "label"), "note", "The time is held for a few minutes.");
	return ST_OK;
}

static json_t *
contact_merge(json_t *old, const char *name, const char *email, const char *phone)
{
	json_t *c = json_is_object(old) ? json_deep_copy(old) : json_object();

	if (name)
		json_object_set_new(c, "name", json_string(name));
	if (email)
		json_object_set_new(c, "email", json_string(email));
	if (phone)
		json_object_set_new(c, "phone", json_string(phone));
	return c;
}

static enum status
save_contact(struct ai_turn_ctx *t, const char *name, const char *email, const char *phone,
    json_t **saved)
{
	struct db_tx tx;
	struct ai_conv conv;
	json_t *c;
	enum status st;

	if ((st = conv_load(t, &tx, &conv)) != ST_OK)
		return st;
	c = contact_merge(conv.contact, name, email, phone);
	st = ai_store_set_json(&tx, t->conversation_id, "contact", c);
	if (saved)
		*saved = ai_keep(t->ctx->arena, json_incref(c));
	json_decref(c);
	return db_tx_end(&tx, st);
}

static const char *
clean_name(struct arena *a, const char *name)
{
	char *n = name ? ai_sanitize_input(a, name) : NULL;

	if (n == NULL || *n == '\0')
		return NULL;
	for (char *p = n; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return n;
}

static enum status
tool_contact(struct ai_turn_ctx *t, json_t *args, json_t **result, bool *refused)
{
	const char *name = clean_name(t->ctx->arena, arg(args, "name"));
	const char *email = arg(args, "email") ? lower(t->ctx->arena, arg(args, "email")) : NULL;
	const char *phone = arg(args, "phone");
	json_t *saved;
	enum status st;

	if (name == NULL && email == NULL && phone == NULL) {
		*result = refuse(refused, "Give at least one of name, email, phone.");
		return ST_OK;
	}
	if ((st = save_contact(t, name, email, phone, &saved)) != ST_OK)
		return st;
	*result = json_pack("{s:O}", "saved", saved);
	return ST_OK;
}

static const char *
who_text(struct arena *a, const char *name, const char *email, const char *phone)
{
	return arena_printf(a, "%s (%s)", name, email ? email : phone);
}

/* Book and join the waitlist for a person: a name and a way to reach
 * them, or a refusal that tells the model to ask. */
static bool
person_ok(const char *name, const char *email, const char *phone, json_t **result,
    bool *refused)
{
	if (name == NULL)
		*result = refuse(refused, "Ask the customer for their name first.");
	else if (email == NULL && phone == NULL)
		*result = refuse(refused, "Ask the customer for an e-mail address or a mobile number "
		    "first.");
	return name != NULL && (email != NULL || phone != NULL);
}

static enum status
tool_book(struct ai_turn_ctx *t, json_t *args, json_t **result, bool *refused)
{
	struct ctx *ctx = t->ctx;
	struct arena *a = ctx->arena;
	struct want wt;
	const char *name = clean_name(a, arg(args, "name"));
	const char *email = arg(args, "email") ? lower(a, arg(args, "email")) : NULL;
	const char *phone = arg(args, "phone"), *staff_id, *token = NULL, *summary, *question;
	json_t *slot, *canon, *proposal;
	enum prop_outcome po;
	int64_t start;
	enum status st;

	if (!want_parse(t, args, &wt, result, refused) ||
	    !person_ok(name, email, phone, result, refused))
		return ST_OK;
	if ((st = offered_for(t, wt.key, arg(args, "start"), arg(args, "staff_id"), &start, &slot,
	    result, refused)) != ST_OK || slot == NULL)
		return st;
	staff_id = arg(args, "staff_id") ? lower(a, arg(args, "staff_id")) : arg(slot, "staff_id");
	canon = ai_keep(a, json_pack("{s:s, s:I, s:s?, s:s, s:s?, s:s?}", "service_id",
	    wt.key, "start_utc", (json_int_t)start, "staff_id", staff_id, "name", name,
	    "email", email, "phone", phone));
	summary = arena_printf(a, "%s on %s%s%s, for %s", wt.names,
	    arena_printf(a, "%s", arg(slot, "label") ? arg(slot, "label") : arg(slot, "start")),
	    arg(slot, "staff") ? " with " : "", arg(slot, "staff") ? arg(slot, "staff") : "",
	    who_text(a, name, email, phone));
	{
		struct tz *z;
		const char *lng = NULL;
		int32_t dd;
		int mm;

		if (tz_open(a, t->tenant->zone, &z) == ST_OK) {
			labels(a, z, start, &lng, NULL, &dd, &mm);
			summary = arena_printf(a, "%s on %s%s%s, for %s", wt.names, lng,
			    arg(slot, "staff") ? " with " : "",
			    arg(slot, "staff") ? arg(slot, "staff") : "", who_text(a, name, email, phone));
		}
		summary = arena_printf(a, "%s, %s in all", summary, ai_money(a, wt.price_minor,
		    wt.svc[0]->currency));
	}
	question = arena_printf(a, "Just to confirm: %s. Shall I book it? Please reply \"yes\" to "
	    "confirm.", summary);
	if ((st = proposal_gate(t, "book", canon, summary, question, NULL, &po, &proposal)) != ST_OK)
		return st;
	if (po == PROP_ASK) {
		/* Keep the time while the customer reads the summary; this also
		 * re-verifies with the scheduling API that it is still free. */
		if ((st = hold_offered(t, &wt, start, slot, &token, result, refused)) != ST_OK)
			return st;
		if (token == NULL) {
			if ((st = clear_proposal(t)) != ST_OK)
				return st;
			return ST_OK;
		}
		*result = ask(t, proposal);
		return ST_OK;
	}

	/* Confirmed: book through the scheduling API, idempotently per
	 * proposal, so a retry can never book twice. */
	{
		struct appt_book_in in;
		struct appt_reply rep;
		json_t *body;
		char *canon_text = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
		struct db_tx tx;
		const char *hold = arg(slot, "hold_token");

		memset(&in, 0, sizeof(in));
		in.n_items = want_items(a, &wt, in.items);
		in.start = start;
		in.staff_id = staff_id;
		in.hold_token = hold && appt_hold_token_ok(hold) ? hold : NULL;
		in.customer.name = name;
		in.customer.email = email;
		in.customer.phone = phone;
		in.notes = arg(args, "notes");
		in.source = "ai";
		in.idem_key = arena_printf(a, "ai-%s-%s", t->conversation_id, arg(proposal, "nonce"));
		in.body = canon_text ? arena_strdup(a, canon_text) : "{}";
		in.body_len = strlen(in.body);
		free(canon_text);
		if ((st = appt_book(ctx, &in, &rep)) != ST_OK)
			return action_refused(t, st, result, refused);
		body = ai_keep(a, json_loads(rep.body ? rep.body : "{}", 0, NULL));
		if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
			return st;
		st = ai_store_set_json(&tx, t->conversation_id, "pending_proposal", NULL);
		if (st == ST_OK)
			st = ai_store_set_customer(&tx, t->conversation_id, email, phone);
		audit_ai(t, &tx, "conversation.booking_made", "booking", arg(body, "id"),
		    json_pack("{s:s?, s:s}", "reference", arg(body, "reference"), "conversation_id",
		    t->conversation_id), &st);
		if ((st = db_tx_end(&tx, st)) != ST_OK)
			return st;
		*result = json_pack("{s:s, s:s?, s:s, s:s?, s:s?, s:s?}", "status", "booked",
		    "reference", arg(body, "reference"), "service", wt.names, "label",
		    arg(slot, "label"), "staff", arg(slot, "staff"), "start", arg(body, "start"));
		log_emit(LOG_INFO, "ai booking made", json_pack("{s:s, s:s, s:s?, s:s?, s:s?}",
		    "request_id", ctx->request_id, "conversation_id", t->conversation_id, "reference",
		    arg(body, "reference"), "email", ai_mask_email(a, email), "phone",
		    ai_mask_phone(a, phone)));
		return ST_OK;
	}
}

/* The waitlist (issue 12) for a service on a day when no offered time
 * suits: like a booking, a proposal the customer confirms, then the same
 * join as the public route's (its checks and rate limit). An e-mail gets
 * the offers by e-mail; a phone alone by text, which the confirmation
 * says, so the customer's yes is their consent. */
static enum status
tool_waitlist(struct ai_turn_ctx *t, json_t *args, json_t **result, bool *refused)
{
	struct arena *a = t->ctx->arena;
	const struct ai_service *svc = find_service(t->tenant, arg(args, "service_id"));
	const char *name = clean_name(a, arg(args, "name"));
	const char *email = arg(args, "email") ? lower(a, arg(args, "email")) : NULL;
	const char *phone = arg(args, "phone");
	const char *part = arg(args, "part_of_day") ? arg(args, "part_of_day") : "any";
	const char *summary, *how;
	struct waitlist_join_in in;
	struct waitlist_joined out;
	json_t *canon, *proposal;
	enum prop_outcome po;
	char day[48];
	int32_t d;
	enum status st;

	if (svc == NULL) {
		*result = refuse(refused, "Unknown service_id; call get_services.");
		return ST_OK;
	}
	if (!person_ok(name, email, phone, result, refused))
		return ST_OK;
	(void)tz_date_parse(arg(args, "date"), &d);
	nlu_format_day(d, day, sizeof(day));
	how = email ? arena_printf(a, "by e-mail at %s", email)
	    : arena_printf(a, "by text message at %s", phone);
	summary = arena_printf(a, "the waitlist for %s on %s%s%s, for %s; we'll tell you %s when "
	    "a time frees up", svc->name, day, strcmp(part, "any") ? " in the " : "",
	    strcmp(part, "any") ? part : "", name, how);
	canon = ai_keep(a, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "service_id",
	    lower(a, svc->id), "date", arg(args, "date"), "part_of_day", part, "name", name,
	    "email", email, "phone", email ? NULL : phone));
	if ((st = proposal_gate(t, "waitlist", canon, summary, arena_printf(a, "Just to confirm: "
	    "shall I put you on %s? Please reply \"yes\" to confirm.", summary), NULL, &po,
	    &proposal)) != ST_OK)
		return st;
	if (po == PROP_ASK) {
		*result = ask(t, proposal);
		return ST_OK;
	}
	memset(&in, 0, sizeof(in));
	in.service_id = lower(a, svc->id);
	in.day = arg(args, "date");
	in.part_of_day = part;
	in.name = name;
	in.email = email;
	in.phone = email ? NULL : phone;
	in.channel = email ? "email" : "sms";
	in.source = "ai";
	in.client = t->client;
	st = waitlist_join(t->ctx, &in, &out);
	if (st == ST_CONFLICT) {
		/* Already waiting: nothing to undo, and nothing wrong either. */
		err_clear(t->ctx->err);
		if ((st = clear_proposal(t)) != ST_OK)
			return st;
		*result = json_pack("{s:s, s:s, s:s, s:s}", "status", "already_waiting", "service",
		    svc->name, "date", arg(args, "date"), "part_of_day", part);
		return ST_OK;
	}
	if (st != ST_OK)
		return action_refused(t, st, result, refused);
	if ((st = clear_proposal(t)) != ST_OK)
		return st;
	*result = json_pack("{s:s, s:s, s:s, s:s, s:s}", "status", "waitlisted", "service",
	    svc->name, "date", arg(args, "date"), "part_of_day", part, "channel", out.channel);
	return ST_OK;
}

/* Reference and the customer's proof, normalised; a refusal otherwise. */
static bool
verification(struct ai_turn_ctx *t, json_t *args, struct appt_verify *v, json_t **result,
    bool *refused)
{
	char ref[APPT_REF_LEN + 1];

	memset(v, 0, sizeof(*v));
	if (!appt_reference_normalize(arg(args, "reference"), ref)) {
		*result = refuse(refused, "That is not a booking reference (6 characters, like K7M4QX).");
		return false;
	}
	if (arg(args, "email") == NULL && arg(args, "phone") == NULL) {
		*result = refuse(refused, "Ask the customer for the e-mail address or phone number the "
		    "booking was made with.");
		return false;
	}
	v->reference = arena_strdup(t->ctx->arena, ref);
	v->email = arg(args, "email") ? lower(t->ctx->arena, arg(args, "email")) : NULL;
	v->phone = arg(args, "phone");
	return true;
}

static json_t *
booking_json(struct ai_turn_ctx *t, const struct appt_shown *s, const char **summary)
{
	struct arena *a = t->ctx->arena;
	const struct appt_view *v = &s->view;
	const char *service = v->n_items ? v->items[0].service_name : NULL;
	const char *staff = v->n_items ? v->items[0].staff_name : NULL;
	const char *lng = "", *shrt = "";
	struct tz *z;
	int32_t dd;
	int mm;

	if (tz_open(a, s->zone, &z) == ST_OK)
		labels(a, z, v->start, &lng, &shrt, &dd, &mm);
	if (summary)
		*summary = arena_printf(a, "%s on %s%s%s (booking %s)", service ? service :
		    "appointment", lng, staff ? " with " : "", staff ? staff : "", v->reference);
	return json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s, s:s?}", "reference", v->reference,
	    "status", v->status, "service_id", v->n_items ? v->items[0].service_id : NULL,
	    "service", service, "label", lng, "short_label", shrt, "staff", staff);
}

/* The booking the customer named and proved is theirs; *ok false when it
 * is refused (*result says why to the model). */
static enum status
verified_booking(struct ai_turn_ctx *t, json_t *args, struct appt_verify *v,
    struct appt_shown *s, json_t **result, bool *refused, bool *ok)
{
	enum status st;

	*ok = false;
	if (!verification(t, args, v, result, refused))
		return ST_OK;
	if ((st = appt_public_get(t->ctx, v, s)) != ST_OK) {
		if (st != ST_NOTFOUND && st != ST_INVALID)
			return st;
		*result = api_refusal(t, st, refused);
		return ST_OK;
	}
	*ok = true;
	return ST_OK;
}

static enum status
tool_get_booking(struct ai_turn_ctx *t, json_t *args, json_t **result, bool *refused)
{
	struct appt_verify v;
	struct appt_shown s;
	bool ok;
	enum status st;

	if ((st = verified_booking(t, args, &v, &s, result, refused, &ok)) != ST_OK || !ok)
		return st;
	*result = booking_json(t, &s, NULL);
	/* The customer proved this contact is theirs. */
	return save_contact(t, NULL, v.email, v.phone, NULL);
}

static enum status
tool_cancel(struct ai_turn_ctx *t, json_t *args, json_t **result, bool *refused)
{
	struct arena *a = t->ctx->arena;
	struct appt_verify v;
	struct appt_shown s;
	const char *summary;
	json_t *canon, *proposal, *shown;
	enum prop_outcome po;
	bool ok;
	enum status st;

	if ((st = verified_booking(t, args, &v, &s, result, refused, &ok)) != ST_OK || !ok)
		return st;
	shown = ai_keep(a, booking_json(t, &s, &summary));
	(void)shown;
	if (strcmp(s.view.status, "CANCELLED") == 0) {
		*result = refuse(refused, "This booking is already cancelled.");
		return ST_OK;
	}
	canon = ai_keep(a, json_pack("{s:s, s:s?, s:s?}", "reference", v.reference, "email",
	    v.email, "phone", v.phone));
	if ((st = proposal_gate(t, "cancel", canon, arena_printf(a, "cancel your %s", summary),
	    arena_printf(a, "Just to confirm: shall I cancel your %s? Please reply \"yes\" to "
	    "confirm.", summary), NULL, &po, &proposal)) != ST_OK)
		return st;
	if (po == PROP_ASK) {
		*result = ask(t, proposal);
		return ST_OK;
	}
	if ((st = appt_public_cancel(t->ctx, &v, arg(args, "reason") ? arg(args, "reason")
	    : "Cancelled by the customer in chat", &s)) != ST_OK)
		return action_refused(t, st, result, refused);
	if ((st = booking_changed(t, "conversation.booking_cancelled", s.view.id, v.reference))
	    != ST_OK)
		return st;
	*result = json_pack("{s:s, s:s}", "status", "cancelled", "reference", v.reference);
	return ST_OK;
}

static enum status
tool_reschedule(struct ai_turn_ctx *t, json_t *args, json_t **result, bool *refused)
{
	struct arena *a = t->ctx->arena;
	struct appt_verify v;
	struct appt_shown s;
	const char *summary, *staff_id, *service_id, *lng = NULL;
	json_t *canon, *proposal, *slot;
	enum prop_outcome po;
	int64_t start;
	bool ok;
	enum status st;

	if ((st = verified_booking(t, args, &v, &s, result, refused, &ok)) != ST_OK || !ok)
		return st;
	ai_keep(a, booking_json(t, &s, &summary));
	service_id = s.view.n_items ? s.view.items[0].service_id : NULL;
	if (service_id == NULL) {
		*result = refuse(refused, "This booking cannot be moved here.");
		return ST_OK;
	}
	if ((st = offered_for(t, service_id, arg(args, "new_start"), arg(args, "staff_id"), &start,
	    &slot, result, refused)) != ST_OK || slot == NULL)
		return st;
	staff_id = arg(args, "staff_id") ? lower(a, arg(args, "staff_id")) : arg(slot, "staff_id");
	{
		struct tz *z;
		int32_t dd;
		int mm;

		if (tz_open(a, s.zone, &z) == ST_OK)
			labels(a, z, start, &lng, NULL, &dd, &mm);
	}
	canon = ai_keep(a, json_pack("{s:s, s:s?, s:s?, s:I, s:s?}", "reference", v.reference,
	    "email", v.email, "phone", v.phone, "new_start_utc", (json_int_t)start, "staff_id",
	    staff_id));
	if ((st = proposal_gate(t, "reschedule", canon, arena_printf(a, "move your %s to %s",
	    summary, lng ? lng : arg(slot, "label")), arena_printf(a, "Just to confirm: shall I move "
	    "your %s to %s? Please reply \"yes\" to confirm.", summary, lng ? lng :
	    arg(slot, "label")), NULL, &po, &proposal)) != ST_OK)
		return st;
	if (po == PROP_ASK) {
		*result = ask(t, proposal);
		return ST_OK;
	}
	if ((st = appt_public_reschedule(t->ctx, &v, start, staff_id, &s)) != ST_OK)
		return action_refused(t, st, result, refused);
	if ((st = booking_changed(t, "conversation.booking_rescheduled", s.view.id, v.reference))
	    != ST_OK)
		return st;
	*result = json_pack("{s:s, s:s, s:s?}", "status", "rescheduled", "reference", v.reference,
	    "label", lng);
	return ST_OK;
}

static enum status
tool_handoff(struct ai_turn_ctx *t, json_t *args, json_t **result, bool *refused)
{
	const char *msg;
	enum status st;

	if (!t->tenant->allow_handoff) {
		*result = refuse(refused, "Handing over to a person is not available for this "
		    "business.");
		return ST_OK;
	}
	if ((st = ai_handoff(t, arg(args, "reason"), &msg)) != ST_OK)
		return st;
	*result = json_pack("{s:s, s:s}", "status", "handed_off", "message", msg);
	return ST_OK;
}

enum status
ai_tool_exec(struct ai_turn_ctx *t, const char *name, json_t *args, json_t **result,
    bool *refused)
{
	*result = NULL;
	*refused = false;
	if (strcmp(name, "get_services") == 0)
		*result = tool_services(t);
	else if (strcmp(name, "get_business_info") == 0)
		*result = tool_business(t);
	else if (strcmp(name, "search_faqs") == 0)
		*result = tool_faqs(t, args);
	else if (strcmp(name, "check_availability") == 0)
		return tool_availability(t, args, result, refused);
	else if (strcmp(name, "hold_slot") == 0)
		return tool_hold(t, args, result, refused);
	else if (strcmp(name, "collect_contact_info") == 0)
		return tool_contact(t, args, result, refused);
	else if (strcmp(name, "book_appointment") == 0)
		return tool_book(t, args, result, refused);
	else if (strcmp(name, "join_waitlist") == 0)
		return tool_waitlist(t, args, result, refused);
	else if (strcmp(name, "get_booking") == 0)
		return tool_get_booking(t, args, result, refused);
	else if (strcmp(name, "cancel_booking") == 0)
		return tool_cancel(t, args, result, refused);
	else if (strcmp(name, "reschedule_booking") == 0)
		return tool_reschedule(t, args, result, refused);
	else if (strcmp(name, "handoff_to_human") == 0)
		return tool_handoff(t, args, result, refused);
	else
		*result = refuse(refused, "There is no such tool.");
	return ST_OK;
}

/* ---- handoff ------------------------------------------------------------------------- */

/* The owner's alert; payload is stolen. */
static enum status
queue_handoff(struct db_tx *tx, const char *recipient, json_t *payload)
{
	enum status st = messages_queue(tx, &(struct message_new){ MESSAGE_EMAIL, recipient,
	    "ai.handoff", payload, NULL, NULL, 0 });

	json_decref(payload);
	return st;
}

enum status
ai_handoff(struct ai_turn_ctx *t, const char *reason, const char **message)
{
	struct ctx *ctx = t->ctx;
	struct arena *a = ctx->arena;
	const char *next = NULL, *recipient = NULL;
	struct db_tx tx;
	struct ai_conv conv;
	bool open = false;
	enum status st;

	ai_open_state(a, t->tenant, t->now, &open, &next);
	if (open)
		*message = "I've passed your conversation to our team — someone will reply here "
		    "shortly.";
	else if (next)
		*message = arena_printf(a, "I've passed your conversation to our team. We're closed "
		    "right now; we're open again %s, and someone will reply here then.", next);
	else
		*message = "I've passed your conversation to our team — someone will reply here as "
		    "soon as possible.";
	if ((st = conv_load(t, &tx, &conv)) != ST_OK)
		return st;
	st = ai_store_set_status(&tx, t->conversation_id, "HANDED_OFF", reason, NULL);
	if (st == ST_OK)
		st = ai_store_set_json(&tx, t->conversation_id, "pending_proposal", NULL);
	if (st == ST_OK)
		st = ai_store_notify_recipient(&tx, &recipient);
	if (st == ST_OK && recipient != NULL)
		st = queue_handoff(&tx, recipient, json_pack("{s:s, s:s, s:s?, s:s?, "
		    "s:s}", "conversation_id", t->conversation_id, "channel", conv.channel, "reason",
		    reason, "customer_name", json_string_value(json_object_get(conv.contact, "name")),
		    "admin_path", arena_printf(a, "/v1/admin/conversations/%s", t->conversation_id)));
	if (st == ST_OK)	/* the team's phones (Web Push) */
		st = push_enqueue(&tx, "handoff", t->conversation_id, NULL);
	audit_ai(t, &tx, "conversation.handed_off", "conversation", t->conversation_id,
	    json_pack("{s:{s:s, s:s}, s:s?, s:b}", "status", "from", conv.status, "to",
	    "HANDED_OFF", "reason", reason, "notified", recipient != NULL), &st);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	t->handed_off = true;
	t->handoff_message = *message;
	if (recipient == NULL)
		log_warn("handoff: tenant has no e-mail to notify (audit row written)");
	return ST_OK;
}
