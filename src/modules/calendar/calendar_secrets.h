/* calendar_secrets.h — internal to the calendar module: sealing and
 * opening the tenants' calendar secrets (Google refresh tokens, Cal.com
 * API keys and webhook secrets) with core/crypto's secrets at rest under
 * APP_ENCRYPTION_KEY, and the key that signs OAuth states, derived from
 * the same key. */
#ifndef CALENDAR_SECRETS_H
#define CALENDAR_SECRETS_H

#include <stddef.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/status.h"
#include "core/crypto.h"

/* Seals plaintext (at most 4096 bytes: ST_INVALID beyond). ST_INTERNAL when
 * APP_ENCRYPTION_KEY is missing or malformed (the message never shows a
 * key). */
enum status calendar_secret_seal(const struct config *cfg, struct arena *a,
    const char *plaintext, struct sec_sealed *out, struct err *e) MUST_USE;

/* Opens a sealed secret read back from the database (bytea text forms).
 * *plaintext is arena-owned and wiped when the arena is freed. */
enum status calendar_secret_open(const struct config *cfg, struct arena *a,
    const char *ct, const char *nonce, const char *key_id, const char **plaintext,
    struct err *e) MUST_USE;

/* 32 bytes for HMAC-SHA256 over OAuth states: a subkey of
 * APP_ENCRYPTION_KEY (crypto_kdf, context "calstate"). */
enum status calendar_state_key(const struct config *cfg, unsigned char out[32],
    struct err *e) MUST_USE;

/* n random bytes as unpadded base64url into out (outsz >= 4*ceil(n/3)+1). */
void calendar_random_b64url(size_t n, char *out, size_t outsz);

/* SHA-256 of s as a bytea text form, for looking up hashed nonces. */
char *calendar_sha256_bytea(struct arena *a, const char *s);

#endif
