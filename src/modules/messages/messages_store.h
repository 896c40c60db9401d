/* messages_store.h — the outboxes' SQL (messages_store.c). */
#ifndef MESSAGES_STORE_H
#define MESSAGES_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/status.h"
#include "modules/messages/messages.h"

struct db_tx;

/* A claimed message, in 'sending'. tenant_id NULL: the platform's. */
struct msg_row {
	const char *tenant_id, *id, *channel, *recipient, *template_name, *payload, *booking_id;
	int attempts;
};

/* What the tenant's mail looks like (read under its RLS). */
struct msg_tenant {
	const char *name, *primary, *accent, *logo_url, *contact_email, *address, *zone;
	const char *plan, *slug;
};

struct msg_filter {
	const char *status;	/* NULL, "failed" (failed+dead+bounced), "queued", "sent" */
	const char *channel;	/* NULL, email, sms */
	int limit;
	const char *after_ts, *after_id;
};

enum status messages_store_insert(struct db_tx *tx, const struct message_new *m,
    bool platform) MUST_USE;
enum status messages_store_business_recipients(struct db_tx *tx, const char *staff_id,
    const char ***emails, size_t *n) MUST_USE;
enum status messages_store_cancel_booking(struct db_tx *tx, const char *booking_id,
    const char *key_prefix) MUST_USE;
enum status messages_store_claim(struct db_tx *tx, int limit, struct msg_row **rows,
    size_t *n) MUST_USE;
/* status: sent | failed | suppressed | dead | queued (retry after retry_s). */
enum status messages_store_record(struct db_tx *tx, const struct msg_row *row,
    const char *status, const char *provider_id, int segments, const char *error,
    int retry_s, bool refund) MUST_USE;
enum status messages_store_tenant(struct db_tx *tx, struct msg_tenant *out) MUST_USE;
/* One page of the tenant's messages as JSON objects (limit + 1 rows read). */
enum status messages_store_list(struct db_tx *tx, const struct msg_filter *f, json_t **items,
    const char **next_ts, const char **next_id) MUST_USE;
/* Back to queued, due now, attempts reset (a bounced one's address off the
 * bounce list); *found false if no such row in failed/dead/bounced/sending. */
enum status messages_store_retry(struct db_tx *tx, const char *id, json_t **out,
    bool *found) MUST_USE;

/* The customer behind this e-mail message stops the business's reminder
 * e-mails: the address is opted out and its queued reminders suppressed.
 * *found false when the tenant has no such e-mail message. */
enum status messages_store_unsubscribe(struct db_tx *tx, const char *message_id,
    const char *source, bool *found) MUST_USE;
/* Why a tenant's e-mail of this template to this address must not go: the
 * address bounced before (any template), or the customer stopped the
 * business's reminders (reminders only). */
enum msg_block { MSG_BLOCK_NONE, MSG_BLOCK_BOUNCED, MSG_BLOCK_UNSUBSCRIBED };
enum status messages_store_email_block(struct db_tx *tx, const char *template_name,
    const char *email, enum msg_block *out) MUST_USE;

/* One more send job now (platform), once per key. */
enum status messages_store_continue(struct db_tx *tx, const char *key) MUST_USE;

#endif
