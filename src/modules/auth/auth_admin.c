/* auth_admin.c — a tenant's own accounts under /v1/admin: members and their
 * roles, invitations, API keys, the security settings (mandatory 2FA) and
 * the outbox of mail the tenant sent. Every change is audited in the same
 * transaction; nobody hands out a role above their own; the last owner
 * stays an owner. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth_internal.h"
#include "modules/auth/auth_routes.h"
#include "modules/auth/auth_store.h"

#define INVITE_TTL_S (7 * 24 * 3600)

static const char *const role_names[] = { "OWNER", "ADMIN", "VIEWER", "STAFF",
	"ORDER_MANAGER", "ACCOUNTANT", NULL };

static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || strchr(at + 1, '.') == NULL || strchr(at + 1, '@'))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '<' || *s == '>' || *s == '"')
			return false;
	return true;
}

static enum status
begin(struct request *r, struct db_tx *tx)
{
	return db_tx_begin(tx, &r->ctx);
}

static enum status
audit(struct request *r, struct db_tx *tx, const char *action, const char *type,
    const char *id, json_t *changes)
{
	struct audit_actor who;

	auth_actor(&r->ctx, &who);
	return audit_record(tx, &who, action, type, id, changes);
}

/* A GET of one page of a list: the cursor from the query, one store call. */
static enum status
list_route(struct request *r, struct response *w,
    enum status (*list)(struct db_tx *, const struct page *, json_t **, json_t **))
{
	json_t *items = NULL, *next = NULL;
	struct page pg;
	struct db_tx tx;
	enum status st;

	if ((st = auth_page_parse(r, &pg)) != ST_OK || (st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = db_tx_end(&tx, list(&tx, &pg, &items, &next))) != ST_OK) {
		json_decref(items);
		json_decref(next);
		return st;
	}
	return reply_json(r, w, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
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
	struct db_tx tx;
	enum status st;

	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	st = auth_store_security_get(&tx, &out);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	return reply_json(r, w, 200, out);
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
	struct db_tx tx;
	bool mfa, was = false;
	enum status st;

	if ((st = auth_body(r, security_fields, 1, &body)) != ST_OK)
		return st;
	if (v == -2) {
		err_detail(&r->err, "If-Match", "must be the version number");
		return err_set(&r->err, ST_INVALID, "The If-Match header is invalid.");
	}
	mfa = json_is_true(json_object_get(body, "mfa_required"));
	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = auth_store_security_set(&tx, mfa, v, &was, &out)) == ST_OK && was != mfa)
		st = audit(r, &tx, "security.updated", "tenant", r->ctx.tenant.id,
		    json_pack("{s:{s:b, s:b}}", "mfa_required", "from", was, "to", mfa));
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	return reply_json(r, w, 200, out);
}

/* ---- outbox -------------------------------------------------------------------------- */

/* GET /v1/admin/outbox — newest first. */
static enum status
outbox_route(struct request *r, struct response *w)
{
	return list_route(r, w, auth_store_outbox_list);
}

/* ---- invitations ------------------------------------------------------------------------ */

static const struct jv_field invite_fields[] = {
	{ "email", JV_STRING, true, false, 3, 254, NULL, email_ok, "an e-mail address" },
	{ "role", JV_STRING, true, false, 1, 20, role_names, NULL, NULL },
};

/* POST /v1/admin/invitations {email, role} */
static enum status
invite_create_route(struct request *r, struct response *w)
{
	char token[SEC_TOKEN_CHARS + 1];
	unsigned char hash[32];
	const char *email, *role;
	json_t *body, *out = NULL;
	struct db_tx tx;
	enum status st;

	if ((st = auth_body(r, invite_fields, 2, &body)) != ST_OK)
		return st;
	email = auth_str(body, "email");
	role = auth_str(body, "role");
	if (!authz_role_may_grant(r->ctx.principal->role, authz_role_parse(role)))
		return err_set(&r->err, ST_FORBIDDEN, "You cannot invite someone with a role"
		    " above your own.");
	sec_random_token(token);
	sec_sha256(token, hash);
	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = auth_store_invitation_create(&tx, email, role, hash,
	    r->ctx.principal->kind == PRINCIPAL_USER ? r->ctx.principal->id : NULL, INVITE_TTL_S,
	    &out)) != ST_OK)
		goto end;
	if ((st = auth_store_outbox_add(&tx, email, "auth.invitation", json_pack(
	    "{s:s, s:s, s:s, s:i}", "accept_url", arena_printf(r->arena,
	    "%s/accept-invitation#token=%s", auth_g.base_url, token), "token", token,
	    "role", role, "expires_in_days", INVITE_TTL_S / 86400))) != ST_OK)
		goto end;
	st = audit(r, &tx, "invitation.created", "invitation",
	    json_string_value(json_object_get(out, "id")),
	    json_pack("{s:s}", "role", role));
