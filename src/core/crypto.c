/* crypto.c — base64url, random tokens, SHA-256 and HMAC, constant-time
 * comparison, bytea text forms, and the encryption keys with their ids
 * (AEAD for secrets at rest, so a stolen database dump alone reveals no
 * tenant's secret). */
#include <openssl/sha.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>

#include "core/crypto.h"

void
sec_b64url(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	sodium_bin2base64(out, outsz, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
sec_b64url_decode(const char *in, size_t inlen, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	const char *end = NULL;

	if (sodium_base642bin(out, outsz, in, inlen, NULL, outlen, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	return end == in + inlen;
}

void
sec_random_token(char out[SEC_TOKEN_CHARS + 1])
{
	unsigned char b[32];

	randombytes_buf(b, sizeof(b));
	sec_b64url(b, sizeof(b), out, SEC_TOKEN_CHARS + 1);
	sodium_memzero(b, sizeof(b));
}

void
sec_sha256(const char *s, unsigned char out[32])
{
	SHA256((const unsigned char *)s, strlen(s), out);
}

char *
sec_bytea_hex(struct arena *a, const unsigned char *b, size_t n)
{
	char *s = arena_alloc(a, 2 * n + 3);

	s[0] = '\\';
	s[1] = 'x';
	sodium_bin2hex(s + 2, 2 * n + 1, b, n);
	return s;
}

bool
sec_bytea_parse(const char *hex, unsigned char *out, size_t outsz, size_t *outlen)
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
sec_keys_load(const char *enc_b64, const char *prev_b64, const char *svc_b64,
    struct sec_keys *k, char *why, size_t whysz)
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
sec_seal(const struct sec_keys *k, const unsigned char *pt, size_t n, unsigned char *ct,
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
sec_open(const struct sec_keys *k, const char *kid, const unsigned char *ct, size_t ctlen,
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

/* Secrets at rest ---------------------------------------------------------
 * Sealed for storage with XChaCha20-Poly1305 under APP_ENCRYPTION_KEY (key
 * id kept for rotation), opened into memory that is wiped with its arena.
 * The keys are loaded once per process from the configuration, so every
 * process (serve, worker, CLI) has them. */

#define ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

static pthread_once_t keys_once = PTHREAD_ONCE_INIT;
static struct sec_keys keys;
static enum status keys_status = ST_INTERNAL;
static const struct config *keys_cfg;

static void
keys_load(void)
{
	char why[256];

	if (sodium_init() < 0)
		return;
	keys_status = sec_keys_load(keys_cfg->app_encryption_key,
	    keys_cfg->app_encryption_key_previous, keys_cfg->service_token_key, &keys, why,
	    sizeof(why));
}

static enum status
get_keys(const struct config *cfg, struct err *e)
{
	/* The configuration is process-wide and read-only: the first caller's
	 * is everyone's. */
	keys_cfg = cfg;
	pthread_once(&keys_once, keys_load);
	if (keys_status != ST_OK)
		return err_set(e, ST_INTERNAL, "APP_ENCRYPTION_KEY is missing or malformed");
	return ST_OK;
}

struct wipe {
	void *p;
	size_t n;
};

static void
wipe(void *ud)
{
	struct wipe *w = ud;

	sodium_memzero(w->p, w->n);
}

enum status
sec_secret_seal(const struct config *cfg, struct arena *a, const char *plaintext,
    struct sec_sealed *out, struct err *e)
{
	size_t n = strlen(plaintext);
	unsigned char *ct, nonce[24];
	enum status st;

	if ((st = get_keys(cfg, e)) != ST_OK)
		return st;
	ct = arena_alloc(a, n + ABYTES);
	sec_seal(&keys, (const unsigned char *)plaintext, n, ct, nonce, out->key_id);
	out->ct = sec_bytea_hex(a, ct, n + ABYTES);
	out->nonce = sec_bytea_hex(a, nonce, sizeof(nonce));
	return ST_OK;
}

enum status
sec_secret_open(const struct config *cfg, struct arena *a, const char *what,
    const char *ct_hex, const char *nonce_hex, const char *key_id, const char **plaintext,
    struct err *e)
{
	size_t ctlen = 0, nlen = 0, cap, ptlen;
	unsigned char *ct, nonce[24];
	struct wipe *w;
	char *pt;
	enum status st;

	if ((st = get_keys(cfg, e)) != ST_OK)
		return st;
	cap = strlen(ct_hex) / 2 + 1;
	ct = arena_alloc(a, cap);
	if (!sec_bytea_parse(ct_hex, ct, cap, &ctlen) ||
	    !sec_bytea_parse(nonce_hex, nonce, sizeof(nonce), &nlen) || nlen != sizeof(nonce) ||
	    ctlen < ABYTES)
		return err_set(e, ST_INTERNAL, "%s is malformed", what);
	ptlen = ctlen - ABYTES;
	pt = arena_alloc(a, ptlen + 1);
	w = arena_alloc(a, sizeof(*w));
	w->p = pt;
	w->n = ptlen + 1;
	arena_defer(a, wipe, w);
	if (sec_open(&keys, key_id, ct, ctlen, nonce, (unsigned char *)pt) != ST_OK)
		return err_set(e, ST_INTERNAL, "%s cannot be opened (encryption key %s unknown?)",
		    what, key_id);
	pt[ptlen] = '\0';
	*plaintext = pt;
	return ST_OK;
}

enum status
sec_secret_subkey(const struct config *cfg, uint64_t id, const char context[8],
    unsigned char out[32], struct err *e)
{
	enum status st;

	if ((st = get_keys(cfg, e)) != ST_OK)
		return st;
	crypto_kdf_derive_from_key(out, 32, id, context, keys.enc);
	return ST_OK;
}

/* HMAC -------------------------------------------------------------------- */

static void
hmac_md(const EVP_MD *md, const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char *out)
{
	unsigned int len = 0;

	HMAC(md, key, (int)keylen, msg, n, out, &len);
}

void
sec_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[32])
{
	hmac_md(EVP_sha256(), key, keylen, msg, n, out);
}

void
sec_hmac_sha1(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[20])
{
	hmac_md(EVP_sha1(), key, keylen, msg, n, out);
}

bool
sec_hmac(size_t digest_size, const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char *out)
{
	const EVP_MD *md = digest_size == 20 ? EVP_sha1() : digest_size == 32 ? EVP_sha256() :
	    digest_size == 64 ? EVP_sha512() : NULL;

	if (md == NULL)
		return false;
	hmac_md(md, key, keylen, msg, n, out);
	return true;
}

bool
sec_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
