/* appt_rules.c — pure booking rules (see appt_rules.h). */
#include "modules/appointments/appt_rules.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "core/cursor.h"
#include "core/time.h"

/* References ------------------------------------------------------------- */

void
appt_reference_new(char out[APPT_REF_LEN + 1])
{
	static const char alphabet[] = APPT_REF_ALPHABET;

	for (size_t i = 0; i < APPT_REF_LEN; i++)
		out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof(alphabet) - 1))];
	out[APPT_REF_LEN] = '\0';
}

bool
appt_reference_normalize(const char *in, char out[APPT_REF_LEN + 1])
{
	size_t n = 0;

	if (in == NULL)
		return false;
	while (*in == ' ')
		in++;
	for (; *in && *in != ' '; in++) {
		char c = (char)toupper((unsigned char)*in);

		if (n == APPT_REF_LEN || c == '\0' || strchr(APPT_REF_ALPHABET, c) == NULL)
			return false;
		out[n++] = c;
	}
	while (*in == ' ')
		in++;
	if (*in != '\0' || n != APPT_REF_LEN)
		return false;
	out[n] = '\0';
	return true;
}

/* RFC 3339 --------------------------------------------------------------- */

bool
appt_parse_rfc3339(const char *s, int64_t *out)
{
	int32_t nanos;

	/* Bookings start on whole seconds: a fraction is accepted only when
	 * it is zero ("….000Z" from JavaScript). */
	return time_parse_rfc3339(s, 0, out, &nanos) && nanos == 0 &&
	    *out >= -2208988800;	/* 1900-01-01: nothing earlier is a booking */
}

/* Policy window ---------------------------------------------------------- */

int64_t
appt_policy_deadline(int64_t start, int window_h)
{
	return start - (int64_t)(window_h > 0 ? window_h : 0) * 3600;
}

bool
appt_policy_allows(int64_t now, int64_t start, int window_h)
{
	return now < start && now <= appt_policy_deadline(start, window_h);
}

/* Statuses --------------------------------------------------------------- */

static const char *const status_names[APPT__STATUS_COUNT] = {
	[APPT_PENDING] = "PENDING", [APPT_CONFIRMED] = "CONFIRMED",
	[APPT_IN_PROGRESS] = "IN_PROGRESS", [APPT_COMPLETED] = "COMPLETED",
	[APPT_CANCELLED] = "CANCELLED", [APPT_NO_SHOW] = "NO_SHOW",
};

/* from → to for the status action (rows: from, columns: to). */
static const bool transitions[APPT__STATUS_COUNT][APPT__STATUS_COUNT] = {
	[APPT_PENDING] = { [APPT_CONFIRMED] = true },
	[APPT_CONFIRMED] = { [APPT_IN_PROGRESS] = true, [APPT_COMPLETED] = true,
	    [APPT_NO_SHOW] = true },
	[APPT_IN_PROGRESS] = { [APPT_COMPLETED] = true },
};

bool
appt_status_parse(const char *s, enum appt_status *out)
{
	for (int i = 0; s != NULL && i < APPT__STATUS_COUNT; i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum appt_status)i;
			return true;
		}
	}
	return false;
}

const char *
appt_status_name(enum appt_status s)
{
	return (unsigned)s < APPT__STATUS_COUNT ? status_names[s] : "UNKNOWN";
}

bool
appt_status_transition_ok(enum appt_status from, enum appt_status to)
{
	return (unsigned)from < APPT__STATUS_COUNT && (unsigned)to < APPT__STATUS_COUNT &&
	    transitions[from][to];
}

bool
appt_status_is_active(enum appt_status s)
{
	return s == APPT_PENDING || s == APPT_CONFIRMED;
}

/* Contacts --------------------------------------------------------------- */

/* Hold tokens ------------------------------------------------------------ */

void
appt_hold_token_new(char out[APPT_HOLD_TOKEN_SIZE])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "hold_", 5);
	sodium_bin2base64(out + 5, APPT_HOLD_TOKEN_SIZE - 5, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

bool
appt_hold_token_ok(const char *s)
{
	if (s == NULL || strlen(s) != APPT_HOLD_TOKEN_SIZE - 1 || strncmp(s, "hold_", 5) != 0)
		return false;
	for (const char *p = s + 5; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

void
appt_hold_token_hash_hex(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* TRANSITIONAL wrappers (see appointments.h) ------------------------------ */

char *
appt_lower(struct arena *a, const char *s)
{
	char *o = arena_strdup(a, s);

	for (char *p = o; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return o;
}
