/* waitlist_jobs.c — "waitlist.slot_freed" (enqueued by the booking service
 * with the cancellation or move that frees a slot) and
 * "waitlist.offer_expired" (enqueued with each offer, due when its turn
 * ends). Both ask the service to offer the slot to whoever is next; the
 * handler only checks the payload. */
#include <string.h>

#include "core/ids.h"
#include "modules/waitlist/waitlist.h"
#include "modules/waitlist/waitlist_service.h"

static enum status
offer_next_job(struct job *job)
{
	json_t *p = job->payload;
	struct wl_slot s = {
		json_string_value(json_object_get(p, "slot_key")),
		json_string_value(json_object_get(p, "service_id")),
		json_string_value(json_object_get(p, "staff_id")),
		json_integer_value(json_object_get(p, "starts_at")),
	};
	bool offered = false;

	if (job->tenant_id == NULL || s.key == NULL || strlen(s.key) > 100 ||
	    s.service_id == NULL || !id_is_uuid(s.service_id) || s.staff_id == NULL ||
	    !id_is_uuid(s.staff_id) || s.start <= 0)
		return err_set(&job->err, ST_INVALID, "%s: bad payload", job->kind);
	return wl_offer_next(&job->ctx, &s, &offered);
}

static const struct job_handler waitlist_job_handlers_v[] = {
	{ WL_SLOT_FREED_JOB, offer_next_job },
	{ WL_OFFER_EXPIRED_JOB, offer_next_job },
};
const struct job_table waitlist_job_handlers = TABLE_OF(waitlist_job_handlers_v);
