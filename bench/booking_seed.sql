-- bench/booking_seed.sql — the scheduling benchmark's tenant, rebuilt on
-- every run (the bench cluster is kept between runs): 10 staff doing every
-- service, 3 resources (4 chairs, 2 basins, 1 room), open 08:00–20:00
-- every day in America/New_York, and 5,000 existing bookings (50 days ×
-- 10 staff × 10 a day, 30 minutes each, from tomorrow) with their claims.
-- Run by bench/booking.sh as the owner role with :tenant set. The owner
-- bypasses row-level security, so every statement names the tenant: an
-- unscoped DELETE here once emptied every tenant's catalogue in the bench
-- database (the demo salon lost its services, staff and hours).
\set ON_ERROR_STOP 1
BEGIN;
SELECT set_config('app.tenant_id', :'tenant', true);

DELETE FROM bookings WHERE tenant_id = app_tenant();
DELETE FROM holds WHERE tenant_id = app_tenant();
DELETE FROM customers WHERE tenant_id = app_tenant();
DELETE FROM jobs WHERE tenant_id = app_tenant();
DELETE FROM idempotency_keys WHERE tenant_id = app_tenant();
DELETE FROM audit_log WHERE tenant_id = app_tenant();
DELETE FROM staff WHERE tenant_id = app_tenant();
DELETE FROM services WHERE tenant_id = app_tenant();
DELETE FROM resources WHERE tenant_id = app_tenant();
DELETE FROM business_hours WHERE tenant_id = app_tenant();
DELETE FROM closures WHERE tenant_id = app_tenant();

UPDATE scheduling_settings SET min_notice_minutes = 0, max_days_ahead = 400,
    slot_step_minutes = 15, hold_minutes = 5 WHERE tenant_id = app_tenant();

INSERT INTO services (tenant_id, id, name, duration_minutes, buffer_after_minutes,
    price_minor, currency) VALUES
    (app_tenant(), 'be000000-0000-4000-8000-000000000001', 'Cut', 30, 0, 2500, 'USD'),
    (app_tenant(), 'be000000-0000-4000-8000-000000000002', 'Color', 60, 15, 6000, 'USD'),
    (app_tenant(), 'be000000-0000-4000-8000-000000000003', 'Massage', 60, 0, 8000, 'USD'),
    (app_tenant(), 'be000000-0000-4000-8000-000000000004', 'Beard', 15, 0, 1500, 'USD');
INSERT INTO resources (tenant_id, id, name, quantity) VALUES
    (app_tenant(), 'be000000-0000-4000-8000-0000000000c1', 'Chair', 4),
    (app_tenant(), 'be000000-0000-4000-8000-0000000000c2', 'Basin', 2),
    (app_tenant(), 'be000000-0000-4000-8000-0000000000c3', 'Room', 1);
INSERT INTO resource_services (tenant_id, resource_id, service_id) VALUES
    (app_tenant(), 'be000000-0000-4000-8000-0000000000c1', 'be000000-0000-4000-8000-000000000001'),
    (app_tenant(), 'be000000-0000-4000-8000-0000000000c2', 'be000000-0000-4000-8000-000000000002'),
    (app_tenant(), 'be000000-0000-4000-8000-0000000000c3', 'be000000-0000-4000-8000-000000000003');
INSERT INTO staff (tenant_id, id, display_name)
    SELECT app_tenant(), ('be000000-0000-4000-8000-0000000001' || lpad(s::text, 2, '0'))::uuid,
        'Stylist ' || s FROM generate_series(0, 9) s;
INSERT INTO staff_services (tenant_id, staff_id, service_id)
    SELECT app_tenant(), st.id, sv.id FROM staff st CROSS JOIN services sv
    WHERE st.tenant_id = app_tenant() AND sv.tenant_id = app_tenant();
INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    SELECT app_tenant(), st.id, d, '08:00', '20:00' FROM staff st, generate_series(1, 7) d
    WHERE st.tenant_id = app_tenant();
INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    SELECT app_tenant(), d, '08:00', '20:00' FROM generate_series(1, 7) d;

INSERT INTO customers (tenant_id, name, email)
    SELECT app_tenant(), 'Regular ' || g, 'regular' || g || '@bench.example' FROM generate_series(1, 500) g;

-- 5,000 bookings of the cut: staff s, day d (1..50), j-th of the day
-- (every 72 minutes from 08:00, staggered 3 minutes per staff member).
CREATE TEMP TABLE seed AS
SELECT row_number() OVER (ORDER BY d, s, j) AS n, d, s, j,
    ((date_trunc('day', now() AT TIME ZONE 'America/New_York') + make_interval(days => d)
        + interval '8 hours' + make_interval(mins => j * 72 + s * 3))
        AT TIME ZONE 'America/New_York') AS starts
FROM generate_series(1, 50) d, generate_series(0, 9) s, generate_series(0, 9) j;

-- References from the readable alphabet: n written in base 31.
INSERT INTO bookings (tenant_id, id, reference, customer_id, source, starts_at, ends_at,
    total_minor, currency, created_at)
SELECT app_tenant(), md5('bench' || n)::uuid,
    (SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ',
        ((n / (31 ^ k)::bigint) % 31)::int + 1, 1), '' ORDER BY k DESC)
     FROM generate_series(0, 5) k),
    (SELECT id FROM customers WHERE tenant_id = app_tenant() ORDER BY id OFFSET (n % 500) LIMIT 1),
    'admin', starts, starts + interval '30 minutes', 2500, 'USD',
    now() - interval '40 days'
FROM seed;
INSERT INTO booking_items (tenant_id, booking_id, position, service_id, staff_id, starts_at,
    ends_at, price_minor)
SELECT app_tenant(), md5('bench' || n)::uuid, 0, 'be000000-0000-4000-8000-000000000001',
    ('be000000-0000-4000-8000-0000000001' || lpad(s::text, 2, '0'))::uuid, starts,
    starts + interval '30 minutes', 2500
FROM seed;
INSERT INTO slot_claims (tenant_id, booking_id, staff_id, during)
SELECT app_tenant(), md5('bench' || n)::uuid,
    ('be000000-0000-4000-8000-0000000001' || lpad(s::text, 2, '0'))::uuid,
    tstzrange(starts, starts + interval '30 minutes')
FROM seed;
-- Chairs: the lowest unit free, as the booking path would pick.
DO $$
DECLARE
	r record;
	u int;
BEGIN
	FOR r IN SELECT n, starts FROM seed ORDER BY n LOOP
		FOR u IN 1..4 LOOP
			BEGIN
				INSERT INTO slot_claims (tenant_id, booking_id, resource_id, unit, during)
				VALUES (app_tenant(), md5('bench' || r.n)::uuid,
				    'be000000-0000-4000-8000-0000000000c1', u,
				    tstzrange(r.starts, r.starts + interval '30 minutes'));
				EXIT;
			EXCEPTION WHEN exclusion_violation THEN
				NULL;
			END;
		END LOOP;
	END LOOP;
END $$;
COMMIT;
-- As autovacuum would have by now: statistics, and the visibility map that
-- lets availability read claims from the index alone.
VACUUM ANALYZE bookings;
VACUUM ANALYZE booking_items;
VACUUM ANALYZE slot_claims;
VACUUM ANALYZE customers;
