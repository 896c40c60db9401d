/* system.h — platform routes (health, readiness, metrics), the test-only
 * routes, and the platform's own jobs (the periodic purge). */
#ifndef SYSTEM_H
#define SYSTEM_H

#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
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
/* Retention (system_retention.c): at most RETENTION_BATCH rows per table
 * per tenant per run; webhook payloads and sent or failed mail are kept
 * RETENTION_DELIVERED_DAYS everywhere (not the tenant's choice), waitlist
 * entries and their offers RETENTION_WAITLIST_DAYS after their day (those
 * that refilled a slot as long as that booking). */
#define RETENTION_BATCH 1000
#define RETENTION_DELIVERED_DAYS 30
#define RETENTION_WAITLIST_DAYS 30

/* Rows removed by one tenant's run, by table (system_store.h's
 * enum retention_table: messages, conversations, bookings, customers,
 * notification_outbox, webhook_events, waitlist_offers, waitlist_entries),
 * and the settings it applied. */
struct retention_result {
	long long rows[8];
	int transcript_days, customer_months;
};
/* The tenant part, in ctx's tenant; out may be NULL. */
enum status system_retention_tenant(struct ctx *c, struct retention_result *out) MUST_USE;

struct retention_platform_result {
	long long webhook_events, platform_outbox;	/* rows of no tenant */
	long long tenants, failed;			/* tenants run, and failed */
};
/* A whole run (the system.retention job): rows of no tenant, then every
 * tenant's part in turn, each in its own transaction. */
enum status system_retention_platform(struct ctx *c,
    struct retention_platform_result *out) MUST_USE;
/* Appends retention_deleted_rows_total{table} (Prometheus text) to b. */
enum status system_retention_metrics(struct ctx *c, struct buf *b) MUST_USE;

/* Test mode only: the audit row test.sleep leaves, and enqueueing a test
 * job in the context's tenant. */
enum status system_test_job_ran(struct ctx *c, long long job_id) MUST_USE;
enum status system_test_enqueue(struct ctx *c, const char *kind, json_t *payload,
    const char *unique_key, int max_attempts) MUST_USE;

#endif
