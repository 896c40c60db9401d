/* llm_anthropic.c — the Anthropic Messages API, streamed, with tool use and
 * prompt caching of the static system prefix.
 *
 * Wire format (Anthropic API reference: "Messages", "Streaming Messages",
 * "Tool use", "Prompt caching" — https://docs.anthropic.com/en/api/messages,
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming,
 * https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching):
 *
 *   POST {base}/v1/messages
 *   x-api-key: KEY
 *   anthropic-version: 2023-06-01
 *   {"model", "max_tokens", "stream": true,
 *    "system": [{"type":"text","text":STATIC,"cache_control":{"type":"ephemeral"}},
 *               {"type":"text","text":DYNAMIC}],
 *    "tools": [{"name","description","input_schema"}],
 *    "messages": [{"role":"user"|"assistant","content":[blocks]}]}
 *
 *   event: message_start        {"message":{"model",…,"usage":{"input_tokens",
 *                                "cache_creation_input_tokens","cache_read_input_tokens",
 *                                "output_tokens"}}}
 *   event: content_block_start  {"index":0,"content_block":{"type":"text","text":""}}
 *                               {"index":1,"content_block":{"type":"tool_use","id","name","input":{}}}
 *   event: content_block_delta  {"index":0,"delta":{"type":"text_delta","text":"Hi"}}
 *                               {"index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a"}}
 *   event: content_block_stop   {"index":1}
 *   event: message_delta        {"delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":42}}
 *   event: message_stop
 *   event: ping | error {"error":{"type":"overloaded_error","message":…}}
 *
 * The cache prefix runs tools → system → messages up to the block marked
 * cache_control, so marking the static system block caches the tool
 * definitions and the tenant's prompt + knowledge together; the dynamic
 * part (today's date, …) follows it uncached. Tool results go back as a
 * user message of {"type":"tool_result","tool_use_id","content"} blocks. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/llm_http.h"

#define DEFAULT_MAX_TOKENS 1024
#define ANTHROPIC_VERSION "2023-06-01"

static void
add_block(json_t *msgs, const char *role, json_t *block)
{
	json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);

	/* Roles must alternate: consecutive turns of one role (several tool
	 * results, a tool result then the customer's text) are one message. */
	if (last != NULL && strcmp(json_string_value(json_object_get(last, "role")), role) == 0) {
		json_array_append_new(json_object_get(last, "content"), block);
		return;
	}
	json_array_append_new(msgs, json_pack("{s:s, s:[o]}", "role", role, "content", block));
}

static json_t *
text_block(const char *t)
{
	return json_pack("{s:s, s:s}", "type", "text", "text", t);
}

/* The messages array, or NULL when some text is not UTF-8. */
static json_t *
messages_json(const struct llm_request *req)
{
	json_t *msgs = json_array();

	for (size_t i = 0; i < req->nmessages; i++) {
		const struct llm_message *m = &req->messages[i];
		json_t *b;

		switch (m->role) {
		case LLM_USER:
			/* Empty text blocks are refused by the API. */
			if (m->content == NULL || *m->content == '\0')
				break;
			if ((b = text_block(m->content)) == NULL)
				goto bad;
			add_block(msgs, "user", b);
			break;
		case LLM_ASSISTANT:
			if (m->content != NULL && *m->content) {
				if ((b = text_block(m->content)) == NULL)
					goto bad;
				add_block(msgs, "assistant", b);
			}
			for (size_t k = 0; k < m->ntool_calls; k++) {
				const struct llm_tool_call *c = &m->tool_calls[k];
				json_t *input = json_loads(c->arguments ? c->arguments : "{}", 0, NULL);

				/* input must be an object; arguments the engine refused
				 * as malformed are sent back as {}. */
				if (!json_is_object(input)) {
					json_decref(input);
					input = json_object();
				}
				b = json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_use", "id",
				    c->id ? c->id : "", "name", c->name ? c->name : "", "input", input);
				if (b == NULL)
					goto bad;
				add_block(msgs, "assistant", b);
			}
			break;
		case LLM_TOOL:
		default:
			b = json_pack("{s:s, s:s, s:s}", "type", "tool_result", "tool_use_id",
			    m->tool_call_id ? m->tool_call_id : "", "content",
			    m->content ? m->content : "");
			if (b == NULL)
				goto bad;
			add_block(msgs, "user", b);
			break;
		}
	}
	/* The conversation must open with the customer; a greeting the engine
	 * sent first gets a neutral opener before it. */
	if (json_array_size(msgs) > 0 &&
	    strcmp(json_string_value(json_object_get(json_array_get(msgs, 0), "role")), "user") != 0)
		json_array_insert_new(msgs, 0, json_pack("{s:s, s:[o]}", "role", "user", "content",
		    text_block("(The customer opened the chat.)")));
	return msgs;
