-- 40_scheduling: the tables of 0006_scheduling as the booking path relies
-- on them. Overlapping claims on one staff member or one unit of a
-- resource are impossible (23P01) whatever the application checked first;
-- half-open ranges let appointments touch; holds and bookings exclude each
-- other; cancelling (deleting the claims) frees the time; nothing points
-- at another tenant's rows; the CHECKs mirror the API; every tenant gets
-- its scheduling settings; the purge removes long-expired holds and still
-- does what it did before. Writes run as the runtime role in a tenant's
-- context, as the API would.
BEGIN;
SELECT plan(36);

\ir fixtures/sqlstate_of.sql

--   A = aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa, B = bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');
-- Tenant B's rows, as the superuser.
INSERT INTO staff (tenant_id, id, display_name) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-000000000002', 'B staff');
INSERT INTO customers (tenant_id, id, name, email) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-000000000005', 'B cust',
     'b@example.test');
INSERT INTO bookings (tenant_id, id, reference, customer_id, source, starts_at, ends_at) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-000000000006', 'BBBBBB',
     'b0000000-0000-4000-8000-000000000005', 'portal', '2030-01-07T10:00Z', '2030-01-07T10:30Z');

-- Settings are born with the tenant ------------------------------------------------

SELECT results_eq(
    $$ SELECT min_notice_minutes, max_days_ahead, slot_step_minutes, hold_minutes
       FROM scheduling_settings WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' $$,
    $$ VALUES (60, 60, 15, 5) $$,
    'a new tenant gets scheduling settings with the documented defaults');
SELECT is((SELECT count(*) FROM scheduling_settings s LEFT JOIN tenants t ON t.id = s.tenant_id
    WHERE t.id IS NULL), 0::bigint, 'settings rows belong to tenants');

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

INSERT INTO staff (tenant_id, id, display_name) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 'Ann'),
    (app_tenant(), 'a0000000-0000-4000-8000-000000000002', 'Bea');
INSERT INTO resources (tenant_id, id, name, quantity) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000003', 'Chair', 2);
INSERT INTO customers (tenant_id, id, name, email) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000005', 'Cus', 'cus@example.test');
INSERT INTO bookings (tenant_id, id, reference, customer_id, source, starts_at, ends_at) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000006', 'AAAAAA',
     'a0000000-0000-4000-8000-000000000005', 'portal', '2030-01-07T10:00Z', '2030-01-07T10:30Z'),
    (app_tenant(), 'a0000000-0000-4000-8000-000000000007', 'AAAAAB',
     'a0000000-0000-4000-8000-000000000005', 'portal', '2030-01-07T10:00Z', '2030-01-07T10:30Z');
INSERT INTO holds (tenant_id, id, token_hash, starts_at, ends_at, expires_at) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000008', '\x01', '2030-01-07T12:00Z',
     '2030-01-07T12:30Z', now() + interval '5 minutes');

-- Booking 6 claims Ann and chair unit 1 over 10:00–10:30.
INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000006', 'a0000000-0000-4000-8000-000000000001',
     '[2030-01-07T10:00Z, 2030-01-07T10:30Z)');
INSERT INTO slot_claims (tenant_id, booking_id, resource_id, unit, during) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000006', 'a0000000-0000-4000-8000-000000000003',
     1, '[2030-01-07T10:00Z, 2030-01-07T10:30Z)');

-- One staff member --------------------------------------------------------------------

SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000001', '[2030-01-07T10:15Z, 2030-01-07T10:45Z)') $$),
    '23P01', 'an overlapping claim on the same staff member is refused (23P01)');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000001', '[2030-01-07T09:00Z, 2030-01-07T11:00Z)') $$),
    '23P01', 'a claim enclosing another on the same staff member is refused');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000002', '[2030-01-07T10:00Z, 2030-01-07T10:30Z)') $$),
    '00000', 'the same time with another staff member is fine');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000001', '[2030-01-07T10:30Z, 2030-01-07T11:00Z)') $$),
    '00000', 'touching ranges [a,b) [b,c) on one staff member are fine');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000001', '[2030-01-07T09:30Z, 2030-01-07T10:00Z)') $$),
    '00000', 'and touching from before');

