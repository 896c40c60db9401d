-- 06_audit_log_append_only: the runtime role may add to the audit log and
-- read its own tenant's entries, but never rewrite or remove history, not
-- even its own tenant's.
BEGIN;
SELECT plan(12);

INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');
INSERT INTO audit_log (tenant_id, id, actor_type, action) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-0000000000a1', 'system', 'tenant.created'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-0000000000b1', 'system', 'tenant.created');

SELECT ok(NOT has_table_privilege('receptionist_app', 'public.audit_log', 'UPDATE'),
    'the runtime role has no UPDATE privilege on audit_log');
SELECT ok(NOT has_table_privilege('receptionist_app', 'public.audit_log', 'DELETE'),
    'the runtime role has no DELETE privilege on audit_log');
SELECT ok(NOT has_table_privilege('receptionist_app', 'public.audit_log', 'TRUNCATE'),
    'the runtime role has no TRUNCATE privilege on audit_log');

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

SELECT lives_ok($$ INSERT INTO audit_log (tenant_id, id, actor_type, actor_id, action,
        target_type, target_id, changes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-0000000000a2',
        'user', 'u1', 'closure.created', 'closure', 'c1', '{"day": "2030-12-25"}') $$,
    'the runtime role can append to its tenant''s audit log');
SELECT results_eq($$ SELECT id FROM audit_log ORDER BY id $$,
    $$ VALUES ('a0000000-0000-4000-8000-0000000000a1'::uuid),
              ('a0000000-0000-4000-8000-0000000000a2'::uuid) $$,
    'and read its tenant''s entries back (only those)');

SELECT throws_ok($$ UPDATE audit_log SET action = 'closure.deleted'
    WHERE id = 'a0000000-0000-4000-8000-0000000000a2' $$, '42501', NULL,
    'UPDATE of its own tenant''s audit entry is refused (42501)');
SELECT throws_ok($$ UPDATE audit_log SET changes = NULL $$, '42501', NULL,
    'UPDATE of the whole audit log is refused (42501)');
SELECT throws_ok($$ DELETE FROM audit_log
    WHERE id = 'a0000000-0000-4000-8000-0000000000a1' $$, '42501', NULL,
    'DELETE of its own tenant''s audit entry is refused (42501)');
SELECT throws_ok($$ DELETE FROM audit_log $$, '42501', NULL,
    'DELETE of the whole audit log is refused (42501)');
SELECT throws_ok($$ TRUNCATE audit_log $$, '42501', NULL,
    'TRUNCATE of the audit log is refused (42501)');
SELECT throws_ok($$ INSERT INTO audit_log (tenant_id, actor_type, action)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'user', 'closure.created')
    ON CONFLICT (tenant_id, id) DO UPDATE SET action = 'closure.deleted' $$, '42501', NULL,
    'an upsert (INSERT ... ON CONFLICT DO UPDATE) is refused too (42501)');

RESET ROLE;

SELECT results_eq($$ SELECT id, action FROM audit_log
        WHERE tenant_id IN ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')
        ORDER BY id $$,
    $$ VALUES ('a0000000-0000-4000-8000-0000000000a1'::uuid, 'tenant.created'),
              ('a0000000-0000-4000-8000-0000000000a2'::uuid, 'closure.created'),
              ('b0000000-0000-4000-8000-0000000000b1'::uuid, 'tenant.created') $$,
    'the audit log holds every entry, unchanged');

SELECT * FROM finish();
ROLLBACK;
