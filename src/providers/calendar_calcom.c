/* calendar_calcom.c — Cal.com API v2 with the tenant's own API key
 * (bring-your-own account; Cal.com's Platform plan is closed to new
 * sign-ups, seed 001).
 *
 * Wire formats, from cal.com/docs/api-reference/v2:
 *  - every call: "Authorization: Bearer cal_…" and, per endpoint, a
 *    "cal-api-version" header pinning its behaviour (CALCOM_VERSION_*);
 *  - slots: GET /v2/slots?eventTypeId=&start=&end=&timeZone=UTC&format=range
 *    with cal-api-version 2024-09-04 → {"status": "success", "data":
 *    {"2050-09-05": [{"start": "…", "end": "…"}], …}} — the times that can
 *    still be booked; our busy time is the rest of the range
 *    ("Get available time slots for an event type");
 *  - create: POST /v2/bookings, cal-api-version 2024-08-13, {"start" (UTC
 *    ISO 8601 — the API requires UTC), "eventTypeId", "attendee": {"name",
 *    "email", "timeZone", "phoneNumber"}, "metadata"} → 201 {"data":
 *    {"uid", …}} ("Create a booking");
 *  - reschedule: POST /v2/bookings/{uid}/reschedule {"start",
 *    "reschedulingReason"} (2024-08-13) → a new booking with a new "uid";
 *  - cancel: POST /v2/bookings/{uid}/cancel {"cancellationReason"}
 *    (2024-08-13); get: GET /v2/bookings/{uid} → data.status; list: GET
 *    /v2/bookings?eventTypeId=&afterStart=&beforeEnd= ("Get all bookings");
 *  - event type: GET /v2/event-types/{id} with cal-api-version 2024-06-14
 *    (used to validate a key when it is connected);
 *  - webhooks: POST /v2/webhooks {"subscriberUrl", "triggers", "active",
 *    "secret"}; deliveries carry "x-cal-signature-256", the hex
 *    HMAC-SHA256 of the raw body under that secret
 *    (cal.com/docs/developing/guides/automation/webhooks).
 * Rate limit: 120 requests a minute per key (API v2 introduction); the
 * caller's before_request hook spends a token before each request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "providers/calendar_provider.h"

/* Without format=range in the answer, a slot is assumed this long. */
#define SLOT_FALLBACK_S (15 * 60)
#define SLOTS_MAX 20000

static const char *
base(const struct calendar_call *call)
{
	const char *b = call->cfg->calcom_base_url;
	size_t n = strlen(b);

	return n && b[n - 1] == '/' ? arena_printf(call->arena, "%.*s", (int)(n - 1), b) : b;
}

/* One request with the key and the endpoint's version. 401/403 and 429
 * become statuses; other answers are the caller's to judge. */
static enum status
api(struct calendar_call *call, const struct calendar_conn *c, const char *method,
    const char *path, const char *version, json_t *body, struct http_client_response *res)
{
	const char *hdr[3] = { NULL, NULL, NULL };
	enum status st;

	if (call->before_request != NULL && (st = call->before_request(call, "calcom")) != ST_OK)
		return st;
	hdr[0] = arena_printf(call->arena, "authorization: Bearer %s", c->secret);
	if (version != NULL)
		hdr[1] = arena_printf(call->arena, "cal-api-version: %s", version);
	st = calendar_http_json(call, method, arena_printf(call->arena, "%s%s", base(call), path),
	    hdr, body, res);
	if (st != ST_OK)
		return st;
	if (res->status == 401 || res->status == 403)
		return err_set(call->err, ST_UNAUTHENTICATED, "Cal.com refused the API key: %s",
		    calendar_http_error(call->arena, res));
	if (res->status == 429) {
		call->retry_after_s = res->retry_after_s > 0 ? res->retry_after_s : 60;
		if (call->on_rate_limited != NULL)
			call->on_rate_limited(call, "calcom", call->retry_after_s);
		return err_set(call->err, ST_RATE_LIMITED, "Cal.com rate-limited us (retry in %d s)",
		    call->retry_after_s);
	}
	return ST_OK;
}

static enum status
status_error(struct calendar_call *call, const struct http_client_response *res,
    const char *what)
{
	if (res->status == 404)
		return err_set(call->err, ST_NOTFOUND, "Cal.com: %s: not found", what);
	if (res->status >= 400 && res->status < 500)
		return err_set(call->err, ST_INVALID, "Cal.com refused %s: %s", what,
		    calendar_http_error(call->arena, res));
	return err_set(call->err, ST_UPSTREAM, "Cal.com failed %s: %s", what,
	    calendar_http_error(call->arena, res));
}

