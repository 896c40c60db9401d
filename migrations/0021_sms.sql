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
	-- The number customers text: inbound messages are routed by it
	-- (sms_numbers keeps it unique across tenants).
	inbound_number text CHECK (inbound_number ~ '^\+[1-9][0-9]{6,14}$'),
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
-- which tenant it is. Like the host name registry (tenant_domains), the
-- number -> tenant map is unique across tenants and read before a tenant
-- is known, so it is a small table of its own (a reference table when
-- distributed; the settings, with their sealed token, stay on the tenant's
-- shard). A trigger keeps it in step with sms_settings.inbound_number: a
-- number another business has is a unique violation (23505) in the
-- settings' own statement.
CREATE TABLE sms_numbers (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	number text NOT NULL CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, number)
);
CREATE UNIQUE INDEX sms_numbers_number ON sms_numbers (number);
SELECT tenant_table_setup('sms_numbers');

CREATE FUNCTION sms_numbers_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' AND OLD.inbound_number IS NOT NULL
	    AND (TG_OP = 'DELETE' OR OLD.inbound_number IS DISTINCT FROM NEW.inbound_number) THEN
		DELETE FROM sms_numbers WHERE number = OLD.inbound_number
		    AND tenant_id = OLD.tenant_id;
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.inbound_number IS NOT NULL
	    AND (TG_OP = 'INSERT' OR OLD.inbound_number IS DISTINCT FROM NEW.inbound_number) THEN
		INSERT INTO sms_numbers (number, tenant_id) VALUES (NEW.inbound_number, NEW.tenant_id);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER sms_numbers_sync AFTER INSERT OR UPDATE OF inbound_number OR DELETE
    ON sms_settings FOR EACH ROW EXECUTE FUNCTION sms_numbers_sync();

-- The business an inbound number belongs to, ids only; active ones only.
CREATE FUNCTION sms_tenant_by_number(p_number text)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT n.tenant_id FROM sms_numbers n JOIN tenants t ON t.id = n.tenant_id
	WHERE n.number = p_number AND t.status = 'active' AND t.deleted_at IS NULL
$$;
REVOKE ALL ON FUNCTION sms_tenant_by_number(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sms_tenant_by_number(text) TO receptionist_app;

-- SMS conversations are found by (tenant number, customer phone).
CREATE INDEX conversations_channel_ref ON conversations (tenant_id, channel, channel_ref)
	WHERE channel_ref IS NOT NULL;
