/* audit.h — the audit log: who did what to which target, written in the
 * same transaction as the change itself, so a change without its audit
 * row cannot commit. */
#ifndef AUDIT_H
#define AUDIT_H

#include <jansson.h>

#include "core/status.h"

struct db_tx;

struct audit_actor {
	const char *type;	/* user, api_key, service, ai, system, platform, webhook */
	const char *id;		/* may be NULL */
	const char *on_behalf_of;	/* "act as": the platform admin behind a user */
	const char *request_id;
};

/* changes: {"field": {"from": …, "to": …}} without secrets; may be NULL.
 * The reference to changes is stolen. */
enum status audit_record(struct db_tx *tx, const struct audit_actor *who,
    const char *action, const char *target_type, const char *target_id,
    json_t *changes) MUST_USE;

#endif
