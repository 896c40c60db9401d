/* auth_routes.c — /v1/auth: sign-in and sign-out, "who am I", TOTP
 * enrolment, password reset and accepting an invitation. Each handler
 * parses and validates, asks the rate limiter, and drives the store in
 * short transactions; argon2 runs outside any transaction so a slow hash
 * never holds a pooled connection. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "modules/auth/auth_internal.h"
#include "modules/auth/auth_routes.h"

#define RESET_TTL_S 3600
#define RECOVERY_CODES 10

static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || at[1] == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ')
			return false;
	return true;
}

static enum status
need_user(struct request *r)
{
	const struct principal *p = r->ctx.principal;

	if (p == NULL || p->kind != PRINCIPAL_USER)
		return err_set(&r->err, ST_FORBIDDEN, "This is for signed-in people, not for"
		    " API keys or service tokens.");
	return ST_OK;
}

static enum status
invalid_field(struct request *r, const char *field, const char *issue)
{
	err_detail(&r->err, field, "%s", issue);
	return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
}

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

/* ---- POST /v1/auth/login ---------------------------------------------------- */

static const struct jv_field login_fields[] = {
	{ "email", JV_STRING, true, false, 1, 254, NULL, NULL, NULL },
	{ "password", JV_STRING, true, false, 1, 1024, NULL, NULL, NULL },
	{ "totp_code", JV_STRING, false, false, 1, 16, NULL, NULL, NULL },
	{ "recovery_code", JV_STRING, false, false, 1, 32, NULL, NULL, NULL },
};