static bool status_is_gone(const char *s);

static json_t *
data_of(const struct http_client_response *res)
{
	return res->json ? json_object_get(res->json, "data") : NULL;
}

static enum status
calcom_free_busy(struct calendar_call *call, const struct calendar_conn *c, int64_t from,
    int64_t to, struct calendar_ranges *out)
{
	struct http_client_response res;
	struct calendar_ranges free_r = { NULL, 0 };
	size_t cap = 0, count = 0;
	const char *day;
	json_t *slots, *data;
	enum status st;

	out->v = NULL;
	out->n = 0;
	st = api(call, c, "GET", arena_printf(call->arena,
	    "/v2/slots?eventTypeId=%s&start=%s&end=%s&timeZone=UTC&format=range",
	    http_client_escape(call->arena, c->external_ref),
	    http_client_escape(call->arena, calendar_time_format(call->arena, from)),
	    http_client_escape(call->arena, calendar_time_format(call->arena, to))),
	    CALCOM_VERSION_SLOTS, NULL, &res);
	if (st != ST_OK)
		return st;
	if (res.status != 200)
		return status_error(call, &res, "slots");
	if (!json_is_object(data = data_of(&res)))
		return err_set(call->err, ST_UPSTREAM, "Cal.com slots: no data object");
	json_object_foreach(data, day, slots) {
		size_t i;
		json_t *s;

		json_array_foreach(slots, i, s) {
			int64_t a, b;
			const char *end = json_string_value(json_object_get(s, "end"));

			if (++count > SLOTS_MAX)
				return err_set(call->err, ST_UPSTREAM, "Cal.com slots: too many slots");
			if (!calendar_time_parse(json_string_value(json_object_get(s, "start")), &a))
				return err_set(call->err, ST_UPSTREAM, "Cal.com slots: a malformed start");
			if (end == NULL)
				b = a + SLOT_FALLBACK_S;
			else if (!calendar_time_parse(end, &b))
				return err_set(call->err, ST_UPSTREAM, "Cal.com slots: a malformed end");
			calendar_ranges_push(call->arena, &free_r, &cap, a, b);
		}
	}
	/* What Cal.com would not offer is busy to us: other bookings, its
	 * working hours, its connected calendars. */
	calendar_ranges_complement(call->arena, &free_r, from, to, out);
	return ST_OK;
}

/* The booking as Cal.com wants it. A customer known only by phone still
 * needs an attendee e-mail there: a reserved .invalid address that can
 * never receive mail (RFC 2606). */
static json_t *
booking_body(struct calendar_call *call, const struct calendar_conn *c,
    const struct calendar_event *ev)
{
	char *end;
	long long et = strtoll(c->external_ref, &end, 10);
	json_t *attendee, *b;

	attendee = json_pack("{s:s, s:s, s:s}",
	    "name", ev->attendee_name ? ev->attendee_name : "Customer",
	    "email", ev->attendee_email ? ev->attendee_email
	    : arena_printf(call->arena, "booking-%s@no-email.invalid",
	        ev->reference ? ev->reference : "unknown"),
	    "timeZone", ev->time_zone ? ev->time_zone : "UTC");
	if (attendee == NULL)
		return NULL;
	if (ev->attendee_phone != NULL)
		json_object_set_new(attendee, "phoneNumber", json_string(ev->attendee_phone));
	b = json_pack("{s:s, s:I, s:o, s:{s:s, s:s}}",
	    "start", calendar_time_format_ms(call->arena, ev->start),
	    "eventTypeId", (json_int_t)et, "attendee", attendee,
	    "metadata", "rcp_booking_id", ev->booking_id,
	    "rcp_reference", ev->reference ? ev->reference : "");
	if (b != NULL)
		arena_defer(call->arena, (void (*)(void *))json_decref, b);
	return b;
}

static enum status
uid_of_obj(struct calendar_call *call, json_t *obj, const char *what, const char **out)
{
	const char *uid = json_string_value(json_object_get(obj, "uid"));

	if (uid == NULL || uid[0] == '\0' || strlen(uid) > 1024)
		return err_set(call->err, ST_UPSTREAM, "Cal.com %s: no booking uid in the answer", what);
	*out = arena_strdup(call->arena, uid);
	return ST_OK;
}

static enum status
uid_of(struct calendar_call *call, const struct http_client_response *res, const char *what,
    const char **out)
{
	const char *uid = json_string_value(json_object_get(data_of(res), "uid"));

	if (uid == NULL || uid[0] == '\0' || strlen(uid) > 1024)
		return err_set(call->err, ST_UPSTREAM, "Cal.com %s: no booking uid in the answer", what);
	*out = arena_strdup(call->arena, uid);
	return ST_OK;
}

