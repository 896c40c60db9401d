-- 04_tenant_isolation: with tenant A set, the runtime role sees exactly A's
-- rows, cannot write a row for tenant B, cannot touch B's rows, and cannot
-- move one of A's rows over to B. Checked table by table for the tables the
-- migrations define, and generically for every tenant table.
BEGIN;
SELECT plan(51);

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

CREATE TEMP TABLE tap_tenant_tables AS
SELECT c.oid::regclass AS tbl, c.relname::text AS name,
    CASE c.relname WHEN 'tenants' THEN 'id' ELSE 'tenant_id' END AS col
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped));

-- Helpers; they run with the caller's rights.
CREATE FUNCTION pg_temp.visible_rows(t regclass, filter text DEFAULT 'true') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM %s WHERE %s', t, filter) INTO n;
	RETURN n;
END $$;
CREATE FUNCTION pg_temp.affected(q text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE q;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;
-- '00000' when q runs, else the SQLSTATE it fails with (changes undone).
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN '00000';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $$;

-- What the superuser sees per tenant: the truth the runtime role's view is
-- compared with.
ALTER TABLE tap_tenant_tables ADD n_a bigint, ADD n_b bigint;
UPDATE tap_tenant_tables SET
    n_a = pg_temp.visible_rows(tbl, format('%I = %L', col, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa')),
    n_b = pg_temp.visible_rows(tbl, format('%I = %L', col, 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'));
GRANT SELECT ON tap_tenant_tables TO receptionist_app;

-- One INSERT per tenant table, %1$L being the tenant id; control = false
-- where tenant A already has its single row (one-row-per-tenant tables).
CREATE TEMP TABLE tap_inserts (name text PRIMARY KEY, tpl text NOT NULL,
    control boolean NOT NULL DEFAULT true);
INSERT INTO tap_inserts VALUES
    ('tenant_profiles', $$INSERT INTO tenant_profiles (tenant_id, business_name) VALUES (%1$L, 'Intruder')$$, false),
    ('tenant_branding', $$INSERT INTO tenant_branding (tenant_id, display_name) VALUES (%1$L, 'Intruder')$$, false),
    ('business_hours', $$INSERT INTO business_hours (tenant_id, weekday, opens, closes) VALUES (%1$L, 3, '08:00', '09:00')$$, true),
    ('closures', $$INSERT INTO closures (tenant_id, day) VALUES (%1$L, '2031-06-01')$$, true),
    ('tenant_domains', $$INSERT INTO tenant_domains (tenant_id, hostname, kind) VALUES (%1$L, 'x' || md5(%1$L) || '.example.test', 'custom')$$, true),
    ('widget_origins', $$INSERT INTO widget_origins (tenant_id, origin) VALUES (%1$L, 'https://intruder.example.test')$$, true),
    ('tenant_memberships', $$INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (%1$L, 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', 'VIEWER')$$, true),
    ('audit_log', $$INSERT INTO audit_log (tenant_id, actor_type, action) VALUES (%1$L, 'user', 'closure.created')$$, true),
    ('idempotency_keys', $$INSERT INTO idempotency_keys (tenant_id, scope, key, request_hash) VALUES (%1$L, 'bookings.create', 'key-2', '\x01')$$, true),
    ('jobs', $$INSERT INTO jobs (tenant_id, kind, unique_key) VALUES (%1$L, 'email.send', 'booking:42')$$, true);
GRANT SELECT ON tap_inserts TO receptionist_app;
INSERT INTO users (id, email, password_hash) VALUES
    ('dddddddd-dddd-4ddd-8ddd-dddddddddddd', 'tap-viewer@example.test', 'x');

-- The generic checks below mean something only for tables holding rows of
-- both tenants. A new tenant table makes this fail until it gets fixture
-- rows above.
SELECT is(ARRAY(SELECT name FROM tap_tenant_tables WHERE n_a = 0 OR n_b = 0 ORDER BY 1),
    '{}'::text[], 'fixtures: every tenant table holds rows of both tenants A and B');

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

-- Reading ------------------------------------------------------------------

SELECT is(pg_temp.visible_rows(name::regclass), n_a,
    format('tenant A sees exactly its own %s rows', name))
FROM tap_tenant_tables
WHERE name IN ('tenants', 'tenant_profiles', 'tenant_branding', 'business_hours',
    'closures', 'tenant_domains', 'widget_origins', 'tenant_memberships',
    'audit_log', 'idempotency_keys', 'jobs', 'webhook_events')
ORDER BY name;

SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'SELECT')
            AND pg_temp.visible_rows(tbl, format('%I IS DISTINCT FROM %L', col,
                'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa')) > 0
        ORDER BY 1),
    '{}'::text[],
    'no tenant table shows tenant A a row of another tenant (or of none)');

SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'SELECT') AND pg_temp.visible_rows(tbl) <> n_a
        ORDER BY 1),
    '{}'::text[],
    'every tenant table shows tenant A all of its rows and no others');

SELECT is_empty($$ SELECT * FROM closures WHERE tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$,
    'asking for tenant B''s rows by tenant_id returns nothing');

-- Statements without a WHERE clause reach tenant A's rows and no others.
SELECT is(pg_temp.affected($$ UPDATE jobs SET status = 'dead' $$),
    (SELECT n_a FROM tap_tenant_tables WHERE name = 'jobs'),
    'UPDATE of all jobs touches only tenant A''s jobs');
SELECT is(pg_temp.affected($$ DELETE FROM business_hours $$),
    (SELECT n_a FROM tap_tenant_tables WHERE name = 'business_hours'),
    'DELETE of all business hours removes only tenant A''s');

-- Inserting ----------------------------------------------------------------

SELECT is(pg_temp.sqlstate_of(format(tpl, 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')), '42501',
    format('INSERT into %s of a row for tenant B is refused (42501)', name))
FROM tap_inserts ORDER BY name;

SELECT throws_ok($$ INSERT INTO tenants (id, slug)
    VALUES ('bbbbbbbb-0000-4000-8000-000000000000', 'tap-new') $$, '42501', NULL,
    'INSERT into tenants is refused');

-- The same statements for tenant A go through, so the refusals above are
-- about the tenant and nothing else.
SELECT is(pg_temp.sqlstate_of(format(tpl, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa')), '00000',
    format('control: INSERT into %s of a row for tenant A succeeds', name))
FROM tap_inserts WHERE control ORDER BY name;

-- Updating -----------------------------------------------------------------

SELECT is(pg_temp.affected($$ UPDATE closures SET reason = 'hijacked'
    WHERE tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$), 0::bigint,
    'UPDATE of tenant B''s closures affects 0 rows');
SELECT throws_ok($$ UPDATE tenants SET plan = 'enterprise', status = 'suspended'
    WHERE id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$, '42501', NULL,
    'UPDATE of any tenants row (plan, status) is refused to the runtime role');
SELECT is(pg_temp.affected($$ UPDATE tenant_domains SET verification_state = 'verified'
    WHERE tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$), 0::bigint,
    'UPDATE of tenant B''s domains affects 0 rows');
SELECT is(pg_temp.affected($$ UPDATE closures SET reason = 'Christmas'
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' AND day = '2030-12-25' $$), 1::bigint,
    'control: UPDATE of tenant A''s closure affects 1 row');

SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'UPDATE')
            AND pg_temp.affected(format('UPDATE %s SET %I = %I WHERE %I = %L', tbl, col, col,
                col, 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')) <> 0
        ORDER BY 1),
    '{}'::text[],
    'in every tenant table, UPDATE of tenant B''s rows affects 0 rows');

SELECT throws_ok($$ UPDATE closures SET tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' $$, '42501', NULL,
    'UPDATE moving a closure of A to tenant B is refused (42501)');
SELECT throws_ok($$ UPDATE tenants SET id = 'bbbbbbbb-0000-4000-8000-000000000000'
    WHERE id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' $$, '42501', NULL,
    'UPDATE changing tenant A''s own id is refused (42501)');
SELECT throws_ok($$ UPDATE jobs SET tenant_id = NULL $$, '42501', NULL,
    'UPDATE turning tenant A''s job into a platform job is refused (42501)');

SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'UPDATE') AND n_a > 0
            AND pg_temp.sqlstate_of(format('UPDATE %s SET %I = %L WHERE %I = %L', tbl, col,
                'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', col,
                'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa')) <> '42501'
        ORDER BY 1),
    '{}'::text[],
    'in every tenant table, UPDATE moving A''s rows to tenant B is refused (42501)');

-- Deleting -----------------------------------------------------------------

SELECT is(pg_temp.affected($$ DELETE FROM closures
    WHERE tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$), 0::bigint,
    'DELETE of tenant B''s closures affects 0 rows');

SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'DELETE')
            AND pg_temp.affected(format('DELETE FROM %s WHERE %I = %L', tbl, col,
                'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')) <> 0
        ORDER BY 1),
    '{}'::text[],
    'in every tenant table, DELETE of tenant B''s rows affects 0 rows');

-- Tenant B, later in the same transaction, sees its own rows, untouched.
SELECT FROM set_config('app.tenant_id', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', true);
SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE has_table_privilege(tbl, 'SELECT') AND pg_temp.visible_rows(tbl) <> n_b
        ORDER BY 1),
    '{}'::text[],
    'switching to tenant B shows B all of its rows and no others');

RESET ROLE;

-- What tenant A tried must have left tenant B exactly as it was.
SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables
        WHERE pg_temp.visible_rows(tbl, format('%I = %L', col,
            'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')) <> n_b
        ORDER BY 1),
    '{}'::text[],
    'tenant B has exactly the rows it had in every tenant table');
SELECT results_eq(
    $$ SELECT t.plan, t.status, c.reason, d.verification_state
       FROM tenants t
       JOIN closures c ON c.tenant_id = t.id
       JOIN tenant_domains d ON d.tenant_id = t.id
       WHERE t.id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$,
    $$ VALUES ('free', 'active', 'Holiday', 'pending') $$,
    'tenant B''s plan, status, closure and domain are unchanged');

SELECT * FROM finish();
ROLLBACK;
