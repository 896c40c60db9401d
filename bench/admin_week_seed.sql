-- bench/admin_week_seed.sql — the calendar week of bench/admin_week.sh:
-- 10 staff and 300 bookings (30 each, 60 minutes, spread over the seven
-- days of the week that starts on the Monday five weeks from now in the
-- demo's zone) in the demo tenant. Everything has fixed ids and is
-- replaced on every run; the demo's own rows are left alone.
\set ON_ERROR_STOP 1
BEGIN;
SELECT set_config('app.tenant_id', (SELECT tenant_id::text FROM tenant_resolve_ref('demo')), true);

CREATE TEMP TABLE wk_ids AS
SELECT md5('admin-week' || n)::uuid AS id, n FROM generate_series(0, 299) n;
DELETE FROM slot_claims WHERE booking_id IN (SELECT id FROM wk_ids);
DELETE FROM booking_items WHERE booking_id IN (SELECT id FROM wk_ids);
DELETE FROM bookings WHERE id IN (SELECT id FROM wk_ids);
DELETE FROM staff_services WHERE staff_id::text LIKE 'ad000000-0000-4000-8000-0000000000%';
DELETE FROM staff_schedules WHERE staff_id::text LIKE 'ad000000-0000-4000-8000-0000000000%';
DELETE FROM staff WHERE id::text LIKE 'ad000000-0000-4000-8000-0000000000%';
DELETE FROM customers WHERE id::text LIKE 'ad000000-0000-4000-8000-0000000001%';
DELETE FROM services WHERE id = 'ad000000-0000-4000-8000-000000000f01';

INSERT INTO services (tenant_id, id, name, duration_minutes, price_minor, currency)
VALUES (app_tenant(), 'ad000000-0000-4000-8000-000000000f01', 'Week bench service', 60, 4000, 'USD');
INSERT INTO staff (tenant_id, id, display_name)
SELECT app_tenant(), ('ad000000-0000-4000-8000-0000000000' || lpad(s::text, 2, '0'))::uuid,
    'Week bench ' || s FROM generate_series(0, 9) s;
INSERT INTO staff_services (tenant_id, staff_id, service_id)
SELECT app_tenant(), id, 'ad000000-0000-4000-8000-000000000f01' FROM staff
WHERE id::text LIKE 'ad000000-0000-4000-8000-0000000000%';
INSERT INTO customers (tenant_id, id, name, email)
SELECT app_tenant(), ('ad000000-0000-4000-8000-0000000001' || lpad(g::text, 2, '0'))::uuid,
    'Week guest ' || g, 'week-guest' || g || '@bench.example' FROM generate_series(0, 49) g;

-- Booking n: staff n % 10, the (n / 10)-th of theirs: day (n / 10) % 7,
-- the ((n / 10) / 7)-th of that day, every 90 minutes from 09:00,
-- staggered 5 minutes per person.
CREATE TEMP TABLE wk AS
SELECT w.id, w.n, w.n % 10 AS s,
    ((date_trunc('week', (now() AT TIME ZONE p.timezone)) + interval '35 days'
        + make_interval(days => (w.n / 10) % 7, mins => 540 + ((w.n / 10) / 7) * 90 + (w.n % 10) * 5))
        AT TIME ZONE p.timezone) AS starts
FROM wk_ids w, tenant_profiles p WHERE p.tenant_id = app_tenant();

INSERT INTO bookings (tenant_id, id, reference, customer_id, source, starts_at, ends_at,
    total_minor, currency)
SELECT app_tenant(), id,
    'WK' || (SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ',
        ((n / (31 ^ k)::bigint) % 31)::int + 1, 1), '' ORDER BY k DESC) FROM generate_series(0, 3) k),
    ('ad000000-0000-4000-8000-0000000001' || lpad((n % 50)::text, 2, '0'))::uuid,
    'admin', starts, starts + interval '60 minutes', 4000, 'USD'
FROM wk;
INSERT INTO booking_items (tenant_id, booking_id, position, service_id, staff_id, starts_at,
    ends_at, price_minor)
SELECT app_tenant(), id, 0, 'ad000000-0000-4000-8000-000000000f01',
    ('ad000000-0000-4000-8000-0000000000' || lpad(s::text, 2, '0'))::uuid, starts,
    starts + interval '60 minutes', 4000
FROM wk;
COMMIT;
