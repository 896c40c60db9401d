/* system_store.c — the system module's SQL, and only SQL. */
#include "modules/system/system_store.h"

enum status
system_store_purge(struct db_tx *tx, struct purge_counts *out)
{
	PGresult *res = db_exec(tx, "SELECT idempotency_keys, sessions, jobs"
	    " FROM purge_expired()", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	out->idempotency_keys = PQgetvalue(res, 0, 0);
	out->sessions = PQgetvalue(res, 0, 1);
	out->jobs = PQgetvalue(res, 0, 2);
	return ST_OK;
}

enum status
system_store_test_job_ran(struct db_tx *tx, const char *job_id)
{
	const char *params[1] = { job_id };

	if (db_exec(tx, "INSERT INTO audit_log (tenant_id, actor_type, action, target_type,"
	    " target_id) VALUES (app_tenant(), 'system', 'test.job_ran', 'job', $1)", 1,
	    params) == NULL)
		return db_status(tx);
	return ST_OK;
}
