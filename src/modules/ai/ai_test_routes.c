/* ai_test_routes.c — with ENABLE_TEST_ROUTES, POST /v1/test/llm: drives a
 * bare adapter or the tenant's whole chain (as the engine gets it: ending
 * with the offline receptionist) against the fake servers of the
 * integration suite, optionally metered like a customer message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/ai/ai_internal.h"
#include "modules/ai/ai_offline.h"
#include "modules/billing/billing.h"
#include "modules/llm/llm.h"

struct sse_out {
	struct request *r;
	size_t deltas;
	bool stream;
	bool gone;
};

static void
on_text(void *ud, const char *delta, size_t n)
{
	struct sse_out *o = ud;
	json_t *j;
	char *d, *ev;

	o->deltas++;
	if (!o->stream || o->gone)
		return;
	j = json_pack("{s:s%}", "text", delta, n);
	d = json_dumps(j, JSON_COMPACT);
	ev = arena_printf(o->r->arena, "event: delta\ndata: %s\n\n", d ? d : "{}");
	free(d);
	json_decref(j);
	if (http_stream_write(o->r, ev, strlen(ev)) != ST_OK)
		o->gone = true;
}

static enum llm_role
role_of(const char *s)
{
	if (s != NULL && strcmp(s, "assistant") == 0)
		return LLM_ASSISTANT;
	if (s != NULL && strcmp(s, "tool") == 0)
		return LLM_TOOL;
	return LLM_USER;
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The test body, loosely checked (test-only). */
static void
build_request(struct request *r, json_t *body, struct llm_request *req)
{
	json_t *msgs = json_object_get(body, "messages"), *tools = json_object_get(body, "tools");
	json_t *m, *t;
	size_t i;

	memset(req, 0, sizeof(*req));
	req->model = str(body, "model");
	req->system_static = str(body, "system_static");
	req->system_dynamic = str(body, "system_dynamic");
	req->max_tokens = (int)json_integer_value(json_object_get(body, "max_tokens"));
	req->timeout_ms = (int)json_integer_value(json_object_get(body, "timeout_ms"));
	req->cancelled = r->cancelled;
	req->tenant_timezone = "UTC";
	req->now_utc = (long long)time(NULL);
	if (json_is_array(msgs) && json_array_size(msgs) > 0) {
		struct llm_message *lm = arena_calloc(r->arena, json_array_size(msgs), sizeof(*lm));

		json_array_foreach(msgs, i, m) {
			json_t *calls = json_object_get(m, "tool_calls"), *c;
			size_t k;

			lm[i].role = role_of(str(m, "role"));
			lm[i].content = str(m, "content");
			lm[i].tool_call_id = str(m, "tool_call_id");
			lm[i].tool_name = str(m, "tool_name");
			if (json_is_array(calls) && json_array_size(calls) > 0) {
				struct llm_tool_call *tc = arena_calloc(r->arena, json_array_size(calls),
				    sizeof(*tc));

				json_array_foreach(calls, k, c) {
					tc[k].id = str(c, "id");
					tc[k].name = str(c, "name");
					tc[k].arguments = str(c, "arguments");
				}
				lm[i].tool_calls = tc;
				lm[i].ntool_calls = json_array_size(calls);
			}
		}
		req->messages = lm;
		req->nmessages = json_array_size(msgs);
	} else {
		struct llm_message *lm = arena_calloc(r->arena, 1, sizeof(*lm));

		lm->role = LLM_USER;
		lm->content = "Hello";
		req->messages = lm;
		req->nmessages = 1;
	}
	if (json_is_array(tools) && json_array_size(tools) > 0) {
		struct llm_tool_def *td = arena_calloc(r->arena, json_array_size(tools), sizeof(*td));

		json_array_foreach(tools, i, t) {
			char *p = json_dumps(json_object_get(t, "parameters"), JSON_COMPACT);

			td[i].name = str(t, "name");
			td[i].description = str(t, "description");
			td[i].parameters = arena_strdup(r->arena, p ? p : "{}");
			free(p);
		}
		req->tools = td;
		req->ntools = json_array_size(tools);
	}
}

