-- 03_no_tenant_context: without a valid tenant in app.tenant_id the runtime
-- role sees nothing and can write nothing, although rows of two tenants (and
-- tenant-less platform rows) exist. "No valid tenant" covers: never set,
-- set to '', set to something that is not a uuid, set to an unknown uuid.
BEGIN;
SELECT plan(59);

-- Fixtures, inserted as the superuser (RLS does not apply): tenants A and B
-- with rows in every tenant-owned table, plus rows with no tenant at all.
--   A = aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa (tap-alpha)
--   B = bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb (tap-bravo)
INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');
INSERT INTO users (id, email, password_hash) VALUES
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'tap-owner@example.test', 'x');
CREATE TEMP VIEW tap_ab AS
    SELECT id, slug FROM tenants WHERE slug IN ('tap-alpha', 'tap-bravo');
INSERT INTO tenant_profiles (tenant_id, business_name)
    SELECT id, 'Business ' || slug FROM tap_ab;
INSERT INTO tenant_branding (tenant_id, display_name) SELECT id, slug FROM tap_ab;
INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    SELECT id, 1, '09:00', '17:00' FROM tap_ab;
INSERT INTO closures (tenant_id, day, reason) SELECT id, '2030-12-25', 'Holiday' FROM tap_ab;
INSERT INTO tenant_domains (tenant_id, hostname, kind)
    SELECT id, slug || '.receptionist.test', 'subdomain' FROM tap_ab;
INSERT INTO widget_origins (tenant_id, origin)
    SELECT id, 'https://' || slug || '.example.test' FROM tap_ab;
INSERT INTO tenant_memberships (tenant_id, user_id, role)
    SELECT id, 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'OWNER' FROM tap_ab;
INSERT INTO audit_log (tenant_id, actor_type, action)
    SELECT id, 'system', 'tenant.created' FROM tap_ab;
INSERT INTO idempotency_keys (tenant_id, scope, key, request_hash)
    SELECT id, 'bookings.create', 'key-1', '\x00' FROM tap_ab;
INSERT INTO webhook_events (tenant_id, provider, event_id, body_sha256, payload)
    SELECT id, 'stripe', 'evt_tap_' || slug, '\x00'::bytea, '{}'::jsonb FROM tap_ab
    UNION ALL SELECT NULL, 'stripe', 'evt_tap_platform', '\x00', '{}';
INSERT INTO jobs (tenant_id, kind, run_at)
    SELECT id, 'tap.fixture', now() + interval '1 day' FROM tap_ab
    UNION ALL SELECT NULL, 'tap.fixture', now() + interval '1 day';
-- 0004_auth's tenant tables.
INSERT INTO notification_outbox (tenant_id, recipient, template, payload)
    SELECT id, 'someone@' || slug || '.example.test', 'auth.invitation', '{}' FROM tap_ab;
INSERT INTO tenant_security_settings (tenant_id, mfa_required) SELECT id, true FROM tap_ab;
INSERT INTO invitations (tenant_id, email, role, token_hash, expires_at)
    SELECT id, 'invitee@' || slug || '.example.test', 'VIEWER',
        sha256(convert_to('invite-' || slug, 'UTF8')), now() + interval '7 days' FROM tap_ab;
INSERT INTO api_keys (tenant_id, name, prefix, key_hash, role, scopes)
    SELECT id, 'fixture key', substr(md5(slug), 1, 12), sha256(convert_to('key-' || slug, 'UTF8')),
        'ADMIN', '{catalog}' FROM tap_ab;
-- 0005_business's tenant tables (the policies and AI settings rows come
-- with the tenant, from a trigger).
INSERT INTO services (tenant_id, name, duration_minutes, price_minor, currency)
    SELECT id, 'Cut ' || slug, 30, 2500, 'USD' FROM tap_ab;
INSERT INTO service_addons (tenant_id, service_id, name, currency)
    SELECT tenant_id, id, 'Wash', 'USD' FROM services WHERE tenant_id IN (SELECT id FROM tap_ab);
INSERT INTO faqs (tenant_id, question, answer) SELECT id, 'Parking?', 'Yes.' FROM tap_ab;
INSERT INTO staff (tenant_id, display_name) SELECT id, 'Ann ' || slug FROM tap_ab;
INSERT INTO staff_services (tenant_id, staff_id, service_id)
    SELECT s.tenant_id, s.id, v.id FROM staff s JOIN services v USING (tenant_id)
    WHERE s.tenant_id IN (SELECT id FROM tap_ab);
INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    SELECT tenant_id, id, 1, '09:00', '17:00' FROM staff WHERE tenant_id IN (SELECT id FROM tap_ab);
INSERT INTO staff_time_off (tenant_id, staff_id, starts_at, ends_at)
    SELECT tenant_id, id, '2030-01-01T00:00Z', '2030-01-02T00:00Z' FROM staff
    WHERE tenant_id IN (SELECT id FROM tap_ab);
