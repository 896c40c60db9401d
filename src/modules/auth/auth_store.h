/* auth_store.h — the tenant-administration half of the auth store: members,
 * invitations, API keys, security settings and the outbox, all in the
 * tenant's transaction under RLS. (Sign-in's store is in auth_internal.h.) */
#ifndef AUTH_STORE_H
#define AUTH_STORE_H

#include "modules/auth/auth_internal.h"

enum status auth_store_security_get(struct db_tx *tx, json_t **out) MUST_USE;
/* if_version < 0: unconditional. ST_CONFLICT when stale. */
enum status auth_store_security_set(struct db_tx *tx, bool mfa, long long if_version,
    bool *was, json_t **out) MUST_USE;

enum status auth_store_outbox_add(struct db_tx *tx, const char *recipient,
    const char *template_, json_t *payload) MUST_USE;
enum status auth_store_outbox_list(struct db_tx *tx, const struct page *pg, json_t **items,
    json_t **next) MUST_USE;

enum status auth_store_invitation_create(struct db_tx *tx, const char *email,
    const char *role, const unsigned char hash[32], const char *invited_by, int ttl_s,
    json_t **out) MUST_USE;
enum status auth_store_invitations_list(struct db_tx *tx, const struct page *pg,
    json_t **items, json_t **next) MUST_USE;
/* *before = NULL when there was no pending invitation with this id. */
enum status auth_store_invitation_revoke(struct db_tx *tx, const char *id,
    json_t **before) MUST_USE;

enum status auth_store_members_list(struct db_tx *tx, const struct page *pg, json_t **items,
    json_t **next) MUST_USE;
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
    json_t **items, json_t **next) MUST_USE;
enum status auth_store_api_key_revoke(struct db_tx *tx, const char *id,
    bool *found) MUST_USE;

#endif
