/* events.h — the admin app's live updates: GET /v1/admin/events, one
 * Server-Sent Events stream per signed-in tab, fed by NOTIFY 'app_events'
 * (migration 0013's triggers) through the tenants module's listener. */
#ifndef EVENTS_H
#define EVENTS_H

#include <stdbool.h>

#include "http/router.h"

struct principal;

extern const struct route_table events_routes;

/* The channel the triggers notify on, for the shared listener. */
#define EVENTS_CHANNEL "app_events"

/* Called by the listener thread with each payload (JSON text). */
void events_publish(const char *payload);

/* After the listener reconnected: an event `resync` to every stream, since
 * what was sent meanwhile is lost. */
void events_resync(void);

/* Whether p may see an event of this kind: RES_CONVERSATIONS read for
 * conversation and handoff events, RES_BOOKINGS read for booking events,
 * and a STAFF login only for bookings carrying its user id. */
bool events_visible(const struct principal *p, const char *kind,
    const char *const *staff_user_ids, size_t n);

#endif
