/* calendar_secrets.c — sealing calendar credentials with the auth module's
 * AEAD (key ids kept for rotation), and wiping plaintexts with their
 * arena. The keys are loaded once per process from the configuration, so
 * the worker (which never runs auth_mount) has them too. */
#include "modules/calendar/calendar_secrets.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "modules/auth/auth.h"

#define SECRET_MAX 4096

static pthread_once_t keys_once = PTHREAD_ONCE_INIT;
static struct auth_keys keys;
static enum status keys_status = ST_INTERNAL;
static const struct config *keys_cfg;

static void
keys_load(void)
{
	char why[256];

	if (sodium_init() < 0)
		return;
	keys_status = auth_keys_load(keys_cfg->app_encryption_key,
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

static void
wipe_with_arena(struct arena *a, void *p, size_t n)
{
	struct wipe *w = arena_alloc(a, sizeof(*w));

	w->p = p;
	w->n = n;
	arena_defer(a, wipe, w);
}

enum status
calendar_secret_seal(const struct config *cfg, struct arena *a, const char *plaintext,
    struct calendar_sealed *out, struct err *e)
{
	size_t n = strlen(plaintext);
	unsigned char *ct, nonce[24];
	enum status st;

	if ((st = get_keys(cfg, e)) != ST_OK)
		return st;
	if (n > SECRET_MAX)
		return err_set(e, ST_INVALID, "secret too long");
	ct = arena_alloc(a, n + crypto_aead_xchacha20poly1305_ietf_ABYTES);
	auth_seal(&keys, (const unsigned char *)plaintext, n, ct, nonce, out->key_id);
	out->ct = auth_bytea_hex(a, ct, n + crypto_aead_xchacha20poly1305_ietf_ABYTES);
	out->nonce = auth_bytea_hex(a, nonce, sizeof(nonce));
	return ST_OK;
}

enum status
calendar_secret_open(const struct config *cfg, struct arena *a, const char *ct_hex,
    const char *nonce_hex, const char *key_id, const char **plaintext, struct err *e)
{
	size_t ctlen = 0, nlen = 0, cap;
	unsigned char *ct, nonce[24];
	char *pt;
	enum status st;

	if ((st = get_keys(cfg, e)) != ST_OK)
		return st;
	if (ct_hex == NULL || nonce_hex == NULL || key_id == NULL)
		return err_set(e, ST_INTERNAL, "the connection has no stored secret");
	cap = strlen(ct_hex) / 2 + 1;
	ct = arena_alloc(a, cap);
	if (!auth_bytea_parse(ct_hex, ct, cap, &ctlen) ||
	    !auth_bytea_parse(nonce_hex, nonce, sizeof(nonce), &nlen) || nlen != sizeof(nonce) ||
	    ctlen < crypto_aead_xchacha20poly1305_ietf_ABYTES)
		return err_set(e, ST_INTERNAL, "a stored secret is malformed");
	pt = arena_alloc(a, ctlen - crypto_aead_xchacha20poly1305_ietf_ABYTES + 1);
	wipe_with_arena(a, pt, ctlen - crypto_aead_xchacha20poly1305_ietf_ABYTES + 1);
	if (auth_open(&keys, key_id, ct, ctlen, nonce, (unsigned char *)pt) != ST_OK)
		return err_set(e, ST_INTERNAL, "a stored secret cannot be opened (key %s unknown?)",
		    key_id);
	pt[ctlen - crypto_aead_xchacha20poly1305_ietf_ABYTES] = '\0';
	*plaintext = pt;
	return ST_OK;
}

enum status
calendar_state_key(const struct config *cfg, unsigned char out[32], struct err *e)
{
	enum status st;

	if ((st = get_keys(cfg, e)) != ST_OK)
		return st;
	crypto_kdf_derive_from_key(out, 32, 2, "calstate", keys.enc);
	return ST_OK;
}

void
calendar_random_b64url(size_t n, char *out, size_t outsz)
{
	unsigned char b[64];

	if (n > sizeof(b))
		n = sizeof(b);
	randombytes_buf(b, n);
	auth_b64url(b, n, out, outsz);
}

char *
calendar_sha256_bytea(struct arena *a, const char *s)
{
	unsigned char h[32];

	auth_sha256(s, h);
	return auth_bytea_hex(a, h, sizeof(h));
}
