-- 0013_app_events: live updates for the admin app. Each change to a
-- conversation, message or booking sends a small NOTIFY on 'app_events'
-- in the writer's own transaction (delivered only on commit).
--
-- Triggers rather than calls from the services: every writer (portal, AI
-- engine, admin, calendar sync, jobs) is caught with no call site to forget.
-- Payloads carry ids and short facts only (NOTIFY allows 8000 bytes): never
-- a customer's e-mail, phone or message text; the browser refetches.
-- Bookings notify from a deferred constraint trigger, so the booking's items
-- (and with them its staff) exist by the time the payload is built.

CREATE FUNCTION app_event(tid uuid, kind text, body jsonb) RETURNS void
LANGUAGE sql AS $$
	SELECT pg_notify('app_events', (jsonb_build_object('tenant_id', tid, 'kind', kind)
	    || body)::text);
$$;

CREATE FUNCTION app_event_conversation() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	IF TG_OP = 'INSERT' THEN
		k := 'conversation.created';
	ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
		k := CASE NEW.status WHEN 'HANDED_OFF' THEN 'handoff.waiting'
		    WHEN 'CLOSED' THEN 'conversation.closed'
		    ELSE 'handoff.released' END;
	ELSE
		RETURN NULL;
	END IF;
	PERFORM app_event(NEW.tenant_id, k, jsonb_build_object('conversation_id', NEW.id,
	    'channel', NEW.channel, 'status', NEW.status));
	RETURN NULL;
END;
$$;

CREATE TRIGGER app_event_conversation AFTER INSERT OR UPDATE OF status ON conversations
    FOR EACH ROW EXECUTE FUNCTION app_event_conversation();

-- A person of the business replying is the take-over ('handoff.taken');
-- tool and system steps are the engine's bookkeeping and stay quiet.
CREATE FUNCTION app_event_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.role IN ('tool', 'system') THEN
		RETURN NULL;
	END IF;
	PERFORM app_event(NEW.tenant_id, CASE WHEN NEW.author = 'human' THEN 'handoff.taken'
	    ELSE 'conversation.message' END, jsonb_build_object('conversation_id',
	    NEW.conversation_id, 'message_id', NEW.id, 'seq', NEW.seq, 'author', NEW.author,
	    'preview', left(COALESCE(NEW.content, ''), 80)));
	RETURN NULL;
END;
$$;

CREATE TRIGGER app_event_message AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION app_event_message();

CREATE FUNCTION app_event_booking() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	k text;
	staff jsonb;
	users jsonb;
BEGIN
	IF TG_OP = 'INSERT' THEN
		k := 'booking.created';
	ELSIF NEW.status = 'CANCELLED' AND OLD.status <> 'CANCELLED' THEN
		k := 'booking.cancelled';
	ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
		k := 'booking.status';
	ELSIF NEW.starts_at <> OLD.starts_at OR NEW.ends_at <> OLD.ends_at THEN
		k := 'booking.moved';
	ELSE
		RETURN NULL;
	END IF;
	SELECT COALESCE(jsonb_agg(DISTINCT i.staff_id), '[]'),
	    COALESCE(jsonb_agg(DISTINCT s.user_id) FILTER (WHERE s.user_id IS NOT NULL), '[]')
	    INTO staff, users
	    FROM booking_items i LEFT JOIN staff s ON s.tenant_id = i.tenant_id AND s.id = i.staff_id
	    WHERE i.tenant_id = NEW.tenant_id AND i.booking_id = NEW.id;
	PERFORM app_event(NEW.tenant_id, k, jsonb_build_object('booking_id', NEW.id,
	    'reference', NEW.reference, 'status', NEW.status, 'source', NEW.source,
	    'starts_at', NEW.starts_at, 'staff_ids', staff, 'staff_user_ids', users));
	RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER app_event_booking AFTER INSERT OR UPDATE ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app_event_booking();
