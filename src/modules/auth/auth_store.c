/* auth_store.c — the auth module's SQL, and only SQL. Global account rows
 * are reached through the SECURITY DEFINER functions of 0004_auth.sql;
 * tenant rows (memberships, invitations, keys, settings, outbox) directly,
 * under the transaction's tenant and RLS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/auth/auth_store.h"

static void
copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static const char *
hex(struct db_tx *tx, const unsigned char h[32])
{
	return sec_bytea_hex(tx->arena, h, 32);
}

/* A statement run for its effect. */
static enum status
exec_only(struct db_tx *tx, const char *sql, int n, const char *const *params)
{
	if (db_exec(tx, sql, n, params) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
auth_store_login_lookup(struct db_tx *tx, const char *email, struct login_row *out)
{
	PGresult *res = db_exec(tx, "SELECT user_id, password_hash, active, totp_enabled"
	    " FROM auth_login_lookup($1)", 1, (const char *[]){ email });

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	out->found = true;
	copy(out->user_id, sizeof(out->user_id), db_val(res, 0, 0));
	out->password_hash = arena_strdup(tx->arena, db_val(res, 0, 1));
	out->active = db_bool(res, 0, 2);
	out->totp_enabled = db_bool(res, 0, 3);
	return ST_OK;
}

enum status
auth_store_password_rehash(struct db_tx *tx, const char *user_id, const char *old_hash,
    const char *new_hash)
{
	return exec_only(tx, "SELECT auth_password_rehash($1, $2, $3)", 3,
	    (const char *[]){ user_id, old_hash, new_hash });
}

enum status
auth_store_session_resolve(struct db_tx *tx, const unsigned char hash[32], int idle_s,
    struct session_row *out)
{
	char idle[16], touch[16];
	PGresult *res;

	memset(out, 0, sizeof(*out));
	snprintf(idle, sizeof(idle), "%d", idle_s);
	/* Refresh last_seen_at at most every tenth of the idle timeout (≤ 60 s). */
	snprintf(touch, sizeof(touch), "%d", idle_s / 10 < 60 ? idle_s / 10 : 60);
	res = db_exec(tx, "SELECT session_id, user_id, platform_admin, totp_enabled, csrf_token,"
	    " act_as_tenant_id, act_as_write,"
	    " " DB_RFC3339("expires_at")
	    " FROM auth_session_resolve($1, $2, $3)", 3,
	    (const char *[]){ hex(tx, hash), idle, touch });
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	out->found = true;
	copy(out->id, sizeof(out->id), db_val(res, 0, 0));
	copy(out->user_id, sizeof(out->user_id), db_val(res, 0, 1));
	out->platform_admin = db_bool(res, 0, 2);
	out->totp_enabled = db_bool(res, 0, 3);
	copy(out->csrf, sizeof(out->csrf), db_val(res, 0, 4));
	copy(out->act_as_tenant, sizeof(out->act_as_tenant), db_val(res, 0, 5));
	out->act_as_write = db_bool(res, 0, 6);
	copy(out->expires_at, sizeof(out->expires_at), db_val(res, 0, 7));
	return ST_OK;
}

enum status
auth_store_session_create(struct db_tx *tx, const char *user_id, const unsigned char hash[32],
    const char *csrf, int max_age_s, const char *ip, char id_out[UUID_STR_LEN + 1],
    char expires_out[40])
{
	char age[16];
	PGresult *res;

	snprintf(age, sizeof(age), "%d", max_age_s);
	res = db_exec(tx, "SELECT session_id,"
	    " " DB_RFC3339("expires_at")
	    " FROM auth_session_create($1, $2, $3, $4, $5)", 5,
	    (const char *[]){ user_id, hex(tx, hash), csrf, age, ip });
	if (res == NULL)
		return db_status(tx);
	copy(id_out, UUID_STR_LEN + 1, db_val(res, 0, 0));
	copy(expires_out, 40, db_val(res, 0, 1));
	return ST_OK;
}

enum status
auth_store_act_as_exchange(struct db_tx *tx, const unsigned char handoff[32],
    const char *tenant_id, const unsigned char new_hash[32], const char *request_id,
    struct act_as_entry *out)
{
	PGresult *res = db_exec(tx, "SELECT session_id, csrf_token, act_as_write,"
	    " " DB_RFC3339("expires_at") ","
	    " greatest(1, ceil(extract(epoch FROM expires_at - now())))::int"
	    " FROM auth_act_as_exchange($1, $2, $3, $4)", 4,
	    (const char *[]){ hex(tx, handoff), tenant_id, hex(tx, new_hash), request_id });

	*out = (struct act_as_entry){ 0 };
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	out->found = true;
	copy(out->session_id, sizeof(out->session_id), db_val(res, 0, 0));
	copy(out->csrf, sizeof(out->csrf), db_val(res, 0, 1));
	out->write = db_bool(res, 0, 2);
	copy(out->expires_at, sizeof(out->expires_at), db_val(res, 0, 3));
	out->max_age_s = atoi(PQgetvalue(res, 0, 4));
	return ST_OK;
}

enum status
auth_store_session_revoke(struct db_tx *tx, const char *session_id)
{
	return exec_only(tx, "SELECT auth_session_revoke($1)", 1,
	    (const char *[]){ session_id });
}

enum status
auth_store_sessions_revoke_user(struct db_tx *tx, const char *user_id, long long *n)
{
	PGresult *res = db_exec(tx, "SELECT auth_sessions_revoke_user($1)", 1,
	    (const char *[]){ user_id });

	if (res == NULL)
		return db_status(tx);
	*n = strtoll(db_val(res, 0, 0), NULL, 10);
	return ST_OK;
}

enum status
auth_store_user_json(struct db_tx *tx, const char *user_id, json_t **user,
    const char **password_hash, bool *totp_enabled)
{
	PGresult *res = db_exec(tx, "SELECT id, email, name, platform_admin, totp_enabled,"
	    " password_hash FROM auth_user_profile($1)", 1, (const char *[]){ user_id });

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return err_set(tx->err, ST_UNAUTHENTICATED, "This account no longer exists.");
	*user = json_pack("{s:s, s:s, s:s, s:b, s:b}", "id", db_val(res, 0, 0),
	    "email", db_val(res, 0, 1), "name", db_val(res, 0, 2),
	    "platform_admin", db_bool(res, 0, 3), "totp_enabled", db_bool(res, 0, 4));
	if (password_hash != NULL)
		*password_hash = arena_strdup(tx->arena, db_val(res, 0, 5));
	if (totp_enabled != NULL)
		*totp_enabled = db_bool(res, 0, 4);
	return ST_OK;
}

enum status
auth_store_memberships_json(struct db_tx *tx, const char *user_id, json_t **items,
    bool *mfa_needed)
{
	PGresult *res = db_exec(tx, "SELECT tenant_id, slug, role, mfa_required"
	    " FROM auth_user_memberships($1)", 1, (const char *[]){ user_id });

	*mfa_needed = false;
	if (res == NULL)
		return db_status(tx);
	*items = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		json_array_append_new(*items, json_pack("{s:s, s:s, s:s, s:b}",
		    "tenant_id", db_val(res, i, 0), "slug", db_val(res, i, 1),
		    "role", db_val(res, i, 2), "mfa_required", db_bool(res, i, 3)));
		*mfa_needed |= db_bool(res, i, 3);
	}
	return ST_OK;
}

enum status
auth_store_tenant_access(struct db_tx *tx, const char *user_id, char role[24],
    bool *mfa_required)
{
	PGresult *res = db_exec(tx, "SELECT (SELECT m.role FROM tenant_memberships m"
	    "   WHERE m.user_id = $1 AND m.deleted_at IS NULL),"
	    " coalesce((SELECT s.mfa_required FROM tenant_security_settings s), false)",
	    1, (const char *[]){ user_id });

	if (res == NULL)
		return db_status(tx);
	copy(role, 24, db_val(res, 0, 0));
	*mfa_required = db_bool(res, 0, 1);
	return ST_OK;
}

enum status
auth_store_api_key_lookup(struct db_tx *tx, const unsigned char hash[32], struct key_row *out)
{
	PGresult *res = db_exec(tx, "SELECT tenant_id, key_id FROM api_key_lookup($1)", 1,
	    (const char *[]){ hex(tx, hash) });

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	out->found = true;
	copy(out->tenant_id, sizeof(out->tenant_id), db_val(res, 0, 0));
	copy(out->id, sizeof(out->id), db_val(res, 0, 1));
	return ST_OK;
}

enum status
auth_store_api_key_use(struct db_tx *tx, const char *key_id, bool *found, char role[24],
    unsigned *scopes)
{
	PGresult *res = db_exec(tx, "SELECT role, array_to_string(scopes, ',') FROM api_keys"
	    " WHERE id = $1 AND revoked_at IS NULL", 1, (const char *[]){ key_id });

	*found = false;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	*found = true;
	copy(role, 24, db_val(res, 0, 0));
	if (!auth_scopes_parse(db_val(res, 0, 1), scopes))
		*scopes = 0;
	/* At most one write a minute per key, however busy it is. */
	return exec_only(tx, "UPDATE api_keys SET last_used_at = now() WHERE id = $1"
	    " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')", 1,
	    (const char *[]){ key_id });
}

/* ---- TOTP ------------------------------------------------------------------ */

enum status
auth_store_totp_get(struct db_tx *tx, const char *user_id, struct totp_row *out)
{
	PGresult *res = db_exec(tx, "SELECT secret_ct, nonce, key_id, confirmed"
	    " FROM auth_totp_get($1)", 1, (const char *[]){ user_id });
	size_t nl = 0;

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	if (!sec_bytea_parse(db_val(res, 0, 0), out->ct, sizeof(out->ct), &out->ctlen) ||
	    !sec_bytea_parse(db_val(res, 0, 1), out->nonce, sizeof(out->nonce), &nl) ||
	    nl != sizeof(out->nonce))
		return err_set(tx->err, ST_INTERNAL, "A stored 2FA secret is malformed.");
	copy(out->key_id, sizeof(out->key_id), db_val(res, 0, 2));
	out->confirmed = db_bool(res, 0, 3);
	out->found = true;
	return ST_OK;
}

enum status
auth_store_totp_begin(struct db_tx *tx, const char *user_id, const unsigned char *ct,
    size_t ctlen, const unsigned char nonce[24], const char *key_id, bool *ok)
{
	PGresult *res = db_exec(tx, "SELECT auth_totp_begin($1, $2, $3, $4)", 4,
	    (const char *[]){ user_id, sec_bytea_hex(tx->arena, ct, ctlen),
	    sec_bytea_hex(tx->arena, nonce, 24), key_id });

	if (res == NULL)
		return db_status(tx);
	*ok = db_bool(res, 0, 0);
	return ST_OK;
}

enum status
auth_store_totp_use_step(struct db_tx *tx, const char *user_id, long long step, bool *ok)
{
	char s[24];
	PGresult *res;

	snprintf(s, sizeof(s), "%lld", step);
	res = db_exec(tx, "SELECT auth_totp_use_step($1, $2)", 2, (const char *[]){ user_id, s });
	if (res == NULL)
		return db_status(tx);
	*ok = db_bool(res, 0, 0);
	return ST_OK;
}

enum status
auth_store_totp_confirm(struct db_tx *tx, const char *user_id, unsigned char hashes[][32],
    size_t n, bool *ok)
{
	char *arr = arena_alloc(tx->arena, n * 70 + 4), *p = arr;
	PGresult *res;

	/* A bytea[] literal: {"\\x…","\\x…"}. */
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		p += sprintf(p, "%s\"\\\\x", i ? "," : "");
		for (size_t j = 0; j < 32; j++)
			p += sprintf(p, "%02x", hashes[i][j]);
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	res = db_exec(tx, "SELECT auth_totp_confirm($1, $2::bytea[])", 2,
	    (const char *[]){ user_id, arr });
	if (res == NULL)
		return db_status(tx);
	*ok = db_bool(res, 0, 0);
	return ST_OK;
}

enum status
auth_store_totp_disable(struct db_tx *tx, const char *user_id)
{
	return exec_only(tx, "SELECT auth_totp_disable($1)", 1, (const char *[]){ user_id });
}

enum status
auth_store_recovery_use(struct db_tx *tx, const char *user_id, const unsigned char hash[32],
    bool *ok)
{
	PGresult *res = db_exec(tx, "SELECT auth_recovery_use($1, $2)", 2,
	    (const char *[]){ user_id, hex(tx, hash) });

	if (res == NULL)
		return db_status(tx);
	*ok = db_bool(res, 0, 0);
	return ST_OK;
}

/* ---- password reset ---------------------------------------------------------- */

static const char *
dump(struct db_tx *tx, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	char *copy_;

	if (s == NULL)
		return "{}";
	copy_ = arena_strdup(tx->arena, s);
	free(s);
	return copy_;
}

enum status
auth_store_reset_home(struct db_tx *tx, const char *email, const char *prefer,
    const char **tenant_id)
{
	PGresult *res = db_exec(tx, "SELECT auth_reset_home($1, $2)::text", 2,
	    (const char *[]){ email, prefer });

	*tenant_id = NULL;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) > 0 && db_val(res, 0, 0) != NULL)
		*tenant_id = arena_strdup(tx->arena, db_val(res, 0, 0));
	return ST_OK;
}

