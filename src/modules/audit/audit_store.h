/* audit_store.h — the audit log's SQL (module-private). */
#ifndef AUDIT_STORE_H
#define AUDIT_STORE_H

#include "modules/audit/audit.h"

/* changes: compact JSON text or NULL. */
enum status audit_store_insert(struct db_tx *tx, const struct audit_actor *who,
    const char *action, const char *target_type, const char *target_id,
    const char *changes) MUST_USE;

#endif
