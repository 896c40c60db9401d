/* reminders_store.h — the reminders module's SQL. */
#ifndef REMINDERS_STORE_H
#define REMINDERS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"
#include "modules/reminders/reminders_rules.h"

struct db_tx;

struct rmd_channel {
	bool enabled;
	int offsets[RMD_MAX_OFFSETS];
	size_t n;
};

struct rmd_settings {
	struct rmd_channel email, sms;
	bool quiet_enabled;
	int quiet_start, quiet_end;	/* minutes since local midnight */
	bool ask_confirmation;
	int version;
	const char *updated_at;		/* NULL: never saved (defaults) */
};

/* The tenant's settings, or the defaults when it never saved any. */
enum status rmd_store_settings_get(struct db_tx *tx, struct rmd_settings *out) MUST_USE;
/* Writes them; if_version >= 0 must match the stored version (0 = none yet). */
enum status rmd_store_settings_put(struct db_tx *tx, const struct rmd_settings *in,
    int if_version) MUST_USE;

struct rmd_plan_args {
	const char *now;		/* RFC 3339, or NULL for the database's clock */
	int horizon_min, late_min, limit;
	const char *scheme, *port, *platform_domain;	/* for confirmation links */
	const char *tenant_id;		/* NULL: every tenant */
};

/* A batch's cursor (NULL: the first) and what it did. */
struct rmd_plan_batch {
	const char *after_at, *after_key;
	long long planned, cancelled, examined;
};

/* One batch of the planner (reminders_plan, 0022): looks at a->limit
 * candidates after io's cursor and moves the cursor past them. */
enum status rmd_store_plan(struct db_tx *tx, const struct rmd_plan_args *a,
    struct rmd_plan_batch *io) MUST_USE;

enum status rmd_store_cancel_booking(struct db_tx *tx, const char *booking_id) MUST_USE;

struct rmd_confirm_row {
	const char *booking_id, *reference, *status;
	int64_t starts_at;
	bool already, started;
};

/* Confirms the booking with this reference whose token hashes to hash_hex
 * (a "\\x…" bytea literal); *found false when none matches. */
enum status rmd_store_confirm_token(struct db_tx *tx, const char *reference,
    const char *hash_hex, struct rmd_confirm_row *out, bool *found) MUST_USE;
/* Confirms the next upcoming active booking of the customer with this phone. */
enum status rmd_store_confirm_phone(struct db_tx *tx, const char *phone,
    struct rmd_confirm_row *out, bool *found) MUST_USE;

#endif
