-- 30_business_schema: the tables of 0005_business as the scheduling engine
-- and the AI rely on them. Versions move by themselves; tenants get their
-- policies and AI settings rows at birth; a staff member's weekly
-- intervals never overlap; links never cross tenants (composite keys), nor
-- point at a login of another tenant; the CHECKs mirror the API's limits;
-- soft-deleted rows free their unique names. Writes run as the runtime
-- role in a tenant's context, as the API would.
BEGIN;
SELECT plan(66);

\ir fixtures/sqlstate_of.sql

--   A = aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa, B = bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');
INSERT INTO users (id, email, password_hash) VALUES
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'tap-a@example.test', 'x'),
    ('dddddddd-dddd-4ddd-8ddd-dddddddddddd', 'tap-b@example.test', 'x');
INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'STAFF'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', 'STAFF');
INSERT INTO tenant_branding (tenant_id, display_name) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Alpha');
-- Rows of tenant B, made as the superuser.
INSERT INTO services (tenant_id, id, name, duration_minutes, price_minor, currency) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-000000000001',
     'B cut', 30, 1000, 'EUR');
INSERT INTO staff (tenant_id, id, display_name) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-000000000002', 'B staff');
INSERT INTO resources (tenant_id, id, name) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-000000000003', 'B room');

-- Rows are born with their defaults -------------------------------------------

SELECT is((SELECT count(*) FROM tenant_policies WHERE tenant_id IN
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')), 2::bigint,
    'a new tenant gets its policies row');
SELECT is((SELECT count(*) FROM ai_settings WHERE tenant_id IN
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')), 2::bigint,
    'a new tenant gets its AI settings row');
SELECT results_eq(
    $$ SELECT tone, allow_human_handoff, never_do, cancellation_window_hours
       FROM ai_settings JOIN tenant_policies USING (tenant_id)
       WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' $$,
    $$ VALUES ('friendly', true, '{}'::text[], 0) $$,
    'the default AI settings and policies');

-- Every table the admin API edits carries a version; the AI and public
-- pages see changes at once -------------------------------------------------------

SELECT is(
    ARRAY(SELECT t FROM unnest(ARRAY['tenant_profiles', 'tenant_branding', 'business_hours',
        'closures', 'tenant_domains', 'widget_origins', 'services', 'service_addons', 'faqs',
        'tenant_policies', 'staff', 'staff_services', 'staff_schedules', 'staff_time_off',
        'resources', 'resource_services', 'ai_settings']) t
        WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t::regclass
            AND a.attname = 'version' AND NOT a.attisdropped AND a.attnotnull)
            OR NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = t::regclass
                AND g.tgname = 'bump_version')
        ORDER BY 1),
    '{}'::text[],
    'every admin-edited table has version NOT NULL and the bump_version trigger');
SELECT is(
    ARRAY(SELECT t FROM unnest(ARRAY['services', 'service_addons', 'faqs', 'tenant_policies',
        'staff', 'staff_services', 'staff_schedules', 'staff_time_off', 'resources',
        'resource_services', 'ai_settings']) t
        WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = t::regclass
            AND g.tgname = 'notify_tenant_changed')
        ORDER BY 1),
    '{}'::text[],
    'every table the AI or the public pages read notifies tenant_changed');

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

INSERT INTO services (id, tenant_id, name, duration_minutes, price_minor, currency) VALUES
    ('a0000000-0000-4000-8000-000000000001', app_tenant(), 'Cut', 30, 2500, 'USD');
INSERT INTO staff (id, tenant_id, display_name) VALUES
    ('a0000000-0000-4000-8000-000000000002', app_tenant(), 'Ann'),
    ('a0000000-0000-4000-8000-000000000004', app_tenant(), 'Bea');
INSERT INTO resources (id, tenant_id, name, quantity) VALUES
    ('a0000000-0000-4000-8000-000000000003', app_tenant(), 'Chair', 2);

SELECT is((SELECT version FROM services WHERE id = 'a0000000-0000-4000-8000-000000000001'), 1,
    'a new row is version 1');
