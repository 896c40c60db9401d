/* auth_service.c — the auth module's rules, each taking a struct ctx: who
 * a credential names (session, API key, service token) and what that
 * principal is in the context's tenant; signing in and out; TOTP
 * enrolment; password resets; accepting an invitation; and the operator's
 * accounts. argon2 runs outside any transaction so a slow hash never holds
 * a pooled connection; every step that reads or writes is one short
 * transaction through the store. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/addr.h"
#include "core/cursor.h"
#include "core/log.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth_internal.h"
#include "modules/auth/auth_store.h"

#define RESET_TTL_S 3600
#define RECOVERY_CODES 10

static enum status
unauthenticated(struct ctx *c, const char *msg)
{
	return err_set(c->err, ST_UNAUTHENTICATED, "%s", msg);
}

static enum status
invalid_field(struct ctx *c, const char *field, const char *issue)
{
	err_detail(c->err, field, "%s", issue);
	return err_set(c->err, ST_INVALID, "Some fields are invalid.");
}

json_t *
auth_page_cursor(struct arena *a, const char *ts, const char *id)
{
	return json_string(cursor_encode(a, (const char *[]){ ts, id }, 2));
}

/* ---- who is calling ------------------------------------------------------------ */

enum status
auth_principal_session(struct ctx *c, const char *token, struct auth_req *ar)
{
	struct session_row s;
	unsigned char hash[32];
	struct db_tx tx;
	enum status st;

	sec_sha256(token, hash);
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = auth_store_session_resolve(&tx, hash, auth_g.idle_s, &s);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!s.found)
		return unauthenticated(c, "Your session has ended; sign in again.");
	ar->p.kind = PRINCIPAL_USER;
	memcpy(ar->p.id, s.user_id, sizeof(ar->p.id));
	memcpy(ar->p.session_id, s.id, sizeof(ar->p.session_id));
	ar->p.platform_admin = s.platform_admin;
	ar->p.needs_csrf = true;
	ar->p.scopes = SCOPE_ALL;
	ar->totp_enabled = s.totp_enabled;
	ar->p.mfa_satisfied = s.totp_enabled;
	memcpy(ar->csrf, s.csrf, sizeof(ar->csrf));
	memcpy(ar->expires_at, s.expires_at, sizeof(ar->expires_at));
	if (s.act_as_tenant[0] != '\0') {
		ar->p.act_as = true;
		ar->p.act_as_write = s.act_as_write;
		memcpy(ar->p.act_as_admin_id, s.user_id, sizeof(ar->p.act_as_admin_id));
		memcpy(ar->act_as_tenant, s.act_as_tenant, sizeof(ar->act_as_tenant));
	}
	return ST_OK;
}

enum status
auth_principal_api_key(struct ctx *c, const char *key, struct auth_req *ar)
{
	struct key_row k;
	unsigned char hash[32];
	char role[24] = "";
	struct db_tx tx;
	bool live = false;
	enum status st;

	/* rk_live_<12 prefix chars>_<43 secret chars> */
	if (strlen(key) != 8 + 12 + 1 + SEC_TOKEN_CHARS || key[20] != '_')
		return unauthenticated(c, "The API key is not valid.");
	sec_sha256(key, hash);
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = auth_store_api_key_lookup(&tx, hash, &k);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!k.found)
		return unauthenticated(c, "The API key is not valid or was revoked.");
	/* A key belongs to one business and works only there. */
	if (c->has_tenant && strcmp(k.tenant_id, c->tenant.id) != 0)
		return err_set(c->err, ST_FORBIDDEN, "This API key belongs to another business.");
	if ((st = db_tx_begin_as(&tx, c, k.tenant_id)) != ST_OK)
		return st;
	st = auth_store_api_key_use(&tx, k.id, &live, role, &ar->p.scopes);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!live)
		return unauthenticated(c, "The API key is not valid or was revoked.");
	ar->p.kind = PRINCIPAL_API_KEY;
	memcpy(ar->p.id, k.id, sizeof(ar->p.id));
	ar->p.role = authz_role_parse(role);
	ar->p.mfa_satisfied = true;
	return ST_OK;
}

