/* tenants_store.c — SQL for tenants, and only SQL. */
#include "modules/tenants/tenants_store.h"

#include <stdio.h>
#include <string.h>

#include "modules/tenants/tenants.h"

static void
ref_from_row(PGresult *res, struct tenant_ref *out)
{
	snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
	snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(res, 0, 1));
	snprintf(out->plan, sizeof(out->plan), "%s", PQgetvalue(res, 0, 2));
}

static enum status
resolve(struct db_tx *tx, const char *sql, const char *arg, bool *found,
    struct tenant_ref *out)
{
	const char *params[1] = { arg };
	PGresult *res = db_exec(tx, sql, 1, params);

	if (res == NULL)
		return db_status(tx);
	*found = PQntuples(res) > 0;
	if (*found)
		ref_from_row(res, out);
	return ST_OK;
}

enum status
tenants_store_resolve_host(struct db_tx *tx, const char *host, bool *found,
    struct tenant_ref *out)
{
	return resolve(tx, "SELECT tenant_id, status, plan FROM tenant_resolve_host($1)",
	    host, found, out);
}

enum status
tenants_store_resolve_ref(struct db_tx *tx, const char *ref, bool *found,
    struct tenant_ref *out)
{
	return resolve(tx, "SELECT tenant_id, status, plan FROM tenant_resolve_ref($1)",
	    ref, found, out);
}

