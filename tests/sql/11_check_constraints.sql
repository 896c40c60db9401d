-- 11_check_constraints: bad input is refused by the database itself: slugs,
-- colours, logo URLs, time zones, and business hours that overlap on one
-- weekday. Each refusal is paired with a value that is accepted, so the
-- refusals are about the value and nothing else. Writes run as the runtime
-- role in tenant A's context, as the API would; creating tenants is a
-- platform action and runs as the superuser.
BEGIN;
SELECT plan(50);

\ir fixtures/sqlstate_of.sql

INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');
INSERT INTO tenant_profiles (tenant_id, business_name) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Alpha Dental');
INSERT INTO tenant_branding (tenant_id, display_name) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Alpha');
INSERT INTO business_hours (tenant_id, weekday, opens, closes) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 1, '09:00', '12:00');

-- Slugs ------------------------------------------------------------------------

SELECT is(pg_temp.sqlstate_of(format('INSERT INTO tenants (slug) VALUES (%L)', v)), '23514',
    format('slug %s is refused',
        CASE WHEN length(v) > 20 THEN length(v) || ' characters long' ELSE quote_literal(v) END))
FROM unnest(ARRAY['Bad_Slug', 'UPPER', '-lead', 'trail-', repeat('a', 64), 'has space', '',
    'dots.in.slug', 'ünïcode']) v;

SELECT is(
    ARRAY(SELECT v FROM unnest(ARRAY['a', '0day', 'abc-123', 'a-b-c', repeat('a', 63)]) v
        WHERE pg_temp.sqlstate_of(format('INSERT INTO tenants (slug) VALUES (%L)', v)) <> '00000'),
    '{}'::text[],
    'well-formed slugs (1 to 63 of a-z 0-9 -, no hyphen at either end) are accepted');

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

SELECT throws_ok($$ UPDATE tenants SET slug = 'Alpha_Dental' $$, '42501', NULL,
    'a tenant cannot rename itself at all: slug, status and plan are the platform''s');

-- Colours ------------------------------------------------------------------------

SELECT is(pg_temp.sqlstate_of(format('UPDATE tenant_branding SET primary_color = %L', v)), '23514',
    format('primary colour %L is refused', v))
FROM unnest(ARRAY['#12345', 'red', '#GGGGGG', '#1234567', '123456', '', '#12 456']) v;
SELECT throws_ok($$ UPDATE tenant_branding SET accent_color = 'blue' $$, '23514', NULL,
    'accent colour blue is refused');
SELECT lives_ok($$ UPDATE tenant_branding SET primary_color = '#A1b2C3', accent_color = '#000000' $$,
    'six-digit hex colours are accepted, in either case');

-- Logo URLs ----------------------------------------------------------------------

SELECT is(pg_temp.sqlstate_of(format('UPDATE tenant_branding SET logo_url = %L', v)), '23514',
    format('logo URL %s is refused',
        CASE WHEN length(v) > 50 THEN length(v) || ' characters long' ELSE quote_literal(v) END))
FROM unnest(ARRAY['http://cdn.example.test/logo.png', 'javascript:alert(1)',
    '//cdn.example.test/logo.png', 'data:image/png;base64,iVBORw0KGgo=',
    'ftp://cdn.example.test/logo.png', 'https://cdn.example.test/' || repeat('a', 2048)]) v;
SELECT lives_ok($$ UPDATE tenant_branding SET logo_url = 'https://cdn.example.test/logo.png' $$,
    'an https logo URL is accepted');
SELECT lives_ok($$ UPDATE tenant_branding SET logo_url = NULL $$,
    'no logo at all is accepted');

-- Time zones -----------------------------------------------------------------------

-- PostgreSQL reports an unknown zone as 22023 (invalid_parameter_value)
-- from inside the check; 23514 would be just as right.
SELECT ok(pg_temp.sqlstate_of(format('UPDATE tenant_profiles SET timezone = %L', v))
        IN ('23514', '22023'),
    format('time zone %L is refused', v))
FROM unnest(ARRAY['Mars/Olympus_Mons', 'America/New_Yrok', 'Europe/Berlin ', '']) v;
SELECT is(
    ARRAY(SELECT v FROM unnest(ARRAY['Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'UTC']) v
        WHERE pg_temp.sqlstate_of(format('UPDATE tenant_profiles SET timezone = %L', v)) <> '00000'),
    '{}'::text[],
    'IANA zone names are accepted');

-- Business hours -------------------------------------------------------------------
-- Tenant A is open on Monday (1) 09:00-12:00.

SELECT throws_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 1, '11:00', '13:00') $$, '23P01', NULL,
    'an interval overlapping the end of another on the same weekday is refused (23P01)');
SELECT throws_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 1, '08:00', '09:30') $$, '23P01', NULL,
    'an interval overlapping the start of another is refused (23P01)');
SELECT throws_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 1, '10:00', '11:00') $$, '23P01', NULL,
    'an interval inside another is refused (23P01)');
SELECT throws_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 1, '08:00', '18:00') $$, '23P01', NULL,
    'an interval around another is refused (23P01)');
SELECT throws_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 1, '09:00', '12:00') $$, '23P01', NULL,
    'the same interval twice is refused (23P01)');
SELECT lives_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 1, '12:00', '13:00') $$,
    'an interval starting exactly when another ends is accepted');
SELECT lives_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 1, '14:00', '18:00') $$,
    'a second, separate interval on the same weekday is accepted');
SELECT lives_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 2, '09:00', '12:00') $$,
    'the same interval on another weekday is accepted');
SELECT throws_ok($$ UPDATE business_hours SET opens = '11:30'
    WHERE weekday = 1 AND opens = '14:00' $$, '23P01', NULL,
    'moving an interval onto another one is refused (23P01)');
SELECT throws_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 3, '17:00', '09:00') $$, '23514', NULL,
    'an interval closing before it opens is refused (23514)');
SELECT throws_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 3, '09:00', '09:00') $$, '23514', NULL,
    'an empty interval is refused (23514)');
SELECT is(pg_temp.sqlstate_of(format($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', %s, '09:00', '10:00') $$, v)), '23514',
    format('weekday %s is refused (ISO weekdays are 1-7)', v))
FROM unnest(ARRAY[0, 8]) v;

SELECT FROM set_config('app.tenant_id', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', true);
SELECT lives_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 1, '09:00', '12:00') $$,
    'tenant B may have the very hours tenant A has (overlap is per tenant)');
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
RESET ROLE;

-- A few more formats the API relies on ---------------------------------------------

SET LOCAL ROLE receptionist_app;
SELECT throws_ok($$ INSERT INTO tenant_domains (tenant_id, hostname, kind)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Book.Alpha.test', 'custom') $$, '23514', NULL,
    'a host name with upper case is refused (stored lower case)');
SELECT throws_ok($$ INSERT INTO widget_origins (tenant_id, origin)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'https://alpha.test/path') $$, '23514', NULL,
    'a widget origin with a path is refused');
SELECT throws_ok($$ UPDATE tenant_profiles SET phone = '555-1234' $$, '23514', NULL,
    'a phone number not in E.164 is refused');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
