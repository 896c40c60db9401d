/* calendar_google.c — Google Calendar API v3 over OAuth 2.0.
 *
 * Wire formats, from Google's references:
 *  - consent: GET {GOOGLE_OAUTH_BASE_URL}/o/oauth2/v2/auth with client_id,
 *    redirect_uri, response_type=code, scope, access_type=offline,
 *    prompt=consent, state ("Using OAuth 2.0 for Web Server
 *    Applications", developers.google.com/identity/protocols/oauth2/web-server);
 *  - token endpoint: POST {GOOGLE_TOKEN_URL} (https://oauth2.googleapis.com/token),
 *    application/x-www-form-urlencoded: grant_type=authorization_code with
 *    code + redirect_uri, or grant_type=refresh_token with refresh_token;
 *    both with client_id + client_secret. Answers {"access_token",
 *    "expires_in", "refresh_token" (first exchange only), …}; a revoked
 *    grant answers 400 {"error": "invalid_grant"};
 *  - freeBusy.query: POST {base}/freeBusy {"timeMin", "timeMax",
 *    "timeZone", "items": [{"id"}]} → {"calendars": {id: {"busy": [{"start",
 *    "end"}], "errors": [...]}}} (developers.google.com/calendar/api/v3/reference/freebusy/query);
 *  - events.insert POST {base}/calendars/{calendarId}/events, events.patch
 *    PATCH …/events/{eventId}, events.delete DELETE …/events/{eventId}
 *    (204; 410 Gone once deleted), events.get GET …/events/{eventId}
 *    (a deleted event may come back with "status": "cancelled").
 *    A client-chosen event id must be base32hex (a-v, 0-9), 5–1024
 *    characters, unique per calendar (Event.id in the events reference);
 *    inserting an id that exists answers 409.
 * Access tokens live an hour; they are cached per connection in-process
 * (keyed also by a hash of the refresh token, so a reconnected account
 * never gets the old account's token) and refreshed on expiry or on a
 * 401. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/crypto.h"
#include "providers/calendar_provider.h"

/* Access-token cache ---------------------------------------------------------------- */

#define TOKEN_CACHE_SLOTS 256
#define TOKEN_MAX 2048

struct token_slot {
	char conn[37];
	unsigned char secret_hash[8];
	char token[TOKEN_MAX];
	time_t expires;
	time_t used;
};

static struct token_slot token_cache[TOKEN_CACHE_SLOTS];
static pthread_mutex_t token_mu = PTHREAD_MUTEX_INITIALIZER;

static void
secret_hash(const char *secret, unsigned char out[8])
{
	unsigned char h[32];

	sec_sha256(secret, h);
	memcpy(out, h, 8);
}

static char *
cache_get(struct arena *a, const struct calendar_conn *c)
{
	unsigned char h[8];
	char *out = NULL;
	time_t now = time(NULL);

	secret_hash(c->secret, h);
	pthread_mutex_lock(&token_mu);
	for (size_t i = 0; i < TOKEN_CACHE_SLOTS; i++) {
		struct token_slot *s = &token_cache[i];

		/* A minute of margin: a token must not expire mid-request. */
		if (strcmp(s->conn, c->id) == 0 && memcmp(s->secret_hash, h, 8) == 0 &&
		    s->expires > now + 60) {
			out = arena_strdup(a, s->token);
			s->used = now;
			break;
		}
	}
	pthread_mutex_unlock(&token_mu);
	return out;
}

static void
cache_put(const struct calendar_conn *c, const char *token, long expires_in)
{
	struct token_slot *victim = NULL;
	time_t now = time(NULL);

	if (strlen(token) >= TOKEN_MAX || strlen(c->id) >= sizeof(victim->conn))
		return;
	pthread_mutex_lock(&token_mu);
	for (size_t i = 0; i < TOKEN_CACHE_SLOTS; i++) {
		struct token_slot *s = &token_cache[i];

		if (strcmp(s->conn, c->id) == 0) {
			victim = s;
			break;
		}
		if (victim == NULL || s->used < victim->used)
			victim = s;
	}
	snprintf(victim->conn, sizeof(victim->conn), "%s", c->id);
	secret_hash(c->secret, victim->secret_hash);
	snprintf(victim->token, sizeof(victim->token), "%s", token);
	victim->expires = now + (expires_in > 0 ? expires_in : 3600);
	victim->used = now;
	pthread_mutex_unlock(&token_mu);
}

