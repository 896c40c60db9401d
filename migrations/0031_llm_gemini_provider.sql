-- 0031_llm_gemini_provider.sql — `gemini` as a tenant's model provider
-- (Gemini through its OpenAI compatibility endpoint), beside openai and
-- anthropic: the list tenant_llm_settings accepts is the one the
-- application's LLM_PROVIDER_NAMES and the admin API accept.
-- usage_monthly_models.provider only has a length check, so Gemini's calls
-- are metered under 'gemini' without a change there. One row per tenant at
-- most: re-checking the widened constraint is cheap.
ALTER TABLE tenant_llm_settings
	DROP CONSTRAINT tenant_llm_settings_provider_check,
	ADD CONSTRAINT tenant_llm_settings_provider_check
	    CHECK (provider IN ('offline', 'openai', 'anthropic', 'gemini'));
