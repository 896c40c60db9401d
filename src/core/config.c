/* config.c — the table of every configuration variable, its type, default
 * and limits, and the loader that validates them all before anything
 * starts. */
#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

enum vtype { V_STR, V_INT, V_BOOL, V_URL, V_ENUM, V_HTTP };

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
	/* LISTEN needs a session of its own: behind a transaction-mode pooler
	 * this points at PostgreSQL directly. Unset: DATABASE_URL. */
	{ "DATABASE_LISTEN_URL", V_URL, F(database_listen_url), NULL, 0, 0, NULL, 0, true },
	{ "HTTP_THREADS", V_INT, F(http_threads), "0", 0, 64, NULL, 0, false },
	{ "WORKER_THREADS", V_INT, F(worker_threads), "16", 1, 512, NULL, 0, false },
	{ "WORKER_QUEUE_MAX", V_INT, F(worker_queue_max), "1024", 1, 1000000, NULL, 0, false },
	{ "STREAMS_MAX", V_INT, F(streams_max), "1000", 0, 100000, NULL, 0, false },
	{ "EVENTS_STREAMS_MAX", V_INT, F(events_streams_max), "500", 1, 100000, NULL, 0, false },
	{ "EVENTS_STREAMS_PER_TENANT", V_INT, F(events_streams_per_tenant), "50", 1, 100000, NULL, 0,
	    false },
	{ "EVENTS_HEARTBEAT_S", V_INT, F(events_heartbeat_s), "25", 1, 300, NULL, 0, false },
	{ "DB_POOL_SIZE", V_INT, F(db_pool_size), "16", 1, 1000, NULL, 0, false },
	{ "DB_ACQUIRE_TIMEOUT_MS", V_INT, F(db_acquire_timeout_ms), "5000", 10, 60000, NULL, 0,
	    false },
	{ "DB_PREPARED_STATEMENTS", V_BOOL, F(db_prepared_statements), "true", 0, 0, NULL, 0,
	    false },
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
	{ "COOKIE_SECURE", V_BOOL, F(cookie_secure), "false", 0, 0, NULL, 0, false },
	{ "SESSION_IDLE_S", V_INT, F(session_idle_s), "1800", 1, 86400, NULL, 0, false },
	{ "SESSION_MAX_AGE_S", V_INT, F(session_max_age_s), "43200", 1, 2592000, NULL, 0, false },
	/* Required by `serve` and `token`, and checked where they start
	 * (auth_mount, auth_token_cli) as base64 of 32 bytes, so commands that
	 * never touch secrets run without them. */
	{ "APP_ENCRYPTION_KEY", V_STR, F(app_encryption_key), NULL, 0, 0, NULL, 0, true },
	{ "APP_ENCRYPTION_KEY_PREVIOUS", V_STR, F(app_encryption_key_previous), NULL, 0, 0,
	    NULL, 0, true },
	{ "SERVICE_TOKEN_KEY", V_STR, F(service_token_key), NULL, 0, 0, NULL, 0, true },
	{ "PUBLIC_BASE_URL", V_STR, F(public_base_url), "http://localhost:8080", 0, 0, NULL, 0,
	    false },
	{ "REDIS_URL", V_STR, F(redis_url), NULL, 0, 0, NULL, 0, false },
	/* Comma list of CIDRs whose X-Forwarded-For is believed; empty: the
	 * TCP peer is the client, whatever the header says. */
	{ "TRUSTED_PROXIES", V_STR, F(trusted_proxies), NULL, 0, 0, NULL, 0, false },
	/* Calendar sync. Without GOOGLE_CLIENT_ID the Google connection is
	 * simply not offered; the internal calendar needs nothing. */
	{ "GOOGLE_CLIENT_ID", V_STR, F(google_client_id), NULL, 0, 0, NULL, 0, false },
	{ "GOOGLE_CLIENT_SECRET", V_STR, F(google_client_secret), NULL, 0, 0, NULL, 0, true },
	{ "GOOGLE_OAUTH_BASE_URL", V_HTTP, F(google_oauth_base_url), "https://accounts.google.com",
	    0, 0, NULL, 0, false },
	{ "GOOGLE_TOKEN_URL", V_HTTP, F(google_token_url), "https://oauth2.googleapis.com/token",
	    0, 0, NULL, 0, false },
	{ "GOOGLE_CALENDAR_BASE_URL", V_HTTP, F(google_calendar_base_url),
	    "https://www.googleapis.com/calendar/v3", 0, 0, NULL, 0, false },
	{ "CALCOM_BASE_URL", V_HTTP, F(calcom_base_url), "https://api.cal.com", 0, 0, NULL, 0,
	    false },
	{ "CALENDAR_BUSY_TTL_S", V_INT, F(calendar_busy_ttl_s), "300", 0, 86400, NULL, 0, false },
	{ "CALENDAR_CONNECT_TIMEOUT_MS", V_INT, F(calendar_connect_timeout_ms), "2000", 100,
	    60000, NULL, 0, false },
	{ "CALENDAR_TIMEOUT_MS", V_INT, F(calendar_timeout_ms), "5000", 100, 120000, NULL, 0,
	    false },
	{ "CALCOM_RATE_PER_MIN", V_INT, F(calcom_rate_per_min), "120", 1, 100000, NULL, 0, false },
	{ "CALENDAR_RECONCILE_S", V_INT, F(calendar_reconcile_s), "900", 1, 86400, NULL, 0, false },
	/* Widget and portal; rate limits of the chat API (0 = off). */
	{ "WEB_DIST_DIR", V_STR, F(web_dist_dir), "web/dist", 0, 0, NULL, 0, false },
	{ "PLATFORM_NAME", V_STR, F(platform_name), "Receptionist", 0, 0, NULL, 0, false },
	{ "PLATFORM_LOGO_URL", V_STR, F(platform_logo_url), NULL, 0, 0, NULL, 0, false },
	{ "CHAT_RATE_IP_PER_MIN", V_INT, F(chat_rate_ip_per_min), "300", 0, 1000000, NULL, 0, false },
	{ "CHAT_RATE_SESSION_PER_MIN", V_INT, F(chat_rate_session_per_min), "30", 0, 1000000,
	    NULL, 0, false },
	{ "CHAT_NEW_PER_HOUR", V_INT, F(chat_new_per_hour), "120", 0, 1000000, NULL, 0, false },
	{ "WAITLIST_JOINS_PER_HOUR", V_INT, F(waitlist_joins_per_hour), "10", 0, 1000000, NULL, 0,
	    false },
	{ "CHAT_MAX_BODY_BYTES", V_INT, F(chat_max_body_bytes), "16384", 256, 1048576, NULL, 0,
	    false },
	/* AI model providers. Without keys the offline receptionist answers;
	 * it also ends every fallback chain. Base URLs point anywhere that
	 * speaks the provider's API (OpenRouter, Ollama, a test fake). */
	{ "LLM_PROVIDER", V_ENUM, F(llm_provider), "offline", 0, 0, LLM_PROVIDER_NAMES, 0,
	    false },
	{ "OPENAI_API_KEY", V_STR, F(openai_api_key), NULL, 0, 0, NULL, 0, true },
	{ "OPENAI_BASE_URL", V_HTTP, F(openai_base_url), LLM_OPENAI_BASE_URL, 0, 0, NULL, 0,
	    false },
	{ "OPENAI_MODEL", V_STR, F(openai_model), "gpt-4o-mini", 0, 0, NULL, 0, false },
	{ "ANTHROPIC_API_KEY", V_STR, F(anthropic_api_key), NULL, 0, 0, NULL, 0, true },
	{ "ANTHROPIC_BASE_URL", V_HTTP, F(anthropic_base_url), LLM_ANTHROPIC_BASE_URL, 0, 0,
	    NULL, 0, false },
	{ "ANTHROPIC_MODEL", V_STR, F(anthropic_model), "claude-haiku-4-5", 0, 0, NULL, 0, false },
	/* Gemini through its OpenAI compatibility endpoint (Chat Completions,
	 * Bearer key): the OpenAI adapter under the name "gemini". */
	{ "GEMINI_API_KEY", V_STR, F(gemini_api_key), NULL, 0, 0, NULL, 0, true },
	{ "GEMINI_BASE_URL", V_HTTP, F(gemini_base_url), LLM_GEMINI_BASE_URL, 0, 0, NULL, 0,
	    false },
	{ "GEMINI_MODEL", V_STR, F(gemini_model), "gemini-2.5-flash", 0, 0, NULL, 0, false },
	/* Providers to try after the primary, e.g. "anthropic,offline";
	 * offline always comes last whether listed or not. */
	{ "LLM_FALLBACK", V_STR, F(llm_fallback), "offline", 0, 0, NULL, 0, false },
	{ "LLM_TIMEOUT_MS", V_INT, F(llm_timeout_ms), "20000", 500, 600000, NULL, 0, false },
	{ "LLM_FIRST_BYTE_TIMEOUT_MS", V_INT, F(llm_first_byte_timeout_ms), "8000", 100, 600000,
	    NULL, 0, false },
	{ "LLM_BREAKER_FAILURES", V_INT, F(llm_breaker_failures), "5", 0, 1000, NULL, 0, false },
	{ "LLM_BREAKER_COOLDOWN_S", V_INT, F(llm_breaker_cooldown_s), "30", 1, 86400, NULL, 0,
	    false },
	/* Base URLs a tenant may choose for its own model (comma list, exact
	 * match); empty: tenants use the platform's base URLs only. */
	{ "LLM_TENANT_BASE_URLS", V_STR, F(llm_tenant_base_urls), NULL, 0, 0, NULL, 0, false },
	/* The conversation engine: chat sessions close after this much
	 * inactivity; memory is the last N exchanges plus a running summary. */
	{ "CHAT_SESSION_IDLE_S", V_INT, F(chat_session_idle_s), "1800", 30, 604800, NULL, 0, false },
	{ "CHAT_MEMORY_TURNS", V_INT, F(chat_memory_turns), "10", 1, 100, NULL, 0, false },
	{ "CHAT_MESSAGE_MAX_CHARS", V_INT, F(chat_message_max_chars), "1000", 10, 20000, NULL, 0,
	    false },
	{ "CHAT_HEARTBEAT_S", V_INT, F(chat_heartbeat_s), "15", 1, 300, NULL, 0, false },
	{ "AI_MAX_TOOL_CALLS", V_INT, F(ai_max_tool_calls), "6", 1, 50, NULL, 0, false },
	{ "AI_MAX_CONVERSATION_TOKENS", V_INT, F(ai_max_conversation_tokens), "200000", 1000,
	    100000000, NULL, 0, false },
	/* Web Push for the admin app (src/providers/webpush.c): the VAPID pair
	 * as base64url raw P-256 keys (`receptionist vapid-keys` prints one) and
	 * a mailto:/https: contact. No keys: push is off. */
	{ "VAPID_PUBLIC_KEY", V_STR, F(vapid_public_key), NULL, 0, 0, NULL, 0, false },
	{ "VAPID_PRIVATE_KEY", V_STR, F(vapid_private_key), NULL, 0, 0, NULL, 0, true },
	{ "VAPID_SUBJECT", V_STR, F(vapid_subject), NULL, 0, 0, NULL, 0, false },
	/* Tests only: accept http:// push endpoints (a local fake service). */
	{ "PUSH_ALLOW_HTTP", V_BOOL, F(push_allow_http), "false", 0, 0, NULL, 0, false },
	/* SMS through Twilio (src/providers/twilio.c): the platform's account,
	 * used by tenants without their own. No account: texts stay queued. */
	{ "TWILIO_ACCOUNT_SID", V_STR, F(twilio_account_sid), NULL, 0, 0, NULL, 0, false },
	{ "TWILIO_AUTH_TOKEN", V_STR, F(twilio_auth_token), NULL, 0, 0, NULL, 0, true },
	{ "TWILIO_API_BASE", V_HTTP, F(twilio_api_base), "https://api.twilio.com", 0, 0, NULL, 0,
	    false },
	{ "TWILIO_MESSAGING_SERVICE_SID", V_STR, F(twilio_messaging_service_sid), NULL, 0, 0, NULL,
	    0, false },
	{ "TWILIO_FROM", V_STR, F(twilio_from), NULL, 0, 0, NULL, 0, false },
	{ "TWILIO_TIMEOUT_MS", V_INT, F(twilio_timeout_ms), "10000", 100, 120000, NULL, 0, false },
	/* E-mail (src/providers/smtp.c): smtp:// (STARTTLS when offered;
	 * "?starttls=required" insists) or smtps://, user:password in the URL.
	 * No SMTP_URL: mail waits in the outbox, or, with MAIL_DIR (development
	 * only: `make run` sets var/mail), is written there as .eml files. */
	{ "SMTP_URL", V_STR, F(smtp_url), NULL, 0, 0, NULL, 0, true },
	{ "SMTP_FROM", V_STR, F(smtp_from), "no-reply@localhost", 0, 0, NULL, 0, false },
	{ "MAIL_DIR", V_STR, F(mail_dir), NULL, 0, 0, NULL, 0, false },
	{ "SMTP_TIMEOUT_MS", V_INT, F(smtp_timeout_ms), "30000", 100, 600000, NULL, 0, false },
	{ "MESSAGES_MAX_ATTEMPTS", V_INT, F(messages_max_attempts), "10", 1, 100, NULL, 0, false },
	/* Tests only: every retry after this many seconds instead of 1 min, 5 min, … */
	{ "MESSAGES_RETRY_FIXED_S", V_INT, F(messages_retry_fixed_s), "0", 0, 86400, NULL, 0, false },
	/* Tests and benchmarks only: the offline receptionist pauses this long
	 * between streamed words, like a slow model. */
	{ "AI_OFFLINE_STREAM_DELAY_MS", V_INT, F(ai_offline_stream_delay_ms), "0", 0, 10000, NULL, 0,
	    false },
};

