/* main.c — the `receptionist` binary: one subcommand per process role.
 * Exit codes: 0 success, 1 failure, 2 usage or configuration error. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "db/migrate.h"
#include "http/metrics.h"
#include "http/server.h"
#include "modules/auth/auth.h"
#include "modules/registry.h"
#include "modules/seed_demo.h"
#include "modules/tenants/tenants.h"
#include "providers/webpush.h"

static const struct command {
	const char *name;
	unsigned needs;
	const char *summary;
} commands[] = {
	{ "serve", CONFIG_NEED_DB, "run the HTTP API (port $PORT)" },
	{ "worker", CONFIG_NEED_DB, "run background jobs" },
	{ "migrate", CONFIG_NEED_OWNER_DB, "apply database migrations" },
	{ "seed-demo", CONFIG_NEED_OWNER_DB | CONFIG_NEED_DB, "create the demo salon and its accounts once" },
	{ "tenant", CONFIG_NEED_OWNER_DB, "create, list, suspend or restore tenants" },
	{ "user", CONFIG_NEED_OWNER_DB, "create user accounts" },
	{ "token", CONFIG_NEED_OWNER_DB, "issue a short-lived service token for a tenant" },
	{ "routes", 0, "print the routes `serve` mounts" },
	{ "vapid-keys", 0, "print a fresh VAPID key pair for Web Push" },
};

static void
usage(FILE *f)
{
	fputs("usage: receptionist COMMAND [ARGS]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nConfiguration comes from the environment and an optional .env file\n"
	    "(ENV_FILE names another); see .env.example. `receptionist COMMAND --help`\n"
	    "describes each command.\n", f);
}

static const char *
command_help(const char *name)
{
	if (strcmp(name, "serve") == 0)
		return "usage: receptionist serve\n\nServes the HTTP API on $HOST:$PORT until"
		    " SIGTERM or SIGINT,\nthen drains in-flight requests and exits 0.\n";
	if (strcmp(name, "worker") == 0)
		return "usage: receptionist worker\n\nRuns background jobs until SIGTERM or SIGINT;"
		    " running jobs finish first.\n";
	if (strcmp(name, "migrate") == 0)
		return "usage: receptionist migrate\n\nApplies the migrations built into this"
		    " binary, as DATABASE_OWNER_URL.\nFails if an applied migration was edited.\n";
	if (strcmp(name, "vapid-keys") == 0)
		return "usage: receptionist vapid-keys\n\nPrints a fresh P-256 key pair as"
		    " VAPID_PUBLIC_KEY=… and VAPID_PRIVATE_KEY=…\nlines (base64url, as browsers"
		    " use them) for .env. Needs no configuration.\n";
	if (strcmp(name, "routes") == 0)
		return "usage: receptionist routes\n\nPrints the routes `serve` mounts, one a line:"
		    " the methods it answers\n(\"GET, HEAD, POST\"), a tab, the pattern. Test-only"
		    " routes are left out.\nNeeds no database.\n";
	return NULL;
}

static int
run_serve(struct app *app)
{
	enum status st;

	registry_mount(app);
	app->metrics = metrics_new(&app->router);
	tenants_cache_start(app);
	st = http_serve(app);
	if (st == ST_TIMEOUT)
		/* Handlers may still be running: leave without tearing down what
		 * they use. The shutdown itself was asked for, so it succeeded. */
		_exit(0);
	tenants_cache_stop();
	metrics_free(app->metrics);
	return st == ST_OK ? 0 : 1;
}

/* The route table exactly as `serve` builds it (same registry mount, web
 * and auth hooks included), minus the test-only routes. auth_mount loads the
 * secret keys: a throw-away key stands in when none is configured, since
 * listing routes seals nothing. */
