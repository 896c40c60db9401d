/* calendar_internal.c — the default calendar: our own appointments. It has
 * no busy times of its own (availability reads our bookings directly) and
 * nothing to push, so every operation succeeds without a network call. A
 * tenant with no connection is on this calendar. */
#include "providers/calendar_provider.h"

static enum status
internal_free_busy(struct calendar_call *call, const struct calendar_conn *c, int64_t from,
    int64_t to, struct calendar_ranges *out)
{
	(void)call;
	(void)c;
	(void)from;
	(void)to;
	out->v = NULL;
	out->n = 0;
	return ST_OK;
}

static enum status
internal_create(struct calendar_call *call, const struct calendar_conn *c,
    const struct calendar_event *ev, const char **external_id)
{
	(void)call;
	(void)c;
	*external_id = ev->booking_id;	/* the booking is the event */
	return ST_OK;
}

static enum status
internal_update(struct calendar_call *call, const struct calendar_conn *c, const char *id,
    const struct calendar_event *ev, const char **external_id)
{
	(void)call;
	(void)c;
	(void)ev;
	*external_id = id;
	return ST_OK;
}

static enum status
internal_delete(struct calendar_call *call, const struct calendar_conn *c, const char *id)
{
	(void)call;
	(void)c;
	(void)id;
	return ST_OK;
}

static enum status
internal_gone(struct calendar_call *call, const struct calendar_conn *c, const char *id,
    bool *gone)
{
	(void)call;
	(void)c;
	(void)id;
	*gone = false;
	return ST_OK;
}

static enum status
internal_validate(struct calendar_call *call, const struct calendar_conn *c)
{
	(void)call;
	(void)c;
	return ST_OK;
}

const struct calendar_provider calendar_internal_provider = {
	.name = "internal",
	.free_busy = internal_free_busy,
	.create_event = internal_create,
	.update_event = internal_update,
	.delete_event = internal_delete,
	.event_gone = internal_gone,
	.validate = internal_validate,
};
