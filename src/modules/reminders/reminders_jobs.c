/* reminders_jobs.c — "reminders.plan": the planner, every minute, across
 * tenants. The handler builds nothing of its own and calls the service. */
#include "core/log.h"
#include "modules/reminders/reminders.h"
#include "modules/reminders/reminders_service.h"

static enum status
plan_job(struct job *job)
{
	long long planned = 0, cancelled = 0;
	enum status st;

	if ((st = rmd_plan(&job->ctx, NULL, 0, false, &planned, &cancelled)) != ST_OK)
		return st;
	if (planned > 0 || cancelled > 0)
		log_emit(LOG_INFO, "reminders planned", json_pack("{s:I, s:I}", "planned",
		    (json_int_t)planned, "cancelled", (json_int_t)cancelled));
	return ST_OK;
}

static const struct job_handler reminders_job_handlers_v[] = {
	{ "reminders.plan", plan_job },
};
const struct job_table reminders_job_handlers = TABLE_OF(reminders_job_handlers_v);

static const struct periodic_job reminders_periodic_jobs_v[] = {
	{ "reminders.plan", 60 },
};
const struct periodic_table reminders_periodic_jobs = TABLE_OF(reminders_periodic_jobs_v);
