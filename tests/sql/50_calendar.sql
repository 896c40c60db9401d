-- 50_calendar: the tables of 0007_calendar as calendar sync relies on
-- them. Connections, busy cache, OAuth states and rate buckets are
-- tenant-isolated; a live connection always has its (sealed) secret and a
-- removed one never does; one live connection per provider and staff
-- member (and one business-wide); Cal.com event types are numbers; links
-- never cross tenants; and the SECURITY DEFINER lookups that run before a
-- tenant is known return ids only, for live Cal.com connections only.
BEGIN;
SELECT plan(32);

\ir fixtures/sqlstate_of.sql

--   A = aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa, B = bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
INSERT INTO tenants (id, slug, plan) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha', 'pro'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo', 'pro');
INSERT INTO staff (tenant_id, id, display_name) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-000000000001', 'A staff'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-000000000001', 'B staff');
-- A: a Google calendar for its staff member and a business-wide Cal.com
-- event type; B: a Cal.com connection only.
INSERT INTO calendar_connections (tenant_id, id, provider, staff_id, external_ref, secret_ct,
    secret_nonce, secret_key_id, webhook_ct, webhook_nonce, webhook_key_id) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-0000000000c1', 'google',
     'a0000000-0000-4000-8000-000000000001', 'primary', '\x01', decode(repeat('00', 24), 'hex'),
     '0123456789abcdef', NULL, NULL, NULL),
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-0000000000c2', 'calcom',
     NULL, '1001', '\x02', decode(repeat('00', 24), 'hex'), '0123456789abcdef',
     '\x03', decode(repeat('00', 24), 'hex'), '0123456789abcdef'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-0000000000c1', 'calcom',
     NULL, '2002', '\x04', decode(repeat('00', 24), 'hex'), '0123456789abcdef',
     '\x05', decode(repeat('00', 24), 'hex'), '0123456789abcdef');
INSERT INTO calendar_busy_cache (tenant_id, connection_id, day, busy) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-0000000000c1', '2030-01-02',
     '[[1893578400,1893582000]]'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-0000000000c1', '2030-01-02',
     '[]');
INSERT INTO calendar_oauth_states (tenant_id, nonce_hash, expires_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', sha256('fresh'), now() + interval '10 minutes'),
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', sha256('stale'), now() - interval '2 hours'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', sha256('b-fresh'), now() + interval '10 minutes');
INSERT INTO calendar_rate_buckets (tenant_id, provider, tokens) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'calcom', 10),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'calcom', 10);
-- A booking of A, synced to A's Cal.com as booking uid 'uid-a-1'.
INSERT INTO customers (tenant_id, id, name, email) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-0000000000d1', 'Jane',
     'jane@example.test');
INSERT INTO bookings (tenant_id, id, reference, customer_id, source, starts_at, ends_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-0000000000b1', 'K7M4QX',
     'a0000000-0000-4000-8000-0000000000d1', 'admin', '2030-01-02T10:00Z', '2030-01-02T11:00Z');
INSERT INTO booking_calendar_events (tenant_id, booking_id, provider, connection_id,
    external_id, state) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-0000000000b1', 'calcom',
     'a0000000-0000-4000-8000-0000000000c2', 'uid-a-1', 'synced');

-- Isolation, as the runtime role in tenant A -----------------------------------

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

SELECT is((SELECT count(*) FROM calendar_connections), 2::bigint,
    'A sees its two connections only');
SELECT is((SELECT count(*) FROM calendar_busy_cache), 1::bigint, 'A sees its busy cache only');
SELECT is((SELECT count(*) FROM calendar_oauth_states), 2::bigint, 'A sees its OAuth states only');
SELECT is((SELECT count(*) FROM calendar_rate_buckets), 1::bigint, 'A sees its rate bucket only');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    external_ref, secret_ct, secret_nonce, secret_key_id) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'google', 'x', '\x01',
     decode(repeat('00', 24), 'hex'), '0123456789abcdef') $$), '42501',
    'A cannot write a connection of B');
SELECT is(pg_temp.sqlstate_of($$ UPDATE calendar_busy_cache SET busy = '[]'
    WHERE connection_id = 'b0000000-0000-4000-8000-0000000000c1' RETURNING 1 $$), '00000',
    'an update aimed at B''s cache runs…');
SELECT is((SELECT busy::text FROM calendar_busy_cache
    WHERE connection_id = 'a0000000-0000-4000-8000-0000000000c1'), '[[1893578400, 1893582000]]',
    '…and changes nothing of B''s (nor A''s)');

-- Constraints -------------------------------------------------------------------

SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    external_ref) VALUES (app_tenant(), 'google', 'primary') $$), '23514',
    'a live connection without its secret is refused');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    external_ref, secret_ct, secret_nonce, secret_key_id) VALUES (app_tenant(), 'calcom',
    'thirty-min', '\x01', decode(repeat('00', 24), 'hex'), '0123456789abcdef') $$), '23514',
    'a Cal.com event type must be a number');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    staff_id, external_ref, secret_ct, secret_nonce, secret_key_id) VALUES (app_tenant(),
    'google', 'a0000000-0000-4000-8000-000000000001', 'other@example.com', '\x01',
    decode(repeat('00', 24), 'hex'), '0123456789abcdef') $$), '23505',
    'one live Google connection per staff member');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    external_ref, secret_ct, secret_nonce, secret_key_id) VALUES (app_tenant(), 'calcom',
    '1002', '\x01', decode(repeat('00', 24), 'hex'), '0123456789abcdef') $$), '23505',
    'one live business-wide Cal.com connection (NULL staff counts once)');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    external_ref, secret_ct, secret_nonce, secret_key_id) VALUES (app_tenant(), 'google',
    'primary', '\x01', decode(repeat('00', 24), 'hex'), 'NOT-A-KEY-ID') $$), '23514',
    'a key id is 16 hex digits');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    external_ref, secret_ct, secret_nonce, secret_key_id) VALUES (app_tenant(), 'google',
    'primary', '\x01', '\x00', '0123456789abcdef') $$), '23514',
    'a nonce is 24 bytes');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    external_ref, secret_ct, secret_nonce, secret_key_id, webhook_ct, webhook_nonce,
    webhook_key_id) VALUES (app_tenant(), 'google', 'primary', '\x01',
    decode(repeat('00', 24), 'hex'), '0123456789abcdef', '\x01',
    decode(repeat('00', 24), 'hex'), '0123456789abcdef') $$), '23514',
    'only Cal.com connections have a webhook secret');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    staff_id, external_ref, secret_ct, secret_nonce, secret_key_id) VALUES (app_tenant(),
    'google', 'b0000000-0000-4000-8000-000000000001', 'primary', '\x01',
    decode(repeat('00', 24), 'hex'), '0123456789abcdef') $$), '23503',
    'a connection cannot name another tenant''s staff member');
SELECT is(pg_temp.sqlstate_of($$ UPDATE calendar_connections SET deleted_at = now(),
    status = 'revoked' WHERE id = 'a0000000-0000-4000-8000-0000000000c1' $$), '23514',
    'a removed connection cannot keep its secret');
SELECT is(pg_temp.sqlstate_of($$ UPDATE calendar_connections SET status = 'error'
    WHERE id = 'a0000000-0000-4000-8000-0000000000c1' $$), '00000',
    'a live connection may be in error');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_busy_cache (tenant_id, connection_id,
    day, busy) VALUES (app_tenant(), 'a0000000-0000-4000-8000-0000000000c1', '2030-01-03',
    '{}') $$), '23514', 'busy ranges are a JSON array');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_busy_cache (tenant_id, connection_id,
    day) VALUES (app_tenant(), 'b0000000-0000-4000-8000-0000000000c1', '2030-01-03') $$),
    '23503', 'a cache row cannot name another tenant''s connection');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_oauth_states (tenant_id, nonce_hash,
    expires_at) VALUES (app_tenant(), '\x00', now()) $$), '23514',
    'a state stores a SHA-256, never a nonce');
SELECT is(pg_temp.sqlstate_of($$ UPDATE booking_calendar_events
    SET connection_id = 'b0000000-0000-4000-8000-0000000000c1'
    WHERE booking_id = 'a0000000-0000-4000-8000-0000000000b1' $$), '23503',
    'an event cannot point at another tenant''s connection');

-- Removing: secrets go, the row stays (events keep their reference), and the
-- same calendar may be connected again.
SELECT is(pg_temp.sqlstate_of($$ UPDATE calendar_connections SET deleted_at = now(),
    status = 'revoked', secret_ct = NULL, secret_nonce = NULL, secret_key_id = NULL,
    webhook_ct = NULL, webhook_nonce = NULL, webhook_key_id = NULL
    WHERE id = 'a0000000-0000-4000-8000-0000000000c2' $$), '00000',
    'a connection is removed by dropping its secrets');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO calendar_connections (tenant_id, provider,
    external_ref, secret_ct, secret_nonce, secret_key_id) VALUES (app_tenant(), 'calcom',
    '1002', '\x01', decode(repeat('00', 24), 'hex'), '0123456789abcdef') $$), '00000',
    'after removal, a new business-wide Cal.com connection may be made');

-- The lookups before a tenant is known ------------------------------------------

SELECT FROM set_config('app.tenant_id', '', true);
SELECT is(calendar_webhook_tenant('b0000000-0000-4000-8000-0000000000c1'),
    'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'::uuid,
    'a live Cal.com connection names its tenant, without any tenant set');
SELECT is(calendar_webhook_tenant('a0000000-0000-4000-8000-0000000000c2'), NULL,
    'a removed connection names nobody');
SELECT is(calendar_webhook_tenant('a0000000-0000-4000-8000-0000000000c1'), NULL,
    'a Google connection takes no Cal.com webhooks');
SELECT results_eq($$ SELECT tenant_id, connection_id FROM calendar_webhook_by_uid('uid-a-1') $$,
    $$ VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid,
        'a0000000-0000-4000-8000-0000000000c2'::uuid) $$,
    'a Cal.com booking uid we stored names its tenant and connection');
SELECT is((SELECT count(*) FROM calendar_webhook_by_uid('someone-else')), 0::bigint,
    'an unknown uid names nobody');
SELECT is(ARRAY(SELECT t FROM calendar_reconcile_tenants() t
    WHERE t IN ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')),
    ARRAY[]::uuid[], 'no tenant to reconcile: A''s Google connection is in error, B has none');
RESET ROLE;
SELECT is(
    ARRAY(SELECT p.proname::text FROM pg_proc p
        WHERE p.proname LIKE 'calendar\_%' AND p.prosecdef
            AND pg_get_function_result(p.oid) ~* '(secret|nonce|ct\M|key)' ORDER BY 1),
    '{}'::text[], 'no SECURITY DEFINER calendar function returns a secret column');
SELECT is(calendar_purge_states() >= 1, true, 'the purge removes long-expired states…');
SELECT is((SELECT count(*) FROM calendar_oauth_states WHERE tenant_id IN
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')), 2::bigint,
    '…and keeps the fresh ones');

SELECT * FROM finish();
ROLLBACK;
