/* llm.h — the model provider interface. One vtable, one adapter per
 * wire format (openai-compatible, which also serves Gemini's compatibility
 * endpoint; anthropic; the built-in offline receptionist), plus a chain
 * that falls back from one to the next.
 *
 * A provider only proposes: text, and tool calls with JSON arguments. The
 * conversation engine (src/modules/ai) executes tools itself, always in the
 * request's tenant, and applies the guardrails (offered slots only, explicit
 * customer confirmation, …) whatever the provider said. The offline
 * receptionist is a deterministic provider behind this same interface, so
 * those guardrails hold for it too. */
#ifndef PROVIDERS_LLM_H
#define PROVIDERS_LLM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

enum llm_role { LLM_USER, LLM_ASSISTANT, LLM_TOOL };

struct llm_tool_call {
	const char *id;			/* provider's id, echoed in the tool result */
	const char *name;
	const char *arguments;		/* JSON text, unvalidated: the engine checks it */
};

struct llm_message {
	enum llm_role role;
	const char *content;		/* may be NULL for an assistant turn of only tool calls */
	const struct llm_tool_call *tool_calls;	/* LLM_ASSISTANT */
	size_t ntool_calls;
	const char *tool_call_id;	/* LLM_TOOL: which call this answers */
	const char *tool_name;		/* LLM_TOOL */
};

struct llm_tool_def {
	const char *name;
	const char *description;
	const char *parameters;		/* JSON Schema text */
};

struct llm_request {
	const char *model;		/* NULL: the provider's default */
	/* The system prompt in two parts: a static prefix that is the same
	 * turn after turn (tenant prompt + knowledge: providers that support
	 * it cache it), then what changes per turn (today's date, …). */
	const char *system_static;
	const char *system_dynamic;
	const struct llm_message *messages;
	size_t nmessages;
	const struct llm_tool_def *tools;
	size_t ntools;
	int max_tokens;
	int timeout_ms;			/* whole call, first byte included */
	atomic_bool *cancelled;		/* the client went away: stop early */
	/* Context the offline receptionist needs to interpret dates and match
	 * services without a model; other providers ignore it. */
	const char *tenant_timezone;
	long long now_utc;
};

/* Streaming: text deltas as they arrive, before the call returns. */
struct llm_stream {
	void (*on_text)(void *ud, const char *delta, size_t n);
	void *ud;
};

struct llm_response {
	const char *text;		/* the whole assistant text (may be "") */
	struct llm_tool_call *tool_calls;
	size_t ntool_calls;
	int input_tokens;
	int output_tokens;
	int cached_tokens;
	const char *model;		/* what actually answered */
	const char *provider;		/* "openai", "gemini", "anthropic", "offline" */
	/* The text itself states the pending proposal in full (the built-in
	 * receptionist's own wording, in the customer's language), so the
	 * platform's English confirmation text need not be added to it. */
	bool states_proposal;
};

struct llm_provider {
	const char *name;
	/* Fills out (allocated in a) or fails with ST_UPSTREAM / ST_TIMEOUT /
	 * ST_UNAVAILABLE (circuit open) and a reason in e. stream may be NULL. */
	enum status (*complete)(struct llm_provider *self, struct arena *a,
	    const struct llm_request *req, const struct llm_stream *stream,
	    struct llm_response *out, struct err *e);
	void (*free)(struct llm_provider *self);
	void *ctx;
};

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
/* The same adapter named "gemini" (what responses, logs, breakers and the
 * usage meters say), for Gemini's OpenAI compatibility endpoint: POST
 * {base}/chat/completions with "Authorization: Bearer KEY", base
 * https://generativelanguage.googleapis.com/v1beta/openai/. Its documented
 * request and stream shapes are OpenAI's, usage chunk included. */
struct llm_provider *llm_gemini_new(struct arena *a, const struct llm_remote_config *c);
/* POST {base}/v1/messages, streamed, with prompt caching of system_static. */
struct llm_provider *llm_anthropic_new(struct arena *a, const struct llm_remote_config *c);
/* The call info of a provider made by llm_openai_new, llm_gemini_new or
 * llm_anthropic_new; NULL for any other provider. */
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

#endif