enum status
auth_store_tenant_host(struct db_tx *tx, const char *platform_domain, const char **host)
{
	PGresult *res = db_exec(tx, "SELECT coalesce((SELECT d.hostname FROM tenant_domains d"
	    " WHERE d.tenant_id = t.id AND d.kind = 'custom' AND d.deleted_at IS NULL"
	    " AND d.verification_state = 'verified' ORDER BY d.verified_at, d.hostname LIMIT 1),"
	    " t.slug || '.' || $1) FROM tenants t WHERE t.id = app_tenant()", 1,
	    (const char *[]){ platform_domain });

	*host = NULL;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) > 0)
		*host = arena_strdup(tx->arena, db_val(res, 0, 0));
	return ST_OK;
}

enum status
auth_store_reset_request(struct db_tx *tx, const char *email, const unsigned char hash[32],
    int ttl_s, json_t *payload)
{
	char ttl[16];

	snprintf(ttl, sizeof(ttl), "%d", ttl_s);
	return exec_only(tx, "SELECT auth_reset_request($1, $2, $3, $4::jsonb)", 4,
	    (const char *[]){ email, hex(tx, hash), ttl, dump(tx, payload) });
}

enum status
auth_store_reset_peek(struct db_tx *tx, const unsigned char hash[32], bool *found,
    const char **email)
{
	PGresult *res = db_exec(tx, "SELECT user_id, email FROM auth_reset_peek($1)", 1,
	    (const char *[]){ hex(tx, hash) });

	*found = false;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	*found = true;
	*email = arena_strdup(tx->arena, db_val(res, 0, 1));
	return ST_OK;
}

