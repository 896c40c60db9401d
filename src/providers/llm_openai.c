/* llm_openai.c — the Chat Completions API, streamed, with tools: OpenAI and
 * the servers that speak its dialect (OpenRouter, Ollama, vLLM, llama.cpp
 * server, Gemini's OpenAI compatibility endpoint — the last under its own
 * name, "gemini", so its calls are metered and circuit-broken as Gemini's).
 *
 * Wire format (OpenAI API reference, "Create chat completion" and "The chat
 * completion chunk object", https://platform.openai.com/docs/api-reference/chat):
 *
 *   POST {base}/v1/chat/completions
 *   Authorization: Bearer KEY
 *   {"model", "messages": [{"role": "system"|"user"|"assistant"|"tool", …}],
 *    "tools": [{"type": "function", "function": {name, description, parameters}}],
 *    "stream": true, "stream_options": {"include_usage": true}, "max_tokens"}
 *
 *   data: {"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}
 *   data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1",
 *          "type":"function","function":{"name":"f","arguments":""}}]}}]}
 *   data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,
 *          "function":{"arguments":"{\"a\":"}}]}}]}          (fragments to concatenate)
 *   data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}
 *   data: {"choices":[],"usage":{"prompt_tokens":…,"completion_tokens":…,
 *          "prompt_tokens_details":{"cached_tokens":…}}}   (include_usage)
 *   data: [DONE]
 *
 * Tool results go back as {"role":"tool","tool_call_id","content"} after the
 * assistant message that carried {"tool_calls":[{id,type,function}]}. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/llm_http.h"

#define DEFAULT_MAX_TOKENS 1024

/* {base}/v1/chat/completions — unless the base already ends in a version
 * segment (".../v1", OpenRouter's ".../api/v1", Gemini's
 * ".../v1beta/openai"), which then only gets /chat/completions. */
static char *
chat_url(struct arena *a, const char *base)
{
	size_t n = strlen(base);
	const char *seg;
	size_t sl;

	while (n > 0 && base[n - 1] == '/')
		n--;
	seg = base + n;
	while (seg > base && seg[-1] != '/')
		seg--;
	sl = (size_t)(base + n - seg);
	if (seg > base && seg[-1] == '/' && seg - 1 > base && seg[-2] != '/' &&
	    ((sl >= 2 && seg[0] == 'v' && seg[1] >= '0' && seg[1] <= '9') ||
	    (sl == 6 && memcmp(seg, "openai", 6) == 0)))
		return arena_printf(a, "%.*s/chat/completions", (int)n, base);
	return arena_printf(a, "%.*s/v1/chat/completions", (int)n, base);
}

static json_t *
system_text(const struct llm_request *req)
{
	/* One system message: several are not accepted by every compatible
	 * server's chat template. The static part comes first so providers
	 * that cache prompt prefixes automatically (OpenAI does, from 1024
	 * tokens) hit the cache turn after turn. */
	const char *s = req->system_static ? req->system_static : "";
	const char *d = req->system_dynamic ? req->system_dynamic : "";
	size_t sl = strlen(s), dl = strlen(d);
	char *t;
	json_t *j;

	if (sl == 0 && dl == 0)
		return NULL;
	t = malloc(sl + dl + 3);
	if (t == NULL)
		abort();
	memcpy(t, s, sl);
	if (sl && dl) {
		memcpy(t + sl, "\n\n", 2);
		sl += 2;
	}
	memcpy(t + sl, d, dl);
	t[sl + dl] = '\0';
	j = json_string(t);
	free(t);
	return j;
}

/* The request body, or NULL with e set (a tool schema that is not JSON). */
static char *
request_body(struct arena *a, const struct llm_request *req, const char *model, bool stream,
    struct err *e)
{
	json_t *body = json_object(), *msgs = json_array(), *sys;
	char *out = NULL;