INSERT INTO resources (tenant_id, name) SELECT id, 'Chair' FROM tap_ab;
INSERT INTO resource_services (tenant_id, resource_id, service_id)
    SELECT r.tenant_id, r.id, v.id FROM resources r JOIN services v USING (tenant_id)
    WHERE r.tenant_id IN (SELECT id FROM tap_ab);
-- 0006_scheduling's tenant tables (the scheduling settings row comes with
-- the tenant, from a trigger): a customer, a booking with one item and its
-- staff claim, a hold with a resource-unit claim, a calendar sync row.
INSERT INTO customers (tenant_id, name, email)
    SELECT id, 'Cus ' || slug, 'cus@' || slug || '.example.test' FROM tap_ab;
INSERT INTO bookings (tenant_id, reference, customer_id, source, starts_at, ends_at)
    SELECT tenant_id, 'ABC234', id, 'portal', '2030-01-07T14:00Z', '2030-01-07T14:30Z'
    FROM customers WHERE tenant_id IN (SELECT id FROM tap_ab);
INSERT INTO booking_items (tenant_id, booking_id, position, service_id, staff_id,
    starts_at, ends_at)
    SELECT b.tenant_id, b.id, 0, v.id, s.id, b.starts_at, b.ends_at
    FROM bookings b JOIN services v USING (tenant_id) JOIN staff s USING (tenant_id)
    WHERE b.tenant_id IN (SELECT id FROM tap_ab);
INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    SELECT tenant_id, booking_id, staff_id, tstzrange(starts_at, ends_at) FROM booking_items
    WHERE tenant_id IN (SELECT id FROM tap_ab);
INSERT INTO holds (tenant_id, token_hash, starts_at, ends_at, expires_at)
    SELECT id, sha256(convert_to('hold-' || slug, 'UTF8')), '2030-01-07T15:00Z',
        '2030-01-07T15:30Z', now() + interval '5 minutes' FROM tap_ab;
INSERT INTO slot_claims (tenant_id, hold_id, resource_id, unit, during, expires_at)
    SELECT h.tenant_id, h.id, r.id, 1, tstzrange(h.starts_at, h.ends_at), h.expires_at
    FROM holds h JOIN resources r USING (tenant_id) WHERE h.tenant_id IN (SELECT id FROM tap_ab);
INSERT INTO booking_calendar_events (tenant_id, booking_id, provider)
    SELECT tenant_id, id, 'google' FROM bookings WHERE tenant_id IN (SELECT id FROM tap_ab);
-- 0007_calendar's tenant tables: a connection (its secret sealed; here
-- opaque bytes), a day of cached busy time, an OAuth state in flight, a
-- rate bucket.
INSERT INTO calendar_connections (tenant_id, provider, external_ref, secret_ct, secret_nonce,
    secret_key_id)
    SELECT id, 'google', 'primary', '\x01', decode(repeat('00', 24), 'hex'), '0123456789abcdef'
    FROM tap_ab;
INSERT INTO calendar_busy_cache (tenant_id, connection_id, day, busy)
    SELECT tenant_id, id, '2030-01-07', '[]' FROM calendar_connections
    WHERE tenant_id IN (SELECT id FROM tap_ab);
INSERT INTO calendar_oauth_states (tenant_id, nonce_hash, expires_at)
    SELECT id, sha256(convert_to('state-' || slug, 'UTF8')), now() + interval '10 minutes'
    FROM tap_ab;
INSERT INTO calendar_rate_buckets (tenant_id, provider, tokens) SELECT id, 'calcom', 10 FROM tap_ab;
-- 0009_usage's tenant tables: a month of AI usage with its split by model,
-- and the tenant's own model settings.
INSERT INTO usage_monthly (tenant_id, month, messages, model_calls)
    SELECT id, '2030-01-01', 3, 4 FROM tap_ab;
INSERT INTO usage_monthly_models (tenant_id, month, provider, model, calls)
    SELECT id, '2030-01-01', 'openai', 'gpt-fixture', 4 FROM tap_ab;
INSERT INTO tenant_llm_settings (tenant_id, provider, model)
    SELECT id, 'anthropic', 'claude-fixture' FROM tap_ab;
-- 0008_conversations's tenant tables: a web conversation with a customer
-- message and the receptionist's reply.
INSERT INTO conversations (tenant_id, channel, session_token_hash, message_count)
    SELECT id, 'web', sha256(convert_to('chat-' || slug, 'UTF8')), 2 FROM tap_ab;
INSERT INTO messages (tenant_id, conversation_id, seq, role, author, content)
    SELECT tenant_id, id, 1, 'user', 'customer', 'hello' FROM conversations
    WHERE tenant_id IN (SELECT id FROM tap_ab)
    UNION ALL SELECT tenant_id, id, 2, 'assistant', 'ai', 'Hi!' FROM conversations
    WHERE tenant_id IN (SELECT id FROM tap_ab);

