-- 0007_calendar: calendar sync — the tenants' connections to Google
-- Calendar and Cal.com (credentials encrypted by the application), the
-- busy-time cache that keeps us under the providers' rate limits, the
-- single-use OAuth states, the shared token buckets, and the sync state
-- columns booking_calendar_events (0006) needs beyond its own.

-- One row per connected calendar: a staff member's own (staff_id set) or
-- the business's (staff_id NULL: its busy times block every staff member).
-- The secret is a Google refresh token or a Cal.com API key, sealed with
-- XChaCha20-Poly1305 under APP_ENCRYPTION_KEY; key_id names the key so it
-- can rotate. The database never sees a plaintext secret.
CREATE TABLE calendar_connections (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	provider text NOT NULL CHECK (provider IN ('google', 'calcom')),
	staff_id uuid,
	-- Google: the calendar id ("primary" or an address); Cal.com: the
	-- event type id.
	external_ref text NOT NULL CHECK (length(external_ref) BETWEEN 1 AND 1024),
	secret_ct bytea CHECK (length(secret_ct) <= 8192),
	secret_nonce bytea CHECK (length(secret_nonce) = 24),
	secret_key_id text CHECK (secret_key_id ~ '^[0-9a-f]{16}$'),
	-- Cal.com only: the secret its webhooks are signed with.
	webhook_ct bytea CHECK (length(webhook_ct) <= 1024),
	webhook_nonce bytea CHECK (length(webhook_nonce) = 24),
	webhook_key_id text CHECK (webhook_key_id ~ '^[0-9a-f]{16}$'),
	status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'error', 'revoked')),
	last_error text CHECK (length(last_error) <= 2000),
	last_error_at timestamptz,
	created_by uuid,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id),
	-- A live connection always has its secret; a removed one has none.
	CHECK ((deleted_at IS NULL) = (secret_ct IS NOT NULL)),
	CHECK ((secret_ct IS NULL) = (secret_nonce IS NULL)
	    AND (secret_ct IS NULL) = (secret_key_id IS NULL)),
	CHECK ((webhook_ct IS NULL) = (webhook_nonce IS NULL)
	    AND (webhook_ct IS NULL) = (webhook_key_id IS NULL)),
	CHECK (provider = 'calcom' OR webhook_ct IS NULL),
	CHECK (provider <> 'calcom' OR external_ref ~ '^[1-9][0-9]{0,17}$'),
	CHECK (deleted_at IS NULL OR status = 'revoked')
);
-- One live connection per provider and staff member, and one tenant-wide
-- connection per provider (NULLS NOT DISTINCT: staff_id NULL counts once).
CREATE UNIQUE INDEX calendar_connections_live ON calendar_connections
    (tenant_id, provider, staff_id) NULLS NOT DISTINCT WHERE deleted_at IS NULL;
CREATE INDEX calendar_connections_list ON calendar_connections (tenant_id, created_at, id);
SELECT tenant_table_setup('calendar_connections');

-- Busy ranges per connection and local day of the tenant, as fetched from
-- the provider: [[start, end], …] in UTC epoch seconds, clipped to the day.
-- Fresh for CALENDAR_BUSY_TTL_S; a stale row is still served when the
-- provider fails.
CREATE TABLE calendar_busy_cache (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	connection_id uuid NOT NULL,
	day date NOT NULL,
	busy jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(busy) = 'array'),
	fetched_at timestamptz NOT NULL DEFAULT now(),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, connection_id, day),
	FOREIGN KEY (tenant_id, connection_id) REFERENCES calendar_connections (tenant_id, id)
	    ON DELETE CASCADE
);
SELECT tenant_table_setup('calendar_busy_cache');

-- An OAuth authorisation in flight. The state parameter is signed (and
-- names the tenant); this row makes it single-use and short-lived. Only the
-- SHA-256 of the state's nonce is stored.
CREATE TABLE calendar_oauth_states (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	nonce_hash bytea NOT NULL CHECK (length(nonce_hash) = 32),
	user_id uuid,
	staff_id uuid,
	calendar_id text NOT NULL DEFAULT 'primary' CHECK (length(calendar_id) BETWEEN 1 AND 1024),
	expires_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, nonce_hash),
	FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_oauth_states_expiry ON calendar_oauth_states (expires_at);