static int
run_routes(struct app *app)
{
	unsigned char key[32];
	char b64[sodium_base64_ENCODED_LEN(sizeof(key), sodium_base64_VARIANT_ORIGINAL)];
	char allow[64];

	app->cfg.test_routes = false;
	if (app->cfg.app_encryption_key == NULL || app->cfg.app_encryption_key[0] == '\0') {
		randombytes_buf(key, sizeof(key));
		sodium_bin2base64(b64, sizeof(b64), key, sizeof(key),
		    sodium_base64_VARIANT_ORIGINAL);
		free(app->cfg.app_encryption_key);
		if ((app->cfg.app_encryption_key = strdup(b64)) == NULL)
			abort();
	}
	registry_mount(app);
	for (size_t i = 0; i < app->router.n; i++) {
		router_allow_string(app->router.routes[i].methods, allow, sizeof(allow));
		printf("%s\t%s\n", allow, app->router.routes[i].pattern);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
run_worker(struct app *app)
{
	struct job_handler handlers[64];
	const struct periodic_job *periodic;
	size_t n = registry_job_handlers(app, handlers, 64), np;

	periodic = registry_periodic_jobs(&np);
	return jobs_worker_run(app->db, &app->cfg, handlers, n, periodic, np) == ST_OK ? 0 : 1;
}

/* Prints a pair for .env; the private key goes to stdout only. */
static int
run_vapid_keys(void)
{
	char pub[WEBPUSH_PUBKEY_B64 + 1], priv[WEBPUSH_PRIVKEY_B64 + 1];

	if (webpush_vapid_generate(pub, priv) != ST_OK) {
		fputs("vapid-keys: could not generate a key pair\n", stderr);
		return 1;
	}
	printf("VAPID_PUBLIC_KEY=%s\nVAPID_PRIVATE_KEY=%s\n", pub, priv);
	sodium_memzero(priv, sizeof(priv));
	return 0;
}

int
main(int argc, char **argv)
{
	static struct app app;
	const struct command *cmd = NULL;
	struct config_errors errs = { .n = 0 };
	const char *envfile;
	struct err e;
	int rc = 1;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "receptionist: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (argc == 3 && strcmp(argv[2], "--help") == 0 && command_help(cmd->name)) {
		fputs(command_help(cmd->name), stdout);
		return 0;
	}
	if ((strcmp(cmd->name, "serve") == 0 || strcmp(cmd->name, "worker") == 0 ||
	    strcmp(cmd->name, "migrate") == 0 || strcmp(cmd->name, "routes") == 0 ||
	    strcmp(cmd->name, "vapid-keys") == 0) && argc > 2) {
		fputs(command_help(cmd->name), stderr);
		return 2;
	}
	/* Subcommands that print their own usage do so before needing config. */
	if (argc >= 3 && strcmp(argv[argc - 1], "--help") == 0) {
		if (strcmp(cmd->name, "tenant") == 0)
			return tenants_cli(NULL, 2, (char *[]){ argv[1], "--help", NULL });
		if (strcmp(cmd->name, "user") == 0)
			return auth_cli(NULL, 2, (char *[]){ argv[1], "--help", NULL });
		if (strcmp(cmd->name, "token") == 0)
			return auth_token_cli(NULL, 2, (char *[]){ argv[1], "--help", NULL });
	}
	if (sodium_init() < 0) {
		fputs("receptionist: libsodium failed to initialise\n", stderr);
		return 1;
	}

	if (strcmp(cmd->name, "vapid-keys") == 0)
		return run_vapid_keys();

	envfile = getenv("ENV_FILE") ? getenv("ENV_FILE") : ".env";
	config_load_dotenv(envfile, &errs);
	if (errs.n == 0)
		config_load(&app.cfg, cmd->needs, &errs);
	if (errs.n > 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "config: %s\n", errs.msg[i]);
		fputs("receptionist: fix the configuration above (see .env.example)\n", stderr);
		return 2;
	}
	router_init(&app.router);

	if (strcmp(cmd->name, "routes") == 0) {
		rc = run_routes(&app);
		goto out;
	}
	if (strcmp(cmd->name, "migrate") == 0) {
		err_clear(&e);
		if (db_migrate(app.cfg.database_owner_url, &e) != ST_OK) {
			fprintf(stderr, "migrate: %s\n", e.message);
			rc = 1;
		} else {
			rc = 0;
		}
		goto out;
	}
	if (cmd->needs & CONFIG_NEED_OWNER_DB)
		app.db = db_pool_new(app.cfg.database_owner_url, 2, app.cfg.db_acquire_timeout_ms,
		    app.cfg.db_connect_timeout_s, app.cfg.db_statement_timeout_ms);
	else
		app.db = db_pool_new(app.cfg.database_url, (size_t)app.cfg.db_pool_size,
		    app.cfg.db_acquire_timeout_ms, app.cfg.db_connect_timeout_s,
		    app.cfg.db_statement_timeout_ms);
	db_pool_set_prepare(app.db, app.cfg.db_prepared_statements);

	if (strcmp(cmd->name, "serve") == 0)
		rc = run_serve(&app);
	else if (strcmp(cmd->name, "worker") == 0)
		rc = run_worker(&app);
	else if (strcmp(cmd->name, "seed-demo") == 0)
		rc = seed_demo_cli(&app, argc - 1, argv + 1);
	else if (strcmp(cmd->name, "tenant") == 0)
		rc = tenants_cli(&app, argc - 1, argv + 1);
	else if (strcmp(cmd->name, "user") == 0)
		rc = auth_cli(&app, argc - 1, argv + 1);
	else if (strcmp(cmd->name, "token") == 0)
		rc = auth_token_cli(&app, argc - 1, argv + 1);
	db_pool_free(app.db);
out:
	config_cleanup(&app.cfg);
	return rc;
}
