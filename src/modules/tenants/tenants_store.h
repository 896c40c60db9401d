/* tenants_store.h — the tenants module's SQL (module-private). */
#ifndef TENANTS_STORE_H
#define TENANTS_STORE_H

#include <stdbool.h>

#include "core/ctx.h"
#include "db/db.h"

/* Declared in tenants.h; this header stays free of the HTTP layer. */
struct act_as_in;
struct tenant_new;
struct tenant_row;

/* Cross-tenant lookups through the SECURITY DEFINER functions. */
enum status tenants_store_resolve_host(struct db_tx *tx, const char *host,
    bool *found, struct tenant_ref *out) MUST_USE;
enum status tenants_store_resolve_ref(struct db_tx *tx, const char *ref,
    bool *found, struct tenant_ref *out) MUST_USE;

/* The public profile as JSON text, in the transaction's tenant. */
enum status tenants_store_public_json(struct db_tx *tx, const char **json) MUST_USE;

enum status tenants_store_insert(struct db_tx *tx, const struct tenant_new *in,
    const char *id) MUST_USE;
/* Owner connection only: every tenant. */
enum status tenants_store_list(struct db_tx *tx, struct tenant_row **rows,
    size_t *n) MUST_USE;
enum status tenants_store_set_status(struct db_tx *tx, const char *slug,
    const char *status, char id_out[UUID_STR_LEN + 1]) MUST_USE;

/* The platform operator's functions (SECURITY DEFINER, re-checking that
 * actor is a platform administrator). Tenants as JSON text. */
struct platform_tenant_row {
	const char *json;
	const char *created_at;	/* the paging key */
	const char *id;
};
/* Up to limit rows after (after_ts, after_id) (both NULL: from the start),
 * of status (NULL: any) whose slug or name contains q (NULL: any). */
enum status tenants_store_platform_list(struct db_tx *tx, const char *actor,
    const char *status, const char *q, const char *after_ts, const char *after_id, int limit,
    struct platform_tenant_row **rows, size_t *n) MUST_USE;
/* One tenant with its usage, invitations and platform activity; the
 * platform overview. JSON text, *json NULL when there is no such tenant. */
enum status tenants_store_platform_detail(struct db_tx *tx, const char *actor, const char *id,
    const char **json) MUST_USE;
enum status tenants_store_platform_overview(struct db_tx *tx, const char *actor,
    const char **json) MUST_USE;
enum status tenants_store_platform_get(struct db_tx *tx, const char *actor, const char *id,
    const char **json) MUST_USE;
enum status tenants_store_platform_create(struct db_tx *tx, const char *actor,
    const struct tenant_new *in, const char *request_id, const char **id) MUST_USE;
/* *found = false when there is no such tenant. */
enum status tenants_store_platform_set_status(struct db_tx *tx, const char *actor,
    const char *id, const char *status, const char *reason, const char *request_id,
    bool *found) MUST_USE;
enum status tenants_store_platform_set_plan(struct db_tx *tx, const char *actor,
    const char *id, const char *plan, const char *request_id, bool *found) MUST_USE;
struct act_as_row {
	bool found;
	const char *session_id;
	const char *expires_at;
};
enum status tenants_store_act_as_start(struct db_tx *tx, const char *actor,
    const struct act_as_in *in, const char *token_hash_hex, const char *csrf,
    const char *request_id, struct act_as_row *out) MUST_USE;
/* Arms the session's one-time hand-off (hash of the token, ≤ 60 s). */
enum status tenants_store_act_as_handoff(struct db_tx *tx, const char *actor,
    const char *session_id, const char *hash_hex, int ttl_s, const char **expires_at) MUST_USE;

/* The tenant admin's own statements (in the tenant's transaction). */
enum status tenants_store_is_iana_zone(struct db_tx *tx, const char *zone, bool *ok) MUST_USE;
enum status tenants_store_plan(struct db_tx *tx, char plan[16]) MUST_USE;

#endif
