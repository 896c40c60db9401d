/* auth.h — the auth module's public header: accounts and credentials
 * (password hashing and policy, sign-in sessions, TOTP, API keys, service
 * tokens), the request authenticator the HTTP layer calls, the edge helpers
 * other modules' routes share (JSON bodies, paging, the session cookie), and
 * the operator's `user create` / `token issue`.
 *
 * authz.h (the principal and the one permission matrix) is the module's
 * second public header: it depends on nothing but core/, so modules that
 * only check permissions include it alone; auth.h includes it. */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/status.h"
#include "core/ctx.h"
#include "core/jsonv.h"
#include "http/http.h"
#include "modules/auth/authz.h"

struct app;
struct audit_actor;

#define AUTH_PASSWORD_MIN 12
#define AUTH_PASSWORD_MAX 128

/* ---- module lifecycle (auth_service.c) ---------------------------------- */

/* Loads keys and rate limits, mounts the auth, admin-account and platform
 * routes (and GET /v1/test/authz with test routes on), installs
 * app->authenticate. Exits with status 2 when APP_ENCRYPTION_KEY is
 * missing or malformed: `serve` must not run without it. */
void auth_mount(struct app *app);

/* The authenticator installed as app->authenticate: session cookie, API
 * key or service token → r->ctx.principal, then CSRF, mandatory 2FA and the
 * permission check. */
enum status auth_authenticate(struct request *r, int perm) MUST_USE;

/* Who the audit log names for this request's caller (fields point into the
 * request; valid for its lifetime). A support session is the platform
 * administrator with on_behalf_of "act_as". */
void auth_actor(const struct ctx *ctx, struct audit_actor *out);

/* ---- edge helpers for routes (auth_http.c) ------------------------------------ */

/* Set-Cookie for a new session (max_age_s) or clearing it (token NULL). */
void auth_cookie_set(struct request *r, struct response *w, const char *token, int max_age_s);

/* A body parsed and validated against fields. */
enum status auth_body(struct request *r, const struct jv_field *fields, size_t n,
    json_t **out) MUST_USE;
const char *auth_str(json_t *obj, const char *key);	/* NULL if absent */

/* Pagination: limit (1..100, default 50) and an opaque cursor of
 * (created_at, id). */
struct page {
	int limit;
	const char *after_ts;	/* NULL: first page */
	const char *after_id;
};
enum status auth_page_parse(struct request *r, struct page *pg) MUST_USE;
/* The next cursor for the last row shown, or json null (auth_service.c). */
json_t *auth_page_cursor(struct arena *a, const char *ts, const char *id);
/* In each outbox message of items, every secret (an invitation's or a
 * reset's token, and the links built from it) replaced (auth_admin_service.c). */
void auth_outbox_redact(struct arena *a, json_t *items);
/* Scheme and port of a base URL ("http://localhost:8080" → "http", ":8080"). */
void auth_link_parts(const char *base_url, char scheme[8], char port[8]);

/* ---- passwords (auth_password.c) ----------------------------------------- */

/* argon2id via libsodium; out holds crypto_pwhash_STRBYTES (128) bytes. */
enum status auth_password_hash(const char *password, char out[128]) MUST_USE;
bool auth_password_verify(const char *hash, const char *password);
/* The hash was made with other parameters than today's (or is not one of
 * ours): rewrite it after the next successful sign-in. */
bool auth_password_needs_rehash(const char *hash);
/* Burns the time of one verification: for unknown accounts, so a response
 * time does not tell whether an e-mail address has an account. */
void auth_password_verify_dummy(const char *password);
/* Length, characters, the common-password list (case-insensitive) and the
 * e-mail's local part (email may be NULL). ST_INVALID with a "password"
 * detail saying why. */
enum status auth_password_check(const char *password, const char *email,
    struct err *e) MUST_USE;
bool auth_password_is_common(const char *password);
/* A random password that satisfies the policy (for printed-once seeds). */
void auth_password_generate(char *out, size_t outsz);

/* ---- TOTP, RFC 6238 / 4226 (auth_totp.c) ------------------------------------ */

enum totp_hash { TOTP_SHA1, TOTP_SHA256, TOTP_SHA512 };
#define TOTP_STEP_S 30
#define TOTP_DIGITS 6
#define TOTP_SECRET_BYTES 20

/* RFC 4648 base32 without padding (upper case). */
size_t auth_base32_encode(const unsigned char *in, size_t n, char *out, size_t outsz);
/* Case-insensitive; spaces and '=' padding ignored. */
bool auth_base32_decode(const char *in, unsigned char *out, size_t outsz, size_t *outlen);
/* HOTP value (digits long) of counter under key. */
uint32_t auth_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits,
    enum totp_hash hash);
/* The time step (±1 around now) whose 6-digit SHA-1 code equals code, or
 * -1. Compares in constant time. */
int64_t auth_totp_match(const unsigned char *key, size_t keylen, const char *code, time_t now);

/* ---- service tokens (auth_token.c) --------------------------------------------- */

#define SERVICE_TOKEN_MAX_TTL_S 3600
#define SERVICE_TOKEN_MAX 1024

struct service_claims {
	char tid[37];		/* tenant id */
	char sub[37];		/* who: [a-z0-9._-]{1,36} */
	unsigned scopes;	/* SCOPE_BIT(resource) */
	long long iat, exp;
};
/* "st_" + base64url(JSON) + "." + base64url(HMAC-SHA256(key, "st_" + JSON part)). */
enum status auth_service_token_sign(const unsigned char key[32], const struct service_claims *c,
    char *out, size_t outsz, struct err *e) MUST_USE;
/* ST_UNAUTHENTICATED with a reason unless the signature, shape, lifetime
 * (≤ 1 h) and expiry all check out at time now. */
enum status auth_service_token_verify(const unsigned char key[32], const char *token,
    time_t now, struct service_claims *out, struct err *e) MUST_USE;
/* "bookings,catalog" → scope bits; false on an unknown name. */
bool auth_scopes_parse(const char *csv, unsigned *out);

/* ---- accounts (auth_cli.c, auth_service.c) ---------------------------------------- */

/* `receptionist user create …` and `receptionist token issue …`: return a
 * process exit code. */
int auth_cli(struct app *app, int argc, char **argv);
int auth_token_cli(struct app *app, int argc, char **argv);

struct user_new {
	const char *email;
	const char *name;
	const char *password;
	const char *tenant_slug;	/* NULL: no membership */
	const char *role;		/* OWNER, ADMIN, … with tenant_slug */
	bool platform_admin;
};
/* Creates the user (and membership), audited as the operator. */
enum status auth_users_create(struct ctx *c, const struct user_new *in,
    char id_out[37]) MUST_USE;
/* The same with an operator context of its own (the `user create` command). */
enum status auth_user_create(struct app *app, const struct user_new *in,
    char id_out[37], struct err *e) MUST_USE;
/* An owner invitation (row, mail with its link, audit row naming the
 * platform administrator c->principal) in tx, which must be in the new
 * tenant's context: the console's "create with an owner invitation". */
struct db_tx;
enum status auth_platform_invite_owner(struct ctx *c, struct db_tx *tx, const char *email,
    json_t **out) MUST_USE;
/* The id of the active tenant with this slug (ST_NOTFOUND otherwise). */
enum status auth_active_tenant_id(struct ctx *c, const char *slug,
    char id_out[37]) MUST_USE;

#endif
