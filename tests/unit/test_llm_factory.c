/* test_llm_factory.c — which chain a tenant gets: the platform default or
 * the tenant's override first, LLM_FALLBACK providers the platform can
 * actually call (gemini among them: the OpenAI adapter under its own name,
 * key, base URL and model), the offline receptionist always last, tenants' base URLs
 * only from the allow-list; and tenant API keys sealed and opened with the
 * core sealed secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/providers/llm_chain.c"
#include "../../src/modules/llm/llm_service.c"
#include "modules/ai/ai_offline.h"

static struct config cfg;

static int
setup(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.llm_provider = "openai";
	cfg.openai_api_key = "sk-platform";
	cfg.openai_base_url = "https://api.openai.com";
	cfg.openai_model = "gpt-4o-mini";
	cfg.anthropic_api_key = "sk-ant-platform";
	cfg.anthropic_base_url = "https://api.anthropic.com";
	cfg.anthropic_model = "claude-haiku-4-5";
	cfg.gemini_api_key = NULL;
	cfg.gemini_base_url = LLM_GEMINI_BASE_URL;
	cfg.gemini_model = "gemini-2.5-flash";
	cfg.llm_fallback = "anthropic,offline";
	cfg.llm_timeout_ms = 20000;
	cfg.llm_first_byte_timeout_ms = 8000;
	cfg.llm_breaker_failures = 5;
	cfg.llm_breaker_cooldown_s = 30;
	cfg.llm_tenant_base_urls = NULL;
	/* base64 of 32 bytes, as scripts/test uses */
	cfg.app_encryption_key = "dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=";
	return 0;
}

/* The chain's links as "name name …" (or the single provider's name). */
static const char *
links(struct arena *a, struct llm_provider *p)
{
	struct chain *c;
	char *out = arena_strdup(a, "");

	if (strcmp(p->name, "chain") != 0)
		return p->name;
	c = p->ctx;
	for (size_t i = 0; i < c->n; i++)
		out = arena_printf(a, "%s%s%s", out, i ? " " : "", c->links[i].provider->name);
	return out;
}

static const struct llm_remote_config *
remote(struct llm_provider *p, size_t i)
{
	struct chain *c = p->ctx;

	return &((struct llm_remote *)c->links[i].provider->ctx)->cfg;
}

static struct llm_provider *
build(struct arena *a, const struct llm_tenant_settings *ov)
{
	struct llm_provider *p = NULL;
	struct err e;

	err_clear(&e);
	assert_int_equal(llm_chain_build(&cfg, ov, ai_offline_new(a), a, &p, &e), ST_OK);
	assert_non_null(p);
	return p;
}

static void
test_offline_default_is_the_offline_provider_alone(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	cfg.llm_provider = "offline";
	assert_string_equal(links(&a, build(&a, NULL)), "offline");
	arena_free(&a);
}

static void
test_primary_then_fallbacks_then_offline(void **state)
{
	struct arena a;
	struct llm_provider *p;

	(void)state;
	arena_init(&a, 4096);
	p = build(&a, NULL);
	assert_string_equal(links(&a, p), "openai anthropic offline");
	assert_string_equal(remote(p, 0)->api_key, "sk-platform");
	assert_string_equal(remote(p, 0)->model, "gpt-4o-mini");
	assert_int_equal(remote(p, 0)->first_byte_timeout_ms, 8000);
	assert_non_null(((struct chain *)p->ctx)->links[0].breaker);
	assert_null(((struct chain *)p->ctx)->links[2].breaker);	/* offline: never skipped */
	arena_free(&a);
}

static void
test_offline_is_last_even_when_not_listed_and_no_duplicates(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	cfg.llm_fallback = "openai,anthropic,anthropic";
	assert_string_equal(links(&a, build(&a, NULL)), "openai anthropic offline");
	cfg.llm_fallback = "";
	assert_string_equal(links(&a, build(&a, NULL)), "openai offline");
	arena_free(&a);
}

