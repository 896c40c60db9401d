-- 80_retention: migration 0011 — retention settings (defaults and limits
-- held by the database too), the erased-customer rule, and the SECURITY
-- DEFINER functions the retention job goes through, called as the runtime
-- role: each stays inside the current tenant or inside what belongs to no
-- tenant.
BEGIN;
SELECT plan(17);

INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1', 'tap-ret-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb1', 'tap-ret-bravo');

-- Settings ---------------------------------------------------------------------

SELECT results_eq(
    $$ SELECT transcript_days, customer_months FROM retention_settings
       WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1' $$,
    $$ VALUES (90, 24) $$,
    'a new tenant gets the spec''s defaults: transcripts 90 days, customers 24 months');

SELECT throws_ok($$ UPDATE retention_settings SET transcript_days = 29
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1' $$, '23514', NULL,
    'transcripts: fewer than 30 days is refused');
SELECT throws_ok($$ UPDATE retention_settings SET transcript_days = 366
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1' $$, '23514', NULL,
    'transcripts: more than 365 days is refused');
SELECT throws_ok($$ UPDATE retention_settings SET customer_months = 11
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1' $$, '23514', NULL,
    'customers: fewer than 12 months is refused');
SELECT throws_ok($$ UPDATE retention_settings SET customer_months = 61
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1' $$, '23514', NULL,
    'customers: more than 60 months is refused');
SELECT lives_ok($$ UPDATE retention_settings SET transcript_days = 30, customer_months = 60
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1' $$,
    'the limits themselves are allowed (30 days, 60 months)');

-- Erased customers ---------------------------------------------------------------

SELECT throws_ok($$ INSERT INTO customers (tenant_id, name)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1', 'Nobody') $$, '23514', NULL,
    'a customer still needs an e-mail or a phone');
SELECT lives_ok($$ INSERT INTO customers (tenant_id, name, erased_at)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1', 'Erased customer', now()) $$,
    'unless they were erased');

-- Functions, as the runtime role ---------------------------------------------------

INSERT INTO webhook_events (tenant_id, provider, event_id, body_sha256, payload, received_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1', 'stripe', 'tap_ret_a_old', '\x00', '{}', now() - interval '31 days'),
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1', 'stripe', 'tap_ret_a_new', '\x00', '{}', now() - interval '29 days'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb1', 'stripe', 'tap_ret_b_old', '\x00', '{}', now() - interval '31 days'),
    (NULL, 'stripe', 'tap_ret_none_old', '\x00', '{}', now() - interval '400 days');

SET LOCAL ROLE receptionist_app;

SELECT throws_ok($$ SELECT * FROM retention_totals $$, '42501', NULL,
    'the runtime role cannot read the counters table, only through retention_totals_read()');
SELECT throws_ok($$ DELETE FROM webhook_events $$, '42501', NULL,
    'nor delete webhook payloads directly');

SELECT is(retention_purge_webhooks(30, 1000), 0::bigint,
    'with no tenant set, retention_purge_webhooks removes nothing');
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1', true);
SELECT is(retention_purge_webhooks(30, 1000), 1::bigint,
    'in tenant A it removes A''s one payload older than 30 days');
SELECT FROM set_config('app.tenant_id', '', true);
SELECT FROM retention_count('webhook_events', 1);
SELECT ok((SELECT rows_deleted >= 1 FROM retention_totals_read() WHERE tbl = 'webhook_events'),
    'retention_count adds to the counter retention_totals_read() shows');

RESET ROLE;
SELECT results_eq(
    $$ SELECT event_id FROM webhook_events WHERE event_id LIKE 'tap_ret_%' ORDER BY 1 $$,
    $$ VALUES ('tap_ret_a_new'), ('tap_ret_b_old'), ('tap_ret_none_old') $$,
    'B''s old payload and the tenant-less one were not touched');

SET LOCAL ROLE receptionist_app;
SELECT ok((SELECT webhook_events >= 1 FROM retention_purge_platform(30, 1000)),
    'retention_purge_platform removes payloads of no tenant');
SELECT ok(ARRAY['aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1'::uuid,
    'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb1'::uuid] <@ ARRAY(SELECT retention_tenants()),
    'retention_tenants lists every tenant for the run to walk through');
SELECT is((SELECT count(*) FROM tenants), 0::bigint,
    'which the runtime role, with no tenant set, cannot read itself');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
