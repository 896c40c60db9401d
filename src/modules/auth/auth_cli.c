/* auth_cli.c — `receptionist user create`, the operator's way to make the
 * first accounts, and `receptionist token issue`, which signs a service
 * token for a tenant. Run as the owner role; each builds an operator
 * context and calls the auth services. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "modules/auth/auth.h"

static const char *const roles[] = { "OWNER", "ADMIN", "VIEWER", "STAFF",
	"ORDER_MANAGER", "ACCOUNTANT", NULL };

/* The operator's context: no tenant, no principal; audited as the CLI. */
static void
operator_ctx(struct app *app, struct ctx *c, struct arena *a, struct err *e)
{
	arena_init(a, 4096);
	ctx_init(c, ACTOR_OPERATOR, a, e, app->db, &app->cfg);
}

enum status
auth_user_create(struct app *app, const struct user_new *in, char id_out[37], struct err *e)
{
	struct arena a;
	struct ctx c;
	enum status st;

	operator_ctx(app, &c, &a, e);
	st = auth_users_create(&c, in, id_out);
	arena_free(&a);
	return st;
}

static void
usage(FILE *f)
{
	fputs("usage: receptionist user create --email EMAIL [--name NAME]\n"
	    "           [--tenant SLUG --role OWNER|ADMIN|VIEWER|STAFF|ORDER_MANAGER|ACCOUNTANT]\n"
	    "           [--platform-admin]\n"
	    "\n"
	    "The password is read from RECEPTIONIST_USER_PASSWORD when set; otherwise a\n"
	    "random one is generated and printed once.\n", f);
}

int
auth_cli(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "email", required_argument, NULL, 'e' }, { "name", required_argument, NULL, 'n' },
		{ "tenant", required_argument, NULL, 't' }, { "role", required_argument, NULL, 'r' },
		{ "platform-admin", no_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct user_new in = { 0 };
	char password[24], id[37];
	struct err e;
	int c;

	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e': in.email = optarg; break;
		case 'n': in.name = optarg; break;
		case 't': in.tenant_slug = optarg; break;
		case 'r': in.role = optarg; break;
		case 'p': in.platform_admin = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (in.email == NULL || (in.tenant_slug == NULL) != (in.role == NULL)) {
		usage(stderr);
		return 2;
	}
	if (in.role != NULL) {
		const char *const *r;

		for (r = roles; *r != NULL && strcmp(*r, in.role) != 0; r++)
			;
		if (*r == NULL) {
			fprintf(stderr, "error: unknown role %s\n", in.role);
			return 2;
		}
	}
	in.password = getenv("RECEPTIONIST_USER_PASSWORD");
	if (in.password == NULL || in.password[0] == '\0') {
		auth_password_generate(password, sizeof(password));
		in.password = password;
	}
	err_clear(&e);
	if (auth_user_create(app, &in, id, &e) != ST_OK) {
		fprintf(stderr, "error: %s\n", e.message[0] ? e.message : "could not create the user");
		return 1;
	}
	printf("created user %s (%s)\n", id, in.email);
	if (in.password == password)
		printf("password (shown once): %s\n", password);
	return 0;
}

static void
token_usage(FILE *f)
{
	fputs("usage: receptionist token issue --tenant SLUG --scope RES[,RES…] [--ttl SECONDS]\n"
	    "           [--subject NAME]\n"
	    "\n"
	    "Prints a service token (st_…) for the tenant, valid for --ttl seconds\n"
	    "(default 600, at most 3600), allowed to touch only the listed resources\n"
	    "(bookings, catalog, staff, …). Signed with SERVICE_TOKEN_KEY, or a key\n"
	    "derived from APP_ENCRYPTION_KEY when that is unset.\n", f);
}

int
auth_token_cli(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tenant", required_argument, NULL, 't' }, { "scope", required_argument, NULL, 's' },
		{ "ttl", required_argument, NULL, 'l' }, { "subject", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *slug = NULL, *scope = NULL, *sub = "cli";
	struct service_claims c = { 0 };
	struct sec_keys keys;
	char token[SERVICE_TOKEN_MAX], why[256];
	struct arena a;
	struct ctx ctx;
	struct err e;
	long ttl = 600;
	char *end;
	int ch;
	enum status st;

	if (argc < 2 || strcmp(argv[1], "issue") != 0) {
		token_usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't': slug = optarg; break;
		case 's': scope = optarg; break;
		case 'u': sub = optarg; break;
		case 'l':
			ttl = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || ttl < 1 || ttl > SERVICE_TOKEN_MAX_TTL_S) {
				fprintf(stderr, "error: --ttl must be 1 to %d seconds\n",
				    SERVICE_TOKEN_MAX_TTL_S);
				return 2;
			}
			break;
		case 'h': token_usage(stdout); return 0;
		default: token_usage(stderr); return 2;
		}
	}
	if (slug == NULL || scope == NULL) {
		token_usage(stderr);
		return 2;
	}
	if (!auth_scopes_parse(scope, &c.scopes)) {
		fprintf(stderr, "error: unknown scope in %s\n", scope);
		return 2;
	}
	if (sec_keys_load(app->cfg.app_encryption_key, app->cfg.app_encryption_key_previous,
	    app->cfg.service_token_key, &keys, why, sizeof(why)) != ST_OK) {
		fprintf(stderr, "config: %s\n", why);
		return 2;
	}
	err_clear(&e);
	operator_ctx(app, &ctx, &a, &e);
	st = auth_active_tenant_id(&ctx, slug, c.tid);
	arena_free(&a);
	if (st != ST_OK) {
		fprintf(stderr, "error: %s\n", e.message[0] ? e.message : "database error");
		return 1;
	}
	snprintf(c.sub, sizeof(c.sub), "%s", sub);
	c.iat = (long long)time(NULL);
	c.exp = c.iat + ttl;
	if (auth_service_token_sign(keys.svc, &c, token, sizeof(token), &e) != ST_OK) {
		fprintf(stderr, "error: %s\n", e.message);
		return 2;
	}
	sodium_memzero(&keys, sizeof(keys));
	printf("%s\n", token);
	return 0;
}
