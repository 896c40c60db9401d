/* config.h — process configuration, read once at start from the
 * environment (and an optional .env file that never overrides it). Every
 * variable is described in one table in config.c, which is also what
 * `.env.example` documents. */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* An address block: 10.0.0.0/8, 2001:db8::/32; a bare address is /32 or
 * /128. IPv4 is kept as 4 bytes (IPv4-mapped IPv6 addresses are matched as
 * IPv4). */
struct cidr {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

#define CONFIG_PROXIES_MAX 32

/* The model provider names LLM_PROVIDER and LLM_FALLBACK accept; the llm
 * module's kinds, the admin API's enum and tenant_llm_settings' CHECK list
 * the same ones. */
#define LLM_PROVIDER_NAMES "offline|openai|anthropic|gemini"
/* The providers' official base URLs (the defaults). Gemini's is its
 * OpenAI compatibility endpoint, as Google documents it
 * (https://ai.google.dev/gemini-api/docs/openai). */
#define LLM_OPENAI_BASE_URL "https://api.openai.com"
#define LLM_ANTHROPIC_BASE_URL "https://api.anthropic.com"
#define LLM_GEMINI_BASE_URL "https://generativelanguage.googleapis.com/v1beta/openai/"

struct config {
	char *host;
	int port;
	char *platform_domain;
	char *database_url;
	char *database_owner_url;
	char *database_listen_url;	/* LISTEN's own session; DATABASE_URL if unset */
	int http_threads;
	int worker_threads;
	int worker_queue_max;
	int streams_max;
	int events_streams_max;		/* GET /v1/admin/events streams, in all */
	int events_streams_per_tenant;
	int events_heartbeat_s;		/* keep-alive comment and session re-check */
	int db_pool_size;
	int db_acquire_timeout_ms;
	bool db_prepared_statements;
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
	/* auth (src/modules/auth) */
	bool cookie_secure;
	int session_idle_s;
	int session_max_age_s;
	char *app_encryption_key;
	char *app_encryption_key_previous;
	char *service_token_key;
	char *public_base_url;
	/* rate limits (src/http/ratelimit.c); unset = in-process */
	char *redis_url;
	/* proxies whose X-Forwarded-For is believed (src/http/server.c) */
	char *trusted_proxies;
	struct cidr trusted[CONFIG_PROXIES_MAX];
	size_t ntrusted;
	/* calendar sync (src/modules/calendar, src/providers/calendar_*) */
	char *google_client_id;
	char *google_client_secret;
	char *google_oauth_base_url;
	char *google_token_url;
	char *google_calendar_base_url;
	char *calcom_base_url;
	int calendar_busy_ttl_s;
	int calendar_connect_timeout_ms;
	int calendar_timeout_ms;
	int calcom_rate_per_min;
	int calendar_reconcile_s;
	/* widget, portal and browser rules (src/modules/web) */
	char *web_dist_dir;
	char *platform_name;
	char *platform_logo_url;	/* the agency console's logo (https) */
	int chat_rate_ip_per_min;
	int chat_rate_session_per_min;
	int chat_new_per_hour;
	int waitlist_joins_per_hour;	/* POST /v1/public/waitlist per IP and tenant */
	int chat_max_body_bytes;
	/* AI model providers (src/providers/llm_*) */
	char *llm_provider;
	char *openai_api_key;
	char *openai_base_url;
	char *openai_model;
	char *anthropic_api_key;
	char *anthropic_base_url;
	char *anthropic_model;
	char *gemini_api_key;
	char *gemini_base_url;
	char *gemini_model;
	char *llm_fallback;
	int llm_timeout_ms;
	int llm_first_byte_timeout_ms;
	int llm_breaker_failures;
	int llm_breaker_cooldown_s;
	char *llm_tenant_base_urls;
	/* Web Push (src/providers/webpush.c) */
	char *vapid_public_key;
	char *vapid_private_key;
	char *vapid_subject;
	bool push_allow_http;
	/* SMS (src/providers/twilio.c, src/modules/sms) */
	char *twilio_account_sid;
	char *twilio_auth_token;
	char *twilio_api_base;
	char *twilio_messaging_service_sid;
	char *twilio_from;
	int twilio_timeout_ms;
	/* e-mail and the send job (src/modules/messages, src/providers/smtp.c) */
	char *smtp_url;
	char *smtp_from;
	char *mail_dir;
	int smtp_timeout_ms;
	int messages_max_attempts;
	int messages_retry_fixed_s;
	/* conversation engine (src/modules/ai) */
	int chat_session_idle_s;
	int chat_memory_turns;
	int chat_message_max_chars;
	int chat_heartbeat_s;
	int ai_max_tool_calls;
	int ai_max_conversation_tokens;
	int ai_offline_stream_delay_ms;
};

/* What a subcommand needs beyond the defaults. */
enum config_need {
	CONFIG_NEED_DB = 1 << 0,	/* DATABASE_URL */
	CONFIG_NEED_OWNER_DB = 1 << 1,	/* DATABASE_OWNER_URL */
};

#define CONFIG_ERRORS_MAX 128

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

/* Parses "a.b.c.d[/n]" or "ipv6[/n]"; false when s is not one. */
bool cidr_parse(const char *s, struct cidr *out);
/* Whether the textual address ip (IPv4, IPv6 or IPv4-mapped IPv6) is inside
 * one of the n blocks. */
bool cidr_list_contains(const struct cidr *list, size_t n, const char *ip);

/* The names of every variable, for documentation checks. NULL-terminated. */
const char *const *config_variable_names(void);

#endif
