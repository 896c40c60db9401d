/* catalog_service.c — the catalog's rules: the plan's staff seat limit,
 * one currency per service and its add-ons, resource units never below
 * what a service needs, time off that ends after it starts, and the set
 * endpoints (skills, weekly schedule, a resource's services), each one
 * transaction with its audit row. */
#include "modules/catalog/catalog_service.h"

#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "modules/billing/billing.h"
#include "modules/catalog/catalog_store.h"

/* Hooks ---------------------------------------------------------------------- */

enum status
catalog_service_guard(struct admin_op *op)
{
	json_t *cur = json_object_get(op->input, "currency");
	bool other = false;
	enum status st;

	if (op->verb != ADMIN_UPDATE || !json_is_string(cur) ||
	    json_equal(cur, json_object_get(op->before, "currency")))
		return ST_OK;
	if ((st = catalog_store_addon_other_currency(op->tx, op->id, json_string_value(cur),
	    &other)) != ST_OK)
		return st;
	if (other) {
		err_detail(op->ctx->err, "currency",
		    "differs from the currency of this service's add-ons; change theirs first");
		return err_set(op->ctx->err, ST_INVALID, "Some fields are invalid.");
	}
	return ST_OK;
}

enum status
catalog_addon_guard(struct admin_op *op)
{
	json_t *cur = json_object_get(op->input, "currency");
	char want[4];
	enum status st;

	if (op->verb == ADMIN_DELETE)
		return ST_OK;
	if ((st = catalog_store_service_currency(op->tx, op->parent_id, want)) != ST_OK)
		return st;
	/* An add-on is priced in its service's currency; given or not. */
	if (cur == NULL && op->verb == ADMIN_CREATE) {
		json_object_set_new(op->input, "currency", json_string(want));
		return ST_OK;
	}
	if (json_is_string(cur) && strcmp(json_string_value(cur), want) != 0) {
		err_detail(op->ctx->err, "currency", "must be the service's currency (%s)", want);
		return err_set(op->ctx->err, ST_INVALID, "Some fields are invalid.");
	}
	return ST_OK;
}

static bool
wants_seat(const struct admin_op *op)
{
	json_t *now = json_object_get(op->merged, "active");
	bool active = now == NULL || json_is_true(now);	/* the column's default */

	if (op->verb == ADMIN_CREATE)
		return active;
	if (op->verb == ADMIN_UPDATE)
		return active && !json_is_true(json_object_get(op->before, "active"));
	return false;
}

/* A login links to at most one live staff member: named here rather than
 * left to the unique index, whose violation could not say which field. */
static enum status
user_free(struct admin_op *op)
{
	json_t *uid = json_object_get(op->input, "user_id");
	bool taken = false;
	enum status st;

	if (!json_is_string(uid))
		return ST_OK;
	if ((st = catalog_store_user_linked(op->tx, json_string_value(uid), op->id, &taken)) != ST_OK)
		return st;
	if (taken) {
		err_detail(op->ctx->err, "user_id", "is already linked to another staff member");
		return err_set(op->ctx->err, ST_CONFLICT, "This login belongs to another staff member.");
	}
	return ST_OK;
}

enum status
catalog_staff_guard(struct admin_op *op)
{
	enum plan_tier tier;
	char plan[16];
	long used = 0;
	enum status st;

	if (op->verb != ADMIN_DELETE && (st = user_free(op)) != ST_OK)
		return st;
	if (!wants_seat(op))
		return ST_OK;
	/* Two concurrent hires must not both take the last seat. */
	if ((st = catalog_store_lock_seats(op->tx)) != ST_OK ||
	    (st = catalog_store_plan(op->tx, plan)) != ST_OK ||
	    (st = catalog_store_active_staff(op->tx, op->id, &used)) != ST_OK)
		return st;
	if (!plan_parse(plan, &tier))
		return err_set(op->ctx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	if ((st = plan_check_limit(tier, LIMIT_STAFF_SEATS, used, 1, op->ctx->err)) != ST_OK)
		err_detail(op->ctx->err, "active", "would exceed the plan's %s limit",
		    plan_limit_name(LIMIT_STAFF_SEATS));
	return st;
}

enum status
catalog_time_off_validate(struct admin_op *op)
{
	json_t *s = json_object_get(op->merged, "starts_at");
	json_t *e = json_object_get(op->merged, "ends_at");
	long long a, b;

	if (op->verb == ADMIN_DELETE || !json_is_string(s) || !json_is_string(e) ||
	    !admin_rfc3339_seconds(json_string_value(s), &a) ||
	    !admin_rfc3339_seconds(json_string_value(e), &b))
		return ST_OK;
	if (b <= a)
		err_detail(op->ctx->err, "ends_at", "must be after starts_at");
	else if (b - a > 366LL * 86400)
		err_detail(op->ctx->err, "ends_at", "must be at most 366 days after starts_at");
	else
		return ST_OK;
	return err_set(op->ctx->err, ST_INVALID, "Some fields are invalid.");
}

enum status
catalog_resource_guard(struct admin_op *op)
{
	json_t *q = json_object_get(op->input, "quantity");
	long need = 0;
	enum status st;

	if (op->verb != ADMIN_UPDATE || !json_is_integer(q))
		return ST_OK;
	if ((st = catalog_store_max_needed(op->tx, op->id, &need)) != ST_OK)
		return st;
	if (json_integer_value(q) < need) {
		err_detail(op->ctx->err, "quantity", "is below the %ld units a service needs", need);
		return err_set(op->ctx->err, ST_INVALID, "Some fields are invalid.");
	}
	return ST_OK;
}

/* Set endpoints ------------------------------------------------------------------- */

static int
by_string(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

static int
by_service_id(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "service_id")),
	    json_string_value(json_object_get(*(json_t *const *)b, "service_id")));
}

