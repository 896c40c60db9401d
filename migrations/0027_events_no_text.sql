-- 0027_events_no_text.sql — 0013's message event carried a preview (the
-- first 80 characters of the message), against its own rule: payloads hold
-- ids and short facts, never a customer's words (a message can hold an
-- e-mail address, a phone number, anything). NOTIFY payloads pass through
-- every listener and can reach the server's logs; the admin app never used
-- the preview (it refetches the conversation). Same event, without it.
CREATE OR REPLACE FUNCTION app_event_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.role IN ('tool', 'system') THEN
		RETURN NULL;
	END IF;
	PERFORM app_event(NEW.tenant_id, CASE WHEN NEW.author = 'human' THEN 'handoff.taken'
	    ELSE 'conversation.message' END, jsonb_build_object('conversation_id',
	    NEW.conversation_id, 'message_id', NEW.id, 'seq', NEW.seq, 'author', NEW.author));
	RETURN NULL;
END;
$$;