enum status
auth_principal_service_token(struct ctx *c, const char *token, struct auth_req *ar)
{
	struct service_claims cl;
	enum status st;

	if ((st = auth_service_token_verify(auth_g.keys.svc, token, time(NULL), &cl,
	    c->err)) != ST_OK)
		return st;
	if (c->has_tenant && strcmp(cl.tid, c->tenant.id) != 0)
		return err_set(c->err, ST_FORBIDDEN,
		    "This service token was issued for another business.");
	ar->p.kind = PRINCIPAL_SERVICE;
	snprintf(ar->p.id, sizeof(ar->p.id), "%s", cl.sub);
	/* What a service may touch is its scopes; the role only caps them
	 * below the owner's (no security settings, no bill). */
	ar->p.role = ROLE_ADMIN;
	ar->p.scopes = cl.scopes;
	ar->p.mfa_satisfied = true;
	return ST_OK;
}

enum status
auth_principal_in_tenant(struct ctx *c, struct auth_req *ar, int perm)
{
	char role[24] = "";
	bool mfa_required = false;
	struct db_tx tx;
	enum status st;

	if (ar->p.act_as) {
		if (strcmp(ar->act_as_tenant, c->tenant.id) != 0)
			return err_set(c->err, ST_FORBIDDEN,
			    "This support session is for another business.");
		ar->p.role = ROLE_OWNER;
		return ST_OK;
	}
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = auth_store_tenant_access(&tx, ar->p.id, role, &mfa_required);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	ar->p.role = authz_role_parse(role);
	if (mfa_required && !ar->totp_enabled && ar->p.role != ROLE_NONE &&
	    PERM_RESOURCE(perm) != RES_NONE)
		return err_set(c->err, ST_FORBIDDEN, "This business requires two-factor"
		    " authentication: enrol at POST /v1/auth/2fa/enrol, then confirm it, before"
		    " you continue.");
	return ST_OK;
}

/* Every request of a support session is written to the tenant's audit log,
 * reads included, with both identities: the administrator as actor and
 * "act_as" as on_behalf_of. */
enum status
auth_audit_act_as(struct ctx *c, const struct auth_req *ar, const struct act_as_access *acc)
{
	struct audit_actor who = { "platform", ar->p.act_as_admin_id, "act_as", c->request_id };
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin_as(&tx, c, ar->act_as_tenant)) != ST_OK)
		return st;
	st = audit_record(&tx, &who, acc->mutation ? "support.write" : "support.read",
	    "session", ar->p.session_id, json_pack("{s:s, s:s, s:s, s:b, s:b}",
	    "method", acc->method, "route", acc->route, "path", acc->path,
	    "write_enabled", ar->p.act_as_write, "allowed", acc->allowed));
	return db_tx_end(&tx, st);
}

/* ---- sign-in ------------------------------------------------------------------- */

/* Recovery codes are typed by people: case, dashes and spaces don't count. */
static void
recovery_hash(const char *code, unsigned char out[32])
{
	char norm[64];
	size_t n = 0;

	for (; *code && n < sizeof(norm) - 1; code++)
		if (*code != '-' && *code != ' ')
			norm[n++] = (char)tolower((unsigned char)*code);
	norm[n] = '\0';
	sec_sha256(norm, out);
}

/* Checks a TOTP code (spending its time step) or a recovery code (spending
 * the code). pending: the secret may be one not yet confirmed. */
static enum status
second_factor(struct db_tx *tx, const char *uid, const char *code, const char *recovery,
    bool pending, bool *ok)
{
	unsigned char secret[TOTP_SECRET_BYTES + 16], h[32];
	struct totp_row t;
	int64_t step;
	enum status st;

	*ok = false;
	if (recovery != NULL) {
		recovery_hash(recovery, h);
		return auth_store_recovery_use(tx, uid, h, ok);
	}
	if ((st = auth_store_totp_get(tx, uid, &t)) != ST_OK)
		return st;
	if (!t.found || t.confirmed == pending || t.ctlen != TOTP_SECRET_BYTES + 16)
		return ST_OK;
	if (sec_open(&auth_g.keys, t.key_id, t.ct, t.ctlen, t.nonce, secret) != ST_OK)
		return err_set(tx->err, ST_INTERNAL, "A stored 2FA secret could not be opened.");
	step = auth_totp_match(secret, TOTP_SECRET_BYTES, code, time(NULL));
	sodium_memzero(secret, sizeof(secret));
	if (step < 0)
		return ST_OK;
	return auth_store_totp_use_step(tx, uid, step, ok);
}

