-- 07_tenant_resolution: the SECURITY DEFINER functions that find a tenant
-- before any tenant is known. tenant_resolve_host answers only for
-- subdomains and verified custom domains; tenant_resolve_ref takes a slug or
-- an id. Both return an id and a status, nothing else, and work for the
-- runtime role with no tenant set while RLS keeps hiding the tables.
BEGIN;
SELECT plan(28);

-- SECURITY DEFINER hygiene, for every such function (later ones included).
SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prosecdef
            AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
        ORDER BY 1),
    '{}'::text[],
    'every SECURITY DEFINER function pins its search_path');
SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prosecdef
            AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
        ORDER BY 1),
    '{}'::text[],
    'no SECURITY DEFINER function is executable by PUBLIC');
SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prosecdef
            AND p.proowner <> 'receptionist_owner'::regrole
        ORDER BY 1),
    '{}'::text[],
    'every SECURITY DEFINER function runs as receptionist_owner (not a superuser)');

SELECT is(pg_get_function_result('tenant_resolve_host(text)'::regprocedure),
    'TABLE(tenant_id uuid, status text, plan text)',
    'tenant_resolve_host returns an id, a status and a plan, nothing else');
SELECT is(pg_get_function_result('tenant_resolve_ref(text)'::regprocedure),
    'TABLE(tenant_id uuid, status text, plan text)',
    'tenant_resolve_ref returns an id, a status and a plan, nothing else');

INSERT INTO tenants (id, slug, status, plan) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha', 'active', 'free'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo', 'suspended', 'pro');
INSERT INTO tenant_domains (tenant_id, hostname, kind, verification_state, verified_at, deleted_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha.receptionist.test', 'subdomain', 'pending', NULL, NULL),
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'book.alpha-dental.test', 'custom', 'verified', now(), NULL),
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'old.alpha-dental.test', 'custom', 'verified', now(), now()),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo.receptionist.test', 'subdomain', 'pending', NULL, NULL),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'book.bravo-dental.test', 'custom', 'pending', NULL, NULL),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'www.bravo-dental.test', 'custom', 'failed', NULL, NULL);

-- tenant_resolve_ref's answer as text, or the error it raised, so that a
-- failure is reported as such instead of ending the script.
CREATE FUNCTION pg_temp.try_resolve_ref(p_ref text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN (SELECT string_agg(r.tenant_id || ' ' || r.status, ', ')
	    FROM tenant_resolve_ref(p_ref) r);
EXCEPTION WHEN OTHERS THEN
	RETURN 'error ' || SQLSTATE || ': ' || SQLERRM;
END $$;

SET LOCAL ROLE receptionist_app;

SELECT is((SELECT count(*) FROM tenant_domains), 0::bigint,
    'without a tenant the runtime role sees no domain rows (RLS still applies)');

-- By host ------------------------------------------------------------------

SELECT results_eq($$ SELECT tenant_id, status FROM tenant_resolve_host('tap-alpha.receptionist.test') $$,
    $$ VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid, 'active') $$,
    'a subdomain resolves to its tenant');
SELECT results_eq($$ SELECT tenant_id, status FROM tenant_resolve_host('book.alpha-dental.test') $$,
    $$ VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid, 'active') $$,
    'a verified custom domain resolves to its tenant');
SELECT results_eq($$ SELECT tenant_id, status FROM tenant_resolve_host('Book.Alpha-Dental.TEST') $$,
    $$ VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid, 'active') $$,
    'host names match case-insensitively');
SELECT results_eq($$ SELECT tenant_id, status FROM tenant_resolve_host('tap-bravo.receptionist.test') $$,
    $$ VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'::uuid, 'suspended') $$,
    'a suspended tenant resolves with its status, for the caller to refuse');
SELECT results_eq($$ SELECT plan FROM tenant_resolve_host('tap-bravo.receptionist.test') $$,
    $$ VALUES ('pro') $$, 'resolution by host returns the tenant''s plan');
SELECT results_eq($$ SELECT plan FROM tenant_resolve_ref('tap-bravo') $$,
    $$ VALUES ('pro') $$, 'resolution by reference returns the tenant''s plan');
SELECT is_empty($$ SELECT tenant_id, status FROM tenant_resolve_host('book.bravo-dental.test') $$,
    'a pending custom domain does not resolve');
SELECT is_empty($$ SELECT tenant_id, status FROM tenant_resolve_host('www.bravo-dental.test') $$,
    'a custom domain that failed verification does not resolve');
SELECT is_empty($$ SELECT tenant_id, status FROM tenant_resolve_host('old.alpha-dental.test') $$,
    'a deleted custom domain does not resolve');
SELECT is_empty($$ SELECT tenant_id, status FROM tenant_resolve_host('nobody.example.test') $$,
    'an unknown host does not resolve');

RESET ROLE;
UPDATE tenant_domains SET verification_state = 'verified', verified_at = now()
WHERE hostname = 'book.bravo-dental.test';
SET LOCAL ROLE receptionist_app;

SELECT results_eq($$ SELECT tenant_id, status FROM tenant_resolve_host('book.bravo-dental.test') $$,
    $$ VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'::uuid, 'suspended') $$,
    'once verified, the custom domain resolves');

-- By reference (slug or id) ---------------------------------------------------

SELECT results_eq($$ SELECT tenant_id, status FROM tenant_resolve_ref('tap-alpha') $$,
    $$ VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid, 'active') $$,
    'a slug resolves to its tenant');
SELECT results_eq($$ SELECT tenant_id, status FROM tenant_resolve_ref('TAP-Alpha') $$,
    $$ VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid, 'active') $$,
    'slugs match case-insensitively');
SELECT results_eq($$ SELECT tenant_id, status FROM tenant_resolve_ref('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb') $$,
    $$ VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'::uuid, 'suspended') $$,
    'an id resolves to its tenant');
SELECT results_eq($$ SELECT tenant_id, status FROM tenant_resolve_ref('AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA') $$,
    $$ VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid, 'active') $$,
    'an id in upper case resolves too');
SELECT is_empty($$ SELECT tenant_id, status FROM tenant_resolve_ref('no-such-tenant') $$,
    'an unknown slug resolves to nothing (no error)');
SELECT is_empty($$ SELECT tenant_id, status FROM tenant_resolve_ref('99999999-9999-4999-8999-999999999999') $$,
    'an unknown id resolves to nothing');
SELECT is_empty($$ SELECT tenant_id, status FROM tenant_resolve_ref('') $$,
    'an empty reference resolves to nothing');
SELECT is_empty($$ SELECT tenant_id, status FROM tenant_resolve_ref('tap-alpha'' OR ''1''=''1') $$,
    'a reference is data, not SQL');

-- Whatever plan the planner picks. With many tenants it uses the indexes
-- (a BitmapOr over slug and id); disabling sequential scans forces that plan
-- here with two tenants. A slug must then still resolve, and not fail on
-- being cast to uuid.
SET LOCAL enable_seqscan = off;
SELECT lives_ok($$ SELECT tenant_id, status FROM tenant_resolve_ref('tap-alpha') $$,
    'index plan: resolving by slug does not raise an error');
SELECT is(pg_temp.try_resolve_ref('tap-bravo'), 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb suspended',
    'index plan: a slug resolves to its tenant');
SELECT is(pg_temp.try_resolve_ref('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'),
    'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa active',
    'index plan: an id resolves to its tenant');
RESET enable_seqscan;

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
