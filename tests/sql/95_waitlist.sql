-- 95_waitlist: the tables of 0028_waitlist. Entries and offers are
-- tenant-isolated for reading and writing (an offer can never point at
-- another tenant's entry); a person waits once per service and day; an
-- offer's channel needs its address.
BEGIN;
SELECT plan(12);

\ir fixtures/sqlstate_of.sql
\ir fixtures/two_tenants.sql

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
SELECT is((SELECT count(*) FROM waitlist_entries), 1::bigint, 'A sees its own entry only');
SELECT is((SELECT count(*) FROM waitlist_offers), 1::bigint, 'A sees its own offer only');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO waitlist_entries (tenant_id, service_id, day, name,
    email, channel, leave_token_hash) SELECT 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', service_id,
    day, 'Mallory', 'm@example.com', 'email', sha256('x') FROM waitlist_entries $$), '42501',
    'A cannot add an entry to B''s waitlist');
UPDATE waitlist_entries SET status = 'cancelled'
    WHERE tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
DELETE FROM waitlist_offers WHERE tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
SELECT is(pg_temp.sqlstate_of($$ UPDATE waitlist_entries
    SET tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$), '42501',
    'A cannot move its entry into B');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO waitlist_offers (tenant_id, entry_id, slot_key,
    service_id, staff_id, starts_at, token_hash, expires_at)
    SELECT tenant_id, id, 'other', service_id, (SELECT id FROM staff), now(), sha256('y'), now()
    FROM waitlist_entries $$), '00000', 'A can offer its own slot to its own entry');

SELECT FROM set_config('app.tenant_id', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', true);
SELECT is((SELECT status FROM waitlist_entries), 'waiting', 'B''s entry was not touched by A');
SELECT is((SELECT count(*) FROM waitlist_offers), 1::bigint, 'B''s offer was not deleted by A');

SELECT FROM set_config('app.tenant_id', '', true);
SELECT is((SELECT count(*) FROM waitlist_entries), 0::bigint, 'no tenant: no entries');
SELECT is((SELECT count(*) FROM waitlist_offers), 0::bigint, 'no tenant: no offers');
RESET ROLE;

-- Constraints (as the owner, so RLS is not what refuses) -------------------------------

SELECT is(pg_temp.sqlstate_of($$ INSERT INTO waitlist_entries (tenant_id, service_id, day, name,
    email, channel, leave_token_hash) SELECT tenant_id, service_id, day, 'Wendy again',
    'WENDY@example.com', 'email', sha256('z') FROM waitlist_entries
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' $$), '23505',
    'the same person waits once per service and day (e-mail in any case)');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO waitlist_entries (tenant_id, service_id, day, name,
    email, channel, leave_token_hash) SELECT tenant_id, service_id, day, 'No phone',
    'np@example.com', 'sms', sha256('w') FROM waitlist_entries
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' $$), '23514',
    'offers by SMS need a phone');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO waitlist_offers (tenant_id, entry_id, slot_key,
    service_id, staff_id, starts_at, token_hash, expires_at)
    SELECT 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', e.id, 'cross', s.service_id, s.staff_id,
    now(), sha256('v'), now() FROM waitlist_entries e,
    (SELECT * FROM waitlist_offers WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'
    LIMIT 1) s WHERE e.tenant_id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$), '23503',
    'an offer cannot point at another tenant''s entry');

SELECT * FROM finish();
ROLLBACK;