enum status
tenants_store_public_json(struct db_tx *tx, const char **json)
{
	PGresult *res = db_exec(tx,
	    "SELECT json_build_object("
	    " 'id', t.id, 'slug', t.slug, 'name', p.business_name,"
	    " 'timezone', p.timezone,"
	    " 'contact', json_build_object('phone', p.phone, 'email', p.email,"
	    "   'website_url', p.website_url),"
	    " 'address', json_build_object('line1', p.address_line1, 'line2', p.address_line2,"
	    "   'city', p.city, 'region', p.region, 'postal_code', p.postal_code,"
	    "   'country', p.country),"
	    " 'branding', json_build_object('display_name', coalesce(b.display_name, p.business_name),"
	    "   'primary_color', coalesce(b.primary_color, '#2563eb'),"
	    "   'accent_color', coalesce(b.accent_color, '#1e40af'),"
	    "   'logo_url', b.logo_url, 'voice_style', coalesce(b.voice_style, 'friendly')),"
	    " 'hours', (SELECT json_agg(json_build_object('weekday', d.wd, 'day', d.name,"
	    "     'intervals', (SELECT coalesce(json_agg(json_build_object("
	    "         'opens', to_char(h.opens, 'HH24:MI'), 'closes', to_char(h.closes, 'HH24:MI'))"
	    "       ORDER BY h.opens), '[]') FROM business_hours h WHERE h.weekday = d.wd))"
	    "   ORDER BY d.wd)"
	    "   FROM (VALUES (1, 'monday'), (2, 'tuesday'), (3, 'wednesday'), (4, 'thursday'),"
	    "     (5, 'friday'), (6, 'saturday'), (7, 'sunday')) AS d (wd, name)),"
	    " 'policies', json_build_object('cancellation', pol.cancellation_policy,"
	    "   'late', pol.late_policy, 'no_show', pol.no_show_policy,"
	    "   'payment', pol.payment_policy,"
	    "   'cancellation_window_hours', coalesce(pol.cancellation_window_hours, 0)),"
	    " 'closures', (SELECT coalesce(json_agg(json_build_object('date', c.day,"
	    "     'reason', c.reason) ORDER BY c.day), '[]') FROM closures c"
	    "   WHERE c.day >= (now() AT TIME ZONE p.timezone)::date"
	    "     AND c.day < (now() AT TIME ZONE p.timezone)::date + 366)"
	    ")::text"
	    " FROM tenants t JOIN tenant_profiles p ON p.tenant_id = t.id"
	    " LEFT JOIN tenant_branding b ON b.tenant_id = t.id"
	    " LEFT JOIN tenant_policies pol ON pol.tenant_id = t.id", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return err_set(tx->err, ST_NOTFOUND, "This business has no public profile yet.");
	*json = PQgetvalue(res, 0, 0);
	return ST_OK;
}

enum status
tenants_store_insert(struct db_tx *tx, const struct tenant_new *in, const char *id)
{
	const char *p1[3] = { id, in->slug, in->plan };
	const char *p2[3] = { id, in->name, in->timezone };
	const char *p3[2] = { id, in->name };

	if (db_exec(tx, "INSERT INTO tenants (id, slug, plan) VALUES ($1, $2, $3)", 3, p1) == NULL ||
	    db_exec(tx, "INSERT INTO tenant_profiles (tenant_id, business_name, timezone)"
	    " VALUES ($1, $2, $3)", 3, p2) == NULL ||
	    db_exec(tx, "INSERT INTO tenant_branding (tenant_id, display_name)"
	    " VALUES ($1, left($2, 100))", 2, p3) == NULL)
		return db_status(tx);
	return ST_OK;
}

static void
tenant_row(PGresult *res, int i, void *elem, struct arena *a)
{
	struct tenant_row *t = elem;

	(void)a;
	t->id = PQgetvalue(res, i, 0);
	t->slug = PQgetvalue(res, i, 1);
	t->status = PQgetvalue(res, i, 2);
	t->plan = PQgetvalue(res, i, 3);
	t->name = PQgetvalue(res, i, 4);
	t->timezone = PQgetvalue(res, i, 5);
}

enum status
tenants_store_list(struct db_tx *tx, struct tenant_row **rows, size_t *n)
{
	return db_rows(tx, "SELECT t.id, t.slug, t.status, t.plan, p.business_name,"
	    " p.timezone FROM tenants t LEFT JOIN tenant_profiles p ON p.tenant_id = t.id"
	    " ORDER BY t.created_at, t.slug", 0, NULL, sizeof(**rows), tenant_row,
	    (void **)rows, n);
}

enum status
tenants_store_set_status(struct db_tx *tx, const char *slug, const char *status,
    char id_out[UUID_STR_LEN + 1])
{
	const char *params[2] = { slug, status };
	PGresult *res = db_exec(tx, "UPDATE tenants SET status = $2,"
	    " deleted_at = CASE WHEN $2 = 'deleted' THEN now() END"
	    " WHERE slug = $1 RETURNING id", 2, params);

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return err_set(tx->err, ST_NOTFOUND, "No tenant with slug %s.", slug);
	snprintf(id_out, UUID_STR_LEN + 1, "%s", PQgetvalue(res, 0, 0));
	return ST_OK;
}

/* ---- the platform operator ------------------------------------------------------ */

#define TENANT_JSON "json_build_object('id', id, 'slug', slug, 'name', name," \
	" 'status', status, 'plan', plan, 'timezone', timezone," \
	" 'created_at', " DB_RFC3339_US("created_at") "," \
	" 'updated_at', " DB_RFC3339_US("updated_at") ")"

static void
platform_row(PGresult *res, int i, void *elem, struct arena *a)
{
	struct platform_tenant_row *t = elem;

	(void)a;
	t->json = db_val(res, i, 0);
	t->created_at = db_val(res, i, 1);
	t->id = db_val(res, i, 2);
}

enum status
tenants_store_platform_list(struct db_tx *tx, const char *actor, const char *status,
    const char *q, const char *after_ts, const char *after_id, int limit,
    struct platform_tenant_row **rows, size_t *n)
{
	char lim[16];
	const char *params[6] = { actor, status, q, after_ts, after_id, lim };

	snprintf(lim, sizeof(lim), "%d", limit);
	return db_rows(tx, "SELECT " TENANT_JSON "::text, created_at::text, id::text"
	    " FROM platform_tenants_search($1, $2, $3, $4::timestamptz, $5::uuid, $6::int)", 6,
	    params, sizeof(**rows), platform_row, (void **)rows, n);
}

/* One jsonb value of a platform function, as text (NULL when it gave none). */
static enum status
json_call(struct db_tx *tx, const char *sql, int n, const char *const *params,
    const char **json)
{
	PGresult *res = db_exec(tx, sql, n, params);

	*json = NULL;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) > 0)
		*json = db_val(res, 0, 0);
	return ST_OK;
}

enum status
tenants_store_platform_detail(struct db_tx *tx, const char *actor, const char *id,
    const char **json)
{
	return json_call(tx, "SELECT platform_tenant_detail($1, $2)::text", 2,
	    (const char *[]){ actor, id }, json);
}

enum status
tenants_store_platform_overview(struct db_tx *tx, const char *actor, const char **json)
{
	return json_call(tx, "SELECT platform_overview($1)::text", 1,
	    (const char *[]){ actor }, json);
}

