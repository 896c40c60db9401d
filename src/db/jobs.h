/* jobs.h — the job queue: enqueue inside the caller's transaction, and the
 * `worker` runtime that claims jobs with a lease, retries with exponential
 * backoff, and marks them dead after their last attempt. */
#ifndef DB_JOBS_H
#define DB_JOBS_H

#include <jansson.h>
#include <stdatomic.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "core/status.h"

struct config;
struct db_pool;
struct db_tx;

/* Enqueues a job for the transaction's tenant; it becomes visible (and
 * workers are woken) only if the transaction commits. A job with the same
 * (kind, unique_key) is not enqueued twice. payload may be NULL; it is
 * borrowed (the caller keeps its reference). */
enum status jobs_enqueue(struct db_tx *tx, const char *kind, json_t *payload,
    const char *unique_key, int delay_s, int max_attempts) MUST_USE;

/* As jobs_enqueue, only when guard (a constant SQL condition, which may read
 * the payload as $2::jsonb) holds in the transaction: a follow-up with
 * nothing to do (no calendar connected, nobody subscribed) costs one index
 * probe instead of a queued row. The module that owns the tables the guard
 * reads owns the guard. */
enum status jobs_enqueue_when(struct db_tx *tx, const char *kind, json_t *payload,
    const char *unique_key, int delay_s, int max_attempts, const char *guard) MUST_USE;

struct job {
	long long id;
	const char *tenant_id;	/* NULL for platform jobs */
	const char *kind;
	json_t *payload;
	int attempt;
	int max_attempts;
	struct arena *arena;
	struct err err;
	atomic_bool *stopping;	/* long jobs check it and give up early */
	/* What the handler hands to services: the job's tenant (none for
	 * platform jobs), ACTOR_SYSTEM, this arena and err; ctx.cancelled is
	 * `stopping`. */
	struct ctx ctx;
};

struct job_handler {
	const char *kind;
	enum status (*run)(struct job *job);
};

struct periodic_job {
	const char *kind;
	int every_s;
};

/* A module's job handlers and periodic jobs, each as one object (see
 * struct route_table in http/router.h). */
struct job_table {
	const struct job_handler *v;
	size_t n;
};
struct periodic_table {
	const struct periodic_job *v;
	size_t n;
};
#ifndef TABLE_OF
#define TABLE_OF(a) { (a), sizeof(a) / sizeof((a)[0]) }
#endif

/* Delay before retry n (1-based): base · 2^(n-1), capped, ± 20 % jitter. */
int jobs_backoff_s(int attempt, int base_s, int cap_s, unsigned jitter_seed);

/* Runs the worker until SIGTERM/SIGINT: JOB_CONCURRENCY threads claiming
 * jobs, woken by NOTIFY on "jobs", plus a scheduler enqueuing periodic
 * jobs once per period across all workers. */
enum status jobs_worker_run(struct db_pool *pool, const struct config *cfg,
    const struct job_handler *handlers,
    size_t nhandlers, const struct periodic_job *periodic, size_t nperiodic) MUST_USE;

#endif
