/* audit.c — inserts audit_log rows in the caller's transaction. */
#include "modules/audit/audit.h"

#include <stdlib.h>

#include "db/db.h"

enum status
audit_record(struct db_tx *tx, const struct audit_actor *who, const char *action,
    const char *target_type, const char *target_id, json_t *changes)
{
	char *c = changes ? json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	const char *params[7] = { who->type, who->id, who->on_behalf_of, action,
		target_type, target_id, c };

	json_decref(changes);
	if (c != NULL)
		arena_defer(tx->arena, free, c);
	if (db_exec(tx, "INSERT INTO audit_log (tenant_id, actor_type, actor_id, on_behalf_of,"
	    " action, target_type, target_id, changes, request_id)"
	    " VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7::jsonb, $8)", 8,
	    (const char *[]){ params[0], params[1], params[2], params[3], params[4],
	    params[5], params[6], who->request_id }) == NULL)
		return db_status(tx);
	return ST_OK;
}
