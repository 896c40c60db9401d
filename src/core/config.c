/* config.c — the table of every configuration variable, its type, default
 * and limits, and the loader that validates them all before anything
 * starts. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

enum vtype { V_STR, V_INT, V_BOOL, V_URL, V_ENUM };

struct var {
	const char *name;
	enum vtype type;
	size_t offset;
	const char *def;	/* NULL: unset unless required */
	long min, max;		/* V_INT */
	const char *choices;	/* V_ENUM, '|'-separated */
	unsigned required_by;	/* enum config_need bits */
	bool secret;		/* never echo the value */
};

#define F(field) offsetof(struct config, field)

static const struct var vars[] = {
	{ "HOST", V_STR, F(host), "0.0.0.0", 0, 0, NULL, 0, false },
	{ "PORT", V_INT, F(port), "8080", 1, 65535, NULL, 0, false },
	{ "PLATFORM_DOMAIN", V_STR, F(platform_domain), "localhost", 0, 0, NULL, 0, false },
	{ "DATABASE_URL", V_URL, F(database_url), NULL, 0, 0, NULL, CONFIG_NEED_DB, true },
	{ "DATABASE_OWNER_URL", V_URL, F(database_owner_url), NULL, 0, 0, NULL,
	    CONFIG_NEED_OWNER_DB, true },
	{ "HTTP_THREADS", V_INT, F(http_threads), "0", 0, 64, NULL, 0, false },
	{ "WORKER_THREADS", V_INT, F(worker_threads), "16", 1, 512, NULL, 0, false },
	{ "WORKER_QUEUE_MAX", V_INT, F(worker_queue_max), "1024", 1, 1000000, NULL, 0, false },
	{ "DB_POOL_SIZE", V_INT, F(db_pool_size), "16", 1, 1000, NULL, 0, false },
	{ "DB_CONNECT_TIMEOUT_S", V_INT, F(db_connect_timeout_s), "5", 1, 120, NULL, 0, false },
	{ "DB_STATEMENT_TIMEOUT_MS", V_INT, F(db_statement_timeout_ms), "10000", 100,
	    3600000, NULL, 0, false },
	{ "MAX_BODY_BYTES", V_INT, F(max_body_bytes), "1048576", 1024, 67108864, NULL, 0, false },
	{ "SHUTDOWN_GRACE_S", V_INT, F(shutdown_grace_s), "20", 0, 3600, NULL, 0, false },
	{ "TENANT_CACHE_TTL_S", V_INT, F(tenant_cache_ttl_s), "300", 0, 86400, NULL, 0, false },
	{ "JOB_CONCURRENCY", V_INT, F(job_concurrency), "4", 1, 256, NULL, 0, false },
	{ "JOB_LEASE_S", V_INT, F(job_lease_s), "60", 2, 86400, NULL, 0, false },
	{ "JOB_BACKOFF_BASE_S", V_INT, F(job_backoff_base_s), "10", 1, 3600, NULL, 0, false },
	{ "LOG_LEVEL", V_ENUM, F(log_level), "info", 0, 0, "debug|info|warn|error", 0, false },
	{ "ENABLE_TEST_ROUTES", V_BOOL, F(test_routes), "false", 0, 0, NULL, 0, false },
};

static const char *const names[] = {
	"HOST", "PORT", "PLATFORM_DOMAIN", "DATABASE_URL", "DATABASE_OWNER_URL",
	"HTTP_THREADS", "WORKER_THREADS", "WORKER_QUEUE_MAX",
	"DB_POOL_SIZE", "DB_CONNECT_TIMEOUT_S", "DB_STATEMENT_TIMEOUT_MS",
	"MAX_BODY_BYTES", "SHUTDOWN_GRACE_S", "TENANT_CACHE_TTL_S",
	"JOB_CONCURRENCY", "JOB_LEASE_S", "JOB_BACKOFF_BASE_S", "LOG_LEVEL", "ENABLE_TEST_ROUTES", NULL
};

_Static_assert(sizeof(names) / sizeof(names[0]) == sizeof(vars) / sizeof(vars[0]) + 1,
    "names[] must list every variable in vars[]");

