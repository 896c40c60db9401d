/* appt_rules.h — the booking rules that need no database and no clock:
 * booking references, the policy window, RFC 3339 start times, the status
 * machine, contact formats, hold tokens (what other modules use of them
 * is declared in appointments.h). Pure functions (the clock and randomness come in as arguments or from
 * libsodium), unit-tested in tests/unit/test_appointments_rules.c. */
#ifndef APPOINTMENTS_RULES_H
#define APPOINTMENTS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "modules/appointments/appointments.h"

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

void appt_hold_token_new(char out[APPT_HOLD_TOKEN_SIZE]);
/* Lower-case hex SHA-256 of the token (65 bytes with the NUL). */
void appt_hold_token_hash_hex(const char *token, char out[65]);

#endif
