/* llm.h — the llm module: which model answers a tenant. Its one public
 * header (the ai engine and the registry include it).
 *
 * The platform default comes from the environment (LLM_PROVIDER, the
 * OPENAI_*, ANTHROPIC_* and GEMINI_* variables, LLM_FALLBACK); a tenant may override
 * provider, model, API key and (within LLM_TENANT_BASE_URLS) base URL in
 * tenant_llm_settings, its key sealed at rest. Whatever is configured, the
 * chain ends with the caller's last resort (the ai module's offline
 * receptionist), so a provider outage never costs a tenant its bookings:
 *
 *	primary → LLM_FALLBACK entries → tail
 *
 * The conversation engine's part:
 *
 *	tx:   llm_for_tenant(ctx, &tx, offline, &provider, &e)   (reads settings)
 *	end the transaction, then provider->complete(provider, a, &req, &stream, &resp, &e)
 *
 * Providers built here live in the arena given; their free() is a no-op.
 * The adapters and the chain themselves are leaves in providers/llm.h. */
#ifndef MODULES_LLM_H
#define MODULES_LLM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "core/status.h"
#include "http/http.h"
#include "providers/llm.h"

struct config;
struct db_tx;

/* Stored and shown by name (llm_kind_name), so the order is free. Gemini
 * speaks OpenAI's wire format through its compatibility endpoint but is a
 * kind of its own: its own key, base URL, model, breaker and meters. */
enum llm_kind {
	LLM_KIND_OFFLINE, LLM_KIND_OPENAI, LLM_KIND_ANTHROPIC, LLM_KIND_GEMINI, LLM_KIND__COUNT
};

const char *llm_kind_name(enum llm_kind k);
bool llm_kind_parse(const char *s, enum llm_kind *out);

/* A tenant's override (tenant_llm_settings), key opened. Fields NULL when
 * not overridden. */
struct llm_tenant_settings {
	bool present;
	enum llm_kind kind;
	const char *model;
	const char *api_key;
	const char *base_url;
};

/* The chain for the platform default + the override (may be NULL), ending
 * with tail (never skipped; may be NULL). Never touches the network or the
 * database. */
enum status llm_chain_build(const struct config *cfg, const struct llm_tenant_settings *ov,
    struct llm_provider *tail, struct arena *a, struct llm_provider **out, struct err *e)
    MUST_USE;

/* Reads the tenant's override in the caller's transaction (its tenant),
 * then llm_chain_build in ctx's arena. Settings that cannot be opened are
 * logged and ignored: the platform's answer instead. */
enum status llm_for_tenant(const struct ctx *ctx, struct db_tx *tx, struct llm_provider *tail,
    struct llm_provider **out, struct err *e) MUST_USE;

/* A bare adapter on the platform's settings for a remote kind; NULL for
 * LLM_KIND_OFFLINE. */
struct llm_provider *llm_platform_adapter(const struct config *cfg, enum llm_kind k,
    struct arena *a);

/* Whether a tenant may point its model at url (LLM_TENANT_BASE_URLS):
 * letting any tenant choose would make the server call any address for
 * them — the cloud metadata service, the database, a neighbour. */
bool llm_tenant_base_url_allowed(const struct config *cfg, const char *url);

/* ---- the tenant's settings, as the admin API manages them ------------------- */

/* {source: platform|tenant, provider, model, base_url, has_api_key,
 * version?, updated_at?, platform_default {provider, model}} — never the
 * key. */
enum status llm_settings_get(const struct ctx *ctx, json_t **out) MUST_USE;

/* What PUT /v1/admin/ai-provider asks for. key_action says what happens to
 * the stored key: keep it, replace it with api_key, or remove it. */
enum llm_key_action { LLM_KEY_KEEP, LLM_KEY_REPLACE, LLM_KEY_REMOVE };
struct llm_settings_input {
	enum llm_kind kind;
	const char *model;		/* NULL: the platform's */
	const char *base_url;		/* NULL: the platform's; must be allowed */
	enum llm_key_action key_action;
	const char *api_key;		/* LLM_KEY_REPLACE: sealed before it is stored */
};
/* Stores the override and its audit row in one transaction. */
enum status llm_settings_put(const struct ctx *ctx, const struct llm_settings_input *in)
    MUST_USE;
/* Back to the platform's default (audited when there was an override). */
enum status llm_settings_delete(const struct ctx *ctx) MUST_USE;

/* Routes: PUT/GET/DELETE /v1/admin/ai-provider (the tenant's override; the
 * key is write-only). */
extern const struct route_table llm_routes;

#endif
