-- 01_rls_coverage: every tenant-owned table is under row-level security.
--
-- Written over the catalogs, not over a list of names, so a table added by a
-- later migration is covered the moment it has a tenant_id column. Each
-- assertion returns the offending tables, so a failure names them.
BEGIN;
SELECT plan(9);

-- The tenant-owned tables: every base or partitioned table in public with a
-- tenant_id column, plus tenants itself (whose own id is its tenant).
CREATE TEMP VIEW tap_tenant_tables AS
SELECT c.oid::regclass AS tbl, c.relname::text AS name,
    c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    AND (c.relname = 'tenants' OR (n.nspname, c.relname) IN (
        SELECT table_schema, table_name FROM information_schema.columns
        WHERE column_name = 'tenant_id'));

-- Guards the query above: if it ever stopped finding tables (schema renamed,
-- column renamed), every assertion below would pass on an empty set.
SELECT is(
    ARRAY(SELECT unnest(ARRAY['tenants', 'tenant_profiles', 'tenant_branding',
        'business_hours', 'closures', 'tenant_domains', 'widget_origins',
        'tenant_memberships', 'audit_log', 'idempotency_keys', 'webhook_events',
        'jobs'])
        EXCEPT SELECT name FROM tap_tenant_tables),
    '{}'::text[],
    'the generic query finds every tenant table the migrations define');

SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables WHERE NOT relrowsecurity ORDER BY 1),
    '{}'::text[],
    'every table with a tenant_id column has row-level security ENABLEd');

SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables WHERE NOT relforcerowsecurity ORDER BY 1),
    '{}'::text[],
    'every table with a tenant_id column has row-level security FORCEd');

SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class
    WHERE oid = 'public.tenants'::regclass),
    'tenants itself has row-level security enabled and forced');

SELECT is(
    ARRAY(SELECT name FROM tap_tenant_tables t
        WHERE NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = t.tbl)
        ORDER BY 1),
    '{}'::text[],
    'every tenant table has at least one policy');

-- Permissive policies OR together, so a single USING (true) policy would open
-- a table to every tenant: each permissive policy on a tenant table must be
-- `tenant column = app_tenant()`, alone or ANDed with further conditions, in
-- USING and in WITH CHECK (absent means USING applies). Restrictive policies
-- only ever narrow, so they are free.
SELECT is(
    ARRAY(SELECT format('%s.%s', p.tablename, p.policyname)
        FROM pg_policies p JOIN tap_tenant_tables t ON t.tbl = format('%I.%I',
            p.schemaname, p.tablename)::regclass
        CROSS JOIN LATERAL (SELECT format('(%s = app_tenant())',
            CASE t.name WHEN 'tenants' THEN 'id' ELSE 'tenant_id' END) AS want) w
        WHERE p.permissive = 'PERMISSIVE' AND (
            NOT coalesce(p.qual = w.want OR p.qual LIKE '(' || w.want || ' AND %', false)
            OR NOT coalesce(p.with_check = w.want
                OR p.with_check LIKE '(' || w.want || ' AND %', true))
        ORDER BY 1),
    '{}'::text[],
    'every permissive policy on a tenant table requires tenant column = app_tenant()');

-- Only jobs and webhook_events may carry rows with no tenant (platform jobs,
-- provider events whose tenant is not known yet).
SELECT is(
    ARRAY(SELECT table_name::text FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name = 'tenant_id'
            AND is_nullable = 'YES'
            AND table_name IN (SELECT name FROM tap_tenant_tables)
            AND table_name NOT IN ('jobs', 'webhook_events')
        ORDER BY 1),
    '{}'::text[],
    'tenant_id is NOT NULL on every tenant table (except jobs, webhook_events)');

-- A view runs with its owner's rights; the owner has BYPASSRLS, so a view
-- without security_invoker would hand every tenant's rows to whoever reads it.
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'v'
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                AND d.objid = c.oid AND d.deptype = 'e')
            AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)
            AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=on'], false)
        ORDER BY 1),
    '{}'::text[],
    'every view in public is security_invoker (no RLS bypass through views)');

-- Materialized views cannot have RLS at all.
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'm'
            AND has_table_privilege('receptionist_app', c.oid, 'SELECT')
        ORDER BY 1),
    '{}'::text[],
    'the runtime role can read no materialized view (they have no RLS)');

SELECT * FROM finish();
ROLLBACK;
