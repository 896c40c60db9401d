/* appt_rules.h — the booking rules that need no database and no clock:
 * booking references, the policy window, RFC 3339 start times, the status
 * machine, contact formats, hold tokens, list cursors and query strings.
 * Pure functions (the clock and randomness come in as arguments or from
 * libsodium), unit-tested in tests/unit/test_appointments_rules.c. */
#ifndef APPOINTMENTS_RULES_H
#define APPOINTMENTS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/* Booking references: six characters a person can read out on the phone
 * without ambiguity (no 0/O, no 1/I/L) — the alphabet of the bookings
 * table's CHECK. 31^6 ≈ 887 million of them per tenant. */
#define APPT_REF_LEN 6
#define APPT_REF_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

/* A fresh random reference (libsodium's uniform generator). */
void appt_reference_new(char out[APPT_REF_LEN + 1]);
/* Accepts what a customer may type (any case, surrounding spaces) and
 * writes the canonical upper-case form; false when it cannot be one. */
bool appt_reference_normalize(const char *in, char out[APPT_REF_LEN + 1]);

/* RFC 3339 date-time with an explicit offset ("Z" or ±hh:mm), seconds
 * required, a fraction allowed only when it is zero (a start is a whole
 * second; silently truncating would book another instant). On success
 * *out is the UTC instant. */
bool appt_parse_rfc3339(const char *s, int64_t *out);

/* The customer policy: cancelling or rescheduling is allowed until
 * window_h hours before the start (0: until the start itself), and never
 * once it has started. */
int64_t appt_policy_deadline(int64_t start, int window_h);
bool appt_policy_allows(int64_t now, int64_t start, int window_h);

/* Booking statuses, in the order of the schema's CHECK. */
enum appt_status {
	APPT_PENDING,
	APPT_CONFIRMED,
	APPT_IN_PROGRESS,
	APPT_COMPLETED,
	APPT_CANCELLED,
	APPT_NO_SHOW,
	APPT__STATUS_COUNT
};

bool appt_status_parse(const char *s, enum appt_status *out);
const char *appt_status_name(enum appt_status s);
/* Whether the admin's status action may move a booking from → to.
 * Cancelling has its own action (it frees the time), so CANCELLED is never
 * a target here; terminal states go nowhere; a status is not a transition
 * to itself. */
bool appt_status_transition_ok(enum appt_status from, enum appt_status to);
/* Whether a booking in s still holds its time and may be moved or
 * cancelled. */
bool appt_status_is_active(enum appt_status s);

/* Contact formats, mirrored by the customers table's CHECKs. */
bool appt_phone_ok(const char *s);	/* E.164: +14155550123 */
bool appt_email_ok(const char *s);	/* one @, no spaces, a dot in the domain */

/* Hold tokens: "hold_" + 43 characters of base64url (32 random bytes).
 * Only their SHA-256 is stored. */
#define APPT_HOLD_TOKEN_SIZE 49		/* 5 + 43 + NUL */
void appt_hold_token_new(char out[APPT_HOLD_TOKEN_SIZE]);
bool appt_hold_token_ok(const char *s);
/* Lower-case hex SHA-256 of the token (65 bytes with the NUL). */
void appt_hold_token_hash_hex(const char *token, char out[65]);

/* Opaque list cursors: base64url of "a|b" (a sort value and an id). */
char *appt_cursor_encode(struct arena *a, const char *sort_value, const char *id);
bool appt_cursor_decode(struct arena *a, const char *cursor, const char **sort_value,
    const char **id);

/* One name=value pair of a query string, percent-decoded. */
struct appt_qparam {
	const char *name;
	const char *value;
};

#define APPT_QPARAMS_MAX 32

/* Splits and decodes query (NULL or empty: no pairs). Returns the number of
 * pairs, or -1 when there are more than max or one is malformed (a bad
 * escape, an embedded NUL). */
int appt_query_parse(struct arena *a, const char *query, struct appt_qparam *out,
    size_t max);

/* Lower-cases a UUID (ids are compared as text downstream). */
char *appt_lower(struct arena *a, const char *s);

#endif
