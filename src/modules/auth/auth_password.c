/* auth_password.c — password hashing (argon2id) and policy: 12–128
 * characters, no control characters, not one of the most common passwords
 * (compiled in from common_passwords.txt), not the e-mail's local part. */
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonv.h"
#include "modules/auth/auth.h"

/* Generated from common_passwords.txt by scripts/embed-wordlist.py. */
extern const char *const auth_common_passwords[];
extern const size_t auth_common_passwords_count;

/*
 * argon2id at OWASP's recommended minimum (Password Storage Cheat Sheet:
 * m = 19 MiB, t = 2, p = 1). libsodium's INTERACTIVE limits (64 MiB, t = 2)
 * cost about five times as long here (250 ms against 50 ms a sign-in on
 * this 2-core box) and 64 MiB of memory per concurrent sign-in, which is a
 * lever for whoever floods the login; neither buys more than the
 * recommendation. Hashes made with other parameters still verify, and are
 * rewritten with these at their next successful sign-in (needs_rehash).
 */
#define PWHASH_OPS 2ULL
#define PWHASH_MEM ((size_t)19456 * 1024)

enum status
auth_password_hash(const char *password, char out[128])
{
	if (crypto_pwhash_str(out, password, strlen(password), PWHASH_OPS, PWHASH_MEM) != 0)
		return ST_INTERNAL;
	return ST_OK;
}

bool
auth_password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, PWHASH_OPS, PWHASH_MEM) != 0;
}

bool
auth_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A hash made once with the same parameters as real ones, so a miss costs
 * what a hit costs. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
	char pw[32];

	auth_password_generate(pw, sizeof(pw));
	if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), PWHASH_OPS, PWHASH_MEM) != 0)
		abort();
}

void
auth_password_verify_dummy(const char *password)
{
	volatile int sink;

	pthread_once(&dummy_once, make_dummy);
	sink = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
	(void)sink;
}

static int
cmp(const void *k, const void *e)
{
	return strcmp((const char *)k, *(const char *const *)e);
}

bool
auth_password_is_common(const char *password)
{
	char low[AUTH_PASSWORD_MAX * 4 + 1];
	size_t n = strlen(password);

	if (n >= sizeof(low))
		return false;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)password[i]);
	return bsearch(low, auth_common_passwords, auth_common_passwords_count,
	    sizeof(auth_common_passwords[0]), cmp) != NULL;
}

/* Case-insensitive: does hay contain needle? */
static bool
contains_ci(const char *hay, const char *needle, size_t nl)
{
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, nl) == 0)
			return true;
	return false;
}

static enum status
reject(struct err *e, const char *fmt, const char *why)
{
	err_detail(e, "password", fmt, why);
	return err_set(e, ST_INVALID, "The password does not meet the policy: %s.", why);
}

enum status
auth_password_check(const char *password, const char *email, struct err *e)
{
	size_t n = jv_utf8_length(password);
	const char *at;

	if (n < AUTH_PASSWORD_MIN)
		return reject(e, "%s", "it must have at least 12 characters");
	if (n > AUTH_PASSWORD_MAX)
		return reject(e, "%s", "it must have at most 128 characters");
	if (!jv_no_controls(password) || strchr(password, '\t') || strchr(password, '\n'))
		return reject(e, "%s", "it must not contain control characters");
	if (auth_password_is_common(password))
		return reject(e, "%s", "it is one of the most commonly used passwords");
	/* The local part of the address is the first thing an attacker tries. */
	if (email != NULL && (at = strchr(email, '@')) != NULL && at - email >= 3 &&
	    contains_ci(password, email, (size_t)(at - email)))
		return reject(e, "%s", "it must not contain your e-mail address");
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
