/* calendar_provider.h — the calendar adapters behind one vtable: internal
 * (our own appointments; no external calls), Google Calendar API v3 and
 * Cal.com API v2. The calendar module (src/modules/calendar) decides what
 * to do and when; an adapter only speaks its provider's wire format. No
 * adapter touches the database: credentials come in decrypted, rate limits
 * are asked through a hook, and every call happens outside transactions.
 *
 * Errors, the same for every adapter:
 *   ST_UNAUTHENTICATED  the provider refused our credentials (revoked
 *                       token, deleted API key): the connection needs a
 *                       person, retrying will not help;
 *   ST_NOTFOUND         the event is gone on the provider's side;
 *   ST_RATE_LIMITED     429 (call->retry_after_s says how long) or our own
 *                       token bucket said no;
 *   ST_INVALID          the provider rejected the request as malformed;
 *   ST_UPSTREAM, ST_TIMEOUT  transient: retry later. */
#ifndef PROVIDERS_CALENDAR_PROVIDER_H
#define PROVIDERS_CALENDAR_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/http_client.h"
#include "core/status.h"

/* A half-open UTC range [start, end) in epoch seconds. */
struct calendar_range {
	int64_t start;
	int64_t end;
};

struct calendar_ranges {
	struct calendar_range *v;
	size_t n;
};

/* What an adapter knows of a connection. */
struct calendar_conn {
	const char *tenant_id;
	const char *id;
	const char *provider;		/* "google", "calcom" */
	const char *staff_id;		/* NULL: the business's own calendar */
	const char *external_ref;	/* Google calendar id; Cal.com event type id */
	const char *secret;		/* refresh token / API key (plaintext, wiped with the arena) */
};

/* One call's environment. */
struct calendar_call {
	struct arena *arena;
	const struct config *cfg;
	struct err *err;
	int64_t deadline_ms;		/* CLOCK_MONOTONIC ms; 0 = none beyond the per-call timeouts */
	/* Asked before each request to the provider's API (not its OAuth
	 * token endpoint): ST_OK to go ahead, ST_RATE_LIMITED to give up. */
	enum status (*before_request)(struct calendar_call *call, const char *provider);
	/* Told when the provider answered 429. */
	void (*on_rate_limited)(struct calendar_call *call, const char *provider, int retry_after_s);
	void *ud;
	int retry_after_s;		/* out: from a 429 */
	int requests;			/* out: requests sent to the provider's API */
};

/* A booking as a calendar event. Times are UTC epoch seconds. */
struct calendar_event {
	const char *booking_id;
	const char *reference;		/* the short booking reference */
	const char *summary;		/* "Haircut — Jane Doe" */
	const char *description;	/* may be NULL */
	int64_t start, end;
	const char *time_zone;		/* the tenant's IANA zone */
	const char *attendee_name;
	const char *attendee_email;	/* may be NULL */
	const char *attendee_phone;	/* E.164, may be NULL */
};

struct calendar_provider {
	const char *name;
	/* Busy ranges of the connection's calendar within [from, to), merged
	 * and clipped to it. */
	enum status (*free_busy)(struct calendar_call *call, const struct calendar_conn *c,
	    int64_t from, int64_t to, struct calendar_ranges *out);
	/* Creates the event; *external_id gets the provider's id. Creating the
	 * same booking twice must not make two events where the provider lets
	 * us avoid it (Google: our own event id). */
	enum status (*create_event)(struct calendar_call *call, const struct calendar_conn *c,
	    const struct calendar_event *ev, const char **external_id);
	/* Moves the event; *external_id gets its id afterwards (Cal.com
	 * issues a new uid on reschedule). ST_NOTFOUND when it is gone. */
	enum status (*update_event)(struct calendar_call *call, const struct calendar_conn *c,
	    const char *id, const struct calendar_event *ev, const char **external_id);
	/* Deletes (cancels) it; an event already gone is ST_OK. */
	enum status (*delete_event)(struct calendar_call *call, const struct calendar_conn *c,
	    const char *id);
	/* Whether the event still exists on the calendar (*gone = true when it
	 * was deleted or cancelled there). NULL where webhooks tell us. */
	enum status (*event_gone)(struct calendar_call *call, const struct calendar_conn *c,
	    const char *id, bool *gone);
	/* Checks the credentials (and the calendar / event type) with one
	 * call. */
	enum status (*validate)(struct calendar_call *call, const struct calendar_conn *c);
};

extern const struct calendar_provider calendar_internal_provider;
extern const struct calendar_provider calendar_google_provider;
extern const struct calendar_provider calendar_calcom_provider;

/* The adapter for "internal", "google" or "calcom"; NULL otherwise. */
const struct calendar_provider *calendar_provider_find(const char *name);

