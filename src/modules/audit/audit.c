/* audit.c — writes an audit row in the caller's transaction: encodes the
 * changes, the store inserts. */
#include "modules/audit/audit.h"

#include <stdlib.h>

#include "db/db.h"
#include "modules/audit/audit_store.h"

enum status
audit_record(struct db_tx *tx, const struct audit_actor *who, const char *action,
    const char *target_type, const char *target_id, json_t *changes)
{
	char *c = changes ? json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(changes);
	if (c != NULL)
		arena_defer(tx->arena, free, c);
	return audit_store_insert(tx, who, action, target_type, target_id, c);
}
