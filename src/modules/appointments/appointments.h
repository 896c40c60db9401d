/* appointments.h — what the rest of the product mounts of scheduling: the
 * public booking routes (availability, holds, bookings, the customer's
 * cancel and reschedule), the admin routes (bookings, customers, usage,
 * scheduling settings) and the job that turns booking events into
 * notifications. */
#ifndef APPOINTMENTS_H
#define APPOINTMENTS_H

#include <stddef.h>

#include "db/jobs.h"
#include "http/http.h"

extern const struct route appt_public_routes[];
extern const size_t appt_public_nroutes;
extern const struct route appt_admin_routes[];
extern const size_t appt_admin_nroutes;

/* "notifications.booking" {booking_id, event: confirmed|cancelled|rescheduled}. */
extern const struct job_handler appt_job_handlers[];
extern const size_t appt_njob_handlers;

#endif
