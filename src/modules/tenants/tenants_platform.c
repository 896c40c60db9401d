/* tenants_platform.c — the platform operator's routes under /v1/platform:
 * list and search, create (with an owner invitation), one tenant with its
 * usage, suspend, restore, soft-delete (each with a reason), override a
 * plan, the overview, and open a time-limited "act as" support session for
 * one tenant, entered on its host with a one-time hand-off token. Routes
 * parse and render; the services (tenants_service.c) call SECURITY DEFINER
 * functions that re-check, inside the database, that the acting user is a
 * platform administrator, and audit in the target tenant. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/addr.h"
#include "core/jsonv.h"
#include "modules/auth/auth.h"
#include "modules/tenants/tenants.h"

static const char *const plans[] = { "free", "basic", "pro", "enterprise", NULL };
static const char *const statuses[] = { "active", "suspended", "deleted", NULL };

/* ---- routes ------------------------------------------------------------------------ */

static enum status
path_id(struct request *r, const char **id)
{
	*id = http_param(r, "id");
	if (*id == NULL || !id_is_uuid(*id))
		return err_set(&r->err, ST_NOTFOUND, "No tenant with this id.");
	return ST_OK;
}

/* GET /v1/platform/tenants?status=&q=&limit=&cursor= */
static enum status
list_route(struct request *r, struct response *w)
{
	const char *status = http_query(r, "status"), *q = http_query(r, "q");
	json_t *items = NULL, *next = NULL;
	struct page pg;
	enum status st;
	bool known = status == NULL;

	for (const char *const *s = statuses; status != NULL && *s; s++)
		known |= strcmp(*s, status) == 0;
	if (!known) {
		err_detail(&r->err, "status", "must be active, suspended or deleted");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if (q != NULL && strlen(q) > 100) {
		err_detail(&r->err, "q", "must be at most 100 characters");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if (q != NULL && q[0] == '\0')
		q = NULL;
	if ((st = auth_page_parse(r, &pg)) != ST_OK)
		return st;
	if ((st = tenants_platform_list(&r->ctx, status, q, &pg, &items, &next)) != ST_OK) {
		json_decref(items);
		json_decref(next);
		return st;
	}
	return reply_json(r, w, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

static bool
slug_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool
zone_ok(const char *s)
{
	/* Shape only; the database checks it is a real IANA zone. */
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/_-+", *s))
			return false;
	return true;
}

static const struct jv_field create_fields[] = {
	{ "slug", JV_STRING, true, false, 1, 63, NULL, slug_ok,
	    "lower-case letters, digits and inner hyphens" },
	{ "name", JV_STRING, true, false, 1, 200, NULL, NULL, NULL },
	{ "timezone", JV_STRING, false, false, 1, 64, NULL, zone_ok, "an IANA time zone" },
	{ "plan", JV_STRING, false, false, 1, 20, plans, NULL, NULL },
	{ "owner_email", JV_STRING, false, false, 3, 254, NULL, addr_email_ok, "an e-mail address" },
};

/* POST /v1/platform/tenants {slug, name, timezone, plan, owner_email} */
static enum status
create_route(struct request *r, struct response *w)
{
	struct tenant_new in;
	json_t *body, *out = NULL;
	enum status st;

	if ((st = auth_body(r, create_fields, 5, &body)) != ST_OK)
		return st;
	in.slug = auth_str(body, "slug");
	in.name = auth_str(body, "name");
	in.timezone = auth_str(body, "timezone") ? auth_str(body, "timezone") : "America/New_York";
	in.plan = auth_str(body, "plan") ? auth_str(body, "plan") : "free";
	if ((st = tenants_platform_create(&r->ctx, &in, auth_str(body, "owner_email"),
	    &out)) != ST_OK)
		return st;
	return reply_json(r, w, 201, out);
}

/* GET /v1/platform/tenants/{id} */
static enum status
get_route(struct request *r, struct response *w)
{
	json_t *out = NULL;
	const char *id;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if ((st = tenants_platform_get(&r->ctx, id, &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
}

/* GET /v1/platform/overview */
static enum status
overview_route(struct request *r, struct response *w)
{
	json_t *out = NULL;
	enum status st;

	if ((st = tenants_platform_overview(&r->ctx, &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
}

static const struct jv_field reason_fields[] = {
	{ "reason", JV_STRING, false, false, 3, 500, NULL, NULL, NULL },
};

/* The body is optional ({reason}); the reason goes into the audit row. */
static enum status
set_status(struct request *r, struct response *w, const char *status)
{
	json_t *body = NULL, *out = NULL;
	const char *id, *reason = NULL;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if (r->body_len > 0) {
		if ((st = auth_body(r, reason_fields, 1, &body)) != ST_OK)
			return st;
		reason = auth_str(body, "reason");
	}
	if ((st = tenants_platform_set_status(&r->ctx, id, status, reason, &out)) != ST_OK)
		return st;
	if (out == NULL)
		return reply_text(w, 204, NULL, "", 0);
	return reply_json(r, w, 200, out);
}

/* POST /v1/platform/tenants/{id}/suspend */
static enum status
suspend_route(struct request *r, struct response *w)
{
	return set_status(r, w, "suspended");
}

/* POST /v1/platform/tenants/{id}/restore */
static enum status
restore_route(struct request *r, struct response *w)
{
	return set_status(r, w, "active");
}

/* DELETE /v1/platform/tenants/{id} — soft: status deleted, data kept. */
static enum status
delete_route(struct request *r, struct response *w)
{
	return set_status(r, w, "deleted");
}

static const struct jv_field plan_fields[] = {
	{ "plan", JV_STRING, true, false, 1, 20, plans, NULL, NULL },
};

/* PATCH /v1/platform/tenants/{id} {plan} — an override, audited. */
static enum status
patch_route(struct request *r, struct response *w)
{
	json_t *body, *out = NULL;
	const char *id;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if ((st = auth_body(r, plan_fields, 1, &body)) != ST_OK)
		return st;
	if ((st = tenants_platform_set_plan(&r->ctx, id, auth_str(body, "plan"), &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
}

static bool
uuid_check(const char *s)
{
	return id_is_uuid(s);
}

static const struct jv_field act_as_fields[] = {
	{ "tenant_id", JV_STRING, true, false, 36, 36, NULL, uuid_check, "a tenant id" },
	{ "minutes", JV_INT, true, false, 1, 60, NULL, NULL, NULL },
	{ "write", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
	{ "reason", JV_STRING, true, false, 3, 500, NULL, NULL, NULL },
};

/* POST /v1/platform/act-as {tenant_id, minutes ≤ 60, write, reason} — a
 * new session bound to that tenant: read-only unless write is true,
 * audited on every request, gone when it expires. It leaves this host's
 * session alone; the answer's handoff.token (one use, 60 s) is exchanged
 * for the session's cookie on the tenant's host (POST
 * /v1/auth/act-as/exchange). */
static enum status
act_as_route(struct request *r, struct response *w)
{
	char handoff[SEC_TOKEN_CHARS + 1];
	struct act_as_in in;
	json_t *body, *out;
	enum status st;

	if ((st = auth_body(r, act_as_fields, 4, &body)) != ST_OK)
		return st;
	in.tenant_id = auth_str(body, "tenant_id");
	in.minutes = (int)json_integer_value(json_object_get(body, "minutes"));
	in.write = json_is_true(json_object_get(body, "write"));
	in.reason = auth_str(body, "reason");
	in.remote_addr = r->remote_addr;
	if ((st = tenants_platform_act_as(&r->ctx, &in, handoff, &out)) != ST_OK)
		return st;
	sodium_memzero(handoff, sizeof(handoff));
	return reply_json(r, w, 201, out);
}

#define P PERM_PLATFORM
#define N TENANCY_NONE

static const struct route tenants_platform_routes_v[] = {
	{ HTTP_GET, "/v1/platform/tenants", list_route, N, P, NULL },
	{ HTTP_POST, "/v1/platform/tenants", create_route, N, P, NULL },
	{ HTTP_GET, "/v1/platform/tenants/{id}", get_route, N, P, NULL },
	{ HTTP_GET, "/v1/platform/overview", overview_route, N, P, NULL },
	{ HTTP_PATCH, "/v1/platform/tenants/{id}", patch_route, N, P, NULL },
	{ HTTP_DELETE, "/v1/platform/tenants/{id}", delete_route, N, P, NULL },
	{ HTTP_POST, "/v1/platform/tenants/{id}/suspend", suspend_route, N, P, NULL },
	{ HTTP_POST, "/v1/platform/tenants/{id}/restore", restore_route, N, P, NULL },
	{ HTTP_POST, "/v1/platform/act-as", act_as_route, N, P, NULL },
};
const struct route_table tenants_platform_routes = TABLE_OF(tenants_platform_routes_v);
