-- 96_waitlist_retention: migration 0032 — the retention job's waitlist
-- rule, called as the runtime role: entries for a day more than 30 days
-- past go with their offers (offers first), inside the current tenant only
-- and at most the batch; an entry that refilled a slot stays while that
-- booking exists, and a booking the customers rule deletes is no longer
-- held by the waitlist row that led to it.
BEGIN;
SELECT plan(13);

\ir fixtures/two_tenants.sql

-- Tenant A: an entry 40 days past still 'waiting' with a passed offer, one
-- left 31 days past, one 29 days past, and one 100 days past that refilled
-- a slot (the fixture's booking). Tenant B: two entries 40 days past.
CREATE TEMP VIEW tap_day AS SELECT t.id AS tenant_id,
    (now() AT TIME ZONE p.timezone)::date AS today
    FROM tap_ab t JOIN tenant_profiles p ON p.tenant_id = t.id;
INSERT INTO waitlist_entries (tenant_id, id, service_id, day, name, email, channel, status,
    leave_token_hash, booking_id)
SELECT d.tenant_id, x.id::uuid, s.id, d.today - x.ago, 'Old ' || x.ago, x.ago || '@example.com',
    'email', x.status, sha256(convert_to('tap-wr-' || x.id, 'UTF8')),
    CASE WHEN x.booked THEN (SELECT b.id FROM bookings b WHERE b.tenant_id = d.tenant_id) END
FROM tap_day d JOIN services s USING (tenant_id),
    (VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '00000000-0000-4000-8000-0000000000a1', 40, 'waiting', false),
            ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '00000000-0000-4000-8000-0000000000a2', 31, 'cancelled', false),
            ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '00000000-0000-4000-8000-0000000000a3', 29, 'expired', false),
            ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '00000000-0000-4000-8000-0000000000a4', 100, 'booked', true),
            ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '00000000-0000-4000-8000-0000000000b1', 40, 'expired', false),
            ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '00000000-0000-4000-8000-0000000000b2', 41, 'expired', false))
    AS x (tenant, id, ago, status, booked)
WHERE d.tenant_id = x.tenant::uuid;
INSERT INTO waitlist_offers (tenant_id, entry_id, slot_key, service_id, staff_id, starts_at,
    token_hash, expires_at, status, booking_id)
SELECT e.tenant_id, e.id, 'tap-wr:' || e.id, e.service_id, s.id, e.day + time '10:00',
    sha256(convert_to('tap-wr-offer-' || e.id, 'UTF8')), e.day + time '09:00',
    CASE WHEN e.booking_id IS NULL THEN 'passed' ELSE 'booked' END, e.booking_id
FROM waitlist_entries e JOIN staff s USING (tenant_id)
WHERE e.id IN ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a4');

SET LOCAL ROLE receptionist_app;

SELECT is(retention_purge_waitlist_offers(30, 1000), 0::bigint,
    'with no tenant set, no offer is removed');
SELECT is(retention_purge_waitlist_entries(30, 1000), 0::bigint,
    'nor any entry');

SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
SELECT is(retention_purge_waitlist_offers(30, 1000), 1::bigint,
    'in A: the offer of the entry 40 days past goes (the refilled one stays)');
SELECT is(retention_purge_waitlist_entries(30, 1000), 2::bigint,
    'then the entries 40 and 31 days past');
SELECT results_eq($$ SELECT id::text FROM waitlist_entries ORDER BY day $$,
    $$ VALUES ('00000000-0000-4000-8000-0000000000a4'), ('00000000-0000-4000-8000-0000000000a3'),
        ((SELECT id::text FROM waitlist_entries WHERE name = 'Wendy')) $$,
    'A keeps the entry that refilled a slot, the one 29 days past and the future one');
SELECT is((SELECT count(*) FROM waitlist_offers WHERE status = 'booked'), 1::bigint,
    'and the booked offer "slots refilled" counts');
SELECT is(retention_purge_waitlist_entries(30, 1000), 0::bigint, 'a second run finds nothing');

RESET ROLE;
SELECT is((SELECT count(*) FROM waitlist_entries
    WHERE tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' AND day < now()::date), 2::bigint,
    'B''s old entries were not touched by A''s run');

-- The customers rule deletes the booking: the waitlist no longer holds it.
SELECT lives_ok($$ DELETE FROM bookings WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' $$,
    'a booking made from a waitlist offer can be deleted');
SELECT results_eq($$ SELECT e.status, e.booking_id IS NULL, o.booking_id IS NULL
    FROM waitlist_entries e JOIN waitlist_offers o ON o.tenant_id = e.tenant_id AND o.entry_id = e.id
    WHERE e.id = '00000000-0000-4000-8000-0000000000a4' $$,
    $$ VALUES ('booked', true, true) $$,
    'the entry and its offer stay, unlinked from it');

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
SELECT is(retention_purge_waitlist_offers(30, 1000) + retention_purge_waitlist_entries(30, 1000),
    2::bigint, 'and the next run removes that entry 100 days past and its offer');

SELECT FROM set_config('app.tenant_id', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', true);
SELECT is(retention_purge_waitlist_entries(30, 1), 1::bigint,
    'a run removes at most its batch (1 of B''s 2 here)');
SELECT is(retention_purge_waitlist_entries(30, 1000), 1::bigint, 'the next run the rest');

SELECT * FROM finish();
ROLLBACK;