static void
test_fallback_without_key_at_official_url_is_left_out(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	cfg.anthropic_api_key = NULL;
	assert_string_equal(links(&a, build(&a, NULL)), "openai offline");
	/* A local compatible server needs no key. */
	cfg.llm_provider = "anthropic";
	cfg.llm_fallback = "openai";
	cfg.openai_api_key = "";
	cfg.openai_base_url = "http://127.0.0.1:11434";
	assert_string_equal(links(&a, build(&a, NULL)), "anthropic openai offline");
	arena_free(&a);
}

static void
test_tenant_override_first_with_its_key_and_model(void **state)
{
	struct llm_tenant_settings ov = { .present = true, .kind = LLM_KIND_ANTHROPIC,
		.model = "claude-tenant", .api_key = "sk-ant-tenant" };
	struct arena a;
	struct llm_provider *p;

	(void)state;
	arena_init(&a, 4096);
	p = build(&a, &ov);
	assert_string_equal(links(&a, p), "anthropic offline");	/* anthropic is used */
	assert_string_equal(remote(p, 0)->api_key, "sk-ant-tenant");
	assert_string_equal(remote(p, 0)->model, "claude-tenant");
	assert_string_equal(remote(p, 0)->base_url, "https://api.anthropic.com");
	arena_free(&a);
}

static void
test_tenant_override_keeps_platform_values_it_does_not_set(void **state)
{
	struct llm_tenant_settings ov = { .present = true, .kind = LLM_KIND_OPENAI,
		.base_url = "http://169.254.169.254" };
	struct arena a;
	struct llm_provider *p;

	(void)state;
	arena_init(&a, 4096);
	p = build(&a, &ov);
	assert_string_equal(links(&a, p), "openai anthropic offline");
	assert_string_equal(remote(p, 0)->api_key, "sk-platform");
	/* Not on the allow-list: the platform's URL, not the tenant's. */
	assert_string_equal(remote(p, 0)->base_url, "https://api.openai.com");
	cfg.llm_tenant_base_urls = "https://models.example.test";
	ov.base_url = "https://models.example.test/";
	p = build(&a, &ov);
	assert_string_equal(remote(p, 0)->base_url, "https://models.example.test/");
	arena_free(&a);
}

static void
test_gemini_as_the_platform_primary(void **state)
{
	struct arena a;
	struct llm_provider *p;

	(void)state;
	arena_init(&a, 4096);
	cfg.llm_provider = "gemini";
	cfg.gemini_api_key = "AIza-platform";
	p = build(&a, NULL);
	assert_string_equal(links(&a, p), "gemini anthropic offline");
	assert_string_equal(remote(p, 0)->api_key, "AIza-platform");
	assert_string_equal(remote(p, 0)->base_url,
	    "https://generativelanguage.googleapis.com/v1beta/openai/");
	assert_string_equal(remote(p, 0)->model, "gemini-2.5-flash");
	/* A remote adapter with a breaker of its own, not OpenAI's. */
	assert_non_null(llm_remote_call_info(((struct chain *)p->ctx)->links[0].provider));
	assert_ptr_not_equal(((struct chain *)p->ctx)->links[0].breaker,
	    llm_breaker_get("openai", LLM_GEMINI_BASE_URL, 5, 30));
	assert_ptr_equal(((struct chain *)p->ctx)->links[0].breaker,
	    llm_breaker_get("gemini", LLM_GEMINI_BASE_URL, 5, 30));
	arena_free(&a);
}

static void
test_gemini_in_the_fallbacks_only_with_a_key(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	cfg.llm_fallback = "gemini,anthropic";
	/* No key at Google's endpoint (with or without the trailing slash):
	 * a call that cannot succeed is left out. */
	assert_string_equal(links(&a, build(&a, NULL)), "openai anthropic offline");
	cfg.gemini_base_url = "https://generativelanguage.googleapis.com/v1beta/openai";
	assert_string_equal(links(&a, build(&a, NULL)), "openai anthropic offline");
	cfg.gemini_api_key = "AIza-platform";
	assert_string_equal(links(&a, build(&a, NULL)), "openai gemini anthropic offline");
	arena_free(&a);
}

