/* system_jobs.c — the platform's periodic purge, and the jobs the test
 * suite uses to prove retries, dead jobs and lease recovery. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/system/system.h"

/* Removes expired idempotency keys and sessions, and old finished jobs. */
static enum status
purge_expired_job(struct job *job)
{
	struct db_tx tx;
	PGresult *res;
	enum status st;

	if ((st = db_tx_begin_as(&tx, &job->ctx, NULL)) != ST_OK)
		return st;
	res = db_exec(&tx, "SELECT idempotency_keys, sessions, jobs FROM purge_expired()", 0, NULL);
	if (res != NULL)
		log_emit(LOG_INFO, "purged expired rows", json_pack("{s:s, s:s, s:s}",
		    "idempotency_keys", PQgetvalue(res, 0, 0), "sessions", PQgetvalue(res, 0, 1),
		    "jobs", PQgetvalue(res, 0, 2)));
	return db_tx_end(&tx, res ? ST_OK : db_status(&tx));
}

const struct job_handler system_job_handlers[] = {
	{ "system.purge_expired", purge_expired_job },
};
const size_t system_njob_handlers = sizeof(system_job_handlers) / sizeof(system_job_handlers[0]);

const struct periodic_job system_periodic_jobs[] = {
	{ "system.purge_expired", 3600 },
};
const size_t system_nperiodic_jobs = sizeof(system_periodic_jobs) / sizeof(system_periodic_jobs[0]);

/* test.sleep {"ms": N}: holds its lease N ms (so a test can kill the
 * worker mid-job), then records the attempt in the job's tenant. */
static enum status
test_sleep_job(struct job *job)
{
	json_int_t ms = json_integer_value(json_object_get(job->payload, "ms"));
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	struct db_tx tx;
	enum status st;

	nanosleep(&ts, NULL);
	if ((st = db_tx_begin(&tx, &job->ctx)) != ST_OK)
		return st;
	if (db_exec(&tx, "INSERT INTO audit_log (tenant_id, actor_type, action, target_type,"
	    " target_id) VALUES (app_tenant(), 'system', 'test.job_ran', 'job', $1)", 1,
	    (const char *[]){ arena_printf(job->arena, "%lld", job->id) }) == NULL)
		return db_tx_end(&tx, db_status(&tx));
	return db_tx_end(&tx, ST_OK);
}

static enum status
test_fail_job(struct job *job)
{
	return err_set(&job->err, ST_UPSTREAM, "deliberate failure on attempt %d", job->attempt);
}

const struct job_handler system_test_job_handlers[] = {
	{ "test.sleep", test_sleep_job },
	{ "test.fail", test_fail_job },
};
const size_t system_test_njob_handlers =
    sizeof(system_test_job_handlers) / sizeof(system_test_job_handlers[0]);
