/* calendar.h — calendar sync, as the rest of the product sees it.
 *
 * Two directions:
 *  - busy times IN: availability asks calendar_busy() for the external busy
 *    ranges of the staff it is computing for. Answers come from a cache per
 *    tenant, staff calendar and local day (providers rate-limit us: Cal.com
 *    allows 120 requests a minute); a miss or a stale entry fetches from the
 *    provider OUTSIDE any database transaction. A provider that fails or
 *    times out yields what the cache has (possibly nothing) and a warning,
 *    never a failed availability request.
 *  - bookings OUT: the booking service calls calendar_sync_enqueue in the
 *    same transaction as every create, move, cancel or status change; it
 *    enqueues a "calendar.sync" job with payload {"booking_id": "<uuid>"}
 *    when the tenant has a calendar connected. The job reconciles: it reads
 *    the booking's current state and creates, updates or deletes the event
 *    at each connected provider, recording booking_calendar_events.
 *
 * Providers are adapters behind struct calendar_provider (internal, google,
 * calcom), each with a base URL from configuration and a fake in tests. */
#ifndef CALENDAR_H
#define CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"
#include "db/jobs.h"
#include "http/http.h"

struct ctx;

struct calendar_busy_range {
	int64_t start;	/* UTC epoch seconds */
	int64_t end;
	const char *staff_id;
};

struct calendar_busy {
	struct calendar_busy_range *ranges;
	size_t n;
};

/* External busy ranges for staff_ids[0..nstaff) over [from, to). Never fails
 * because a provider did; ST_OK with what is known. */
enum status calendar_busy(const struct ctx *ctx, struct arena *a, const char *tenant_id,
    const char *const *staff_ids, size_t nstaff, int64_t from, int64_t to,
    struct calendar_busy *out) MUST_USE;

/* The job kind and handler for "calendar.sync". */
#define CALENDAR_SYNC_JOB "calendar.sync"

struct db_tx;

/* In tx, a change of the booking: its calendar.sync job, keyed by version,
 * when the tenant has any calendar connected (a tenant with none, most of
 * them, pays an index probe, not a job). A connection is for the bookings
 * changed after it: one made in the same instant as a booking may miss it,
 * as it misses the bookings made before. */
enum status calendar_sync_enqueue(struct db_tx *tx, const char *booking_id, int version) MUST_USE;

/* ---- what the registry mounts ----------------------------------------------- */

/* Admin: /v1/admin/calendar/… (connections, Google authorisation, Cal.com
 * keys, sync status); the OAuth callback /v1/calendar/google/callback; the
 * Cal.com webhook /v1/webhooks/calcom. */
extern const struct route_table calendar_routes;
/* With ENABLE_TEST_ROUTES only: GET /v1/test/calendar/busy and POST
 * /v1/test/calendar/reconcile. */
extern const struct route_table calendar_test_routes;
/* calendar.sync, calendar.webhook, calendar.reconcile (platform fan-out)
 * and calendar.reconcile_tenant. */
extern const struct job_table calendar_job_handlers;
extern const struct periodic_table calendar_periodic_jobs;

#endif
