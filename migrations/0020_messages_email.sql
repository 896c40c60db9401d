-- 0020_messages_email.sql — the sender's side of the outboxes (0019): a
-- claim that crosses tenants, the record of each attempt, a retry the admin
-- asks for, and the wake-up of the send job when a message is queued.
--
-- notification_outbox has forced row-level security and platform_outbox has
-- no policy at all, so the worker reaches both only through these SECURITY
-- DEFINER functions, like jobs_claim() (0003).

-- Claims up to p_limit due messages of both outboxes: each becomes
-- 'sending' with one more attempt, and the caller commits before it calls
-- a provider (at most once: see docs/messages.md). tenant_id is NULL for
-- the platform's own mail.
CREATE FUNCTION messages_claim(p_limit int)
RETURNS TABLE (tenant_id uuid, id uuid, channel text, recipient text, template text,
    payload jsonb, attempts int, booking_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	RETURN QUERY
	WITH picked AS (
		SELECT p.id FROM platform_outbox p
		WHERE p.status = 'queued' AND p.next_attempt_at <= now()
		ORDER BY p.next_attempt_at
		FOR UPDATE SKIP LOCKED
		LIMIT greatest(p_limit, 1)
	)
	UPDATE platform_outbox p SET status = 'sending', attempts = p.attempts + 1
	FROM picked WHERE p.id = picked.id
	RETURNING NULL::uuid, p.id, p.channel, p.recipient, p.template, p.payload,
	    p.attempts, NULL::uuid;

	RETURN QUERY
	WITH picked AS (
		SELECT n.tenant_id, n.id FROM notification_outbox n
		WHERE n.status = 'queued' AND n.next_attempt_at <= now()
		ORDER BY n.next_attempt_at
		FOR UPDATE SKIP LOCKED
		LIMIT greatest(p_limit, 1)
	)
	UPDATE notification_outbox n SET status = 'sending', attempts = n.attempts + 1
	FROM picked WHERE n.tenant_id = picked.tenant_id AND n.id = picked.id
	RETURNING n.tenant_id, n.id, n.channel, n.recipient, n.template, n.payload,
	    n.attempts, n.booking_id;
END $$;

-- What became of one attempt of a message in 'sending'. p_status:
-- 'sent' (provider id, segments), 'failed', 'suppressed', 'dead', or
-- 'queued' again after p_retry_s seconds; p_refund gives the attempt back
-- (nothing was tried: no provider configured). A row no longer in
-- 'sending' (an admin acted) is left alone; returns whether it changed.
CREATE FUNCTION messages_record(p_tenant uuid, p_id uuid, p_status text, p_provider_id text,
    p_segments int, p_error text, p_retry_s int, p_refund boolean) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	IF p_status NOT IN ('sent', 'failed', 'suppressed', 'dead', 'queued') THEN
		RAISE EXCEPTION 'messages_record: bad status %', p_status
		    USING ERRCODE = '22023';
	END IF;
	IF p_tenant IS NULL THEN
		UPDATE platform_outbox SET status = p_status,
		    provider_id = coalesce(p_provider_id, provider_id),
		    last_error = left(p_error, 1000),
		    sent_at = CASE WHEN p_status = 'sent' THEN now() ELSE sent_at END,
		    next_attempt_at = now() + make_interval(secs => greatest(coalesce(p_retry_s, 0), 0)),
		    attempts = attempts - CASE WHEN p_refund THEN 1 ELSE 0 END
		WHERE id = p_id AND status = 'sending';
	ELSE
		UPDATE notification_outbox SET status = p_status,
		    provider_id = coalesce(p_provider_id, provider_id),
		    segments = coalesce(p_segments, segments),
		    last_error = left(p_error, 1000),
		    sent_at = CASE WHEN p_status = 'sent' THEN now() ELSE sent_at END,
		    next_attempt_at = now() + make_interval(secs => greatest(coalesce(p_retry_s, 0), 0)),
		    attempts = attempts - CASE WHEN p_refund THEN 1 ELSE 0 END
		WHERE tenant_id = p_tenant AND id = p_id AND status = 'sending';
	END IF;
	RETURN FOUND;
END $$;

-- The send job's wake-up. One job per second of send time (a reminder's
-- time, or now): a thousand messages queued in one second make one job, a
-- reminder due tomorrow at 15:00 makes a job that runs then. A job of that
-- second that already finished is queued again, so a message queued just
-- after a drain still wakes one. Messages re-queued by a retry wake the
-- same way (messages_record's UPDATE is caught by the periodic sweep too).
CREATE FUNCTION messages_wake() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO jobs (tenant_id, kind, payload, unique_key, run_at, max_attempts)
	SELECT DISTINCT NULL::uuid, 'messages.send', '{}'::jsonb,
	    'at@' || floor(extract(epoch FROM n.next_attempt_at))::bigint,
	    date_trunc('second', n.next_attempt_at), 3
	FROM new_rows n WHERE n.status = 'queued'
	ON CONFLICT (tenant_id, kind, unique_key) WHERE unique_key IS NOT NULL
	DO UPDATE SET status = 'queued', run_at = excluded.run_at, attempts = 0,
	    finished_at = NULL, last_error = NULL
	WHERE jobs.status IN ('done', 'dead');
	RETURN NULL;
END $$;

CREATE TRIGGER messages_wake AFTER INSERT ON notification_outbox
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_wake();
CREATE TRIGGER messages_wake AFTER INSERT ON platform_outbox
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_wake();
CREATE TRIGGER messages_wake_update AFTER UPDATE ON notification_outbox
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_wake();
CREATE TRIGGER messages_wake_update AFTER UPDATE ON platform_outbox
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_wake();

-- The trigger function runs as its owner whoever inserts; nobody calls it
-- (firing a trigger checks no EXECUTE privilege).
REVOKE ALL ON FUNCTION messages_wake() FROM PUBLIC;
REVOKE ALL ON FUNCTION messages_claim(int),
    messages_record(uuid, uuid, text, text, int, text, int, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION messages_claim(int),
    messages_record(uuid, uuid, text, text, int, text, int, boolean) TO receptionist_app;

-- The platform's own mail (no tenant can read or write platform_outbox).
CREATE FUNCTION messages_queue_platform(p_recipient text, p_template text, p_payload jsonb,
    p_dedupe_key text, p_at timestamptz) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	INSERT INTO platform_outbox (recipient, template, payload, dedupe_key, next_attempt_at)
	VALUES (p_recipient, p_template, coalesce(p_payload, '{}'), p_dedupe_key,
	    coalesce(p_at, now()))
	ON CONFLICT (dedupe_key) DO NOTHING
$$;
REVOKE ALL ON FUNCTION messages_queue_platform(text, text, jsonb, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION messages_queue_platform(text, text, jsonb, text, timestamptz)
    TO receptionist_app;
