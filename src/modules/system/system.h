/* system.h — platform routes (health, readiness, metrics), the test-only
 * routes, and the platform's own jobs (the periodic purge). */
#ifndef SYSTEM_H
#define SYSTEM_H

#include <stddef.h>

#include <jansson.h>

#include "core/ctx.h"
#include "db/jobs.h"
#include "http/http.h"

extern const struct route_table system_routes;

/* Routes that exist only with ENABLE_TEST_ROUTES=true: they let the test
 * suite hold a request open, enqueue jobs, and exercise JSON validation. */
extern const struct route_table system_test_routes;

extern const struct job_table system_job_handlers;
extern const struct job_table system_test_job_handlers;
extern const struct periodic_table system_periodic_jobs;

/* ---- services (system_service.c): take a ctx ----------------------------- */

enum system_ready {
	SYSTEM_READY,
	SYSTEM_DB_UNREACHABLE,		/* no connection */
	SYSTEM_DB_FAILED,		/* connected, but the query failed */
	SYSTEM_MIGRATIONS_BEHIND,	/* the schema is older than this build */
};
enum system_ready system_readiness(struct ctx *c);
/* Expired idempotency keys and sessions, old finished jobs. */
enum status system_purge_expired(struct ctx *c) MUST_USE;
/* Test mode only: the audit row test.sleep leaves, and enqueueing a test
 * job in the context's tenant. */
enum status system_test_job_ran(struct ctx *c, long long job_id) MUST_USE;
enum status system_test_enqueue(struct ctx *c, const char *kind, json_t *payload,
    const char *unique_key, int max_attempts) MUST_USE;

#endif