/* A copy of arr sorted as the store returns sets (so they compare equal),
 * owned by the request's arena. */
static json_t *
sorted(struct ctx *ctx, json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr);
	json_t **v = arena_calloc(ctx->arena, n + 1, sizeof(*v)), *out = json_array();

	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	arena_defer(ctx->arena, (void (*)(void *))json_decref, out);
	return out;
}

/* A set endpoint: values hanging off one row (a staff member's services
 * or weekly schedule, a resource's services), read and replaced as a
 * whole; a replacement bumps the row's version and is audited as one
 * change of `key`. */
struct set_kind {
	const struct admin_resource *res;
	const char *id_key;	/* "staff_id" */
	const char *key;	/* "service_ids" */
	const char *action;	/* "staff.services_replaced" */
	enum status (*load)(struct db_tx *tx, const char *id, json_t **cur);
	/* Writes want; arg is the endpoint's parsed form of it, if any. */
	enum status (*store)(struct db_tx *tx, const char *id, json_t *want, const void *arg);
};

struct schedule_arg {
	const struct admin_interval *iv;
	size_t n;
};

static enum status
schedule_load(struct db_tx *tx, const char *id, json_t **cur)
{
	return admin_intervals_load(tx, "staff_schedules", "staff_id", id, "starts", "ends", cur);
}

static enum status
schedule_store(struct db_tx *tx, const char *id, json_t *want, const void *arg)
{
	const struct schedule_arg *s = arg;

	(void)want;
	return admin_intervals_replace(tx, "staff_schedules", "staff_id", id, "starts", "ends",
	    s->iv, s->n);
}

static enum status
staff_services_store(struct db_tx *tx, const char *id, json_t *want, const void *arg)
{
	(void)arg;
	return catalog_store_replace_staff_services(tx, id, want);
}

static enum status
resource_services_store(struct db_tx *tx, const char *id, json_t *want, const void *arg)
{
	(void)arg;
	return catalog_store_replace_resource_services(tx, id, want);
}

static const struct set_kind staff_services = { &catalog_staff_res, "staff_id", "service_ids",
	"staff.services_replaced", catalog_store_staff_services, staff_services_store };
static const struct set_kind staff_schedule = { &catalog_staff_res, "staff_id", "intervals",
	"staff.schedule_replaced", schedule_load, schedule_store };
static const struct set_kind resource_services = { &catalog_resources_res, "resource_id",
	"items", "resource.services_replaced", catalog_store_resource_services,
	resource_services_store };

/* {<id_key>: id, <key>: set, "version": the row's}, owned by the arena. */
static json_t *
set_json(struct ctx *ctx, const struct set_kind *k, const char *id, json_t *set, json_t *row)
{
	json_t *out = json_pack("{s:s, s:O}", k->id_key, id, k->key, set);

	json_object_set(out, "version", json_object_get(row, "version"));
	arena_defer(ctx->arena, (void (*)(void *))json_decref, out);
	return out;
}

/* Loads the parent row (locked for a write) and checks If-Match. */
static enum status
load_parent(struct ctx *ctx, struct db_tx *tx, const struct admin_resource *res,
    const char *id, bool for_update, bool have_version, long long version, json_t **row)
{
	enum status st;

	if ((st = admin_load_row(tx, res, id, NULL, for_update, row)) != ST_OK)
		return st;
	if (have_version)
		return admin_check_version(ctx, res, *row, version);
	return ST_OK;
}

static enum status
set_get(struct ctx *ctx, const struct set_kind *k, const char *id, json_t **out)
{
	struct db_tx tx;
	json_t *row, *cur;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = load_parent(ctx, &tx, k->res, id, false, false, 0, &row)) != ST_OK ||
	    (st = k->load(&tx, id, &cur)) != ST_OK)
		goto out;
	*out = set_json(ctx, k, id, cur, row);
out:
	return db_tx_end(&tx, st);
}

/* In the transaction holding row locked: writes want unless it is what is
 * stored already, then bumps the row's version and audits the change. */
static enum status
set_write(struct ctx *ctx, struct db_tx *tx, const struct set_kind *k, const char *id,
    json_t *row, json_t *want, const void *arg, json_t **out)
{
	json_t *cur, *after = row;
	enum status st;

	if ((st = k->load(tx, id, &cur)) != ST_OK)
		return st;
	if (!json_equal(cur, want) &&
	    ((st = k->store(tx, id, want, arg)) != ST_OK ||
	    (st = admin_touch(tx, k->res, id, &after)) != ST_OK ||
	    (st = admin_audit(tx, ctx, k->action, k->res->name, id,
	    json_pack("{s:{s:O, s:O}}", k->key, "from", cur, "to", want))) != ST_OK))
		return st;
	*out = set_json(ctx, k, id, want, after);
	return ST_OK;
}

