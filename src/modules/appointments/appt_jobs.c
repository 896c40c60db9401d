/* appt_jobs.c — "notifications.booking": the booking service enqueues it
 * in the same transaction as every create, cancel and reschedule; it runs
 * after the commit and writes the customer's e-mail into the tenant's
 * notification outbox (0004_auth), which the worker sends once a provider
 * is configured and the admin can read meanwhile. The outbox speaks e-mail
 * only for now: a customer reachable by phone alone gets an audit row
 * saying so, until SMS lands. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/ids.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/appointments/appointments.h"
#include "modules/appointments/appt_render.h"
#include "modules/appointments/appt_store.h"
#include "modules/audit/audit.h"

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
	struct audit_actor who = { "system", NULL, NULL, NULL };
	struct appt_notice n;
	struct db_tx tx;
	struct tz *z;
	bool found;
	char *payload;
	json_t *p;
	enum status st;

	if (job->tenant_id == NULL || id == NULL || !id_is_uuid(id) || !known_event(event))
		return err_set(&job->err, ST_INVALID, "notifications.booking: bad payload");
	if ((st = db_tx_begin(&tx, &job->ctx)) != ST_OK)
		return st;
	if ((st = appt_store_notice(&tx, id, &n, &found)) != ST_OK || !found)
		goto out;	/* a booking that is gone needs no message */
	if (n.email == NULL) {
		st = audit_record(&tx, &who, "booking.notification_skipped", "booking", id,
		    json_pack("{s:s, s:s}", "event", event,
		    "reason", "the customer has no e-mail address; SMS is not available yet"));
		goto out;
	}
	if ((st = tz_open(job->arena, n.zone, &z)) != ST_OK)
		goto out;
	p = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:s}", "booking_id", id, "event", event,
	    "reference", n.reference, "customer_name", n.name, "business", n.business,
	    "start", appt_time_text(job->arena, z, n.start), "timezone", n.zone);
	payload = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	if (payload == NULL) {
		st = err_set(&job->err, ST_INTERNAL, "notifications.booking: cannot render");
		goto out;
	}
	arena_defer(job->arena, free, payload);
	st = appt_store_outbox_insert(&tx, n.email, arena_printf(job->arena, "booking.%s", event),
	    payload);
out:
	return db_tx_end(&tx, st);
}

const struct job_handler appt_job_handlers[] = {
	{ "notifications.booking", notify_job },
};
const size_t appt_njob_handlers = sizeof(appt_job_handlers) / sizeof(appt_job_handlers[0]);
