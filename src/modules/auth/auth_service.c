/* auth_service.c — the module's start-up (keys, rate limits, routes) and
 * the request authenticator: who is calling (session cookie, API key or
 * service token), whether they may act in this tenant (membership, act-as
 * binding, mandatory 2FA, CSRF), and finally the permission matrix. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth_internal.h"
#include "modules/auth/auth_routes.h"
#include "modules/tenants/tenants.h"

struct auth_state auth_g;

const struct auth_limit AUTH_LIMIT_LOGIN = { "login", 5, 15 * 60 };
const struct auth_limit AUTH_LIMIT_RESET = { "reset", 3, 60 * 60 };
const struct auth_limit AUTH_LIMIT_2FA = { "2fa", 10, 15 * 60 };

void
auth_mount(struct app *app)
{
	char why[256];

	if (sec_keys_load(app->cfg.app_encryption_key, app->cfg.app_encryption_key_previous,
	    app->cfg.service_token_key, &auth_g.keys, why, sizeof(why)) != ST_OK) {
		fprintf(stderr, "config: %s\n", why);
		fputs("receptionist: fix the configuration above (see .env.example)\n", stderr);
		exit(2);
	}
	auth_g.rl = ratelimit_new(app->cfg.redis_url, 0);
	auth_g.idle_s = app->cfg.session_idle_s;
	auth_g.max_age_s = app->cfg.session_max_age_s;
	auth_g.cookie_secure = app->cfg.cookie_secure;
	auth_g.base_url = app->cfg.public_base_url;
	router_add_all(&app->router, auth_routes, auth_nroutes);
	router_add_all(&app->router, auth_admin_routes, auth_admin_nroutes);
	router_add_all(&app->router, tenants_platform_routes, tenants_platform_nroutes);
	if (app->cfg.test_routes)
		router_add_all(&app->router, auth_test_routes, auth_test_nroutes);
	app->authenticate = auth_authenticate;
}

/* ---- small shared helpers --------------------------------------------------- */

static const char *
limit_key(struct arena *a, const struct auth_limit *l, const char *what, const char *v)
{
	char low[320];
	size_t i;

	/* Accounts are counted case-insensitively: "Bob@x" is "bob@x". */
	for (i = 0; v[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)((v[i] >= 'A' && v[i] <= 'Z') ? v[i] + 32 : v[i]);
	low[i] = '\0';
	return arena_printf(a, "auth:%s:%s:%s", l->name, what, low);
}

enum status
auth_limit_check(struct request *r, const struct auth_limit *l, const char *subject,
    bool count)
{
	bool (*fn)(struct ratelimit *, const char *, int, int, int *) =
	    count ? ratelimit_hit : ratelimit_check;
	int ra = 0, ra2 = 0;
	bool ok_ip, ok_acct = true;

	ok_ip = fn(auth_g.rl, limit_key(r->arena, l, "ip", r->remote_addr), l->limit,
	    l->window_s, &ra);
	if (subject != NULL && subject[0] != '\0')
		ok_acct = fn(auth_g.rl, limit_key(r->arena, l, "acct", subject), l->limit,
		    l->window_s, &ra2);
	if (ok_ip && ok_acct)
		return ST_OK;
	r->err.retry_after = ra > ra2 ? ra : ra2;
	return err_set(&r->err, ST_RATE_LIMITED, "Too many attempts; try again in %d seconds.",
	    r->err.retry_after);
}

void
auth_limit_fail(struct request *r, const struct auth_limit *l, const char *subject)
{
	(void)ratelimit_hit(auth_g.rl, limit_key(r->arena, l, "ip", r->remote_addr), l->limit,
	    l->window_s, NULL);
	if (subject != NULL && subject[0] != '\0')
		(void)ratelimit_hit(auth_g.rl, limit_key(r->arena, l, "acct", subject), l->limit,
		    l->window_s, NULL);
}

void
auth_limit_clear(const struct auth_limit *l, const char *subject)
{
	struct arena a;

	arena_init(&a, 512);
	ratelimit_reset(auth_g.rl, limit_key(&a, l, "acct", subject), l->window_s);
	arena_free(&a);
}

void
auth_cookie_set(struct request *r, struct response *w, const char *token, int max_age_s)
{
	response_header(w, "set-cookie", arena_printf(r->arena,
	    "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", AUTH_COOKIE,
	    token ? token : "", token ? max_age_s : 0, auth_g.cookie_secure ? "; Secure" : ""));
}

enum status
auth_body(struct request *r, const struct jv_field *fields, size_t n, json_t **out)
{
	enum status st;

	if ((st = http_json_body(r, out)) != ST_OK)
		return st;
	return jv_validate(*out, fields, n, &r->err);
}

const char *
auth_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

enum status
auth_page_parse(struct request *r, struct page *pg)
{
	const char *l = http_query(r, "limit"), *c = http_query(r, "cursor");
	unsigned char buf[128];
	size_t n = 0;
	char *end, *bar;
	long v;

	pg->limit = 50;
	pg->after_ts = pg->after_id = NULL;
	if (l != NULL) {
		v = strtol(l, &end, 10);
		if (*l == '\0' || *end != '\0' || v < 1 || v > 100) {
			err_detail(&r->err, "limit", "must be an integer from 1 to 100");
			return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
		}
		pg->limit = (int)v;
	}
	if (c != NULL && c[0] != '\0') {
		if (!sec_b64url_decode(c, strlen(c), buf, sizeof(buf) - 1, &n))
			goto bad;
		buf[n] = '\0';
		if ((bar = strchr((char *)buf, '|')) == NULL || !id_is_uuid(bar + 1) ||
		    bar - (char *)buf > 40 || bar == (char *)buf)
			goto bad;
		*bar = '\0';
		for (char *p = (char *)buf; *p; p++)
			if (!strchr("0123456789-:. +", *p))
				goto bad;
		pg->after_ts = arena_strdup(r->arena, (char *)buf);
		pg->after_id = arena_strdup(r->arena, bar + 1);
	}
	return ST_OK;
bad:
	err_detail(&r->err, "cursor", "is not a cursor this API returned");
	return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
}

json_t *
auth_page_cursor(struct arena *a, const char *ts, const char *id)
{
	char *raw = arena_printf(a, "%s|%s", ts, id);
	size_t n = strlen(raw);
	char *out = arena_alloc(a, n * 2 + 8);

	sec_b64url((const unsigned char *)raw, n, out, n * 2 + 8);
	return json_string(out);
}

/* ---- who is calling ------------------------------------------------------------ */

static const char *
cookie_value(const struct request *r, const char *name)
{
	size_t nl = strlen(name);

	/* HTTP/2 may split cookies over several headers. */
	for (size_t i = 0; i < r->nheaders; i++) {
		const char *p;

		if (strcmp(r->headers[i].name, "cookie") != 0)
			continue;
		for (p = r->headers[i].value; p && *p; ) {
			while (*p == ' ' || *p == ';')
				p++;
			if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
				const char *v = p + nl + 1;
				size_t vl = strcspn(v, ";");
				char *out;

				if (vl == 0 || vl > 128)
					return NULL;
				out = arena_strndup(r->arena, v, vl);
				while (vl > 0 && out[vl - 1] == ' ')
					out[--vl] = '\0';
				return out;
			}
			p = strchr(p, ';');
		}
	}
	return NULL;
}