void
calendar_google_forget(const char *connection_id)
{
	pthread_mutex_lock(&token_mu);
	for (size_t i = 0; i < TOKEN_CACHE_SLOTS; i++)
		if (strcmp(token_cache[i].conn, connection_id) == 0)
			memset(&token_cache[i], 0, sizeof(token_cache[i]));
	pthread_mutex_unlock(&token_mu);
}

/* OAuth ------------------------------------------------------------------------------- */

char *
calendar_google_authorize_url(struct arena *a, const struct config *cfg,
    const char *redirect_uri, const char *state)
{
	const char *kv[] = {
		"client_id", cfg->google_client_id ? cfg->google_client_id : "",
		"redirect_uri", redirect_uri,
		"response_type", "code",
		"scope", CALENDAR_GOOGLE_SCOPES,
		/* offline + consent: Google returns a refresh token every time,
		 * also to an account that connected before. */
		"access_type", "offline",
		"prompt", "consent",
		"include_granted_scopes", "true",
		"state", state,
		NULL,
	};
	const char *base = cfg->google_oauth_base_url;
	size_t n = strlen(base);

	return arena_printf(a, "%.*s/o/oauth2/v2/auth?%s", (int)(n && base[n - 1] == '/' ? n - 1 : n),
	    base, http_client_form(a, kv));
}

/* POSTs a form to the token endpoint. */
static enum status
token_request(struct calendar_call *call, const char *const *kv,
    struct http_client_response *res)
{
	struct http_client_request req = { .method = "POST", .url = call->cfg->google_token_url };
	char *form = http_client_form(call->arena, kv);

	req.body = form;
	req.body_len = strlen(form);
	req.connect_timeout_ms = call->cfg->calendar_connect_timeout_ms;
	req.timeout_ms = calendar_call_timeout_ms(call);
	http_client_header(call->arena, &req, "content-type", "application/x-www-form-urlencoded");
	http_client_header(call->arena, &req, "accept", "application/json");
	return http_client_do(call->arena, &req, res, call->err);
}

/* A refused grant (revoked, expired, wrong client) is the connection's
 * problem, not a transient one. */
static enum status
token_error(struct calendar_call *call, const struct http_client_response *res, const char *what)
{
	const char *code = res->json ? json_string_value(json_object_get(res->json, "error")) : NULL;

	if (res->status == 400 || res->status == 401) {
		if (code != NULL && (strcmp(code, "invalid_grant") == 0 ||
		    strcmp(code, "invalid_client") == 0 || strcmp(code, "unauthorized_client") == 0))
			return err_set(call->err, ST_UNAUTHENTICATED, "Google refused the %s (%s)",
			    what, code);
		return err_set(call->err, ST_INVALID, "Google refused the %s: %s", what,
		    calendar_http_error(call->arena, res));
	}
	if (res->status == 429)
		return err_set(call->err, ST_RATE_LIMITED, "Google rate-limited the %s", what);
	return err_set(call->err, ST_UPSTREAM, "Google's token endpoint failed: %s",
	    calendar_http_error(call->arena, res));
}

enum status
calendar_google_exchange_code(struct calendar_call *call, const char *code,
    const char *redirect_uri, const char **refresh_token)
{
	const char *kv[] = {
		"grant_type", "authorization_code",
		"code", code,
		"redirect_uri", redirect_uri,
		"client_id", call->cfg->google_client_id,
		"client_secret", call->cfg->google_client_secret,
		NULL,
	};
	struct http_client_response res;
	const char *rt;
	enum status st;

	if (call->cfg->google_client_id == NULL || call->cfg->google_client_secret == NULL)
		return err_set(call->err, ST_UNAVAILABLE, "Google Calendar is not configured");
	if ((st = token_request(call, kv, &res)) != ST_OK)
		return st;
	if (res.status != 200)
		return token_error(call, &res, "authorisation code");
	rt = res.json ? json_string_value(json_object_get(res.json, "refresh_token")) : NULL;
	if (rt == NULL || rt[0] == '\0')
		return err_set(call->err, ST_INVALID, "Google returned no refresh token");
	*refresh_token = arena_strdup(call->arena, rt);
	return ST_OK;
}

