/* admin_service.h — the admin engine's rules: one transaction per call,
 * version checks, hooks, reference checks, audit rows with before/after,
 * and SQL failures turned into errors that name the field. */
#ifndef ADMIN_SERVICE_H
#define ADMIN_SERVICE_H

#include <jansson.h>
#include <stdbool.h>

#include "modules/admin/admin_store.h"
#include "modules/admin/resource.h"
#include "modules/audit/audit.h"

struct admin_ctx {
	const struct admin_resource *res;
	struct request *r;
	const char *parent_id;	/* a UUID, for nested collections */
};

enum status admin_svc_list(struct admin_ctx *c, const struct admin_list_q *q,
    struct admin_page *out) MUST_USE;
enum status admin_svc_get(struct admin_ctx *c, const char *id, json_t **row) MUST_USE;
enum status admin_svc_create(struct admin_ctx *c, json_t *input, json_t *warnings,
    json_t **row) MUST_USE;
/* have_version false: no check (deletes without If-Match). */
enum status admin_svc_update(struct admin_ctx *c, const char *id, bool have_version,
    long long version, json_t *input, json_t *warnings, json_t **row) MUST_USE;
enum status admin_svc_delete(struct admin_ctx *c, const char *id, bool have_version,
    long long version) MUST_USE;

/* The audit actor of the request's principal. */
void admin_actor(const struct ctx *ctx, struct audit_actor *out);

/* Turns a failed write into an error naming the field where it can. */
enum status admin_write_failed(const struct admin_resource *res, struct db_tx *tx) MUST_USE;

#endif
