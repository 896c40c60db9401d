/* llm_routes.c — the tenant's own model settings (/v1/admin/ai-provider:
 * provider, model, base URL within the platform's allow-list, API key
 * write-only and sealed at rest). Parse, call one llm service, render. */
#include <stddef.h>

#include "core/jsonv.h"
#include "http/http.h"
#include "modules/auth/auth.h"
#include "modules/llm/llm.h"

#define PATH "/v1/admin/ai-provider"

/* GET /v1/admin/ai-provider */
static enum status
get_route(struct request *r, struct response *w)
{
	json_t *out;
	enum status st;

	if ((st = llm_settings_get(&r->ctx, &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
}

static const char *const providers[] = { "offline", "openai", "anthropic", "gemini", NULL };

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
	struct llm_settings_input in = { 0 };
	json_t *body, *jkey;
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
	in.api_key = json_string_value(jkey);
	/* Absent: keep the stored key; null: remove it. */
	in.key_action = jkey == NULL ? LLM_KEY_KEEP : in.api_key == NULL ? LLM_KEY_REMOVE :
	    LLM_KEY_REPLACE;
	if ((st = llm_settings_put(&r->ctx, &in)) != ST_OK)
		return st;
	return get_route(r, w);
}

/* DELETE /v1/admin/ai-provider — back to the platform's default. */
static enum status
delete_route(struct request *r, struct response *w)
{
	enum status st;

	if ((st = llm_settings_delete(&r->ctx)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}

static const struct route llm_routes_v[] = {
	{ HTTP_GET, PATH, get_route, TENANCY_HOST_OR_HEADER, PERM(RES_AI_SETTINGS, VERB_READ), NULL },
	{ HTTP_PUT, PATH, put_route, TENANCY_HOST_OR_HEADER, PERM(RES_AI_SETTINGS, VERB_WRITE),
	    NULL },
	{ HTTP_DELETE, PATH, delete_route, TENANCY_HOST_OR_HEADER,
	    PERM(RES_AI_SETTINGS, VERB_WRITE), NULL },
};
const struct route_table llm_routes = TABLE_OF(llm_routes_v);

