-- 03_no_tenant_context: without a valid tenant in app.tenant_id the runtime
-- role sees nothing and can write nothing, although rows of two tenants (and
-- tenant-less platform rows) exist. "No valid tenant" covers: never set,
-- set to '', set to something that is not a uuid, set to an unknown uuid.
BEGIN;
SELECT plan(59);

\ir fixtures/two_tenants.sql

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
-- table makes this fail until it gets rows in fixtures/two_tenants.sql.
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
