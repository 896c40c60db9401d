-- 90_reminders: the reminder planner's SQL (0022). reminder_send_at moves a
-- message out of quiet hours to 15 minutes before they began, in the
-- tenant's zone (DST included); the settings' CHECKs bound offsets; the
-- outbox's dedupe key makes a second identical reminder impossible; and
-- the runtime role can run the planner without a tenant.
BEGIN;
SELECT plan(17);

-- reminder_send_at --------------------------------------------------------------

SELECT is(reminder_send_at('2027-01-12 14:00-05', 'America/New_York', true, '21:00', '08:00'),
    '2027-01-12 14:00-05'::timestamptz, 'outside quiet hours: unchanged');
SELECT is(reminder_send_at('2027-01-12 06:30-05', 'America/New_York', true, '21:00', '08:00'),
    '2027-01-11 20:45-05'::timestamptz, '06:30 (quiet, after midnight) → 20:45 the evening before');
SELECT is(reminder_send_at('2027-01-12 23:10-05', 'America/New_York', true, '21:00', '08:00'),
    '2027-01-12 20:45-05'::timestamptz, '23:10 (quiet, before midnight) → 20:45 the same evening');
SELECT is(reminder_send_at('2027-01-12 21:00-05', 'America/New_York', true, '21:00', '08:00'),
    '2027-01-12 20:45-05'::timestamptz, 'the quiet start itself is quiet');
SELECT is(reminder_send_at('2027-01-12 08:00-05', 'America/New_York', true, '21:00', '08:00'),
    '2027-01-12 08:00-05'::timestamptz, 'the quiet end is not');
SELECT is(reminder_send_at('2027-01-12 06:30-05', 'America/New_York', false, '21:00', '08:00'),
    '2027-01-12 06:30-05'::timestamptz, 'quiet hours off: unchanged');
SELECT is(reminder_send_at('2027-01-12 12:30-05', 'America/New_York', true, '12:00', '14:00'),
    '2027-01-12 11:45-05'::timestamptz, 'quiet hours within a day (12:00–14:00)');
SELECT is(reminder_send_at('2027-03-14 06:30-04', 'America/New_York', true, '21:00', '08:00'),
    '2027-03-13 20:45-05'::timestamptz,
    'DST: 06:30 EDT on the change day → 20:45 EST the evening before');
SELECT is(reminder_send_at('2027-01-12 06:30+00', 'Asia/Kolkata', true, '21:00', '08:00'),
    '2027-01-12 06:30+00'::timestamptz, 'the tenant''s zone decides (12:00 in Kolkata)');

-- Labels and the nudge --------------------------------------------------------------

SELECT is(ARRAY[reminder_offset_label(1440), reminder_offset_label(120),
    reminder_offset_label(60), reminder_offset_label(90), reminder_offset_label(4320)],
    ARRAY['24 hours', '2 hours', '1 hour', '90 minutes', '3 days'], 'offset labels');
SELECT is(ARRAY[reminder_nudge_offset('{1440,120}'), reminder_nudge_offset('{120}')],
    ARRAY[780, 180], 'the nudge: halfway between first and last, or an hour before the only one');

-- Settings bounds ---------------------------------------------------------------------

INSERT INTO tenants (id, slug) VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaa90', 'tap-rmd');
SELECT throws_ok($$INSERT INTO reminder_settings (tenant_id, email_offsets)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaa90', '{10}')$$, '23514', NULL,
    'an offset under 15 minutes is refused');
SELECT throws_ok($$INSERT INTO reminder_settings (tenant_id, sms_offsets)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaa90', '{20,30,40,50,60}')$$, '23514', NULL,
    'more than four offsets are refused');
SELECT throws_ok($$INSERT INTO reminder_settings (tenant_id, sms_offsets)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaa90', '{60,60}')$$, '23514', NULL,
    'a repeated offset is refused');

-- Dedupe ------------------------------------------------------------------------------

INSERT INTO notification_outbox (tenant_id, channel, recipient, template, dedupe_key)
VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaa90', 'email', 'a@example.com', 'booking.reminder',
    'reminder:x:1440:email:1');
SELECT throws_ok($$INSERT INTO notification_outbox (tenant_id, channel, recipient, template,
    dedupe_key) VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaa90', 'email', 'a@example.com',
    'booking.reminder', 'reminder:x:1440:email:1')$$, '23505', NULL,
    'the same reminder cannot be queued twice for a tenant');

-- The runtime role, no tenant set --------------------------------------------------------

SET LOCAL ROLE receptionist_app;
SELECT lives_ok($$SELECT * FROM reminders_plan(now(), '1 hour', '1 hour', 'https', '',
    'example.test')$$, 'the runtime role runs the planner across tenants');
SELECT is((SELECT count(*) FROM reminder_settings), 0::bigint,
    'and still sees no tenant''s settings by itself');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
