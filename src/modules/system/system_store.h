/* system_store.h — the system module's SQL (module-private). */
#ifndef SYSTEM_STORE_H
#define SYSTEM_STORE_H

#include "db/db.h"
#include "modules/system/system.h"

/* Rows purge_expired() removed, as the database printed the counts. */
struct purge_counts {
	const char *idempotency_keys;
	const char *sessions;
	const char *jobs;
};
enum status system_store_purge(struct db_tx *tx, struct purge_counts *out) MUST_USE;

/* Retention (system_retention.c) ----------------------------------------- */

/* The tables the retention job deletes from, in the order it does (children
 * before parents); also the label values of retention_deleted_rows_total. */
enum retention_table {
	RT_MESSAGES,
	RT_CONVERSATIONS,
	RT_BOOKINGS,
	RT_CUSTOMERS,
	RT_NOTIFICATION_OUTBOX,
	RT_WEBHOOK_EVENTS,
	RT_WAITLIST_OFFERS,
	RT_WAITLIST_ENTRIES,
	RT__COUNT
};
_Static_assert(RT__COUNT == sizeof(((struct retention_result *)0)->rows) /
    sizeof(long long), "struct retention_result has a count per table");
extern const char *const retention_table_names[RT__COUNT];

/* The tenant's retention settings (defaults when the row is missing). */
enum status system_store_retention_settings(struct db_tx *tx, int *transcript_days,
    int *customer_months) MUST_USE;
/* Deletes at most limit rows of table t in the transaction's tenant that
 * are past retention; *n is how many went. days/months are the tenant's
 * setting for t (days for transcripts and the platform-wide 30 days,
 * months for customers and bookings). */
enum status system_store_retention_delete(struct db_tx *tx, enum retention_table t,
    int days, int months, int limit, long long *n) MUST_USE;
/* Adds n to retention_deleted_rows_total{table}. */
enum status system_store_retention_count(struct db_tx *tx, const char *table,
    long long n) MUST_USE;
/* Platform rows (no tenant) past days, limit of each; records its counts. */
enum status system_store_retention_platform(struct db_tx *tx, int days, int limit,
    long long *webhook_events, long long *platform_outbox) MUST_USE;
/* Every tenant's id, for a run to walk through. */
enum status system_store_retention_tenants(struct db_tx *tx, const char ***ids,
    size_t *n) MUST_USE;

struct retention_total {
	const char *table;
	const char *rows;
};
enum status system_store_retention_totals(struct db_tx *tx, struct retention_total **out,
    size_t *n) MUST_USE;

/* The audit row test.sleep leaves in its tenant. */
enum status system_store_test_job_ran(struct db_tx *tx, const char *job_id) MUST_USE;

#endif
