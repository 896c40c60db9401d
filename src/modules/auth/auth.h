/* auth.h — accounts: password hashing and policy, and the operator's
 * `user create`. Sign-in, sessions, roles and API keys build on this. */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

struct app;

#define AUTH_PASSWORD_MIN 12
#define AUTH_PASSWORD_MAX 128

/* argon2id via libsodium; out holds crypto_pwhash_STRBYTES (128) bytes. */
enum status auth_password_hash(const char *password, char out[128]) MUST_USE;
bool auth_password_verify(const char *hash, const char *password);
/* Length and character checks; ST_INVALID with the reason. */
enum status auth_password_check(const char *password, struct err *e) MUST_USE;
/* A random password that satisfies the policy (for printed-once seeds). */
void auth_password_generate(char *out, size_t outsz);

/* `receptionist user create …`: returns a process exit code. */
int auth_cli(struct app *app, int argc, char **argv);

struct user_new {
	const char *email;
	const char *name;
	const char *password;
	const char *tenant_slug;	/* NULL: no membership */
	const char *role;		/* OWNER, ADMIN, … with tenant_slug */
	bool platform_admin;
};
/* Creates the user (and membership), as the owner role. */
enum status auth_user_create(struct app *app, const struct user_new *in,
    char id_out[37], struct err *e) MUST_USE;

#endif