bad:
	json_decref(msgs);
	return NULL;
}

static char *
request_body(struct arena *a, const struct llm_request *req, const char *model, struct err *e)
{
	json_t *body = json_object(), *system = json_array(), *msgs, *b;
	char *out = NULL;

	json_object_set_new(body, "model", json_string(model ? model : ""));
	json_object_set_new(body, "max_tokens",
	    json_integer(req->max_tokens > 0 ? req->max_tokens : DEFAULT_MAX_TOKENS));
	json_object_set_new(body, "stream", json_true());
	if (req->system_static != NULL && *req->system_static) {
		if ((b = text_block(req->system_static)) == NULL)
			goto bad_utf8;
		json_object_set_new(b, "cache_control", json_pack("{s:s}", "type", "ephemeral"));
		json_array_append_new(system, b);
	}
	if (req->system_dynamic != NULL && *req->system_dynamic) {
		if ((b = text_block(req->system_dynamic)) == NULL)
			goto bad_utf8;
		json_array_append_new(system, b);
	}
	if (json_array_size(system) > 0)
		json_object_set(body, "system", system);
	if (req->ntools > 0) {
		json_t *tools = json_array();

		json_object_set_new(body, "tools", tools);
		for (size_t i = 0; i < req->ntools; i++) {
			const struct llm_tool_def *t = &req->tools[i];
			json_t *schema = llm_tool_schema(t, e);

			if (schema == NULL)
				goto out;
			json_array_append_new(tools, json_pack("{s:s, s:s, s:o}", "name", t->name,
			    "description", t->description ? t->description : "", "input_schema",
			    schema));
		}
	}
	if ((msgs = messages_json(req)) == NULL)
		goto bad_utf8;
	json_object_set_new(body, "messages", msgs);
	out = llm_json_text(a, body);
	goto out;
bad_utf8:
	err_set(e, ST_INVALID, "a message is not valid UTF-8");
out:
	json_decref(system);
	json_decref(body);
	return out;
}

/* Anthropic counts cached prompt tokens apart from input_tokens; we report
 * the whole prompt as input and the part read from cache as cached, the
 * same meaning as OpenAI's prompt_tokens and cached_tokens. */
static void
take_usage(struct llm_asm *s, json_t *u)
{
	if (!json_is_object(u))
		return;
	if (json_object_get(u, "input_tokens") != NULL)
		s->input_tokens = llm_int_field(u, "input_tokens");
	if (json_object_get(u, "cache_read_input_tokens") != NULL)
		s->cached_tokens = llm_int_field(u, "cache_read_input_tokens");
	if (json_object_get(u, "cache_creation_input_tokens") != NULL)
		s->cache_write_tokens = llm_int_field(u, "cache_creation_input_tokens");
	if (json_object_get(u, "output_tokens") != NULL)
		s->output_tokens = llm_int_field(u, "output_tokens");	/* cumulative */
}

