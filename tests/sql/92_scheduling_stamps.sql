-- 92_scheduling_stamps: the stamp of 0030 that lets `serve` keep a tenant's
-- scheduling configuration in memory. Every table the configuration is
-- read from moves its own tenant's stamp (and no other's); the runtime
-- role reads only its tenant's stamp and cannot set one; deleting a tenant
-- takes its stamp with it.
BEGIN;
SELECT plan(10);

\ir fixtures/sqlstate_of.sql

INSERT INTO tenants (id, slug, plan, status) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'stamp-alpha', 'pro', 'active'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'stamp-bravo', 'pro', 'active');

-- Moves since the tenants were created (creating one writes its profile
-- and settings, which count as changes too).
CREATE TEMP TABLE stamp0 AS SELECT tenant_id, stamp FROM scheduling_stamps;
GRANT SELECT ON stamp0 TO receptionist_app;
CREATE FUNCTION pg_temp.stamp(t uuid) RETURNS bigint LANGUAGE sql AS
    $$ SELECT coalesce((SELECT stamp FROM scheduling_stamps WHERE tenant_id = t), 0)
        - coalesce((SELECT stamp FROM stamp0 WHERE tenant_id = t), 0) $$;

SELECT ok((SELECT count(*) FROM stamp0) = 2, 'creating a tenant gives it a stamp');
INSERT INTO services (tenant_id, id, name, duration_minutes, price_minor, currency) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-000000000001', 'Cut', 30,
     2000, 'EUR');
SELECT is(pg_temp.stamp('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'), 1::bigint, 'a new service moves it');
UPDATE services SET price_minor = 2500 WHERE id = 'a0000000-0000-4000-8000-000000000001';
INSERT INTO business_hours (tenant_id, weekday, opens, closes) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 1, '09:00', '17:00');
INSERT INTO closures (tenant_id, day) VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', current_date + 3);
SELECT is(pg_temp.stamp('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'), 4::bigint,
    'a price, opening hours and a closure move it');
SELECT is(pg_temp.stamp('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'), 0::bigint, 'the other tenant''s does not move');
DELETE FROM closures WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
SELECT is(pg_temp.stamp('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'), 5::bigint, 'a deletion moves it');
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgname = 'scheduling_stamp'), 13::bigint,
    'all thirteen tables the configuration is read from have the trigger');

-- As the runtime role in tenant B ---------------------------------------------------

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', true);
SELECT is((SELECT count(*) FROM scheduling_stamps
    WHERE tenant_id <> 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'), 0::bigint, 'B does not see A''s stamp');
SELECT is(pg_temp.sqlstate_of($$ UPDATE scheduling_stamps SET stamp = 0 $$), '42501',
    'the runtime role cannot set a stamp');
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
SELECT is((SELECT stamp FROM scheduling_stamps) - (SELECT stamp FROM stamp0
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'), 5::bigint, 'A reads its own');
RESET ROLE;

DELETE FROM tenants WHERE id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
SELECT is((SELECT count(*) FROM scheduling_stamps
    WHERE tenant_id = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'), 0::bigint,
    'deleting a tenant (its services by cascade) leaves no stamp');

SELECT * FROM finish();
ROLLBACK;