static const char *const names[] = {
	"HOST", "PORT", "PLATFORM_DOMAIN", "DATABASE_URL", "DATABASE_OWNER_URL",
	"DATABASE_LISTEN_URL", "HTTP_THREADS", "WORKER_THREADS", "WORKER_QUEUE_MAX",
	"STREAMS_MAX", "EVENTS_STREAMS_MAX", "EVENTS_STREAMS_PER_TENANT", "EVENTS_HEARTBEAT_S",
	"DB_POOL_SIZE", "DB_ACQUIRE_TIMEOUT_MS", "DB_PREPARED_STATEMENTS", "DB_CONNECT_TIMEOUT_S", "DB_STATEMENT_TIMEOUT_MS",
	"MAX_BODY_BYTES", "SHUTDOWN_GRACE_S", "TENANT_CACHE_TTL_S",
	"JOB_CONCURRENCY", "JOB_LEASE_S", "JOB_BACKOFF_BASE_S", "LOG_LEVEL", "ENABLE_TEST_ROUTES",
	"COOKIE_SECURE", "SESSION_IDLE_S", "SESSION_MAX_AGE_S", "APP_ENCRYPTION_KEY",
	"APP_ENCRYPTION_KEY_PREVIOUS", "SERVICE_TOKEN_KEY", "PUBLIC_BASE_URL", "REDIS_URL", "TRUSTED_PROXIES",
	"GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_OAUTH_BASE_URL", "GOOGLE_TOKEN_URL",
	"GOOGLE_CALENDAR_BASE_URL", "CALCOM_BASE_URL", "CALENDAR_BUSY_TTL_S",
	"CALENDAR_CONNECT_TIMEOUT_MS", "CALENDAR_TIMEOUT_MS", "CALCOM_RATE_PER_MIN",
	"CALENDAR_RECONCILE_S", "WEB_DIST_DIR", "PLATFORM_NAME", "PLATFORM_LOGO_URL",
	"CHAT_RATE_IP_PER_MIN",
	"CHAT_RATE_SESSION_PER_MIN", "CHAT_NEW_PER_HOUR", "WAITLIST_JOINS_PER_HOUR",
	"CHAT_MAX_BODY_BYTES",
	"LLM_PROVIDER", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "ANTHROPIC_API_KEY",
	"ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL", "GEMINI_API_KEY", "GEMINI_BASE_URL",
	"GEMINI_MODEL", "LLM_FALLBACK", "LLM_TIMEOUT_MS",
	"LLM_FIRST_BYTE_TIMEOUT_MS", "LLM_BREAKER_FAILURES", "LLM_BREAKER_COOLDOWN_S",
	"LLM_TENANT_BASE_URLS", "CHAT_SESSION_IDLE_S", "CHAT_MEMORY_TURNS",
	"CHAT_MESSAGE_MAX_CHARS", "CHAT_HEARTBEAT_S", "AI_MAX_TOOL_CALLS",
	"AI_MAX_CONVERSATION_TOKENS", "VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT",
	"PUSH_ALLOW_HTTP", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_BASE",
	"TWILIO_MESSAGING_SERVICE_SID", "TWILIO_FROM", "TWILIO_TIMEOUT_MS", "SMTP_URL", "SMTP_FROM",
	"MAIL_DIR", "SMTP_TIMEOUT_MS", "MESSAGES_MAX_ATTEMPTS", "MESSAGES_RETRY_FIXED_S",
	"AI_OFFLINE_STREAM_DELAY_MS", NULL
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

/* A provider's base URL: http(s)://host… with no whitespace (adapters
 * append paths to it). */
static bool
http_url_ok(const char *v)
{
	const char *host = strncmp(v, "https://", 8) == 0 ? v + 8
	    : strncmp(v, "http://", 7) == 0 ? v + 7 : NULL;

	if (host == NULL || *host == '\0' || *host == '/')
		return false;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '#' || *p == '?')
			return false;
	return true;
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
	case V_HTTP:
		if (raw == NULL) {
			*(char **)field = NULL;
			return;
		}
		if (v->type == V_URL && !url_ok(raw)) {
			add_error(errs, "%s must be a postgresql:// URL (got %s)", v->name, shown);
			return;
		}
		if (v->type == V_HTTP && !http_url_ok(raw)) {
			add_error(errs, "%s must be an http:// or https:// URL without query"
			    " (got \"%s\")", v->name, shown);
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

/* "anthropic,offline": known provider names, comma-separated. */
static bool
fallback_ok(const char *v)
{
	char item[32];

	while (*v) {
		size_t n = strcspn(v, ",");

		if (n == 0 || n >= sizeof(item))
			return false;
		memcpy(item, v, n);
		item[n] = '\0';
		if (!enum_has(LLM_PROVIDER_NAMES, item))
			return false;
		v += n + (v[n] == ',');
	}
	return true;
}

bool
cidr_parse(const char *s, struct cidr *out)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int max;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(ip))
		return false;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, ip, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return false;
	}
	out->bits = max;
	if (slash != NULL) {
		char *end;
		long b;

		if (!isdigit((unsigned char)slash[1]))
			return false;
		errno = 0;
		b = strtol(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || b < 0 || b > max)
			return false;
		out->bits = (int)b;
	}
	return true;
}