static void
test_tenant_choosing_gemini(void **state)
{
	struct llm_tenant_settings ov = { .present = true, .kind = LLM_KIND_GEMINI,
		.model = "gemini-tenant", .api_key = "AIza-tenant" };
	struct arena a;
	struct llm_provider *p;
	json_t *j;
	struct llm_row row = { 0 };

	(void)state;
	arena_init(&a, 4096);
	p = build(&a, &ov);
	assert_string_equal(links(&a, p), "gemini anthropic offline");
	assert_string_equal(remote(p, 0)->api_key, "AIza-tenant");
	assert_string_equal(remote(p, 0)->model, "gemini-tenant");
	assert_string_equal(remote(p, 0)->base_url, LLM_GEMINI_BASE_URL);
	/* The admin API names the platform default's model for gemini too. */
	cfg.llm_provider = "gemini";
	j = settings_json(&cfg, &row, false);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "platform_default"), "provider")), "gemini");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "platform_default"), "model")), "gemini-2.5-flash");
	json_decref(j);
	arena_free(&a);
}

static void
test_tenant_choosing_offline(void **state)
{
	struct llm_tenant_settings ov = { .present = true, .kind = LLM_KIND_OFFLINE };
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	assert_string_equal(links(&a, build(&a, &ov)), "offline");
	arena_free(&a);
}

static void
test_base_url_allow_list(void **state)
{
	(void)state;
	cfg.llm_tenant_base_urls = NULL;
	assert_false(llm_tenant_base_url_allowed(&cfg, "https://a.test"));
	cfg.llm_tenant_base_urls = "https://a.test/v1/, http://10.0.0.5:11434 ,https://b.test";
	assert_true(llm_tenant_base_url_allowed(&cfg, "https://a.test/v1"));
	assert_true(llm_tenant_base_url_allowed(&cfg, "https://a.test/v1/"));
	assert_true(llm_tenant_base_url_allowed(&cfg, "http://10.0.0.5:11434"));
	assert_true(llm_tenant_base_url_allowed(&cfg, "https://b.test"));
	/* Exact entries, not prefixes: no path, port or host games. */
	assert_false(llm_tenant_base_url_allowed(&cfg, "https://a.test"));
	assert_false(llm_tenant_base_url_allowed(&cfg, "https://a.test/v1/../admin"));
	assert_false(llm_tenant_base_url_allowed(&cfg, "https://b.test.evil.test"));
	assert_false(llm_tenant_base_url_allowed(&cfg, "https://b.tes"));
	assert_false(llm_tenant_base_url_allowed(&cfg, "http://10.0.0.5:1143"));
	assert_false(llm_tenant_base_url_allowed(&cfg, NULL));
}

static void
test_kind_names(void **state)
{
	enum llm_kind k;

	(void)state;
	for (int i = 0; i < LLM_KIND__COUNT; i++) {
		assert_true(llm_kind_parse(llm_kind_name((enum llm_kind)i), &k));
		assert_int_equal(k, i);
	}
	assert_true(llm_kind_parse("gemini", &k));
	assert_int_equal(k, LLM_KIND_GEMINI);
	assert_false(llm_kind_parse("mistral", &k));
	assert_false(llm_kind_parse("Gemini", &k));
	assert_false(llm_kind_parse(NULL, &k));
	/* The names the configuration accepts are exactly the kinds. */
	for (int i = 0; i < LLM_KIND__COUNT; i++)
		assert_non_null(strstr(LLM_PROVIDER_NAMES, llm_kind_name((enum llm_kind)i)));
}

static void
test_key_seal_and_open(void **state)
{
	struct sec_sealed s;
	struct arena a;
	struct err e;
	const char *back = NULL;

	(void)state;
	arena_init(&a, 4096);
	err_clear(&e);
	assert_int_equal(key_seal(&cfg, &a, "sk-tenant-secret-123", &s, &e), ST_OK);
	assert_null(strstr(s.ct, "secret"));
	assert_int_equal(strncmp(s.ct, "\\x", 2), 0);
	assert_int_equal(key_open(&cfg, &a, s.ct, s.nonce, s.key_id, &back, &e), ST_OK);
	assert_string_equal(back, "sk-tenant-secret-123");
	/* A tampered ciphertext or an unknown key id does not open. */
	{
		char *bad = arena_strdup(&a, s.ct);

		bad[4] = bad[4] == 'a' ? 'b' : 'a';
		assert_int_not_equal(key_open(&cfg, &a, bad, s.nonce, s.key_id, &back, &e),
		    ST_OK);
		assert_null(strstr(e.message, "secret"));
	}
	assert_int_not_equal(key_open(&cfg, &a, s.ct, s.nonce, "nosuchkeyid", &back, &e),
	    ST_OK);
	arena_free(&a);
}

