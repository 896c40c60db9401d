/* appt_service.h — the scheduling rules between the HTTP edge and the SQL:
 * availability, holds, bookings (public and admin), cancel, reschedule,
 * status changes, customers and usage. Each call reads in one transaction,
 * releases it before asking the calendars (an outbound call), decides with
 * the availability engine, then writes in a second transaction that the
 * database's exclusion constraints have the last word on. Errors are set
 * on ctx->err with the request field they concern. What other modules
 * call (availability, holds, bookings, the customer's own booking) is
 * declared in appointments.h. */
#ifndef APPOINTMENTS_SERVICE_H
#define APPOINTMENTS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "modules/appointments/appointments.h"
#include "modules/appointments/appt_rules.h"
#include "modules/appointments/appt_store.h"
#include "modules/appointments/availability.h"

/* The public catalog (GET /v1/public/services) as JSON text, from the
 * tenant cache: services and add-ons notify tenant_changed when edited. */
enum status appt_catalog_json(struct ctx *ctx, const char **json) MUST_USE;

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

/* PATCH /v1/admin/customers/{id} {notes}: the business's notes (NULL or
 * "" clears them) if the customer is still at version (ST_CONFLICT naming
 * If-Match otherwise); *c is the customer after. Audited
 * (customer.updated, without the text: notes may be health details). */
enum status appt_customer_set_notes(struct ctx *ctx, const char *id, const char *notes,
    int version, struct appt_customer *c) MUST_USE;
/* GET /v1/admin/customers/{id}/export: everything we hold on one person,
 * as one JSON object {customer, bookings (with items), conversations (with
 * messages), notifications, exported_at}; audited (customer.exported). */
enum status appt_customer_export(struct ctx *ctx, const char *id, json_t **out) MUST_USE;

/* POST /v1/admin/customers/{id}/erase: the person's messages deleted and
 * their conversations stripped, booking mail deleted, the customer row and
 * their bookings anonymised but kept for the business's books. Idempotent
 * (a second call changes nothing and says so); audited (customer.erased). */
struct appt_erasure {
	struct appt_erase_counts rows;
	long long messages, conversations;
	bool already_erased;		/* nothing was left to erase */
};
enum status appt_customer_erase(struct ctx *ctx, const char *id,
    struct appt_erasure *out) MUST_USE;

struct appt_usage {
	const char *plan;
	int64_t period_start, period_end;
	const char *zone;
	long bookings_used;
	long bookings_limit;		/* PLAN_UNLIMITED: none */
	long messages_used;		/* metered per UTC month (billing.h) */
	long messages_limit;
};

enum status appt_usage_get(struct ctx *ctx, struct appt_usage *out) MUST_USE;

/* "notifications.booking": the customer's message about event
 * (confirmed, cancelled, rescheduled) of the booking, written to the
 * tenant's outbox; an audit row instead when they have no e-mail. */
enum status appt_notify(struct ctx *ctx, const char *booking_id, const char *event) MUST_USE;

/* The test-only switch (BOOKING_PRECHECK=false with ENABLE_TEST_ROUTES=true):
 * the booking path then checks a start against an empty schedule, so only
 * the database's constraints stand between two overlapping bookings. */
bool appt_precheck_enabled(const struct ctx *ctx);

#endif
