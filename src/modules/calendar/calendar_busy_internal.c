/* calendar_busy_internal.c — placeholder for calendar_busy() until provider
 * sync lands: the internal calendar has no external busy times (our own
 * appointments are read by availability directly). */
#include "modules/calendar/calendar.h"

enum status
calendar_busy(struct app *app, struct arena *a, const char *tenant_id,
    const char *const *staff_ids, size_t nstaff, int64_t from, int64_t to,
    struct calendar_busy *out)
{
	(void)app;
	(void)a;
	(void)tenant_id;
	(void)staff_ids;
	(void)nstaff;
	(void)from;
	(void)to;
	out->ranges = NULL;
	out->n = 0;
	return ST_OK;
}
