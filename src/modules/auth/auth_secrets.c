/* auth_secrets.c — secrets the tenants hand over (calendar tokens, model
 * API keys), sealed for storage with XChaCha20-Poly1305 under
 * APP_ENCRYPTION_KEY (key id kept for rotation), opened into memory that
 * is wiped with its arena. The keys are loaded once per process from the
 * configuration, so the worker (which never runs auth_mount) has them too. */
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "modules/auth/auth.h"

#define ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

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

enum status
auth_secret_seal(const struct config *cfg, struct arena *a, const char *plaintext,
    struct auth_sealed *out, struct err *e)
{
	size_t n = strlen(plaintext);
	unsigned char *ct, nonce[24];
	enum status st;

	if ((st = get_keys(cfg, e)) != ST_OK)
		return st;
	ct = arena_alloc(a, n + ABYTES);
	auth_seal(&keys, (const unsigned char *)plaintext, n, ct, nonce, out->key_id);
	out->ct = auth_bytea_hex(a, ct, n + ABYTES);
	out->nonce = auth_bytea_hex(a, nonce, sizeof(nonce));
	return ST_OK;
}

enum status
auth_secret_open(const struct config *cfg, struct arena *a, const char *what,
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
	if (!auth_bytea_parse(ct_hex, ct, cap, &ctlen) ||
	    !auth_bytea_parse(nonce_hex, nonce, sizeof(nonce), &nlen) || nlen != sizeof(nonce) ||
	    ctlen < ABYTES)
		return err_set(e, ST_INTERNAL, "%s is malformed", what);
	ptlen = ctlen - ABYTES;
	pt = arena_alloc(a, ptlen + 1);
	w = arena_alloc(a, sizeof(*w));
	w->p = pt;
	w->n = ptlen + 1;
	arena_defer(a, wipe, w);
	if (auth_open(&keys, key_id, ct, ctlen, nonce, (unsigned char *)pt) != ST_OK)
		return err_set(e, ST_INTERNAL, "%s cannot be opened (encryption key %s unknown?)",
		    what, key_id);
	pt[ptlen] = '\0';
	*plaintext = pt;
	return ST_OK;
}

enum status
auth_secret_subkey(const struct config *cfg, uint64_t id, const char context[8],
    unsigned char out[32], struct err *e)
{
	enum status st;

	if ((st = get_keys(cfg, e)) != ST_OK)
		return st;
	crypto_kdf_derive_from_key(out, 32, id, context, keys.enc);
	return ST_OK;
}
