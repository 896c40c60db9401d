/* crypto.h — the project's small crypto toolbox, on libsodium and OpenSSL:
 * base64url, random tokens, SHA-256 and HMAC (webhook signatures,
 * service tokens, TOTP), constant-time comparison, and AEAD sealing of
 * secrets at rest under APP_ENCRYPTION_KEY with key ids for rotation.
 * Prefix sec_ (libsodium owns crypto_). */
#ifndef CORE_CRYPTO_H
#define CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/status.h"

/* Encodings, hashes, random tokens ---------------------------------------- */

/* Unpadded base64url; out needs 4 * ceil(n / 3) + 1 bytes. */
void sec_b64url(const unsigned char *in, size_t n, char *out, size_t outsz);
/* false on a bad character or when the result does not fit. */
bool sec_b64url_decode(const char *in, size_t inlen, unsigned char *out, size_t outsz,
    size_t *outlen);
/* 32 random bytes as base64url (43 characters + NUL). */
#define SEC_TOKEN_CHARS 43
void sec_random_token(char out[SEC_TOKEN_CHARS + 1]);
void sec_sha256(const char *s, unsigned char out[32]);
/* "\\x…" text form of a bytea, for a bound parameter. */
char *sec_bytea_hex(struct arena *a, const unsigned char *b, size_t n);
/* Parses PostgreSQL's "\\x…" output; false on malformed input. */
bool sec_bytea_parse(const char *hex, unsigned char *out, size_t outsz, size_t *outlen);

/* Keys from the environment: the current and previous encryption keys
 * (with their ids) and the service-token key. */
struct sec_keys {
	unsigned char enc[32];
	char enc_id[17];
	bool have_prev;
	unsigned char prev[32];
	char prev_id[17];
	unsigned char svc[32];
};
/* why gets a reason (never a key) on failure. */
enum status sec_keys_load(const char *enc_b64, const char *prev_b64, const char *svc_b64,
    struct sec_keys *k, char *why, size_t whysz) MUST_USE;

/* Secrets at rest, for every module that stores what a
 * tenant hands over: sealed under APP_ENCRYPTION_KEY, loaded once per
 * process from cfg. ST_INTERNAL when the key is missing or malformed (the
 * message never shows a key). */
struct sec_sealed {
	const char *ct;		/* bytea text forms ("\\x…"), for bound parameters */
	const char *nonce;
	char key_id[17];
};
enum status sec_secret_seal(const struct config *cfg, struct arena *a, const char *plaintext,
    struct sec_sealed *out, struct err *e) MUST_USE;
/* Opens what was read back from the database; *plaintext is arena-owned
 * and wiped when the arena is freed. what names the secret in errors
 * ("the stored model API key"). */
enum status sec_secret_open(const struct config *cfg, struct arena *a, const char *what,
    const char *ct, const char *nonce, const char *key_id, const char **plaintext,
    struct err *e) MUST_USE;
/* A 32-byte subkey of APP_ENCRYPTION_KEY (crypto_kdf: id, 8-byte context). */
enum status sec_secret_subkey(const struct config *cfg, uint64_t id, const char context[8],
    unsigned char out[32], struct err *e) MUST_USE;

/* XChaCha20-Poly1305 under the current key: ct holds n + 16 bytes. */
void sec_seal(const struct sec_keys *k, const unsigned char *pt, size_t n,
    unsigned char *ct, unsigned char nonce[24], char key_id[17]);
/* Opens with the key named key_id; pt holds ctlen - 16 bytes. */
enum status sec_open(const struct sec_keys *k, const char *key_id,
    const unsigned char *ct, size_t ctlen, const unsigned char nonce[24],
    unsigned char *pt) MUST_USE;

/* HMAC -------------------------------------------------------------------- */

void sec_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[32]);
void sec_hmac_sha1(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[20]);
/* HMAC with the digest named by its size (20: SHA-1, 32: SHA-256, 64:
 * SHA-512), for TOTP; returns false for any other size. */
bool sec_hmac(size_t digest_size, const void *key, size_t keylen, const void *msg,
    size_t n, unsigned char *out);
/* Constant-time equality of two n-byte buffers. */
bool sec_equal(const void *a, const void *b, size_t n);

#endif