enum status
auth_store_reset_consume(struct db_tx *tx, const unsigned char hash[32],
    const char *password_hash, bool *ok)
{
	PGresult *res = db_exec(tx, "SELECT auth_reset_consume($1, $2)", 2,
	    (const char *[]){ hex(tx, hash), password_hash });

	if (res == NULL)
		return db_status(tx);
	*ok = db_val(res, 0, 0) != NULL;
	return ST_OK;
}

/* ---- invitations ---------------------------------------------------------------- */

enum status
auth_store_invitation_peek(struct db_tx *tx, const unsigned char hash[32],
    struct invite_peek *out)
{
	PGresult *res = db_exec(tx, "SELECT tenant_id, email, role, user_id, password_hash"
	    " FROM auth_invitation_peek($1)", 1, (const char *[]){ hex(tx, hash) });

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	out->found = true;
	copy(out->tenant_id, sizeof(out->tenant_id), db_val(res, 0, 0));
	out->email = arena_strdup(tx->arena, db_val(res, 0, 1));
	out->role = arena_strdup(tx->arena, db_val(res, 0, 2));
	out->user_exists = db_val(res, 0, 3) != NULL;
	if (out->user_exists) {
		copy(out->user_id, sizeof(out->user_id), db_val(res, 0, 3));
		out->password_hash = arena_strdup(tx->arena, db_val(res, 0, 4));
	}
	return ST_OK;
}

