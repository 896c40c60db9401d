/* test_config.c — configuration from the environment and .env files:
 * defaults, one clear message per bad variable (never echoing a secret),
 * the .env loader's syntax, and that .env.example documents every
 * variable. Runs with the repository root as working directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

/* The integer variables and their documented limits. */
static const struct {
	const char *name;
	long min, max;
} ints[] = {
	{ "CHAT_SESSION_IDLE_S", 30, 604800 },
	{ "CHAT_MEMORY_TURNS", 1, 100 },
	{ "CHAT_MESSAGE_MAX_CHARS", 10, 20000 },
	{ "CHAT_HEARTBEAT_S", 1, 300 },
	{ "AI_MAX_TOOL_CALLS", 1, 50 },
	{ "AI_MAX_CONVERSATION_TOKENS", 1000, 100000000 },
	{ "AI_OFFLINE_STREAM_DELAY_MS", 0, 10000 },
	{ "TWILIO_TIMEOUT_MS", 100, 120000 },
	{ "SMTP_TIMEOUT_MS", 100, 600000 },
	{ "MESSAGES_MAX_ATTEMPTS", 1, 100 },
	{ "MESSAGES_RETRY_FIXED_S", 0, 86400 },
	{ "PORT", 1, 65535 },
	{ "HTTP_THREADS", 0, 64 },
	{ "WORKER_THREADS", 1, 512 },
	{ "WORKER_QUEUE_MAX", 1, 1000000 },
	{ "STREAMS_MAX", 0, 100000 },
	{ "EVENTS_STREAMS_MAX", 1, 100000 },
	{ "EVENTS_STREAMS_PER_TENANT", 1, 100000 },
	{ "EVENTS_HEARTBEAT_S", 1, 300 },
	{ "DB_POOL_SIZE", 1, 1000 },
	{ "DB_ACQUIRE_TIMEOUT_MS", 10, 60000 },
	{ "DB_CONNECT_TIMEOUT_S", 1, 120 },
	{ "DB_STATEMENT_TIMEOUT_MS", 100, 3600000 },
	{ "MAX_BODY_BYTES", 1024, 67108864 },
	{ "SHUTDOWN_GRACE_S", 0, 3600 },
	{ "TENANT_CACHE_TTL_S", 0, 86400 },
	{ "JOB_CONCURRENCY", 1, 256 },
	{ "JOB_LEASE_S", 2, 86400 },
	{ "JOB_BACKOFF_BASE_S", 1, 3600 },
	{ "SESSION_IDLE_S", 1, 86400 },
	{ "SESSION_MAX_AGE_S", 1, 2592000 },
	{ "CALENDAR_BUSY_TTL_S", 0, 86400 },
	{ "CALENDAR_CONNECT_TIMEOUT_MS", 100, 60000 },
	{ "CALENDAR_TIMEOUT_MS", 100, 120000 },
	{ "CALCOM_RATE_PER_MIN", 1, 100000 },
	{ "CALENDAR_RECONCILE_S", 1, 86400 },
	{ "LLM_TIMEOUT_MS", 500, 600000 },
	{ "LLM_FIRST_BYTE_TIMEOUT_MS", 100, 600000 },
	{ "LLM_BREAKER_FAILURES", 0, 1000 },
	{ "LLM_BREAKER_COOLDOWN_S", 1, 86400 },
	{ "CHAT_RATE_IP_PER_MIN", 0, 1000000 },
	{ "CHAT_RATE_SESSION_PER_MIN", 0, 1000000 },
	{ "CHAT_NEW_PER_HOUR", 0, 1000000 },
	{ "WAITLIST_JOINS_PER_HOUR", 0, 1000000 },
	{ "CHAT_MAX_BODY_BYTES", 256, 1048576 },
};
#define NINTS (sizeof(ints) / sizeof(ints[0]))

