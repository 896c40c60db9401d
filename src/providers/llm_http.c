/* llm_http.c — libcurl's multi interface driving one streaming POST, so we
 * wake at least every POLL_MS to check cancellation and the silence timeout
 * even when no byte arrives (curl's own progress callback may wait a
 * second). Not much more often: hundreds of streams each waking 20 times a
 * second cost a busy server more CPU than their text does. */
#include "providers/llm_http.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "core/http_client.h"

#define POLL_MS 200

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t multi_key;
/* Open connections, DNS answers and TLS sessions, shared by every thread:
 * a streaming turn runs on a thread of its own that ends with the turn, so
 * a per-thread cache would open (and TLS-handshake) a new connection to
 * the provider for every turn. */
static CURLSH *share;
static pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];

static void
share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
	(void)h;
	(void)access;
	(void)ud;
	pthread_mutex_lock(&share_mu[data]);
}

static void
share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	(void)h;
	(void)ud;
	pthread_mutex_unlock(&share_mu[data]);
}

static void
multi_free(void *m)
{
	curl_multi_cleanup(m);
}

static void
init_once(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		abort();
	if (pthread_key_create(&multi_key, multi_free) != 0)
		abort();
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&share_mu[i], NULL);
	if ((share = curl_share_init()) == NULL)
		abort();
	curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

/* One multi handle per thread drives that thread's calls; connections
 * live in the shared cache. */
static CURLM *
thread_multi(void)
{
	CURLM *m;

	pthread_once(&once, init_once);
	if ((m = pthread_getspecific(multi_key)) == NULL) {
		if ((m = curl_multi_init()) == NULL)
			abort();
		curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 8L);
		pthread_setspecific(multi_key, m);
	}
	return m;
}

long long
llm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
llm_url(struct arena *a, const char *base, const char *path)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return arena_printf(a, "%.*s%s", (int)n, base, path);
}

/* scheme://host[:port] only, for messages. */
static const char *
origin(struct arena *a, const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return "(invalid URL)";
	p += 3;
	return arena_printf(a, "%.*s%.*s", (int)(p - url), url, (int)strcspn(p, "/?#"), p);
}

struct xfer {
	struct arena *a;
	CURL *h;
	const struct llm_http_call *c;
	struct llm_http_result *out;
	long long last_byte_ms;
	bool any_byte;
	bool status_known;
	bool ok_status;
	bool too_large;
	enum status cb_status;
	char *err;
	size_t err_len;
};

static void
saw_bytes(struct xfer *x)
{
	x->any_byte = true;
	x->last_byte_ms = llm_now_ms();
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	char v[128];

	saw_bytes(x);
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		x->out->retry_after_s = 0;
	if (len > 12 && len - 12 < sizeof(v) && strncasecmp(p, "retry-after:", 12) == 0) {
		memcpy(v, p + 12, len - 12);
		v[len - 12] = '\0';
		v[strcspn(v, "\r\n")] = '\0';
		x->out->retry_after_s = http_client_parse_retry_after(v, (long)time(NULL));
	}
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	saw_bytes(x);
	if (!x->status_known) {
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->out->status);
		x->ok_status = x->out->status >= 200 && x->out->status < 300;
		x->status_known = true;
	}
	if (x->out->received + len > x->c->max_response) {
		x->too_large = true;
		return 0;
	}
	x->out->received += len;
	if (!x->ok_status) {
		/* Keep the start of an error body; the rest is read and dropped. */
		size_t room = LLM_HTTP_ERROR_BODY_MAX - x->err_len;
		size_t k = len < room ? len : room;

		if (x->err == NULL)
			x->err = arena_alloc(x->a, LLM_HTTP_ERROR_BODY_MAX + 1);
		memcpy(x->err + x->err_len, p, k);
		x->err_len += k;
		x->err[x->err_len] = '\0';
		return len;
	}
	x->cb_status = x->c->on_bytes(x->c->ud, p, len);
	/* Time spent passing text on (to a slow client) is not the
	 * provider's silence. */
	saw_bytes(x);
	return x->cb_status == ST_OK ? len : 0;
}

enum status
llm_http_stream(struct arena *a, const struct llm_http_call *c, struct llm_http_result *out,
    struct err *e)
{
	struct xfer x = { .a = a, .c = c, .out = out, .cb_status = ST_OK };
	struct curl_slist *hdrs = NULL;
	CURLM *m = thread_multi();
	CURL *h;
	CURLcode rc = CURLE_OK;
	long long start = llm_now_ms(), now;
	enum status st = ST_OK;
	int running = 1;
	enum { NONE, FIRST_BYTE, SILENCE, TOTAL, CANCELLED } stop = NONE;