enum status
auth_store_invitation_accept(struct db_tx *tx, const unsigned char hash[32], const char *name,
    const char *password_hash, const char *request_id, json_t **result)
{
	PGresult *res = db_exec(tx, "SELECT user_id, tenant_id, role"
	    " FROM auth_invitation_accept($1, $2, $3, $4)", 4,
	    (const char *[]){ hex(tx, hash), name, password_hash, request_id });

	*result = NULL;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	*result = json_pack("{s:s, s:s, s:s}", "user_id", db_val(res, 0, 0),
	    "tenant_id", db_val(res, 0, 1), "role", db_val(res, 0, 2));
	return ST_OK;
}

/* ---- the operator (owner connection) --------------------------------------------- */

enum status
auth_store_user_insert(struct db_tx *tx, const char *email, const char *name,
    const char *password_hash, bool platform_admin, char id_out[37])
{
	PGresult *res = db_exec(tx, "INSERT INTO users (email, name, password_hash, platform_role)"
	    " VALUES ($1, $2, $3, $4) RETURNING id", 4, (const char *[]){ email, name,
	    password_hash, platform_admin ? "PLATFORM_ADMIN" : NULL });

	if (res == NULL)
		return db_status(tx);
	copy(id_out, 37, db_val(res, 0, 0));
	return ST_OK;
}