static enum status
access_token(struct calendar_call *call, const struct calendar_conn *c, bool force,
    const char **out)
{
	const char *kv[] = {
		"grant_type", "refresh_token",
		"refresh_token", c->secret,
		"client_id", call->cfg->google_client_id,
		"client_secret", call->cfg->google_client_secret,
		NULL,
	};
	struct http_client_response res;
	const char *tok;
	enum status st;

	if (!force && (*out = cache_get(call->arena, c)) != NULL)
		return ST_OK;
	if (call->cfg->google_client_id == NULL || call->cfg->google_client_secret == NULL)
		return err_set(call->err, ST_UNAVAILABLE, "Google Calendar is not configured");
	if ((st = token_request(call, kv, &res)) != ST_OK)
		return st;
	if (res.status != 200)
		return token_error(call, &res, "refresh token");
	tok = res.json ? json_string_value(json_object_get(res.json, "access_token")) : NULL;
	if (tok == NULL || tok[0] == '\0')
		return err_set(call->err, ST_UPSTREAM, "Google's token endpoint returned no access token");
	cache_put(c, tok, (long)json_integer_value(json_object_get(res.json, "expires_in")));
	*out = arena_strdup(call->arena, tok);
	return ST_OK;
}

/* The API ------------------------------------------------------------------------------ */

static const char *
api_base(const struct calendar_call *call)
{
	const char *b = call->cfg->google_calendar_base_url;
	size_t n = strlen(b);

	return n && b[n - 1] == '/' ? arena_printf(call->arena, "%.*s", (int)(n - 1), b) : b;
}

static char *
events_url(struct calendar_call *call, const struct calendar_conn *c, const char *event_id)
{
	char *u = arena_printf(call->arena, "%s/calendars/%s/events", api_base(call),
	    http_client_escape(call->arena, c->external_ref));

	if (event_id != NULL)
		u = arena_printf(call->arena, "%s/%s", u, http_client_escape(call->arena, event_id));
	return u;
}

/* Whether a 403 is Google's way of saying "slow down" (usageLimits). */
static bool
rate_limited_403(const struct http_client_response *res)
{
	json_t *errs = res->json ? json_object_get(json_object_get(res->json, "error"), "errors")
	    : NULL;
	size_t i;
	json_t *e;

	json_array_foreach(errs, i, e) {
		const char *r = json_string_value(json_object_get(e, "reason"));

		if (r != NULL && (strcmp(r, "rateLimitExceeded") == 0 ||
		    strcmp(r, "userRateLimitExceeded") == 0 || strcmp(r, "quotaExceeded") == 0))
			return true;
	}
	return false;
}

/* One authenticated request; a 401 refreshes the access token once and
 * tries again. On ST_OK, res holds a response whose status the caller
 * judges, except 401 and 429 which are turned into statuses here. */
static enum status
api(struct calendar_call *call, const struct calendar_conn *c, const char *method,
    const char *url, json_t *body, struct http_client_response *res)
{
	const char *tok;
	enum status st;

	for (int attempt = 0; attempt < 2; attempt++) {
		const char *hdr[2] = { NULL, NULL };

		if ((st = access_token(call, c, attempt > 0, &tok)) != ST_OK)
			return st;
		if (call->before_request != NULL &&
		    (st = call->before_request(call, "google")) != ST_OK)
			return st;
		hdr[0] = arena_printf(call->arena, "authorization: Bearer %s", tok);
		if ((st = calendar_http_json(call, method, url, hdr, body, res)) != ST_OK)
			return st;
		if (res->status != 401)
			break;
	}
	if (res->status == 401)
		return err_set(call->err, ST_UNAUTHENTICATED, "Google refused our access token");
	if (res->status == 429 || (res->status == 403 && rate_limited_403(res))) {
		call->retry_after_s = res->retry_after_s > 0 ? res->retry_after_s : 30;
		if (call->on_rate_limited != NULL)
			call->on_rate_limited(call, "google", call->retry_after_s);
		return err_set(call->err, ST_RATE_LIMITED, "Google rate-limited us");
	}
	if (res->status == 403)
		return err_set(call->err, ST_UNAUTHENTICATED, "Google denied access to the calendar: %s",
		    calendar_http_error(call->arena, res));
	return ST_OK;
}

