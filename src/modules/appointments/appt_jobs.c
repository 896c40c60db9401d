/* appt_jobs.c — "notifications.booking": the booking service enqueues it
 * in the same transaction as every create, cancel and reschedule, whoever
 * made it (portal, receptionist, admin, calendar sync); it runs after the
 * commit and queues, through the messages module, the customer's e-mail
 * and, when they consented to texts, an SMS, plus the business's alert. A
 * customer reachable by neither gets an audit row saying so. The handler
 * checks the payload; the work is appt_notify's. */
#include <string.h>

#include "core/ids.h"
#include "modules/appointments/appointments.h"
#include "modules/appointments/appt_service.h"

static const char *const events[] = { "confirmed", "cancelled", "rescheduled", NULL };

static bool
known_event(const char *e)
{
	for (size_t i = 0; e != NULL && events[i] != NULL; i++)
		if (strcmp(events[i], e) == 0)
			return true;
	return false;
}

static enum status
notify_job(struct job *job)
{
	const char *id = json_string_value(json_object_get(job->payload, "booking_id"));
	const char *event = json_string_value(json_object_get(job->payload, "event"));

	if (job->tenant_id == NULL || id == NULL || !id_is_uuid(id) || !known_event(event))
		return err_set(&job->err, ST_INVALID, "notifications.booking: bad payload");
	return appt_notify(&job->ctx, id, event);
}

static const struct job_handler appt_job_handlers_v[] = {
	{ "notifications.booking", notify_job },
};
const struct job_table appt_job_handlers = TABLE_OF(appt_job_handlers_v);