static enum status
unauthenticated(struct request *r, const char *msg)
{
	return err_set(&r->err, ST_UNAUTHENTICATED, "%s", msg);
}

static enum status
from_session(struct request *r, struct auth_req *ar, const char *token)
{
	struct session_row s;
	unsigned char hash[32];
	struct db_tx tx;
	enum status st;

	sec_sha256(token, hash);
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_session_resolve(&tx, hash, auth_g.idle_s, &s);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!s.found)
		return unauthenticated(r, "Your session has ended; sign in again.");
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

static enum status
from_api_key(struct request *r, struct auth_req *ar, const char *key)
{
	struct key_row k;
	unsigned char hash[32];
	char role[24] = "";
	struct db_tx tx;
	bool live = false;
	enum status st;

	/* rk_live_<12 prefix chars>_<43 secret chars> */
	if (strlen(key) != 8 + 12 + 1 + SEC_TOKEN_CHARS || key[20] != '_')
		return unauthenticated(r, "The API key is not valid.");
	sec_sha256(key, hash);
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = auth_store_api_key_lookup(&tx, hash, &k);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!k.found)
		return unauthenticated(r, "The API key is not valid or was revoked.");
	/* A key belongs to one business and works only there. */
	if (r->ctx.has_tenant && strcmp(k.tenant_id, r->ctx.tenant.id) != 0)
		return err_set(&r->err, ST_FORBIDDEN, "This API key belongs to another business.");
	if ((st = db_tx_begin_as(&tx, &r->ctx, k.tenant_id)) != ST_OK)
		return st;
	st = auth_store_api_key_use(&tx, k.id, &live, role, &ar->p.scopes);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!live)
		return unauthenticated(r, "The API key is not valid or was revoked.");
	ar->p.kind = PRINCIPAL_API_KEY;
	memcpy(ar->p.id, k.id, sizeof(ar->p.id));
	ar->p.role = authz_role_parse(role);
	ar->p.mfa_satisfied = true;
	return ST_OK;
}

