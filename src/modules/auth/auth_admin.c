/* auth_admin.c — a tenant's own accounts under /v1/admin, at the HTTP
 * edge: members and their roles, invitations, API keys, the security
 * settings (mandatory 2FA) and the outbox of mail the tenant sent. Each
 * route parses, calls one service (auth_admin_service.c), and renders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/addr.h"
#include "modules/auth/auth_internal.h"

static const char *const role_names[] = { "OWNER", "ADMIN", "VIEWER", "STAFF",
	"ORDER_MANAGER", "ACCOUNTANT", NULL };

/* A GET of one page of a list: the cursor from the query, one service. */
static enum status
list_route(struct request *r, struct response *w, enum auth_list list)
{
	json_t *items = NULL, *next = NULL;
	struct page pg;
	enum status st;

	if ((st = auth_page_parse(r, &pg)) != ST_OK ||
	    (st = auth_admin_list(&r->ctx, list, &pg, &items, &next)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* A reply that is one object, or nothing (204). */
static enum status
reply_out(struct request *r, struct response *w, enum status st, int code, json_t *out)
{
	if (st != ST_OK)
		return st;
	if (out == NULL)
		return reply_text(w, 204, NULL, "", 0);
	return reply_json(r, w, code, out);
}

/* The id in the path: anything but a UUID names nothing here. */
static enum status
path_id(struct request *r, const char **id)
{
	*id = http_param(r, "id");
	if (*id == NULL || !id_is_uuid(*id))
		return err_set(&r->err, ST_NOTFOUND, "No such record in this business.");
	return ST_OK;
}

/* If-Match: 3, "3" or W/"3". -1 when absent; -2 when malformed. */
static long long
if_match(struct request *r)
{
	const char *h = http_header(r, "if-match");
	char *end;
	long long v;

	if (h == NULL)
		return -1;
	if (strncmp(h, "W/", 2) == 0)
		h += 2;
	if (*h == '"')
		h++;
	v = strtoll(h, &end, 10);
	if (end == h || v < 0 || (*end != '\0' && !(end[0] == '"' && end[1] == '\0')))
		return -2;
	return v;
}

/* ---- security settings --------------------------------------------------------- */

/* GET /v1/admin/security */
static enum status
security_get_route(struct request *r, struct response *w)
{
	json_t *out = NULL;
	enum status st;

	st = auth_security_get(&r->ctx, &out);
	return reply_out(r, w, st, 200, out);
}

static const struct jv_field security_fields[] = {
	{ "mfa_required", JV_BOOL, true, false, 0, 0, NULL, NULL, NULL },
};

/* PATCH /v1/admin/security {mfa_required} (If-Match optional) */
static enum status
security_patch_route(struct request *r, struct response *w)
{
	long long v = if_match(r);
	json_t *body, *out = NULL;
	enum status st;

	if ((st = auth_body(r, security_fields, 1, &body)) != ST_OK)
		return st;
	if (v == -2) {
		err_detail(&r->err, "If-Match", "must be the version number");
		return err_set(&r->err, ST_INVALID, "The If-Match header is invalid.");
	}
	st = auth_security_set(&r->ctx, json_is_true(json_object_get(body, "mfa_required")), v,
	    &out);
	return reply_out(r, w, st, 200, out);
}

/* ---- invitations ------------------------------------------------------------------------ */

static const struct jv_field invite_fields[] = {
	{ "email", JV_STRING, true, false, 3, 254, NULL, addr_email_ok, "an e-mail address" },
	{ "role", JV_STRING, true, false, 1, 20, role_names, NULL, NULL },
};

/* POST /v1/admin/invitations {email, role} */
static enum status
invite_create_route(struct request *r, struct response *w)
{
	json_t *body, *out = NULL;
	enum status st;

	if ((st = auth_body(r, invite_fields, 2, &body)) != ST_OK)
		return st;
	st = auth_invitation_create(&r->ctx, auth_str(body, "email"), auth_str(body, "role"),
	    &out);
	return reply_out(r, w, st, 201, out);
}

/* GET /v1/admin/invitations */
static enum status
invite_list_route(struct request *r, struct response *w)
{
	return list_route(r, w, AUTH_LIST_INVITATIONS);
}

/* DELETE /v1/admin/invitations/{id} — a pending invitation stops working. */
static enum status
invite_delete_route(struct request *r, struct response *w)
{
	const char *id;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	return reply_out(r, w, auth_invitation_revoke(&r->ctx, id), 204, NULL);
}

/* ---- members ---------------------------------------------------------------------------- */

/* GET /v1/admin/users */
static enum status
users_list_route(struct request *r, struct response *w)
{
	return list_route(r, w, AUTH_LIST_MEMBERS);
}

static const struct jv_field role_fields[] = {
	{ "role", JV_STRING, true, false, 1, 20, role_names, NULL, NULL },
};

/* PATCH /v1/admin/users/{id} {role}, If-Match: version (required) */
static enum status
user_patch_route(struct request *r, struct response *w)
{
	long long want = if_match(r);
	json_t *body, *out = NULL;
	const char *id;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if ((st = auth_body(r, role_fields, 1, &body)) != ST_OK)
		return st;
	if (want < 0) {
		err_detail(&r->err, "If-Match", "is required: the member's version");
		return err_set(&r->err, ST_INVALID, "Send If-Match with the version you last saw.");
	}
	st = auth_member_set_role(&r->ctx, id, auth_str(body, "role"), want, &out);
	return reply_out(r, w, st, 200, out);
}

/* DELETE /v1/admin/users/{id} — removes the membership, not the account. */
static enum status
user_delete_route(struct request *r, struct response *w)
{
	const char *id;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	return reply_out(r, w, auth_member_remove(&r->ctx, id), 204, NULL);
}

/* ---- API keys ------------------------------------------------------------------------------ */

static const struct jv_field key_fields[] = {
	{ "name", JV_STRING, true, false, 1, 100, NULL, NULL, NULL },
	{ "role", JV_STRING, true, false, 1, 20, role_names, NULL, NULL },
	{ "scopes", JV_ARRAY, true, false, 1, 16, NULL, NULL, NULL },
};

/* The scopes array as "bookings,catalog" (each once), with a detail for
 * every entry that is not a resource name. */
static const char *
scopes_csv(struct request *r, json_t *arr)
{
	char *csv = arena_alloc(r->arena, 16 * 24 + 1);
	unsigned scopes = 0, bits;
	json_t *v;
	size_t i;

	csv[0] = '\0';
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || strlen(s) > 20 || strchr(s, ',') || !auth_scopes_parse(s, &bits)) {
			err_detail(&r->err, arena_printf(r->arena, "scopes[%zu]", i),
			    "must be a resource name (bookings, catalog, …)");
			continue;
		}
		if (!(scopes & bits)) {
			strcat(csv, csv[0] ? "," : "");
			strcat(csv, s);
		}
		scopes |= bits;
	}
	return csv;
}

/* POST /v1/admin/api-keys {name, role, scopes} — the key is in this reply
 * and nowhere else, ever. */
static enum status
key_create_route(struct request *r, struct response *w)
{
	json_t *body, *out = NULL;
	const char *csv;
	enum status st;

	if ((st = auth_body(r, key_fields, 3, &body)) != ST_OK)
		return st;
	csv = scopes_csv(r, json_object_get(body, "scopes"));
	if (r->err.ndetails > 0)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	st = auth_api_key_create(&r->ctx, auth_str(body, "name"), auth_str(body, "role"), csv,
	    &out);
	return reply_out(r, w, st, 201, out);
}

/* GET /v1/admin/api-keys */
static enum status
key_list_route(struct request *r, struct response *w)
{
	return list_route(r, w, AUTH_LIST_API_KEYS);
}

/* DELETE /v1/admin/api-keys/{id} — revoked at once. */
static enum status
key_delete_route(struct request *r, struct response *w)
{
	const char *id;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	return reply_out(r, w, auth_api_key_revoke(&r->ctx, id), 204, NULL);
}

#define T TENANCY_HOST_OR_HEADER

static const struct route auth_admin_routes_v[] = {
	{ HTTP_GET, "/v1/admin/security", security_get_route, T, PERM(RES_SECURITY, VERB_READ), NULL },
	{ HTTP_PATCH, "/v1/admin/security", security_patch_route, T,
	    PERM(RES_SECURITY, VERB_WRITE), NULL },
	{ HTTP_POST, "/v1/admin/invitations", invite_create_route, T,
	    PERM(RES_USERS, VERB_WRITE), NULL },
	{ HTTP_GET, "/v1/admin/invitations", invite_list_route, T, PERM(RES_USERS, VERB_READ), NULL },
	{ HTTP_DELETE, "/v1/admin/invitations/{id}", invite_delete_route, T,
	    PERM(RES_USERS, VERB_WRITE), NULL },
	{ HTTP_GET, "/v1/admin/users", users_list_route, T, PERM(RES_USERS, VERB_READ), NULL },
	{ HTTP_PATCH, "/v1/admin/users/{id}", user_patch_route, T, PERM(RES_USERS, VERB_WRITE), NULL },
	{ HTTP_DELETE, "/v1/admin/users/{id}", user_delete_route, T,
	    PERM(RES_USERS, VERB_WRITE), NULL },
	{ HTTP_POST, "/v1/admin/api-keys", key_create_route, T, PERM(RES_API_KEYS, VERB_WRITE), NULL },
	{ HTTP_GET, "/v1/admin/api-keys", key_list_route, T, PERM(RES_API_KEYS, VERB_READ), NULL },
	{ HTTP_DELETE, "/v1/admin/api-keys/{id}", key_delete_route, T,
	    PERM(RES_API_KEYS, VERB_WRITE), NULL },
};
const struct route_table auth_admin_routes = TABLE_OF(auth_admin_routes_v);

/* ---- test only: GET /v1/test/authz ------------------------------------------------------------ */

/* The whole permission matrix as authz_role_can answers it, so the
 * integration suite's exhaustive route test derives its expectations from
 * the one matrix rather than a copy. */
static enum status
authz_matrix_route(struct request *r, struct response *w)
{
	json_t *roles = json_object();

	for (int ro = ROLE_OWNER; ro < ROLE__COUNT; ro++) {
		json_t *res = json_object();

		for (int rs = RES_NONE + 1; rs < RES__COUNT; rs++)
			json_object_set_new(res, authz_resource_name((enum resource)rs),
			    json_pack("{s:b, s:b}",
			    "read", authz_role_can((enum role)ro, (enum resource)rs, VERB_READ),
			    "write", authz_role_can((enum role)ro, (enum resource)rs, VERB_WRITE)));
		json_object_set_new(roles, authz_role_name((enum role)ro), res);
	}
	return reply_json(r, w, 200, json_pack("{s:o}", "roles", roles));
}

static const struct route auth_test_routes_v[] = {
	{ HTTP_GET, "/v1/test/authz", authz_matrix_route, TENANCY_NONE, 0, NULL },
};
const struct route_table auth_test_routes = TABLE_OF(auth_test_routes_v);
