/* llm.h — the model provider interface. One vtable, one adapter per
 * provider (openai-compatible, anthropic, and the built-in offline
 * receptionist), plus a chain that falls back from one to the next.
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
	const char *provider;		/* "openai", "anthropic", "offline" */
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

#endif
