/* llm_factory.c — the chain that answers a tenant: its own provider
 * settings (tenant_llm_settings, key sealed with the auth module's AEAD)
 * or the platform's, then LLM_FALLBACK, then the offline receptionist. */
#include "providers/llm_factory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/auth/auth.h"
#include "providers/llm_offline.h"

static const char *const kind_names[LLM_KIND__COUNT] = {
	[LLM_KIND_OFFLINE] = "offline",
	[LLM_KIND_OPENAI] = "openai",
	[LLM_KIND_ANTHROPIC] = "anthropic",
};

const char *
llm_kind_name(enum llm_kind k)
{
	return (unsigned)k < LLM_KIND__COUNT ? kind_names[k] : "unknown";
}

bool
llm_kind_parse(const char *s, enum llm_kind *out)
{
	for (int k = 0; k < LLM_KIND__COUNT; k++) {
		if (s != NULL && strcmp(s, kind_names[k]) == 0) {
			*out = (enum llm_kind)k;
			return true;
		}
	}
	return false;
}

/* ---- sealed keys ------------------------------------------------------------------ */

enum status
llm_key_seal(const struct config *cfg, struct arena *a, const char *key,
    struct sec_sealed *out, struct err *e)
{
	return sec_secret_seal(cfg, a, key, out, e);
}

enum status
llm_key_open(const struct config *cfg, struct arena *a, const char *ct_hex,
    const char *nonce_hex, const char *key_id, const char **out, struct err *e)
{
	return sec_secret_open(cfg, a, "the stored model API key", ct_hex, nonce_hex, key_id,
	    out, e);
}

/* ---- settings ---------------------------------------------------------------------- */

enum status
llm_tenant_settings_load(const struct app *app, struct db_tx *tx, struct arena *a,
    struct llm_tenant_settings *out, struct err *e)
{
	PGresult *res;
	const char *ct, *nonce, *kid;

	memset(out, 0, sizeof(*out));
	res = db_exec(tx, "SELECT provider, model, base_url, api_key_ct, api_key_nonce,"
	    " api_key_key_id FROM tenant_llm_settings", 0, NULL);
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	if (!llm_kind_parse(db_val(res, 0, 0), &out->kind))
		return err_set(e, ST_INTERNAL, "tenant_llm_settings names an unknown provider");
	out->present = true;
	out->model = db_val(res, 0, 1) ? arena_strdup(a, db_val(res, 0, 1)) : NULL;
	out->base_url = db_val(res, 0, 2) ? arena_strdup(a, db_val(res, 0, 2)) : NULL;
	ct = db_val(res, 0, 3);
	nonce = db_val(res, 0, 4);
	kid = db_val(res, 0, 5);
	if (ct != NULL && nonce != NULL && kid != NULL &&
	    llm_key_open(&app->cfg, a, ct, nonce, kid, &out->api_key, e) != ST_OK) {
		/* A key that cannot be opened (its encryption key rotated away)
		 * must not silence the receptionist: the platform's settings
		 * answer instead, and the log says why. */
		log_emit(LOG_WARN, "tenant model settings ignored",
		    json_pack("{s:s}", "reason", e->message));
		err_clear(e);
		memset(out, 0, sizeof(*out));
	}
	return ST_OK;
}

enum status
llm_tenant_settings_json(const struct config *cfg, struct db_tx *tx, json_t **out)
{
	enum llm_kind k = LLM_KIND_OFFLINE;
	const char *model = NULL;
	json_t *platform;
	PGresult *res;

	*out = NULL;
	res = db_exec(tx, "SELECT provider, model, base_url, api_key_ct IS NOT NULL, version,"
	    " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    " FROM tenant_llm_settings", 0, NULL);
	if (res == NULL)
		return db_status(tx);
	(void)llm_kind_parse(cfg->llm_provider, &k);
	if (k == LLM_KIND_OPENAI)
		model = cfg->openai_model;
	else if (k == LLM_KIND_ANTHROPIC)
		model = cfg->anthropic_model;
	platform = json_pack("{s:s, s:s?}", "provider", llm_kind_name(k), "model", model);
	if (PQntuples(res) == 0)
		*out = json_pack("{s:s, s:n, s:n, s:n, s:b, s:o}", "source", "platform", "provider",
		    "model", "base_url", "has_api_key", 0, "platform_default", platform);
	else
		*out = json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:i, s:s, s:o}", "source", "tenant",
		    "provider", db_val(res, 0, 0), "model", db_val(res, 0, 1),
		    "base_url", db_val(res, 0, 2), "has_api_key", db_bool(res, 0, 3),
		    "version", atoi(db_val(res, 0, 4)), "updated_at", db_val(res, 0, 5),
		    "platform_default", platform);
	return ST_OK;
}