static const char *const dotenv_vars[] = {
	"UT_PLAIN", "UT_EXPORTED", "UT_DQ", "UT_SQ", "UT_MIXED", "UT_EQ", "UT_SPACED",
	"UT_EXISTING", "UT_AFTER_BAD", "UT_EMPTY", "UT_HASH", NULL
};

static char dotenv_path[64];

static void
clear_env(void)
{
	for (const char *const *n = config_variable_names(); *n != NULL; n++)
		unsetenv(*n);
	for (const char *const *n = dotenv_vars; *n != NULL; n++)
		unsetenv(*n);
	for (size_t i = 0; i < NINTS; i++)
		unsetenv(ints[i].name);
}

static int
setup(void **state)
{
	clear_env();
	snprintf(dotenv_path, sizeof(dotenv_path), "/tmp/test_config_%ld.env", (long)getpid());
	return 0;
}

static int
teardown(void **state)
{
	clear_env();
	unlink(dotenv_path);
	return 0;
}

/* How many messages mention name (as a whole word at the start). */
static size_t
messages_naming(const struct config_errors *errs, const char *name)
{
	size_t n = 0, l = strlen(name);

	for (size_t i = 0; i < errs->n; i++)
		if (strncmp(errs->msg[i], name, l) == 0 && errs->msg[i][l] == ' ')
			n++;
	return n;
}

static bool
any_message_contains(const struct config_errors *errs, const char *s)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msg[i], s) != NULL)
			return true;
	return false;
}

/* Loads with no needs and expects exactly one error, naming name. */
static void
assert_one_error_naming(const char *name)
{
	struct config cfg;
	struct config_errors errs;
	size_t n = config_load(&cfg, 0, &errs);

	if (n != 1 || messages_naming(&errs, name) != 1)
		fail_msg("%s: expected one message naming it, got %zu (%s)", name, n,
		    n ? errs.msg[0] : "-");
	config_cleanup(&cfg);
}

static void
assert_loads(void)
{
	struct config cfg;
	struct config_errors errs;
	size_t n = config_load(&cfg, 0, &errs);

	if (n != 0)
		fail_msg("expected no errors, got %zu: %s", n, errs.msg[0]);
	config_cleanup(&cfg);
}

