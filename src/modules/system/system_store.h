/* system_store.h — the system module's SQL (module-private). */
#ifndef SYSTEM_STORE_H
#define SYSTEM_STORE_H

#include "db/db.h"

/* Rows purge_expired() removed, as the database printed the counts. */
struct purge_counts {
	const char *idempotency_keys;
	const char *sessions;
	const char *jobs;
};
enum status system_store_purge(struct db_tx *tx, struct purge_counts *out) MUST_USE;

/* The audit row test.sleep leaves in its tenant. */
enum status system_store_test_job_ran(struct db_tx *tx, const char *job_id) MUST_USE;

#endif