/* The body of login and /me: the user, their memberships, the CSRF token. */
static enum status
session_json(struct db_tx *tx, const char *uid, const char *csrf, const char *expires_at,
    const struct auth_req *ar, json_t **out)
{
	json_t *user = NULL, *members = NULL, *act_as = json_null();
	bool totp = false, mfa_needed = false;
	enum status st;

	if ((st = auth_store_user_json(tx, uid, &user, NULL, &totp)) != ST_OK)
		return st;
	if ((st = auth_store_memberships_json(tx, uid, &members, &mfa_needed)) != ST_OK) {
		json_decref(user);
		return st;
	}
	if (ar != NULL && ar->p.act_as) {
		json_decref(act_as);
		act_as = json_pack("{s:s, s:b}", "tenant_id", ar->act_as_tenant,
		    "write", ar->p.act_as_write);
	}
	*out = json_pack("{s:o, s:o, s:s, s:b, s:{s:s, s:o}}", "user", user,
	    "memberships", members, "csrf_token", csrf, "mfa_required", mfa_needed && !totp,
	    "session", "expires_at", expires_at, "act_as", act_as);
	return ST_OK;
}

/* A password just proven right, hashed again with today's parameters.
 * Best effort: the sign-in goes on whatever happens here, and the store
 * writes only if the hash is still the one verified (a password changed
 * meanwhile wins). */
static void
rehash(struct ctx *c, const char *user_id, const char *old_hash, const char *password)
{
	char fresh[crypto_pwhash_STRBYTES];
	struct db_tx tx;
	enum status st;

	if (auth_password_hash(password, fresh) != ST_OK)
		return;
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return;
	st = auth_store_password_rehash(&tx, user_id, old_hash, fresh);
	if (db_tx_end(&tx, st) != ST_OK)
		log_warn("auth: could not rewrite a password hash with today's parameters");
	sodium_memzero(fresh, sizeof(fresh));
}

/* Whose password, and whether a second factor is due: the same work
 * whether or not the address has an account. */
static enum status
check_password(struct ctx *c, const struct login_in *in, struct login_row *u)
{
	struct db_tx tx;
	bool ok = false;
	enum status st;

	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = auth_store_login_lookup(&tx, in->email, u);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (u->found)
		ok = auth_password_verify(u->password_hash, in->password) && u->active;
	else
		auth_password_verify_dummy(in->password);
	if (!ok) {
		auth_limit_fail(c, in->ip, &AUTH_LIMIT_LOGIN, in->email);
		return unauthenticated(c, "The e-mail address or the password is wrong.");
	}
	if (auth_password_needs_rehash(u->password_hash))
		rehash(c, u->user_id, u->password_hash, in->password);
	if (u->totp_enabled && in->totp_code == NULL && in->recovery_code == NULL) {
		err_detail(c->err, "totp_code", "is required");
		return unauthenticated(c, "This account uses two-factor authentication: send"
		    " totp_code (or a recovery_code).");
	}
	if (u->totp_enabled)
		return auth_limit_check(c, in->ip, &AUTH_LIMIT_2FA, u->user_id, false);
	return ST_OK;
}