static void
write_file(const char *text)
{
	FILE *f = fopen(dotenv_path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* ---- config_load ----------------------------------------------------- */

static void
test_defaults_when_nothing_is_set(void **state)
{
	struct config cfg;
	struct config_errors errs;

	assert_int_equal(config_load(&cfg, 0, &errs), 0);
	assert_string_equal(cfg.host, "0.0.0.0");
	assert_int_equal(cfg.port, 8080);
	assert_string_equal(cfg.platform_domain, "localhost");
	assert_null(cfg.database_url);
	assert_null(cfg.database_owner_url);
	assert_int_equal(cfg.http_threads, 0);
	assert_int_equal(cfg.worker_threads, 16);
	assert_int_equal(cfg.worker_queue_max, 1024);
	assert_int_equal(cfg.db_pool_size, 16);
	assert_int_equal(cfg.db_connect_timeout_s, 5);
	assert_int_equal(cfg.db_statement_timeout_ms, 10000);
	assert_int_equal(cfg.max_body_bytes, 1048576);
	assert_int_equal(cfg.shutdown_grace_s, 20);
	assert_int_equal(cfg.tenant_cache_ttl_s, 300);
	assert_int_equal(cfg.job_concurrency, 4);
	assert_int_equal(cfg.job_lease_s, 60);
	assert_int_equal(cfg.job_backoff_base_s, 10);
	assert_string_equal(cfg.log_level, "info");
	assert_false(cfg.test_routes);
	config_cleanup(&cfg);
}

static void
test_values_from_the_environment_are_used(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("HOST", "127.0.0.1", 1);
	setenv("PORT", "9000", 1);
	setenv("PLATFORM_DOMAIN", "example.test", 1);
	setenv("WORKER_THREADS", "3", 1);
	assert_int_equal(config_load(&cfg, 0, &errs), 0);
	assert_string_equal(cfg.host, "127.0.0.1");
	assert_int_equal(cfg.port, 9000);
	assert_string_equal(cfg.platform_domain, "example.test");
	assert_int_equal(cfg.worker_threads, 3);
	config_cleanup(&cfg);
}

static void
test_empty_value_means_default(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("PORT", "", 1);
	assert_int_equal(config_load(&cfg, 0, &errs), 0);
	assert_int_equal(cfg.port, 8080);
	config_cleanup(&cfg);
}

static void
test_every_int_accepts_its_min_and_max(void **state)
{
	char v[32];

	for (size_t i = 0; i < NINTS; i++) {
		snprintf(v, sizeof(v), "%ld", ints[i].min);
		setenv(ints[i].name, v, 1);
		assert_loads();
		snprintf(v, sizeof(v), "%ld", ints[i].max);
		setenv(ints[i].name, v, 1);
		assert_loads();
		unsetenv(ints[i].name);
	}
}

static void
test_every_int_below_min_is_one_error_naming_it(void **state)
{
	char v[32];

	for (size_t i = 0; i < NINTS; i++) {
		snprintf(v, sizeof(v), "%ld", ints[i].min - 1);
		setenv(ints[i].name, v, 1);
		assert_one_error_naming(ints[i].name);
		unsetenv(ints[i].name);
	}
}

static void
test_every_int_above_max_is_one_error_naming_it(void **state)
{
	char v[32];

	for (size_t i = 0; i < NINTS; i++) {
		snprintf(v, sizeof(v), "%ld", ints[i].max + 1);
		setenv(ints[i].name, v, 1);
		assert_one_error_naming(ints[i].name);
		unsetenv(ints[i].name);
	}
}

static void
test_int_error_message_states_the_range(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("PORT", "70000", 1);
	assert_int_equal(config_load(&cfg, 0, &errs), 1);
	assert_non_null(strstr(errs.msg[0], "1"));
	assert_non_null(strstr(errs.msg[0], "65535"));
	assert_non_null(strstr(errs.msg[0], "70000"));
	config_cleanup(&cfg);
}

static void
test_every_int_variable_is_covered_by_this_table(void **state)
{
	/* A variable that refuses "abc" is an integer: it must be in ints[],
	 * or its limits go untested. */
	struct config cfg;
	struct config_errors errs;

	for (const char *const *n = config_variable_names(); *n != NULL; n++) {
		bool in_table = false;

		for (size_t i = 0; i < NINTS; i++)
			in_table |= strcmp(ints[i].name, *n) == 0;
		setenv(*n, "abc", 1);
		config_load(&cfg, 0, &errs);
		config_cleanup(&cfg);
		unsetenv(*n);
		if (errs.n == 1 && strstr(errs.msg[0], "integer") != NULL && !in_table)
			fail_msg("%s is an integer variable missing from ints[]", *n);
	}
}

static void
test_non_numeric_ints_are_rejected(void **state)
{
	static const char *const bad[] = {
		"abc", "80abc", "8080.0", "0x50", "1e3", "80 ", "-", "99999999999999999999",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("PORT", bad[i], 1);
		assert_one_error_naming("PORT");
	}
}

static void
test_several_bad_variables_give_one_message_each(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("PORT", "0", 1);
	setenv("DB_POOL_SIZE", "many", 1);
	setenv("LOG_LEVEL", "loud", 1);
	setenv("ENABLE_TEST_ROUTES", "maybe", 1);
	assert_int_equal(config_load(&cfg, 0, &errs), 4);
	assert_int_equal(messages_naming(&errs, "PORT"), 1);
	assert_int_equal(messages_naming(&errs, "DB_POOL_SIZE"), 1);
	assert_int_equal(messages_naming(&errs, "LOG_LEVEL"), 1);
	assert_int_equal(messages_naming(&errs, "ENABLE_TEST_ROUTES"), 1);
	config_cleanup(&cfg);
}

static void
test_all_ints_bad_at_once_are_all_reported(void **state)
{
	struct config cfg;
	struct config_errors errs;

	for (size_t i = 0; i < NINTS; i++)
		setenv(ints[i].name, "x", 1);
	assert_int_equal(config_load(&cfg, 0, &errs), NINTS);
	for (size_t i = 0; i < NINTS; i++)
		assert_int_equal(messages_naming(&errs, ints[i].name), 1);
	config_cleanup(&cfg);
}

static void
test_bool_true_spellings(void **state)
{
	static const char *const yes[] = { "1", "true", "yes" };
	struct config cfg;
	struct config_errors errs;

	for (size_t i = 0; i < 3; i++) {
		setenv("ENABLE_TEST_ROUTES", yes[i], 1);
		assert_int_equal(config_load(&cfg, 0, &errs), 0);
		assert_true(cfg.test_routes);
		config_cleanup(&cfg);
	}
}

static void
test_bool_false_spellings(void **state)
{
	static const char *const no[] = { "0", "false", "no" };
	struct config cfg;
	struct config_errors errs;

	for (size_t i = 0; i < 3; i++) {
		setenv("ENABLE_TEST_ROUTES", no[i], 1);
		assert_int_equal(config_load(&cfg, 0, &errs), 0);
		assert_false(cfg.test_routes);
		config_cleanup(&cfg);
	}
}

static void
test_bool_other_values_are_rejected(void **state)
{
	static const char *const bad[] = { "maybe", "2", "on", "truee", "t" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("ENABLE_TEST_ROUTES", bad[i], 1);
		assert_one_error_naming("ENABLE_TEST_ROUTES");
	}
}

static void
test_log_level_accepts_each_level(void **state)
{
	static const char *const levels[] = { "debug", "info", "warn", "error" };
	struct config cfg;
	struct config_errors errs;

	for (size_t i = 0; i < 4; i++) {
		setenv("LOG_LEVEL", levels[i], 1);
		assert_int_equal(config_load(&cfg, 0, &errs), 0);
		assert_string_equal(cfg.log_level, levels[i]);
		config_cleanup(&cfg);
	}
	setenv("LOG_LEVEL", "info", 1);	/* leave the process logging normally */
	assert_loads();
}

static void
test_log_level_rejects_other_values(void **state)
{
	static const char *const bad[] = { "INFO", "trace", "inf", "infos", "debug|info", "|" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("LOG_LEVEL", bad[i], 1);
		assert_one_error_naming("LOG_LEVEL");
	}
}

static void
test_database_url_required_when_needed(void **state)
{
	struct config cfg;
	struct config_errors errs;

	assert_int_equal(config_load(&cfg, CONFIG_NEED_DB, &errs), 1);
	assert_int_equal(messages_naming(&errs, "DATABASE_URL"), 1);
	config_cleanup(&cfg);
}

static void
test_empty_database_url_counts_as_missing(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("DATABASE_URL", "", 1);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_DB, &errs), 1);
	assert_int_equal(messages_naming(&errs, "DATABASE_URL"), 1);
	config_cleanup(&cfg);
}

