/* llm_service.c — the llm module's rules: the chain that answers a tenant
 * (its own provider settings or the platform's, then LLM_FALLBACK, then the
 * caller's last resort), and the tenant's settings as the admin API changes
 * them (base URLs only from the allow-list, the key sealed at rest, every
 * change audited in its own transaction). SQL lives in llm_store.c. */
#include "modules/llm/llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth.h"
#include "modules/llm/llm_store.h"

static const char *const kind_names[LLM_KIND__COUNT] = {
	[LLM_KIND_OFFLINE] = "offline",
	[LLM_KIND_OPENAI] = "openai",
	[LLM_KIND_ANTHROPIC] = "anthropic",
	[LLM_KIND_GEMINI] = "gemini",
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
	switch (k) {
	case LLM_KIND_OPENAI:
		rc->api_key = cfg->openai_api_key;
		rc->base_url = cfg->openai_base_url;
		rc->model = cfg->openai_model;
		break;
	case LLM_KIND_GEMINI:
		rc->api_key = cfg->gemini_api_key;
		rc->base_url = cfg->gemini_base_url;
		rc->model = cfg->gemini_model;
		break;
	case LLM_KIND_ANTHROPIC:
	default:
		rc->api_key = cfg->anthropic_api_key;
		rc->base_url = cfg->anthropic_base_url;
		rc->model = cfg->anthropic_model;
		break;
	}
}

/* Whether url is the kind's official endpoint (trailing slashes aside). */
static bool
official_url(enum llm_kind k, const char *url)
{
	const char *off = k == LLM_KIND_OPENAI ? LLM_OPENAI_BASE_URL
	    : k == LLM_KIND_GEMINI ? LLM_GEMINI_BASE_URL : LLM_ANTHROPIC_BASE_URL;
	size_t ul = strlen(url), ol = strlen(off);

	while (ul > 0 && url[ul - 1] == '/')
		ul--;
	while (ol > 0 && off[ol - 1] == '/')
		ol--;
	return ul == ol && strncmp(url, off, ol) == 0;
}

/* A fallback to a remote provider the platform cannot call (no key, and
 * the official endpoint, which always wants one) would only add a doomed
 * round trip before the offline receptionist answers. */
static bool
platform_usable(const struct config *cfg, enum llm_kind k)
{
	struct llm_remote_config rc;

	platform_remote(cfg, k, &rc);
	if (rc.base_url == NULL || *rc.base_url == '\0')
		return false;
	if (rc.api_key != NULL && *rc.api_key)
		return true;
	return !official_url(k, rc.base_url);
}

/* One wire format, two names: Gemini is the OpenAI adapter at Gemini's
 * compatibility endpoint, reporting itself as "gemini". */
static struct llm_provider *
remote_new(struct arena *a, enum llm_kind k, const struct llm_remote_config *rc)
{
	switch (k) {
	case LLM_KIND_OPENAI:
		return llm_openai_new(a, rc);
	case LLM_KIND_GEMINI:
		return llm_gemini_new(a, rc);
	case LLM_KIND_ANTHROPIC:
	default:
		return llm_anthropic_new(a, rc);
	}
}

struct llm_provider *
llm_platform_adapter(const struct config *cfg, enum llm_kind k, struct arena *a)
{
	struct llm_remote_config rc;

	if (k == LLM_KIND_OFFLINE)
		return NULL;
	platform_remote(cfg, k, &rc);
	return remote_new(a, k, &rc);
}

/* Appends a remote link with its breaker (one per provider + base URL). */
static void
add_remote(const struct config *cfg, struct arena *a, enum llm_kind k,
    const struct llm_remote_config *rc, struct llm_chain_link *links, size_t *n)
{
	links[*n].provider = remote_new(a, k, rc);
	links[*n].breaker = llm_breaker_get(llm_kind_name(k), rc->base_url,
	    cfg->llm_breaker_failures, cfg->llm_breaker_cooldown_s);
	(*n)++;
}

/* The primary: the platform's settings, the tenant's own choices
 * replacing them one by one. */
static void
add_primary(const struct config *cfg, const struct llm_tenant_settings *ov, struct arena *a,
    enum llm_kind primary, struct llm_chain_link *links, size_t *n)
{
	struct llm_remote_config rc;

	platform_remote(cfg, primary, &rc);
	if (ov != NULL && ov->present) {
		if (ov->api_key != NULL)
			rc.api_key = ov->api_key;
		if (ov->model != NULL)
			rc.model = ov->model;
		if (ov->base_url != NULL && llm_tenant_base_url_allowed(cfg, ov->base_url))
			rc.base_url = ov->base_url;
	}
	add_remote(cfg, a, primary, &rc, links, n);
}

/* LLM_FALLBACK entries, on the platform's account, each kind once. */
static void
add_fallbacks(const struct config *cfg, struct arena *a, bool used[LLM_KIND__COUNT],
    struct llm_chain_link *links, size_t *n)
{
	struct llm_remote_config rc;
	const char *fb;

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
		add_remote(cfg, a, k, &rc, links, n);
		used[k] = true;
	}
}

enum status
llm_chain_build(const struct config *cfg, const struct llm_tenant_settings *ov,
    struct llm_provider *tail, struct arena *a, struct llm_provider **out, struct err *e)
{
	struct llm_chain_link links[LLM_KIND__COUNT + 1];
	bool used[LLM_KIND__COUNT] = { false };
	enum llm_kind primary = LLM_KIND_OFFLINE;
	size_t n = 0;

