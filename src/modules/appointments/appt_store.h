/* appt_store.h — the scheduling module's SQL, and only SQL: the loader that
 * gathers an availability input in one read transaction, and the writes of
 * holds, bookings, items, claims and customers. Every function runs in the
 * caller's tenant transaction (RLS scopes every statement); strings point
 * into results owned by the transaction's arena. Ids handed in are
 * validated lower-case UUIDs. */
#ifndef APPOINTMENTS_STORE_H
#define APPOINTMENTS_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "modules/appointments/appointments.h"
#include "modules/appointments/availability.h"

struct db_tx;

struct appt_load_req {
	const struct appt_item_req *items;
	size_t n_items;
	/* Add-ons named for the bundle as a whole (availability and holds):
	 * each goes to the first service of the bundle it belongs to. */
	const char *const *flat_addons;
	size_t n_flat;
	int64_t from, to;		/* UTC instants that can matter */
	int64_t claims_from, claims_to;	/* claims to read (0, 0: from, to) */
	int32_t day_from, day_to;	/* local dates that can matter (closures) */
	const char *exclude_booking_id;	/* a reschedule ignores its own claims */
	const char *exclude_hold_id;	/* a booking ignores the hold it consumes */
	bool with_claims;		/* false only for the test-only pre-check switch */
};

/* The tenant's scheduling configuration (settings, services, add-ons,
 * staff, schedules, time off, resources, hours, closures) as one text, for
 * the service to keep between requests. text NULL: none kept. */
struct appt_config {
	const char *text;
	bool reloaded;		/* out: read from the database (keep it) */
};

/* One claim on a tenant's time as the availability read keeps it: plain
 * bytes, so the service can cache an array of them (the claims of every
 * staff member and resource, not only those the services need: which ones
 * those are is configuration, and a cached array must not depend on it). */
struct appt_claim_row {
	int64_t start, end;		/* UTC, buffers included */
	int64_t expires;		/* a hold's end; 0: never (a booking's) */
	unsigned char staff[16];	/* uuid; all zero: none */
	unsigned char resource[16];	/* uuid; all zero: none */
	int32_t unit;
	int32_t booking;		/* 1: a booking's claim, 0: a hold's */
};

/* The claims of the load window: rows given (from a cache) or read. */
struct appt_claims {
	const struct appt_claim_row *rows;
	size_t n;
	bool read;		/* out: read from the database (cache them) */
};

/* The whole availability input, in the caller's (read) transaction: the
 * claims from claims->rows when given, else from the database (one round
 * trip with the stamp); the rest from cfg while its stamp is still the
 * tenant's, else read again into cfg. Holds that expired since the rows
 * were read are left out. */
enum status appt_store_load(struct db_tx *tx, const struct appt_load_req *q,
    struct appt_config *cfg, struct appt_claims *claims, struct appt_world *out) MUST_USE;

/* Only the settings (zone, policy, …). */
enum status appt_store_settings(struct db_tx *tx, struct appt_settings *out) MUST_USE;

/* Active services with their active add-ons in display order: the body of
 * GET /v1/public/services as JSON text, built by PostgreSQL so it can be
 * cached as it is. */
enum status appt_store_catalog_json(struct db_tx *tx, const char **json) MUST_USE;

/* Holds ------------------------------------------------------------------ */

struct appt_claim {
	const char *staff_id;		/* exactly one of staff_id, resource_id */
	const char *resource_id;
	int unit;
	int64_t start, end;		/* the padded span */
};

struct appt_hold {
	const char *id;
	int64_t start, end;
	bool live;			/* not expired */
	const char *items_json;		/* [{"service_id","addon_ids","staff_id"}] */
};

enum status appt_store_hold_insert(struct db_tx *tx, const char *token_hash_hex,
    int64_t start, int64_t end, int hold_min, const char *items_json, char **id,
    int64_t *expires_at) MUST_USE;
enum status appt_store_hold_find(struct db_tx *tx, const char *token_hash_hex,
    struct appt_hold *out, bool *found) MUST_USE;

/* Claims time for booking_id or hold_id (the other NULL): serialised with
 * every other writer of the same staff members and units; the consumed
 * hold (or NULL), the booking's own old claims when move is set, and
 * expired hold claims in the way removed; then inserted — 23P01 when the
 * time is taken. */
enum status appt_store_claims_insert(struct db_tx *tx, const char *booking_id,
    const char *hold_id, const char *consume_hold_id, bool move,
    const struct appt_claim *c, size_t n) MUST_USE;
enum status appt_store_claims_delete(struct db_tx *tx, const char *booking_id) MUST_USE;

/* Customers -------------------------------------------------------------- */

struct appt_customer {
	const char *id, *name, *email, *phone;
	const char *notes;		/* the business's own, or NULL */
	bool sms_consent;
	int version;
	int64_t created_at, updated_at;
	long n_bookings;
};

/* Finds the tenant's customer by e-mail, then by phone, and refreshes
 * what was given; creates one when neither matches. */
enum status appt_store_customer_upsert(struct db_tx *tx, const struct appt_customer_in *in,
    const char **id) MUST_USE;
