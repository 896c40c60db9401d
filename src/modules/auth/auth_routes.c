/* auth_routes.c — /v1/auth: sign-in and sign-out, "who am I", TOTP
 * enrolment, password reset and accepting an invitation. Each handler
 * parses and validates, calls one service (auth_service.c) with the
 * client's address for the rate limits, and renders; the session cookie is
 * the route's to set. */
#include <sodium.h>
#include <string.h>

#include "modules/auth/auth_internal.h"

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
	char token[SEC_TOKEN_CHARS + 1];
	struct login_in in;
	json_t *body, *out;
	enum status st;

	if ((st = auth_body(r, login_fields, 4, &body)) != ST_OK)
		return st;
	in.email = auth_str(body, "email");
	in.password = auth_str(body, "password");
	in.totp_code = auth_str(body, "totp_code");
	in.recovery_code = auth_str(body, "recovery_code");
	in.ip = r->remote_addr;
	if ((st = auth_login(&r->ctx, &in, token, &out)) != ST_OK)
		return st;
	auth_cookie_set(r, w, token, auth_g.max_age_s);
	sodium_memzero(token, sizeof(token));
	return reply_json(r, w, 200, out);
}

/* ---- sessions ------------------------------------------------------------------ */

/* POST /v1/auth/logout */
static enum status
logout_route(struct request *r, struct response *w)
{
	enum status st;

	if ((st = auth_logout(&r->ctx)) != ST_OK)
		return st;
	auth_cookie_set(r, w, NULL, 0);
	return reply_text(w, 204, NULL, "", 0);
}

/* POST /v1/auth/logout-all — every session of this person, everywhere. */
static enum status
logout_all_route(struct request *r, struct response *w)
{
	long long n = 0;
	enum status st;

	if ((st = auth_logout_all(&r->ctx, &n)) != ST_OK)
		return st;
	auth_cookie_set(r, w, NULL, 0);
	return reply_json(r, w, 200, json_pack("{s:I}", "revoked_sessions", (json_int_t)n));
}