/* Our booking at Cal.com, found by the booking id we put in its metadata:
 * GET /v2/bookings?eventTypeId=&afterStart=&beforeEnd= (2024-08-13).
 * *uid NULL when there is none. */
static enum status
find_ours(struct calendar_call *call, const struct calendar_conn *c,
    const struct calendar_event *ev, const char **uid)
{
	struct http_client_response res;
	json_t *list, *b;
	size_t i;
	enum status st;

	*uid = NULL;
	st = api(call, c, "GET", arena_printf(call->arena,
	    "/v2/bookings?eventTypeId=%s&afterStart=%s&beforeEnd=%s&take=100",
	    http_client_escape(call->arena, c->external_ref),
	    http_client_escape(call->arena, calendar_time_format_ms(call->arena, ev->start - 60)),
	    http_client_escape(call->arena, calendar_time_format_ms(call->arena, ev->start + 86400))),
	    CALCOM_VERSION_BOOKINGS, NULL, &res);
	if (st != ST_OK)
		return st;
	if (res.status != 200)
		return status_error(call, &res, "bookings.list");
	list = data_of(&res);
	json_array_foreach(list, i, b) {
		const char *mine = json_string_value(json_object_get(json_object_get(b, "metadata"),
		    "rcp_booking_id"));
		const char *status = json_string_value(json_object_get(b, "status"));

		if (mine != NULL && strcmp(mine, ev->booking_id) == 0 && !status_is_gone(status))
			return uid_of_obj(call, b, "bookings.list", uid);
	}
	return ST_OK;
}

static enum status
calcom_create(struct calendar_call *call, const struct calendar_conn *c,
    const struct calendar_event *ev, const char **external_id)
{
	json_t *body = booking_body(call, c, ev);
	struct http_client_response res;
	const char *found;
	enum status st;

	if (body == NULL)
		return err_set(call->err, ST_INTERNAL, "cannot shape a Cal.com booking");
	if ((st = api(call, c, "POST", "/v2/bookings", CALCOM_VERSION_BOOKINGS, body, &res)) != ST_OK)
		return st;
	if (res.status == 200 || res.status == 201)
		return uid_of(call, &res, "bookings.create", external_id);
	/* Cal.com has no idempotency key: when an earlier attempt timed out
	 * after Cal.com booked it, this one is refused as a double booking.
	 * The booking carrying our id in its metadata is then ours. */
	if (res.status == 400 || res.status == 409) {
		enum status refused = status_error(call, &res, "bookings.create");

		if (find_ours(call, c, ev, &found) == ST_OK && found != NULL) {
			*external_id = found;
			return ST_OK;
		}
		return err_set(call->err, refused, "Cal.com refused bookings.create: %s",
		    calendar_http_error(call->arena, &res));
	}
	return status_error(call, &res, "bookings.create");
}

/* Cal.com's status of a booking ("accepted", "cancelled", …), or NULL
 * when it does not exist. */
static enum status
booking_status(struct calendar_call *call, const struct calendar_conn *c, const char *uid,
    const char **out)
{
	struct http_client_response res;
	enum status st;

	*out = NULL;
	st = api(call, c, "GET", arena_printf(call->arena, "/v2/bookings/%s",
	    http_client_escape(call->arena, uid)), CALCOM_VERSION_BOOKINGS, NULL, &res);
	if (st != ST_OK)
		return st;
	if (res.status == 404)
		return ST_OK;
	if (res.status != 200)
		return status_error(call, &res, "bookings.get");
	*out = json_string_value(json_object_get(data_of(&res), "status"));
	*out = arena_strdup(call->arena, *out ? *out : "unknown");
	return ST_OK;
}

static bool
status_is_gone(const char *s)
{
	return s == NULL || strcmp(s, "cancelled") == 0 || strcmp(s, "rejected") == 0;
}

static enum status
calcom_update(struct calendar_call *call, const struct calendar_conn *c, const char *id,
    const struct calendar_event *ev, const char **external_id)
{
	json_t *body = json_pack("{s:s, s:s}", "start", calendar_time_format_ms(call->arena,
	    ev->start), "reschedulingReason", "Moved by the business");
	struct http_client_response res;
	const char *now;
	enum status st;

	if (body == NULL)
		return err_set(call->err, ST_INTERNAL, "cannot shape a Cal.com reschedule");
	arena_defer(call->arena, (void (*)(void *))json_decref, body);
	st = api(call, c, "POST", arena_printf(call->arena, "/v2/bookings/%s/reschedule",
	    http_client_escape(call->arena, id)), CALCOM_VERSION_BOOKINGS, body, &res);
	if (st != ST_OK)
		return st;
	if (res.status == 200 || res.status == 201)
		return uid_of(call, &res, "bookings.reschedule", external_id);
	if (res.status == 404)
		return err_set(call->err, ST_NOTFOUND, "Cal.com: the booking is gone");
	/* A cancelled booking cannot be rescheduled (400): that is "gone". */
	if (res.status == 400 && booking_status(call, c, id, &now) == ST_OK && status_is_gone(now))
		return err_set(call->err, ST_NOTFOUND, "Cal.com: the booking was cancelled there");
	return status_error(call, &res, "bookings.reschedule");
}

