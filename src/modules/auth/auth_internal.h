/* auth_internal.h — what the auth module's files share and nobody else
 * sees: the module state set up once by auth_mount, the principal with its
 * auth-only fields, the rate-limit rules, and the services the module's own
 * routes and authenticator call (each takes a struct ctx). SQL is in
 * auth_store.h. */
#ifndef AUTH_INTERNAL_H
#define AUTH_INTERNAL_H

#include <jansson.h>

#include "db/db.h"
#include "http/ratelimit.h"
#include "modules/auth/auth.h"

/* Read-only after auth_mount. */
struct auth_state {
	struct sec_keys keys;
	struct ratelimit *rl;
	int idle_s;
	int max_age_s;
	bool cookie_secure;
	const char *base_url;
	/* Links in mail open the app on a host built from known data: the
	 * scheme and port of PUBLIC_BASE_URL, the tenant's host or the
	 * platform's (PLATFORM_DOMAIN). */
	char link_scheme[8];
	char link_port[8];		/* ":8080", or "" for the default */
	const char *platform_domain;
};
extern struct auth_state auth_g;

/* A link into the admin app: tenant_host NULL → the platform's console
 * ({scheme}://{PLATFORM_DOMAIN}/platform/{page}), else that business's app
 * ({scheme}://{tenant_host}/admin/{page}); "#token=" and the token follow. */
const char *auth_app_link(struct arena *a, const char *tenant_host, const char *page,
    const char *token);

#define AUTH_COOKIE HTTP_SESSION_COOKIE
#define AUTH_CSRF_MAX 64

/* The principal plus what only the auth module needs. The principal is the
 * first member, so ctx.principal can be cast back. */
struct auth_req {
	struct principal p;
	char csrf[AUTH_CSRF_MAX + 1];
	char expires_at[40];
	char act_as_tenant[UUID_STR_LEN + 1];
	bool totp_enabled;
};

static inline const struct auth_req *
auth_req_of(const struct ctx *c)
{
	return (const struct auth_req *)c->principal;
}

/* ---- route tables auth_mount puts on the router ----------------------------------- */

/* Sign-in (/v1/auth, auth_routes.c), account administration (/v1/admin:
 * users, invitations, API keys, security, outbox; auth_admin.c), and the
 * test-only matrix route. */
extern const struct route_table auth_routes;
extern const struct route_table auth_admin_routes;
extern const struct route_table auth_test_routes;

/* ---- rate limits (auth_limit.c) ---------------------------------------------- */

/* Rate-limit rules (seed 004). */
struct auth_limit {
	const char *name;
	int limit;
	int window_s;
};
extern const struct auth_limit AUTH_LIMIT_LOGIN, AUTH_LIMIT_RESET, AUTH_LIMIT_2FA;

/* Refuses (ST_RATE_LIMITED, c->err->retry_after) when the IP or the account
 * (subject may be NULL) has used up limit. count = true counts this
 * attempt as well. */
enum status auth_limit_check(struct ctx *c, const char *ip, const struct auth_limit *l,
    const char *subject, bool count) MUST_USE;
/* Counts a failed attempt against the IP and the account. */
void auth_limit_fail(struct ctx *c, const char *ip, const struct auth_limit *l,
    const char *subject);
void auth_limit_clear(const struct auth_limit *l, const char *subject);

/* ---- who is calling (auth_service.c) -------------------------------------------- */

/* Each fills ar from a credential, or says why not in c->err. */
enum status auth_principal_session(struct ctx *c, const char *token,
    struct auth_req *ar) MUST_USE;
enum status auth_principal_api_key(struct ctx *c, const char *key,
    struct auth_req *ar) MUST_USE;
enum status auth_principal_service_token(struct ctx *c, const char *token,
    struct auth_req *ar) MUST_USE;
/* A user's standing in c's tenant: membership role, or the act-as binding
 * of a support session; and the tenant's 2FA rule for perm. */