	json_object_set_new(body, "model", json_string(model ? model : ""));
	if ((sys = system_text(req)) != NULL)
		json_array_append_new(msgs, json_pack("{s:s, s:o}", "role", "system", "content", sys));
	for (size_t i = 0; i < req->nmessages; i++) {
		const struct llm_message *m = &req->messages[i];
		json_t *jm;

		switch (m->role) {
		case LLM_USER:
			jm = json_pack("{s:s, s:s}", "role", "user", "content",
			    m->content ? m->content : "");
			break;
		case LLM_ASSISTANT:
			jm = json_pack("{s:s}", "role", "assistant");
			json_object_set_new(jm, "content",
			    m->content && *m->content ? json_string(m->content) : json_null());
			if (m->ntool_calls > 0) {
				json_t *calls = json_array();

				for (size_t k = 0; k < m->ntool_calls; k++) {
					const struct llm_tool_call *c = &m->tool_calls[k];

					json_array_append_new(calls, json_pack(
					    "{s:s, s:s, s:{s:s, s:s}}", "id", c->id ? c->id : "",
					    "type", "function", "function", "name",
					    c->name ? c->name : "", "arguments",
					    c->arguments ? c->arguments : "{}"));
				}
				json_object_set_new(jm, "tool_calls", calls);
			}
			break;
		case LLM_TOOL:
		default:
			jm = json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_call_id",
			    m->tool_call_id ? m->tool_call_id : "", "content",
			    m->content ? m->content : "");
			break;
		}
		if (jm == NULL) {
			err_set(e, ST_INVALID, "a message is not valid UTF-8");
			goto out;
		}
		json_array_append_new(msgs, jm);
	}
	json_object_set_new(body, "messages", msgs);
	msgs = NULL;
	if (req->ntools > 0) {
		json_t *tools = json_array();

		json_object_set_new(body, "tools", tools);
		for (size_t i = 0; i < req->ntools; i++) {
			const struct llm_tool_def *t = &req->tools[i];
			json_t *params = llm_tool_schema(t, e);

			if (params == NULL)
				goto out;
			json_array_append_new(tools, json_pack("{s:s, s:{s:s, s:s, s:o}}", "type",
			    "function", "function", "name", t->name, "description",
			    t->description ? t->description : "", "parameters", params));
		}
	}
	/* max_tokens, not max_completion_tokens: every compatible server
	 * knows the older name. */
	json_object_set_new(body, "max_tokens",
	    json_integer(req->max_tokens > 0 ? req->max_tokens : DEFAULT_MAX_TOKENS));
	json_object_set_new(body, "stream", json_boolean(stream));
	if (stream)
		json_object_set_new(body, "stream_options", json_pack("{s:b}", "include_usage", 1));
	out = llm_json_text(a, body);
out:
	json_decref(msgs);
	json_decref(body);
	return out;
}

static enum status
on_tool_deltas(struct llm_asm *s, json_t *calls)
{
	size_t i;
	json_t *c;
	enum status st;

	json_array_foreach(calls, i, c) {
		json_t *jidx = json_object_get(c, "index");
		json_t *fn = json_object_get(c, "function");
		json_t *name = json_object_get(fn, "name");
		json_t *args = json_object_get(fn, "arguments");
		struct llm_tool_acc *t;

		t = llm_asm_tool(s, json_is_integer(jidx) ? (long)json_integer_value(jidx) : (long)i,
		    json_string_value(json_object_get(c, "id")));
		if (t == NULL)
			continue;
		if (json_is_string(name) && json_string_length(name) > 0 && t->name == NULL)
			t->name = arena_strdup(s->a, json_string_value(name));
		if (json_is_string(args) &&
		    (st = llm_asm_tool_args(s, t, json_string_value(args),
		    json_string_length(args))) != ST_OK)
			return st;
	}
	return ST_OK;
}

