/* llm_routes.c — the tenant's own model settings (/v1/admin/ai-provider:
 * provider, model, base URL within the platform's allow-list, API key
 * write-only and sealed at rest), and with ENABLE_TEST_ROUTES the
 * adapter-level test route POST /v1/test/llm that drives a provider or the
 * tenant's whole chain against the fake servers of the integration suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/jsonv.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth.h"
#include "modules/auth/authz.h"
#include "modules/billing/usage.h"
#include "providers/llm_factory.h"

#define PATH "/v1/admin/ai-provider"

static enum status
begin(struct request *r, struct db_tx *tx)
{
	return db_tx_begin(tx, &r->ctx);
}

/* GET /v1/admin/ai-provider */
static enum status
get_route(struct request *r, struct response *w)
{
	struct db_tx tx;
	json_t *out = NULL;
	enum status st;

	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	st = llm_tenant_settings_json(&r->app->cfg, &tx, &out);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	return reply_json(r, w, 200, out);
}

static const char *const providers[] = { "offline", "openai", "anthropic", NULL };

static bool
printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static const struct jv_field put_fields[] = {
	{ "provider", JV_STRING, true, false, 0, 0, providers, NULL, NULL },
	{ "model", JV_STRING, false, true, 1, 200, NULL, printable_ascii,
	    "printable characters without spaces" },
	/* Absent: keep the stored key; null: remove it. Never returned. */
	{ "api_key", JV_STRING, false, true, 1, 4096, NULL, printable_ascii,
	    "printable characters without spaces" },
	{ "base_url", JV_STRING, false, true, 8, 500, NULL, NULL, NULL },
};

/* PUT /v1/admin/ai-provider {provider, model?, api_key?, base_url?} */
static enum status
put_route(struct request *r, struct response *w)
{
	json_t *body, *jkey;
	struct sec_sealed sealed = { 0 };
	struct llm_settings_input in = { 0 };
	const char *key;
	struct audit_actor who;
	struct db_tx tx;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	if ((st = jv_validate(body, put_fields, sizeof(put_fields) / sizeof(put_fields[0]),
	    &r->err)) != ST_OK)
		return st;
	(void)llm_kind_parse(json_string_value(json_object_get(body, "provider")), &in.kind);
	in.model = json_string_value(json_object_get(body, "model"));
	in.base_url = json_string_value(json_object_get(body, "base_url"));
	jkey = json_object_get(body, "api_key");
	key = json_string_value(jkey);
	/* Absent: keep the stored key; null: remove it. */
	in.key_action = jkey == NULL ? LLM_KEY_KEEP : key == NULL ? LLM_KEY_REMOVE : LLM_KEY_REPLACE;
	in.sealed = &sealed;
	if (in.base_url != NULL && !llm_tenant_base_url_allowed(&r->app->cfg, in.base_url)) {
		err_detail(&r->err, "base_url", "is not one of the base URLs this platform allows");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if (key != NULL && (st = llm_key_seal(&r->app->cfg, r->arena, key, &sealed,
	    &r->err)) != ST_OK)
		return st;
	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = llm_tenant_settings_put(&tx, &in)) == ST_OK) {
		static const char *const key_change[] = { "unchanged", "replaced", "removed" };

		auth_actor(&r->ctx, &who);
		st = audit_record(&tx, &who, "ai_provider.updated", "ai_provider", NULL,
		    json_pack("{s:{s:s}, s:{s:s?}, s:{s:s?}, s:{s:s}}",
		    "provider", "to", llm_kind_name(in.kind), "model", "to", in.model,
		    "base_url", "to", in.base_url, "api_key", "to", key_change[in.key_action]));
	}
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return get_route(r, w);
}

/* DELETE /v1/admin/ai-provider — back to the platform's default. */
static enum status
delete_route(struct request *r, struct response *w)
{
	struct audit_actor who;
	struct db_tx tx;
	bool deleted = false;
	enum status st;

	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = llm_tenant_settings_delete(&tx, &deleted)) == ST_OK && deleted) {
		auth_actor(&r->ctx, &who);
		st = audit_record(&tx, &who, "ai_provider.deleted", "ai_provider", NULL, NULL);
	}
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}

