/* workers.h — the bounded pool of threads that run blocking handlers, so
 * event-loop threads never block. Submitting to a full queue fails at once:
 * the caller answers 503 instead of letting the backlog grow. */
#ifndef HTTP_WORKERS_H
#define HTTP_WORKERS_H

#include <stdbool.h>
#include <stddef.h>

struct work_item {
	struct work_item *next;
	void (*run)(struct work_item *w);
};

struct workers_stats {
	size_t threads;
	size_t busy;
	size_t queued;
	size_t capacity;
	unsigned long long rejected;
};

struct workers;

struct workers *workers_start(size_t nthreads, size_t queue_max);
/* False when the queue is full or the pool is stopping. */
bool workers_submit(struct workers *p, struct work_item *w);
/* Runs what is queued, then joins the threads and frees the pool. */
void workers_stop(struct workers *p);
/* Stops taking work and waits up to ms for running items; false (and the
 * pool left allocated) when some are still running then. */
bool workers_stop_within(struct workers *p, int ms);
void workers_get_stats(struct workers *p, struct workers_stats *out);

#endif