static enum status
calcom_delete(struct calendar_call *call, const struct calendar_conn *c, const char *id)
{
	json_t *body = json_pack("{s:s}", "cancellationReason", "Cancelled with the business");
	struct http_client_response res;
	const char *now;
	enum status st;

	if (body == NULL)
		return err_set(call->err, ST_INTERNAL, "cannot shape a Cal.com cancel");
	arena_defer(call->arena, (void (*)(void *))json_decref, body);
	st = api(call, c, "POST", arena_printf(call->arena, "/v2/bookings/%s/cancel",
	    http_client_escape(call->arena, id)), CALCOM_VERSION_BOOKINGS, body, &res);
	if (st != ST_OK)
		return st;
	if (res.status == 200 || res.status == 201 || res.status == 404)
		return ST_OK;
	/* Cancelling what is already cancelled is refused with a 400: fine. */
	if (res.status == 400 && booking_status(call, c, id, &now) == ST_OK && status_is_gone(now))
		return ST_OK;
	return status_error(call, &res, "bookings.cancel");
}

static enum status
calcom_gone(struct calendar_call *call, const struct calendar_conn *c, const char *id,
    bool *gone)
{
	const char *now;
	enum status st;

	*gone = false;
	if ((st = booking_status(call, c, id, &now)) != ST_OK)
		return st;
	*gone = status_is_gone(now);
	return ST_OK;
}

static enum status
calcom_validate(struct calendar_call *call, const struct calendar_conn *c)
{
	struct http_client_response res;
	enum status st;

	st = api(call, c, "GET", arena_printf(call->arena, "/v2/event-types/%s",
	    http_client_escape(call->arena, c->external_ref)), CALCOM_VERSION_EVENT_TYPES, NULL,
	    &res);
	if (st != ST_OK)
		return st;
	if (res.status == 404)
		return err_set(call->err, ST_NOTFOUND, "Cal.com has no event type %s for this key",
		    c->external_ref);
	if (res.status != 200)
		return status_error(call, &res, "event-types.get");
	return ST_OK;
}

enum status
calendar_calcom_register_webhook(struct calendar_call *call, const struct calendar_conn *c,
    const char *subscriber_url, const char *secret)
{
	json_t *body = json_pack("{s:s, s:[s, s, s], s:b, s:s}", "subscriberUrl", subscriber_url,
	    "triggers", "BOOKING_CREATED", "BOOKING_CANCELLED", "BOOKING_RESCHEDULED",
	    "active", 1, "secret", secret);
	struct http_client_response res;
	enum status st;

	if (body == NULL)
		return err_set(call->err, ST_INTERNAL, "cannot shape a Cal.com webhook");
	arena_defer(call->arena, (void (*)(void *))json_decref, body);
	if ((st = api(call, c, "POST", "/v2/webhooks", NULL, body, &res)) != ST_OK)
		return st;
	if (res.status != 200 && res.status != 201)
		return status_error(call, &res, "webhooks.create");
	return ST_OK;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool
calendar_calcom_signature_ok(const char *secret, const char *body, size_t len,
    const char *header)
{
	unsigned char want[32], got[32];

	if (secret == NULL || secret[0] == '\0' || header == NULL)
		return false;
	while (*header == ' ')
		header++;
	/* Some senders prefix the algorithm; accept it, never require it. */
	if (strncmp(header, "sha256=", 7) == 0)
		header += 7;
	if (strlen(header) != 64)
		return false;
	for (size_t i = 0; i < 32; i++) {
		int hi = hexval(header[2 * i]), lo = hexval(header[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	sec_hmac_sha256(secret, strlen(secret), body ? body : "", len, want);
	return sec_equal(want, got, 32);
}

const struct calendar_provider calendar_calcom_provider = {
	.name = "calcom",
	.free_busy = calcom_free_busy,
	.create_event = calcom_create,
	.update_event = calcom_update,
	.delete_event = calcom_delete,
	.event_gone = calcom_gone,
	.validate = calcom_validate,
};
