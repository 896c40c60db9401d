/* push_store.h — SQL for push subscriptions, in the caller's tenant
 * transaction (RLS). */
#ifndef PUSH_STORE_H
#define PUSH_STORE_H

#include <stdbool.h>

#include "db/db.h"
#include "modules/push/push.h"

enum status push_store_count(struct db_tx *tx, const char *user_id, long *n) MUST_USE;
enum status push_store_upsert(struct db_tx *tx, const char *user_id,
    const struct push_subscription_in *in, bool *created) MUST_USE;
enum status push_store_delete(struct db_tx *tx, const char *user_id, const char *endpoint,
    bool *found) MUST_USE;

#endif