UPDATE services SET price_minor = 2600 WHERE id = 'a0000000-0000-4000-8000-000000000001';
UPDATE services SET version = 99, price_minor = 2700
    WHERE id = 'a0000000-0000-4000-8000-000000000001';
SELECT is((SELECT version FROM services WHERE id = 'a0000000-0000-4000-8000-000000000001'), 3,
    'each UPDATE adds one to the version, whatever the statement sets it to');
UPDATE tenant_branding SET primary_color = '#000000';
SELECT is((SELECT version FROM tenant_branding), 2,
    'the tables of 0002 count versions too');

-- Composite keys: nothing points at another tenant's row -----------------------------

SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_services (tenant_id, staff_id, service_id)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000002',
        'b0000000-0000-4000-8000-000000000001') $$), '23503',
    'a staff member of A cannot perform a service of B');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_services (tenant_id, staff_id, service_id)
    VALUES (app_tenant(), 'b0000000-0000-4000-8000-000000000002',
        'a0000000-0000-4000-8000-000000000001') $$), '23503',
    'a service of A cannot be given to a staff member of B');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_services (tenant_id, staff_id, service_id)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000002',
        'a0000000-0000-4000-8000-000000000001') $$), '00000',
    'control: A''s staff member performs A''s service');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO resource_services (tenant_id, resource_id, service_id)
    VALUES (app_tenant(), 'b0000000-0000-4000-8000-000000000003',
        'a0000000-0000-4000-8000-000000000001') $$), '23503',
    'a service of A cannot need a resource of B');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO resource_services (tenant_id, resource_id, service_id)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000003',
        'b0000000-0000-4000-8000-000000000001') $$), '23503',
    'a resource of A cannot serve a service of B');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO service_addons (tenant_id, service_id, name, currency)
    VALUES (app_tenant(), 'b0000000-0000-4000-8000-000000000001', 'Wash', 'EUR') $$), '23503',
    'an add-on of A cannot hang off a service of B');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    VALUES (app_tenant(), 'b0000000-0000-4000-8000-000000000002', 1, '09:00', '17:00') $$),
    '23503', 'A cannot schedule a staff member of B');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_time_off (tenant_id, staff_id, starts_at, ends_at)
    VALUES (app_tenant(), 'b0000000-0000-4000-8000-000000000002', now(), now() + interval '1 day') $$),
    '23503', 'A cannot give time off to a staff member of B');
SELECT is(pg_temp.sqlstate_of($$ UPDATE staff SET user_id = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd'
    WHERE id = 'a0000000-0000-4000-8000-000000000002' $$), '23503',
    'a staff member of A cannot be linked to a login that is not a member of A');
SELECT is(pg_temp.sqlstate_of($$ UPDATE staff SET user_id = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc'
    WHERE id = 'a0000000-0000-4000-8000-000000000002' $$), '00000',
    'control: a staff member of A can be linked to a member of A');
SELECT is(pg_temp.sqlstate_of($$ UPDATE staff SET user_id = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc'
    WHERE id = 'a0000000-0000-4000-8000-000000000004' $$), '23505',
    'one login links to at most one live staff member');

-- Weekly schedules never overlap per staff member and day ------------------------------

INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000002', 1, '09:00', '12:00');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000002', 1, '11:00', '13:00') $$),
    '23P01', 'an overlapping interval for the same person and day is refused');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000002', 1, '08:00', '18:00') $$),
    '23P01', 'an interval containing another is refused');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000002', 1, '12:00', '17:00') $$),
    '00000', 'an interval touching another is accepted');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000002', 2, '09:00', '12:00') $$),
    '00000', 'the same hours on another day are accepted');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000004', 1, '09:00', '12:00') $$),
    '00000', 'the same hours for another person are accepted');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000004', 3, '17:00', '24:00') $$),
    '00000', 'an interval may end at midnight (24:00)');

-- CHECKs mirror the API's limits ----------------------------------------------------------

SELECT is(pg_temp.sqlstate_of(format(
    'INSERT INTO services (tenant_id, name, duration_minutes, price_minor, currency%s) VALUES (app_tenant(), %s)',
    c, v)), '23514', format('services: %s is refused', d))
