-- 20_auth: the account tables of 0004_auth. Tenant tables are under forced
-- RLS; global ones (users, sessions, TOTP, tokens, platform mail) are out of
-- the runtime role's reach except through SECURITY DEFINER functions, which
-- pin their search_path, are not PUBLIC, and enforce what they promise:
-- idle/absolute/revoked sessions, single-use codes and tokens, platform
-- functions only for platform administrators, members of one tenant only.
BEGIN;
SELECT plan(46);

INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');
INSERT INTO users (id, email, password_hash, platform_role) VALUES
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'tap-owner@example.test', 'x', NULL),
    ('dddddddd-dddd-4ddd-8ddd-dddddddddddd', 'tap-admin@example.test', 'x', 'PLATFORM_ADMIN'),
    ('eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', 'tap-bravo@example.test', 'x', NULL);
INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'OWNER'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', 'OWNER');

-- Tenant tables ------------------------------------------------------------

SELECT is(
    ARRAY(SELECT relname::text FROM pg_class
        WHERE relname IN ('notification_outbox', 'tenant_security_settings', 'invitations',
            'api_keys') AND relrowsecurity AND relforcerowsecurity ORDER BY 1),
    ARRAY['api_keys', 'invitations', 'notification_outbox', 'tenant_security_settings'],
    'RLS is enabled and forced on every tenant table of 0004');

SELECT is(
    ARRAY(SELECT relname::text FROM pg_class
        WHERE relname IN ('user_totp', 'user_recovery_codes', 'auth_tokens', 'platform_outbox',
            'users', 'auth_sessions') AND relrowsecurity AND relforcerowsecurity ORDER BY 1),
    ARRAY['auth_sessions', 'auth_tokens', 'platform_outbox', 'user_recovery_codes',
        'user_totp', 'users'],
    'RLS is enabled and forced on the global account tables too (no policy: no rows)');

-- Global tables: no privilege at all ----------------------------------------

SELECT is(
    ARRAY(SELECT t FROM unnest(ARRAY['users', 'auth_sessions', 'user_totp',
        'user_recovery_codes', 'auth_tokens', 'platform_outbox']) t
        WHERE has_table_privilege('receptionist_app', t,
            'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')),
    '{}'::text[],
    'the runtime role has no privilege on users, sessions, TOTP, tokens or platform mail');

-- Functions ---------------------------------------------------------------------

SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prosecdef
            AND NOT coalesce(p.proconfig @> ARRAY['search_path=public, pg_temp'], false)
        ORDER BY 1),
    '{}'::text[],
    'every SECURITY DEFINER function pins search_path = public, pg_temp');

SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prosecdef
            AND has_function_privilege('public', p.oid, 'EXECUTE')
        ORDER BY 1),
    '{}'::text[],
    'no SECURITY DEFINER function is executable by PUBLIC');

SELECT ok(NOT has_function_privilege('receptionist_app',
    'auth_is_platform_admin(uuid)', 'EXECUTE'),
    'the platform-admin probe itself is not callable by the runtime role');

-- Sessions, as the runtime role --------------------------------------------------

INSERT INTO auth_sessions (id, user_id, token_hash, expires_at, last_seen_at, revoked_at) VALUES
    ('10000000-0000-4000-8000-000000000001', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
        '\x01', now() + interval '1 hour', now(), NULL),
    ('10000000-0000-4000-8000-000000000002', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
        '\x02', now() + interval '1 hour', now() - interval '31 minutes', NULL),
    ('10000000-0000-4000-8000-000000000003', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
        '\x03', now() - interval '1 second', now(), NULL),
    ('10000000-0000-4000-8000-000000000004', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
        '\x04', now() + interval '1 hour', now(), now());

SET LOCAL SESSION AUTHORIZATION receptionist_app;

SELECT throws_ok($$ SELECT * FROM users $$, '42501', NULL,
    'the runtime role cannot read users');
SELECT throws_ok($$ SELECT * FROM auth_sessions $$, '42501', NULL,
    'the runtime role cannot read sessions');
SELECT throws_ok($$ SELECT * FROM user_totp $$, '42501', NULL,
    'the runtime role cannot read TOTP secrets');
SELECT throws_ok($$ UPDATE users SET platform_role = 'PLATFORM_ADMIN' $$, '42501', NULL,
    'the runtime role cannot make anyone a platform administrator');

SELECT is((SELECT count(*) FROM auth_session_resolve('\x01', 1800, 60)), 1::bigint,
    'a live session resolves');
SELECT is((SELECT user_id FROM auth_session_resolve('\x01', 1800, 60)),
    'cccccccc-cccc-4ccc-8ccc-cccccccccccc'::uuid, '… to its user');
SELECT is((SELECT count(*) FROM auth_session_resolve('\x02', 1800, 60)), 0::bigint,
    'a session idle longer than the idle timeout does not resolve');
SELECT is((SELECT count(*) FROM auth_session_resolve('\x02', 3600, 60)), 1::bigint,
    '… but does under a longer idle timeout (the timeout is the caller''s setting)');
SELECT is((SELECT count(*) FROM auth_session_resolve('\x03', 1800, 60)), 0::bigint,
    'a session past its absolute expiry does not resolve');
SELECT is((SELECT count(*) FROM auth_session_resolve('\x04', 1800, 60)), 0::bigint,
    'a revoked session does not resolve');
SELECT ok((SELECT auth_session_revoke('10000000-0000-4000-8000-000000000001')),
    'revoking a session');
