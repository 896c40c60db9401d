/* llm_factory.h — which model answers a tenant, and the adapters behind
 * llm.h that talk to real models.
 *
 * The platform default comes from the environment (LLM_PROVIDER, the
 * OPENAI_* and ANTHROPIC_* variables, LLM_FALLBACK); a tenant may override
 * provider, model, API key and (within LLM_TENANT_BASE_URLS) base URL in
 * tenant_llm_settings, its key encrypted at rest. Whatever is configured,
 * the result is a chain that ends with the offline receptionist, so a
 * provider outage never costs a tenant its bookings:
 *
 *	primary → LLM_FALLBACK entries → offline
 *
 * The conversation engine's part:
 *
 *	tx:   llm_factory_for_tenant(app, &tx, a, &provider, &e)   (reads settings)
 *	end the transaction, then provider->complete(provider, a, &req, &stream, &resp, &e)
 *
 * Providers built here live in the arena a; their free() is a no-op. */
#ifndef PROVIDERS_LLM_FACTORY_H
#define PROVIDERS_LLM_FACTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"
#include "http/http.h"
#include "modules/auth/auth.h"
#include "providers/llm.h"

struct app;
struct config;
struct db_tx;

/* ---- adapters (llm_openai.c, llm_anthropic.c) ----------------------------- */

/* The most a model's reply (the raw stream) may weigh. */
#define LLM_MAX_RESPONSE_BYTES (4 * 1024 * 1024)
/* Tool calls kept from one reply; more are dropped. */
#define LLM_MAX_TOOL_CALLS 16

struct llm_remote_config {
	const char *api_key;		/* never logged, never in an error */
	const char *base_url;		/* "https://api.openai.com", no trailing path */
	const char *model;		/* default when the request names none */
	int timeout_ms;			/* whole call (a request's own timeout may shorten it) */
	int first_byte_timeout_ms;	/* until the first byte, and the longest silence after */
	size_t max_response;		/* 0: LLM_MAX_RESPONSE_BYTES */
};

/* What the last complete() of a remote adapter learned, for the chain's
 * circuit breaker: whether the failure says something about the provider's
 * health (timeouts, 5xx, 429, a broken stream) or only about this caller
 * (a rejected key, a refused request), and whether text was streamed. */
struct llm_call_info {
	long http_status;		/* 0: no response */
	bool caller_fault;		/* 400/401/403/404/413/422: do not trip the breaker */
	bool cancelled;			/* req->cancelled stopped it */
	int retry_after_s;
};

/* POST {base}/v1/chat/completions, streamed: OpenAI and every
 * OpenAI-compatible server (OpenRouter, Ollama, vLLM, llama.cpp, Gemini's
 * compatibility endpoint — give its base URL up to, not including, /v1…). */
struct llm_provider *llm_openai_new(struct arena *a, const struct llm_remote_config *c);
/* POST {base}/v1/messages, streamed, with prompt caching of system_static. */
struct llm_provider *llm_anthropic_new(struct arena *a, const struct llm_remote_config *c);
/* The call info of a provider made by llm_openai_new / llm_anthropic_new;
 * NULL for any other provider. */
const struct llm_call_info *llm_remote_call_info(const struct llm_provider *p);

/* True when a tool call's arguments are a JSON object. Adapters return
 * arguments exactly as the model sent them, even when they do not parse
 * (a truncated stream, a model's typo): the engine must refuse those calls
 * — and tell the model why — rather than guess. */
bool llm_tool_args_valid(const struct llm_tool_call *c);

/* ---- the chain and its circuit breakers (llm_chain.c) --------------------- */

enum llm_breaker_state { BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN };

/* One per provider + base URL, process-wide, thread-safe. Opens after
 * `failures` consecutive provider-health failures; while open the provider
 * is skipped at once; after `cooldown_s` one call is let through
 * (half-open): success closes it, failure opens it again. */
struct llm_breaker;
struct llm_breaker *llm_breaker_get(const char *provider, const char *base_url,
    int failures, int cooldown_s);
enum llm_breaker_state llm_breaker_state(struct llm_breaker *b);