enum status
tenants_store_platform_get(struct db_tx *tx, const char *actor, const char *id,
    const char **json)
{
	const char *params[2] = { actor, id };
	PGresult *res = db_exec(tx, "SELECT " TENANT_JSON "::text FROM platform_tenant_get($1, $2)",
	    2, params);

	*json = NULL;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return err_set(tx->err, ST_NOTFOUND, "No tenant with this id.");
	*json = db_val(res, 0, 0);
	return ST_OK;
}

enum status
tenants_store_platform_create(struct db_tx *tx, const char *actor, const struct tenant_new *in,
    const char *request_id, const char **id)
{
	const char *params[6] = { actor, in->slug, in->name, in->timezone, in->plan, request_id };
	PGresult *res = db_exec(tx, "SELECT platform_tenant_create($1, $2, $3, $4, $5, $6)", 6,
	    params);

	if (res == NULL)
		return db_status(tx);
	*id = db_val(res, 0, 0);
	return ST_OK;
}

/* One of the platform functions that return the tenant's id, or NULL when
 * there is none. */
static enum status
platform_call(struct db_tx *tx, const char *sql, const char *actor, const char *id,
    const char *value, const char *request_id, bool *found)
{
	const char *params[4] = { actor, id, value, request_id };
	PGresult *res = db_exec(tx, sql, 4, params);

	*found = false;
	if (res == NULL)
		return db_status(tx);
	*found = db_val(res, 0, 0) != NULL;
	return ST_OK;
}

enum status
tenants_store_platform_set_status(struct db_tx *tx, const char *actor, const char *id,
    const char *status, const char *reason, const char *request_id, bool *found)
{
	const char *params[5] = { actor, id, status, reason, request_id };
	PGresult *res = db_exec(tx, "SELECT platform_tenant_set_status_why($1, $2, $3, $4, $5)",
	    5, params);

	*found = false;
	if (res == NULL)
		return db_status(tx);
	*found = db_val(res, 0, 0) != NULL;
	return ST_OK;
}

enum status
tenants_store_platform_set_plan(struct db_tx *tx, const char *actor, const char *id,
    const char *plan, const char *request_id, bool *found)
{
	return platform_call(tx, "SELECT platform_tenant_set_plan($1, $2, $3, $4)", actor, id,
	    plan, request_id, found);
}

enum status
tenants_store_act_as_start(struct db_tx *tx, const char *actor, const struct act_as_in *in,
    const char *token_hash_hex, const char *csrf, const char *request_id,
    struct act_as_row *out)
{
	char mins[8];
	const char *params[9] = { actor, in->tenant_id, token_hash_hex, csrf, mins,
		in->write ? "true" : "false", in->reason, in->remote_addr, request_id };
	PGresult *res;

	snprintf(mins, sizeof(mins), "%d", in->minutes);
	res = db_exec(tx, "SELECT session_id,"
	    " " DB_RFC3339("expires_at")
	    " FROM platform_act_as_start($1, $2, $3, $4, $5, $6, $7, $8, $9)", 9, params);
	*out = (struct act_as_row){ 0 };
	if (res == NULL)
		return db_status(tx);
	if ((out->found = PQntuples(res) > 0)) {
		out->session_id = db_val(res, 0, 0);
		out->expires_at = db_val(res, 0, 1);
	}
	return ST_OK;
}

enum status
tenants_store_act_as_handoff(struct db_tx *tx, const char *actor, const char *session_id,
    const char *hash_hex, int ttl_s, const char **expires_at)
{
	char ttl[16];
	PGresult *res;

	snprintf(ttl, sizeof(ttl), "%d", ttl_s);
	res = db_exec(tx, "SELECT " DB_RFC3339("e") " FROM platform_act_as_handoff($1, $2, $3, $4) e",
	    4, (const char *[]){ actor, session_id, hash_hex, ttl });
	*expires_at = NULL;
	if (res == NULL)
		return db_status(tx);
	*expires_at = db_val(res, 0, 0);
	return ST_OK;
}

/* ---- the tenant admin's own statements -------------------------------------------- */

enum status
tenants_store_is_iana_zone(struct db_tx *tx, const char *zone, bool *ok)
{
	const char *params[1] = { zone };
	PGresult *res = db_exec(tx, "SELECT is_iana_zone($1)", 1, params);

	if (res == NULL)
		return db_status(tx);
	*ok = db_bool(res, 0, 0);
	return ST_OK;
}

enum status
tenants_store_plan(struct db_tx *tx, char plan[16])
{
	PGresult *res = db_exec(tx, "SELECT plan FROM tenants WHERE id = app_tenant()", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	snprintf(plan, 16, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	return ST_OK;
}
