/* admin_service.c — the admin engine's rules, for any caller holding a
 * ctx (a route, a job, the CLI). The body is checked against the
 * descriptor first; then each call is one transaction in the context's
 * tenant: parent and row checks, the version check (If-Match), the
 * descriptor's hooks, reference checks that name the field, the write,
 * and its audit row — all or nothing. */
#include "modules/admin/admin_service.h"

#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "modules/auth/auth.h"

/* One mapping of principal to audit actor for every module: the auth
 * module's (act-as: the platform administrator, on behalf of "act_as"). */
void
admin_actor(const struct ctx *ctx, struct audit_actor *out)
{
	auth_actor(ctx, out);
}

enum status
admin_audit(struct db_tx *tx, const struct ctx *ctx, const char *action,
    const char *target_type, const char *target_id, json_t *changes)
{
	struct audit_actor who;

	admin_actor(ctx, &who);
	return audit_record(tx, &who, action, target_type, target_id, changes);
}

static bool
audited(const struct admin_field *f)
{
	return !(f->flags & (AF_SECRET | AF_NOAUDIT));
}

static void
diff_one(json_t *changes, const char *name, json_t *before, json_t *after)
{
	json_t *a = before ? json_object_get(before, name) : NULL;
	json_t *b = after ? json_object_get(after, name) : NULL;

	if (a == NULL)
		a = json_null();
	if (b == NULL)
		b = json_null();
	if (json_equal(a, b))
		return;
	json_object_set_new(changes, name, json_pack("{s:O, s:O}", "from", a, "to", b));
}

json_t *
admin_diff(const struct admin_resource *res, json_t *before, json_t *after)
{
	json_t *changes = json_object();

	for (size_t i = 0; i < res->nfields; i++)
		if (audited(&res->fields[i]))
			diff_one(changes, res->fields[i].v.name, before, after);
	if (res->flags & ADMIN_SOFT_DELETE)
		diff_one(changes, "deleted_at", before, after);
	if (json_object_size(changes) == 0) {
		json_decref(changes);
		return NULL;
	}
	return changes;
}

static const char *
title(const struct admin_resource *res)
{
	return res->title ? res->title : res->name;
}

enum status
admin_write_failed(const struct admin_resource *res, struct db_tx *tx)
{
	enum status st = db_status(tx);
	const char *s = tx->sqlstate;

	if (strcmp(s, "23505") == 0) {
		if (res->unique_field != NULL)
			err_detail(tx->err, res->unique_field, "is already used by another %s",
			    title(res));
		return err_set(tx->err, ST_CONFLICT, "Another %s already has this %s.", title(res),
		    res->unique_field ? res->unique_field : "value");
	}
	if (strcmp(s, "23P01") == 0) {
		if (res->overlap_field != NULL)
			err_detail(tx->err, res->overlap_field, "overlaps another %s", title(res));
		return err_set(tx->err, ST_CONFLICT, "This %s overlaps another one.", title(res));
	}
	if (strcmp(s, "23514") == 0 || strcmp(s, "23502") == 0 || strncmp(s, "22", 2) == 0)
		return err_set(tx->err, ST_INVALID, "A value is out of the allowed range.");
	if (strcmp(s, "23503") == 0)
		return err_set(tx->err, ST_INVALID, "A referenced item does not exist.");
	return st;
}

/* The parent row of a nested collection must exist (and be live). */
static enum status
check_parent(struct ctx *ctx, const struct admin_target *t, struct db_tx *tx)
{
	const struct admin_parent *pa = t->res->parent;
	bool found = false;
	enum status st;

	if (pa == NULL)
		return ST_OK;
	if ((st = admin_store_exists(tx, pa->table, "id", pa->soft ? "deleted_at IS NULL" : NULL,
	    t->parent_id, &found)) != ST_OK)
		return st;
	if (!found)
		return err_set(ctx->err, ST_NOTFOUND, "No %s with this id.", pa->what);
	return ST_OK;
}