enum status appt_store_customer_get(struct db_tx *tx, const char *id,
    struct appt_customer *out, bool *found) MUST_USE;
/* Sets the notes (NULL clears them) if the row is still at version;
 * *updated false otherwise. */
enum status appt_store_customer_set_notes(struct db_tx *tx, const char *id, const char *notes,
    int version, bool *updated) MUST_USE;

struct appt_customer_filter {
	const char *q;			/* substring of name, e-mail or phone */
	const char *cursor_created;	/* keyset: created_at (epoch µs) and id */
	const char *cursor_id;
	int limit;
};
enum status appt_store_customer_list(struct db_tx *tx, const struct appt_customer_filter *f,
    struct appt_customer **out, size_t *n, const char **last_created) MUST_USE;

/* Everything we hold on one customer besides transcripts (the AI module's),
 * as JSON text: the customer row, their bookings with items (latest
 * APPT_EXPORT_BOOKINGS), and the booking mail sent to their e-mail. email
 * and phone are the row's (NULL when absent), to find their transcripts.
 * *found false for no such (live) customer. */
#define APPT_EXPORT_BOOKINGS 5000
struct appt_export_rows {
	json_t *customer, *bookings, *notifications;
	const char *email, *phone;
};
enum status appt_store_customer_export(struct db_tx *tx, const char *id,
    struct appt_export_rows *out, bool *found) MUST_USE;
/* Anonymises the customer in place (name replaced, e-mail, phone and SMS
 * consent cleared, erased_at set), clears their bookings' notes and
 * cancellation reasons, and deletes booking mail to email. Counts what
 * changed: a second erasure changes nothing. */
struct appt_erase_counts {
	long long customer, bookings_cleared, bookings_kept, notifications;
};
enum status appt_store_customer_erase(struct db_tx *tx, const char *id, const char *email,
    struct appt_erase_counts *out) MUST_USE;

/* Bookings --------------------------------------------------------------- */

struct appt_item_new {
	const char *service_id, *staff_id;
	const char **addon_ids;
	size_t n_addons;
	int64_t start, end;
	int price_minor;
};

struct appt_booking_new {
	const char *customer_id, *status, *source, *notes, *currency;
	int64_t start, end;
	long total_minor;
	const struct appt_item_new *items;
	size_t n_items;
};

/* Inserts the booking and its items under a fresh reference (retried
 * until unique). */
enum status appt_store_booking_insert(struct db_tx *tx, const struct appt_booking_new *in,
    const char **id, const char **reference, int *version, int64_t *created_at) MUST_USE;

/* Bookings created this calendar month in the tenant's zone (including
 * the transaction's own). When lock is set, takes the tenant's
 * transaction-level booking lock first, so concurrent bookings cannot both
 * pass the plan limit. */
enum status appt_store_month_count(struct db_tx *tx, const char *zone, bool lock,
    long *n, int64_t *month_start, int64_t *month_end) MUST_USE;

/* One booking by reference whose customer has this e-mail or phone. */
enum status appt_store_booking_by_ref(struct db_tx *tx, const char *reference,
    const char *email, const char *phone, bool for_update, struct appt_view *out,
    bool *found) MUST_USE;
/* One booking by id; staff_user_id (when not NULL) narrows to bookings with
 * an item performed by the staff member linked to that login. */
enum status appt_store_booking_by_id(struct db_tx *tx, const char *id,
    const char *staff_user_id, bool for_update, struct appt_view *out,
    bool *found) MUST_USE;

struct appt_booking_filter {
	int64_t from, to;		/* starts in [from, to); 0 = open */
	bool has_from, has_to;
	const char *status;
	const char *staff_id;
	const char *customer_id;
	const char *service_id;		/* has an item of this service */
	const char *source;
	const char *q;			/* customer name, e-mail, phone or reference */
	const char *needs_review;	/* "true" / "false" / NULL */
	const char *staff_user_id;	/* STAFF callers */
	const char *cursor_start;	/* keyset: starts_at (epoch) and id */
	const char *cursor_id;
	bool newest_first;		/* a customer's history */
	int limit;
};
enum status appt_store_booking_list(struct db_tx *tx, const struct appt_booking_filter *f,
    struct appt_view **out, size_t *n) MUST_USE;

/* Moves a booking: new times for it and each item (by position). */
enum status appt_store_booking_move(struct db_tx *tx, const char *id, int64_t start,
    int64_t end, const struct appt_item_new *items, size_t n, int *version) MUST_USE;
enum status appt_store_booking_cancel(struct db_tx *tx, const char *id, const char *reason,
    int *version) MUST_USE;
enum status appt_store_booking_set_status(struct db_tx *tx, const char *id,
    const char *status, int *version) MUST_USE;

/* For the notification job: the booking's contact and what to say. */
struct appt_notice {
	const char *reference, *email, *name, *business, *zone, *status;
	int64_t start, end, version;
	const char *sms_phone;		/* the phone when the customer consented to texts */
	const char *service, *staff_id;	/* of the first item */
};
enum status appt_store_notice(struct db_tx *tx, const char *booking_id,
    struct appt_notice *out, bool *found) MUST_USE;

#endif
