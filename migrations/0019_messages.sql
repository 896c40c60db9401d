-- 0019_messages.sql — the two outboxes become the messages every channel
-- sends: e-mail and SMS, scheduled (reminders wait for their time), with a
-- provider id, retries and a dead state the admin sees and can retry.
--
-- A message is queued in the transaction of the change that causes it and
-- sent by the worker. Statuses:
--   queued     waiting for next_attempt_at (now, or a reminder's time)
--   sending    claimed and committed before the provider call: a crash here
--              leaves the row in 'sending' and it is never resent on its own
--              (at most once; the admin may retry it)
--   sent       the provider accepted it (provider_id)
--   delivered  the provider's callback said it arrived
--   failed     permanently refused (bad address, 4xx); bounced: the mailbox
--              or handset refused it after acceptance
--   suppressed never sent: opted out, no consent, or over the plan's SMS allowance
--   dead       transient errors until max attempts
--   cancelled  no longer true (a reminder of a booking moved or cancelled)
-- dedupe_key makes one message per (booking, kind, channel, starts_at) or
-- whatever the writer names: a second insert with the same key is a no-op.

ALTER TABLE notification_outbox
	DROP CONSTRAINT notification_outbox_channel_check,
	DROP CONSTRAINT notification_outbox_status_check,
	ADD CONSTRAINT notification_outbox_channel_check CHECK (channel IN ('email', 'sms')),
	ADD CONSTRAINT notification_outbox_status_check CHECK (status IN ('queued', 'sending',
	    'sent', 'delivered', 'failed', 'bounced', 'suppressed', 'dead', 'cancelled')),
	ADD COLUMN dedupe_key text CHECK (length(dedupe_key) BETWEEN 1 AND 255),
	ADD COLUMN booking_id uuid,
	ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
	ADD COLUMN provider_id text CHECK (length(provider_id) <= 255),
	ADD COLUMN segments int CHECK (segments BETWEEN 1 AND 100),
	ADD COLUMN delivered_at timestamptz,
	ADD CONSTRAINT notification_outbox_dedupe UNIQUE (tenant_id, dedupe_key);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at)
	WHERE status = 'queued';
CREATE INDEX notification_outbox_booking ON notification_outbox (tenant_id, booking_id)
	WHERE booking_id IS NOT NULL;
CREATE INDEX notification_outbox_provider ON notification_outbox (provider_id)
	WHERE provider_id IS NOT NULL;

ALTER TABLE platform_outbox
	DROP CONSTRAINT platform_outbox_status_check,
	ADD CONSTRAINT platform_outbox_status_check CHECK (status IN ('queued', 'sending',
	    'sent', 'delivered', 'failed', 'bounced', 'suppressed', 'dead', 'cancelled')),
	ADD COLUMN dedupe_key text UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 255),
	ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
	ADD COLUMN provider_id text CHECK (length(provider_id) <= 255),
	ADD COLUMN delivered_at timestamptz;
DROP INDEX platform_outbox_queued;
CREATE INDEX platform_outbox_due ON platform_outbox (next_attempt_at) WHERE status = 'queued';