enum status
auth_login(struct ctx *c, const struct login_in *in, char *token, json_t **out)
{
	char csrf[SEC_TOKEN_CHARS + 1], sid[UUID_STR_LEN + 1], expires[40];
	unsigned char hash[32];
	struct login_row u;
	struct db_tx tx;
	bool ok;
	enum status st;

	*out = NULL;
	if ((st = auth_limit_check(c, in->ip, &AUTH_LIMIT_LOGIN, in->email, false)) != ST_OK ||
	    (st = check_password(c, in, &u)) != ST_OK)
		return st;
	sec_random_token(token);
	sec_random_token(csrf);
	sec_sha256(token, hash);
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if (u.totp_enabled) {
		if ((st = second_factor(&tx, u.user_id, in->totp_code, in->recovery_code, false,
		    &ok)) != ST_OK)
			goto out;
		if (!ok) {
			err_detail(c->err, in->recovery_code ? "recovery_code" : "totp_code",
			    "is invalid");
			st = unauthenticated(c, "The two-factor code is wrong or was already"
			    " used.");
			goto out;
		}
	}
	/* Always a new session: a cookie presented with the login is never
	 * adopted, so a planted session id is worthless (fixation). */
	if ((st = auth_store_session_create(&tx, u.user_id, hash, csrf, auth_g.max_age_s,
	    in->ip, sid, expires)) != ST_OK)
		goto out;
	st = session_json(&tx, u.user_id, csrf, expires, NULL, out);
out:
	st = db_tx_end(&tx, st);
	if (st == ST_UNAUTHENTICATED && u.totp_enabled)
		auth_limit_fail(c, in->ip, &AUTH_LIMIT_2FA, u.user_id);
	if (st != ST_OK) {
		json_decref(*out);
		*out = NULL;
		sodium_memzero(token, SEC_TOKEN_CHARS + 1);
		return st;
	}
	auth_limit_clear(&AUTH_LIMIT_LOGIN, in->email);
	return ST_OK;
}

enum status
auth_need_user(struct ctx *c)
{
	const struct principal *p = c->principal;

	if (p == NULL || p->kind != PRINCIPAL_USER)
		return err_set(c->err, ST_FORBIDDEN, "This is for signed-in people, not for"
		    " API keys or service tokens.");
	return ST_OK;
}

/* A transaction for the signed-in person's own rows (platform tables). */
static enum status
user_tx_begin(struct ctx *c, struct db_tx *tx)
{
	enum status st;

	if ((st = auth_need_user(c)) != ST_OK)
		return st;
	return db_tx_begin_as(tx, c, NULL);
}

enum status
auth_act_as_enter(struct ctx *c, const char *handoff, char *token, int *max_age_s,
    json_t **out)
{
	unsigned char h[32], nh[32];
	struct act_as_entry e;
	struct db_tx tx;
	enum status st;

	*out = NULL;
	sec_sha256(handoff, h);
	sec_random_token(token);
	sec_sha256(token, nh);
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = auth_store_act_as_exchange(&tx, h, c->tenant.id, nh, c->request_id, &e);
	/* Committed even when refused: a presented token stays spent. */
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		goto out;
	/* One answer for spent, expired, unknown and another tenant's. */
	if (!e.found) {
		st = unauthenticated(c, "This support link is used or expired. Start the support"
		    " session again from the console.");
		goto out;
	}
	*max_age_s = e.max_age_s;
	*out = json_pack("{s:s, s:s, s:b, s:s, s:s}", "session_id", e.session_id,
	    "tenant_id", c->tenant.id, "write", e.write, "expires_at", e.expires_at,
	    "csrf_token", e.csrf);
out:
	sodium_memzero(&e, sizeof(e));
	if (st != ST_OK)
		sodium_memzero(token, SEC_TOKEN_CHARS + 1);
	return st;
}

enum status
auth_logout(struct ctx *c)
{
	struct db_tx tx;
	enum status st;

	if ((st = user_tx_begin(c, &tx)) != ST_OK)
		return st;
	st = auth_store_session_revoke(&tx, c->principal->session_id);
	return db_tx_end(&tx, st);
}

enum status
auth_logout_all(struct ctx *c, long long *revoked)
{
	struct db_tx tx;
	enum status st;

	*revoked = 0;
	if ((st = user_tx_begin(c, &tx)) != ST_OK)
		return st;
	st = auth_store_sessions_revoke_user(&tx, c->principal->id, revoked);
	return db_tx_end(&tx, st);
}

enum status
auth_me(struct ctx *c, json_t **out)
{
	const struct auth_req *ar = auth_req_of(c);
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = user_tx_begin(c, &tx)) != ST_OK)
		return st;
	st = session_json(&tx, ar->p.id, ar->csrf, ar->expires_at, ar, out);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

/* ---- two-factor ------------------------------------------------------------------- */

enum status
auth_need_own_user(struct ctx *c)
{
	enum status st;

	if ((st = auth_need_user(c)) != ST_OK)
		return st;
	if (c->principal->act_as)
		return err_set(c->err, ST_FORBIDDEN, "A support session cannot change the"
		    " administrator's own sign-in.");
	return ST_OK;
}