const struct route llm_routes[] = {
	{ HTTP_GET, PATH, get_route, TENANCY_HOST_OR_HEADER, PERM(RES_AI_SETTINGS, VERB_READ), NULL },
	{ HTTP_PUT, PATH, put_route, TENANCY_HOST_OR_HEADER, PERM(RES_AI_SETTINGS, VERB_WRITE),
	    NULL },
	{ HTTP_DELETE, PATH, delete_route, TENANCY_HOST_OR_HEADER,
	    PERM(RES_AI_SETTINGS, VERB_WRITE), NULL },
};
const size_t llm_nroutes = sizeof(llm_routes) / sizeof(llm_routes[0]);

/* ---- test only: POST /v1/test/llm ---------------------------------------------------- */

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

/* POST /v1/test/llm {provider?: "tenant"|"openai"|"anthropic", stream?, meter?,
 * model?, system_static?, system_dynamic?, messages?, tools?, max_tokens?, timeout_ms?}
 * "tenant" (the default) is the tenant's whole chain as the engine gets it;
 * "openai" / "anthropic" a bare adapter on the platform's settings. With
 * meter, the call is metered like a customer message (refused past the
 * plan's limit, then recorded). */
static enum status
test_llm_route(struct request *r, struct response *w)
{
	const struct config *cfg = &r->app->cfg;
	json_t *body;
	const char *which;
	struct llm_request req;
	struct llm_response resp;
	struct llm_provider *p = NULL;
	struct sse_out o = { .r = r };
	struct llm_stream stream = { .on_text = on_text, .ud = &o };
	enum plan_tier plan = PLAN_FREE;
	struct db_tx tx;
	struct err e;
	bool meter;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	which = str(body, "provider") ? str(body, "provider") : "tenant";
	o.stream = json_is_true(json_object_get(body, "stream"));
	meter = json_is_true(json_object_get(body, "meter"));
	build_request(r, body, &req);
	(void)plan_parse(r->ctx.tenant.plan, &plan);

	if (strcmp(which, "tenant") == 0 || meter) {
		if ((st = begin(r, &tx)) != ST_OK)
			return st;
		if (meter)
			st = usage_allow_message(&tx, plan, &r->err);
		if (st == ST_OK && strcmp(which, "tenant") == 0)
			st = llm_factory_for_tenant(r->app, &tx, r->arena, &p, &r->err);
		/* Ended before the model is called: no transaction across it. */
		if ((st = db_tx_end(&tx, st)) != ST_OK) {
			if (st == ST_FORBIDDEN && meter)
				return reply_json(r, w, 200, json_pack("{s:s, s:b}", "text",
				    r->err.message, "limited", 1));
			return st;
		}
	}
	if (p == NULL) {
		struct llm_remote_config rc = {
			.timeout_ms = cfg->llm_timeout_ms,
			.first_byte_timeout_ms = cfg->llm_first_byte_timeout_ms,
		};

		if (strcmp(which, "openai") == 0) {
			rc.api_key = cfg->openai_api_key;
			rc.base_url = cfg->openai_base_url;
			rc.model = cfg->openai_model;
			p = llm_openai_new(r->arena, &rc);
		} else if (strcmp(which, "anthropic") == 0) {
			rc.api_key = cfg->anthropic_api_key;
			rc.base_url = cfg->anthropic_base_url;
			rc.model = cfg->anthropic_model;
			p = llm_anthropic_new(r->arena, &rc);
		} else {
			err_detail(&r->err, "provider", "must be tenant, openai or anthropic");
			return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
		}
	}
	if (o.stream && (st = http_stream_start(r, w, 200, "text/event-stream")) != ST_OK)
		return st;
	err_clear(&e);
	st = p->complete(p, r->arena, &req, &stream, &resp, &e);
	if (st == ST_OK && meter) {
		enum status ms;

		if ((ms = begin(r, &tx)) == ST_OK)
			ms = db_tx_end(&tx, usage_record_response(&tx, &resp));
		if (ms != ST_OK)
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

const struct route llm_test_routes[] = {
	{ HTTP_POST, "/v1/test/llm", test_llm_route, TENANCY_HOST_OR_HEADER, 0, NULL },
};
const size_t llm_test_nroutes = sizeof(llm_test_routes) / sizeof(llm_test_routes[0]);
