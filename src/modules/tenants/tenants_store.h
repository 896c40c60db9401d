/* tenants_store.h — the tenants module's SQL. */
#ifndef TENANTS_STORE_H
#define TENANTS_STORE_H

#include <stdbool.h>

#include "db/db.h"
#include "http/http.h"
#include "modules/tenants/tenants.h"

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
PGresult *tenants_store_list(struct db_tx *tx);
enum status tenants_store_set_status(struct db_tx *tx, const char *slug,
    const char *status, char id_out[UUID_STR_LEN + 1]) MUST_USE;

#endif