/* GET /v1/auth/me */
static enum status
me_route(struct request *r, struct response *w)
{
	json_t *out;
	enum status st;

	if ((st = auth_me(&r->ctx, &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
}

/* GET /v1/admin/permissions — the caller's role in the host's tenant and,
 * per resource, whether it may read and change it, as the server will
 * decide (act-as read-only and API key scopes included): the admin app
 * shows pages and buttons from this, never from role names. */
static enum status
permissions_route(struct request *r, struct response *w)
{
	const struct principal *p = r->ctx.principal;
	json_t *perms = json_object();

	for (int res = RES_NONE + 1; res < RES__COUNT; res++) {
		json_t *verbs = json_array();

		if (authz_may(p, (enum resource)res, VERB_READ))
			json_array_append_new(verbs, json_string("read"));
		if (authz_may(p, (enum resource)res, VERB_WRITE))
			json_array_append_new(verbs, json_string("write"));
		json_object_set_new(perms, authz_resource_name((enum resource)res), verbs);
	}
	return reply_json(r, w, 200, json_pack("{s:s, s:s, s:b, s:b, s:o}",
	    "tenant_id", r->ctx.tenant.id, "role", authz_role_name(p->role),
	    "act_as", p->act_as, "act_as_write", p->act_as_write, "permissions", perms));
}

/* ---- support sessions ------------------------------------------------------------ */

static const struct jv_field enter_fields[] = {
	{ "token", JV_STRING, true, false, 1, 128, NULL, NULL, NULL },
};

/* POST /v1/auth/act-as/exchange {token} — on the tenant's host: the one-time
 * hand-off token of a support session the platform console opened becomes
 * this host's session cookie. The token is the proof (no cookie, no CSRF
 * header: there is no session here yet). */
static enum status
act_as_exchange_route(struct request *r, struct response *w)
{
	char token[SEC_TOKEN_CHARS + 1];
	json_t *body, *out;
	int max_age = 0;
	enum status st;

	if ((st = auth_body(r, enter_fields, 1, &body)) != ST_OK)
		return st;
	if ((st = auth_act_as_enter(&r->ctx, auth_str(body, "token"), token, &max_age,
	    &out)) != ST_OK)
		return st;
	auth_cookie_set(r, w, token, max_age);
	sodium_memzero(token, sizeof(token));
	return reply_json(r, w, 200, out);
}

/* ---- two-factor ------------------------------------------------------------------- */

/* POST /v1/auth/2fa/enrol — a new secret, pending until confirmed. */
static enum status
enrol_route(struct request *r, struct response *w)
{
	json_t *out;
	enum status st;

	if ((st = auth_2fa_enrol(&r->ctx, &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
}

static const struct jv_field confirm_fields[] = {
	{ "code", JV_STRING, true, false, 1, 16, NULL, NULL, NULL },
};

/* POST /v1/auth/2fa/confirm — turns 2FA on; the recovery codes are shown
 * this once and stored hashed. */
static enum status
confirm_route(struct request *r, struct response *w)
{
	json_t *body, *out;
	enum status st;

	/* Who may ask comes before what was sent. */
	if ((st = auth_need_own_user(&r->ctx)) != ST_OK ||
	    (st = auth_body(r, confirm_fields, 1, &body)) != ST_OK)
		return st;
	if ((st = auth_2fa_confirm(&r->ctx, r->remote_addr, auth_str(body, "code"),
	    &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
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
	json_t *body;
	enum status st;

	if ((st = auth_need_own_user(&r->ctx)) != ST_OK ||
	    (st = auth_body(r, disable_fields, 2, &body)) != ST_OK)
		return st;
	if ((st = auth_2fa_disable(&r->ctx, r->remote_addr, auth_str(body, "password"),
	    auth_str(body, "code"))) != ST_OK)
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
	json_t *body;
	enum status st;

	if ((st = auth_body(r, forgot_fields, 1, &body)) != ST_OK)
		return st;
	if ((st = auth_password_forgot(&r->ctx, r->remote_addr, auth_str(body, "email"))) != ST_OK)
		return st;
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
	json_t *body;
	enum status st;

	if ((st = auth_body(r, reset_fields, 2, &body)) != ST_OK)
		return st;
	if ((st = auth_password_reset(&r->ctx, r->remote_addr, auth_str(body, "token"),
	    auth_str(body, "password"))) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:s}", "status", "password_changed"));
}

/* ---- invitations -------------------------------------------------------------------- */

static const struct jv_field accept_fields[] = {
	{ "token", JV_STRING, true, false, 1, 128, NULL, NULL, NULL },
	{ "name", JV_STRING, false, false, 0, 200, NULL, NULL, NULL },
	{ "password", JV_STRING, true, false, 1, 1024, NULL, NULL, NULL },
	{ "totp_code", JV_STRING, false, false, 1, 16, NULL, NULL, NULL },
	{ "recovery_code", JV_STRING, false, false, 1, 32, NULL, NULL, NULL },
};

/* POST /v1/auth/invitations/accept — creates the account, or (for an
 * address that has one) adds the membership once the caller signs in as
 * that account (its password, and its second factor when it has one). */
static enum status
accept_route(struct request *r, struct response *w)
{
	struct accept_in in;
	json_t *body, *out;
	enum status st;

	if ((st = auth_body(r, accept_fields, 5, &body)) != ST_OK)
		return st;
	in.token = auth_str(body, "token");
	in.name = auth_str(body, "name");
	in.password = auth_str(body, "password");
	in.totp_code = auth_str(body, "totp_code");
	in.recovery_code = auth_str(body, "recovery_code");
	in.ip = r->remote_addr;
	if ((st = auth_invitation_accept(&r->ctx, &in, &out)) != ST_OK)
		return st;
	return reply_json(r, w, 201, out);
}

#define AUTH PERM_AUTHENTICATED

static const struct route auth_routes_v[] = {
	{ HTTP_POST, "/v1/auth/login", login_route, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/auth/logout", logout_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/logout-all", logout_all_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_GET, "/v1/auth/me", me_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_GET, "/v1/admin/permissions", permissions_route, TENANCY_HOST_OR_HEADER, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/2fa/enrol", enrol_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/2fa/confirm", confirm_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/2fa/disable", disable_route, TENANCY_NONE, AUTH, NULL },
	{ HTTP_POST, "/v1/auth/password/forgot", forgot_route, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/auth/password/reset", reset_route, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/auth/invitations/accept", accept_route, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/auth/act-as/exchange", act_as_exchange_route, TENANCY_HOST, 0, NULL },
};
const struct route_table auth_routes = TABLE_OF(auth_routes_v);
