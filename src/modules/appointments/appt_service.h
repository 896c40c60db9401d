/* appt_service.h — the scheduling rules between the HTTP edge and the SQL:
 * availability, holds, bookings (public and admin), cancel, reschedule,
 * status changes, customers and usage. Each call reads in one transaction,
 * releases it before asking the calendars (an outbound call), decides with
 * the availability engine, then writes in a second transaction that the
 * database's exclusion constraints have the last word on. Errors are set
 * on r->err with the request field they concern. */
#ifndef APPOINTMENTS_SERVICE_H
#define APPOINTMENTS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "modules/appointments/appt_rules.h"
#include "modules/appointments/appt_store.h"
#include "modules/appointments/availability.h"

/* A service of a bundle as the caller named it, with the request fields
 * to blame when it is not bookable. */
struct appt_item_in {
	struct appt_item_req req;
	const char *field;		/* "service_id", "services[1].service_id" */
	const char *addon_field;	/* "addon_ids", "services[1].addon_ids" */
};

struct appt_avail_query {
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n_items;
	const char **addon_ids;		/* for the bundle (field "addon_ids") */
	size_t n_addons;
	int32_t date;			/* first local date */
	int days;
	const char *staff_id;		/* preferred, or NULL */
};

struct appt_avail_answer {
	const char *zone;
	struct avail_result result;
	const struct appt_world *world;	/* names for the reply */
};

enum status appt_availability(struct ctx *ctx, const struct appt_avail_query *q,
    struct appt_avail_answer *out) MUST_USE;

/* Active services and add-ons for the public catalog. */
enum status appt_catalog(struct ctx *ctx, struct appt_catalog_row **rows,
    size_t *n) MUST_USE;

struct appt_hold_in {
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n_items;
	const char **addon_ids;		/* for the bundle (field "addon_ids") */
	size_t n_addons;
	int64_t start;
	const char *staff_id;
};

struct appt_hold_out {
	const char *id;
	char token[APPT_HOLD_TOKEN_SIZE];
	int64_t expires_at;
	struct avail_slot slot;
	const struct appt_world *world;
};

enum status appt_hold_create(struct ctx *ctx, const struct appt_hold_in *in,
    struct appt_hold_out *out) MUST_USE;

struct appt_book_in {
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n_items;
	int64_t start;
	const char *staff_id;		/* preferred, or NULL */
	const char *hold_token;		/* the caller's hold, or NULL */
	struct appt_customer_in customer;	/* public: who is booking */
	const char *customer_id;	/* admin: an existing customer instead */
	const char *notes;
	const char *source;		/* bookings.source */
	bool admin;			/* the admin API: admin reply, principal as actor */
	bool override_notice;		/* admin only: ignore minimum notice and horizon */
	const char *idem_key;
	const char *body;		/* the raw body, for the idempotency hash */
	size_t body_len;
};

/* The reply, rendered once so a retry with the same key gets it again
 * byte for byte. */
struct appt_reply {
	int status;
	const char *body;
};

enum status appt_book(struct ctx *ctx, const struct appt_book_in *in,
    struct appt_reply *out) MUST_USE;

/* The customer's proof: the booking reference and their e-mail or phone. */
struct appt_verify {
	const char *reference;		/* normalized */
	const char *email;
	const char *phone;
};

/* A booking and how it is to be shown. */
struct appt_shown {
	struct appt_view view;
	const char *zone;
	int cancel_window_h;
};

enum status appt_public_get(struct ctx *ctx, const struct appt_verify *v,
    struct appt_shown *out) MUST_USE;
enum status appt_public_cancel(struct ctx *ctx, const struct appt_verify *v,
    const char *reason, struct appt_shown *out) MUST_USE;
enum status appt_public_reschedule(struct ctx *ctx, const struct appt_verify *v,
    int64_t start, const char *staff_id, struct appt_shown *out) MUST_USE;

/* Admin --------------------------------------------------------------------- */

enum status appt_admin_list(struct ctx *ctx, struct appt_booking_filter *f,
    struct appt_view **out, size_t *n, const char **zone) MUST_USE;
enum status appt_admin_get(struct ctx *ctx, const char *id, struct appt_shown *out) MUST_USE;

struct appt_if_match {
	bool have;
	long long version;
};

enum status appt_admin_move(struct ctx *ctx, const char *id, int64_t start,
    const char *staff_id, bool override_notice, struct appt_if_match im,
    struct appt_shown *out) MUST_USE;
enum status appt_admin_cancel(struct ctx *ctx, const char *id, const char *reason,
    struct appt_if_match im, struct appt_shown *out) MUST_USE;
enum status appt_admin_status(struct ctx *ctx, const char *id, enum appt_status to,
    struct appt_if_match im, struct appt_shown *out) MUST_USE;

enum status appt_customers_list(struct ctx *ctx, struct appt_customer_filter *f,
    struct appt_customer **out, size_t *n, const char **last_created) MUST_USE;
enum status appt_customer_history(struct ctx *ctx, const char *id,
    struct appt_customer *c, struct appt_view **bookings, size_t *n,
    const char **zone) MUST_USE;

struct appt_usage {
	const char *plan;
	int64_t period_start, period_end;
	const char *zone;
	long bookings_used;
	long bookings_limit;		/* PLAN_UNLIMITED: none */
	long messages_used;		/* metered per UTC month (billing/usage.h) */
	long messages_limit;
};

enum status appt_usage_get(struct ctx *ctx, struct appt_usage *out) MUST_USE;

/* The test-only switch (BOOKING_PRECHECK=false with ENABLE_TEST_ROUTES=true):
 * the booking path then checks a start against an empty schedule, so only
 * the database's constraints stand between two overlapping bookings. */
bool appt_precheck_enabled(const struct ctx *ctx);

#endif
