-- 0009_usage: AI usage metered per tenant per calendar month (UTC), and a
-- tenant's own model provider settings.
--
-- usage_monthly holds what plans limit (customer messages) and the totals
-- of model calls and tokens; usage_monthly_models splits the model side by
-- provider and model, for the admin's usage page and the platform's bill.
-- Counters only ever grow: the runtime role may insert and update them but
-- not delete them.

-- The metering month of the current transaction: the first day of the UTC
-- month of now() (transaction start, so one turn never straddles two).
CREATE FUNCTION usage_current_month() RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date
$$;

CREATE TABLE usage_monthly (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	month date NOT NULL CHECK (extract(day FROM month) = 1),
	messages bigint NOT NULL DEFAULT 0 CHECK (messages >= 0),
	model_calls bigint NOT NULL DEFAULT 0 CHECK (model_calls >= 0),
	input_tokens bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
	output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
	cached_tokens bigint NOT NULL DEFAULT 0 CHECK (cached_tokens >= 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, month)
);
SELECT tenant_table_setup('usage_monthly');
REVOKE DELETE ON usage_monthly FROM receptionist_app;

CREATE TABLE usage_monthly_models (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	month date NOT NULL,
	provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 40),
	model text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
	calls bigint NOT NULL DEFAULT 0 CHECK (calls >= 0),
	input_tokens bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
	output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
	cached_tokens bigint NOT NULL DEFAULT 0 CHECK (cached_tokens >= 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, month, provider, model),
	FOREIGN KEY (tenant_id, month) REFERENCES usage_monthly (tenant_id, month)
	    ON DELETE CASCADE
);
SELECT tenant_table_setup('usage_monthly_models');
REVOKE DELETE ON usage_monthly_models FROM receptionist_app;

-- A tenant's own model: provider, model, base URL (the application accepts
-- only the platform's allow-list, LLM_TENANT_BASE_URLS) and API key,
-- sealed with APP_ENCRYPTION_KEY (XChaCha20-Poly1305; key id for
-- rotation). No row: the platform's default answers.
CREATE TABLE tenant_llm_settings (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	provider text NOT NULL CHECK (provider IN ('offline', 'openai', 'anthropic')),
	model text CHECK (length(model) BETWEEN 1 AND 200),
	base_url text CHECK (base_url ~ '^https?://[^\s?#]+$' AND length(base_url) <= 500),
	api_key_ct bytea CHECK (length(api_key_ct) BETWEEN 17 AND 4096),
	api_key_nonce bytea CHECK (length(api_key_nonce) = 24),
	api_key_key_id text CHECK (length(api_key_key_id) BETWEEN 1 AND 16),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((api_key_ct IS NULL) = (api_key_nonce IS NULL)
	    AND (api_key_ct IS NULL) = (api_key_key_id IS NULL))
);
SELECT business_table_setup('tenant_llm_settings', false);
