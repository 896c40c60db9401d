/* reminders.h — reminders before a booking, quiet hours and the customer's
 * confirmation (issue 12). The module writes queued rows into the tenant's
 * notification_outbox (0019); the messages module sends them. What other
 * modules use: the routes and jobs the registry mounts, the hook the
 * appointments service calls when a booking is cancelled or moved, and the
 * confirmation by phone the SMS "C" reply calls. */
#ifndef REMINDERS_H
#define REMINDERS_H

#include <stdint.h>

#include "core/ctx.h"
#include "db/jobs.h"
#include "http/http.h"

struct db_tx;

/* GET/PUT /v1/admin/reminders/settings, POST /v1/public/bookings/{ref}/confirm. */
extern const struct route_table reminders_routes;
/* POST /v1/test/reminders/plan: the planner with a movable clock. */
extern const struct route_table reminders_test_routes;
/* "reminders.plan", every minute across tenants. */
extern const struct job_table reminders_job_handlers;
extern const struct periodic_table reminders_periodic_jobs;

/* Cancels the queued reminders of a booking that was just cancelled or
 * moved, inside the caller's transaction (its tenant's). The planner would
 * catch them within a minute; this leaves no minute between. */
enum status reminders_booking_changed(struct db_tx *tx, const char *booking_id) MUST_USE;

struct reminders_confirmed {
	const char *booking_id;
	const char *reference;
	int64_t starts_at;
	bool already;		/* it was confirmed before */
};

/* The SMS "C" reply: confirms the next upcoming active booking of the
 * tenant's customer with this phone (E.164), preferring one not yet
 * confirmed. ST_NOTFOUND when the customer has none. Audited. */
enum status reminders_confirm_by_phone(struct ctx *ctx, const char *phone_e164,
    struct reminders_confirmed *out) MUST_USE;

#endif