static enum status
status_error(struct calendar_call *call, const struct http_client_response *res,
    const char *what)
{
	if (res->status == 404 || res->status == 410)
		return err_set(call->err, ST_NOTFOUND, "Google: %s: not found", what);
	if (res->status >= 400 && res->status < 500)
		return err_set(call->err, ST_INVALID, "Google refused %s: %s", what,
		    calendar_http_error(call->arena, res));
	return err_set(call->err, ST_UPSTREAM, "Google failed %s: %s", what,
	    calendar_http_error(call->arena, res));
}

static enum status
google_free_busy(struct calendar_call *call, const struct calendar_conn *c, int64_t from,
    int64_t to, struct calendar_ranges *out)
{
	json_t *req = json_pack("{s:s, s:s, s:s, s:[{s:s}]}",
	    "timeMin", calendar_time_format(call->arena, from),
	    "timeMax", calendar_time_format(call->arena, to),
	    "timeZone", "UTC", "items", "id", c->external_ref);
	struct http_client_response res;
	json_t *cals, *cal, *busy, *b, *errs;
	size_t cap = 0, i;
	enum status st;

	arena_defer(call->arena, (void (*)(void *))json_decref, req);
	out->v = NULL;
	out->n = 0;
	st = api(call, c, "POST", arena_printf(call->arena, "%s/freeBusy", api_base(call)), req,
	    &res);
	if (st != ST_OK)
		return st;
	if (res.status != 200)
		return status_error(call, &res, "freeBusy");
	cals = res.json ? json_object_get(res.json, "calendars") : NULL;
	/* The answer is keyed by the id we asked for; with a single calendar
	 * asked, its only entry is ours whatever the key. */
	cal = json_object_get(cals, c->external_ref);
	if (cal == NULL && json_object_size(cals) == 1) {
		void *it = json_object_iter(cals);

		cal = json_object_iter_value(it);
	}
	if (!json_is_object(cal))
		return err_set(call->err, ST_UPSTREAM, "Google freeBusy: no answer for the calendar");
	errs = json_object_get(cal, "errors");
	if (json_array_size(errs) > 0) {
		const char *reason = json_string_value(json_object_get(json_array_get(errs, 0),
		    "reason"));

		return err_set(call->err, reason && strcmp(reason, "notFound") == 0 ? ST_NOTFOUND
		    : ST_UPSTREAM, "Google freeBusy: %s", reason ? reason : "error");
	}
	busy = json_object_get(cal, "busy");
	json_array_foreach(busy, i, b) {
		int64_t s, e;

		if (!calendar_time_parse(json_string_value(json_object_get(b, "start")), &s) ||
		    !calendar_time_parse(json_string_value(json_object_get(b, "end")), &e))
			return err_set(call->err, ST_UPSTREAM, "Google freeBusy: a malformed busy range");
		calendar_ranges_push(call->arena, out, &cap, s, e);
	}
	calendar_ranges_normalize(out);
	calendar_ranges_clip(out, from, to);
	return ST_OK;
}

char *
calendar_google_event_id(struct arena *a, const char *booking_id)
{
	char *out = arena_alloc(a, 3 + 32 + 1), *o = out + 3;

	memcpy(out, "rcp", 3);
	for (const char *p = booking_id; *p && o < out + 35; p++)
		if (*p != '-')
			*o++ = (char)((*p >= 'A' && *p <= 'F') ? *p - 'A' + 'a' : *p);
	*o = '\0';
	return out;
}

/* The event resource we write: times in UTC with the tenant's zone for
 * display, the booking named in private extended properties so anyone
 * (and our reconciliation) can tell our events apart. No attendees: Google
 * would e-mail the customer, which is our notifications' job. */
