/* system_jobs.c — the platform's periodic purge and retention run, and the jobs the test
 * suite uses to prove retries, dead jobs and lease recovery: each builds
 * nothing of its own and calls a service with the job's ctx. */
#include <time.h>

#include "modules/system/system.h"

/* Removes expired idempotency keys and sessions, and old finished jobs. */
static enum status
purge_expired_job(struct job *job)
{
	return system_purge_expired(&job->ctx);
}

/* system.retention: hard-deletes what is past retention, platform rows
 * first, then tenant by tenant (a job enqueued for one tenant runs that
 * tenant's part only). */
static enum status
retention_job(struct job *job)
{
	if (job->tenant_id == NULL)
		return system_retention_platform(&job->ctx, NULL);
	return system_retention_tenant(&job->ctx, NULL);
}

static const struct job_handler system_job_handlers_v[] = {
	{ "system.purge_expired", purge_expired_job },
	{ "system.retention", retention_job },
};
const struct job_table system_job_handlers = TABLE_OF(system_job_handlers_v);

static const struct periodic_job system_periodic_jobs_v[] = {
	{ "system.purge_expired", 3600 },
	{ "system.retention", 3600 },
};
const struct periodic_table system_periodic_jobs = TABLE_OF(system_periodic_jobs_v);

/* test.sleep {"ms": N}: holds its lease N ms (so a test can kill the
 * worker mid-job), then records the attempt in the job's tenant. */
static enum status
test_sleep_job(struct job *job)
{
	json_int_t ms = json_integer_value(json_object_get(job->payload, "ms"));
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	return system_test_job_ran(&job->ctx, job->id);
}

static enum status
test_fail_job(struct job *job)
{
	return err_set(&job->err, ST_UPSTREAM, "deliberate failure on attempt %d", job->attempt);
}

static const struct job_handler system_test_job_handlers_v[] = {
	{ "test.sleep", test_sleep_job },
	{ "test.fail", test_fail_job },
};
const struct job_table system_test_job_handlers = TABLE_OF(system_test_job_handlers_v);
