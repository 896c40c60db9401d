/* auth_store.h — the auth module's SQL (module-private): accounts,
 * sessions, TOTP, resets and invitations through the SECURITY DEFINER
 * functions; members, invitations, API keys, security settings and the
 * outbox in the tenant's transaction under RLS. Stores return values; the
 * services encode (cursors, JSON bodies). */
#ifndef AUTH_STORE_H
#define AUTH_STORE_H

#include "modules/auth/auth_internal.h"

/* ---- sign-in ---------------------------------------------------------------- */

struct login_row {
	bool found;
	char user_id[UUID_STR_LEN + 1];
	const char *password_hash;
	bool active;
	bool totp_enabled;
};
enum status auth_store_login_lookup(struct db_tx *tx, const char *email,
    struct login_row *out) MUST_USE;
/* Replaces the hash only while it is still old_hash. */
enum status auth_store_password_rehash(struct db_tx *tx, const char *user_id,
    const char *old_hash, const char *new_hash) MUST_USE;

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
/* A support session's hand-off token (hash) traded for the new session
 * token (hash) on tenant_id's host; found false when it is spent, expired,
 * for another tenant or the session is gone. */
struct act_as_entry {
	bool found;
	char session_id[UUID_STR_LEN + 1];
	char csrf[SEC_TOKEN_CHARS + 1];
	bool write;
	char expires_at[40];
	int max_age_s;		/* seconds the session has left */
};
enum status auth_store_act_as_exchange(struct db_tx *tx, const unsigned char handoff[32],
    const char *tenant_id, const unsigned char new_hash[32], const char *request_id,
    struct act_as_entry *out) MUST_USE;
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
/* The tenant whose host a reset link for email opens (NULL: the platform's). */
enum status auth_store_reset_home(struct db_tx *tx, const char *email, const char *prefer,
    const char **tenant_id) MUST_USE;
/* The host the transaction's tenant's app answers on: its oldest verified
 * custom domain, else {slug}.{platform_domain}. */
enum status auth_store_tenant_host(struct db_tx *tx, const char *platform_domain,
    const char **host) MUST_USE;
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
	char user_id[UUID_STR_LEN + 1];	/* with user_exists */
	const char *password_hash;
};
enum status auth_store_invitation_peek(struct db_tx *tx, const unsigned char hash[32],
    struct invite_peek *out) MUST_USE;
enum status auth_store_invitation_accept(struct db_tx *tx, const unsigned char hash[32],
    const char *name, const char *password_hash, const char *request_id,
    json_t **result) MUST_USE;

/* ---- the operator (owner connection) ------------------------------------------ */

/* ST_CONFLICT when the e-mail address is taken. */
enum status auth_store_user_insert(struct db_tx *tx, const char *email, const char *name,
    const char *password_hash, bool platform_admin, char id_out[37]) MUST_USE;
enum status auth_store_tenant_by_slug(struct db_tx *tx, const char *slug, bool active_only,
    bool *found, char id_out[37]) MUST_USE;
/* In the transaction's tenant. */
enum status auth_store_membership_add(struct db_tx *tx, const char *user_id,
    const char *role) MUST_USE;

/* ---- tenant administration ----------------------------------------------------- */

/* One page of a list: the rows as JSON, and the key of the last row shown
 * when there is a next page (next_ts NULL otherwise). */
struct page_rows {
	json_t *items;
	const char *next_ts, *next_id;
};

enum status auth_store_security_get(struct db_tx *tx, json_t **out) MUST_USE;
/* if_version < 0: unconditional. ST_CONFLICT when stale. */
enum status auth_store_security_set(struct db_tx *tx, bool mfa, long long if_version,
    bool *was, json_t **out) MUST_USE;


enum status auth_store_invitation_create(struct db_tx *tx, const char *email,
    const char *role, const unsigned char hash[32], const char *invited_by, int ttl_s,
    json_t **out) MUST_USE;
enum status auth_store_invitations_list(struct db_tx *tx, const struct page *pg,
    struct page_rows *out) MUST_USE;
/* *before = NULL when there was no pending invitation with this id. */
enum status auth_store_invitation_revoke(struct db_tx *tx, const char *id,
    json_t **before) MUST_USE;

enum status auth_store_members_list(struct db_tx *tx, const struct page *pg,
    struct page_rows *out) MUST_USE;
enum status auth_store_member_json(struct db_tx *tx, const char *user_id,
    json_t **out) MUST_USE;
/* Locks the member's row and every owner's; owners = live OWNER count. */
enum status auth_store_member_lock(struct db_tx *tx, const char *user_id, bool *found,
    char role[24], long long *version, long long *owners) MUST_USE;
enum status auth_store_member_set_role(struct db_tx *tx, const char *user_id,
    const char *role) MUST_USE;
enum status auth_store_member_remove(struct db_tx *tx, const char *user_id) MUST_USE;

enum status auth_store_api_key_create(struct db_tx *tx, const char *name, const char *prefix,
    const unsigned char hash[32], const char *role, const char *scopes_csv,
    const char *created_by, json_t **out) MUST_USE;
enum status auth_store_api_keys_list(struct db_tx *tx, const struct page *pg,
    struct page_rows *out) MUST_USE;
enum status auth_store_api_key_revoke(struct db_tx *tx, const char *id,
    bool *found) MUST_USE;

#endif
