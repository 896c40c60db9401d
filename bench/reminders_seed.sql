-- bench/reminders_seed.sql — the reminders benchmark's bookings, rebuilt on
-- every run, in the bench tenants only (:tenants, a comma-separated list of
-- their ids; nothing of any other tenant is touched): :per bookings each,
-- one customer per booking (e-mail only), all starting within the hour
-- after :t0, so every 24 h reminder is due in the same hour. Quiet hours
-- off and no SMS, so each booking yields exactly one reminder in that hour.
-- Run by bench/reminders.sh as the owner role.
\set ON_ERROR_STOP 1
SELECT set_config('rmd.tenants', :'tenants', false), set_config('rmd.per', :'per', false),
    set_config('rmd.t0', :'t0', false);
DO $$
DECLARE
	t uuid;
	per int := current_setting('rmd.per')::int;
	t0 timestamptz := current_setting('rmd.t0')::timestamptz;
BEGIN
	FOREACH t IN ARRAY string_to_array(current_setting('rmd.tenants'), ',')::uuid[] LOOP
		PERFORM set_config('app.tenant_id', t::text, true);
		DELETE FROM notification_outbox WHERE tenant_id = t;
		DELETE FROM bookings WHERE tenant_id = t;
		DELETE FROM customers WHERE tenant_id = t;
		DELETE FROM staff WHERE tenant_id = t;
		DELETE FROM services WHERE tenant_id = t;
		INSERT INTO reminder_settings (tenant_id, sms_enabled, quiet_enabled, ask_confirmation)
		VALUES (t, false, false, true)
		ON CONFLICT (tenant_id) DO UPDATE SET sms_enabled = false, quiet_enabled = false,
		    ask_confirmation = true, email_enabled = true, email_offsets = '{1440,120}';
		INSERT INTO services (tenant_id, id, name, duration_minutes, price_minor, currency)
		VALUES (t, 'be000000-0000-4000-8000-0000000000a1', 'Cut', 30, 2500, 'USD');
		INSERT INTO staff (tenant_id, id, display_name)
		VALUES (t, 'be000000-0000-4000-8000-0000000000a2', 'Ann');
		INSERT INTO customers (tenant_id, id, name, email)
		SELECT t, md5(t::text || i)::uuid, 'Customer ' || i, 'c' || i || '@bench-rmd.test'
		FROM generate_series(0, per - 1) i;
		-- References: i in base 31 over the booking alphabet, six digits.
		INSERT INTO bookings (tenant_id, id, reference, customer_id, source, starts_at, ends_at,
		    created_at)
		SELECT t, md5('b' || t::text || i)::uuid,
		    (SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ',
		        (i / (31 ^ k)::int) % 31 + 1, 1), '' ORDER BY k DESC) FROM generate_series(0, 5) k),
		    md5(t::text || i)::uuid, 'api',
		    t0 + make_interval(secs => (i * 3599 / per)),
		    t0 + make_interval(secs => (i * 3599 / per)) + interval '30 minutes',
		    now() - interval '2 days'
		FROM generate_series(0, per - 1) i;
		INSERT INTO booking_items (tenant_id, booking_id, position, service_id, staff_id,
		    starts_at, ends_at)
		SELECT t, b.id, 0, 'be000000-0000-4000-8000-0000000000a1',
		    'be000000-0000-4000-8000-0000000000a2', b.starts_at, b.ends_at
		FROM bookings b WHERE b.tenant_id = t;
	END LOOP;
END $$;
ANALYZE bookings;
ANALYZE customers;
ANALYZE booking_items;
ANALYZE notification_outbox;
