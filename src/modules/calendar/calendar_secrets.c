/* calendar_secrets.c — calendar credentials sealed at rest with
 * core/crypto's secrets (sec_secret_*), and the small crypto helpers the
 * OAuth flow needs. */
#include "modules/calendar/calendar_secrets.h"

#include <sodium.h>
#include <string.h>

#define SECRET_MAX 4096

enum status
calendar_secret_seal(const struct config *cfg, struct arena *a, const char *plaintext,
    struct sec_sealed *out, struct err *e)
{
	if (strlen(plaintext) > SECRET_MAX)
		return err_set(e, ST_INVALID, "secret too long");
	return sec_secret_seal(cfg, a, plaintext, out, e);
}

enum status
calendar_secret_open(const struct config *cfg, struct arena *a, const char *ct_hex,
    const char *nonce_hex, const char *key_id, const char **plaintext, struct err *e)
{
	if (ct_hex == NULL || nonce_hex == NULL || key_id == NULL)
		return err_set(e, ST_INTERNAL, "the connection has no stored secret");
	return sec_secret_open(cfg, a, "a stored secret", ct_hex, nonce_hex, key_id, plaintext,
	    e);
}

enum status
calendar_state_key(const struct config *cfg, unsigned char out[32], struct err *e)
{
	return sec_secret_subkey(cfg, 2, "calstate", out, e);
}

void
calendar_random_b64url(size_t n, char *out, size_t outsz)
{
	unsigned char b[64];

	if (n > sizeof(b))
		n = sizeof(b);
	randombytes_buf(b, n);
	sec_b64url(b, n, out, outsz);
}

char *
calendar_sha256_bytea(struct arena *a, const char *s)
{
	unsigned char h[32];

	sec_sha256(s, h);
	return sec_bytea_hex(a, h, sizeof(h));
}