static void
test_config_validates_provider_variables(void **state)
{
	static const struct { const char *name, *value; bool ok; } cases[] = {
		{ "LLM_FALLBACK", "anthropic,offline", true },
		{ "LLM_FALLBACK", "openai", true },
		{ "LLM_FALLBACK", "anthropic,gemini", true },
		{ "LLM_FALLBACK", "anthropic,mistral", false },
		{ "LLM_FALLBACK", "anthropic,,offline", false },
		{ "LLM_PROVIDER", "anthropic", true },
		{ "LLM_PROVIDER", "gpt", false },
		{ "LLM_PROVIDER", "gemini", true },
		{ "GEMINI_BASE_URL", "http://127.0.0.1:8089/v1beta/openai/", true },
		{ "GEMINI_BASE_URL", "generativelanguage.googleapis.com", false },
		{ "OPENAI_BASE_URL", "http://127.0.0.1:11434", true },
		{ "OPENAI_BASE_URL", "ftp://x", false },
		{ "ANTHROPIC_BASE_URL", "https://x.test/?key=1", false },
		{ "LLM_BREAKER_FAILURES", "0", true },
		{ "LLM_FIRST_BYTE_TIMEOUT_MS", "50", false },
	};
	struct config loaded;
	struct config_errors errs;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv(cases[i].name, cases[i].value, 1);
		config_load(&loaded, 0, &errs);
		config_cleanup(&loaded);
		unsetenv(cases[i].name);
		if (cases[i].ok)
			assert_int_equal(errs.n, 0);
		else {
			assert_int_equal(errs.n, 1);
			assert_non_null(strstr(errs.msg[0], cases[i].name));
		}
	}
	/* Keys are secrets: a bad value is never echoed (none is bad, but the
	 * defaults leave them unset). */
	config_load(&loaded, 0, &errs);
	assert_null(loaded.openai_api_key);
	assert_string_equal(loaded.llm_provider, "offline");
	assert_string_equal(loaded.llm_fallback, "offline");
	assert_int_equal(loaded.llm_timeout_ms, 20000);
	assert_int_equal(loaded.llm_first_byte_timeout_ms, 8000);
	assert_int_equal(loaded.llm_breaker_failures, 5);
	assert_int_equal(loaded.llm_breaker_cooldown_s, 30);
	assert_string_equal(loaded.openai_base_url, "https://api.openai.com");
	assert_string_equal(loaded.anthropic_base_url, "https://api.anthropic.com");
	assert_null(loaded.gemini_api_key);
	assert_string_equal(loaded.gemini_base_url,
	    "https://generativelanguage.googleapis.com/v1beta/openai/");
	assert_string_equal(loaded.gemini_model, "gemini-2.5-flash");
	config_cleanup(&loaded);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_offline_default_is_the_offline_provider_alone, setup),
		cmocka_unit_test_setup(test_primary_then_fallbacks_then_offline, setup),
		cmocka_unit_test_setup(test_offline_is_last_even_when_not_listed_and_no_duplicates,
		    setup),
		cmocka_unit_test_setup(test_fallback_without_key_at_official_url_is_left_out, setup),
		cmocka_unit_test_setup(test_tenant_override_first_with_its_key_and_model, setup),
		cmocka_unit_test_setup(test_tenant_override_keeps_platform_values_it_does_not_set,
		    setup),
		cmocka_unit_test_setup(test_gemini_as_the_platform_primary, setup),
		cmocka_unit_test_setup(test_gemini_in_the_fallbacks_only_with_a_key, setup),
		cmocka_unit_test_setup(test_tenant_choosing_gemini, setup),
		cmocka_unit_test_setup(test_tenant_choosing_offline, setup),
		cmocka_unit_test_setup(test_base_url_allow_list, setup),
		cmocka_unit_test_setup(test_kind_names, setup),
		cmocka_unit_test_setup(test_key_seal_and_open, setup),
		cmocka_unit_test(test_config_validates_provider_variables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
