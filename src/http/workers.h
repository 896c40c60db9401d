/* workers.h — the bounded pool of threads that run blocking handlers, so
 * event-loop threads never block. Submitting to a full queue fails at once:
 * the caller answers 503 instead of letting the backlog grow.
 *
 * A handler that will hold its thread for long (a streaming reply waiting
 * on a model provider) can detach: its thread leaves the pool, a new one
 * takes its place, and the detached thread exits when the handler returns.
 * Detached threads are capped, so the pool stays bounded. */
#ifndef HTTP_WORKERS_H
#define HTTP_WORKERS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

struct work_item {
	struct work_item *next;
	void (*run)(struct work_item *w);
};

struct workers_stats {
	size_t threads;		/* the pool's size, detached threads not counted */
	size_t busy;
	size_t queued;
	size_t capacity;
	unsigned long long rejected;
	size_t streams;		/* detached threads still running */
	size_t streams_max;
	unsigned long long streams_rejected;
};

enum workers_detach {
	WORKERS_DETACHED,	/* the thread left the pool; a new one replaced it */
	WORKERS_KEPT,		/* the thread stays in the pool: carry on as before */
	WORKERS_FULL,		/* streams_max threads are detached already: refuse */
};

struct workers;

/* streams_max: how many threads may be detached at once; 0 never detaches. */
struct workers *workers_start(size_t nthreads, size_t queue_max, size_t streams_max);
/* False when the queue is full or the pool is stopping. */
bool workers_submit(struct workers *p, struct work_item *w);
/* Called by a running item on its own thread. WORKERS_KEPT when detaching
 * is off, the pool is stopping, the caller is not one of p's threads, or a
 * replacement thread could not be started. Calling it again once detached
 * answers WORKERS_DETACHED. */
enum workers_detach workers_detach(struct workers *p) MUST_USE;
/* Runs what is queued, waits for detached items, then joins every thread
 * and frees the pool. */
void workers_stop(struct workers *p);
/* Stops taking work and waits up to ms for running items, detached ones
 * included; false (and the pool left allocated) when some are still
 * running then. */
bool workers_stop_within(struct workers *p, int ms);
void workers_get_stats(struct workers *p, struct workers_stats *out);

#endif
