/* push_store.h — SQL for push subscriptions, in the caller's tenant
 * transaction (RLS). */
#ifndef PUSH_STORE_H
#define PUSH_STORE_H

#include <stdbool.h>

#include "db/db.h"
#include "modules/push/push.h"

/* Enqueues the job kind (payload borrowed) when someone of the
 * transaction's tenant has subscribed a browser. */
enum status push_store_enqueue(struct db_tx *tx, const char *kind, json_t *payload,
    const char *key) MUST_USE;
enum status push_store_count(struct db_tx *tx, const char *user_id, long *n) MUST_USE;
enum status push_store_upsert(struct db_tx *tx, const char *user_id,
    const struct push_subscription_in *in, bool *created) MUST_USE;
enum status push_store_delete(struct db_tx *tx, const char *user_id, const char *endpoint,
    bool *found) MUST_USE;


/* Sending ------------------------------------------------------------------ */

/* A recipient: one subscription of a member, with the member's role and
 * whether the booking (if any) has an item of the member's own staff row. */
struct push_recipient {
	const char *subscription_id;
	const char *role;
	bool own_booking;
};
enum status push_store_recipients(struct db_tx *tx, const char *booking_id,
    struct push_recipient **out, size_t *n) MUST_USE;
/* The customer's last message and name (either may be NULL). */
enum status push_store_handoff(struct db_tx *tx, const char *conversation_id,
    const char **last_message, const char **customer_name) MUST_USE;
/* ST_NOTFOUND when the booking is gone. */
enum status push_store_booking(struct db_tx *tx, const char *booking_id,
    const char **reference, const char **starts_at) MUST_USE;
/* ST_NOTFOUND when the subscription is gone; keys in bytea text form. */
enum status push_store_subscription(struct db_tx *tx, const char *id, const char **endpoint,
    const char **p256dh, const char **auth) MUST_USE;
enum status push_store_delete_id(struct db_tx *tx, const char *id) MUST_USE;

#endif