static bool
cidr_match(const struct cidr *c, int family, const unsigned char *a)
{
	int full = c->bits / 8, rest = c->bits % 8;

	if (c->family != family)
		return false;
	if (memcmp(c->addr, a, (size_t)full) != 0)
		return false;
	return rest == 0 || ((c->addr[full] ^ a[full]) & (0xff << (8 - rest))) == 0;
}

bool
cidr_list_contains(const struct cidr *list, size_t n, const char *ip)
{
	unsigned char a[16];
	int family;

	if (inet_pton(AF_INET, ip, a) == 1) {
		family = AF_INET;
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		family = AF_INET6;
		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			memmove(a, a + 12, 4);
			family = AF_INET;
		}
	} else {
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (cidr_match(&list[i], family, a))
			return true;
	return false;
}

/* TRUSTED_PROXIES: "10.0.0.0/8, 127.0.0.1, ::1/128" into cfg->trusted. */
static void
load_trusted_proxies(struct config *cfg, struct config_errors *errs)
{
	const char *p = cfg->trusted_proxies;
	char item[64];

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");
		const char *b = p, *e = p + n;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if ((size_t)(e - b) >= sizeof(item)) {
			add_error(errs, "TRUSTED_PROXIES: \"%.*s…\" is not a CIDR (like 10.0.0.0/8"
			    " or fd00::/8)", 20, b);
			return;
		}
		memcpy(item, b, (size_t)(e - b));
		item[e - b] = '\0';
		if (item[0] != '\0') {
			if (cfg->ntrusted == CONFIG_PROXIES_MAX) {
				add_error(errs, "TRUSTED_PROXIES: at most %d blocks",
				    CONFIG_PROXIES_MAX);
				return;
			}
			if (!cidr_parse(item, &cfg->trusted[cfg->ntrusted])) {
				add_error(errs, "TRUSTED_PROXIES: \"%s\" is not a CIDR (like"
				    " 10.0.0.0/8 or fd00::/8)", item);
				return;
			}
			cfg->ntrusted++;
		}
		p += n + (p[n] == ',');
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
	if (cfg->llm_fallback != NULL && !fallback_ok(cfg->llm_fallback))
		add_error(errs, "LLM_FALLBACK must be a comma list of offline, openai, anthropic and"
		    " gemini (got \"%s\")", cfg->llm_fallback);
	load_trusted_proxies(cfg, errs);
	if (cfg->database_listen_url == NULL && cfg->database_url != NULL &&
	    (cfg->database_listen_url = strdup(cfg->database_url)) == NULL)
		abort();
	if (cfg->log_level != NULL && log_parse_level(cfg->log_level, &lvl))
		log_set_level(lvl);
	return errs->n;
}

void
config_cleanup(struct config *cfg)
{
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (vars[i].type == V_STR || vars[i].type == V_URL || vars[i].type == V_ENUM ||
		    vars[i].type == V_HTTP) {
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