SELECT is((SELECT count(*) FROM auth_session_resolve('\x01', 1800, 60)), 0::bigint,
    '… ends it at once');

-- TOTP and recovery codes -----------------------------------------------------------

SELECT ok(auth_totp_begin('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '\x00', ('\x' || repeat('00', 24))::bytea, 'k1'),
    'enrolment starts');
SELECT ok(auth_totp_confirm('cccccccc-cccc-4ccc-8ccc-cccccccccccc',
    ARRAY['\xaa'::bytea, '\xbb'::bytea]), 'and is confirmed with two recovery codes');
SELECT ok(NOT auth_totp_begin('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '\x00', ('\x' || repeat('00', 24))::bytea, 'k1'),
    'a confirmed secret cannot be replaced by a new enrolment');
SELECT ok(auth_totp_use_step('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 100), 'time step 100 is accepted');
SELECT ok(NOT auth_totp_use_step('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 100),
    'the same step is refused the second time (no replay)');
SELECT ok(NOT auth_totp_use_step('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 99),
    'an older step is refused');
SELECT ok(auth_recovery_use('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '\xaa'), 'a recovery code works');
SELECT ok(NOT auth_recovery_use('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '\xaa'), '… once');
SELECT is(auth_recovery_remaining('cccccccc-cccc-4ccc-8ccc-cccccccccccc'), 1::bigint,
    'one recovery code remains');

-- Password reset ---------------------------------------------------------------------

SELECT ok(NOT auth_reset_request('nobody@example.test', '\x51', 3600, '{}'),
    'no token for an unknown address');
SELECT ok(auth_reset_request('TAP-owner@example.test', '\x52', 3600, '{}'),
    'a token for a known address, whatever its case');
SELECT is((SELECT email FROM auth_reset_peek('\x52')), 'tap-owner@example.test',
    'the token names its account');
SELECT isnt(auth_reset_consume('\x52', 'newhash'), NULL, 'the token resets the password');
SELECT is(auth_reset_consume('\x52', 'again'), NULL, 'a used token is refused');
SELECT is((SELECT count(*) FROM auth_session_resolve('\x02', 3600, 60)), 0::bigint,
    'a reset signs the account out everywhere');

-- Invitations and members (tenant context) --------------------------------------------

SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
INSERT INTO invitations (tenant_id, email, role, token_hash, expires_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-new@example.test', 'VIEWER', '\x61',
        now() + interval '1 day'),
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-late@example.test', 'VIEWER', '\x62',
        now() - interval '1 second');
SELECT is((SELECT count(*) FROM auth_tenant_members(NULL, NULL, 100, NULL)), 1::bigint,
    'tenant A lists its own member only');
SELECT is((SELECT count(*) FROM auth_invitation_peek('\x62')), 0::bigint,
    'an expired invitation is not live');
SELECT is((SELECT role FROM auth_invitation_accept('\x61', 'New', 'hash', 'req')), 'VIEWER',
    'accepting creates the member with the invited role');
SELECT is((SELECT count(*) FROM auth_invitation_accept('\x61', 'New', 'hash', 'req')), 0::bigint,
    'an invitation is accepted once');
SELECT is((SELECT count(*) FROM auth_tenant_members(NULL, NULL, 100, NULL)), 2::bigint,
    'tenant A now has two members');
SELECT is((SELECT count(*) FROM audit_log WHERE action = 'invitation.accepted'), 1::bigint,
    'the acceptance is in tenant A''s audit log');
SELECT FROM set_config('app.tenant_id', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', true);
SELECT is((SELECT array_agg(email) FROM auth_tenant_members(NULL, NULL, 100, NULL)),
    ARRAY['tap-bravo@example.test'], 'tenant B sees only its own member');

-- API keys ---------------------------------------------------------------------------

SELECT is(
    (SELECT array_agg(n ORDER BY n) FROM pg_proc p, unnest(p.proargnames) n
     WHERE p.proname = 'api_key_lookup' AND p.proargmodes IS NOT NULL),
    ARRAY['key_id', 'p_key_hash', 'tenant_id'],
    'the key lookup returns ids only (tenant and key)');
INSERT INTO api_keys (tenant_id, name, prefix, key_hash, role, scopes, revoked_at) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'live', 'aaaaaaaaaaa1', '\x71', 'ADMIN', '{catalog}', NULL),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'gone', 'aaaaaaaaaaa2', '\x72', 'ADMIN', '{catalog}', now());
SELECT FROM set_config('app.tenant_id', '', true);
SELECT is((SELECT tenant_id FROM api_key_lookup('\x71')),
    'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'::uuid, 'a key is found before any tenant is set');
SELECT is((SELECT count(*) FROM api_key_lookup('\x72')), 0::bigint, 'a revoked key is not');

-- Platform functions ---------------------------------------------------------------------

SELECT throws_ok($$ SELECT * FROM platform_tenants_list('cccccccc-cccc-4ccc-8ccc-cccccccccccc',
    NULL, NULL, NULL, 10) $$, '42501', NULL,
    'a tenant owner cannot list tenants through the platform function');
SELECT throws_ok($$ SELECT platform_tenant_set_status('cccccccc-cccc-4ccc-8ccc-cccccccccccc',
    'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'suspended', 'r') $$, '42501', NULL,
    'a tenant owner cannot suspend a tenant');
SELECT ok((SELECT count(*) FROM platform_tenants_list('dddddddd-dddd-4ddd-8ddd-dddddddddddd',
    NULL, NULL, NULL, 10)) >= 2, 'a platform administrator lists every tenant');

RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