const char *const *
config_variable_names(void)
{
	return names;
}

static void
add_error(struct config_errors *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_error(struct config_errors *errs, const char *fmt, ...)
{
	va_list ap;

	if (errs->n >= CONFIG_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(errs->msg[errs->n++], sizeof(errs->msg[0]), fmt, ap);
	va_end(ap);
}

static bool
enum_has(const char *choices, const char *v)
{
	size_t vl = strlen(v);
	const char *p = choices;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == vl && strncmp(p, v, n) == 0)
			return true;
		p += n + (bar != NULL);
	}
	return false;
}

static bool
url_ok(const char *v)
{
	return strncmp(v, "postgresql://", 13) == 0 || strncmp(v, "postgres://", 11) == 0;
}

static void
load_var(struct config *cfg, const struct var *v, unsigned needs,
    struct config_errors *errs)
{
	const char *raw = getenv(v->name);
	char *field = (char *)cfg + v->offset;
	const char *shown;

	if (raw != NULL && raw[0] == '\0')
		raw = NULL;
	if (raw == NULL && (v->required_by & needs)) {
		add_error(errs, "%s is required", v->name);
		return;
	}
	if (raw == NULL)
		raw = v->def;
	shown = v->secret ? "(hidden)" : raw;

	switch (v->type) {
	case V_STR:
	case V_URL:
	case V_ENUM:
		if (raw == NULL) {
			*(char **)field = NULL;
			return;
		}
		if (v->type == V_URL && !url_ok(raw)) {
			add_error(errs, "%s must be a postgresql:// URL (got %s)", v->name, shown);
			return;
		}
		if (v->type == V_ENUM && !enum_has(v->choices, raw)) {
			add_error(errs, "%s must be one of %s (got \"%s\")", v->name,
			    v->choices, shown);
			return;
		}
		*(char **)field = strdup(raw);
		return;
	case V_INT: {
		char *end;
		long n;

		errno = 0;
		n = strtol(raw, &end, 10);
		if (errno != 0 || end == raw || *end != '\0' || n < v->min || n > v->max) {
			add_error(errs, "%s must be an integer from %ld to %ld (got \"%s\")",
			    v->name, v->min, v->max, shown);
			return;
		}
		*(int *)field = (int)n;
		return;
	}
	case V_BOOL:
		if (strcmp(raw, "1") == 0 || strcmp(raw, "true") == 0 || strcmp(raw, "yes") == 0)
			*(bool *)field = true;
		else if (strcmp(raw, "0") == 0 || strcmp(raw, "false") == 0 || strcmp(raw, "no") == 0)
			*(bool *)field = false;
		else
			add_error(errs, "%s must be true or false (got \"%s\")", v->name, shown);
		return;
	}
}

size_t
config_load(struct config *cfg, unsigned needs, struct config_errors *errs)
{
	enum log_level lvl;

	memset(cfg, 0, sizeof(*cfg));
	errs->n = 0;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		load_var(cfg, &vars[i], needs, errs);
	if (cfg->log_level != NULL && log_parse_level(cfg->log_level, &lvl))
		log_set_level(lvl);
	return errs->n;
}

void
config_cleanup(struct config *cfg)
{
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (vars[i].type == V_STR || vars[i].type == V_URL || vars[i].type == V_ENUM) {
			char **p = (char **)((char *)cfg + vars[i].offset);

			free(*p);
			*p = NULL;
		}
	}
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
config_load_dotenv(const char *path, struct config_errors *errs)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0, rc = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq, *key, *val;
		size_t vl;

		lineno++;
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "export ", 7) == 0)
			s = trim(s + 7);
		if ((eq = strchr(s, '=')) == NULL) {
			add_error(errs, "%s:%d: expected KEY=VALUE", path, lineno);
			rc = -1;
			continue;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		vl = strlen(val);
		if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
			val[vl - 1] = '\0';
			val++;
		}
		if (*key == '\0') {
			add_error(errs, "%s:%d: empty variable name", path, lineno);
			rc = -1;
			continue;
		}
		/* The real environment wins: deployments override files. */
		setenv(key, val, 0);
	}
	fclose(f);
	return rc;
}
