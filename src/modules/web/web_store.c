/* web_store.c — the web module's SQL, and only SQL. Both reads run in the
 * request's tenant (RLS does the filtering). */
#include "modules/web/web_internal.h"

enum status
web_store_portal_json(struct db_tx *tx, const char **json)
{
	PGresult *res = db_exec(tx,
	    "SELECT json_build_object("
	    " 'slug', t.slug, 'plan', t.plan, 'name', p.business_name,"
	    " 'timezone', p.timezone,"
	    " 'today', extract(isodow FROM now() AT TIME ZONE p.timezone)::int,"
	    " 'today_date', (now() AT TIME ZONE p.timezone)::date,"
	    " 'phone', p.phone, 'email', p.email, 'website_url', p.website_url,"
	    " 'address', json_build_object('line1', p.address_line1, 'line2', p.address_line2,"
	    "   'city', p.city, 'region', p.region, 'postal_code', p.postal_code,"
	    "   'country', p.country),"
	    " 'branding', json_build_object("
	    "   'display_name', coalesce(b.display_name, p.business_name),"
	    "   'primary_color', coalesce(b.primary_color, '#2563eb'),"
	    "   'accent_color', coalesce(b.accent_color, '#1e40af'),"
	    "   'logo_url', b.logo_url),"
	    " 'hours', (SELECT json_agg(json_build_object('weekday', d.wd,"
	    "     'intervals', (SELECT coalesce(json_agg(json_build_object("
	    "         'opens', to_char(h.opens, 'HH24:MI'), 'closes', to_char(h.closes, 'HH24:MI'))"
	    "       ORDER BY h.opens), '[]') FROM business_hours h WHERE h.weekday = d.wd))"
	    "   ORDER BY d.wd) FROM generate_series(1, 7) AS d (wd)),"
	    " 'closures', (SELECT coalesce(json_agg(json_build_object('date', c.day,"
	    "     'reason', c.reason) ORDER BY c.day), '[]') FROM closures c"
	    "   WHERE c.day >= (now() AT TIME ZONE p.timezone)::date"
	    "     AND c.day < (now() AT TIME ZONE p.timezone)::date + 60),"
	    " 'services', (SELECT coalesce(json_agg(json_build_object('id', s.id,"
	    "     'name', s.name, 'description', s.description,"
	    "     'duration_minutes', s.duration_minutes, 'price_minor', s.price_minor,"
	    "     'currency', s.currency) ORDER BY s.sort_order, s.name, s.id), '[]')"
	    "   FROM services s WHERE s.active AND s.deleted_at IS NULL),"
	    " 'policies', (SELECT json_build_object('cancellation', cancellation_policy,"
	    "     'late', late_policy, 'no_show', no_show_policy, 'payment', payment_policy,"
	    "     'cancellation_window_hours', cancellation_window_hours) FROM tenant_policies),"
	    " 'chat', (SELECT json_build_object('handoff', allow_human_handoff,"
	    "     'greeting', greeting) FROM ai_settings)"
	    ")::text"
	    " FROM tenants t JOIN tenant_profiles p ON p.tenant_id = t.id"
	    " LEFT JOIN tenant_branding b ON b.tenant_id = t.id", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return err_set(tx->err, ST_NOTFOUND, "This business has no public page yet.");
	*json = PQgetvalue(res, 0, 0);
	return ST_OK;
}

enum status
web_store_origins(struct db_tx *tx, const char **lines)
{
	PGresult *res = db_exec(tx,
	    "SELECT coalesce(string_agg(origin, E'\\n' ORDER BY origin), '')"
	    " FROM (SELECT origin FROM widget_origins WHERE deleted_at IS NULL"
	    "   ORDER BY origin LIMIT 1000) o", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	*lines = PQgetvalue(res, 0, 0);
	return ST_OK;
}