static enum status
login_route(struct request *r, struct response *w)
{
	char token[SEC_TOKEN_CHARS + 1], csrf[SEC_TOKEN_CHARS + 1];
	char sid[UUID_STR_LEN + 1], expires[40];
	const char *email, *pw, *code, *rc;
	unsigned char hash[32];
	struct login_row u;
	json_t *body, *out = NULL;
	struct db_tx tx;
	bool ok;
	enum status st;

	if ((st = auth_body(r, login_fields, 4, &body)) != ST_OK)
		return st;
	email = auth_str(body, "email");
	pw = auth_str(body, "password");
	code = auth_str(body, "totp_code");
	rc = auth_str(body, "recovery_code");
	if ((st = auth_limit_check(r, &AUTH_LIMIT_LOGIN, email, false)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_login_lookup(&tx, email, &u);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	/* The same work whether or not the address has an account. */
	ok = false;
	if (u.found)
		ok = auth_password_verify(u.password_hash, pw) && u.active;
	else
		auth_password_verify_dummy(pw);
	if (!ok) {
		auth_limit_fail(r, &AUTH_LIMIT_LOGIN, email);
		return err_set(&r->err, ST_UNAUTHENTICATED,
		    "The e-mail address or the password is wrong.");
	}
	if (u.totp_enabled && code == NULL && rc == NULL) {
		err_detail(&r->err, "totp_code", "is required");
		return err_set(&r->err, ST_UNAUTHENTICATED, "This account uses two-factor"
		    " authentication: send totp_code (or a recovery_code).");
	}
	if (u.totp_enabled && (st = auth_limit_check(r, &AUTH_LIMIT_2FA, u.user_id, false)) != ST_OK)
		return st;

	sec_random_token(token);
	sec_random_token(csrf);
	sec_sha256(token, hash);
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	if (u.totp_enabled) {
		if ((st = second_factor(&tx, u.user_id, code, rc, false, &ok)) != ST_OK)
			goto end;
		if (!ok) {
			err_detail(&r->err, rc ? "recovery_code" : "totp_code", "is invalid");
			st = err_set(&r->err, ST_UNAUTHENTICATED, "The two-factor code is wrong or"
			    " was already used.");
			goto end;
		}
	}
	/* Always a new session: a cookie presented with the login is never
	 * adopted, so a planted session id is worthless (fixation). */
	if ((st = auth_store_session_create(&tx, u.user_id, hash, csrf, auth_g.max_age_s,
	    r->remote_addr, sid, expires)) != ST_OK)
		goto end;
	st = session_json(&tx, u.user_id, csrf, expires, NULL, &out);
end:
	st = db_tx_end(&tx, st);
	if (st == ST_UNAUTHENTICATED && u.totp_enabled)
		auth_limit_fail(r, &AUTH_LIMIT_2FA, u.user_id);
	if (st != ST_OK) {
		json_decref(out);
		return st;
	}
	auth_limit_clear(&AUTH_LIMIT_LOGIN, email);
	auth_cookie_set(r, w, token, auth_g.max_age_s);
	sodium_memzero(token, sizeof(token));
	return reply_json(r, w, 200, out);
}

/* ---- sessions ------------------------------------------------------------------ */

/* POST /v1/auth/logout */
static enum status
logout_route(struct request *r, struct response *w)
{
	struct db_tx tx;
	enum status st;

	if ((st = need_user(r)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_session_revoke(&tx, r->ctx.principal->session_id);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	auth_cookie_set(r, w, NULL, 0);
	return reply_text(w, 204, NULL, "", 0);
}

/* POST /v1/auth/logout-all — every session of this person, everywhere. */
static enum status
logout_all_route(struct request *r, struct response *w)
{
	long long n = 0;
	struct db_tx tx;
	enum status st;

	if ((st = need_user(r)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_sessions_revoke_user(&tx, r->ctx.principal->id, &n);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	auth_cookie_set(r, w, NULL, 0);
	return reply_json(r, w, 200, json_pack("{s:I}", "revoked_sessions", (json_int_t)n));
}

/* GET /v1/auth/me */
static enum status
me_route(struct request *r, struct response *w)
{
	const struct auth_req *ar = auth_req_of(r);
	json_t *out = NULL;
	struct db_tx tx;
	enum status st;

	if ((st = need_user(r)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = session_json(&tx, ar->p.id, ar->csrf, ar->expires_at, ar, &out);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	return reply_json(r, w, 200, out);
}

/* ---- two-factor ------------------------------------------------------------------- */

static enum status
need_own_user(struct request *r)
{
	enum status st;

	if ((st = need_user(r)) != ST_OK)
		return st;
	if (r->ctx.principal->act_as)
		return err_set(&r->err, ST_FORBIDDEN, "A support session cannot change the"
		    " administrator's own sign-in.");
	return ST_OK;
}

/* Percent-encodes s for an otpauth:// label or parameter. */
static char *
uri_escape(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/* POST /v1/auth/2fa/enrol — a new secret, pending until confirmed. */
static enum status
enrol_route(struct request *r, struct response *w)
{
	unsigned char secret[TOTP_SECRET_BYTES], ct[TOTP_SECRET_BYTES + 16], nonce[24];
	char b32s[64], kid[17];
	const char *email;
	json_t *user = NULL;
	struct db_tx tx;
	bool ok = false, totp = false;
	enum status st;

	if ((st = need_own_user(r)) != ST_OK)
		return st;
	randombytes_buf(secret, sizeof(secret));
	auth_base32_encode(secret, sizeof(secret), b32s, sizeof(b32s));
	sec_seal(&auth_g.keys, secret, sizeof(secret), ct, nonce, kid);
	sodium_memzero(secret, sizeof(secret));
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	if ((st = auth_store_user_json(&tx, r->ctx.principal->id, &user, NULL, &totp)) != ST_OK)
		goto end;
	if (!totp)
		st = auth_store_totp_begin(&tx, r->ctx.principal->id, ct, sizeof(ct), nonce, kid, &ok);
	if (st == ST_OK && !ok)
		st = err_set(&r->err, ST_CONFLICT, "Two-factor authentication is already on;"
		    " disable it first to enrol a new device.");
end:
	st = db_tx_end(&tx, st);
	if (st != ST_OK) {
		json_decref(user);
		return st;
	}
	email = arena_strdup(r->arena, json_string_value(json_object_get(user, "email")));
	json_decref(user);
	return reply_json(r, w, 200, json_pack("{s:s, s:s, s:i, s:i, s:s}", "secret", b32s,
	    "otpauth_uri", arena_printf(r->arena, "otpauth://totp/Receptionist:%s?secret=%s"
	    "&issuer=Receptionist&algorithm=SHA1&digits=%d&period=%d",
	    uri_escape(r->arena, email), b32s, TOTP_DIGITS, TOTP_STEP_S),
	    "digits", TOTP_DIGITS, "period", TOTP_STEP_S, "status", "pending"));
}

static const struct jv_field confirm_fields[] = {
	{ "code", JV_STRING, true, false, 1, 16, NULL, NULL, NULL },
};

/* POST /v1/auth/2fa/confirm — turns 2FA on; the recovery codes are shown
 * this once and stored hashed. */
static enum status
confirm_route(struct request *r, struct response *w)
{
	unsigned char hashes[RECOVERY_CODES][32], raw[7];
	char b32s[16];
	json_t *body, *codes;
	struct db_tx tx;
	bool ok = false;
	enum status st;

	if ((st = need_own_user(r)) != ST_OK)
		return st;
	if ((st = auth_body(r, confirm_fields, 1, &body)) != ST_OK)
		return st;
	if ((st = auth_limit_check(r, &AUTH_LIMIT_2FA, r->ctx.principal->id, false)) != ST_OK)
		return st;
	codes = json_array();
	for (size_t i = 0; i < RECOVERY_CODES; i++) {
		char *c;

		randombytes_buf(raw, sizeof(raw));
		auth_base32_encode(raw, sizeof(raw), b32s, sizeof(b32s));	/* 12 chars */
		for (char *p = b32s; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		c = arena_printf(r->arena, "%.5s-%.5s", b32s, b32s + 5);
		recovery_hash(c, hashes[i]);
		json_array_append_new(codes, json_string(c));
	}
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK) {
		json_decref(codes);
		return st;
	}
	if ((st = second_factor(&tx, r->ctx.principal->id, auth_str(body, "code"), NULL, true,
	    &ok)) == ST_OK && ok)
		st = auth_store_totp_confirm(&tx, r->ctx.principal->id, hashes, RECOVERY_CODES, &ok);
	if (st == ST_OK && !ok)
		st = invalid_field(r, "code", "is invalid, expired, or enrolment was not started");
	st = db_tx_end(&tx, st);
	if (st == ST_INVALID)
		auth_limit_fail(r, &AUTH_LIMIT_2FA, r->ctx.principal->id);
	if (st != ST_OK) {
		json_decref(codes);
		return st;
	}
	return reply_json(r, w, 200, json_pack("{s:b, s:o}", "enabled", 1,
	    "recovery_codes", codes));
}

static const struct jv_field disable_fields[] = {
	{ "password", JV_STRING, true, false, 1, 1024, NULL, NULL, NULL },
	{ "code", JV_STRING, true, false, 1, 32, NULL, NULL, NULL },
};

/* POST /v1/auth/2fa/disable — password and a current code (or a recovery
 * code), so a session left open is not enough. */
static enum status
disable_route(struct request *r, struct response *w)
{
	const char *hash = NULL, *code;
	json_t *body, *user = NULL;
	struct db_tx tx;
	bool ok = false, totp = false;
	enum status st;

	if ((st = need_own_user(r)) != ST_OK)
		return st;
	if ((st = auth_body(r, disable_fields, 2, &body)) != ST_OK)
		return st;
	if ((st = auth_limit_check(r, &AUTH_LIMIT_2FA, r->ctx.principal->id, false)) != ST_OK)
		return st;
	code = auth_str(body, "code");
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_user_json(&tx, r->ctx.principal->id, &user, &hash, &totp);
	json_decref(user);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!totp)
		return err_set(&r->err, ST_CONFLICT, "Two-factor authentication is not on.");
	if (!auth_password_verify(hash, auth_str(body, "password"))) {
		auth_limit_fail(r, &AUTH_LIMIT_2FA, r->ctx.principal->id);
		return invalid_field(r, "password", "is wrong");
	}
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	/* Six digits is a TOTP code; anything else is tried as a recovery code. */
	st = second_factor(&tx, r->ctx.principal->id, code,
	    strlen(code) == TOTP_DIGITS ? NULL : code, false, &ok);
	if (st == ST_OK && !ok)
		st = invalid_field(r, "code", "is invalid or was already used");
	if (st == ST_OK)
		st = auth_store_totp_disable(&tx, r->ctx.principal->id);
	st = db_tx_end(&tx, st);
	if (st == ST_INVALID)
		auth_limit_fail(r, &AUTH_LIMIT_2FA, r->ctx.principal->id);
	if (st != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:b}", "enabled", 0));
}

/* ---- password reset -------------------------------------------------------------- */

static const struct jv_field forgot_fields[] = {
	{ "email", JV_STRING, true, false, 1, 254, NULL, NULL, NULL },
};

/* POST /v1/auth/password/forgot — always 202 with the same body: whether an
 * account exists is not this route's to say. */
static enum status
forgot_route(struct request *r, struct response *w)
{
	char token[SEC_TOKEN_CHARS + 1];
	unsigned char hash[32];
	const char *email;
	json_t *body, *payload;
	struct db_tx tx;
	enum status st;

	if ((st = auth_body(r, forgot_fields, 1, &body)) != ST_OK)
		return st;
	email = auth_str(body, "email");
	if ((st = auth_limit_check(r, &AUTH_LIMIT_RESET, email, true)) != ST_OK)
		return st;
	if (email_ok(email)) {
		sec_random_token(token);
		sec_sha256(token, hash);
		payload = json_pack("{s:s, s:s, s:i}", "reset_url",
		    arena_printf(r->arena, "%s/reset-password#token=%s", auth_g.base_url, token),
		    "token", token, "expires_in_minutes", RESET_TTL_S / 60);
		sodium_memzero(token, sizeof(token));
		if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK) {
			json_decref(payload);
			return st;
		}
		st = auth_store_reset_request(&tx, email, hash, RESET_TTL_S, payload);
		json_decref(payload);
		if ((st = db_tx_end(&tx, st)) != ST_OK)
			return st;
	}
	return reply_json(r, w, 202, json_pack("{s:s, s:s}", "status", "accepted", "message",
	    "If an account uses this address, a link to reset its password is on its way."));
}

static const struct jv_field reset_fields[] = {
	{ "token", JV_STRING, true, false, 1, 128, NULL, NULL, NULL },
	{ "password", JV_STRING, true, false, 1, 1024, NULL, NULL, NULL },
};

/* POST /v1/auth/password/reset — uses the token once and signs the account
 * out everywhere. */
static enum status
reset_route(struct request *r, struct response *w)
{
	const char *email = NULL, *pw;
	unsigned char hash[32];
	char pwhash[128];
	json_t *body;
	struct db_tx tx;
	bool found = false, ok = false;
	enum status st;

	if ((st = auth_body(r, reset_fields, 2, &body)) != ST_OK)
		return st;
	if ((st = auth_limit_check(r, &AUTH_LIMIT_RESET, NULL, false)) != ST_OK)
		return st;
	pw = auth_str(body, "password");
	sec_sha256(auth_str(body, "token"), hash);
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_reset_peek(&tx, hash, &found, &email);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!found) {
		auth_limit_fail(r, &AUTH_LIMIT_RESET, NULL);
		return invalid_field(r, "token", "is invalid, expired or already used");
	}
	if ((st = auth_password_check(pw, email, &r->err)) != ST_OK)
		return st;
	if (auth_password_hash(pw, pwhash) != ST_OK)
		return err_set(&r->err, ST_INTERNAL, "Could not hash the password.");
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_reset_consume(&tx, hash, pwhash, &ok);
	sodium_memzero(pwhash, sizeof(pwhash));
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!ok)
		return invalid_field(r, "token", "is invalid, expired or already used");
	return reply_json(r, w, 200, json_pack("{s:s}", "status", "password_changed"));
}

/* ---- invitations -------------------------------------------------------------------- */

static const struct jv_field accept_fields[] = {
	{ "token", JV_STRING, true, false, 1, 128, NULL, NULL, NULL },
	{ "name", JV_STRING, false, false, 0, 200, NULL, NULL, NULL },
	{ "password", JV_STRING, true, false, 1, 1024, NULL, NULL, NULL },
};

/* POST /v1/auth/invitations/accept — creates the account, or (for an
 * address that has one) adds the membership once its password is given. */
static enum status
accept_route(struct request *r, struct response *w)
{
	struct invite_peek inv;
	unsigned char hash[32];
	char pwhash[128] = "";
	const char *pw, *name;
	json_t *body, *out = NULL;
	struct db_tx tx;
	enum status st;

	if ((st = auth_body(r, accept_fields, 3, &body)) != ST_OK)
		return st;
	if ((st = auth_limit_check(r, &AUTH_LIMIT_RESET, NULL, false)) != ST_OK)
		return st;
	pw = auth_str(body, "password");
	name = auth_str(body, "name");
	sec_sha256(auth_str(body, "token"), hash);
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_invitation_peek(&tx, hash, &inv);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!inv.found) {
		auth_limit_fail(r, &AUTH_LIMIT_RESET, NULL);
		return invalid_field(r, "token", "is invalid, expired or already used");
	}
	if (inv.user_exists) {
		if (!auth_password_verify(inv.password_hash, pw)) {
			auth_limit_fail(r, &AUTH_LIMIT_LOGIN, inv.email);
			return invalid_field(r, "password", "is not the password of your existing"
			    " account");
		}
	} else {
		if ((st = auth_password_check(pw, inv.email, &r->err)) != ST_OK)
			return st;
		if (auth_password_hash(pw, pwhash) != ST_OK)
			return err_set(&r->err, ST_INTERNAL, "Could not hash the password.");
	}
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_invitation_accept(&tx, hash, name ? name : "",
	    inv.user_exists ? NULL : pwhash, r->request_id, &out);
	sodium_memzero(pwhash, sizeof(pwhash));
	if (st == ST_OK && out == NULL)
		st = invalid_field(r, "token", "is invalid, expired or already used");
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(out);
		return st;
	}
	json_object_set_new(out, "new_account", json_boolean(!inv.user_exists));
	return reply_json(r, w, 201, out);
}

#define AUTH PERM_AUTHENTICATED

const struct route auth_routes[] = {
	{ HTTP_POST, "/v1/auth/login", login_route, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/auth/logout", logout_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/logout-all", logout_all_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_GET, "/v1/auth/me", me_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/2fa/enrol", enrol_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/2fa/confirm", confirm_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/2fa/disable", disable_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/password/forgot", forgot_route, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/auth/password/reset", reset_route, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/auth/invitations/accept", accept_route, TENANCY_NONE, 0, NULL },
};
const size_t auth_nroutes = sizeof(auth_routes) / sizeof(auth_routes[0]);
