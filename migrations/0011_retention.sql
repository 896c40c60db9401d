-- 0011_retention: how long the product keeps personal data, and what the
-- periodic retention job (system.retention) needs to remove what is past
-- it. That job is the only hard delete in the product.
--
-- Per tenant (retention_settings, editable by OWNER/ADMIN):
--   chat transcripts: conversations and their messages, transcript_days
--     (default 90, 30–365) after the conversation's last activity;
--   customers and their bookings: customer_months (default 24, 12–60)
--     after the customer's last booking (or their creation, if they never
--     booked).
-- Platform-wide (not the tenant's choice): webhook payloads and delivered
-- (sent or failed) outbox messages, 30 days; the application passes it.
--
-- Erasure (POST /v1/admin/customers/{id}/erase) anonymises a customer in
-- place so their bookings still count in the business's books: the row
-- keeps its id and loses its name, e-mail and phone.

CREATE TABLE retention_settings (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	transcript_days int NOT NULL DEFAULT 90 CHECK (transcript_days BETWEEN 30 AND 365),
	customer_months int NOT NULL DEFAULT 24 CHECK (customer_months BETWEEN 12 AND 60),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT business_table_setup('retention_settings', false);

CREATE FUNCTION tenant_retention_defaults() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO retention_settings (tenant_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenant_retention_defaults() FROM PUBLIC;
CREATE TRIGGER retention_defaults AFTER INSERT ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenant_retention_defaults();
INSERT INTO retention_settings (tenant_id) SELECT id FROM tenants;

-- An erased customer has neither e-mail nor phone: the "reachable" rule
-- of 0006 holds for everyone else.
ALTER TABLE customers ADD COLUMN erased_at timestamptz;
ALTER TABLE customers DROP CONSTRAINT customers_check;
ALTER TABLE customers ADD CONSTRAINT customers_reachable
    CHECK (email IS NOT NULL OR phone IS NOT NULL OR erased_at IS NOT NULL);

-- The job finds expired customers by their bookings' end.
CREATE INDEX bookings_customer_ends ON bookings (tenant_id, customer_id, ends_at);
-- Finished outbox mail and old webhook payloads by age (old conversations
-- are found through conversations_recent).
CREATE INDEX notification_outbox_finished ON notification_outbox (tenant_id, updated_at)
    WHERE status <> 'queued';
CREATE INDEX platform_outbox_finished ON platform_outbox (updated_at)
    WHERE status <> 'queued';
CREATE INDEX webhook_events_received ON webhook_events (received_at);

-- Rows removed by the retention job since the database was created, per
-- table: the Prometheus counters retention_deleted_rows_total{table} that
-- `serve` renders at /metrics (the job runs in `worker`, which serves no
-- HTTP, so the count lives where both processes see it). A platform
-- table: reached through the functions below only.
CREATE TABLE retention_totals (
	tbl text PRIMARY KEY CHECK (tbl ~ '^[a-z_]{1,63}$'),
	rows_deleted bigint NOT NULL DEFAULT 0 CHECK (rows_deleted >= 0),
	updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE retention_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE retention_totals FORCE ROW LEVEL SECURITY;

CREATE FUNCTION retention_count(p_table text, p_rows bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	INSERT INTO retention_totals AS t (tbl, rows_deleted) VALUES (p_table, greatest(p_rows, 0))
	ON CONFLICT (tbl) DO UPDATE SET rows_deleted = t.rows_deleted + greatest(p_rows, 0),
	    updated_at = now()
$$;

CREATE FUNCTION retention_totals_read() RETURNS TABLE (tbl text, rows_deleted bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT t.tbl, t.rows_deleted FROM retention_totals t ORDER BY t.tbl
$$;

-- The current tenant's webhook payloads older than p_days, at most p_limit
-- of them (the runtime role may only read webhook_events).
CREATE FUNCTION retention_purge_webhooks(p_days int, p_limit int) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE n bigint;
BEGIN
	DELETE FROM webhook_events w WHERE w.id IN (SELECT e.id FROM webhook_events e
	    WHERE e.tenant_id = app_tenant()
	        AND e.received_at < now() - make_interval(days => p_days)
	    ORDER BY e.received_at LIMIT p_limit);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

-- What belongs to no tenant: webhook payloads whose tenant was never
-- known, and finished platform mail (password resets), older than
-- p_days, at most p_limit rows of each.
CREATE FUNCTION retention_purge_platform(p_days int, p_limit int)
RETURNS TABLE (webhook_events bigint, platform_outbox bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	n_hooks bigint;
	n_mail bigint;
BEGIN
	DELETE FROM webhook_events w WHERE w.id IN (SELECT e.id FROM webhook_events e
	    WHERE e.tenant_id IS NULL AND e.received_at < now() - make_interval(days => p_days)
	    ORDER BY e.received_at LIMIT p_limit);
	GET DIAGNOSTICS n_hooks = ROW_COUNT;
	DELETE FROM platform_outbox o WHERE o.id IN (SELECT p.id FROM platform_outbox p
	    WHERE p.status <> 'queued' AND p.updated_at < now() - make_interval(days => p_days)
	    ORDER BY p.updated_at LIMIT p_limit);
	GET DIAGNOSTICS n_mail = ROW_COUNT;
	PERFORM retention_count('webhook_events', n_hooks);
	PERFORM retention_count('platform_outbox', n_mail);
	RETURN QUERY SELECT n_hooks, n_mail;
END $$;

-- The tenants a run walks through, each then in its own transaction:
-- every status (a suspended business's customers age like anyone's).
CREATE FUNCTION retention_tenants() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT t.id FROM tenants t ORDER BY t.id
$$;

REVOKE ALL ON FUNCTION retention_count(text, bigint), retention_totals_read(),
    retention_purge_webhooks(int, int), retention_purge_platform(int, int),
    retention_tenants() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention_count(text, bigint), retention_totals_read(),
    retention_purge_webhooks(int, int), retention_purge_platform(int, int),
    retention_tenants() TO receptionist_app;