/* One SSE event of the stream. */
static enum status
on_event(void *ud, const struct sse_event *ev)
{
	struct llm_asm *s = ud;
	json_t *j, *v, *choice, *delta;
	enum status st = ST_OK;

	if (ev->len == 6 && memcmp(ev->data, "[DONE]", 6) == 0) {
		s->done = true;
		return ST_OK;
	}
	if ((j = json_loadb(ev->data, ev->len, 0, NULL)) == NULL)
		return err_set(s->e, ST_UPSTREAM, "%s: a stream event is not JSON", s->provider);
	/* Errors after a 200 arrive in the stream (OpenAI, vLLM, OpenRouter). */
	if ((v = json_object_get(j, "error")) != NULL && !json_is_null(v)) {
		const char *m = json_string_value(json_object_get(v, "message"));

		st = err_set(s->e, ST_UPSTREAM, "%s: error in stream: %.120s", s->provider,
		    m ? m : "unknown");
		goto out;
	}
	if (json_is_string(v = json_object_get(j, "model")) && s->model[0] == '\0')
		snprintf(s->model, sizeof(s->model), "%s", json_string_value(v));
	if (json_is_object(v = json_object_get(j, "usage"))) {
		s->input_tokens = llm_int_field(v, "prompt_tokens");
		s->output_tokens = llm_int_field(v, "completion_tokens");
		s->cached_tokens = llm_int_field(json_object_get(v, "prompt_tokens_details"),
		    "cached_tokens");
	}
	/* n = 1: only choice 0 matters. */
	choice = json_array_get(json_object_get(j, "choices"), 0);
	if (choice == NULL)
		goto out;
	delta = json_object_get(choice, "delta");
	if (json_is_string(v = json_object_get(delta, "content")) &&
	    (st = llm_asm_text(s, json_string_value(v), json_string_length(v))) != ST_OK)
		goto out;
	/* A refusal is what the model says instead of an answer: show it. */
	if (json_is_string(v = json_object_get(delta, "refusal")) &&
	    (st = llm_asm_text(s, json_string_value(v), json_string_length(v))) != ST_OK)
		goto out;
	if (json_is_array(v = json_object_get(delta, "tool_calls")) &&
	    (st = on_tool_deltas(s, v)) != ST_OK)
		goto out;
	if (json_is_string(v = json_object_get(choice, "finish_reason"))) {
		s->finished = true;
		snprintf(s->stop_reason, sizeof(s->stop_reason), "%s", json_string_value(v));
	}
out:
	json_decref(j);
	return st;
}


static enum status
openai_complete(struct llm_provider *self, struct arena *a, const struct llm_request *req,
    const struct llm_stream *stream, struct llm_response *out, struct err *e)
{
	struct llm_remote *r = self->ctx;
	struct llm_http_call call = { 0 };
	const char *model = req->model && *req->model ? req->model : r->cfg.model;
	char *auth = NULL;
	size_t nh = 0;

	memset(&r->info, 0, sizeof(r->info));
	if ((call.body = request_body(a, req, model, true, e)) == NULL)
		return ST_INTERNAL;
	call.body_len = strlen(call.body);
	call.url = chat_url(a, r->cfg.base_url);
	call.headers[nh++] = "Content-Type: application/json";
	/* Local servers (Ollama, llama.cpp) need no key. */
	if (r->cfg.api_key != NULL && *r->cfg.api_key)
		call.headers[nh++] = auth = arena_printf(a, "Authorization: Bearer %s", r->cfg.api_key);
	return llm_remote_call(self, a, req, stream, &call, auth, on_event, llm_asm_finish, model,
	    out, e);
}

struct llm_provider *
llm_openai_new(struct arena *a, const struct llm_remote_config *c)
{
	return llm_remote_new(a, "openai", c, openai_complete);
}

struct llm_provider *
llm_gemini_new(struct arena *a, const struct llm_remote_config *c)
{
	return llm_remote_new(a, "gemini", c, openai_complete);
}
