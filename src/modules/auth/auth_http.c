/* auth_http.c — the auth module at the HTTP edge: start-up (keys, rate
 * limiter, routes), the authenticator the HTTP layer calls before a route
 * (credentials from the cookie or the Authorization header, CSRF, then the
 * services that say who it is and whether it may), and the small helpers
 * routes share: the session cookie, JSON bodies and paging parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "app.h"
#include "modules/auth/auth_internal.h"
#include "modules/tenants/tenants.h"

struct auth_state auth_g;

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
	auth_g.platform_domain = app->cfg.platform_domain;
	auth_link_parts(auth_g.base_url, auth_g.link_scheme, auth_g.link_port);
	router_add_table(&app->router, &auth_routes);
	router_add_table(&app->router, &auth_admin_routes);
	/* The platform routes are the tenants module's; they build on this
	 * module's sessions, so they are mounted with them. */
	router_add_table(&app->router, &tenants_platform_routes);
	if (app->cfg.test_routes)
		router_add_table(&app->router, &auth_test_routes);
	app->authenticate = auth_authenticate;
}

/* ---- helpers for routes ---------------------------------------------------------- */

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
	const char *l = http_query(r, "limit"), *c = http_query(r, "cursor"), *cur[2];
	char *end;
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
		/* A timestamp as PostgreSQL printed it, and a row id. */
		if (!cursor_decode(r->arena, c, cur, 2) || !id_is_uuid(cur[1]) ||
		    cur[0][0] == '\0' || strlen(cur[0]) > 40 ||
		    strspn(cur[0], "0123456789-:. +") != strlen(cur[0]))
			goto bad;
		pg->after_ts = cur[0];
		pg->after_id = cur[1];
	}
	return ST_OK;
bad:
	err_detail(&r->err, "cursor", "is not a cursor this API returned");
	return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
}

/* ---- who is calling ------------------------------------------------------------ */

static bool
is_mutation(const struct request *r)
{
	return r->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE);
}

enum status
auth_authenticate(struct request *r, int perm)
{
	struct auth_req *ar = arena_calloc(r->arena, 1, sizeof(*ar));
	struct ctx *c = &r->ctx;
	const char *cookie = http_cookie(r, AUTH_COOKIE);
	const char *authz = http_header(r, "authorization");
	enum status st, st2;

	if (cookie != NULL)
		st = auth_principal_session(c, cookie, ar);
	else if (authz != NULL && strncmp(authz, "Bearer rk_live_", 15) == 0)
		st = auth_principal_api_key(c, authz + 7, ar);
	else if (authz != NULL && strncmp(authz, "Bearer st_", 10) == 0)
		st = auth_principal_service_token(c, authz + 7, ar);
	else if (authz != NULL)
		st = err_set(&r->err, ST_UNAUTHENTICATED,
		    "Send a session cookie, an API key or a service token.");
	else
		st = err_set(&r->err, ST_UNAUTHENTICATED, "Sign in or send an API key.");
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
	    (st = auth_principal_in_tenant(c, ar, perm)) != ST_OK)
		goto out;
	r->ctx.principal = &ar->p;
	r->ctx.actor = ACTOR_PRINCIPAL;
	st = authz_check(&ar->p, perm, &r->err);
out:
	if (ar->p.act_as) {
		struct act_as_access acc = { is_mutation(r), r->method_name ? r->method_name : "",
			r->route->name ? r->route->name : r->route->pattern, r->path, st == ST_OK };
		struct err keep = r->err;

		/* The audit row is written whatever the outcome, and its own
		 * failure refuses the request: unaudited support access is not
		 * allowed. */
		if ((st2 = auth_audit_act_as(c, ar, &acc)) != ST_OK)
			return st2;
		r->err = keep;
	}
	return st;
}