-- Every tenant-owned table (any table in public with tenant_id, and
-- tenants), found from the catalogs so later tables are covered too.
CREATE TEMP TABLE tap_tenant_tables AS
SELECT c.oid::regclass AS tbl, c.relname::text AS name,
    CASE c.relname WHEN 'tenants' THEN 'id' ELSE 'tenant_id' END AS col
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped));
GRANT SELECT ON tap_tenant_tables TO receptionist_app;

-- Rows of table t the current role can see (runs with the caller's rights).
CREATE FUNCTION pg_temp.visible_rows(t regclass) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM %s', t) INTO n;
	RETURN n;
END $$;

-- How many of the tenants A and B have rows in t.
CREATE FUNCTION pg_temp.fixture_tenants(t regclass, col text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format('SELECT count(DISTINCT %I) FROM %s WHERE %I IN (%L, %L)', col, t, col,
	    'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb') INTO n;
	RETURN n;
END $$;

CREATE TEMP TABLE tap_named (name text PRIMARY KEY);
INSERT INTO tap_named VALUES ('tenants'), ('tenant_profiles'), ('tenant_branding'),
    ('business_hours'), ('closures'), ('tenant_domains'), ('widget_origins'),
    ('tenant_memberships'), ('audit_log'), ('idempotency_keys'), ('jobs'),
    ('webhook_events');
GRANT SELECT ON tap_named TO receptionist_app;

-- Otherwise "sees 0 rows" below could pass on an empty table. A new tenant
-- table makes this fail until it gets fixture rows above.
SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE pg_temp.fixture_tenants(tbl, col) <> 2 ORDER BY 1),
    '{}'::text[],
    'fixtures: every tenant table holds rows of both tenants A and B');

SET LOCAL ROLE receptionist_app;

-- 1. Never set in this transaction.
SELECT is(current_setting('app.tenant_id', true), NULL,
    'app.tenant_id is not set when the transaction starts');
SELECT is(pg_temp.visible_rows(name::regclass), 0::bigint,
    format('no tenant set: %s shows no rows', name)) FROM tap_named ORDER BY name;
SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'SELECT') AND pg_temp.visible_rows(tbl) > 0 ORDER BY 1),
    '{}'::text[],
    'no tenant set: no tenant table shows any row');
SELECT throws_ok($$ INSERT INTO closures (tenant_id, day)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2031-01-01') $$, '42501', NULL,
    'no tenant set: INSERT of a tenant row is refused');

-- 2. Set to the empty string (what a transaction-local setting reverts to).
SELECT FROM set_config('app.tenant_id', '', true);
SELECT is(pg_temp.visible_rows(name::regclass), 0::bigint,
    format('empty tenant: %s shows no rows', name)) FROM tap_named ORDER BY name;
SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'SELECT') AND pg_temp.visible_rows(tbl) > 0 ORDER BY 1),
    '{}'::text[],
    'empty tenant: no tenant table shows any row');
SELECT throws_ok($$ INSERT INTO closures (tenant_id, day)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2031-01-01') $$, '42501', NULL,
    'empty tenant: INSERT of a tenant row is refused');

-- 3. Set to something that is not a uuid.
SELECT FROM set_config('app.tenant_id', 'not-a-uuid'' OR true --', true);
SELECT is(pg_temp.visible_rows(name::regclass), 0::bigint,
    format('garbage tenant: %s shows no rows', name)) FROM tap_named ORDER BY name;
SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'SELECT') AND pg_temp.visible_rows(tbl) > 0 ORDER BY 1),
    '{}'::text[],
    'garbage tenant: no tenant table shows any row');
SELECT throws_ok($$ INSERT INTO closures (tenant_id, day)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2031-01-01') $$, '42501', NULL,
    'garbage tenant: INSERT of a tenant row is refused');

-- 4. A well-formed uuid of no tenant.
SELECT FROM set_config('app.tenant_id', '00000000-0000-4000-8000-000000000000', true);
SELECT is(pg_temp.visible_rows(name::regclass), 0::bigint,
    format('unknown tenant: %s shows no rows', name)) FROM tap_named ORDER BY name;
SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'SELECT') AND pg_temp.visible_rows(tbl) > 0 ORDER BY 1),
    '{}'::text[],
    'unknown tenant: no tenant table shows any row');
SELECT throws_ok($$ INSERT INTO closures (tenant_id, day)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2031-01-01') $$, '42501', NULL,
    'unknown tenant: INSERT of a tenant row is refused');

-- Control: the same role with tenant A set does see rows in each of these
-- tables, so the zeros above come from the missing tenant, not from a
-- missing grant or an empty table.
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
SELECT is(
    ARRAY(SELECT name FROM tap_named WHERE pg_temp.visible_rows(name::regclass) = 0 ORDER BY 1),
    '{}'::text[],
    'control: with tenant A set, each of these tables shows rows');

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
