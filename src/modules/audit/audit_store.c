/* audit_store.c — the audit log's SQL, and only SQL. */
#include "modules/audit/audit_store.h"

#include "db/db.h"

enum status
audit_store_insert(struct db_tx *tx, const struct audit_actor *who, const char *action,
    const char *target_type, const char *target_id, const char *changes)
{
	const char *params[8] = { who->type, who->id, who->on_behalf_of, action,
		target_type, target_id, changes, who->request_id };

	/* Queued: the row goes with the transaction's next statement. */
	return db_queue(tx, "INSERT INTO audit_log (tenant_id, actor_type, actor_id, on_behalf_of,"
	    " action, target_type, target_id, changes, request_id)"
	    " VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7::jsonb, $8)", 8, params);
}