/* The caller's own account (uid), while its 2FA attempts are within the
 * limit. */
static enum status
own_user_limited(struct ctx *c, const char *ip, const char **uid)
{
	enum status st;

	if ((st = auth_need_own_user(c)) != ST_OK)
		return st;
	*uid = c->principal->id;
	return auth_limit_check(c, ip, &AUTH_LIMIT_2FA, *uid, false);
}

/* Percent-encodes s for an otpauth:// label or parameter. */
static char *
uri_escape(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~')
			*o++ = (char)ch;
		else
			o += sprintf(o, "%%%02X", ch);
	}
	*o = '\0';
	return out;
}

enum status
auth_2fa_enrol(struct ctx *c, json_t **out)
{
	unsigned char secret[TOTP_SECRET_BYTES], ct[TOTP_SECRET_BYTES + 16], nonce[24];
	const char *uid, *email;
	char b32s[64], kid[17];
	json_t *user = NULL;
	struct db_tx tx;
	bool ok = false, totp = false;
	enum status st;

	*out = NULL;
	if ((st = auth_need_own_user(c)) != ST_OK)
		return st;
	uid = c->principal->id;
	randombytes_buf(secret, sizeof(secret));
	auth_base32_encode(secret, sizeof(secret), b32s, sizeof(b32s));
	sec_seal(&auth_g.keys, secret, sizeof(secret), ct, nonce, kid);
	sodium_memzero(secret, sizeof(secret));
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if ((st = auth_store_user_json(&tx, uid, &user, NULL, &totp)) != ST_OK)
		goto out;
	if (!totp)
		st = auth_store_totp_begin(&tx, uid, ct, sizeof(ct), nonce, kid, &ok);
	if (st == ST_OK && !ok)
		st = err_set(c->err, ST_CONFLICT, "Two-factor authentication is already on;"
		    " disable it first to enrol a new device.");
out:
	st = db_tx_end(&tx, st);
	if (st != ST_OK) {
		json_decref(user);
		return st;
	}
	email = arena_strdup(c->arena, json_string_value(json_object_get(user, "email")));
	json_decref(user);
	*out = json_pack("{s:s, s:s, s:i, s:i, s:s}", "secret", b32s,
	    "otpauth_uri", arena_printf(c->arena, "otpauth://totp/Receptionist:%s?secret=%s"
	    "&issuer=Receptionist&algorithm=SHA1&digits=%d&period=%d",
	    uri_escape(c->arena, email), b32s, TOTP_DIGITS, TOTP_STEP_S),
	    "digits", TOTP_DIGITS, "period", TOTP_STEP_S, "status", "pending");
	return ST_OK;
}

/* Ten fresh recovery codes: shown once (codes), stored hashed (hashes). */
static json_t *
recovery_codes(struct arena *a, unsigned char hashes[RECOVERY_CODES][32])
{
	unsigned char raw[7];
	char b32s[16];
	json_t *codes = json_array();

	for (size_t i = 0; i < RECOVERY_CODES; i++) {
		char *code;

		randombytes_buf(raw, sizeof(raw));
		auth_base32_encode(raw, sizeof(raw), b32s, sizeof(b32s));	/* 12 chars */
		for (char *p = b32s; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		code = arena_printf(a, "%.5s-%.5s", b32s, b32s + 5);
		recovery_hash(code, hashes[i]);
		json_array_append_new(codes, json_string(code));
	}
	return codes;
}

enum status
auth_2fa_confirm(struct ctx *c, const char *ip, const char *code, json_t **out)
{
	unsigned char hashes[RECOVERY_CODES][32];
	const char *uid;
	json_t *codes;
	struct db_tx tx;
	bool ok = false;
	enum status st;

	*out = NULL;
	if ((st = own_user_limited(c, ip, &uid)) != ST_OK)
		return st;
	codes = recovery_codes(c->arena, hashes);
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK) {
		json_decref(codes);
		return st;
	}
	if ((st = second_factor(&tx, uid, code, NULL, true, &ok)) == ST_OK && ok)
		st = auth_store_totp_confirm(&tx, uid, hashes, RECOVERY_CODES, &ok);
	if (st == ST_OK && !ok)
		st = invalid_field(c, "code", "is invalid, expired, or enrolment was not started");
	st = db_tx_end(&tx, st);
	if (st == ST_INVALID)
		auth_limit_fail(c, ip, &AUTH_LIMIT_2FA, uid);
	if (st != ST_OK) {
		json_decref(codes);
		return st;
	}
	*out = json_pack("{s:b, s:o}", "enabled", 1, "recovery_codes", codes);
	return ST_OK;
}