FROM (VALUES
    ('', $$'x', 4, 0, 'USD'$$, 'a duration of 4 minutes'),
    ('', $$'x', 721, 0, 'USD'$$, 'a duration of 721 minutes'),
    ('', $$'x', 30, -1, 'USD'$$, 'a negative price'),
    ('', $$'x', 30, 0, 'usd'$$, 'a lower-case currency'),
    ('', $$'x', 30, 0, 'US'$$, 'a two-letter currency'),
    ('', $$'', 30, 0, 'USD'$$, 'an empty name'),
    (', buffer_before_minutes', $$'x', 30, 0, 'USD', 241$$, 'a buffer of 241 minutes'),
    (', buffer_after_minutes', $$'x', 30, 0, 'USD', -1$$, 'a negative buffer'),
    (', description', $$'x', 30, 0, 'USD', repeat('d', 2001)$$, 'a description of 2001 characters')
) AS t (c, v, d);

SELECT is(pg_temp.sqlstate_of(q), '23514', d) FROM (VALUES
    ($$ INSERT INTO service_addons (tenant_id, service_id, name, currency, duration_minutes)
        VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 'x', 'USD', 241) $$,
     'add-ons: a duration of 241 minutes is refused'),
    ($$ INSERT INTO resources (tenant_id, name, quantity) VALUES (app_tenant(), 'x', 0) $$,
     'resources: a quantity of 0 is refused'),
    ($$ INSERT INTO resources (tenant_id, name, quantity) VALUES (app_tenant(), 'x', 101) $$,
     'resources: a quantity of 101 is refused'),
    ($$ INSERT INTO resources (tenant_id, name, kind) VALUES (app_tenant(), 'x', 'boat') $$,
     'resources: an unknown kind is refused'),
    ($$ INSERT INTO resource_services (tenant_id, resource_id, service_id, quantity_needed)
        VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000003',
            'a0000000-0000-4000-8000-000000000001', 0) $$,
     'resource services: needing 0 units is refused'),
    ($$ INSERT INTO staff (tenant_id, display_name, phone) VALUES (app_tenant(), 'x', '555-1234') $$,
     'staff: a phone number not in E.164 is refused'),
    ($$ INSERT INTO staff (tenant_id, display_name, color) VALUES (app_tenant(), 'x', 'red') $$,
     'staff: a colour that is not #rrggbb is refused'),
    ($$ INSERT INTO staff (tenant_id, display_name, email) VALUES (app_tenant(), 'x', 'not-an-email') $$,
     'staff: an e-mail without @ is refused'),
    ($$ INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
        VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000004', 8, '09:00', '10:00') $$,
     'schedules: weekday 8 is refused'),
    ($$ INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
        VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000004', 5, '10:00', '10:00') $$,
     'schedules: an empty interval is refused'),
    ($$ INSERT INTO staff_time_off (tenant_id, staff_id, starts_at, ends_at)
        VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000004',
            '2030-01-02T00:00Z', '2030-01-01T00:00Z') $$,
     'time off: an end before the start is refused'),
    ($$ INSERT INTO staff_time_off (tenant_id, staff_id, starts_at, ends_at)
        VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000004',
            '2030-01-01T00:00Z', '2031-01-03T00:00Z') $$,
     'time off: more than 366 days is refused'),
    ($$ INSERT INTO faqs (tenant_id, question, answer, tags) VALUES (app_tenant(), 'q', 'a',
        ARRAY(SELECT 't' || g FROM generate_series(1, 21) g)) $$,
     'faqs: 21 tags are refused'),
    ($$ INSERT INTO faqs (tenant_id, question, answer, tags) VALUES (app_tenant(), 'q', 'a',
        ARRAY[repeat('t', 51)]) $$,
     'faqs: a tag of 51 characters is refused'),
    ($$ INSERT INTO faqs (tenant_id, question, answer, tags) VALUES (app_tenant(), 'q', 'a',
        ARRAY[''::text]) $$,
     'faqs: an empty tag is refused'),
    ($$ INSERT INTO faqs (tenant_id, question, answer) VALUES (app_tenant(), 'q', repeat('a', 5001)) $$,
     'faqs: an answer of 5001 characters is refused'),
    ($$ UPDATE ai_settings SET never_do = ARRAY(SELECT 'n' || g FROM generate_series(1, 51) g) $$,
     'AI settings: 51 "never do" items are refused'),
    ($$ UPDATE ai_settings SET never_do = ARRAY[repeat('n', 201)] $$,
     'AI settings: a "never do" item of 201 characters is refused'),
    ($$ UPDATE ai_settings SET never_do = ARRAY[NULL::text] $$,
     'AI settings: a null "never do" item is refused'),
    ($$ UPDATE ai_settings SET handoff_keywords = ARRAY[repeat('k', 101)] $$,
     'AI settings: a keyword of 101 characters is refused'),
    ($$ UPDATE ai_settings SET tone = 'sarcastic' $$,
     'AI settings: an unknown tone is refused'),
    ($$ UPDATE ai_settings SET greeting = repeat('g', 501) $$,
     'AI settings: a greeting of 501 characters is refused'),
    ($$ UPDATE tenant_policies SET cancellation_window_hours = 721 $$,
     'policies: a window of 721 hours is refused'),
    ($$ UPDATE tenant_policies SET no_show_policy = repeat('p', 2001) $$,
     'policies: a policy of 2001 characters is refused')
) AS t (q, d);