/* Every reference being written points at a row of this tenant. */
static enum status
check_refs(struct ctx *ctx, const struct admin_resource *res, struct db_tx *tx, json_t *set)
{
	size_t before = ctx->err->nviolations;

	for (size_t i = 0; i < res->nfields; i++) {
		const struct admin_field *f = &res->fields[i];
		json_t *v = json_object_get(set, f->v.name);
		bool found = false;
		enum status st;

		if (f->ref == NULL || v == NULL || !json_is_string(v))
			continue;
		if ((st = admin_store_exists(tx, f->ref->table, f->ref->column, f->ref->live,
		    json_string_value(v), &found)) != ST_OK)
			return st;
		if (!found)
			err_detail(ctx->err, f->v.name, "is not a %s of this business",
			    f->ref->what);
	}
	if (ctx->err->nviolations > before)
		return err_set(ctx->err, ST_INVALID, "Some fields are invalid.");
	return ST_OK;
}

static enum status
run_hooks(struct admin_op *op)
{
	enum status st;

	if (op->res->validate != NULL && (st = op->res->validate(op)) != ST_OK)
		return st;
	if (op->res->guard != NULL && (st = op->res->guard(op)) != ST_OK)
		return st;
	return ST_OK;
}

enum status
admin_load_row(struct db_tx *tx, const struct admin_resource *res, const char *id,
    const char *parent_id, bool for_update, json_t **row)
{
	enum status st;

	if ((st = admin_store_one(tx, res, id, parent_id, for_update, row)) != ST_OK)
		return st;
	if (*row == NULL)
		return err_set(tx->err, ST_NOTFOUND, "No %s with this id.", title(res));
	return ST_OK;
}

enum status
admin_check_version(const struct ctx *ctx, const struct admin_resource *res, json_t *row,
    long long version)
{
	long long have = json_integer_value(json_object_get(row, "version"));

	if (have == version)
		return ST_OK;
	err_detail(ctx->err, "If-Match", "is version %lld; the current version is %lld",
	    version, have);
	return err_set(ctx->err, ST_CONFLICT,
	    "This %s was changed since you read it (now version %lld); reload it and try again.",
	    title(res), have);
}

/* Opens the call's transaction and checks the parent row; on failure the
 * transaction is still to be ended (db_tx_end is safe on a failed begin). */
static enum status
begin(struct ctx *ctx, const struct admin_target *t, struct db_tx *tx)
{
	enum status st;

	if ((st = db_tx_begin(tx, ctx)) != ST_OK)
		return st;
	return check_parent(ctx, t, tx);
}

/* The op a hook sees for one call on t. */
static struct admin_op
op_for(struct ctx *ctx, const struct admin_target *t, struct db_tx *tx, enum admin_verb verb,
    const char *id)
{
	return (struct admin_op){ .res = t->res, .ctx = ctx, .tx = tx, .verb = verb,
		.id = id, .parent_id = t->parent_id };
}

/* The audit row of a write: "<name>.<verb>" on the row (on the tenant for
 * a singleton). Steals changes. */
static enum status
audit_write(struct ctx *ctx, struct db_tx *tx, const struct admin_resource *res,
    const char *verb, const char *id, json_t *changes)
{
	return admin_audit(tx, ctx, arena_printf(ctx->arena, "%s.%s", res->name, verb), res->name,
	    (res->flags & ADMIN_SINGLETON) ? ctx->tenant.id : id, changes);
}

static void
attach_warnings(json_t *row, json_t *warnings)
{
	if (json_array_size(warnings) > 0)
		json_object_set(row, "warnings", warnings);
}

static json_t *
new_warnings(struct ctx *ctx)
{
	json_t *w = json_array();

	arena_defer(ctx->arena, (void (*)(void *))json_decref, w);
	return w;
}

enum status
admin_svc_list(struct ctx *ctx, const struct admin_target *t, const struct admin_list_q *q,
    struct admin_page *out)
{
	struct db_tx tx;
	enum status st;