end:
	sodium_memzero(token, sizeof(token));
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	return reply_json(r, w, 201, out);
}

/* GET /v1/admin/invitations */
static enum status
invite_list_route(struct request *r, struct response *w)
{
	return list_route(r, w, auth_store_invitations_list);
}

/* DELETE /v1/admin/invitations/{id} — a pending invitation stops working. */
static enum status
invite_delete_route(struct request *r, struct response *w)
{
	json_t *before = NULL;
	const char *id;
	struct db_tx tx;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = auth_store_invitation_revoke(&tx, id, &before)) == ST_OK) {
		if (before == NULL)
			st = err_set(&r->err, ST_NOTFOUND, "No pending invitation with this id.");
		else
			st = audit(r, &tx, "invitation.revoked", "invitation", id, before);
	}
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}

/* ---- members ---------------------------------------------------------------------------- */

/* GET /v1/admin/users */
static enum status
users_list_route(struct request *r, struct response *w)
{
	return list_route(r, w, auth_store_members_list);
}

/* What the caller may do to member id, whose current role is cur: never
 * touch someone above one's own role, and never leave the business without
 * an owner. */
static enum status
member_guard(struct request *r, enum role cur, enum role next, long long owners)
{
	if (!authz_role_may_grant(r->ctx.principal->role, cur))
		return err_set(&r->err, ST_FORBIDDEN, "You cannot change a member whose role is"
		    " above your own.");
	if (next != ROLE_NONE && !authz_role_may_grant(r->ctx.principal->role, next))
		return err_set(&r->err, ST_FORBIDDEN, "You cannot give a role above your own.");
	if (cur == ROLE_OWNER && next != ROLE_OWNER && owners <= 1)
		return err_set(&r->err, ST_CONFLICT, "This is the business's last owner; make"
		    " someone else an owner first.");
	return ST_OK;
}

static const struct jv_field role_fields[] = {
	{ "role", JV_STRING, true, false, 1, 20, role_names, NULL, NULL },
};

/* PATCH /v1/admin/users/{id} {role}, If-Match: version (required) */
static enum status
user_patch_route(struct request *r, struct response *w)
{
	long long want = if_match(r), version = 0, owners = 0;
	const char *id, *role;
	char cur[24] = "";
	json_t *body, *out = NULL;
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if ((st = auth_body(r, role_fields, 1, &body)) != ST_OK)
		return st;
	if (want < 0) {
		err_detail(&r->err, "If-Match", "is required: the member's version");
		return err_set(&r->err, ST_INVALID, "Send If-Match with the version you last saw.");
	}
	role = auth_str(body, "role");
	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = auth_store_member_lock(&tx, id, &found, cur, &version, &owners)) != ST_OK)
		goto end;
	if (!found) {
		st = err_set(&r->err, ST_NOTFOUND, "No member with this id in this business.");
		goto end;
	}
	if (version != want) {
		st = err_set(&r->err, ST_CONFLICT, "This member was changed by someone else;"
		    " reload and try again.");
		goto end;
	}
	if ((st = member_guard(r, authz_role_parse(cur), authz_role_parse(role), owners)) != ST_OK)
		goto end;
	if (strcmp(cur, role) != 0) {
		if ((st = auth_store_member_set_role(&tx, id, role)) != ST_OK)
			goto end;
		if ((st = audit(r, &tx, "user.role_changed", "user", id,
		    json_pack("{s:{s:s, s:s}}", "role", "from", cur, "to", role))) != ST_OK)
			goto end;
	}
	st = auth_store_member_json(&tx, id, &out);
end:
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	return reply_json(r, w, 200, out);
}