static void
test_database_url_not_required_otherwise(void **state)
{
	struct config cfg;
	struct config_errors errs;

	assert_int_equal(config_load(&cfg, CONFIG_NEED_OWNER_DB, &errs), 1);
	assert_int_equal(messages_naming(&errs, "DATABASE_OWNER_URL"), 1);
	assert_int_equal(messages_naming(&errs, "DATABASE_URL"), 0);
	config_cleanup(&cfg);
}

static void
test_database_url_accepts_both_postgres_schemes(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("DATABASE_URL", "postgresql://app@localhost/app", 1);
	setenv("DATABASE_OWNER_URL", "postgres://owner@localhost/app", 1);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_DB | CONFIG_NEED_OWNER_DB, &errs), 0);
	assert_string_equal(cfg.database_url, "postgresql://app@localhost/app");
	assert_string_equal(cfg.database_owner_url, "postgres://owner@localhost/app");
	config_cleanup(&cfg);
}

static void
test_database_url_with_other_scheme_is_rejected(void **state)
{
	static const char *const bad[] = {
		"mysql://u@h/db", "http://h/db", "postgresql:/h", "POSTGRES://h/db", "localhost",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("DATABASE_URL", bad[i], 1);
		assert_one_error_naming("DATABASE_URL");
	}
}

