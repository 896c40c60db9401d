-- 04_tenant_isolation: with tenant A set, the runtime role sees exactly A's
-- rows, cannot write a row for tenant B, cannot touch B's rows, and cannot
-- move one of A's rows over to B. Checked table by table for the tables the
-- migrations define, and generically for every tenant table.
BEGIN;
SELECT plan(51);

\ir fixtures/two_tenants.sql

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
\ir fixtures/sqlstate_of.sql

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
-- rows in fixtures/two_tenants.sql.
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