/* DELETE /v1/admin/users/{id} — removes the membership, not the account. */
static enum status
user_delete_route(struct request *r, struct response *w)
{
	long long version = 0, owners = 0;
	char cur[24] = "";
	const char *id;
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = auth_store_member_lock(&tx, id, &found, cur, &version, &owners)) != ST_OK)
		goto end;
	if (!found) {
		st = err_set(&r->err, ST_NOTFOUND, "No member with this id in this business.");
		goto end;
	}
	if ((st = member_guard(r, authz_role_parse(cur), ROLE_NONE, owners)) != ST_OK)
		goto end;
	if ((st = auth_store_member_remove(&tx, id)) != ST_OK)
		goto end;
	st = audit(r, &tx, "user.removed", "user", id, json_pack("{s:s}", "role", cur));
end:
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}

/* ---- API keys ------------------------------------------------------------------------------ */

static const struct jv_field key_fields[] = {
	{ "name", JV_STRING, true, false, 1, 100, NULL, NULL, NULL },
	{ "role", JV_STRING, true, false, 1, 20, role_names, NULL, NULL },
	{ "scopes", JV_ARRAY, true, false, 1, 16, NULL, NULL, NULL },
};

/* POST /v1/admin/api-keys {name, role, scopes} — the key is in this reply
 * and nowhere else, ever. */
static enum status
key_create_route(struct request *r, struct response *w)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char prefix[13], secret[SEC_TOKEN_CHARS + 1], *key, *csv;
	unsigned char hash[32];
	unsigned scopes = 0, bits;
	const char *role;
	json_t *body, *arr, *v, *out = NULL;
	struct db_tx tx;
	size_t i;
	enum status st;

	if ((st = auth_body(r, key_fields, 3, &body)) != ST_OK)
		return st;
	role = auth_str(body, "role");
	arr = json_object_get(body, "scopes");
	csv = arena_alloc(r->arena, 16 * 24 + 1);
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
	if (r->err.ndetails > 0)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	if (!authz_role_may_grant(r->ctx.principal->role, authz_role_parse(role)))
		return err_set(&r->err, ST_FORBIDDEN, "An API key cannot have a role above"
		    " your own.");
	for (i = 0; i < 12; i++)
		prefix[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	prefix[12] = '\0';
	sec_random_token(secret);
	key = arena_printf(r->arena, "rk_live_%s_%s", prefix, secret);
	sodium_memzero(secret, sizeof(secret));
	sec_sha256(key, hash);
	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = auth_store_api_key_create(&tx, auth_str(body, "name"), prefix, hash, role, csv,
	    r->ctx.principal->kind == PRINCIPAL_USER ? r->ctx.principal->id : NULL, &out)) == ST_OK)
		st = audit(r, &tx, "api_key.created", "api_key",
		    json_string_value(json_object_get(out, "id")),
		    json_pack("{s:s, s:s, s:s}", "role", role, "scopes", csv, "prefix", prefix));
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	json_object_set_new(out, "key", json_string(key));
	return reply_json(r, w, 201, out);
}

/* GET /v1/admin/api-keys */
static enum status
key_list_route(struct request *r, struct response *w)
{
	return list_route(r, w, auth_store_api_keys_list);
}

/* DELETE /v1/admin/api-keys/{id} — revoked at once. */
static enum status
key_delete_route(struct request *r, struct response *w)
{
	const char *id;
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = path_id(r, &id)) != ST_OK)
		return st;
	if ((st = begin(r, &tx)) != ST_OK)
		return st;
	if ((st = auth_store_api_key_revoke(&tx, id, &found)) == ST_OK) {
		if (!found)
			st = err_set(&r->err, ST_NOTFOUND, "No live API key with this id.");
		else
			st = audit(r, &tx, "api_key.revoked", "api_key", id, NULL);
	}
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}

#define T TENANCY_HOST_OR_HEADER

const struct route auth_admin_routes[] = {
	{ HTTP_GET, "/v1/admin/security", security_get_route, T, PERM(RES_SECURITY, VERB_READ), NULL },
	{ HTTP_PATCH, "/v1/admin/security", security_patch_route, T,
	    PERM(RES_SECURITY, VERB_WRITE), NULL },
	{ HTTP_GET, "/v1/admin/outbox", outbox_route, T, PERM(RES_USERS, VERB_READ), NULL },
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
const size_t auth_admin_nroutes = sizeof(auth_admin_routes) / sizeof(auth_admin_routes[0]);

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

const struct route auth_test_routes[] = {
	{ HTTP_GET, "/v1/test/authz", authz_matrix_route, TENANCY_NONE, 0, NULL },
};
const size_t auth_test_nroutes = sizeof(auth_test_routes) / sizeof(auth_test_routes[0]);