/* LISTEN's connection: DATABASE_URL unless DATABASE_LISTEN_URL says
 * otherwise (behind a transaction-mode pooler it must point past it). */
static void
test_database_listen_url_defaults_to_database_url(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("DATABASE_URL", "postgresql://app@pooler:6432/app", 1);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_DB, &errs), 0);
	assert_string_equal(cfg.database_listen_url, "postgresql://app@pooler:6432/app");
	config_cleanup(&cfg);

	setenv("DATABASE_LISTEN_URL", "postgresql://app@db:5432/app", 1);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_DB, &errs), 0);
	assert_string_equal(cfg.database_url, "postgresql://app@pooler:6432/app");
	assert_string_equal(cfg.database_listen_url, "postgresql://app@db:5432/app");
	config_cleanup(&cfg);

	setenv("DATABASE_LISTEN_URL", "", 1);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_DB, &errs), 0);
	assert_string_equal(cfg.database_listen_url, "postgresql://app@pooler:6432/app");
	config_cleanup(&cfg);
}

static void
test_database_listen_url_is_checked_and_never_echoed(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("DATABASE_LISTEN_URL", "mysql://app:hunter2@db/app", 1);
	assert_int_equal(config_load(&cfg, 0, &errs), 1);
	assert_non_null(strstr(errs.msg[0], "DATABASE_LISTEN_URL"));
	assert_null(strstr(errs.msg[0], "hunter2"));
	config_cleanup(&cfg);
}

/* Provider base URLs: http(s) only, no query or whitespace (adapters
 * append paths), defaults pointing at the real providers. */
static void
test_provider_base_urls(void **state)
{
	static const char *const bad[] = {
		"ftp://api.cal.com", "api.cal.com", "https://", "https:///x", "https://a b",
		"https://api.cal.com?x=1", "https://api.cal.com#f", "javascript:alert(1)",
	};
	struct config cfg;
	struct config_errors errs;

	assert_int_equal(config_load(&cfg, 0, &errs), 0);
	assert_string_equal(cfg.calcom_base_url, "https://api.cal.com");
	assert_string_equal(cfg.google_token_url, "https://oauth2.googleapis.com/token");
	assert_string_equal(cfg.google_calendar_base_url, "https://www.googleapis.com/calendar/v3");
	assert_string_equal(cfg.google_oauth_base_url, "https://accounts.google.com");
	assert_null(cfg.google_client_id);
	assert_int_equal(cfg.calendar_busy_ttl_s, 300);
	assert_int_equal(cfg.calcom_rate_per_min, 120);
	config_cleanup(&cfg);
	setenv("CALCOM_BASE_URL", "http://127.0.0.1:9999", 1);
	assert_int_equal(config_load(&cfg, 0, &errs), 0);
	assert_string_equal(cfg.calcom_base_url, "http://127.0.0.1:9999");
	config_cleanup(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("CALCOM_BASE_URL", bad[i], 1);
		assert_one_error_naming("CALCOM_BASE_URL");
	}
	unsetenv("CALCOM_BASE_URL");
}