enum status auth_principal_in_tenant(struct ctx *c, struct auth_req *ar, int perm) MUST_USE;
/* The audit row of one request of a support session. */
struct act_as_access {
	bool mutation;
	const char *method, *route, *path;
	bool allowed;
};
enum status auth_audit_act_as(struct ctx *c, const struct auth_req *ar,
    const struct act_as_access *acc) MUST_USE;

/* ---- sign-in (auth_service.c): c->principal is the caller ----------------------- */

struct login_in {
	const char *email, *password, *totp_code, *recovery_code;
	const char *ip;
};
/* A new session: token (SEC_TOKEN_CHARS + 1) is the cookie value, *out
 * the session's JSON body. */
enum status auth_login(struct ctx *c, const struct login_in *in, char *token,
    json_t **out) MUST_USE;
/* The caller must be a signed-in person (not a key or a service). */
enum status auth_need_user(struct ctx *c) MUST_USE;
/* The same, and not a support session: changing one's own sign-in. */
enum status auth_need_own_user(struct ctx *c) MUST_USE;
/* Trades a support session's one-time hand-off token, on the tenant's
 * host (c's tenant), for the session's cookie value in token
 * (SEC_TOKEN_CHARS + 1); *max_age_s is what the session has left. */
enum status auth_act_as_enter(struct ctx *c, const char *handoff, char *token, int *max_age_s,
    json_t **out) MUST_USE;
enum status auth_logout(struct ctx *c) MUST_USE;
enum status auth_logout_all(struct ctx *c, long long *revoked) MUST_USE;
enum status auth_me(struct ctx *c, json_t **out) MUST_USE;
enum status auth_2fa_enrol(struct ctx *c, json_t **out) MUST_USE;
enum status auth_2fa_confirm(struct ctx *c, const char *ip, const char *code,
    json_t **out) MUST_USE;
enum status auth_2fa_disable(struct ctx *c, const char *ip, const char *password,
    const char *code) MUST_USE;
/* Always ST_OK unless the rate limit or the database refuses: whether an
 * account exists is not the caller's to learn. */
enum status auth_password_forgot(struct ctx *c, const char *ip, const char *email) MUST_USE;
enum status auth_password_reset(struct ctx *c, const char *ip, const char *token,
    const char *password) MUST_USE;
/* What accepting an invitation sends. For an address that already has an
 * account, password (and, when that account uses 2FA, totp_code or
 * recovery_code) sign in as that account; otherwise password is the new
 * account's. */
struct accept_in {
	const char *token, *name, *password, *totp_code, *recovery_code;
	const char *ip;
};
enum status auth_invitation_accept(struct ctx *c, const struct accept_in *in,
    json_t **out) MUST_USE;

/* ---- the tenant's accounts (auth_admin_service.c): in c's tenant ----------------- */

enum status auth_security_get(struct ctx *c, json_t **out) MUST_USE;
/* if_version < 0: unconditional. */
enum status auth_security_set(struct ctx *c, bool mfa, long long if_version,
    json_t **out) MUST_USE;
/* One page of a list, newest first, with the next cursor. */
enum auth_list {
	AUTH_LIST_INVITATIONS,
	AUTH_LIST_MEMBERS,
	AUTH_LIST_API_KEYS,
};
enum status auth_admin_list(struct ctx *c, enum auth_list what, const struct page *pg,
    json_t **items, json_t **next) MUST_USE;
enum status auth_invitation_create(struct ctx *c, const char *email, const char *role,
    json_t **out) MUST_USE;
enum status auth_invitation_revoke(struct ctx *c, const char *id) MUST_USE;
/* want_version: the member's version the caller last saw (If-Match). */
enum status auth_member_set_role(struct ctx *c, const char *user_id, const char *role,
    long long want_version, json_t **out) MUST_USE;
enum status auth_member_remove(struct ctx *c, const char *user_id) MUST_USE;
/* scopes_csv: resource names, checked and deduplicated by the caller. The
 * key itself is in (*out).key, in this reply only. */
enum status auth_api_key_create(struct ctx *c, const char *name, const char *role,
    const char *scopes_csv, json_t **out) MUST_USE;
enum status auth_api_key_revoke(struct ctx *c, const char *id) MUST_USE;

#endif