	if (ov != NULL && ov->present)
		primary = ov->kind;
	else if (!llm_kind_parse(cfg->llm_provider, &primary))
		primary = LLM_KIND_OFFLINE;
	if (primary != LLM_KIND_OFFLINE) {
		add_primary(cfg, ov, a, primary, links, &n);
		used[primary] = true;
		add_fallbacks(cfg, a, used, links, &n);
	}
	/* Always last, never skipped. */
	if (tail != NULL) {
		links[n].provider = tail;
		links[n].breaker = NULL;
		n++;
	}
	if (n == 0)
		return err_set(e, ST_UNAVAILABLE, "no model provider is configured");
	*out = n == 1 && links[0].breaker == NULL ? links[0].provider : llm_chain_new(a, links, n);
	return ST_OK;
}

/* ---- the tenant's settings ------------------------------------------------------------ */

static enum status
key_seal(const struct config *cfg, struct arena *a, const char *key, struct sec_sealed *out,
    struct err *e)
{
	return sec_secret_seal(cfg, a, key, out, e);
}

static enum status
key_open(const struct config *cfg, struct arena *a, const char *ct_hex, const char *nonce_hex,
    const char *key_id, const char **out, struct err *e)
{
	return sec_secret_open(cfg, a, "the stored model API key", ct_hex, nonce_hex, key_id,
	    out, e);
}

/* The stored row as an override, its key opened. */
static enum status
settings_from_row(const struct config *cfg, struct arena *a, const struct llm_row *row,
    struct llm_tenant_settings *out, struct err *e)
{
	if (!llm_kind_parse(row->provider, &out->kind))
		return err_set(e, ST_INTERNAL, "tenant_llm_settings names an unknown provider");
	out->present = true;
	out->model = row->model;
	out->base_url = row->base_url;
	if (row->key_ct != NULL && row->key_nonce != NULL && row->key_id != NULL &&
	    key_open(cfg, a, row->key_ct, row->key_nonce, row->key_id, &out->api_key, e) != ST_OK) {
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
llm_for_tenant(const struct ctx *ctx, struct db_tx *tx, struct llm_provider *tail,
    struct llm_provider **out, struct err *e)
{
	struct llm_tenant_settings ov = { 0 };
	struct llm_row row;
	bool found;
	enum status st;

	if ((st = llm_store_get(tx, ctx->arena, &row, &found)) != ST_OK)
		return st;
	if (found && (st = settings_from_row(ctx->cfg, ctx->arena, &row, &ov, e)) != ST_OK)
		return st;
	return llm_chain_build(ctx->cfg, &ov, tail, ctx->arena, out, e);
}

/* The row as the admin API shows it (never the key). */
static json_t *
settings_json(const struct config *cfg, const struct llm_row *row, bool found)
{
	enum llm_kind k = LLM_KIND_OFFLINE;
	const char *model = NULL;
	json_t *platform;

	if (llm_kind_parse(cfg->llm_provider, &k) && k != LLM_KIND_OFFLINE) {
		struct llm_remote_config rc;

		platform_remote(cfg, k, &rc);
		model = rc.model;
	}
	platform = json_pack("{s:s, s:s?}", "provider", llm_kind_name(k), "model", model);
	if (!found)
		return json_pack("{s:s, s:n, s:n, s:n, s:b, s:o}", "source", "platform",
		    "provider", "model", "base_url", "has_api_key", 0, "platform_default", platform);
	return json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:i, s:s, s:o}", "source", "tenant",
	    "provider", row->provider, "model", row->model, "base_url", row->base_url,
	    "has_api_key", row->key_ct != NULL, "version", row->version,
	    "updated_at", row->updated_at, "platform_default", platform);
}

enum status
llm_settings_get(const struct ctx *ctx, json_t **out)
{
	struct llm_row row;
	struct db_tx tx;
	bool found = false;
	enum status st;

	*out = NULL;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = llm_store_get(&tx, ctx->arena, &row, &found);
	if ((st = db_tx_end(&tx, st)) == ST_OK)
		*out = settings_json(ctx->cfg, &row, found);
	return st;
}

enum status
llm_settings_put(const struct ctx *ctx, const struct llm_settings_input *in)
{
	static const char *const key_change[] = { "unchanged", "replaced", "removed" };
	struct sec_sealed sealed = { 0 };
	bool replace = in->key_action == LLM_KEY_REPLACE;
	struct audit_actor who;
	struct db_tx tx;
	enum status st;

	if (in->base_url != NULL && !llm_tenant_base_url_allowed(ctx->cfg, in->base_url)) {
		err_detail(ctx->err, "base_url", "is not one of the base URLs this platform allows");
		return err_set(ctx->err, ST_INVALID, "Some fields are invalid.");
	}
	if (replace && (st = key_seal(ctx->cfg, ctx->arena, in->api_key, &sealed,
	    ctx->err)) != ST_OK)
		return st;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = llm_store_put(&tx, llm_kind_name(in->kind), in->model, in->base_url,
	    replace ? &sealed : NULL, in->key_action == LLM_KEY_KEEP)) != ST_OK)
		goto out;
	auth_actor(ctx, &who);
	st = audit_record(&tx, &who, "ai_provider.updated", "ai_provider", NULL,
	    json_pack("{s:{s:s}, s:{s:s?}, s:{s:s?}, s:{s:s}}",
	    "provider", "to", llm_kind_name(in->kind), "model", "to", in->model,
	    "base_url", "to", in->base_url, "api_key", "to", key_change[in->key_action]));
out:
	return db_tx_end(&tx, st);
}

enum status
llm_settings_delete(const struct ctx *ctx)
{
	struct audit_actor who;
	struct db_tx tx;
	bool deleted = false;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = llm_store_delete(&tx, &deleted)) != ST_OK || !deleted)
		goto out;
	auth_actor(ctx, &who);
	st = audit_record(&tx, &who, "ai_provider.deleted", "ai_provider", NULL, NULL);
out:
	return db_tx_end(&tx, st);
}