enum status
catalog_staff_services_get(struct ctx *ctx, const char *staff_id, json_t **out)
{
	return set_get(ctx, &staff_services, staff_id, out);
}

/* Names every item of ids that unknown lists (field[i]). */
static enum status
name_unknown(struct ctx *ctx, json_t *ids, json_t *unknown, const char *field,
    const char *key)
{
	size_t i, j;
	json_t *u, *v;

	json_array_foreach(unknown, j, u) {
		json_array_foreach(ids, i, v) {
			json_t *s = key ? json_object_get(v, key) : v;

			if (json_equal(s, u))
				err_detail(ctx->err, key ? arena_printf(ctx->arena, "%s[%zu].%s", field, i,
				    key) : arena_printf(ctx->arena, "%s[%zu]", field, i),
				    "is not a service of this business");
		}
	}
	return err_set(ctx->err, ST_INVALID, "Some services do not exist.");
}

/* Every service id (of ids, or of its items' key) is one of the tenant's. */
static enum status
check_services(struct ctx *ctx, struct db_tx *tx, json_t *ids, json_t *items,
    const char *field, const char *key)
{
	json_t *unknown;
	enum status st;

	if ((st = catalog_store_unknown_services(tx, ids, &unknown)) != ST_OK)
		return st;
	if (json_array_size(unknown) > 0)
		return name_unknown(ctx, items, unknown, field, key);
	return ST_OK;
}

enum status
catalog_staff_services_put(struct ctx *ctx, const char *staff_id, bool have_version,
    long long version, json_t *ids, json_t **out)
{
	struct db_tx tx;
	json_t *staff;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = load_parent(ctx, &tx, &catalog_staff_res, staff_id, true, have_version, version,
	    &staff)) != ST_OK ||
	    (st = check_services(ctx, &tx, ids, ids, "service_ids", NULL)) != ST_OK)
		goto out;
	st = set_write(ctx, &tx, &staff_services, staff_id, staff, sorted(ctx, ids, by_string),
	    NULL, out);
out:
	return db_tx_end(&tx, st);
}

enum status
catalog_staff_schedule_get(struct ctx *ctx, const char *staff_id, json_t **out)
{
	return set_get(ctx, &staff_schedule, staff_id, out);
}

enum status
catalog_staff_schedule_put(struct ctx *ctx, const char *staff_id, bool have_version,
    long long version, const struct admin_interval *iv, size_t n, json_t **out)
{
	json_t *want = admin_intervals_json(iv, n, "starts", "ends");
	struct schedule_arg arg = { iv, n };
	json_t *staff;
	struct db_tx tx;
	enum status st;

	arena_defer(ctx->arena, (void (*)(void *))json_decref, want);
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = load_parent(ctx, &tx, &catalog_staff_res, staff_id, true, have_version, version,
	    &staff)) != ST_OK)
		goto out;
	st = set_write(ctx, &tx, &staff_schedule, staff_id, staff, want, &arg, out);
out:
	return db_tx_end(&tx, st);
}

enum status
catalog_resource_services_get(struct ctx *ctx, const char *resource_id, json_t **out)
{
	return set_get(ctx, &resource_services, resource_id, out);
}

/* A service cannot need more units than the resource has. */
static enum status
check_units(struct ctx *ctx, json_t *res, json_t *items)
{
	long long units = json_integer_value(json_object_get(res, "quantity"));
	size_t i;
	json_t *v;

	json_array_foreach(items, i, v) {
		if (json_integer_value(json_object_get(v, "quantity_needed")) > units)
			err_detail(ctx->err, arena_printf(ctx->arena, "items[%zu].quantity_needed", i),
			    "is more than the %lld units this resource has", units);
	}
	if (ctx->err->ndetails > 0)
		return err_set(ctx->err, ST_INVALID, "Some fields are invalid.");
	return ST_OK;
}

enum status
catalog_resource_services_put(struct ctx *ctx, const char *resource_id,
    bool have_version, long long version, json_t *items, json_t **out)
{
	json_t *res, *ids = json_array(), *v;
	struct db_tx tx;
	size_t i;
	enum status st;

	arena_defer(ctx->arena, (void (*)(void *))json_decref, ids);
	json_array_foreach(items, i, v)
		json_array_append(ids, json_object_get(v, "service_id"));
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = load_parent(ctx, &tx, &catalog_resources_res, resource_id, true, have_version,
	    version, &res)) != ST_OK ||
	    (st = check_units(ctx, res, items)) != ST_OK ||
	    (st = check_services(ctx, &tx, ids, items, "items", "service_id")) != ST_OK)
		goto out;
	st = set_write(ctx, &tx, &resource_services, resource_id, res,
	    sorted(ctx, items, by_service_id), NULL, out);
out:
	return db_tx_end(&tx, st);
}
