/* appt_render.h — how bookings, slots and customers look in JSON. Shared by
 * the routes and by the booking service, which renders the reply before
 * committing so an idempotent retry gets exactly the same bytes. Times are
 * RFC 3339 in the tenant's zone (with its offset); audit-style timestamps
 * (created_at, updated_at) are UTC with "Z", as everywhere in the admin API. */
#ifndef APPOINTMENTS_RENDER_H
#define APPOINTMENTS_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "modules/appointments/appt_store.h"
#include "core/time.h"

/* "2026-03-08T03:00:00-04:00" in zone z (arena-owned). */
const char *appt_time_text(struct arena *a, struct tz *z, int64_t t);
/* "2026-03-08T07:00:00Z". */
const char *appt_utc_text(struct arena *a, int64_t t);

/* The public shape: reference, id, status, start, end, services, staff,
 * customer {name}, total, currency, cancel_until. The admin shape adds the
 * source, notes, customer contact, cancellation, version and timestamps.
 * New reference; NULL only if jansson fails. */
json_t *appt_booking_json(struct arena *a, struct tz *z, const struct appt_view *v,
    int cancel_window_h, bool admin);

json_t *appt_customer_json(struct arena *a, const struct appt_customer *c);

#endif
