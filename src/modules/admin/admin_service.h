/* admin_service.h — the admin engine's rules, inside the module: the list
 * service (its query type is the store's), body checks against a
 * descriptor, the audit actor and write failures turned into errors that
 * name the field. The rest of the service API is public, in admin.h. */
#ifndef ADMIN_SERVICE_H
#define ADMIN_SERVICE_H

#include <jansson.h>
#include <stdbool.h>

#include "modules/admin/admin.h"
#include "modules/admin/admin_store.h"
#include "modules/audit/audit.h"

enum status admin_svc_list(struct ctx *ctx, const struct admin_target *t,
    const struct admin_list_q *q, struct admin_page *out) MUST_USE;

/* Checks body against res for a create or an update: the writable fields,
 * typed and limited, required ones present on create; then normalises.
 * *out is a new object (owned by ctx's arena) holding only fields to write. */
enum status admin_input_parse(struct ctx *ctx, const struct admin_resource *res, json_t *body,
    bool create, json_t **out) MUST_USE;

/* The audit actor of the context's principal. */
void admin_actor(const struct ctx *ctx, struct audit_actor *out);

/* Turns a failed write into an error naming the field where it can. */
enum status admin_write_failed(const struct admin_resource *res, struct db_tx *tx) MUST_USE;

#endif