SELECT lives_ok($$ UPDATE ai_settings SET never_do = ARRAY(SELECT repeat('n', 200) FROM generate_series(1, 50)),
    handoff_keywords = ARRAY['human', 'agent'], greeting = repeat('g', 500) $$,
    'AI settings at their limits are accepted');

-- Soft delete frees unique names ---------------------------------------------------------

SELECT is(pg_temp.sqlstate_of($$ INSERT INTO services (tenant_id, name, duration_minutes, price_minor, currency)
    VALUES (app_tenant(), 'CUT', 30, 0, 'USD') $$), '23505',
    'two live services cannot share a name, whatever its case');
UPDATE services SET deleted_at = now() WHERE id = 'a0000000-0000-4000-8000-000000000001';
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO services (tenant_id, name, duration_minutes, price_minor, currency)
    VALUES (app_tenant(), 'CUT', 30, 0, 'USD') $$), '00000',
    'a deleted service''s name may be used again');
INSERT INTO widget_origins (tenant_id, origin) VALUES (app_tenant(), 'https://shop.example.test');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO widget_origins (tenant_id, origin)
    VALUES (app_tenant(), 'https://shop.example.test') $$), '23505',
    'a live widget origin cannot be added twice');
UPDATE widget_origins SET deleted_at = now() WHERE origin = 'https://shop.example.test';
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO widget_origins (tenant_id, origin)
    VALUES (app_tenant(), 'https://shop.example.test') $$), '00000',
    'a removed widget origin may be added again');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO services (tenant_id, name, duration_minutes, price_minor, currency)
    VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'Fresh', 30, 0, 'USD') $$), '42501',
    'control: the runtime role cannot write a service for tenant B');

RESET ROLE;

-- A lost membership unlinks the staff member, it does not delete them.
DELETE FROM tenant_memberships WHERE user_id = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
SELECT results_eq(
    $$ SELECT display_name, user_id FROM staff WHERE id = 'a0000000-0000-4000-8000-000000000002' $$,
    $$ VALUES ('Ann', NULL::uuid) $$,
    'deleting a membership sets the staff member''s user_id to NULL');

-- Deleting a staff member or a service takes their links along.
DELETE FROM staff WHERE id = 'a0000000-0000-4000-8000-000000000002';
SELECT is((SELECT count(*) FROM staff_schedules
    WHERE staff_id = 'a0000000-0000-4000-8000-000000000002'), 0::bigint,
    'a staff row removed for good takes its schedule along');

SELECT * FROM finish();
ROLLBACK;
