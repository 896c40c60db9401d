/* auth_internal.h — what the auth module's files share and nobody else
 * sees: the module state set up once by auth_mount, the per-request
 * authentication context, the rate-limit rules, and the store (SQL). */
#ifndef AUTH_INTERNAL_H
#define AUTH_INTERNAL_H

#include <jansson.h>

#include "db/db.h"
#include "http/http.h"
#include "core/jsonv.h"
#include "http/ratelimit.h"
#include "modules/auth/auth.h"
#include "modules/auth/authz.h"

/* Read-only after auth_mount. */
struct auth_state {
	struct sec_keys keys;
	struct ratelimit *rl;
	int idle_s;
	int max_age_s;
	bool cookie_secure;
	const char *base_url;
};
extern struct auth_state auth_g;

#define AUTH_COOKIE "rcp_session"
#define AUTH_CSRF_MAX 64

/* The principal plus what only the auth module needs. The principal is the
 * first member, so r->ctx.principal can be cast back. */
struct auth_req {
	struct principal p;
	char csrf[AUTH_CSRF_MAX + 1];
	char expires_at[40];
	char act_as_tenant[UUID_STR_LEN + 1];
	bool totp_enabled;
};

static inline const struct auth_req *
auth_req_of(const struct request *r)
{
	return (const struct auth_req *)r->ctx.principal;
}

/* Rate-limit rules (seed 004). */
struct auth_limit {
	const char *name;
	int limit;
	int window_s;
};
extern const struct auth_limit AUTH_LIMIT_LOGIN, AUTH_LIMIT_RESET, AUTH_LIMIT_2FA;

/* Refuses (429 + Retry-After) when the IP or the account (subject may be
 * NULL) has used up limit. count = true counts this attempt as well. */
enum status auth_limit_check(struct request *r, const struct auth_limit *l,
    const char *subject, bool count) MUST_USE;
/* Counts a failed attempt against the IP and the account. */
void auth_limit_fail(struct request *r, const struct auth_limit *l, const char *subject);
void auth_limit_clear(const struct auth_limit *l, const char *subject);

/* Set-Cookie for a new session (max_age_s) or clearing it (token NULL). */
void auth_cookie_set(struct request *r, struct response *w, const char *token, int max_age_s);

/* Pagination: limit (1..100, default 50) and an opaque cursor of
 * (created_at, id). */
struct page {
	int limit;
	const char *after_ts;	/* NULL: first page */
	const char *after_id;
};
enum status auth_page_parse(struct request *r, struct page *pg) MUST_USE;
/* The next cursor for the last row shown, or json null. */
json_t *auth_page_cursor(struct arena *a, const char *ts, const char *id);

/* A body parsed and validated against fields. */
enum status auth_body(struct request *r, const struct jv_field *fields, size_t n,
    json_t **out) MUST_USE;
const char *auth_str(json_t *obj, const char *key);	/* NULL if absent */

/* ---- store (auth_store.c): SQL only -------------------------------------- */

struct login_row {
	bool found;
	char user_id[UUID_STR_LEN + 1];
	const char *password_hash;
	bool active;
	bool totp_enabled;
};
enum status auth_store_login_lookup(struct db_tx *tx, const char *email,
    struct login_row *out) MUST_USE;

struct session_row {
	bool found;
	char id[UUID_STR_LEN + 1];
	char user_id[UUID_STR_LEN + 1];
	bool platform_admin;
	bool totp_enabled;
	char csrf[AUTH_CSRF_MAX + 1];
	char act_as_tenant[UUID_STR_LEN + 1];	/* "" when not act-as */
	bool act_as_write;
	char expires_at[40];
};
enum status auth_store_session_resolve(struct db_tx *tx, const unsigned char hash[32],
    int idle_s, struct session_row *out) MUST_USE;
enum status auth_store_session_create(struct db_tx *tx, const char *user_id,
    const unsigned char hash[32], const char *csrf, int max_age_s, const char *ip,
    char id_out[UUID_STR_LEN + 1], char expires_out[40]) MUST_USE;
enum status auth_store_session_revoke(struct db_tx *tx, const char *session_id) MUST_USE;
enum status auth_store_sessions_revoke_user(struct db_tx *tx, const char *user_id,
    long long *n) MUST_USE;

/* The caller's profile (user object) and memberships (array), as JSON. */
enum status auth_store_user_json(struct db_tx *tx, const char *user_id, json_t **user,
    const char **password_hash, bool *totp_enabled) MUST_USE;
enum status auth_store_memberships_json(struct db_tx *tx, const char *user_id,
    json_t **items, bool *mfa_needed) MUST_USE;

/* In the tenant's transaction: the user's role ("" when none) and whether
 * the tenant requires 2FA. */
enum status auth_store_tenant_access(struct db_tx *tx, const char *user_id,
    char role[24], bool *mfa_required) MUST_USE;

struct key_row {
	bool found;
	char tenant_id[UUID_STR_LEN + 1];
	char id[UUID_STR_LEN + 1];
};
enum status auth_store_api_key_lookup(struct db_tx *tx, const unsigned char hash[32],
    struct key_row *out) MUST_USE;
/* Role and scopes of a live key (tenant transaction); touches last_used_at
 * at most once a minute. found = false when revoked meanwhile. */
enum status auth_store_api_key_use(struct db_tx *tx, const char *key_id, bool *found,
    char role[24], unsigned *scopes) MUST_USE;

/* TOTP */
struct totp_row {
	bool found;
	bool confirmed;
	unsigned char ct[TOTP_SECRET_BYTES + 16];
	size_t ctlen;
	unsigned char nonce[24];
	char key_id[17];
};
enum status auth_store_totp_get(struct db_tx *tx, const char *user_id,
    struct totp_row *out) MUST_USE;
enum status auth_store_totp_begin(struct db_tx *tx, const char *user_id,
    const unsigned char *ct, size_t ctlen, const unsigned char nonce[24],
    const char *key_id, bool *ok) MUST_USE;
enum status auth_store_totp_use_step(struct db_tx *tx, const char *user_id, long long step,
    bool *ok) MUST_USE;
enum status auth_store_totp_confirm(struct db_tx *tx, const char *user_id,
    unsigned char hashes[][32], size_t n, bool *ok) MUST_USE;
enum status auth_store_totp_disable(struct db_tx *tx, const char *user_id) MUST_USE;
enum status auth_store_recovery_use(struct db_tx *tx, const char *user_id,
    const unsigned char hash[32], bool *ok) MUST_USE;

/* Password reset */
enum status auth_store_reset_request(struct db_tx *tx, const char *email,
    const unsigned char hash[32], int ttl_s, json_t *payload) MUST_USE;
enum status auth_store_reset_peek(struct db_tx *tx, const unsigned char hash[32],
    bool *found, const char **email) MUST_USE;
enum status auth_store_reset_consume(struct db_tx *tx, const unsigned char hash[32],
    const char *password_hash, bool *ok) MUST_USE;

/* Invitations */
struct invite_peek {
	bool found;
	char tenant_id[UUID_STR_LEN + 1];
	const char *email;
	const char *role;
	bool user_exists;
	const char *password_hash;
};
enum status auth_store_invitation_peek(struct db_tx *tx, const unsigned char hash[32],
    struct invite_peek *out) MUST_USE;
enum status auth_store_invitation_accept(struct db_tx *tx, const unsigned char hash[32],
    const char *name, const char *password_hash, const char *request_id,
    json_t **result) MUST_USE;

#endif