enum status
auth_store_tenant_by_slug(struct db_tx *tx, const char *slug, bool active_only, bool *found,
    char id_out[37])
{
	PGresult *res = db_exec(tx, active_only
	    ? "SELECT id FROM tenants WHERE slug = $1 AND status = 'active'"
	    : "SELECT id FROM tenants WHERE slug = $1", 1, (const char *[]){ slug });

	*found = false;
	if (res == NULL)
		return db_status(tx);
	if ((*found = PQntuples(res) > 0))
		copy(id_out, 37, db_val(res, 0, 0));
	return ST_OK;
}

enum status
auth_store_membership_add(struct db_tx *tx, const char *user_id, const char *role)
{
	return exec_only(tx, "INSERT INTO tenant_memberships (tenant_id, user_id, role)"
	    " VALUES (app_tenant(), $1, $2)", 2, (const char *[]){ user_id, role });
}

/* ---- tenant administration (tenant transaction) ------------------------------------ */

/* Runs a list query whose rows are (json text, created_at text, id text),
 * fetching one row more than shown to know whether a next page exists. */
static enum status
list_json(struct db_tx *tx, const char *sql, int n, const char *const *params, int limit,
    struct page_rows *out)
{
	PGresult *res = db_exec(tx, sql, n, params);
	int rows;

	out->items = json_array();
	out->next_ts = out->next_id = NULL;
	if (res == NULL)
		return db_status(tx);
	rows = PQntuples(res);
	for (int i = 0; i < rows && i < limit; i++)
		json_array_append_new(out->items, json_loads(db_val(res, i, 0), 0, NULL));
	if (rows > limit) {
		out->next_ts = db_val(res, limit - 1, 1);
		out->next_id = db_val(res, limit - 1, 2);
	}
	return ST_OK;
}

/* One statement whose first column of its one row is a JSON text. */
static enum status
row_json(struct db_tx *tx, const char *sql, int n, const char *const *params, json_t **out)
{
	PGresult *res = db_exec(tx, sql, n, params);

	if (res == NULL)
		return db_status(tx);
	*out = json_loads(db_val(res, 0, 0), 0, NULL);
	return ST_OK;
}

static const char *
num(struct db_tx *tx, long long v)
{
	return arena_printf(tx->arena, "%lld", v);
}

/* A page of a table, newest first: select is "SELECT <json>, created_at,
 * id FROM <table>" (constant text), keyed by (created_at, id). */
static enum status
list_newest(struct db_tx *tx, const char *select, const struct page *pg,
    struct page_rows *out)
{
	return list_json(tx, arena_printf(tx->arena, "%s"
	    " WHERE $1::text IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid)"
	    " ORDER BY created_at DESC, id DESC LIMIT $3", select), 3,
	    (const char *[]){ pg->after_ts, pg->after_id, num(tx, pg->limit + 1) },
	    pg->limit, out);
}


