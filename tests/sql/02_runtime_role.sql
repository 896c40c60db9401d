-- 02_runtime_role: receptionist_app, the role `serve` and `worker` connect
-- as, can do nothing that would let it step around row-level security:
-- it owns nothing, is no superuser, has no BYPASSRLS, cannot become a role
-- that has, and cannot create objects of its own.
BEGIN;
SELECT plan(20);

SELECT isnt_superuser('receptionist_app', 'the runtime role is not a superuser');

SELECT ok(NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = 'receptionist_app'),
    'the runtime role lacks BYPASSRLS');

SELECT ok(NOT (SELECT rolcreaterole OR rolcreatedb FROM pg_roles
    WHERE rolname = 'receptionist_app'),
    'the runtime role can create neither roles nor databases');

-- Membership would hand it the rights of the other role (SET ROLE).
SELECT is(
    ARRAY(SELECT r.rolname::text FROM pg_roles r
        WHERE r.rolname <> 'receptionist_app'
            AND pg_has_role('receptionist_app', r.oid, 'MEMBER')
        ORDER BY 1),
    '{}'::text[],
    'the runtime role is a member of no other role (owner, superuser, pg_*)');

-- Ownership would exempt it from RLS (unless FORCEd) and let it ALTER or
-- DROP policies: it must own no object at all.
SELECT is_empty($$
    SELECT c.oid::regclass FROM pg_class c
    WHERE c.relowner = 'receptionist_app'::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
$$, 'the runtime role owns no table or view');

SELECT is_empty($$
    SELECT c.oid::regclass FROM pg_class c
    WHERE c.relowner = 'receptionist_app'::regrole AND c.relkind = 'S'
$$, 'the runtime role owns no sequence');

SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p
    WHERE p.proowner = 'receptionist_app'::regrole
$$, 'the runtime role owns no function');

SELECT is_empty($$
    SELECT n.nspname FROM pg_namespace n
    WHERE n.nspowner = 'receptionist_app'::regrole
$$, 'the runtime role owns no schema');

-- pg_shdepend records the owner of every object in every database
-- (types, databases, large objects, ...), so this covers what the
-- catalog-by-catalog checks above do not.
SELECT is(
    (SELECT count(*) FROM pg_shdepend
        WHERE refclassid = 'pg_authid'::regclass
            AND refobjid = 'receptionist_app'::regrole AND deptype = 'o'),
    0::bigint,
    'the runtime role owns no object of any kind in any database');

SELECT ok(NOT has_schema_privilege('receptionist_app', 'public', 'CREATE'),
    'the runtime role has no CREATE privilege on schema public');

SELECT ok(NOT has_database_privilege('receptionist_app', current_database(), 'CREATE'),
    'the runtime role has no CREATE privilege on the database');

-- Global (non-tenant) tables such as users and auth_sessions have no RLS
-- policy for the runtime role; it reaches them only through SECURITY
-- DEFINER functions. A later global table it must read has to be added to
-- the allow-list here, deliberately (and read-only).
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            AND c.relname <> 'tenants'
            AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                AND a.attname = 'tenant_id' AND NOT a.attisdropped)
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                AND d.objid = c.oid AND d.deptype = 'e')
            AND has_table_privilege('receptionist_app', c.oid,
                'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
            -- allow-list: `serve` checks at startup that the schema is current
            AND c.relname <> ALL (ARRAY['schema_migrations'])
        ORDER BY 1),
    '{}'::text[],
    'the runtime role has no privilege on any global table (users, auth_sessions, ...)');

SELECT ok(NOT has_table_privilege('receptionist_app', 'public.tenants', 'INSERT, DELETE, TRUNCATE'),
    'the runtime role can neither create nor delete tenants');

-- A default tenant (ALTER ROLE/DATABASE ... SET app.tenant_id) would put
-- every connection that forgot set_config() into that tenant.
SELECT is_empty($$
    SELECT s.setdatabase, s.setrole FROM pg_db_role_setting s, unnest(s.setconfig) c
    WHERE s.setrole IN (0, 'receptionist_app'::regrole) AND c LIKE 'app.tenant\_id=%'
$$, 'no default app.tenant_id is configured for the runtime role or any database');

SELECT isnt_superuser('receptionist_owner',
    'the owner role (which SECURITY DEFINER functions run as) is not a superuser');

-- The same, observed from inside a session of the runtime role. SESSION
-- AUTHORIZATION rather than SET ROLE: SET ROLE is checked against the
-- session user, which would still be the superuser running this file.
SET LOCAL SESSION AUTHORIZATION receptionist_app;

SELECT throws_ok($$ CREATE TABLE public.tap_evil (tenant_id uuid) $$, '42501', NULL,
    'the runtime role cannot CREATE TABLE in public');

SELECT throws_ok($$ CREATE FUNCTION public.tap_evil() RETURNS int LANGUAGE sql AS 'SELECT 1' $$,
    '42501', NULL, 'the runtime role cannot CREATE FUNCTION in public');

SELECT throws_ok($$ SET ROLE receptionist_owner $$, '42501', NULL,
    'the runtime role cannot SET ROLE to the owner');

SELECT throws_ok($$ ALTER TABLE closures NO FORCE ROW LEVEL SECURITY $$, '42501', NULL,
    'the runtime role cannot switch row-level security off (not the owner)');

SELECT throws_ok($$ DROP POLICY tenant_isolation ON closures $$, '42501', NULL,
    'the runtime role cannot drop a tenant policy');

RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
