/* messages.h — everything the product sends to a person: the tenant's
 * outbox (notification_outbox: its customers and its team, e-mail or SMS)
 * and the platform's (platform_outbox: password resets). A message is
 * queued in the caller's transaction, so it exists exactly when the change
 * that causes it commits, and the "messages.send" job delivers it. */
#ifndef MESSAGES_H
#define MESSAGES_H

#include <jansson.h>
#include <stdint.h>

#include "core/status.h"
#include "db/jobs.h"
#include "http/router.h"

struct db_tx;

enum message_channel { MESSAGE_EMAIL, MESSAGE_SMS };

struct message_new {
	enum message_channel channel;
	const char *recipient;		/* an e-mail address, or an E.164 number */
	const char *template_name;	/* "booking.confirmed", … (see docs/messages.md) */
	json_t *payload;		/* borrowed; NULL is {} */
	const char *dedupe_key;		/* NULL, or one message per key and tenant */
	const char *booking_id;		/* NULL, or the booking it is about (cancellable) */
	int64_t send_at;		/* epoch seconds; 0 is now */
};

/* Queues m in tx's tenant outbox. A message whose dedupe_key is already
 * there is not queued again (ST_OK). */
enum status messages_queue(struct db_tx *tx, const struct message_new *m) MUST_USE;

/* Queues m in the platform's outbox (mail of no tenant); tx may carry a
 * tenant or none. */
enum status messages_queue_platform(struct db_tx *tx, const struct message_new *m) MUST_USE;

/* Queues the business's alert (template, payload) to its owner and, when
 * staff_id names a staff member with an e-mail, to them too. */
enum status messages_alert_business(struct db_tx *tx, const char *template_name,
    json_t *payload, const char *staff_id, const char *booking_id) MUST_USE;

/* Cancels the queued messages of a booking whose dedupe_key starts with
 * key_prefix (NULL: all of them), e.g. its reminders when it moves. */
enum status messages_cancel_booking(struct db_tx *tx, const char *booking_id,
    const char *key_prefix) MUST_USE;

extern const struct route_table messages_routes;
extern const struct job_table messages_job_handlers;
extern const struct periodic_table messages_periodic_jobs;

#endif