-- Resource units ---------------------------------------------------------------------

SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, resource_id, unit,
    during) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000003', 1, '[2030-01-07T10:20Z, 2030-01-07T10:40Z)') $$),
    '23P01', 'an overlapping claim on the same unit of a resource is refused (23P01)');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, resource_id, unit,
    during) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000003', 2, '[2030-01-07T10:00Z, 2030-01-07T10:30Z)') $$),
    '00000', 'the same time on another unit is fine');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, resource_id, unit,
    during) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000003', 2, '[2030-01-07T10:10Z, 2030-01-07T10:20Z)') $$),
    '23P01', 'but not twice');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, resource_id, unit,
    during) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000003', 1, '[2030-01-07T10:30Z, 2030-01-07T10:45Z)') $$),
    '00000', 'touching ranges on one unit are fine');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, resource_id, unit,
    during) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000003', 101, '[2030-01-08T10:00Z, 2030-01-08T10:30Z)') $$),
    '23514', 'units are numbered 1 to 100');

-- Holds and bookings exclude each other ------------------------------------------------

INSERT INTO slot_claims (tenant_id, hold_id, staff_id, during, expires_at) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000008', 'a0000000-0000-4000-8000-000000000002',
     '[2030-01-07T12:00Z, 2030-01-07T12:30Z)', now() + interval '5 minutes');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000002', '[2030-01-07T12:15Z, 2030-01-07T12:45Z)') $$),
    '23P01', 'a booking cannot take time a hold keeps');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, hold_id, staff_id, during,
    expires_at) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000008',
        'a0000000-0000-4000-8000-000000000001', '[2030-01-07T10:10Z, 2030-01-07T10:20Z)',
        now() + interval '5 minutes') $$),
    '23P01', 'nor a hold time a booking has');
-- Deleting the hold frees its time: its claims go with it.
DELETE FROM holds WHERE id = 'a0000000-0000-4000-8000-000000000008';
SELECT is((SELECT count(*) FROM slot_claims WHERE hold_id = 'a0000000-0000-4000-8000-000000000008'),
    0::bigint, 'a deleted hold takes its claims along');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000002', '[2030-01-07T12:15Z, 2030-01-07T12:45Z)') $$),
    '00000', 'then the time can be booked');

-- Cancelling deletes the claims and frees the time -------------------------------------

UPDATE bookings SET status = 'CANCELLED', cancelled_at = now()
    WHERE id = 'a0000000-0000-4000-8000-000000000006';
DELETE FROM slot_claims WHERE booking_id = 'a0000000-0000-4000-8000-000000000006';
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000001', '[2030-01-07T10:00Z, 2030-01-07T10:30Z)') $$),
    '00000', 'a cancelled booking''s time can be booked again');
SELECT is((SELECT status FROM bookings WHERE id = 'a0000000-0000-4000-8000-000000000006'),
    'CANCELLED', 'the cancelled booking itself stays, with its history');
SELECT is((SELECT version FROM bookings WHERE id = 'a0000000-0000-4000-8000-000000000006'), 2,
    'changing a booking moves its version');

-- Shapes the application relies on ------------------------------------------------------

SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        '[2030-01-09T10:00Z, 2030-01-09T10:30Z)') $$),
    '23514', 'a claim is on a staff member or a resource');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000001',
        '[2030-01-09T10:00Z, 2030-01-09T10:30Z)') $$),
    '23514', 'a claim belongs to a booking or a hold');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, resource_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000003', '[2030-01-09T10:00Z, 2030-01-09T10:30Z)') $$),
    '23514', 'a resource claim names its unit');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'a0000000-0000-4000-8000-000000000001', '[2030-01-09T10:00Z, 2030-01-09T10:00Z)') $$),
    '23514', 'an empty range claims nothing and is refused');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO bookings (tenant_id, reference, customer_id, source,
    starts_at, ends_at) VALUES (app_tenant(), 'ABC10O', 'a0000000-0000-4000-8000-000000000005',
        'portal', '2030-01-09T10:00Z', '2030-01-09T10:30Z') $$),
    '23514', 'references use the readable alphabet only (no 0, 1, O, I, L)');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO bookings (tenant_id, reference, customer_id, source,
    starts_at, ends_at) VALUES (app_tenant(), 'AAAAAA', 'a0000000-0000-4000-8000-000000000005',
        'portal', '2030-01-09T10:00Z', '2030-01-09T10:30Z') $$),
    '23505', 'a reference is unique within the tenant');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO bookings (tenant_id, reference, customer_id, source,
    starts_at, ends_at) VALUES (app_tenant(), 'BBBBBB', 'a0000000-0000-4000-8000-000000000005',
        'portal', '2030-01-09T10:00Z', '2030-01-09T10:30Z') $$),
    '00000', 'but another tenant''s reference may be the same');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO customers (tenant_id, name) VALUES
    (app_tenant(), 'Nobody') $$), '23514', 'a customer has an e-mail or a phone');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO customers (tenant_id, name, phone) VALUES
    (app_tenant(), 'Bad', '555-0100') $$), '23514', 'phones are E.164');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO customers (tenant_id, name, email) VALUES
    (app_tenant(), 'Twin', 'CUS@example.test') $$), '23505',
    'one customer per e-mail in a tenant, case-insensitively');
SELECT is(pg_temp.sqlstate_of($$ UPDATE scheduling_settings SET slot_step_minutes = 1 $$),
    '23514', 'the slot step is 5 to 240 minutes');

-- Nothing points at another tenant's row ------------------------------------------------

SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000007',
        'b0000000-0000-4000-8000-000000000002', '[2030-01-10T10:00Z, 2030-01-10T10:30Z)') $$),
    '23503', 'a claim cannot name another tenant''s staff member');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
    VALUES (app_tenant(), 'b0000000-0000-4000-8000-000000000006',
        'a0000000-0000-4000-8000-000000000001', '[2030-01-10T10:00Z, 2030-01-10T10:30Z)') $$),
    '23503', 'nor another tenant''s booking');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO bookings (tenant_id, reference, customer_id, source,
    starts_at, ends_at) VALUES (app_tenant(), 'CCCCCC', 'b0000000-0000-4000-8000-000000000005',
        'portal', '2030-01-09T10:00Z', '2030-01-09T10:30Z') $$),
    '23503', 'a booking cannot be for another tenant''s customer');

RESET ROLE;

-- The purge ---------------------------------------------------------------------------

INSERT INTO holds (tenant_id, id, token_hash, starts_at, ends_at, expires_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-000000000009', '\x02',
     '2030-01-11T12:00Z', '2030-01-11T12:30Z', now() - interval '2 hours'),
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-00000000000a', '\x03',
     '2030-01-11T13:00Z', '2030-01-11T13:30Z', now() - interval '10 minutes');
INSERT INTO slot_claims (tenant_id, hold_id, staff_id, during, expires_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-000000000009',
     'a0000000-0000-4000-8000-000000000001', '[2030-01-11T12:00Z, 2030-01-11T12:30Z)',
     now() - interval '2 hours');
INSERT INTO idempotency_keys (tenant_id, scope, key, request_hash, expires_at) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bookings.create', 'old', '\x00',
     now() - interval '1 minute');
SET LOCAL ROLE receptionist_app;
SELECT is((SELECT idempotency_keys FROM purge_expired()), 1::bigint,
    'the runtime role may run the purge, which still purges idempotency keys');
RESET ROLE;
SELECT results_eq(
    $$ SELECT id::text FROM holds WHERE id IN ('a0000000-0000-4000-8000-000000000009',
        'a0000000-0000-4000-8000-00000000000a') $$,
    $$ VALUES ('a0000000-0000-4000-8000-00000000000a') $$,
    'holds an hour past expiry are purged, recently expired ones kept');
SELECT is((SELECT count(*) FROM slot_claims WHERE hold_id = 'a0000000-0000-4000-8000-000000000009'),
    0::bigint, 'with their claims');

SELECT * FROM finish();
ROLLBACK;
