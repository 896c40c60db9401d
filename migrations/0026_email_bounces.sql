-- 0026_email_bounces.sql — addresses a business's mail was refused for.
-- When the recipient's server answers RCPT TO with a 5xx (no such mailbox,
-- mailbox disabled), the message is 'bounced' and the address lands here:
-- later e-mail from that business to it is 'suppressed' instead of sent,
-- as transactional providers do, so a dead address does not keep hurting
-- the sender's reputation. "Send again" on the bounced message (an admin
-- who checked the address) takes it off the list. Per tenant, like the
-- unsubscribe list: a typo in one salon's customer list says nothing about
-- another's.
CREATE TABLE email_bounces (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	email citext NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	reason text NOT NULL CHECK (length(reason) <= 300),
	message_id uuid,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, email)
);
SELECT tenant_table_setup('email_bounces');

-- 0020's record of an attempt, now also taking 'bounced' (a tenant's
-- e-mail: the address is listed above in the same statement's transaction).
CREATE OR REPLACE FUNCTION messages_record(p_tenant uuid, p_id uuid, p_status text,
    p_provider_id text, p_segments int, p_error text, p_retry_s int, p_refund boolean)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	changed boolean;
BEGIN
	IF p_status NOT IN ('sent', 'failed', 'bounced', 'suppressed', 'dead', 'queued') THEN
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
		RETURN FOUND;
	END IF;
	UPDATE notification_outbox SET status = p_status,
	    provider_id = coalesce(p_provider_id, provider_id),
	    segments = coalesce(p_segments, segments),
	    last_error = left(p_error, 1000),
	    sent_at = CASE WHEN p_status = 'sent' THEN now() ELSE sent_at END,
	    next_attempt_at = now() + make_interval(secs => greatest(coalesce(p_retry_s, 0), 0)),
	    attempts = attempts - CASE WHEN p_refund THEN 1 ELSE 0 END
	WHERE tenant_id = p_tenant AND id = p_id AND status = 'sending';
	changed := FOUND;
	IF changed AND p_status = 'bounced' THEN
		INSERT INTO email_bounces (tenant_id, email, reason, message_id)
		SELECT tenant_id, recipient, left(coalesce(p_error, 'refused'), 300), id
		FROM notification_outbox
		WHERE tenant_id = p_tenant AND id = p_id AND channel = 'email'
		    AND length(recipient) BETWEEN 3 AND 254
		ON CONFLICT (tenant_id, email) DO UPDATE SET reason = EXCLUDED.reason,
		    message_id = EXCLUDED.message_id, created_at = now();
	END IF;
	RETURN changed;
END $$;
