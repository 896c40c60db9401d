/* system_service.c — the platform's own rules: whether this instance is
 * ready for traffic, the periodic purge, and the test-only job plumbing.
 * Each takes a ctx, so routes, jobs and tests reach the same code. */
#include <stdio.h>

#include "core/log.h"
#include "db/db.h"
#include "db/jobs.h"
#include "db/migrate.h"
#include "modules/system/system.h"
#include "modules/system/system_store.h"

enum system_ready
system_readiness(struct ctx *c)
{
	struct db_tx tx;
	bool current = false;
	enum status st;

	if (db_tx_begin_as(&tx, c, NULL) != ST_OK)
		return SYSTEM_DB_UNREACHABLE;
	st = db_migrations_current(&tx, &current);
	if (db_tx_end(&tx, st) != ST_OK)
		return SYSTEM_DB_FAILED;
	return current ? SYSTEM_READY : SYSTEM_MIGRATIONS_BEHIND;
}

enum status
system_purge_expired(struct ctx *c)
{
	struct purge_counts n;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if ((st = system_store_purge(&tx, &n)) != ST_OK)
		goto out;
	log_emit(LOG_INFO, "purged expired rows", json_pack("{s:s, s:s, s:s}",
	    "idempotency_keys", n.idempotency_keys, "sessions", n.sessions, "jobs", n.jobs));
out:
	return db_tx_end(&tx, st);
}

enum status
system_test_job_ran(struct ctx *c, long long job_id)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = system_store_test_job_ran(&tx, arena_printf(c->arena, "%lld", job_id));
	return db_tx_end(&tx, st);
}

enum status
system_test_enqueue(struct ctx *c, const char *kind, json_t *payload,
    const char *unique_key, int max_attempts)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = jobs_enqueue(&tx, kind, payload, unique_key, 0, max_attempts);
	return db_tx_end(&tx, st);
}