enum status
auth_2fa_disable(struct ctx *c, const char *ip, const char *password, const char *code)
{
	const char *hash = NULL, *uid;
	json_t *user = NULL;
	struct db_tx tx;
	bool ok = false, totp = false;
	enum status st;

	if ((st = own_user_limited(c, ip, &uid)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = auth_store_user_json(&tx, uid, &user, &hash, &totp);
	json_decref(user);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!totp)
		return err_set(c->err, ST_CONFLICT, "Two-factor authentication is not on.");
	if (!auth_password_verify(hash, password)) {
		auth_limit_fail(c, ip, &AUTH_LIMIT_2FA, uid);
		return invalid_field(c, "password", "is wrong");
	}
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	/* Six digits is a TOTP code; anything else is tried as a recovery code. */
	st = second_factor(&tx, uid, code, strlen(code) == TOTP_DIGITS ? NULL : code, false, &ok);
	if (st == ST_OK && !ok)
		st = invalid_field(c, "code", "is invalid or was already used");
	if (st == ST_OK)
		st = auth_store_totp_disable(&tx, uid);
	st = db_tx_end(&tx, st);
	if (st == ST_INVALID)
		auth_limit_fail(c, ip, &AUTH_LIMIT_2FA, uid);
	return st;
}

/* ---- password reset -------------------------------------------------------------- */

void
auth_link_parts(const char *base_url, char scheme[8], char port[8])
{
	const char *p = base_url != NULL ? strstr(base_url, "://") : NULL, *host, *end;
	const char *colon = NULL;

	snprintf(scheme, 8, "http");
	port[0] = '\0';
	if (p == NULL)
		return;
	if ((size_t)(p - base_url) < 8)
		snprintf(scheme, 8, "%.*s", (int)(p - base_url), base_url);
	host = p + 3;
	end = host + strcspn(host, "/?#");
	/* The port follows the last ':' outside an IPv6 literal's brackets. */
	for (const char *q = host; q < end; q++)
		if (*q == ':')
			colon = q;
		else if (*q == ']')
			colon = NULL;
	if (colon != NULL && end - colon > 1 && end - colon < 8)
		snprintf(port, 8, "%.*s", (int)(end - colon), colon);
}

const char *
auth_app_link(struct arena *a, const char *tenant_host, const char *page, const char *token)
{
	return arena_printf(a, "%s://%s%s/%s/%s#token=%s", auth_g.link_scheme,
	    tenant_host ? tenant_host : auth_g.platform_domain, auth_g.link_port,
	    tenant_host ? "admin" : "platform", page, token);
}

/* The host of the app a reset link opens for email: the business it works
 * for (see auth_reset_home), or NULL for the platform's console. Read
 * inside tx, which ends back without a tenant. */
static enum status
reset_host(struct ctx *c, struct db_tx *tx, const char *email, const char **host)
{
	const char *tenant = NULL;
	enum status st;

	*host = NULL;
	if ((st = auth_store_reset_home(tx, email, ctx_tenant_id(c), &tenant)) != ST_OK ||
	    tenant == NULL)
		return st;
	if ((st = db_tx_set_tenant(tx, tenant)) != ST_OK)
		return st;
	if ((st = auth_store_tenant_host(tx, auth_g.platform_domain, host)) != ST_OK)
		return st;
	return db_tx_set_tenant(tx, NULL);
}

enum status
auth_password_forgot(struct ctx *c, const char *ip, const char *email)
{
	char token[SEC_TOKEN_CHARS + 1];
	unsigned char hash[32];
	const char *host = NULL;
	json_t *payload = NULL;
	struct db_tx tx;
	enum status st;

	if ((st = auth_limit_check(c, ip, &AUTH_LIMIT_RESET, email, true)) != ST_OK)
		return st;
	if (!addr_email_ok(email))
		return ST_OK;
	sec_random_token(token);
	sec_sha256(token, hash);
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		goto out;
	if ((st = reset_host(c, &tx, email, &host)) != ST_OK)
		goto out;
	payload = json_pack("{s:s, s:s, s:i}", "reset_url",
	    auth_app_link(c->arena, host, "reset-password", token),
	    "token", token, "expires_in_minutes", RESET_TTL_S / 60);
	st = auth_store_reset_request(&tx, email, hash, RESET_TTL_S, payload);
out:
	sodium_memzero(token, sizeof(token));
	json_decref(payload);
	return db_tx_end(&tx, st);
}

enum status
auth_password_reset(struct ctx *c, const char *ip, const char *token, const char *password)
{
	const char *email = NULL;
	unsigned char hash[32];
	char pwhash[128];
	struct db_tx tx;
	bool found = false, ok = false;
	enum status st;

	if ((st = auth_limit_check(c, ip, &AUTH_LIMIT_RESET, NULL, false)) != ST_OK)
		return st;
	sec_sha256(token, hash);
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = auth_store_reset_peek(&tx, hash, &found, &email);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!found) {
		auth_limit_fail(c, ip, &AUTH_LIMIT_RESET, NULL);
		return invalid_field(c, "token", "is invalid, expired or already used");
	}
	if ((st = auth_password_check(password, email, c->err)) != ST_OK)
		return st;
	if (auth_password_hash(password, pwhash) != ST_OK)
		return err_set(c->err, ST_INTERNAL, "Could not hash the password.");
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = auth_store_reset_consume(&tx, hash, pwhash, &ok);
	sodium_memzero(pwhash, sizeof(pwhash));
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!ok)
		return invalid_field(c, "token", "is invalid, expired or already used");
	return ST_OK;
}