	if ((st = begin(ctx, t, &tx)) != ST_OK)
		goto out;
	st = admin_store_list(&tx, t->res, q, t->parent_id, out);
	if (st != ST_OK && q->has_cursor && strncmp(tx.sqlstate, "22", 2) == 0) {
		/* A cursor whose values do not parse as the sort column's type. */
		err_detail(ctx->err, "cursor", "is not a cursor of this list");
		st = err_set(ctx->err, ST_INVALID, "The cursor is invalid.");
	}
out:
	return db_tx_end(&tx, st);
}

enum status
admin_svc_get(struct ctx *ctx, const struct admin_target *t, const char *id, json_t **row)
{
	struct db_tx tx;
	enum status st;

	if ((st = begin(ctx, t, &tx)) != ST_OK)
		goto out;
	st = admin_load_row(&tx, t->res, id, t->parent_id, false, row);
	if (st == ST_NOTFOUND && (t->res->flags & ADMIN_SINGLETON))
		st = err_set(ctx->err, ST_NOTFOUND, "This business has no %s yet.", title(t->res));
out:
	return db_tx_end(&tx, st);
}

/* Inserts in an open transaction: hooks, references, insert, audit. */
static enum status
create_in(struct ctx *ctx, const struct admin_target *t, struct db_tx *tx, json_t *input,
    json_t *warnings, const char *verb, json_t **row)
{
	struct admin_op op = op_for(ctx, t, tx, ADMIN_CREATE, NULL);
	enum status st;

	op.input = op.merged = input;
	op.warnings = warnings;
	if ((st = run_hooks(&op)) != ST_OK)
		return st;
	if ((st = check_refs(ctx, t->res, tx, input)) != ST_OK)
		return st;
	if ((st = admin_store_insert(tx, t->res, input, t->parent_id, row)) != ST_OK)
		return admin_write_failed(t->res, tx);
	if (*row == NULL)
		return err_set(ctx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return audit_write(ctx, tx, t->res, verb,
	    json_string_value(json_object_get(*row, "id")), admin_diff(t->res, NULL, *row));
}

enum status
admin_svc_create(struct ctx *ctx, const struct admin_target *t, json_t *body, json_t **row)
{
	json_t *in, *warnings = new_warnings(ctx);
	struct db_tx tx;
	enum status st;

	if ((st = admin_input_parse(ctx, t->res, body, true, &in)) != ST_OK)
		return st;
	if ((st = begin(ctx, t, &tx)) != ST_OK)
		goto out;
	if ((st = create_in(ctx, t, &tx, in, warnings, "created", row)) == ST_OK)
		attach_warnings(*row, warnings);
out:
	return db_tx_end(&tx, st);
}

/* The fields of input whose value differs from the row's. */
static json_t *
changed_fields(json_t *input, json_t *before)
{
	json_t *set = json_object(), *v;
	const char *k;

	json_object_foreach(input, k, v) {
		json_t *old = json_object_get(before, k);

		if (old == NULL || !json_equal(old, v))
			json_object_set(set, k, v);
	}
	return set;
}

/* Writes what changes of op->input over op->before, with its audit row;
 * nothing changes: no write, no audit, the row as it was. */
static enum status
update_row(struct admin_op *op, json_t **row)
{
	json_t *set = changed_fields(op->input, op->before);
	enum status st;

	if (json_object_size(set) == 0) {
		*row = op->before;
		st = ST_OK;
		goto out;
	}
	if ((st = check_refs(op->ctx, op->res, op->tx, set)) != ST_OK)
		goto out;
	if ((st = admin_store_update(op->tx, op->res, set, op->id, op->parent_id, row)) != ST_OK) {
		st = admin_write_failed(op->res, op->tx);
		goto out;
	}
	if (*row == NULL) {
		st = err_set(op->ctx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
		goto out;
	}
	st = audit_write(op->ctx, op->tx, op->res, "updated", op->id,
	    admin_diff(op->res, op->before, *row));
out:
	json_decref(set);
	return st;
}

/* The update in an open transaction: the row (upserted for a singleton),
 * the version, the hooks over the merged row, the write. */
static enum status
update_in(struct admin_op *op, const struct admin_target *t, bool have_version,
    long long version, json_t **row)
{
	json_t *merged = NULL;
	enum status st;

	if ((st = admin_store_one(op->tx, op->res, op->id, op->parent_id, true, &op->before))
	    != ST_OK)
		return st;
	if (op->before == NULL && (op->res->flags & ADMIN_SINGLETON))
		return create_in(op->ctx, t, op->tx, op->input, op->warnings, "updated", row);
	if (op->before == NULL)
		return err_set(op->ctx->err, ST_NOTFOUND, "No %s with this id.", title(op->res));
	if (have_version &&
	    (st = admin_check_version(op->ctx, op->res, op->before, version)) != ST_OK)
		return st;
	merged = json_deep_copy(op->before);
	json_object_update(merged, op->input);
	op->merged = merged;
	if ((st = run_hooks(op)) == ST_OK)
		st = update_row(op, row);
	json_decref(merged);
	return st;
}

enum status
admin_svc_update(struct ctx *ctx, const struct admin_target *t, const char *id,
    bool have_version, long long version, json_t *body, json_t **row)
{
	struct admin_op op = op_for(ctx, t, NULL, ADMIN_UPDATE, id);
	struct db_tx tx;
	enum status st;

	op.warnings = new_warnings(ctx);
	if ((st = admin_input_parse(ctx, t->res, body, false, &op.input)) != ST_OK)
		return st;
	op.tx = &tx;
	if ((st = begin(ctx, t, &tx)) != ST_OK)
		goto out;
	if ((st = update_in(&op, t, have_version, version, row)) == ST_OK)
		attach_warnings(*row, op.warnings);
out:
	return db_tx_end(&tx, st);
}

enum status
admin_svc_delete(struct ctx *ctx, const struct admin_target *t, const char *id,
    bool have_version, long long version)
{
	const struct admin_resource *res = t->res;
	struct admin_op op = op_for(ctx, t, NULL, ADMIN_DELETE, id);
	json_t *before = NULL, *after = NULL;
	struct db_tx tx;
	enum status st;

	op.tx = &tx;
	if ((st = begin(ctx, t, &tx)) != ST_OK)
		goto out;
	if ((st = admin_load_row(&tx, res, id, t->parent_id, true, &before)) != ST_OK)
		goto out;
	if (have_version && (st = admin_check_version(ctx, res, before, version)) != ST_OK)
		goto out;
	op.before = op.merged = before;
	if (res->guard != NULL && (st = res->guard(&op)) != ST_OK)
		goto out;
	if ((st = admin_store_delete(&tx, res, id, t->parent_id, &after)) != ST_OK) {
		st = admin_write_failed(res, &tx);
		goto out;
	}
	for (const char *const *s = res->after_delete; s != NULL && *s != NULL; s++)
		if ((st = admin_store_exec_id(&tx, *s, id)) != ST_OK)
			goto out;
	/* A soft delete records deleted_at; a hard one, what was removed. */
	st = audit_write(ctx, &tx, res, "deleted", id, admin_diff(res, before,
	    (res->flags & ADMIN_SOFT_DELETE) ? after : NULL));
out:
	return db_tx_end(&tx, st);
}

enum status
admin_touch(struct db_tx *tx, const struct admin_resource *res, const char *id, json_t **row)
{
	json_t *none = json_object();
	enum status st = admin_store_update(tx, res, none, id, NULL, row);

	json_decref(none);
	if (st == ST_OK && *row == NULL)
		st = err_set(tx->err, ST_NOTFOUND, "No %s with this id.", title(res));
	return st;
}

enum status
admin_update_row(struct db_tx *tx, const struct admin_resource *res, json_t *set,
    const char *id, json_t **row)
{
	return admin_store_update(tx, res, set, id, NULL, row);
}
