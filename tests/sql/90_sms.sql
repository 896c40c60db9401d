-- 90_sms: the tables of 0021_sms. Settings, opt-outs and usage are
-- tenant-isolated; an account comes with its sealed token or not at all;
-- an inbound number belongs to one business; the lookup that routes an
-- inbound text before any tenant is known returns an id only, and only for
-- an active tenant.
BEGIN;
SELECT plan(13);

\ir fixtures/sqlstate_of.sql

INSERT INTO tenants (id, slug, plan, status) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha', 'pro', 'active'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo', 'pro', 'active'),
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'tap-charlie', 'pro', 'suspended');
INSERT INTO sms_settings (tenant_id, account_sid, token_ct, token_nonce, token_key_id,
    token_last4, from_number, inbound_number) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'AC' || repeat('0', 32), '\x01',
     decode(repeat('00', 24), 'hex'), '0123456789abcdef', 'abcd', '+15017122662', '+15017122661');
INSERT INTO sms_settings (tenant_id, from_number, inbound_number) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '+15017122663', '+15017122664'),
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', NULL, '+15017122665');
INSERT INTO sms_opt_outs (tenant_id, phone, keyword) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '+14155550101', 'STOP'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '+14155550102', 'STOP');
INSERT INTO sms_usage (tenant_id, month, sent) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', date_trunc('month', now())::date, 3),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', date_trunc('month', now())::date, 7);

SELECT is(pg_temp.sqlstate_of($$ INSERT INTO sms_settings (tenant_id, account_sid)
    VALUES ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'AC' || repeat('1', 32))
    ON CONFLICT (tenant_id) DO UPDATE SET account_sid = excluded.account_sid $$), '23514',
    'an account without its token is refused');
SELECT is(pg_temp.sqlstate_of($$ UPDATE sms_settings SET inbound_number = '+15017122661'
    WHERE tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$), '23505',
    'an inbound number belongs to one business');
SELECT is(pg_temp.sqlstate_of($$ UPDATE sms_settings SET from_number = '5551234567'
    WHERE tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$), '23514',
    'numbers are E.164');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO sms_usage (tenant_id, month)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2026-01-15') $$), '23514',
    'usage is kept per calendar month');

-- Isolation, as the runtime role in tenant A ----------------------------------

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
SELECT is((SELECT count(*) FROM sms_settings), 1::bigint, 'A sees its settings only');
SELECT is((SELECT count(*) FROM sms_opt_outs), 1::bigint, 'A sees its opt-outs only');
SELECT is((SELECT sum(sent) FROM sms_usage), 3::bigint, 'A sees its usage only');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO sms_opt_outs (tenant_id, phone, keyword)
    VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '+14155550103', 'STOP') $$), '42501',
    'A cannot opt a number out for B');

-- The lookup before a tenant is known --------------------------------------------

SELECT FROM set_config('app.tenant_id', '', true);
SELECT is((SELECT count(*) FROM sms_settings), 0::bigint, 'no tenant: no settings');
SELECT is(sms_tenant_by_number('+15017122661'), 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid,
    'an inbound number names its business, without any tenant set');
SELECT is(sms_tenant_by_number('+15017122665'), NULL, 'a suspended business takes no texts');
SELECT is(sms_tenant_by_number('+15550009999'), NULL, 'an unknown number names nobody');
RESET ROLE;
SELECT is(pg_get_function_result('sms_tenant_by_number(text)'::regprocedure), 'uuid',
    'the lookup returns an id, nothing else');

SELECT * FROM finish();
ROLLBACK;
