/* catalog_store.c — SQL for the catalog's rules and set endpoints, and
 * only SQL. Everything runs in the caller's tenant transaction (RLS). */
#include "modules/catalog/catalog_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A deleted service is performed by nobody and needs no resource; a
 * deleted staff member performs nothing; a deleted resource serves nothing.
 * The rows go so that readers need not remember to filter them. */
const char *const catalog_service_after_delete[] = {
	"DELETE FROM staff_services WHERE service_id = $1::uuid",
	"DELETE FROM resource_services WHERE service_id = $1::uuid",
	NULL,
};
const char *const catalog_staff_after_delete[] = {
	"DELETE FROM staff_services WHERE staff_id = $1::uuid",
	NULL,
};
const char *const catalog_resource_after_delete[] = {
	"DELETE FROM resource_services WHERE resource_id = $1::uuid",
	NULL,
};

/* One-value queries ------------------------------------------------------------ */

/* Runs sql; *res is its result (NULL and a failed status on failure). */
static enum status
run(struct db_tx *tx, const char *sql, int n, const char *const *params, PGresult **res)
{
	if ((*res = db_exec(tx, sql, n, params)) == NULL)
		return db_status(tx);
	return ST_OK;
}

/* The text of the first row's first column ("" without rows). */
static enum status
one_text(struct db_tx *tx, const char *sql, int n, const char *const *params, char *out,
    size_t outsz)
{
	PGresult *res;
	enum status st;

	if ((st = run(tx, sql, n, params, &res)) == ST_OK)
		snprintf(out, outsz, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	return st;
}

static enum status
one_long(struct db_tx *tx, const char *sql, int n, const char *const *params, long *out)
{
	PGresult *res;
	enum status st;

	if ((st = run(tx, sql, n, params, &res)) == ST_OK)
		*out = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	return st;
}

static enum status
any_row(struct db_tx *tx, const char *sql, int n, const char *const *params, bool *found)
{
	PGresult *res;
	enum status st;

	if ((st = run(tx, sql, n, params, &res)) == ST_OK)
		*found = PQntuples(res) > 0;
	return st;
}

/* The JSON text of the first row's first column, parsed (arena-owned). */
static enum status
one_json(struct db_tx *tx, const char *sql, int n, const char *const *params, json_t **out)
{
	json_error_t je;
	PGresult *res;
	enum status st;

	if ((st = run(tx, sql, n, params, &res)) != ST_OK)
		return st;
	if ((*out = json_loads(PQgetvalue(res, 0, 0), 0, &je)) == NULL)
		return err_set(tx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	arena_defer(tx->arena, (void (*)(void *))json_decref, *out);
	return ST_OK;
}

static const char *
dump(struct db_tx *tx, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	if (s == NULL)
		abort();
	arena_defer(tx->arena, free, s);
	return s;
}

/* Rules ---------------------------------------------------------------------- */

enum status
catalog_store_plan(struct db_tx *tx, char plan[16])
{
	return one_text(tx, "SELECT plan FROM tenants WHERE id = app_tenant()", 0, NULL, plan, 16);
}

enum status
catalog_store_lock_seats(struct db_tx *tx)
{
	if (db_exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended("
	    "'staff_seats:' || app_tenant()::text, 0))", 0, NULL) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
catalog_store_active_staff(struct db_tx *tx, const char *except_id, long *n)
{
	return one_long(tx, "SELECT count(*) FROM staff WHERE active"
	    " AND deleted_at IS NULL AND ($1::uuid IS NULL OR id <> $1::uuid)", 1,
	    (const char *[]){ except_id }, n);
}

enum status
catalog_store_user_linked(struct db_tx *tx, const char *user_id, const char *except_id,
    bool *taken)
{
	return any_row(tx, "SELECT 1 FROM staff WHERE user_id = $1::uuid"
	    " AND deleted_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)", 2,
	    (const char *[]){ user_id, except_id }, taken);
}

enum status
catalog_store_service_currency(struct db_tx *tx, const char *service_id, char out[4])
{
	return one_text(tx, "SELECT currency FROM services WHERE id = $1::uuid"
	    " AND deleted_at IS NULL", 1, (const char *[]){ service_id }, out, 4);
}

enum status
catalog_store_addon_other_currency(struct db_tx *tx, const char *service_id,
    const char *currency, bool *found)
{
	return any_row(tx, "SELECT 1 FROM service_addons WHERE service_id = $1::uuid"
	    " AND deleted_at IS NULL AND currency <> $2 LIMIT 1", 2,
	    (const char *[]){ service_id, currency }, found);
}

enum status
catalog_store_max_needed(struct db_tx *tx, const char *resource_id, long *max)
{
	return one_long(tx, "SELECT coalesce(max(quantity_needed), 0)"
	    " FROM resource_services WHERE resource_id = $1::uuid", 1,
	    (const char *[]){ resource_id }, max);
}

/* Set endpoints ---------------------------------------------------------------- */

enum status
catalog_store_unknown_services(struct db_tx *tx, json_t *ids, json_t **unknown)
{
	return one_json(tx, "SELECT coalesce(json_agg(x ORDER BY o), '[]')::text"
	    " FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS a (x, o)"
	    " WHERE NOT EXISTS (SELECT 1 FROM services s WHERE s.id = a.x::uuid"
	    " AND s.deleted_at IS NULL)", 1, (const char *[]){ dump(tx, ids) }, unknown);
}

enum status
catalog_store_staff_services(struct db_tx *tx, const char *staff_id, json_t **ids)
{
	return one_json(tx, "SELECT coalesce(json_agg(service_id ORDER BY service_id),"
	    " '[]')::text FROM staff_services WHERE staff_id = $1::uuid", 1,
	    (const char *[]){ staff_id }, ids);
}

enum status
catalog_store_replace_staff_services(struct db_tx *tx, const char *staff_id, json_t *ids)
{
	const char *params[2] = { staff_id, dump(tx, ids) };

	if (db_exec(tx, "DELETE FROM staff_services WHERE staff_id = $1::uuid"
	    " AND service_id NOT IN (SELECT x::uuid FROM jsonb_array_elements_text($2::jsonb) x)",
	    2, params) == NULL ||
	    db_exec(tx, "INSERT INTO staff_services (tenant_id, staff_id, service_id)"
	    " SELECT app_tenant(), $1::uuid, x::uuid FROM jsonb_array_elements_text($2::jsonb) x"
	    " ON CONFLICT DO NOTHING", 2, params) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
catalog_store_resource_services(struct db_tx *tx, const char *resource_id, json_t **items)
{
	return one_json(tx, "SELECT coalesce(json_agg(json_build_object("
	    "'service_id', service_id, 'quantity_needed', quantity_needed) ORDER BY service_id),"
	    " '[]')::text FROM resource_services WHERE resource_id = $1::uuid", 1,
	    (const char *[]){ resource_id }, items);
}

enum status
catalog_store_replace_resource_services(struct db_tx *tx, const char *resource_id,
    json_t *items)
{
	const char *params[2] = { resource_id, dump(tx, items) };

	if (db_exec(tx, "DELETE FROM resource_services WHERE resource_id = $1::uuid"
	    " AND service_id NOT IN (SELECT (x->>'service_id')::uuid"
	    " FROM jsonb_array_elements($2::jsonb) x)", 2, params) == NULL ||
	    db_exec(tx, "INSERT INTO resource_services AS t (tenant_id, resource_id, service_id,"
	    " quantity_needed) SELECT app_tenant(), $1::uuid, (x->>'service_id')::uuid,"
	    " (x->>'quantity_needed')::int FROM jsonb_array_elements($2::jsonb) x"
	    " ON CONFLICT (tenant_id, resource_id, service_id) DO UPDATE"
	    " SET quantity_needed = EXCLUDED.quantity_needed"
	    " WHERE t.quantity_needed <> EXCLUDED.quantity_needed", 2, params) == NULL)
		return db_status(tx);
	return ST_OK;
}
