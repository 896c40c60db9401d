/* llm_store.c — tenant_llm_settings, and only SQL: one row per tenant
 * (the tenant of the transaction), the API key sealed by the service. */
#include "modules/llm/llm_store.h"

#include <stdlib.h>
#include <string.h>

#include "db/db.h"

static const char *
dup(struct arena *a, PGresult *res, int col)
{
	const char *v = db_val(res, 0, col);

	return v != NULL ? arena_strdup(a, v) : NULL;
}

enum status
llm_store_get(struct db_tx *tx, struct arena *a, struct llm_row *out, bool *found)
{
	PGresult *res;

	memset(out, 0, sizeof(*out));
	*found = false;
	res = db_exec(tx, "SELECT provider, model, base_url, api_key_ct, api_key_nonce,"
	    " api_key_key_id, version,"
	    " " DB_RFC3339("updated_at")
	    " FROM tenant_llm_settings", 0, NULL);
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	*found = true;
	out->provider = dup(a, res, 0);
	out->model = dup(a, res, 1);
	out->base_url = dup(a, res, 2);
	out->key_ct = dup(a, res, 3);
	out->key_nonce = dup(a, res, 4);
	out->key_id = dup(a, res, 5);
	out->version = atoi(db_val(res, 0, 6));
	out->updated_at = dup(a, res, 7);
	return ST_OK;
}

enum status
llm_store_put(struct db_tx *tx, const char *provider, const char *model, const char *base_url,
    const struct sec_sealed *sealed, bool keep_key)
{
	const char *params[] = { provider, model, base_url,
		sealed ? sealed->ct : NULL, sealed ? sealed->nonce : NULL,
		sealed ? sealed->key_id : NULL, keep_key ? "true" : "false" };

	/* The key columns change together, or not at all. */
	if (db_exec(tx, "INSERT INTO tenant_llm_settings (tenant_id, provider, model, base_url,"
	    " api_key_ct, api_key_nonce, api_key_key_id) VALUES (app_tenant(), $1, $2, $3,"
	    " $4::bytea, $5::bytea, $6)"
	    " ON CONFLICT (tenant_id) DO UPDATE SET provider = EXCLUDED.provider,"
	    " model = EXCLUDED.model, base_url = EXCLUDED.base_url,"
	    " api_key_ct = CASE WHEN $7::boolean THEN tenant_llm_settings.api_key_ct"
	    "   ELSE EXCLUDED.api_key_ct END,"
	    " api_key_nonce = CASE WHEN $7::boolean THEN tenant_llm_settings.api_key_nonce"
	    "   ELSE EXCLUDED.api_key_nonce END,"
	    " api_key_key_id = CASE WHEN $7::boolean THEN tenant_llm_settings.api_key_key_id"
	    "   ELSE EXCLUDED.api_key_key_id END", 7, params) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
llm_store_delete(struct db_tx *tx, bool *deleted)
{
	PGresult *res = db_exec(tx, "DELETE FROM tenant_llm_settings RETURNING provider", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	*deleted = PQntuples(res) > 0;
	return ST_OK;
}