enum status
auth_store_security_get(struct db_tx *tx, json_t **out)
{
	PGresult *res = db_exec(tx, "SELECT json_build_object('mfa_required',"
	    " coalesce(s.mfa_required, false), 'version', coalesce(s.version, 0),"
	    " 'updated_at', " DB_RFC3339_US("s.updated_at") ")::text"
	    " FROM (SELECT 1) one LEFT JOIN tenant_security_settings s ON true", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	*out = json_loads(db_val(res, 0, 0), 0, NULL);
	return ST_OK;
}

enum status
auth_store_security_set(struct db_tx *tx, bool mfa, long long if_version, bool *was,
    json_t **out)
{
	PGresult *res;

	res = db_exec(tx, "SELECT coalesce(mfa_required, false), version"
	    " FROM tenant_security_settings FOR UPDATE", 0, NULL);
	if (res == NULL)
		return db_status(tx);
	*was = PQntuples(res) > 0 && db_bool(res, 0, 0);
	if (if_version >= 0 && if_version != (PQntuples(res) ? strtoll(db_val(res, 0, 1),
	    NULL, 10) : 0))
		return err_set(tx->err, ST_CONFLICT, "The settings were changed by someone else;"
		    " reload and try again.");
	if (db_exec(tx, "INSERT INTO tenant_security_settings (tenant_id, mfa_required)"
	    " VALUES (app_tenant(), $1) ON CONFLICT (tenant_id) DO UPDATE"
	    " SET mfa_required = excluded.mfa_required,"
	    " version = tenant_security_settings.version + 1", 1,
	    (const char *[]){ mfa ? "true" : "false" }) == NULL)
		return db_status(tx);
	return auth_store_security_get(tx, out);
}

#define INVITE_JSON "json_build_object('id', id, 'email', email, 'role', role," \
	" 'status', CASE WHEN accepted_at IS NOT NULL THEN 'accepted'" \
	"   WHEN deleted_at IS NOT NULL THEN 'revoked'" \
	"   WHEN expires_at <= now() THEN 'expired' ELSE 'pending' END," \
	" 'invited_by', invited_by, 'expires_at', " DB_RFC3339_US("expires_at") "," \
	" 'accepted_at', " DB_RFC3339_US("accepted_at") ", 'created_at', " DB_RFC3339_US("created_at") ")"

enum status
auth_store_invitation_create(struct db_tx *tx, const char *email, const char *role,
    const unsigned char hash[32], const char *invited_by, int ttl_s, json_t **out)
{
	return row_json(tx, "INSERT INTO invitations (tenant_id, email, role, token_hash,"
	    " invited_by, expires_at) VALUES (app_tenant(), $1, $2, $3, $4,"
	    " now() + make_interval(secs => $5::int)) RETURNING " INVITE_JSON "::text", 5,
	    (const char *[]){ email, role, hex(tx, hash), invited_by, num(tx, ttl_s) }, out);
}

enum status
auth_store_invitations_list(struct db_tx *tx, const struct page *pg,
    struct page_rows *out)
{
	return list_newest(tx, "SELECT " INVITE_JSON "::text, created_at::text, id::text"
	    " FROM invitations", pg, out);
}

enum status
auth_store_invitation_revoke(struct db_tx *tx, const char *id, json_t **before)
{
	PGresult *res = db_exec(tx, "UPDATE invitations SET deleted_at = now()"
	    " WHERE id = $1 AND deleted_at IS NULL AND accepted_at IS NULL"
	    " RETURNING email::text, role", 1, (const char *[]){ id });

	*before = NULL;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) > 0)
		*before = json_pack("{s:s}", "role", db_val(res, 0, 1));
	return ST_OK;
}

#define MEMBER_JSON "json_build_object('id', user_id, 'email', email, 'name', name," \
	" 'role', role, 'version', version, 'totp_enabled', totp_enabled," \
	" 'created_at', " DB_RFC3339_US("created_at") ")"