SELECT tenant_table_setup('calendar_oauth_states');

-- Token buckets per tenant and provider, shared by every `serve` and
-- `worker` process (Cal.com allows 120 requests a minute per account, and
-- both processes call it). The arithmetic is the application's
-- (calendar_bucket_take); the row is its state, locked while it is used.
CREATE TABLE calendar_rate_buckets (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	provider text NOT NULL CHECK (provider IN ('google', 'calcom')),
	tokens double precision NOT NULL CHECK (tokens >= 0),
	refilled_at timestamptz NOT NULL DEFAULT now(),
	-- Set from a 429's Retry-After: nothing is sent before it.
	blocked_until timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, provider)
);
SELECT tenant_table_setup('calendar_rate_buckets');

-- What booking_calendar_events (0006) must also remember: which connection
-- holds the event (so a move or cancel goes to the same calendar even if
-- connections change), the times the provider has (to know when an update
-- is due, and to tell our own events from other busy times), and when the
-- reconciliation last looked at the event.
ALTER TABLE booking_calendar_events ADD COLUMN IF NOT EXISTS connection_id uuid;
ALTER TABLE booking_calendar_events ADD COLUMN IF NOT EXISTS synced_starts_at timestamptz;
ALTER TABLE booking_calendar_events ADD COLUMN IF NOT EXISTS synced_ends_at timestamptz;
ALTER TABLE booking_calendar_events ADD COLUMN IF NOT EXISTS remote_checked_at timestamptz;
ALTER TABLE booking_calendar_events ADD COLUMN IF NOT EXISTS attempts int NOT NULL DEFAULT 0;
-- Connections are only ever soft-deleted, so the event keeps its reference.
ALTER TABLE booking_calendar_events ADD CONSTRAINT booking_calendar_events_connection_fk
    FOREIGN KEY (tenant_id, connection_id) REFERENCES calendar_connections (tenant_id, id);
CREATE INDEX IF NOT EXISTS booking_calendar_events_connection
    ON booking_calendar_events (tenant_id, connection_id, state);
CREATE INDEX IF NOT EXISTS booking_calendar_events_attention
    ON booking_calendar_events (tenant_id, updated_at DESC) WHERE state <> 'synced';

-- Before a webhook is verified its tenant is unknown: these two narrow
-- lookups (ids only, never a secret) find it from the connection named in
-- the webhook URL, or from the Cal.com booking uid we stored.
CREATE FUNCTION calendar_webhook_tenant(p_connection uuid)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT c.tenant_id FROM calendar_connections c
	WHERE c.id = p_connection AND c.provider = 'calcom' AND c.deleted_at IS NULL
$$;

CREATE FUNCTION calendar_webhook_by_uid(p_uid text)
RETURNS TABLE (tenant_id uuid, connection_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT e.tenant_id, e.connection_id FROM booking_calendar_events e
	WHERE e.provider = 'calcom' AND e.external_id = p_uid AND e.connection_id IS NOT NULL
	LIMIT 1
$$;

-- The periodic reconciliation's list of tenants to look at: those with a
-- live Google connection.
CREATE FUNCTION calendar_reconcile_tenants()
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT DISTINCT c.tenant_id FROM calendar_connections c
	JOIN tenants t ON t.id = c.tenant_id AND t.status = 'active'
	WHERE c.provider = 'google' AND c.status = 'active' AND c.deleted_at IS NULL
$$;

-- Expired OAuth states go with the hourly purge (a platform job, so this
-- is SECURITY DEFINER too).
CREATE FUNCTION calendar_purge_states() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE n bigint;
BEGIN
	DELETE FROM calendar_oauth_states s WHERE s.expires_at < now() - interval '1 hour';
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

REVOKE ALL ON FUNCTION calendar_webhook_tenant(uuid), calendar_webhook_by_uid(text),
    calendar_reconcile_tenants(), calendar_purge_states() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION calendar_webhook_tenant(uuid), calendar_webhook_by_uid(text),
    calendar_reconcile_tenants(), calendar_purge_states() TO receptionist_app;