/* ---- invitations -------------------------------------------------------------------- */

/* An existing account proves itself with its password; a new one gets a
 * password that passes the policy, hashed into pwhash. */
static enum status
invitee_password(struct ctx *c, const char *ip, const struct invite_peek *inv,
    const char *password, char pwhash[128])
{
	enum status st;

	if (inv->user_exists) {
		if (!auth_password_verify(inv->password_hash, password)) {
			auth_limit_fail(c, ip, &AUTH_LIMIT_LOGIN, inv->email);
			return invalid_field(c, "password", "is not the password of your existing"
			    " account");
		}
		return ST_OK;
	}
	if ((st = auth_password_check(password, inv->email, c->err)) != ST_OK)
		return st;
	if (auth_password_hash(password, pwhash) != ST_OK)
		return err_set(c->err, ST_INTERNAL, "Could not hash the password.");
	return ST_OK;
}

/* An existing account that uses two-factor authentication proves itself
 * with a code as well, exactly as at sign-in (same limit, the code is
 * spent in the transaction that accepts). */
static enum status
invitee_second_factor(struct ctx *c, struct db_tx *tx, const struct invite_peek *inv,
    const struct accept_in *in)
{
	json_t *user = NULL;
	bool totp = false, ok = false;
	enum status st;

	if ((st = auth_store_user_json(tx, inv->user_id, &user, NULL, &totp)) != ST_OK)
		return st;
	json_decref(user);
	if (!totp)
		return ST_OK;
	if (in->totp_code == NULL && in->recovery_code == NULL)
		return invalid_field(c, "totp_code", "is required: the account of this address uses"
		    " two-factor authentication (or send recovery_code)");
	if ((st = auth_limit_check(c, in->ip, &AUTH_LIMIT_2FA, inv->user_id, false)) != ST_OK ||
	    (st = second_factor(tx, inv->user_id, in->totp_code, in->recovery_code, false,
	    &ok)) != ST_OK)
		return st;
	if (!ok) {
		auth_limit_fail(c, in->ip, &AUTH_LIMIT_2FA, inv->user_id);
		return invalid_field(c, in->recovery_code ? "recovery_code" : "totp_code",
		    "is invalid or was already used");
	}
	return ST_OK;
}