enum status
auth_store_members_list(struct db_tx *tx, const struct page *pg,
    struct page_rows *out)
{
	return list_json(tx, "SELECT " MEMBER_JSON "::text, created_at::text, membership_id::text"
	    " FROM auth_tenant_members($1::timestamptz, $2::uuid, $3::int, NULL)", 3,
	    (const char *[]){ pg->after_ts, pg->after_id, num(tx, pg->limit + 1) },
	    pg->limit, out);
}

enum status
auth_store_member_json(struct db_tx *tx, const char *user_id, json_t **out)
{
	PGresult *res = db_exec(tx, "SELECT " MEMBER_JSON "::text"
	    " FROM auth_tenant_members(NULL, NULL, 1, $1::uuid)", 1, (const char *[]){ user_id });

	*out = NULL;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) > 0)
		*out = json_loads(db_val(res, 0, 0), 0, NULL);
	return ST_OK;
}

enum status
auth_store_member_lock(struct db_tx *tx, const char *user_id, bool *found, char role[24],
    long long *version, long long *owners)
{
	PGresult *res;

	*found = false;
	/* Every OWNER row is locked too, so two concurrent demotions cannot
	 * both see "another owner remains". */
	res = db_exec(tx, "SELECT count(*) FROM (SELECT 1 FROM tenant_memberships"
	    " WHERE role = 'OWNER' AND deleted_at IS NULL FOR UPDATE) o", 0, NULL);
	if (res == NULL)
		return db_status(tx);
	*owners = strtoll(db_val(res, 0, 0), NULL, 10);
	res = db_exec(tx, "SELECT role, version FROM tenant_memberships"
	    " WHERE user_id = $1 AND deleted_at IS NULL FOR UPDATE", 1,
	    (const char *[]){ user_id });
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	*found = true;
	copy(role, 24, db_val(res, 0, 0));
	*version = strtoll(db_val(res, 0, 1), NULL, 10);
	return ST_OK;
}

enum status
auth_store_member_set_role(struct db_tx *tx, const char *user_id, const char *role)
{
	return exec_only(tx, "UPDATE tenant_memberships SET role = $2, version = version + 1"
	    " WHERE user_id = $1 AND deleted_at IS NULL", 2,
	    (const char *[]){ user_id, role });
}

enum status
auth_store_member_remove(struct db_tx *tx, const char *user_id)
{
	return exec_only(tx, "UPDATE tenant_memberships"
	    " SET deleted_at = now(), version = version + 1"
	    " WHERE user_id = $1 AND deleted_at IS NULL", 1, (const char *[]){ user_id });
}

#define KEY_JSON "json_build_object('id', id, 'name', name, 'prefix', prefix, 'role', role," \
	" 'scopes', to_json(scopes), 'created_by', created_by," \
	" 'last_used_at', " DB_RFC3339_US("last_used_at") ", 'created_at', " DB_RFC3339_US("created_at") "," \
	" 'revoked_at', " DB_RFC3339_US("revoked_at") ")"

enum status
auth_store_api_key_create(struct db_tx *tx, const char *name, const char *prefix,
    const unsigned char hash[32], const char *role, const char *scopes_csv,
    const char *created_by, json_t **out)
{
	return row_json(tx, "INSERT INTO api_keys (tenant_id, name, prefix, key_hash,"
	    " role, scopes, created_by) VALUES (app_tenant(), $1, $2, $3, $4,"
	    " string_to_array($5, ','), $6) RETURNING " KEY_JSON "::text", 6,
	    (const char *[]){ name, prefix, hex(tx, hash), role, scopes_csv, created_by }, out);
}

enum status
auth_store_api_keys_list(struct db_tx *tx, const struct page *pg,
    struct page_rows *out)
{
	return list_newest(tx, "SELECT " KEY_JSON "::text, created_at::text, id::text"
	    " FROM api_keys", pg, out);
}

enum status
auth_store_api_key_revoke(struct db_tx *tx, const char *id, bool *found)
{
	PGresult *res = db_exec(tx, "UPDATE api_keys SET revoked_at = now()"
	    " WHERE id = $1 AND revoked_at IS NULL RETURNING id", 1, (const char *[]){ id });

	*found = false;
	if (res == NULL)
		return db_status(tx);
	*found = PQntuples(res) > 0;
	return ST_OK;
}