static void
test_secret_urls_never_appear_in_messages(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("DATABASE_URL", "mysql://app:hunter2@db.internal/app", 1);
	setenv("DATABASE_OWNER_URL", "mssql://owner:sw0rdfish@db.internal/app", 1);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_DB | CONFIG_NEED_OWNER_DB, &errs), 2);
	assert_int_equal(messages_naming(&errs, "DATABASE_URL"), 1);
	assert_int_equal(messages_naming(&errs, "DATABASE_OWNER_URL"), 1);
	assert_false(any_message_contains(&errs, "hunter2"));
	assert_false(any_message_contains(&errs, "sw0rdfish"));
	assert_false(any_message_contains(&errs, "db.internal"));
	config_cleanup(&cfg);
}

static void
test_non_secret_values_are_echoed_for_diagnosis(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("WORKER_THREADS", "lots", 1);
	assert_int_equal(config_load(&cfg, 0, &errs), 1);
	assert_true(any_message_contains(&errs, "lots"));
	config_cleanup(&cfg);
}

static void
test_variable_names_are_unique_and_upper_case(void **state)
{
	const char *const *names = config_variable_names();

	assert_non_null(names[0]);
	for (size_t i = 0; names[i] != NULL; i++) {
		for (const char *c = names[i]; *c; c++)
			assert_true((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_');
		for (size_t j = i + 1; names[j] != NULL; j++)
			assert_string_not_equal(names[i], names[j]);
	}
}

/* ---- config_load_dotenv --------------------------------------------- */

static void
test_dotenv_missing_file_is_fine(void **state)
{
	struct config_errors errs = { .n = 0 };

	assert_int_equal(config_load_dotenv("/tmp/does-not-exist-test_config.env", &errs), 0);
	assert_int_equal(errs.n, 0);
}

static void
test_dotenv_sets_plain_values(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("UT_PLAIN=hello\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_string_equal(getenv("UT_PLAIN"), "hello");
}

static void
test_dotenv_skips_comments_and_blank_lines(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("# a comment\n\n   \n  # UT_HASH=commented\nUT_PLAIN=1\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_null(getenv("UT_HASH"));
	assert_string_equal(getenv("UT_PLAIN"), "1");
}

static void
test_dotenv_accepts_export_prefix(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("export UT_EXPORTED=yes\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_string_equal(getenv("UT_EXPORTED"), "yes");
}

static void
test_dotenv_strips_matching_quotes(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("UT_DQ=\"two words\"\nUT_SQ='single # not a comment'\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_string_equal(getenv("UT_DQ"), "two words");
	assert_string_equal(getenv("UT_SQ"), "single # not a comment");
}

static void
test_dotenv_keeps_mismatched_quotes(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("UT_MIXED=\"half'\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_string_equal(getenv("UT_MIXED"), "\"half'");
}

static void
test_dotenv_value_may_contain_equals(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("UT_EQ=postgresql://u@h/db?sslmode=require\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_string_equal(getenv("UT_EQ"), "postgresql://u@h/db?sslmode=require");
}

static void
test_dotenv_trims_spaces_around_key_and_value(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("  UT_SPACED  =  padded  \r\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_string_equal(getenv("UT_SPACED"), "padded");
}

static void
test_dotenv_empty_value_sets_empty_string(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("UT_EMPTY=\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_non_null(getenv("UT_EMPTY"));
	assert_string_equal(getenv("UT_EMPTY"), "");
}

static void
test_dotenv_does_not_override_the_environment(void **state)
{
	struct config_errors errs = { .n = 0 };

	setenv("UT_EXISTING", "from-env", 1);
	write_file("UT_EXISTING=from-file\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_string_equal(getenv("UT_EXISTING"), "from-env");
}

static void
test_dotenv_malformed_line_is_reported_with_its_number(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("# header\nUT_PLAIN=1\nthis line has no equals\nUT_AFTER_BAD=2\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], dotenv_path));
	assert_non_null(strstr(errs.msg[0], ":3:"));
	/* Good lines around it are still loaded. */
	assert_string_equal(getenv("UT_PLAIN"), "1");
	assert_string_equal(getenv("UT_AFTER_BAD"), "2");
}

static void
test_dotenv_malformed_line_is_not_echoed(void **state)
{
	struct config_errors errs = { .n = 0 };

	/* Someone forgot the name: the message must not leak the secret. */
	write_file("postgresql://app:hunter2@db/app\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), -1);
	assert_false(any_message_contains(&errs, "hunter2"));
}

static void
test_dotenv_empty_name_is_reported(void **state)
{
	struct config_errors errs = { .n = 0 };

	write_file("UT_PLAIN=ok\n=value\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], ":2:"));
}

static void
test_dotenv_values_feed_config_load(void **state)
{
	struct config cfg;
	struct config_errors errs = { .n = 0 };

	write_file("PORT=9123\nLOG_LEVEL=\"warn\"\n");
	assert_int_equal(config_load_dotenv(dotenv_path, &errs), 0);
	assert_int_equal(config_load(&cfg, 0, &errs), 0);
	assert_int_equal(cfg.port, 9123);
	assert_string_equal(cfg.log_level, "warn");
	config_cleanup(&cfg);
	setenv("LOG_LEVEL", "info", 1);
	assert_loads();
}

/* ---- .env.example ---------------------------------------------------- */

/* True when a line of text assigns name: "NAME=", "export NAME=" or a
 * commented-out "# NAME=". */
static bool
documents(const char *text, const char *name)
{
	size_t l = strlen(name);

	for (const char *line = text; line != NULL && *line; ) {
		const char *p = line;
		const char *nl = strchr(line, '\n');

		while (*p == ' ' || *p == '\t' || *p == '#')
			p++;
		if (strncmp(p, "export ", 7) == 0)
			p += 7;
		if (strncmp(p, name, l) == 0 && p[l] == '=')
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

static void
test_env_example_documents_every_variable(void **state)
{
	FILE *f = fopen(".env.example", "r");
	char text[65536];
	size_t n;

	if (f == NULL)
		fail_msg(".env.example not found in the working directory (repo root)");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	for (const char *const *name = config_variable_names(); *name != NULL; name++)
		if (!documents(text, *name))
			fail_msg(".env.example does not document %s", *name);
}

/* ---- TRUSTED_PROXIES -------------------------------------------------- */

static void
test_trusted_proxies_default_to_none(void **state)
{
	struct config cfg;
	struct config_errors errs;

	assert_int_equal(config_load(&cfg, 0, &errs), 0);
	assert_int_equal(cfg.ntrusted, 0);
	config_cleanup(&cfg);
}

static void
test_trusted_proxies_parse_ipv4_and_ipv6(void **state)
{
	struct config cfg;
	struct config_errors errs;

	setenv("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1 ,fd00::/8,::1", 1);
	assert_int_equal(config_load(&cfg, 0, &errs), 0);
	assert_int_equal(cfg.ntrusted, 4);
	assert_true(cidr_list_contains(cfg.trusted, cfg.ntrusted, "10.1.2.3"));
	assert_true(cidr_list_contains(cfg.trusted, cfg.ntrusted, "127.0.0.1"));
	assert_true(cidr_list_contains(cfg.trusted, cfg.ntrusted, "::ffff:127.0.0.1"));
	assert_true(cidr_list_contains(cfg.trusted, cfg.ntrusted, "fd12:3456::1"));
	assert_true(cidr_list_contains(cfg.trusted, cfg.ntrusted, "::1"));
	assert_false(cidr_list_contains(cfg.trusted, cfg.ntrusted, "127.0.0.2"));
	assert_false(cidr_list_contains(cfg.trusted, cfg.ntrusted, "11.0.0.1"));
	assert_false(cidr_list_contains(cfg.trusted, cfg.ntrusted, "fe80::1"));
	assert_false(cidr_list_contains(cfg.trusted, cfg.ntrusted, "not-an-ip"));
	config_cleanup(&cfg);
}

static void
test_cidr_prefix_edges(void **state)
{
	struct cidr c;

	assert_true(cidr_parse("192.168.4.0/22", &c));
	assert_true(cidr_list_contains(&c, 1, "192.168.7.255"));
	assert_false(cidr_list_contains(&c, 1, "192.168.8.0"));
	assert_true(cidr_parse("0.0.0.0/0", &c));
	assert_true(cidr_list_contains(&c, 1, "8.8.8.8"));
	assert_false(cidr_list_contains(&c, 1, "::1"));
	assert_true(cidr_parse("2001:db8::/127", &c));
	assert_true(cidr_list_contains(&c, 1, "2001:db8::1"));
	assert_false(cidr_list_contains(&c, 1, "2001:db8::2"));
}

static void
test_bad_trusted_proxies_fail_with_a_clear_message(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "10.0.0/8", "example.com", "10.0.0.0/", "10.0.0.0/-1",
		"::1/129", "10.0.0.0/8;11.0.0.0/8", "10.0.0.0/8x",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config cfg;
		struct config_errors errs;

		setenv("TRUSTED_PROXIES", bad[i], 1);
		if (config_load(&cfg, 0, &errs) != 1 || strstr(errs.msg[0], "TRUSTED_PROXIES") == NULL ||
		    strstr(errs.msg[0], "CIDR") == NULL)
			fail_msg("%s: %s", bad[i], errs.n ? errs.msg[0] : "accepted");
		config_cleanup(&cfg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_trusted_proxies_default_to_none),
		T(test_trusted_proxies_parse_ipv4_and_ipv6),
		T(test_cidr_prefix_edges),
		T(test_bad_trusted_proxies_fail_with_a_clear_message),
		T(test_defaults_when_nothing_is_set),
		T(test_values_from_the_environment_are_used),
		T(test_empty_value_means_default),
		T(test_every_int_accepts_its_min_and_max),
		T(test_every_int_below_min_is_one_error_naming_it),
		T(test_every_int_above_max_is_one_error_naming_it),
		T(test_int_error_message_states_the_range),
		T(test_every_int_variable_is_covered_by_this_table),
		T(test_non_numeric_ints_are_rejected),
		T(test_several_bad_variables_give_one_message_each),
		T(test_all_ints_bad_at_once_are_all_reported),
		T(test_bool_true_spellings),
		T(test_bool_false_spellings),
		T(test_bool_other_values_are_rejected),
		T(test_log_level_accepts_each_level),
		T(test_log_level_rejects_other_values),
		T(test_database_url_required_when_needed),
		T(test_empty_database_url_counts_as_missing),
		T(test_database_url_not_required_otherwise),
		T(test_database_url_accepts_both_postgres_schemes),
		T(test_database_url_with_other_scheme_is_rejected),
		T(test_database_listen_url_defaults_to_database_url),
		T(test_database_listen_url_is_checked_and_never_echoed),
		T(test_provider_base_urls),
		T(test_secret_urls_never_appear_in_messages),
		T(test_non_secret_values_are_echoed_for_diagnosis),
		T(test_variable_names_are_unique_and_upper_case),
		T(test_dotenv_missing_file_is_fine),
		T(test_dotenv_sets_plain_values),
		T(test_dotenv_skips_comments_and_blank_lines),
		T(test_dotenv_accepts_export_prefix),
		T(test_dotenv_strips_matching_quotes),
		T(test_dotenv_keeps_mismatched_quotes),
		T(test_dotenv_value_may_contain_equals),
		T(test_dotenv_trims_spaces_around_key_and_value),
		T(test_dotenv_empty_value_sets_empty_string),
		T(test_dotenv_does_not_override_the_environment),
		T(test_dotenv_malformed_line_is_reported_with_its_number),
		T(test_dotenv_malformed_line_is_not_echoed),
		T(test_dotenv_empty_name_is_reported),
		T(test_dotenv_values_feed_config_load),
		T(test_env_example_documents_every_variable),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
