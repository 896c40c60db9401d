-- 0021_sms.sql — text messages: a tenant's own Twilio account and numbers
-- (the token sealed like every tenant secret), opt-outs per (tenant,
-- number), and the SMS sent per calendar month (UTC) that the plan's
-- allowance is checked against.

-- One row per tenant. No row (or no account_sid) means the platform's
-- Twilio account; a sender (messaging service or from_number) may still be
-- set for that case: a number the operator bought for the tenant.
CREATE TABLE sms_settings (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	account_sid text CHECK (account_sid ~ '^AC[0-9a-fA-F]{32}$'),
	token_ct bytea CHECK (length(token_ct) <= 1024),
	token_nonce bytea CHECK (length(token_nonce) = 24),
	token_key_id text CHECK (token_key_id ~ '^[0-9a-f]{16}$'),
	-- The last 4 characters of the token, the only part ever shown again.
	token_last4 text CHECK (length(token_last4) <= 4),
	messaging_service_sid text CHECK (messaging_service_sid ~ '^MG[0-9a-fA-F]{32}$'),
	from_number text CHECK (from_number ~ '^\+[1-9][0-9]{6,14}$'),
	-- The number customers text: inbound messages are routed by it.
	inbound_number text UNIQUE CHECK (inbound_number ~ '^\+[1-9][0-9]{6,14}$'),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	-- An account comes with its token, or not at all.
	CHECK ((account_sid IS NULL) = (token_ct IS NULL))
);
SELECT tenant_table_setup('sms_settings');

-- A number that texted STOP (or was opted out otherwise): never texted
-- again by this tenant until it texts START. Opting in again deletes it.
CREATE TABLE sms_opt_outs (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	phone text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	keyword text NOT NULL CHECK (length(keyword) <= 20),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, phone)
);
SELECT tenant_table_setup('sms_opt_outs');

-- Texts the provider accepted, per tenant per calendar month (UTC, as the
-- AI usage meter counts). A send reserves its unit before the provider
-- call and gives it back if the text did not go, so concurrent senders
-- never pass the allowance together.
CREATE TABLE sms_usage (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	month date NOT NULL CHECK (extract(day FROM month) = 1),
	sent int NOT NULL DEFAULT 0 CHECK (sent >= 0),
	segments int NOT NULL DEFAULT 0 CHECK (segments >= 0),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, month)
);
SELECT tenant_table_setup('sms_usage');

-- Inbound texts arrive before we know the tenant: the number texted says
-- which tenant it is, ids only; everything else is read under RLS.
CREATE FUNCTION sms_tenant_by_number(p_number text)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT s.tenant_id FROM sms_settings s JOIN tenants t ON t.id = s.tenant_id
	WHERE s.inbound_number = p_number AND t.status = 'active' AND t.deleted_at IS NULL
$$;
REVOKE ALL ON FUNCTION sms_tenant_by_number(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sms_tenant_by_number(text) TO receptionist_app;

-- SMS conversations are found by (tenant number, customer phone).
CREATE INDEX conversations_channel_ref ON conversations (tenant_id, channel, channel_ref)
	WHERE channel_ref IS NOT NULL;
