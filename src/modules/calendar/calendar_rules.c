/* calendar_rules.c — the calendar module's rules as pure functions (no
 * database, no network, no clock): the token bucket that keeps us under a
 * provider's rate limit, the signed OAuth state, what a sync must do for a
 * booking, what a Cal.com webhook says, and the busy cache's JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/crypto.h"
#include "modules/calendar/calendar_internal.h"

/* Token bucket -------------------------------------------------------------------- */

void
calendar_bucket_limits(int per_min, double *rate_per_s, double *burst)
{
	double b = floor(per_min / 12.0);

	if (b < 1)
		b = 1;
	if (b > per_min)
		b = per_min;
	/* burst + rate * 60 = per_min: a full bucket spent at once plus a
	 * minute of refill never exceeds the limit in any 60-second window. */
	*burst = b;
	*rate_per_s = (per_min - b) / 60.0;
	if (*rate_per_s <= 0)
		*rate_per_s = 1.0 / 60.0;
}

double
calendar_bucket_take(struct calendar_bucket *b, double now, double rate_per_s, double burst)
{
	if (b->at <= 0) {
		b->tokens = burst;
		b->at = now;
	}
	if (b->blocked_until > now)
		return b->blocked_until - now;
	if (now > b->at) {
		b->tokens += (now - b->at) * rate_per_s;
		if (b->tokens > burst)
			b->tokens = burst;
		b->at = now;
	}
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 0;
	}
	return (1.0 - b->tokens) / rate_per_s;
}

/* OAuth state ----------------------------------------------------------------------- */

static void
state_mac(const unsigned char key[32], const char *msg, char out[SEC_TOKEN_CHARS + 1])
{
	unsigned char mac[32];

	sec_hmac_sha256(key, 32, msg, strlen(msg), mac);
	sec_b64url(mac, 32, out, SEC_TOKEN_CHARS + 1);
}

char *
calendar_state_sign(struct arena *a, const unsigned char key[32], const char *tenant_id,
    const char *nonce, long long expires)
{
	char *msg = arena_printf(a, "%s.%s.%lld", tenant_id, nonce, expires);
	char mac[SEC_TOKEN_CHARS + 1];

	state_mac(key, msg, mac);
	return arena_printf(a, "%s.%s", msg, mac);
}

enum status
calendar_state_verify(struct arena *a, const unsigned char key[32], const char *state,
    long long now, const char **tenant_id, const char **nonce, struct err *e)
{
	char want[SEC_TOKEN_CHARS + 1];
	const char *d1, *d2, *d3;
	char *msg, *end;
	long long exp;

	if (state == NULL || strlen(state) > CALENDAR_STATE_MAX)
		return err_set(e, ST_UNAUTHENTICATED, "state missing or too long");
	if ((d1 = strchr(state, '.')) == NULL || (d2 = strchr(d1 + 1, '.')) == NULL ||
	    (d3 = strchr(d2 + 1, '.')) == NULL || strchr(d3 + 1, '.') != NULL)
		return err_set(e, ST_UNAUTHENTICATED, "state malformed");
	msg = arena_strndup(a, state, (size_t)(d3 - state));
	state_mac(key, msg, want);
	if (strlen(d3 + 1) != SEC_TOKEN_CHARS ||
	    !sec_equal(want, d3 + 1, SEC_TOKEN_CHARS))
		return err_set(e, ST_UNAUTHENTICATED, "state signature wrong");
	exp = strtoll(d2 + 1, &end, 10);
	if (end != d3 || exp <= 0)
		return err_set(e, ST_UNAUTHENTICATED, "state malformed");
	if (now >= exp)
		return err_set(e, ST_UNAUTHENTICATED, "state expired");
	*tenant_id = arena_strndup(a, state, (size_t)(d1 - state));
	*nonce = arena_strndup(a, d1 + 1, (size_t)(d2 - d1 - 1));
	if (!id_is_uuid(*tenant_id) || (*nonce)[0] == '\0')
		return err_set(e, ST_UNAUTHENTICATED, "state malformed");
	return ST_OK;
}

/* Sync decisions --------------------------------------------------------------------- */

enum calendar_sync_action
calendar_sync_decide(bool active, const char *state, bool has_external, int64_t start,
    int64_t end, int64_t synced_start, int64_t synced_end)
{
	/* Deleted on the calendar side: the booking waits for a person; we
	 * neither recreate the event nor touch it. */
	if (state != NULL && strcmp(state, "deleted_remote") == 0)
		return SYNC_NONE;
	if (!active)
		return has_external ? SYNC_DELETE : SYNC_NONE;
	if (!has_external)
		return SYNC_CREATE;
	if (start != synced_start || end != synced_end)
		return SYNC_UPDATE;
	return SYNC_NONE;
}

const char *
calendar_sync_action_name(enum calendar_sync_action a)
{
	switch (a) {
	case SYNC_CREATE: return "create";
	case SYNC_UPDATE: return "update";
	case SYNC_DELETE: return "delete";
	case SYNC_NONE: break;
	}
	return "none";
}

/* Cal.com webhooks ------------------------------------------------------------------- */

static const char *
str_or_null(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL && s[0] != '\0' ? s : NULL;
}

enum status
calendar_calcom_event_parse(json_t *body, struct calendar_calcom_event *out)
{
	json_t *p;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(body) || (out->trigger = str_or_null(body, "triggerEvent")) == NULL ||
	    !json_is_object(p = json_object_get(body, "payload")))
		return ST_INVALID;
	out->uid = str_or_null(p, "uid");
	out->reschedule_uid = str_or_null(p, "rescheduleUid");
	if (out->reschedule_uid == NULL)
		out->reschedule_uid = str_or_null(p, "rescheduledFromUid");
	out->has_start = calendar_time_parse(str_or_null(p, "startTime"), &out->start);
	return ST_OK;
}

/* Busy JSON ---------------------------------------------------------------------------- */

char *
calendar_busy_json(struct arena *a, const struct calendar_ranges *r)
{
	size_t cap = 2 + r->n * 48, len = 0;
	char *s = arena_alloc(a, cap);

	s[len++] = '[';
	for (size_t i = 0; i < r->n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s[%lld,%lld]", i ? "," : "",
		    (long long)r->v[i].start, (long long)r->v[i].end);
	s[len++] = ']';
	s[len] = '\0';
	return s;
}

bool
calendar_busy_parse(struct arena *a, const char *text, struct calendar_ranges *out)
{
	json_error_t jerr;
	json_t *j = text ? json_loads(text, 0, &jerr) : NULL, *p;
	size_t cap = 0, i;
	bool ok = json_is_array(j);

	out->v = NULL;
	out->n = 0;
	json_array_foreach(j, i, p) {
		json_t *s = json_array_get(p, 0), *e = json_array_get(p, 1);

		if (!json_is_integer(s) || !json_is_integer(e)) {
			ok = false;
			break;
		}
		calendar_ranges_push(a, out, &cap, json_integer_value(s), json_integer_value(e));
	}
	json_decref(j);
	return ok;
}
