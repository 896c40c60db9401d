/* sms_jobs.c — the sms module's job: an inbound text through the
 * receptionist (sms_webhook_service.c), with the job's tenant context. */
#include "core/log.h"
#include "modules/sms/sms_internal.h"

/* sms.inbound {"event_id"} */
static enum status
inbound_job(struct job *job)
{
	json_t *id = json_object_get(job->payload, "event_id");

	if (job->tenant_id == NULL || !json_is_integer(id)) {
		log_warn("sms.inbound %lld: no event_id in the payload; dropped", job->id);
		return ST_OK;
	}
	return sms_inbound_turn(&job->ctx, (long long)json_integer_value(id));
}

static const struct job_handler sms_job_handlers_v[] = {
	{ SMS_INBOUND_JOB, inbound_job },
};
const struct job_table sms_job_handlers = TABLE_OF(sms_job_handlers_v);