static enum status
on_event(void *ud, const struct sse_event *ev)
{
	struct llm_asm *s = ud;
	json_t *j, *v, *block, *delta;
	const char *type;
	long index;
	enum status st = ST_OK;

	if ((j = json_loadb(ev->data, ev->len, 0, NULL)) == NULL)
		return err_set(s->e, ST_UPSTREAM, "%s: a stream event is not JSON", s->provider);
	type = json_string_value(json_object_get(j, "type"));
	if (type == NULL)
		type = ev->event;
	index = llm_int_field(j, "index");

	if (strcmp(type, "message_start") == 0) {
		json_t *msg = json_object_get(j, "message");

		if (json_is_string(v = json_object_get(msg, "model")))
			snprintf(s->model, sizeof(s->model), "%s", json_string_value(v));
		take_usage(s, json_object_get(msg, "usage"));
	} else if (strcmp(type, "content_block_start") == 0) {
		block = json_object_get(j, "content_block");
		v = json_object_get(block, "type");
		if (json_is_string(v) && strcmp(json_string_value(v), "text") == 0) {
			v = json_object_get(block, "text");
			if (json_is_string(v))
				st = llm_asm_text(s, json_string_value(v), json_string_length(v));
		} else if (json_is_string(v) && strcmp(json_string_value(v), "tool_use") == 0) {
			struct llm_tool_acc *t = llm_asm_tool(s, index,
			    json_string_value(json_object_get(block, "id")));
			json_t *input = json_object_get(block, "input");

			if (t != NULL) {
				if (json_is_string(v = json_object_get(block, "name")))
					t->name = arena_strdup(s->a, json_string_value(v));
				if (json_is_object(input) && json_object_size(input) > 0) {
					char *d = json_dumps(input, JSON_COMPACT);

					t->initial = arena_strdup(s->a, d ? d : "{}");
					free(d);
				}
			}
		}
		/* thinking and other block types carry nothing for the customer. */
	} else if (strcmp(type, "content_block_delta") == 0) {
		delta = json_object_get(j, "delta");
		v = json_object_get(delta, "type");
		if (json_is_string(v) && strcmp(json_string_value(v), "text_delta") == 0) {
			v = json_object_get(delta, "text");
			if (json_is_string(v))
				st = llm_asm_text(s, json_string_value(v), json_string_length(v));
		} else if (json_is_string(v) &&
		    strcmp(json_string_value(v), "input_json_delta") == 0) {
			struct llm_tool_acc *t = llm_asm_find_tool(s, index);

			v = json_object_get(delta, "partial_json");
			if (t != NULL && json_is_string(v))
				st = llm_asm_tool_args(s, t, json_string_value(v),
				    json_string_length(v));
		}
	} else if (strcmp(type, "message_delta") == 0) {
		v = json_object_get(json_object_get(j, "delta"), "stop_reason");
		if (json_is_string(v)) {
			s->finished = true;
			snprintf(s->stop_reason, sizeof(s->stop_reason), "%s", json_string_value(v));
		}
		take_usage(s, json_object_get(j, "usage"));
	} else if (strcmp(type, "message_stop") == 0) {
		s->done = true;
	} else if (strcmp(type, "error") == 0) {
		json_t *er = json_object_get(j, "error");
		const char *et = json_string_value(json_object_get(er, "type"));
		const char *m = json_string_value(json_object_get(er, "message"));

		st = err_set(s->e, ST_UPSTREAM, "%s: error in stream: %s: %.120s", s->provider,
		    et ? et : "error", m ? m : "");
	}
	/* ping, content_block_stop and unknown events: nothing to do. */
	json_decref(j);
	return st;
}

/* Anthropic counts cached and cache-written prompt tokens apart from
 * input_tokens; the metering wants them all as input. */
static enum status
finish(struct llm_asm *s, const char *model, struct llm_response *out)
{
	s->input_tokens += s->cached_tokens + s->cache_write_tokens;
	return llm_asm_finish(s, model, out);
}

static enum status
anthropic_complete(struct llm_provider *self, struct arena *a, const struct llm_request *req,
    const struct llm_stream *stream, struct llm_response *out, struct err *e)
{
	struct llm_remote *r = self->ctx;
	struct llm_http_call call = { 0 };
	const char *model = req->model && *req->model ? req->model : r->cfg.model;
	char *key = NULL;
	size_t nh = 0;

	memset(&r->info, 0, sizeof(r->info));
	if ((call.body = request_body(a, req, model, e)) == NULL)
		return ST_INTERNAL;
	call.body_len = strlen(call.body);
	call.url = llm_url(a, r->cfg.base_url, "/v1/messages");
	call.headers[nh++] = "Content-Type: application/json";
	call.headers[nh++] = "anthropic-version: " ANTHROPIC_VERSION;
	if (r->cfg.api_key != NULL && *r->cfg.api_key)
		call.headers[nh++] = key = arena_printf(a, "x-api-key: %s", r->cfg.api_key);
	return llm_remote_call(self, a, req, stream, &call, key, on_event, finish, model,
	    out, e);
}

struct llm_provider *
llm_anthropic_new(struct arena *a, const struct llm_remote_config *c)
{
	return llm_remote_new(a, "anthropic", c, anthropic_complete);
}