/* ---- shared helpers (calendar_common.c) ---------------------------------- */

/* "2025-03-09T14:30:00Z" (seconds precision, always UTC). */
char *calendar_time_format(struct arena *a, int64_t t);
/* The same with milliseconds: "2025-03-09T14:30:00.000Z" (Cal.com's form). */
char *calendar_time_format_ms(struct arena *a, int64_t t);
/* RFC 3339 date-time with Z or ±hh:mm and optional fraction → epoch
 * seconds (fraction dropped). false on anything else. */
bool calendar_time_parse(const char *s, int64_t *out);

/* Sorts and merges overlapping or touching ranges in place; drops empty
 * ones. */
void calendar_ranges_normalize(struct calendar_ranges *r);
/* Keeps the parts of r inside [from, to) (r normalized or not). */
void calendar_ranges_clip(struct calendar_ranges *r, int64_t from, int64_t to);
/* [from, to) minus the union of free (the busy time around free slots). */
void calendar_ranges_complement(struct arena *a, const struct calendar_ranges *free_r,
    int64_t from, int64_t to, struct calendar_ranges *out);
/* r minus the union of cut (both may be unsorted); result normalized. */
void calendar_ranges_subtract(struct arena *a, const struct calendar_ranges *r,
    const struct calendar_ranges *cut, struct calendar_ranges *out);
/* Appends [start, end) to r (arena-grown, capacity doubling). */
void calendar_ranges_push(struct arena *a, struct calendar_ranges *r, size_t *cap,
    int64_t start, int64_t end);

/* Monotonic milliseconds, and the timeout to give one request so it ends
 * before call->deadline_ms (never below 100 ms, never above the configured
 * total). */
int64_t calendar_now_ms(void);
long calendar_call_timeout_ms(const struct calendar_call *call);

/* One JSON request to a provider: sets the timeouts from the call, the
 * content type and accept headers, counts it in call->requests. body may
 * be NULL; extra headers are "name: value" lines, NULL-ended (may be
 * NULL). */
enum status calendar_http_json(struct calendar_call *call, const char *method,
    const char *url, const char *const *extra_headers, json_t *body,
    struct http_client_response *out) MUST_USE;

/* A short, log-safe description of an error response: the status and the
 * provider's error message field if it has one (never the whole body). */
const char *calendar_http_error(struct arena *a, const struct http_client_response *res);

/* ---- Google (calendar_google.c) ---------------------------------------------- */

/* Scopes we ask for: events read/write and free/busy. */
#define CALENDAR_GOOGLE_SCOPES \
	"https://www.googleapis.com/auth/calendar.events " \
	"https://www.googleapis.com/auth/calendar.freebusy"

/* The consent page URL (GOOGLE_OAUTH_BASE_URL/o/oauth2/v2/auth?…) with
 * access_type=offline and prompt=consent, so a refresh token comes back. */
char *calendar_google_authorize_url(struct arena *a, const struct config *cfg,
    const char *redirect_uri, const char *state);
/* Exchanges an authorisation code at GOOGLE_TOKEN_URL; *refresh_token gets
 * the refresh token (ST_UNAUTHENTICATED when Google refuses the code,
 * ST_INVALID when no refresh token came back). */
enum status calendar_google_exchange_code(struct calendar_call *call, const char *code,
    const char *redirect_uri, const char **refresh_token) MUST_USE;
/* Our event id for a booking: "rcp" + the uuid's 32 hex digits — valid
 * base32hex, so a retried insert collides instead of duplicating. */
char *calendar_google_event_id(struct arena *a, const char *booking_id);
/* Forgets cached access tokens of a connection (after it is removed). */
void calendar_google_forget(const char *connection_id);

/* ---- Cal.com (calendar_calcom.c) --------------------------------------------------- */

/* cal-api-version per endpoint, from Cal.com's API v2 reference. */
#define CALCOM_VERSION_SLOTS "2024-09-04"
#define CALCOM_VERSION_BOOKINGS "2024-08-13"
#define CALCOM_VERSION_EVENT_TYPES "2024-06-14"

/* Whether header (x-cal-signature-256) is the lowercase or uppercase hex
 * HMAC-SHA256 of body under secret, compared in constant time. A missing,
 * malformed or wrong header is false. */
bool calendar_calcom_signature_ok(const char *secret, const char *body, size_t len,
    const char *header);
/* Registers our webhook (subscriberUrl, secret, the booking triggers) on
 * the Cal.com account of c. */
enum status calendar_calcom_register_webhook(struct calendar_call *call,
    const struct calendar_conn *c, const char *subscriber_url, const char *secret) MUST_USE;

#endif
