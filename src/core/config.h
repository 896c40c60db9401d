/* config.h — process configuration, read once at start from the
 * environment (and an optional .env file that never overrides it). Every
 * variable is described in one table in config.c, which is also what
 * `.env.example` documents. */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
	char *host;
	int port;
	char *platform_domain;
	char *database_url;
	char *database_owner_url;
	int http_threads;
	int worker_threads;
	int worker_queue_max;
	int db_pool_size;
	int db_connect_timeout_s;
	int db_statement_timeout_ms;
	int max_body_bytes;
	int shutdown_grace_s;
	int tenant_cache_ttl_s;
	int job_concurrency;
	int job_lease_s;
	int job_backoff_base_s;
	char *log_level;
	bool test_routes;
};

/* What a subcommand needs beyond the defaults. */
enum config_need {
	CONFIG_NEED_DB = 1 << 0,	/* DATABASE_URL */
	CONFIG_NEED_OWNER_DB = 1 << 1,	/* DATABASE_OWNER_URL */
};

#define CONFIG_ERRORS_MAX 32

struct config_errors {
	char msg[CONFIG_ERRORS_MAX][256];
	size_t n;
};

/* Loads KEY=VALUE lines from path into the environment without replacing
 * variables already set. A missing file is not an error. Returns -1 and
 * fills errs on a malformed line. */
int config_load_dotenv(const char *path, struct config_errors *errs);

/* Fills cfg from getenv; returns the number of errors (one message per bad
 * variable). Values of secret variables never appear in messages. */
size_t config_load(struct config *cfg, unsigned needs, struct config_errors *errs);
void config_cleanup(struct config *cfg);

/* The names of every variable, for documentation checks. NULL-terminated. */
const char *const *config_variable_names(void);

#endif
