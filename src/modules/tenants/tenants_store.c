/* tenants_store.c — SQL for tenants, and only SQL. */
#include "modules/tenants/tenants_store.h"

#include <stdio.h>
#include <string.h>

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

PGresult *
tenants_store_list(struct db_tx *tx)
{
	return db_exec(tx, "SELECT t.id, t.slug, t.status, t.plan, p.business_name,"
	    " p.timezone FROM tenants t LEFT JOIN tenant_profiles p ON p.tenant_id = t.id"
	    " ORDER BY t.created_at, t.slug", 0, NULL);
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