static json_t *
response_json(const struct llm_response *resp, size_t deltas)
{
	json_t *calls = json_array();

	for (size_t i = 0; i < resp->ntool_calls; i++)
		json_array_append_new(calls, json_pack("{s:s, s:s, s:s, s:b}",
		    "id", resp->tool_calls[i].id, "name", resp->tool_calls[i].name,
		    "arguments", resp->tool_calls[i].arguments,
		    "valid", llm_tool_args_valid(&resp->tool_calls[i])));
	return json_pack("{s:s, s:o, s:i, s:i, s:i, s:s?, s:s?, s:I}", "text", resp->text,
	    "tool_calls", calls, "input_tokens", resp->input_tokens,
	    "output_tokens", resp->output_tokens, "cached_tokens", resp->cached_tokens,
	    "model", resp->model, "provider", resp->provider, "deltas", (json_int_t)deltas);
}

/* POST /v1/test/llm {provider?: "tenant"|"openai"|"anthropic"|"gemini", stream?,
 * meter?, model?, system_static?, system_dynamic?, messages?, tools?, max_tokens?,
 * timeout_ms?} "tenant" (the default) is the tenant's whole chain as the engine
 * gets it; "openai" / "anthropic" / "gemini" a bare adapter on the platform's settings. With
 * meter, the call is metered like a customer message (refused past the
 * plan's limit, then recorded). */
static enum status
test_llm_route(struct request *r, struct response *w)
{
	const struct config *cfg = r->ctx.cfg;
	json_t *body;
	const char *which;
	struct llm_request req;
	struct llm_response resp;
	struct llm_provider *p = NULL;
	struct sse_out o = { .r = r };
	struct llm_stream stream = { .on_text = on_text, .ud = &o };
	struct err e;
	bool meter;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	which = str(body, "provider") ? str(body, "provider") : "tenant";
	o.stream = json_is_true(json_object_get(body, "stream"));
	meter = json_is_true(json_object_get(body, "meter"));
	build_request(r, body, &req);

	if (strcmp(which, "tenant") == 0 || meter) {
		st = ai_test_model_prepare(&r->ctx, strcmp(which, "tenant") == 0, meter, &p);
		if (st != ST_OK) {
			if (st == ST_FORBIDDEN && meter)
				return reply_json(r, w, 200, json_pack("{s:s, s:b}", "text",
				    r->err.message, "limited", 1));
			return st;
		}
	}
	if (p == NULL) {
		enum llm_kind k;

		if (!llm_kind_parse(which, &k) || k == LLM_KIND_OFFLINE) {
			err_detail(&r->err, "provider", "must be tenant, openai, anthropic or gemini");
			return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
		}
		p = llm_platform_adapter(cfg, k, r->arena);
	}
	if (o.stream && (st = http_stream_start(r, w, 200, "text/event-stream")) != ST_OK)
		return st;
	err_clear(&e);
	st = p->complete(p, r->arena, &req, &stream, &resp, &e);
	if (st == ST_OK && meter) {
		if (ai_test_model_meter(&r->ctx, &resp) != ST_OK)
			log_warn("usage not recorded: %s", r->err.message);
	}
	if (o.stream) {
		json_t *j = st == ST_OK ? response_json(&resp, o.deltas)
		    : json_pack("{s:s, s:s, s:i, s:I}", "code", status_code(st), "message", e.message,
		    "retry_after", e.retry_after, "deltas", (json_int_t)o.deltas);
		char *d = json_dumps(j, JSON_COMPACT);
		char *ev = arena_printf(r->arena, "event: %s\ndata: %s\n\n",
		    st == ST_OK ? "result" : "error", d ? d : "{}");

		free(d);
		json_decref(j);
		if (!o.gone && http_stream_write(r, ev, strlen(ev)) != ST_OK)
			log_info("test llm: the client left before the result");
		return ST_OK;
	}
	if (st != ST_OK) {
		r->err = e;
		return st;
	}
	return reply_json(r, w, 200, response_json(&resp, o.deltas));
}

static const struct route ai_test_routes_v[] = {
	{ HTTP_POST, "/v1/test/llm", test_llm_route, TENANCY_HOST_OR_HEADER, 0, NULL },
};
const struct route_table ai_test_routes = TABLE_OF(ai_test_routes_v);