static enum status
from_service_token(struct request *r, struct auth_req *ar, const char *token)
{
	struct service_claims c;
	enum status st;

	if ((st = auth_service_token_verify(auth_g.keys.svc, token, time(NULL), &c,
	    &r->err)) != ST_OK)
		return st;
	if (r->ctx.has_tenant && strcmp(c.tid, r->ctx.tenant.id) != 0)
		return err_set(&r->err, ST_FORBIDDEN,
		    "This service token was issued for another business.");
	ar->p.kind = PRINCIPAL_SERVICE;
	snprintf(ar->p.id, sizeof(ar->p.id), "%s", c.sub);
	/* What a service may touch is its scopes; the role only caps them
	 * below the owner's (no security settings, no bill). */
	ar->p.role = ROLE_ADMIN;
	ar->p.scopes = c.scopes;
	ar->p.mfa_satisfied = true;
	return ST_OK;
}

static bool
is_mutation(const struct request *r)
{
	return r->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE);
}

/* A user's standing in the request's tenant: membership role, or the
 * act-as binding of a support session; and the tenant's 2FA rule. */
static enum status
user_in_tenant(struct request *r, struct auth_req *ar, int perm)
{
	char role[24] = "";
	bool mfa_required = false;
	struct db_tx tx;
	enum status st;

	if (ar->p.act_as) {
		if (strcmp(ar->act_as_tenant, r->ctx.tenant.id) != 0)
			return err_set(&r->err, ST_FORBIDDEN,
			    "This support session is for another business.");
		ar->p.role = ROLE_OWNER;
		return ST_OK;
	}
	if ((st = db_tx_begin(&tx, &r->ctx)) != ST_OK)
		return st;
	st = auth_store_tenant_access(&tx, ar->p.id, role, &mfa_required);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	ar->p.role = authz_role_parse(role);
	if (mfa_required && !ar->totp_enabled && ar->p.role != ROLE_NONE &&
	    PERM_RESOURCE(perm) != RES_NONE)
		return err_set(&r->err, ST_FORBIDDEN, "This business requires two-factor"
		    " authentication: enrol at POST /v1/auth/2fa/enrol, then confirm it, before"
		    " you continue.");
	return ST_OK;
}

/* Every request of a support session is written to the tenant's audit log,
 * reads included, with both identities: the administrator as actor and
 * "act_as" as on_behalf_of. */
static enum status
audit_act_as(struct request *r, const struct auth_req *ar, bool allowed)
{
	struct audit_actor who = { "platform", ar->p.act_as_admin_id, "act_as", r->request_id };
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin_as(&tx, &r->ctx, ar->act_as_tenant)) != ST_OK)
		return st;
	st = audit_record(&tx, &who, is_mutation(r) ? "support.write" : "support.read",
	    "session", ar->p.session_id, json_pack("{s:s, s:s, s:s, s:b, s:b}",
	    "method", r->method_name ? r->method_name : "", "route",
	    r->route->name ? r->route->name : r->route->pattern, "path", r->path,
	    "write_enabled", ar->p.act_as_write, "allowed", allowed));
	return db_tx_end(&tx, st);
}

enum status
auth_authenticate(struct request *r, int perm)
{
	struct auth_req *ar = arena_calloc(r->arena, 1, sizeof(*ar));
	const char *cookie = cookie_value(r, AUTH_COOKIE);
	const char *authz = http_header(r, "authorization");
	enum status st, st2;

	if (cookie != NULL)
		st = from_session(r, ar, cookie);
	else if (authz != NULL && strncmp(authz, "Bearer rk_live_", 15) == 0)
		st = from_api_key(r, ar, authz + 7);
	else if (authz != NULL && strncmp(authz, "Bearer st_", 10) == 0)
		st = from_service_token(r, ar, authz + 7);
	else if (authz != NULL)
		st = unauthenticated(r, "Send a session cookie, an API key or a service token.");
	else
		st = unauthenticated(r, "Sign in or send an API key.");
	if (st != ST_OK)
		return st;

	/* A cookie rides along on cross-site requests; the token in a header
	 * does not. */
	if (ar->p.needs_csrf && is_mutation(r)) {
		const char *t = http_header(r, "x-csrf-token");

		if (t == NULL || strlen(t) != strlen(ar->csrf) || ar->csrf[0] == '\0' ||
		    !sec_equal(t, ar->csrf, strlen(ar->csrf)))
			return err_set(&r->err, ST_FORBIDDEN, "The X-CSRF-Token header is missing"
			    " or does not match this session.");
	}
	if (r->ctx.has_tenant && ar->p.kind == PRINCIPAL_USER &&
	    (st = user_in_tenant(r, ar, perm)) != ST_OK)
		goto out;
	r->ctx.principal = &ar->p;
	r->ctx.actor = ACTOR_PRINCIPAL;
	st = authz_check(&ar->p, perm, &r->err);
out:
	if (ar->p.act_as) {
		struct err keep = r->err;

		/* The audit row is written whatever the outcome, and its own
		 * failure refuses the request: unaudited support access is not
		 * allowed. */
		if ((st2 = audit_act_as(r, ar, st == ST_OK)) != ST_OK)
			return st2;
		r->err = keep;
	}
	return st;
}

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
