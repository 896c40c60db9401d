/* idempotency.h — Idempotency-Key for creates (bookings, orders,
 * payments). The key is claimed inside the same transaction as the create:
 * a concurrent retry with the same key waits on the unique index until the
 * first commits, then replays its stored reply. Same key + same body →
 * the same reply; same key + another body → 422. Keys expire after 24 h
 * (purged by the periodic job). */
#ifndef DB_IDEMPOTENCY_H
#define DB_IDEMPOTENCY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

struct db_tx;

#define IDEMPOTENCY_KEY_MAX 255

struct idem {
	const char *scope;	/* e.g. "bookings.create" */
	const char *key;
	unsigned char request_hash[32];
	bool replay;		/* a stored reply exists: send it */
	int replay_status;
	const char *replay_body;	/* arena-owned */
};

/* Validates the header value (1..255 printable ASCII). */
bool idem_key_ok(const char *key);

/* Claims scope/key for this request body in tx (which must be a tenant
 * transaction). On a replay, sets idem->replay and the stored reply; on a
 * key reused with another body, ST_UNPROCESSABLE. */
enum status idem_begin(struct db_tx *tx, struct idem *idem, const char *scope,
    const char *key, const char *body, size_t body_len) MUST_USE;

/* Stores the reply to replay later; call before committing tx. */
enum status idem_finish(struct db_tx *tx, const struct idem *idem, int status,
    const char *body) MUST_USE;

#endif
