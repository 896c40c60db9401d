/* events_internal.h — the hub between the listener and the streams. */
#ifndef EVENTS_INTERNAL_H
#define EVENTS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/ids.h"
#include "core/status.h"
#include "modules/auth/auth.h"
#include "modules/events/events.h"

/* Events a stream may hold unsent before it is closed as lagging. */
#define EVENTS_QUEUE 256

struct events_sub {
	struct events_sub *next;
	char tenant_id[UUID_STR_LEN + 1];
	struct principal principal;	/* a copy: the listener thread reads it */
	pthread_cond_t cv;
	char *q[EVENTS_QUEUE];
	uint64_t head, tail;
	bool lagging;
};

/* ST_UNAVAILABLE when the total or this tenant's cap is reached. */
enum status events_subscribe(struct events_sub *s, int max_total, int max_tenant) MUST_USE;
void events_unsubscribe(struct events_sub *s);
char *events_next(struct events_sub *s, int wait_ms, bool *lagging);

#endif