enum status
auth_invitation_accept(struct ctx *c, const struct accept_in *in, json_t **out)
{
	const char *ip = in->ip, *password = in->password, *name = in->name;
	struct invite_peek inv;
	unsigned char hash[32];
	char pwhash[128] = "";
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = auth_limit_check(c, ip, &AUTH_LIMIT_RESET, NULL, false)) != ST_OK)
		return st;
	sec_sha256(in->token, hash);
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = auth_store_invitation_peek(&tx, hash, &inv);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!inv.found) {
		auth_limit_fail(c, ip, &AUTH_LIMIT_RESET, NULL);
		return invalid_field(c, "token", "is invalid, expired or already used");
	}
	if ((st = invitee_password(c, ip, &inv, password, pwhash)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if (inv.user_exists && (st = invitee_second_factor(c, &tx, &inv, in)) != ST_OK)
		goto out;
	st = auth_store_invitation_accept(&tx, hash, name ? name : "",
	    inv.user_exists ? NULL : pwhash, c->request_id, out);
	if (st == ST_OK && *out == NULL)
		st = invalid_field(c, "token", "is invalid, expired or already used");
out:
	sodium_memzero(pwhash, sizeof(pwhash));
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	json_object_set_new(*out, "new_account", json_boolean(!inv.user_exists));
	return ST_OK;
}

/* ---- the operator's accounts ------------------------------------------------------ */

enum status
auth_users_create(struct ctx *c, const struct user_new *in, char id_out[37])
{
	struct audit_actor who = { "platform", "cli", NULL, NULL };
	char hash[128], tenant[UUID_STR_LEN + 1];
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = auth_password_check(in->password, in->email, c->err)) != ST_OK)
		return st;
	if (strchr(in->email, '@') == NULL || strlen(in->email) > 254)
		return err_set(c->err, ST_INVALID, "The e-mail address is invalid.");
	if (auth_password_hash(in->password, hash) != ST_OK)
		return err_set(c->err, ST_INTERNAL, "Could not hash the password.");
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		goto done;
	if ((st = auth_store_user_insert(&tx, in->email, in->name ? in->name : "", hash,
	    in->platform_admin, id_out)) != ST_OK) {
		if (st == ST_CONFLICT)
			err_set(c->err, st, "A user with this e-mail address already exists.");
		goto out;
	}
	if (in->tenant_slug == NULL)
		goto out;
	if ((st = auth_store_tenant_by_slug(&tx, in->tenant_slug, false, &found, tenant)) != ST_OK)
		goto out;
	if (!found) {
		st = err_set(c->err, ST_NOTFOUND, "No tenant with slug %s.", in->tenant_slug);
		goto out;
	}
	if ((st = db_tx_set_tenant(&tx, tenant)) != ST_OK ||
	    (st = auth_store_membership_add(&tx, id_out, in->role)) != ST_OK)
		goto out;
	st = audit_record(&tx, &who, "user.created", "user", id_out,
	    json_pack("{s:s}", "role", in->role));
out:
	st = db_tx_end(&tx, st);
done:
	sodium_memzero(hash, sizeof(hash));
	return st;
}

enum status
auth_active_tenant_id(struct ctx *c, const char *slug, char id_out[37])
{
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if ((st = auth_store_tenant_by_slug(&tx, slug, true, &found, id_out)) == ST_OK && !found)
		st = err_set(c->err, ST_NOTFOUND, "no active tenant with slug %s", slug);
	return db_tx_end(&tx, st);
}

/* ---- who the audit log names ----------------------------------------------------------- */

void
auth_actor(const struct ctx *ctx, struct audit_actor *out)
{
	const struct principal *p = ctx->principal;

	out->request_id = ctx->request_id;
	out->on_behalf_of = NULL;
	if (p == NULL) {
		out->type = "system";
		out->id = NULL;
		return;
	}
	out->id = p->id;
	switch (p->kind) {
	case PRINCIPAL_USER:
		out->type = p->act_as ? "platform" : "user";
		if (p->act_as) {
			out->id = p->act_as_admin_id;
			out->on_behalf_of = "act_as";
		}
		break;
	case PRINCIPAL_API_KEY:
		out->type = "api_key";
		break;
	case PRINCIPAL_SERVICE:
		out->type = "service";
		break;
	}
}