struct llm_chain_link {
	struct llm_provider *provider;
	struct llm_breaker *breaker;	/* NULL: never skipped (offline) */
};

/* Tries links in order. A link that fails falls through to the next ONLY
 * if it streamed no text yet: once a customer has seen part of a reply, a
 * second provider starting over would show two different answers run
 * together, so the chain ends with that link's error instead (the engine
 * keeps what was said and reports the error). A cancelled request never
 * falls back. The response's provider field names who answered. */
struct llm_provider *llm_chain_new(struct arena *a, const struct llm_chain_link *links,
    size_t n);

/* ---- the factory (llm_factory.c) --------------------------------------------- */

enum llm_kind { LLM_KIND_OFFLINE, LLM_KIND_OPENAI, LLM_KIND_ANTHROPIC, LLM_KIND__COUNT };

const char *llm_kind_name(enum llm_kind k);
bool llm_kind_parse(const char *s, enum llm_kind *out);

/* A tenant's override (tenant_llm_settings), key decrypted. Fields NULL
 * when not overridden. */
struct llm_tenant_settings {
	bool present;
	enum llm_kind kind;
	const char *model;
	const char *api_key;
	const char *base_url;
};

/* Reads the tenant's override in tx (tenant from app.tenant_id). */
enum status llm_tenant_settings_load(const struct app *app, struct db_tx *tx, struct arena *a,
    struct llm_tenant_settings *out, struct err *e) MUST_USE;

/* The chain for the platform default + the override (may be NULL). Never
 * touches the network or the database. */
enum status llm_factory_build(const struct app *app, const struct llm_tenant_settings *ov,
    struct arena *a, struct llm_provider **out, struct err *e) MUST_USE;

/* Both of the above. */
enum status llm_factory_for_tenant(const struct app *app, struct db_tx *tx, struct arena *a,
    struct llm_provider **out, struct err *e) MUST_USE;

/* Sealing a tenant's API key with APP_ENCRYPTION_KEY (the auth module's
 * secrets at rest, key id kept for rotation); bytea text forms. */
enum status llm_key_seal(const struct config *cfg, struct arena *a, const char *key,
    struct sec_sealed *out, struct err *e) MUST_USE;
/* *out is arena-owned and wiped when the arena is freed. */
enum status llm_key_open(const struct config *cfg, struct arena *a, const char *ct_hex,
    const char *nonce_hex, const char *key_id, const char **out, struct err *e) MUST_USE;
/* Whether a tenant may point its model at url (LLM_TENANT_BASE_URLS):
 * letting any tenant choose would make the server call any address for
 * them — the cloud metadata service, the database, a neighbour. */
bool llm_tenant_base_url_allowed(const struct config *cfg, const char *url);

/* The tenant's settings as the admin API shows them (never the key):
 * {source: platform|tenant, provider, model, base_url, has_api_key,
 * version?, updated_at?, platform_default {provider, model}}. */
enum status llm_tenant_settings_json(const struct config *cfg, struct db_tx *tx,
    json_t **out) MUST_USE;

/* What PUT /v1/admin/ai-provider stores. key_action says what happens to
 * the stored key: keep it, replace it with sealed, or remove it. */
enum llm_key_action { LLM_KEY_KEEP, LLM_KEY_REPLACE, LLM_KEY_REMOVE };
struct llm_settings_input {
	enum llm_kind kind;
	const char *model;		/* NULL: the platform's */
	const char *base_url;		/* NULL: the platform's; checked by the caller */
	enum llm_key_action key_action;
	const struct sec_sealed *sealed;	/* LLM_KEY_REPLACE */
};
enum status llm_tenant_settings_put(struct db_tx *tx, const struct llm_settings_input *in)
    MUST_USE;
/* *deleted: whether there was a row. */
enum status llm_tenant_settings_delete(struct db_tx *tx, bool *deleted) MUST_USE;

/* Routes: PUT/GET/DELETE /v1/admin/ai-provider (the tenant's override; the
 * key is write-only), and with test routes POST /v1/test/llm. */
extern const struct route llm_routes[];
extern const size_t llm_nroutes;
extern const struct route llm_test_routes[];
extern const size_t llm_test_nroutes;

#endif
