/* auth_crypto.c — the small crypto toolbox of the auth module: base64url,
 * random tokens, SHA-256, bytea text forms, and the encryption keys with
 * their ids (AEAD for secrets at rest, so a stolen database dump alone
 * reveals no TOTP secret). */
#include <openssl/sha.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "modules/auth/auth.h"

void
auth_b64url(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	sodium_bin2base64(out, outsz, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
auth_b64url_decode(const char *in, size_t inlen, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	const char *end = NULL;

	if (sodium_base642bin(out, outsz, in, inlen, NULL, outlen, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	return end == in + inlen;
}

void
auth_random_token(char out[AUTH_TOKEN_CHARS + 1])
{
	unsigned char b[32];

	randombytes_buf(b, sizeof(b));
	auth_b64url(b, sizeof(b), out, AUTH_TOKEN_CHARS + 1);
	sodium_memzero(b, sizeof(b));
}

void
auth_sha256(const char *s, unsigned char out[32])
{
	SHA256((const unsigned char *)s, strlen(s), out);
}

char *
auth_bytea_hex(struct arena *a, const unsigned char *b, size_t n)
{
	char *s = arena_alloc(a, 2 * n + 3);

	s[0] = '\\';
	s[1] = 'x';
	sodium_bin2hex(s + 2, 2 * n + 1, b, n);
	return s;
}

bool
auth_bytea_parse(const char *hex, unsigned char *out, size_t outsz, size_t *outlen)
{
	const char *end = NULL;

	if (hex == NULL || strncmp(hex, "\\x", 2) != 0)
		return false;
	if (sodium_hex2bin(out, outsz, hex + 2, strlen(hex + 2), NULL, outlen, &end) != 0)
		return false;
	return *end == '\0';
}

/* A key's id: the first 8 bytes of BLAKE2b(key) under a fixed context,
 * in hex. Safe to store: it names the key without revealing it. */
static void
key_id(const unsigned char key[32], char out[17])
{
	unsigned char h[8];

	crypto_generichash(h, sizeof(h), (const unsigned char *)"receptionist key id", 19,
	    key, 32);
	sodium_bin2hex(out, 17, h, sizeof(h));
}

static bool
key_decode(const char *b64, unsigned char out[32])
{
	size_t n = 0;
	const char *end = NULL;

	if (sodium_base642bin(out, 32, b64, strlen(b64), " \n", &n, &end,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && n == 32 && *end == '\0')
		return true;
	/* base64url is accepted too: people paste either. */
	return sodium_base642bin(out, 32, b64, strlen(b64), " \n", &n, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 && n == 32 && *end == '\0';
}

enum status
auth_keys_load(const char *enc_b64, const char *prev_b64, const char *svc_b64,
    struct auth_keys *k, char *why, size_t whysz)
{
	memset(k, 0, sizeof(*k));
	if (enc_b64 == NULL || enc_b64[0] == '\0') {
		snprintf(why, whysz, "APP_ENCRYPTION_KEY is required (base64 of 32 random"
		    " bytes: head -c 32 /dev/urandom | base64)");
		return ST_INVALID;
	}
	if (!key_decode(enc_b64, k->enc)) {
		snprintf(why, whysz, "APP_ENCRYPTION_KEY must be base64 of exactly 32 bytes");
		return ST_INVALID;
	}
	key_id(k->enc, k->enc_id);
	if (prev_b64 != NULL && prev_b64[0] != '\0') {
		if (!key_decode(prev_b64, k->prev)) {
			snprintf(why, whysz, "APP_ENCRYPTION_KEY_PREVIOUS must be base64 of"
			    " exactly 32 bytes");
			return ST_INVALID;
		}
		k->have_prev = true;
		key_id(k->prev, k->prev_id);
	}
	if (svc_b64 != NULL && svc_b64[0] != '\0') {
		if (!key_decode(svc_b64, k->svc)) {
			snprintf(why, whysz, "SERVICE_TOKEN_KEY must be base64 of exactly 32 bytes");
			return ST_INVALID;
		}
	} else {
		/* A subkey, so the service-token key is never the encryption key
		 * itself. */
		crypto_kdf_derive_from_key(k->svc, sizeof(k->svc), 1, "svctoken", k->enc);
	}
	return ST_OK;
}

void
auth_seal(const struct auth_keys *k, const unsigned char *pt, size_t n, unsigned char *ct,
    unsigned char nonce[24], char kid[17])
{
	randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	/* The key id is authenticated as associated data: a ciphertext cannot
	 * be relabelled to another key. */
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, pt, n,
	    (const unsigned char *)k->enc_id, 16, NULL, nonce, k->enc);
	memcpy(kid, k->enc_id, 17);
}

enum status
auth_open(const struct auth_keys *k, const char *kid, const unsigned char *ct, size_t ctlen,
    const unsigned char nonce[24], unsigned char *pt)
{
	const unsigned char *key = NULL;

	if (strcmp(kid, k->enc_id) == 0)
		key = k->enc;
	else if (k->have_prev && strcmp(kid, k->prev_id) == 0)
		key = k->prev;
	if (key == NULL || ctlen < crypto_aead_xchacha20poly1305_ietf_ABYTES)
		return ST_INTERNAL;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL, ct, ctlen,
	    (const unsigned char *)kid, 16, nonce, key) != 0)
		return ST_INTERNAL;
	return ST_OK;
}