static json_t *
event_body(struct calendar_call *call, const struct calendar_event *ev, const char *id)
{
	json_t *b = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:{s:s, s:s}}}",
	    "summary", ev->summary,
	    "start", "dateTime", calendar_time_format(call->arena, ev->start),
	    "timeZone", ev->time_zone ? ev->time_zone : "UTC",
	    "end", "dateTime", calendar_time_format(call->arena, ev->end),
	    "timeZone", ev->time_zone ? ev->time_zone : "UTC",
	    "extendedProperties", "private", "rcp_booking_id", ev->booking_id,
	    "rcp_reference", ev->reference ? ev->reference : "");

	if (b == NULL)
		return NULL;
	if (id != NULL)
		json_object_set_new(b, "id", json_string(id));
	if (ev->description != NULL)
		json_object_set_new(b, "description", json_string(ev->description));
	arena_defer(call->arena, (void (*)(void *))json_decref, b);
	return b;
}

static bool
is_cancelled(const struct http_client_response *res)
{
	const char *s = res->json ? json_string_value(json_object_get(res->json, "status")) : NULL;

	return s != NULL && strcmp(s, "cancelled") == 0;
}

static enum status
google_update(struct calendar_call *call, const struct calendar_conn *c, const char *id,
    const struct calendar_event *ev, const char **external_id)
{
	json_t *body = event_body(call, ev, NULL);
	struct http_client_response res;
	enum status st;

	if (body == NULL)
		return err_set(call->err, ST_INTERNAL, "cannot shape a Google event");
	if ((st = api(call, c, "PATCH", events_url(call, c, id), body, &res)) != ST_OK)
		return st;
	if (res.status != 200)
		return status_error(call, &res, "events.patch");
	/* A patch leaves a deleted event deleted (we never send "status"). */
	if (is_cancelled(&res))
		return err_set(call->err, ST_NOTFOUND, "Google: the event was deleted on the calendar");
	*external_id = id;
	return ST_OK;
}

static enum status
google_create(struct calendar_call *call, const struct calendar_conn *c,
    const struct calendar_event *ev, const char **external_id)
{
	char *id = calendar_google_event_id(call->arena, ev->booking_id);
	json_t *body = event_body(call, ev, id);
	struct http_client_response res;
	const char *got;
	enum status st;

	if (body == NULL)
		return err_set(call->err, ST_INTERNAL, "cannot shape a Google event");
	if ((st = api(call, c, "POST", events_url(call, c, NULL), body, &res)) != ST_OK)
		return st;
	/* 409: our id exists — an earlier attempt got through before it timed
	 * out. Make sure it holds the current times. */
	if (res.status == 409)
		return google_update(call, c, id, ev, external_id);
	if (res.status != 200 && res.status != 201)
		return status_error(call, &res, "events.insert");
	got = res.json ? json_string_value(json_object_get(res.json, "id")) : NULL;
	*external_id = arena_strdup(call->arena, got ? got : id);
	return ST_OK;
}

static enum status
google_delete(struct calendar_call *call, const struct calendar_conn *c, const char *id)
{
	struct http_client_response res;
	enum status st;

	if ((st = api(call, c, "DELETE", events_url(call, c, id), NULL, &res)) != ST_OK)
		return st;
	if (res.status == 200 || res.status == 204 || res.status == 404 || res.status == 410)
		return ST_OK;
	return status_error(call, &res, "events.delete");
}

static enum status
google_gone(struct calendar_call *call, const struct calendar_conn *c, const char *id,
    bool *gone)
{
	struct http_client_response res;
	enum status st;

	*gone = false;
	if ((st = api(call, c, "GET", events_url(call, c, id), NULL, &res)) != ST_OK)
		return st;
	if (res.status == 404 || res.status == 410) {
		*gone = true;
		return ST_OK;
	}
	if (res.status != 200)
		return status_error(call, &res, "events.get");
	*gone = is_cancelled(&res);
	return ST_OK;
}

/* One freeBusy over the next hour proves the token, the scope and the
 * calendar id together. */
static enum status
google_validate(struct calendar_call *call, const struct calendar_conn *c)
{
	struct calendar_ranges r;
	int64_t now = (int64_t)time(NULL);

	return google_free_busy(call, c, now, now + 3600, &r);
}

const struct calendar_provider calendar_google_provider = {
	.name = "google",
	.free_busy = google_free_busy,
	.create_event = google_create,
	.update_event = google_update,
	.delete_event = google_delete,
	.event_gone = google_gone,
	.validate = google_validate,
};
