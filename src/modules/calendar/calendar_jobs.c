/* calendar_jobs.c — the calendar module's job handlers: each reads its
 * payload, drops one it cannot use (a retry would not make it usable), and
 * calls one service (calendar_sync.c) with the job's context. */
#include <string.h>

#include "core/ids.h"
#include "core/log.h"
#include "modules/calendar/calendar_internal.h"

#define RECONCILE_FANOUT_S 60

/* calendar.sync {"booking_id"} */
static enum status
sync_job(struct job *job)
{
	const char *booking_id = json_string_value(json_object_get(job->payload, "booking_id"));

	if (job->tenant_id == NULL || booking_id == NULL || !id_is_uuid(booking_id)) {
		log_warn("calendar.sync %lld: no booking_id in the payload; dropped", job->id);
		return ST_OK;
	}
	return calendar_sync_booking(&job->ctx, booking_id, job->attempt >= job->max_attempts);
}

/* calendar.webhook {"event_id", "connection_id"} */
static enum status
webhook_job(struct job *job)
{
	json_t *ev_id = json_object_get(job->payload, "event_id");

	if (job->tenant_id == NULL || !json_is_integer(ev_id))
		return ST_OK;
	return calendar_webhook_apply(&job->ctx, (long long)json_integer_value(ev_id),
	    json_string_value(json_object_get(job->payload, "connection_id")));
}

/* calendar.reconcile (platform) */
static enum status
reconcile_job(struct job *job)
{
	long long period = job->ctx.cfg->calendar_reconcile_s > 0 ?
	    job->ctx.cfg->calendar_reconcile_s : 900;

	return calendar_reconcile_all(&job->ctx, period);
}

/* calendar.reconcile_tenant */
static enum status
reconcile_tenant_job(struct job *job)
{
	if (job->tenant_id == NULL)
		return ST_OK;
	return calendar_reconcile_tenant(&job->ctx);
}

static const struct job_handler calendar_job_handlers_v[] = {
	{ CALENDAR_SYNC_JOB, sync_job },
	{ "calendar.webhook", webhook_job },
	{ "calendar.reconcile", reconcile_job },
	{ "calendar.reconcile_tenant", reconcile_tenant_job },
};
const struct job_table calendar_job_handlers = TABLE_OF(calendar_job_handlers_v);

static const struct periodic_job calendar_periodic_jobs_v[] = {
	{ "calendar.reconcile", RECONCILE_FANOUT_S },
};
const struct periodic_table calendar_periodic_jobs = TABLE_OF(calendar_periodic_jobs_v);
