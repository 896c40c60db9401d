-- 10_webhooks_purge: webhook_event_ingest stores a provider event once and
-- recognises redeliveries; purge_expired removes expired idempotency keys,
-- dead sessions and old finished jobs, across tenants, and nothing else.
-- Both are called as the runtime role with no tenant set.
BEGIN;
SELECT plan(18);

INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');

CREATE TEMP TABLE tap_ingest (call text PRIMARY KEY, id bigint, inserted boolean);
GRANT ALL ON tap_ingest TO receptionist_app;

-- webhook_event_ingest ---------------------------------------------------------

SET LOCAL ROLE receptionist_app;

INSERT INTO tap_ingest SELECT 'first', * FROM webhook_event_ingest('stripe', 'evt_tap_1',
    'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'invoice.paid', '\x01', '{"v": 1}');
INSERT INTO tap_ingest SELECT 'redelivery', * FROM webhook_event_ingest('stripe', 'evt_tap_1',
    'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'invoice.paid', '\x02', '{"v": 2}');
INSERT INTO tap_ingest SELECT 'other provider', * FROM webhook_event_ingest('meta', 'evt_tap_1',
    'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'messages', '\x03', '{"v": 3}');
INSERT INTO tap_ingest SELECT 'no tenant', * FROM webhook_event_ingest('twilio', 'evt_tap_2',
    NULL, '', '\x04', '{"v": 4}');

SELECT is((SELECT inserted FROM tap_ingest WHERE call = 'first'), true,
    'the first delivery of an event is inserted (inserted = true)');
SELECT isnt((SELECT id FROM tap_ingest WHERE call = 'first'), NULL,
    'and gets an id');
SELECT is((SELECT inserted FROM tap_ingest WHERE call = 'redelivery'), false,
    'a redelivery of the same (provider, event_id) is not (inserted = false)');
SELECT is((SELECT id FROM tap_ingest WHERE call = 'redelivery'),
    (SELECT id FROM tap_ingest WHERE call = 'first'),
    'the redelivery returns the stored event''s id');
SELECT is((SELECT inserted FROM tap_ingest WHERE call = 'other provider'), true,
    'the same event_id from another provider is a different event');
SELECT is((SELECT inserted FROM tap_ingest WHERE call = 'no tenant'), true,
    'an event whose tenant is not known yet is stored');
SELECT throws_ok($$ SELECT * FROM webhook_event_ingest('paypal', 'evt_tap_3', NULL, '', '\x05', '{}') $$,
    '23514', NULL, 'an unknown provider is refused (23514)');
SELECT throws_ok($$ INSERT INTO webhook_events (provider, event_id, body_sha256, payload)
    VALUES ('stripe', 'evt_tap_4', '\x06', '{}') $$, '42501', NULL,
    'the runtime role cannot insert events directly, only through webhook_event_ingest');

SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
SELECT results_eq($$ SELECT provider, event_id FROM webhook_events ORDER BY 1 $$,
    $$ VALUES ('stripe', 'evt_tap_1') $$,
    'tenant A sees its own event only (not B''s, not the tenant-less one)');
SELECT FROM set_config('app.tenant_id', '', true);

RESET ROLE;

SELECT results_eq(
    $$ SELECT payload, body_sha256 FROM webhook_events
       WHERE provider = 'stripe' AND event_id = 'evt_tap_1' $$,
    $$ VALUES ('{"v": 1}'::jsonb, '\x01'::bytea) $$,
    'one row per event; a redelivery does not overwrite what was stored');

-- purge_expired ----------------------------------------------------------------

-- Rows that already qualify before the fixtures (none in a fresh test
-- database), so the counts below hold whatever the database contains.
CREATE TEMP TABLE tap_before AS SELECT
    (SELECT count(*) FROM idempotency_keys WHERE expires_at < now()) AS keys,
    (SELECT count(*) FROM auth_sessions
        WHERE expires_at < now() OR revoked_at < now() - interval '1 day') AS sessions,
    (SELECT count(*) FROM jobs
        WHERE status = 'done' AND finished_at < now() - interval '7 days') AS jobs;
GRANT SELECT ON tap_before TO receptionist_app;

INSERT INTO idempotency_keys (tenant_id, scope, key, request_hash, expires_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bookings.create', 'a-expired', '\x00', now() - interval '1 second'),
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bookings.create', 'a-live', '\x00', now() + interval '1 hour'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'bookings.create', 'b-expired', '\x00', now() - interval '1 day');

INSERT INTO users (id, email, password_hash) VALUES
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'tap-owner@example.test', 'x');
INSERT INTO auth_sessions (user_id, token_hash, expires_at, revoked_at) VALUES
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '\xe1', now() - interval '1 second', NULL),
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '\xe2', now() + interval '1 day', now() - interval '2 days'),
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '\xe3', now() + interval '1 day', now() - interval '1 hour'),
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', '\xe4', now() + interval '1 day', NULL);

INSERT INTO jobs (tenant_id, kind, unique_key, status, finished_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap.purge', 'done-8d', 'done', now() - interval '8 days'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap.purge', 'done-1d', 'done', now() - interval '1 day'),
    (NULL, 'tap.purge', 'dead-30d', 'dead', now() - interval '30 days'),
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap.purge', 'queued', 'queued', NULL);

SET LOCAL ROLE receptionist_app;
SELECT results_eq(
    $$ SELECT p.idempotency_keys - b.keys, p.sessions - b.sessions, p.jobs - b.jobs
       FROM purge_expired() p, tap_before b $$,
    $$ VALUES (2::bigint, 2::bigint, 1::bigint) $$,
    'purge_expired reports 2 keys, 2 sessions and 1 job removed');
RESET ROLE;

SELECT results_eq(
    $$ SELECT key FROM idempotency_keys WHERE tenant_id IN
       ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb') ORDER BY 1 $$,
    $$ VALUES ('a-live') $$,
    'expired idempotency keys of both tenants are gone; the live one stays');
SELECT results_eq(
    $$ SELECT token_hash FROM auth_sessions
       WHERE user_id = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc' ORDER BY 1 $$,
    $$ VALUES ('\xe3'::bytea), ('\xe4'::bytea) $$,
    'expired sessions and sessions revoked over a day ago are gone; the rest stay');
SELECT results_eq(
    $$ SELECT unique_key FROM jobs WHERE kind = 'tap.purge' ORDER BY 1 $$,
    $$ VALUES ('dead-30d'), ('done-1d'), ('queued') $$,
    'done jobs past the 7-day retention are gone; newer, dead and queued jobs stay');

SET LOCAL ROLE receptionist_app;
SELECT results_eq($$ SELECT jobs FROM purge_expired('1 hour') $$,
    $$ VALUES (1::bigint) $$,
    'a shorter retention removes the done job finished a day ago');
SELECT results_eq($$ SELECT * FROM purge_expired() $$,
    $$ VALUES (0::bigint, 0::bigint, 0::bigint) $$,
    'a second purge finds nothing left to remove');
RESET ROLE;

SELECT results_eq(
    $$ SELECT unique_key FROM jobs WHERE kind = 'tap.purge' ORDER BY 1 $$,
    $$ VALUES ('dead-30d'), ('queued') $$,
    'dead and queued jobs are never purged');

SELECT ok(NOT has_table_privilege('receptionist_app', 'public.auth_sessions', 'SELECT'),
    'purging sessions does not require the runtime role to read them');

SELECT * FROM finish();
ROLLBACK;