	memset(out, 0, sizeof(*out));
	if ((h = curl_easy_init()) == NULL)
		return err_set(e, ST_INTERNAL, "cannot create an HTTP client handle");
	x.h = h;
	x.last_byte_ms = start;
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body_len);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(c->first_byte_timeout_ms < 10000 ? c->first_byte_timeout_ms : 10000));
	/* A safety net; the loop below enforces the same deadline itself. */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms + 1000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "receptionist/0.1");
	curl_easy_setopt(h, CURLOPT_SHARE, share);
	/* No Accept-Encoding: a compressing proxy would hold deltas back
	 * until its buffer fills. */
	for (size_t i = 0; i < LLM_HTTP_MAX_HEADERS && c->headers[i] != NULL; i++)
		hdrs = curl_slist_append(hdrs, c->headers[i]);
	hdrs = curl_slist_append(hdrs, "Expect:");
	hdrs = curl_slist_append(hdrs, "Accept: text/event-stream");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_multi_add_handle(m, h);

	while (running) {
		CURLMcode mc = curl_multi_perform(m, &running);

		if (mc != CURLM_OK) {
			rc = CURLE_FAILED_INIT;
			break;
		}
		if (!running)
			break;
		now = llm_now_ms();
		if (c->cancelled != NULL && atomic_load(c->cancelled))
			stop = CANCELLED;
		else if (now - start >= c->timeout_ms)
			stop = TOTAL;
		else if (!x.any_byte && now - start >= c->first_byte_timeout_ms)
			stop = FIRST_BYTE;
		else if (x.any_byte && now - x.last_byte_ms >= c->first_byte_timeout_ms)
			stop = SILENCE;
		if (stop != NONE)
			break;
		curl_multi_poll(m, NULL, 0, POLL_MS, NULL);
	}
	if (stop == NONE) {
		CURLMsg *msg;
		int left;

		while ((msg = curl_multi_info_read(m, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == h)
				rc = msg->data.result;
	}
	if (out->status == 0)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_multi_remove_handle(m, h);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	out->error_body = x.err ? x.err : "";
	out->error_len = x.err_len;

	switch (stop) {
	case CANCELLED:
		out->cancelled = true;
		return err_set(e, ST_UNAVAILABLE, "the request was cancelled");
	case TOTAL:
		return err_set(e, ST_TIMEOUT, "%s: no complete reply within %d ms",
		    origin(a, c->url), c->timeout_ms);
	case FIRST_BYTE:
		return err_set(e, ST_TIMEOUT, "%s: no first byte within %d ms",
		    origin(a, c->url), c->first_byte_timeout_ms);
	case SILENCE:
		return err_set(e, ST_TIMEOUT, "%s: the stream went silent for %d ms",
		    origin(a, c->url), c->first_byte_timeout_ms);
	case NONE:
		break;
	}
	if (x.cb_status != ST_OK)
		return x.cb_status;	/* the callback set e */
	if (x.too_large)
		return err_set(e, ST_TOO_LARGE, "%s: reply larger than %zu bytes",
		    origin(a, c->url), c->max_response);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		st = err_set(e, ST_TIMEOUT, "%s: timed out", origin(a, c->url));
	else if (rc != CURLE_OK)
		st = err_set(e, ST_UPSTREAM, "%s: %s", origin(a, c->url), curl_easy_strerror(rc));
	return st;
}

/* The provider's own words from {"error":{"message":…}} (OpenAI and most
 * compatible servers; Anthropic wraps the same shape in {"type":"error"}). */
static void
provider_message(const struct llm_http_result *r, char *out, size_t outsz)
{
	json_t *j, *m;

	out[0] = '\0';
	if (r->error_len == 0 || (j = json_loadb(r->error_body, r->error_len, 0, NULL)) == NULL)
		return;
	m = json_object_get(json_object_get(j, "error"), "message");
	if (!json_is_string(m))
		m = json_object_get(j, "message");
	if (json_is_string(m)) {
		snprintf(out, outsz, "%s", json_string_value(m));
		/* One line, printable: it ends up in logs. */
		for (char *p = out; *p; p++)
			if ((unsigned char)*p < ' ')
				*p = ' ';
	}
	json_decref(j);
}

enum status
llm_http_error(const char *provider, const struct llm_http_result *r,
    struct llm_call_info *info, struct err *e)
{
	char msg[160];
	long s = r->status;

	info->http_status = s;
	info->retry_after_s = r->retry_after_s;
	info->caller_fault = false;
	if (s == 401 || s == 403) {
		/* Never the key, nor the provider's message: some echo part of it. */
		info->caller_fault = true;
		return err_set(e, ST_UPSTREAM, "%s: provider rejected the key (HTTP %ld)", provider, s);
	}
	provider_message(r, msg, sizeof(msg));
	if (s == 429 || s >= 500) {
		char hint[48] = "";

		e->retry_after = r->retry_after_s;
		if (r->retry_after_s > 0)
			snprintf(hint, sizeof(hint), ", retry after %d s", r->retry_after_s);
		return err_set(e, ST_UPSTREAM, "%s: HTTP %ld (%s%s)", provider, s,
		    s == 429 ? "rate limited" : "provider error", hint);
	}
	info->caller_fault = true;
	return err_set(e, ST_UPSTREAM, "%s: HTTP %ld: %s", provider, s,
	    msg[0] ? msg : "request refused");
}

/* ---- remote adapters' common parts ------------------------------------------- */

void
llm_remote_free(struct llm_provider *p)
{
	/* Arena-owned: nothing to free. */
	(void)p;
}

struct llm_provider *
llm_remote_new(struct arena *a, const char *name, const struct llm_remote_config *c,
    enum status (*complete)(struct llm_provider *, struct arena *, const struct llm_request *,
	const struct llm_stream *, struct llm_response *, struct err *))
{
	struct llm_provider *p = arena_calloc(a, 1, sizeof(*p));
	struct llm_remote *r = arena_calloc(a, 1, sizeof(*r));

	r->cfg = *c;
	if (r->cfg.max_response == 0)
		r->cfg.max_response = LLM_MAX_RESPONSE_BYTES;
	if (r->cfg.timeout_ms <= 0)
		r->cfg.timeout_ms = 20000;
	if (r->cfg.first_byte_timeout_ms <= 0)
		r->cfg.first_byte_timeout_ms = 8000;
	p->name = name;
	p->complete = complete;
	p->free = llm_remote_free;
	p->ctx = r;
	return p;
}

const struct llm_call_info *
llm_remote_call_info(const struct llm_provider *p)
{
	if (p == NULL || p->free != llm_remote_free)
		return NULL;
	return &((const struct llm_remote *)p->ctx)->info;
}

enum status
llm_asm_feed(struct llm_asm *s, const char *p, size_t n)
{
	enum status st = sse_feed(&s->sse, p, n, s->on_event, s);

	if (st == ST_TOO_LARGE && s->e->message[0] == '\0')
		err_set(s->e, ST_TOO_LARGE, "%s: a stream line is too long", s->provider);
	return st;
}

static enum status
asm_bytes(void *ud, const char *p, size_t n)
{
	return llm_asm_feed(ud, p, n);
}

enum status
llm_asm_finish(struct llm_asm *s, const char *model, struct llm_response *out)
{
	if (!s->done && !s->finished)
		return err_set(s->e, ST_UPSTREAM, "%s: the stream ended before the reply was complete",
		    s->provider);
	llm_asm_result(s, model, out);
	return ST_OK;
}

enum status
llm_remote_call(struct llm_provider *self, struct arena *a, const struct llm_request *req,
    const struct llm_stream *stream, struct llm_http_call *call, char *secret_header,
    sse_event_fn on_event,
    enum status (*finish)(struct llm_asm *s, const char *model, struct llm_response *out),
    const char *model, struct llm_response *out, struct err *e)
{
	struct llm_remote *r = self->ctx;
	struct llm_http_result res;
	struct llm_asm s;
	enum status st;

	call->timeout_ms = llm_effective_timeout(req, &r->cfg);
	call->first_byte_timeout_ms = r->cfg.first_byte_timeout_ms < call->timeout_ms
	    ? r->cfg.first_byte_timeout_ms : call->timeout_ms;
	call->max_response = r->cfg.max_response;
	call->cancelled = req->cancelled;
	llm_asm_init(&s, a, self->name, stream, e);
	s.on_event = on_event;
	call->on_bytes = asm_bytes;
	call->ud = &s;

	st = llm_http_stream(a, call, &res, e);
	if (secret_header != NULL)
		sodium_memzero(secret_header, strlen(secret_header));
	r->info.http_status = res.status;
	r->info.cancelled = res.cancelled;
	if (st == ST_OK && (res.status < 200 || res.status >= 300))
		st = llm_http_error(self->name, &res, &r->info, e);
	else if (st == ST_OK)
		st = finish(&s, model, out);
	/* Too large is the provider's failing, not the caller's request. */
	if (st == ST_TOO_LARGE)
		st = ST_UPSTREAM;
	llm_asm_cleanup(&s);
	return st;
}

int
llm_effective_timeout(const struct llm_request *req, const struct llm_remote_config *c)
{
	if (req->timeout_ms > 0 && req->timeout_ms < c->timeout_ms)
		return req->timeout_ms;
	return c->timeout_ms;
}

bool
llm_tool_args_valid(const struct llm_tool_call *c)
{
	json_t *j;
	bool ok;

	if (c == NULL || c->arguments == NULL)
		return false;
	j = json_loads(c->arguments, JSON_REJECT_DUPLICATES, NULL);
	ok = json_is_object(j);
	json_decref(j);
	return ok;
}

void
llm_asm_init(struct llm_asm *s, struct arena *a, const char *provider,
    const struct llm_stream *stream, struct err *e)
{
	memset(s, 0, sizeof(*s));
	s->a = a;
	s->provider = provider;
	s->stream = stream;
	s->e = e;
	/* One SSE line or event holds at most one JSON chunk; 1 MiB is far
	 * beyond any a provider sends. */
	sse_init(&s->sse, 1024 * 1024, 1024 * 1024);
	buf_init(&s->text, LLM_MAX_RESPONSE_BYTES);
}

void
llm_asm_cleanup(struct llm_asm *s)
{
	sse_cleanup(&s->sse);
	buf_free(&s->text);
	for (size_t i = 0; i < s->ntools; i++)
		buf_free(&s->tools[i].args);
}

enum status
llm_asm_text(struct llm_asm *s, const char *p, size_t n)
{
	if (n == 0)
		return ST_OK;
	if (buf_append(&s->text, p, n) != ST_OK)
		return err_set(s->e, ST_TOO_LARGE, "%s: reply text too long", s->provider);
	if (s->stream != NULL && s->stream->on_text != NULL)
		s->stream->on_text(s->stream->ud, p, n);
	s->streamed += n;
	return ST_OK;
}

struct llm_tool_acc *
llm_asm_find_tool(struct llm_asm *s, long index)
{
	for (size_t i = s->ntools; i-- > 0;)
		if (s->tools[i].index == index)
			return &s->tools[i];
	return NULL;
}

struct llm_tool_acc *
llm_asm_tool(struct llm_asm *s, long index, const char *id)
{
	struct llm_tool_acc *t = llm_asm_find_tool(s, index);

	if (t != NULL && (id == NULL || *id == '\0' || t->id == NULL || strcmp(t->id, id) == 0)) {
		if (t->id == NULL && id != NULL && *id)
			t->id = arena_strdup(s->a, id);
		return t;
	}
	if (s->ntools == LLM_MAX_TOOL_CALLS) {
		s->dropped_tools++;
		return NULL;
	}
	t = &s->tools[s->ntools++];
	memset(t, 0, sizeof(*t));
	t->index = index;
	t->id = id != NULL && *id ? arena_strdup(s->a, id) : NULL;
	buf_init(&t->args, LLM_TOOL_ARGS_MAX);
	return t;
}

enum status
llm_asm_tool_args(struct llm_asm *s, struct llm_tool_acc *t, const char *p, size_t n)
{
	if (buf_append(&t->args, p, n) != ST_OK)
		return err_set(s->e, ST_TOO_LARGE, "%s: tool call arguments too long", s->provider);
	return ST_OK;
}

void
llm_asm_result(struct llm_asm *s, const char *model, struct llm_response *out)
{
	memset(out, 0, sizeof(*out));
	out->text = s->text.len ? arena_strndup(s->a, s->text.data, s->text.len) : "";
	if (s->ntools > 0)
		out->tool_calls = arena_calloc(s->a, s->ntools, sizeof(*out->tool_calls));
	for (size_t i = 0; i < s->ntools; i++) {
		struct llm_tool_acc *t = &s->tools[i];
		struct llm_tool_call *c = &out->tool_calls[out->ntool_calls++];

		/* A call without an id cannot be answered; give it one so the
		 * engine can still report the refusal against it. */
		c->id = t->id ? t->id : arena_printf(s->a, "call_%zu", i);
		c->name = t->name ? t->name : "";
		if (t->args.len > 0)
			c->arguments = arena_strndup(s->a, t->args.data, t->args.len);
		else
			c->arguments = t->initial ? t->initial : "{}";
	}
	out->input_tokens = (int)s->input_tokens;
	out->output_tokens = (int)s->output_tokens;
	out->cached_tokens = (int)s->cached_tokens;
	out->model = s->model[0] ? arena_strdup(s->a, s->model) : model;
	out->provider = s->provider;
}

json_t *
llm_tool_schema(const struct llm_tool_def *t, struct err *e)
{
	json_t *schema = json_loads(t->parameters ? t->parameters : "{}", 0, NULL);

	if (!json_is_object(schema)) {
		json_decref(schema);
		err_set(e, ST_INTERNAL, "tool %s: parameters are not a JSON object", t->name);
		return NULL;
	}
	return schema;
}

long
llm_int_field(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

char *
llm_json_text(struct arena *a, json_t *j)
{
	char *d = json_dumps(j, JSON_COMPACT), *out = NULL;

	if (d != NULL) {
		out = arena_strdup(a, d);
		free(d);
	}
	return out;
}
