-- bench/reminders_plan.sql — one planner run as the worker makes it
-- (reminders_plan in batches of 20,000, each batch its own transaction in
-- the worker; here one DO block), printing "rows milliseconds batches".
-- Run by bench/reminders.sh as the runtime role.
\set ON_ERROR_STOP 1
DO $$
DECLARE
	r record;
	t0 timestamptz := clock_timestamp();
	total bigint := 0;
	batches int := 0;
	a_at timestamptz;
	a_key text;
BEGIN
	LOOP
		SELECT * INTO r FROM reminders_plan(now(), '60 minutes', '60 minutes', 'https', '',
		    'bench.test', NULL, 20000, a_at, a_key);
		total := total + r.planned;
		batches := batches + 1;
		a_at := r.last_at;
		a_key := r.last_key;
		EXIT WHEN r.examined < 20000;
	END LOOP;
	RAISE NOTICE 'RESULT % % %', total,
	    round(extract(epoch FROM clock_timestamp() - t0) * 1000), batches;
END $$;