enum status
llm_tenant_settings_put(struct db_tx *tx, const struct llm_settings_input *in)
{
	const struct sec_sealed *k = in->key_action == LLM_KEY_REPLACE ? in->sealed : NULL;
	const char *params[] = { llm_kind_name(in->kind), in->model, in->base_url,
		k ? k->ct : NULL, k ? k->nonce : NULL, k ? k->key_id : NULL,
		in->key_action == LLM_KEY_KEEP ? "true" : "false" };

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
llm_tenant_settings_delete(struct db_tx *tx, bool *deleted)
{
	PGresult *res = db_exec(tx, "DELETE FROM tenant_llm_settings RETURNING provider", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	*deleted = PQntuples(res) > 0;
	return ST_OK;
}

/* ---- building the chain -------------------------------------------------------------- */

bool
llm_tenant_base_url_allowed(const struct config *cfg, const char *url)
{
	const char *p = cfg->llm_tenant_base_urls;
	size_t ul;

	if (url == NULL || p == NULL)
		return false;
	ul = strlen(url);
	while (ul > 0 && url[ul - 1] == '/')
		ul--;
	while (*p) {
		size_t n = strcspn(p, ",");
		size_t m = n;

		while (m > 0 && (p[m - 1] == '/' || p[m - 1] == ' '))
			m--;
		while (m > 0 && *p == ' ') {
			p++;
			m--;
			n--;
		}
		if (m == ul && m > 0 && strncmp(p, url, m) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* The platform's settings for a remote kind. */
static void
platform_remote(const struct config *cfg, enum llm_kind k, struct llm_remote_config *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->timeout_ms = cfg->llm_timeout_ms;
	rc->first_byte_timeout_ms = cfg->llm_first_byte_timeout_ms;
	if (k == LLM_KIND_OPENAI) {
		rc->api_key = cfg->openai_api_key;
		rc->base_url = cfg->openai_base_url;
		rc->model = cfg->openai_model;
	} else {
		rc->api_key = cfg->anthropic_api_key;
		rc->base_url = cfg->anthropic_base_url;
		rc->model = cfg->anthropic_model;
	}
}

/* A fallback to a remote provider the platform cannot call (no key, and
 * the official endpoint, which always wants one) would only add a doomed
 * round trip before the offline receptionist answers. */
static bool
platform_usable(const struct config *cfg, enum llm_kind k)
{
	struct llm_remote_config rc;

	platform_remote(cfg, k, &rc);
	if (rc.api_key != NULL && *rc.api_key)
		return true;
	if (k == LLM_KIND_OPENAI)
		return strcmp(rc.base_url, "https://api.openai.com") != 0;
	return strcmp(rc.base_url, "https://api.anthropic.com") != 0;
}

static struct llm_provider *
remote_new(struct arena *a, enum llm_kind k, const struct llm_remote_config *rc)
{
	return k == LLM_KIND_OPENAI ? llm_openai_new(a, rc) : llm_anthropic_new(a, rc);
}

enum status
llm_factory_build(const struct app *app, const struct llm_tenant_settings *ov,
    struct arena *a, struct llm_provider **out, struct err *e)
{
	const struct config *cfg = &app->cfg;
	struct llm_chain_link links[LLM_KIND__COUNT + 1];
	bool used[LLM_KIND__COUNT] = { false };
	enum llm_kind primary = LLM_KIND_OFFLINE;
	size_t n = 0;
	const char *fb;
	struct llm_provider *offline;

	if (ov != NULL && ov->present)
		primary = ov->kind;
	else if (!llm_kind_parse(cfg->llm_provider, &primary))
		primary = LLM_KIND_OFFLINE;

	if (primary != LLM_KIND_OFFLINE) {
		struct llm_remote_config rc;

		platform_remote(cfg, primary, &rc);
		/* The tenant's own choices replace the platform's, one by one. */
		if (ov != NULL && ov->present) {
			if (ov->api_key != NULL)
				rc.api_key = ov->api_key;
			if (ov->model != NULL)
				rc.model = ov->model;
			if (ov->base_url != NULL && llm_tenant_base_url_allowed(cfg, ov->base_url))
				rc.base_url = ov->base_url;
		}
		links[n].provider = remote_new(a, primary, &rc);
		links[n].breaker = llm_breaker_get(llm_kind_name(primary), rc.base_url,
		    cfg->llm_breaker_failures, cfg->llm_breaker_cooldown_s);
		n++;
		used[primary] = true;

		/* Fallbacks run on the platform's account. */
		for (fb = cfg->llm_fallback ? cfg->llm_fallback : ""; *fb;) {
			size_t len = strcspn(fb, ",");
			char name[32];
			enum llm_kind k;

			snprintf(name, sizeof(name), "%.*s", (int)(len < 31 ? len : 31), fb);
			fb += len + (fb[len] == ',');
			if (!llm_kind_parse(name, &k) || k == LLM_KIND_OFFLINE || used[k] ||
			    !platform_usable(cfg, k))
				continue;
			platform_remote(cfg, k, &rc);
			links[n].provider = remote_new(a, k, &rc);
			links[n].breaker = llm_breaker_get(llm_kind_name(k), rc.base_url,
			    cfg->llm_breaker_failures, cfg->llm_breaker_cooldown_s);
			n++;
			used[k] = true;
		}
	}
	/* Always last, never skipped. */
	if ((offline = llm_offline_new(a)) != NULL) {
		links[n].provider = offline;
		links[n].breaker = NULL;
		n++;
	}
	if (n == 0)
		return err_set(e, ST_UNAVAILABLE, "no model provider is configured");
	*out = n == 1 && links[0].breaker == NULL ? links[0].provider : llm_chain_new(a, links, n);
	return ST_OK;
}

enum status
llm_factory_for_tenant(const struct app *app, struct db_tx *tx, struct arena *a,
    struct llm_provider **out, struct err *e)
{
	struct llm_tenant_settings ov;
	enum status st;

	if ((st = llm_tenant_settings_load(app, tx, a, &ov, e)) != ST_OK)
		return st;
	return llm_factory_build(app, &ov, a, out, e);
}
