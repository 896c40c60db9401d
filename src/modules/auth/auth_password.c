/* auth_password.c — password hashing (argon2id) and policy. */
#include <sodium.h>
#include <string.h>

#include "core/jsonv.h"
#include "modules/auth/auth.h"

enum status
auth_password_hash(const char *password, char out[128])
{
	/* INTERACTIVE limits: ~64 MiB and well under a second per hash. */
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return ST_INTERNAL;
	return ST_OK;
}

bool
auth_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

enum status
auth_password_check(const char *password, struct err *e)
{
	size_t n = jv_utf8_length(password);

	if (n < AUTH_PASSWORD_MIN)
		return err_set(e, ST_INVALID, "The password must have at least %d characters.",
		    AUTH_PASSWORD_MIN);
	if (n > AUTH_PASSWORD_MAX)
		return err_set(e, ST_INVALID, "The password must have at most %d characters.",
		    AUTH_PASSWORD_MAX);
	if (!jv_no_controls(password))
		return err_set(e, ST_INVALID, "The password must not contain control characters.");
	return ST_OK;
}

void
auth_password_generate(char *out, size_t outsz)
{
	/* No look-alike characters: these get read off a terminal. */
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	size_t n = outsz - 1;

	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[n] = '\0';
}
