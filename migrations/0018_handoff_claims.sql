-- 0018_handoff_claims: who of the business has a handed-off conversation.
-- A handoff waits for a person until someone takes it over or replies;
-- the inbox's badge and its "Waiting" filter count only the unclaimed
-- ones, and the transcript says who has it. The receptionist handing a
-- conversation off (again) or a person handing it back leaves it
-- unclaimed.
ALTER TABLE conversations
    ADD COLUMN claimed_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN claimed_at timestamptz,
    ADD CONSTRAINT conversations_claim CHECK ((claimed_by IS NULL OR claimed_at IS NOT NULL)
        AND (claimed_at IS NULL OR status = 'HANDED_OFF'));

-- The badge: a count of the tenant's waiting handoffs, on every page.
CREATE INDEX conversations_waiting ON conversations (tenant_id, last_activity_at DESC, id DESC)
    WHERE status = 'HANDED_OFF' AND claimed_at IS NULL;

-- Being claimed is news for every open inbox ('handoff.taken'), as a
-- person's reply already is.
CREATE OR REPLACE FUNCTION app_event_conversation() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	IF TG_OP = 'INSERT' THEN
		k := 'conversation.created';
	ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
		k := CASE NEW.status WHEN 'HANDED_OFF' THEN
		        CASE WHEN NEW.claimed_at IS NULL THEN 'handoff.waiting' ELSE 'handoff.taken' END
		    WHEN 'CLOSED' THEN 'conversation.closed'
		    ELSE 'handoff.released' END;
	ELSIF NEW.claimed_at IS NOT NULL AND OLD.claimed_at IS NULL THEN
		k := 'handoff.taken';
	ELSE
		RETURN NULL;
	END IF;
	PERFORM app_event(NEW.tenant_id, k, jsonb_build_object('conversation_id', NEW.id,
	    'channel', NEW.channel, 'status', NEW.status));
	RETURN NULL;
END;
$$;

DROP TRIGGER app_event_conversation ON conversations;
CREATE TRIGGER app_event_conversation AFTER INSERT OR UPDATE OF status, claimed_at ON conversations
    FOR EACH ROW EXECUTE FUNCTION app_event_conversation();
