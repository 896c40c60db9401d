/* tenants_platform.c — the platform operator's routes under /v1/platform:
 * list, create, suspend, restore, soft-delete tenants, override a plan, and
 * open a time-limited "act as" support session for one tenant. The runtime
 * role cannot see every tenant, so each call goes through a SECURITY
 * DEFINER function that re-checks, inside the database, that the acting
 * user is a platform administrator, and audits in the target tenant. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/jsonv.h"
#include "db/db.h"
#include "modules/auth/auth_internal.h"
#include "modules/auth/auth_routes.h"

#define TENANT_JSON "json_build_object('id', id, 'slug', slug, 'name', name," \
	" 'status', status, 'plan', plan, 'timezone', timezone," \
	" 'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')," \
	" 'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))"

static const char *const plans[] = { "free", "basic", "pro", "enterprise", NULL };
static const char *const statuses[] = { "active", "suspended", "deleted", NULL };

/* ---- store: SQL only ----------------------------------------------------------- */

static enum status
store_list(struct db_tx *tx, const char *actor, const char *status, const struct page *pg,
    json_t **items, json_t **next)
{
	char lim[16];
	PGresult *res;
	int rows;

	snprintf(lim, sizeof(lim), "%d", pg->limit + 1);
	res = db_exec(tx, "SELECT " TENANT_JSON "::text, created_at::text, id::text"
	    " FROM platform_tenants_list($1, $2, $3::timestamptz, $4::uuid, $5::int)", 5,
	    (const char *[]){ actor, status, pg->after_ts, pg->after_id, lim });
	*items = json_array();
	*next = json_null();
	if (res == NULL)
		return db_status(tx);
	rows = PQntuples(res);
	for (int i = 0; i < rows && i < pg->limit; i++)
		json_array_append_new(*items, json_loads(db_val(res, i, 0), 0, NULL));
	if (rows > pg->limit) {
		json_decref(*next);
		*next = auth_page_cursor(tx->arena, db_val(res, pg->limit - 1, 1),
		    db_val(res, pg->limit - 1, 2));
	}
	return ST_OK;
}

static enum status
store_get(struct db_tx *tx, const char *actor, const char *id, json_t **out)
{
	PGresult *res = db_exec(tx, "SELECT " TENANT_JSON "::text FROM platform_tenant_get($1, $2)",
	    2, (const char *[]){ actor, id });

	*out = NULL;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return err_set(tx->err, ST_NOTFOUND, "No tenant with this id.");
	*out = json_loads(db_val(res, 0, 0), 0, NULL);
	return ST_OK;
}

/* ---- routes ------------------------------------------------------------------------ */

static const char *
actor(const struct request *r)
{
	return r->ctx.principal->id;
}

static enum status
path_id(struct request *r, const char **id)
{
	*id = http_param(r, "id");
	if (*id == NULL || !id_is_uuid(*id))
		return err_set(&r->err, ST_NOTFOUND, "No tenant with this id.");
	return ST_OK;
}

