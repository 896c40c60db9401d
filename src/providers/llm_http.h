/* llm_http.h — streaming POST over libcurl for the model adapters (internal
 * to src/providers): the reply body is handed over as it arrives, so text
 * reaches the customer while the model is still writing.
 *
 * src/core/http_client.c buffers whole replies, which is right for
 * calendars and wrong here. This keeps its rules (http/https only, no
 * redirects, no signals, capped bodies, nothing logged) and adds what a
 * stream needs: a first-byte timeout that also bounds any later silence,
 * cancellation when the customer goes away (checked every 200 ms, not only
 * when bytes flow), and one connection cache for the process so turns
 * reuse the TLS connection to the provider whatever thread runs them. */
#ifndef PROVIDERS_LLM_HTTP_H
#define PROVIDERS_LLM_HTTP_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"
#include "core/buf.h"
#include "providers/llm.h"
#include "providers/sse_parse.h"

#define LLM_HTTP_MAX_HEADERS 8
#define LLM_HTTP_ERROR_BODY_MAX (16 * 1024)

struct llm_http_call {
	const char *url;
	const char *headers[LLM_HTTP_MAX_HEADERS + 1];	/* "Name: value", NULL-ended */
	const char *body;
	size_t body_len;
	int timeout_ms;			/* the whole exchange */
	int first_byte_timeout_ms;	/* to the first byte, and the longest silence after */
	size_t max_response;
	atomic_bool *cancelled;		/* may be NULL */
	/* Body bytes of a 2xx reply as they arrive; a non-OK status stops
	 * the transfer and is returned by llm_http_stream. */
	enum status (*on_bytes)(void *ud, const char *p, size_t n);
	void *ud;
};

struct llm_http_result {
	long status;			/* 0 when no response arrived */
	int retry_after_s;
	const char *error_body;		/* a non-2xx reply's body (capped), arena-owned */
	size_t error_len;
	size_t received;		/* body bytes */
	bool cancelled;
};

/* ST_OK once the reply ended normally, whatever its status (the caller
 * maps 4xx/5xx); ST_TIMEOUT; ST_TOO_LARGE past max_response; ST_UNAVAILABLE
 * when cancelled; ST_UPSTREAM when no reply could be had; or on_bytes's
 * status. e names the provider's origin, never a path, key or body. */
enum status llm_http_stream(struct arena *a, const struct llm_http_call *c,
    struct llm_http_result *out, struct err *e) MUST_USE;

/* ---- shared by the adapters ------------------------------------------------ */

/* The ctx of a remote adapter's llm_provider. */
struct llm_remote {
	struct llm_remote_config cfg;
	struct llm_call_info info;
};

/* A provider whose free is llm_remote_free is a remote adapter. */
void llm_remote_free(struct llm_provider *p);
struct llm_provider *llm_remote_new(struct arena *a, const char *name,
    const struct llm_remote_config *c,
    enum status (*complete)(struct llm_provider *, struct arena *, const struct llm_request *,
	const struct llm_stream *, struct llm_response *, struct err *));
/* req->timeout_ms when set and shorter, else the configured one. */
int llm_effective_timeout(const struct llm_request *req, const struct llm_remote_config *c);

/* A reply being assembled from stream events: text deltas (passed on to
 * the stream as they come), tool calls whose arguments arrive in pieces,
 * usage, and how the reply ended. Every buffer is capped. */
#define LLM_TOOL_ARGS_MAX (256 * 1024)

struct llm_tool_acc {
	long index;		/* the provider's index for the call */
	const char *id;
	const char *name;
	struct buf args;
	const char *initial;	/* Anthropic: content_block.input when no deltas come */
};

struct llm_asm {
	struct arena *a;
	const char *provider;
	const struct llm_stream *stream;
	struct err *e;
	struct sse_parser sse;
	sse_event_fn on_event;	/* the adapter's reading of one event */
	struct buf text;
	struct llm_tool_acc tools[LLM_MAX_TOOL_CALLS];
	size_t ntools;
	size_t dropped_tools;
	long input_tokens, output_tokens, cached_tokens, cache_write_tokens;
	char model[128];
	char stop_reason[32];
	bool done;		/* [DONE] / message_stop */
	bool finished;		/* finish_reason / stop_reason seen */
	size_t streamed;	/* text bytes handed to stream->on_text */
};

void llm_asm_init(struct llm_asm *s, struct arena *a, const char *provider,
    const struct llm_stream *stream, struct err *e);
void llm_asm_cleanup(struct llm_asm *s);
enum status llm_asm_text(struct llm_asm *s, const char *p, size_t n) MUST_USE;
/* The slot for the provider's call index (a new one when id differs from
 * the slot's id: some servers reuse index 0 for parallel calls), or NULL
 * past LLM_MAX_TOOL_CALLS. */
struct llm_tool_acc *llm_asm_tool(struct llm_asm *s, long index, const char *id);
/* The latest slot with this index, or NULL. */
struct llm_tool_acc *llm_asm_find_tool(struct llm_asm *s, long index);
enum status llm_asm_tool_args(struct llm_asm *s, struct llm_tool_acc *t, const char *p,
    size_t n) MUST_USE;
/* Copies the reply into out (arena-owned). */
void llm_asm_result(struct llm_asm *s, const char *model, struct llm_response *out);
/* Bytes of the body, through the SSE parser, to s->on_event. */
enum status llm_asm_feed(struct llm_asm *s, const char *p, size_t n) MUST_USE;
/* After the transfer ended normally: ST_UPSTREAM unless the stream said it
 * was complete, then the reply into out. */
enum status llm_asm_finish(struct llm_asm *s, const char *model, struct llm_response *out)
    MUST_USE;

/* Maps a finished non-2xx reply to a status and a reason fit for logs and
 * for the engine (never the key): 401/403 → "provider rejected the key",
 * 429 and 5xx → ST_UPSTREAM with e->retry_after, others → ST_UPSTREAM with
 * the provider's own message (cut short). Fills info. */
enum status llm_http_error(const char *provider, const struct llm_http_result *r,
    struct llm_call_info *info, struct err *e);

/* What every remote adapter does once it has built its call (url, body,
 * headers): timeouts and cancellation from the request, the SSE stream
 * read event by event through on_event, the header holding the key wiped
 * afterwards, and the reply mapped to a status — finish (llm_asm_finish,
 * or the adapter's own around it) turns a 2xx stream into out. */
enum status llm_remote_call(struct llm_provider *self, struct arena *a,
    const struct llm_request *req, const struct llm_stream *stream,
    struct llm_http_call *call, char *secret_header, sse_event_fn on_event,
    enum status (*finish)(struct llm_asm *s, const char *model, struct llm_response *out),
    const char *model, struct llm_response *out, struct err *e) MUST_USE;

/* base + path, without doubling the slash. */
char *llm_url(struct arena *a, const char *base, const char *path);

/* Whole milliseconds on a monotonic clock. */
long long llm_now_ms(void);

/* A tool's parameters as a JSON object (a new reference), or NULL and an
 * internal error: the tool table is ours, so a bad schema is our bug. */
json_t *llm_tool_schema(const struct llm_tool_def *t, struct err *e);

/* An integer field of a provider's JSON, 0 when absent or not an integer. */
long llm_int_field(json_t *o, const char *k);
/* j as compact JSON text in a (NULL if it cannot be written). */
char *llm_json_text(struct arena *a, json_t *j);

#endif
