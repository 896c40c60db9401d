-- 0034_messages_wake_round_up.sql — the job that wakes the sender for a
-- message due at 10:00:00.4 ran at 10:00:00 (0020 truncated to the second):
-- it found nothing due yet, finished, and the message then waited for the
-- periodic sweep (seen as a 20 s stall of a retried e-mail in CI). The job
-- now runs at the first whole second at or after the message is due.
CREATE OR REPLACE FUNCTION messages_wake() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO jobs (tenant_id, kind, payload, unique_key, run_at, max_attempts)
	SELECT DISTINCT NULL::uuid, 'messages.send', '{}'::jsonb,
	    'at@' || ceil(extract(epoch FROM n.next_attempt_at))::bigint,
	    to_timestamp(ceil(extract(epoch FROM n.next_attempt_at))), 3
	FROM new_rows n WHERE n.status = 'queued'
	ON CONFLICT (tenant_id, kind, unique_key) WHERE unique_key IS NOT NULL
	DO UPDATE SET status = 'queued', run_at = excluded.run_at, attempts = 0,
	    finished_at = NULL, last_error = NULL
	WHERE jobs.status IN ('done', 'dead');
	RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION messages_wake() FROM PUBLIC;
