-- 0022_reminders.sql — reminders before a booking, quiet hours, and the
-- customer's confirmation.
--
-- The planner (reminders_plan, run by the worker every minute) writes one
-- queued notification_outbox row per (booking, offset, channel) whose send
-- time comes within the horizon; the messages sender sends it when
-- next_attempt_at comes. Re-planning is a no-op thanks to the outbox's
-- (tenant_id, dedupe_key) key, which names the booking's start: a moved
-- booking gets new keys, and its old queued rows are cancelled.

-- A tenant's reminder policy. No row: the defaults below.
CREATE FUNCTION reminder_offsets_ok(o int[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT cardinality(o) <= 4 AND 15 <= ALL (o) AND 10080 >= ALL (o)
	    AND cardinality(o) = (SELECT count(DISTINCT x) FROM unnest(o) x)
$$;

CREATE TABLE reminder_settings (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	email_enabled boolean NOT NULL DEFAULT true,
	-- Minutes before the start, largest first.
	email_offsets int[] NOT NULL DEFAULT '{1440,120}' CHECK (reminder_offsets_ok(email_offsets)),
	sms_enabled boolean NOT NULL DEFAULT true,
	sms_offsets int[] NOT NULL DEFAULT '{1440,120}' CHECK (reminder_offsets_ok(sms_offsets)),
	-- Tenant-local wall clock; start > end wraps midnight (21:00–08:00).
	quiet_enabled boolean NOT NULL DEFAULT true,
	quiet_start time NOT NULL DEFAULT '21:00',
	quiet_end time NOT NULL DEFAULT '08:00',
	ask_confirmation boolean NOT NULL DEFAULT true,
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (quiet_start <> quiet_end)
);
SELECT business_table_setup('reminder_settings', false);

-- The customer's confirmation ("yes, I'm coming"), not the booking's
-- status: a CONFIRMED booking may still be unconfirmed by its customer.
ALTER TABLE bookings ADD COLUMN confirmed_at timestamptz;

-- Confirmation links: the token scheme of invitations and resets (32
-- random bytes, base64url, only the SHA-256 stored), one per reminder
-- that carries a link; any of a booking's tokens confirms it.
CREATE TABLE booking_confirm_tokens (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
	booking_id uuid NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, token_hash),
	FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_confirm_tokens_booking ON booking_confirm_tokens (tenant_id, booking_id);
SELECT tenant_table_setup('booking_confirm_tokens');

-- The planner reads upcoming bookings by start across tenants.
CREATE INDEX bookings_upcoming ON bookings (starts_at)
    WHERE status IN ('PENDING', 'CONFIRMED');
-- ... and the queued reminders it may have to cancel.
CREATE INDEX notification_outbox_reminders ON notification_outbox (tenant_id, booking_id)
    WHERE status = 'queued' AND template IN ('booking.reminder', 'booking.confirm_nudge');

-- When a message due at p_at (tenant-local zone p_zone) is sent, given
-- quiet hours [p_start, p_end): outside them, at p_at; inside, earlier —
-- p_margin before the quiet period that contains it begins (the end of
-- the previous non-quiet period, with room for the sender's minute).
CREATE FUNCTION reminder_send_at(p_at timestamptz, p_zone text, p_quiet boolean,
    p_start time, p_end time, p_margin interval DEFAULT '15 minutes')
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	-- Plain SQL, so the planner's statement inlines it (no call per row).
	SELECT CASE
	    WHEN NOT p_quiet THEN p_at
	    -- Wraps midnight (21:00–08:00): after the start, the same evening;
	    -- before the end, the evening before.
	    WHEN p_start > p_end AND (p_at AT TIME ZONE p_zone)::time >= p_start
	        THEN (((p_at AT TIME ZONE p_zone)::date + p_start) AT TIME ZONE p_zone) - p_margin
	    WHEN p_start > p_end AND (p_at AT TIME ZONE p_zone)::time < p_end
	        THEN (((p_at AT TIME ZONE p_zone)::date - 1 + p_start) AT TIME ZONE p_zone) - p_margin
	    -- Within a day (12:00–14:00).
	    WHEN p_start < p_end AND (p_at AT TIME ZONE p_zone)::time >= p_start
	        AND (p_at AT TIME ZONE p_zone)::time < p_end
	        THEN (((p_at AT TIME ZONE p_zone)::date + p_start) AT TIME ZONE p_zone) - p_margin
	    ELSE p_at END
$$;

-- How far before its time a reminder can move for quiet hours: their length.
CREATE FUNCTION reminder_quiet_span(p_quiet boolean, p_start time, p_end time) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN NOT p_quiet THEN interval '0'
	    WHEN p_start > p_end THEN interval '24 hours' - (p_start - p_end)
	    ELSE p_end - p_start END + interval '15 minutes'
$$;

-- "24 hours", "2 hours", "90 minutes", "3 days": what the template says.
CREATE FUNCTION reminder_offset_label(m int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
	    WHEN m % 1440 = 0 AND m > 1440 THEN (m / 1440) || ' days'
	    WHEN m % 60 = 0 THEN (m / 60) || CASE WHEN m = 60 THEN ' hour' ELSE ' hours' END
	    ELSE m || ' minutes' END
$$;

-- When a channel's nudge goes (minutes before the start): halfway between
-- its first and last reminder, or an hour before the only one.
CREATE FUNCTION reminder_nudge_offset(o int[]) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN cardinality(o) = 1 THEN o[1] + 60
	    ELSE ((SELECT max(x) FROM unnest(o) x) + (SELECT min(x) FROM unnest(o) x)) / 2 END
$$;

-- The planner, across tenants (or one, p_tenant), set-based:
--  1. cancels queued reminders that are no longer true: the booking was
--     cancelled or moved (its start differs from the row's), the offset or
--     channel was turned off, or a nudge's booking got confirmed;
--  2. queues the reminders and nudges whose send time falls in
--     [p_now - p_late, p_now + p_horizon) and is not before the booking was
--     made (a booking made 1 h before gets no 24 h or 2 h reminder; one
--     whose quiet-hours time moved before it was made gets none either).
-- In batches: a call looks at p_limit candidates after the cursor
-- (p_after_at, p_after_key), in (send time, dedupe key) order, and returns
-- where it stopped; the caller calls again, each call its own transaction,
-- while a batch was full, so no statement outgrows the statement timeout
-- and no batch re-examines what an earlier one did. Step 1 runs with the
-- first batch only.
CREATE FUNCTION reminders_plan(p_now timestamptz, p_horizon interval, p_late interval,
    p_scheme text, p_port text, p_platform_domain text, p_tenant uuid DEFAULT NULL,
    p_limit int DEFAULT 20000, p_after_at timestamptz DEFAULT NULL, p_after_key text DEFAULT NULL)
RETURNS TABLE (planned bigint, cancelled bigint, examined bigint, last_at timestamptz,
    last_key text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	n_planned bigint;
	n_cancelled bigint := 0;
	n_examined bigint;
	l_at timestamptz;
	l_key text;
BEGIN
	IF p_after_at IS NULL THEN
	UPDATE notification_outbox o SET status = 'cancelled', updated_at = now(),
	    last_error = 'no longer true when planned'
	FROM notification_outbox q
	LEFT JOIN bookings b ON b.tenant_id = q.tenant_id AND b.id = q.booking_id
	LEFT JOIN reminder_settings s ON s.tenant_id = q.tenant_id
	WHERE o.tenant_id = q.tenant_id AND o.id = q.id
	    AND q.status = 'queued' AND q.booking_id IS NOT NULL
	    AND q.template IN ('booking.reminder', 'booking.confirm_nudge')
	    AND (p_tenant IS NULL OR q.tenant_id = p_tenant)
	    AND (b.id IS NULL OR b.status NOT IN ('PENDING', 'CONFIRMED')
	        OR date_trunc('second', b.starts_at) <> (q.payload->>'starts_at')::timestamptz
	        OR (q.template = 'booking.confirm_nudge'
	            AND (b.confirmed_at IS NOT NULL OR NOT coalesce(s.ask_confirmation, true)))
	        OR (q.channel = 'email' AND NOT coalesce(s.email_enabled, true))
	        OR (q.channel = 'sms' AND NOT coalesce(s.sms_enabled, true))
	        OR (q.template = 'booking.reminder' AND NOT ((q.payload->>'offset_minutes')::int
	            = ANY (CASE q.channel WHEN 'email' THEN coalesce(s.email_offsets, '{1440,120}')
	                ELSE coalesce(s.sms_offsets, '{1440,120}') END)))
	        OR (q.template = 'booking.confirm_nudge' AND (q.payload->>'offset_minutes')::int
	            IS DISTINCT FROM reminder_nudge_offset(CASE q.channel
	                WHEN 'email' THEN coalesce(s.email_offsets, '{1440,120}')
	                ELSE coalesce(s.sms_offsets, '{1440,120}') END)));
	GET DIAGNOSTICS n_cancelled = ROW_COUNT;
	END IF;

	WITH
	cfg AS (
		SELECT t.id AS tenant_id, coalesce(p.timezone, 'UTC') AS zone,
		    coalesce(br.display_name, p.business_name, '') AS business,
		    coalesce((SELECT d.hostname FROM tenant_domains d WHERE d.tenant_id = t.id
		        AND d.kind = 'custom' AND d.deleted_at IS NULL
		        AND d.verification_state = 'verified' ORDER BY d.verified_at, d.hostname
		        LIMIT 1), t.slug || '.' || p_platform_domain) AS host,
		    coalesce(s.email_enabled, true) AS email_on,
		    coalesce(s.email_offsets, '{1440,120}') AS email_offsets,
		    coalesce(s.sms_enabled, true) AS sms_on,
		    coalesce(s.sms_offsets, '{1440,120}') AS sms_offsets,
		    coalesce(s.quiet_enabled, true) AS quiet,
		    coalesce(s.quiet_start, '21:00') AS qs, coalesce(s.quiet_end, '08:00') AS qe,
		    coalesce(s.ask_confirmation, true) AS ask
		FROM tenants t
		LEFT JOIN tenant_profiles p ON p.tenant_id = t.id
		LEFT JOIN tenant_branding br ON br.tenant_id = t.id
		LEFT JOIN reminder_settings s ON s.tenant_id = t.id
		WHERE t.status = 'active' AND (p_tenant IS NULL OR t.id = p_tenant)
	),
	-- Each channel's offsets, and its nudge if confirmation is asked; the
	-- window of starts whose message can be due now (quiet hours move a
	-- message earlier by at most their length).
	offs AS (
		SELECT f.*, p_now - p_late + make_interval(mins => f.offset_min) AS lo,
		    p_now + p_horizon + make_interval(mins => f.offset_min)
		        + reminder_quiet_span(c.quiet, c.qs, c.qe) AS hi
		FROM (
			SELECT c.tenant_id, ch.channel, 'booking.reminder' AS template, o AS offset_min
			FROM cfg c
			CROSS JOIN LATERAL (VALUES ('email', c.email_on, c.email_offsets),
			    ('sms', c.sms_on, c.sms_offsets)) ch (channel, on_, offsets)
			CROSS JOIN LATERAL unnest(ch.offsets) o
			WHERE ch.on_
			UNION ALL
			SELECT c.tenant_id, ch.channel, 'booking.confirm_nudge',
			    reminder_nudge_offset(ch.offsets)
			FROM cfg c
			CROSS JOIN LATERAL (VALUES ('email', c.email_on, c.email_offsets),
			    ('sms', c.sms_on, c.sms_offsets)) ch (channel, on_, offsets)
			WHERE ch.on_ AND c.ask AND cardinality(ch.offsets) > 0
		) f JOIN cfg c ON c.tenant_id = f.tenant_id
	),
	cand AS (
		SELECT b.tenant_id, b.id AS booking_id, b.reference, b.starts_at, b.ends_at,
		    b.created_at AS made_at, b.confirmed_at, f.channel, f.template, f.offset_min,
		    c.zone, c.business, c.host, c.ask, b.customer_id, c.sms_on, c.sms_offsets,
		    CASE f.template WHEN 'booking.reminder' THEN 'reminder' ELSE 'nudge' END
		        || ':' || b.id || ':' || f.offset_min || ':' || f.channel || ':'
		        || extract(epoch FROM b.starts_at)::bigint AS dkey,
		    reminder_send_at(b.starts_at - make_interval(mins => f.offset_min), c.zone,
		        c.quiet, c.qs, c.qe) AS send_at
		FROM offs f
		JOIN cfg c ON c.tenant_id = f.tenant_id
		JOIN bookings b ON b.tenant_id = f.tenant_id
		    AND b.starts_at >= f.lo AND b.starts_at < f.hi
		    AND b.status IN ('PENDING', 'CONFIRMED')
		WHERE (f.template = 'booking.reminder' OR b.confirmed_at IS NULL)
	),
	picked AS (
		SELECT c.* FROM cand c
		WHERE c.send_at >= p_now - p_late AND c.send_at < p_now + p_horizon
		    AND (p_after_at IS NULL OR (c.send_at, c.dkey) > (p_after_at, p_after_key))
		ORDER BY c.send_at, c.dkey
		LIMIT p_limit
	),
	due AS (
		SELECT c.*, c.ask AND c.confirmed_at IS NULL AS with_link,
		    CASE c.channel WHEN 'email' THEN cu.email::text ELSE cu.phone END AS recipient,
		    cu.name AS customer_name
		FROM picked c
		JOIN customers cu ON cu.tenant_id = c.tenant_id AND cu.id = c.customer_id
		WHERE c.send_at >= c.made_at AND c.send_at < c.starts_at
		    AND CASE c.channel WHEN 'email' THEN cu.email IS NOT NULL
		        ELSE cu.phone IS NOT NULL AND cu.sms_consent END
		    -- One nudge per booking: by SMS when it can go there.
		    AND NOT (c.template = 'booking.confirm_nudge' AND c.channel = 'email'
		        AND cu.phone IS NOT NULL AND cu.sms_consent AND c.sms_on
		        AND cardinality(c.sms_offsets) > 0)
		    AND NOT EXISTS (SELECT 1 FROM notification_outbox o
		        WHERE o.tenant_id = c.tenant_id AND o.dedupe_key = c.dkey)
	),
	tokens AS (
		SELECT d.*, CASE WHEN d.with_link THEN translate(rtrim(encode(gen_random_bytes(32),
		    'base64'), '='), '+/', '-_') END AS token
		FROM due d
	),
	ins AS (
		INSERT INTO notification_outbox AS o (tenant_id, channel, recipient, template,
		    payload, booking_id, next_attempt_at, dedupe_key)
		SELECT d.tenant_id, d.channel, d.recipient, d.template,
		    jsonb_build_object('booking_id', d.booking_id, 'reference', d.reference,
		        'starts_at', to_char(d.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		        'ends_at', to_char(d.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		        'time_zone', d.zone, 'business_name', d.business,
		        'customer_name', d.customer_name,
		        'services', coalesce((SELECT jsonb_agg(sv.name ORDER BY i.position)
		            FROM booking_items i JOIN services sv ON sv.tenant_id = i.tenant_id
		            AND sv.id = i.service_id WHERE i.tenant_id = d.tenant_id
		            AND i.booking_id = d.booking_id), '[]'),
		        'staff_name', (SELECT st.display_name FROM booking_items i JOIN staff st
		            ON st.tenant_id = i.tenant_id AND st.id = i.staff_id
		            WHERE i.tenant_id = d.tenant_id AND i.booking_id = d.booking_id
		            ORDER BY i.position LIMIT 1),
		        'offset_minutes', d.offset_min,
		        'offset_label', reminder_offset_label(d.offset_min),
		        'confirm_url', CASE WHEN d.with_link THEN p_scheme || '://' || d.host || p_port
		            || '/booking/' || d.reference || '/confirm#token=' || d.token END),
		    d.booking_id, d.send_at, d.dkey
		FROM tokens d
		ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
		RETURNING o.tenant_id, o.booking_id, o.payload->>'confirm_url' AS url
	),
	-- The token back from the row that was inserted (a join to `tokens`
	-- would be planned as a loop over both: CTEs carry no statistics).
	tok AS (
		INSERT INTO booking_confirm_tokens (tenant_id, token_hash, booking_id)
		SELECT i.tenant_id, sha256(convert_to(split_part(i.url, '#token=', 2), 'UTF8')),
		    i.booking_id
		FROM ins i WHERE i.url IS NOT NULL
		RETURNING 1
	)
	SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM picked),
	    l.send_at, l.dkey INTO n_planned, n_examined, l_at, l_key
	FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT p.send_at, p.dkey FROM picked p
	    ORDER BY p.send_at DESC, p.dkey DESC LIMIT 1) l ON true;
	RETURN QUERY SELECT n_planned, n_cancelled, n_examined, l_at, l_key;
END $$;
REVOKE ALL ON FUNCTION reminders_plan(timestamptz, interval, interval, text, text, text, uuid, int,
    timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reminders_plan(timestamptz, interval, interval, text, text, text, uuid, int,
    timestamptz, text) TO receptionist_app;

-- The tenant's queued reminders of one booking, cancelled in the
-- transaction that cancels or moves it (the planner would catch them on
-- its next run; this closes the minute between).
CREATE FUNCTION reminders_cancel_booking(p_booking uuid) RETURNS bigint
LANGUAGE sql SECURITY INVOKER AS $$
	WITH c AS (UPDATE notification_outbox o SET status = 'cancelled', updated_at = now(),
	    last_error = 'booking cancelled or moved'
	    FROM bookings b
	    WHERE o.tenant_id = app_tenant() AND o.booking_id = p_booking AND o.status = 'queued'
	        AND o.template IN ('booking.reminder', 'booking.confirm_nudge')
	        AND b.tenant_id = o.tenant_id AND b.id = o.booking_id
	        AND (b.status NOT IN ('PENDING', 'CONFIRMED')
	            OR date_trunc('second', b.starts_at) <> (o.payload->>'starts_at')::timestamptz)
	    RETURNING 1)
	SELECT count(*) FROM c
$$;