/* GET /v1/platform/tenants?status=&limit=&cursor= */
static enum status
list_route(struct request *r, struct response *w)
{
	const char *status = http_query(r, "status");
	json_t *items = NULL, *next = NULL;
	struct page pg;
	struct db_tx tx;
	enum status st;
	bool known = status == NULL;

	for (const char *const *s = statuses; status != NULL && *s; s++)
		known |= strcmp(*s, status) == 0;
	if (!known) {
		err_detail(&r->err, "status", "must be active, suspended or deleted");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if ((st = auth_page_parse(r, &pg)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = store_list(&tx, actor(r), status, &pg, &items, &next);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
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
};

/* POST /v1/platform/tenants {slug, name, timezone, plan} */
static enum status
create_route(struct request *r, struct response *w)
{
	const char *tz, *plan, *id;
	json_t *body, *out = NULL;
	struct db_tx tx;
	PGresult *res;
	enum status st;

	if ((st = auth_body(r, create_fields, 4, &body)) != ST_OK)
		return st;
	tz = auth_str(body, "timezone");
	plan = auth_str(body, "plan");
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	res = db_exec(&tx, "SELECT platform_tenant_create($1, $2, $3, $4, $5, $6)", 6,
	    (const char *[]){ actor(r), auth_str(body, "slug"), auth_str(body, "name"),
	    tz ? tz : "America/New_York", plan ? plan : "free", r->request_id });
	if (res == NULL) {
		st = db_status(&tx);
		if (st == ST_CONFLICT)
			err_set(&r->err, st, "A tenant with this slug already exists.");
		if (st == ST_INVALID && strcmp(tx.sqlstate, "23514") == 0) {
			err_detail(&r->err, "timezone", "must be an IANA time zone");
			err_set(&r->err, st, "Some fields are invalid.");
		}
		goto end;
	}
	id = arena_strdup(r->arena, db_val(res, 0, 0));
	st = store_get(&tx, actor(r), id, &out);
end:
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	return reply_json(r, w, 201, out);
}

static enum status
set_status(struct request *r, struct response *w, const char *status)
{
	json_t *out = NULL;
	const char *id;
	struct db_tx tx;
	PGresult *res;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	res = db_exec(&tx, "SELECT platform_tenant_set_status($1, $2, $3, $4)", 4,
	    (const char *[]){ actor(r), id, status, r->request_id });
	if (res == NULL)
		st = db_status(&tx);
	else if (db_val(res, 0, 0) == NULL)
		st = err_set(&r->err, ST_NOTFOUND, "No tenant with this id.");
	else if (strcmp(status, "deleted") != 0)
		st = store_get(&tx, actor(r), id, &out);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
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
	struct db_tx tx;
	PGresult *res;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if ((st = auth_body(r, plan_fields, 1, &body)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	res = db_exec(&tx, "SELECT platform_tenant_set_plan($1, $2, $3, $4)", 4,
	    (const char *[]){ actor(r), id, auth_str(body, "plan"), r->request_id });
	if (res == NULL)
		st = db_status(&tx);
	else if (db_val(res, 0, 0) == NULL)
		st = err_set(&r->err, ST_NOTFOUND, "No tenant with this id.");
	else
		st = store_get(&tx, actor(r), id, &out);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
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
 * new session bound to that tenant, replacing the cookie: read-only unless
 * write is true, audited on every request, gone when it expires. */
static enum status
act_as_route(struct request *r, struct response *w)
{
	char token[SEC_TOKEN_CHARS + 1], csrf[SEC_TOKEN_CHARS + 1], mins[8];
	unsigned char hash[32];
	json_t *body, *out;
	bool write;
	struct db_tx tx;
	PGresult *res;
	enum status st;

	if ((st = auth_body(r, act_as_fields, 4, &body)) != ST_OK)
		return st;
	write = json_is_true(json_object_get(body, "write"));
	snprintf(mins, sizeof(mins), "%d", (int)json_integer_value(json_object_get(body, "minutes")));
	sec_random_token(token);
	sec_random_token(csrf);
	sec_sha256(token, hash);
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	res = db_exec(&tx, "SELECT session_id,"
	    " to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    " FROM platform_act_as_start($1, $2, $3, $4, $5, $6, $7, $8, $9)", 9,
	    (const char *[]){ actor(r), auth_str(body, "tenant_id"),
	    sec_bytea_hex(r->arena, hash, 32), csrf, mins, write ? "true" : "false",
	    auth_str(body, "reason"), r->remote_addr, r->request_id });
	if (res == NULL)
		st = db_status(&tx);
	else if (PQntuples(res) == 0)
		st = err_set(&r->err, ST_NOTFOUND, "No active tenant with this id.");
	out = st == ST_OK ? json_pack("{s:s, s:s, s:s, s:b, s:s}", "session_id",
	    db_val(res, 0, 0), "tenant_id", auth_str(body, "tenant_id"), "expires_at",
	    db_val(res, 0, 1), "write", write, "csrf_token", csrf) : NULL;
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	auth_cookie_set(r, w, token, 60 * (int)json_integer_value(json_object_get(body, "minutes")));
	sodium_memzero(token, sizeof(token));
	return reply_json(r, w, 201, out);
}

#define P PERM_PLATFORM
#define N TENANCY_NONE

const struct route tenants_platform_routes[] = {
	{ HTTP_GET, "/v1/platform/tenants", list_route, N, P, NULL },
	{ HTTP_POST, "/v1/platform/tenants", create_route, N, P, NULL },
	{ HTTP_PATCH, "/v1/platform/tenants/{id}", patch_route, N, P, NULL },
	{ HTTP_DELETE, "/v1/platform/tenants/{id}", delete_route, N, P, NULL },
	{ HTTP_POST, "/v1/platform/tenants/{id}/suspend", suspend_route, N, P, NULL },
	{ HTTP_POST, "/v1/platform/tenants/{id}/restore", restore_route, N, P, NULL },
	{ HTTP_POST, "/v1/platform/act-as", act_as_route, N, P, NULL },
};
const size_t tenants_platform_nroutes =
    sizeof(tenants_platform_routes) / sizeof(tenants_platform_routes[0]);
