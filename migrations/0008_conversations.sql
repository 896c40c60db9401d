-- 0008_conversations: the receptionist's conversations and every message in
-- them (customer, AI, tool calls and results, human replies), archived for
-- good. One conversation engine serves every channel, so a conversation
-- names its channel; the web widget's session token is stored hashed.
--
-- The engine's guardrail state lives on the conversation row, not in a
-- model's memory: the slots check_availability offered in this
-- conversation, and the pending proposal (book / cancel / reschedule) that
-- only a later customer message may confirm.

CREATE TABLE conversations (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	channel text NOT NULL CHECK (channel IN ('web', 'whatsapp', 'sms', 'voice',
	    'instagram', 'messenger')),
	-- The channel's own handle for the thread (a phone number, a page-scoped
	-- id), for the channels that come later; NULL for the web widget.
	channel_ref text CHECK (length(channel_ref) <= 200),
	customer_id uuid,
	status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'HANDED_OFF', 'CLOSED')),
	-- The running summary of exchanges that fell out of the memory window.
	summary text CHECK (length(summary) <= 4000),
	-- SHA-256 of the opaque session token the widget holds (web only).
	session_token_hash bytea CHECK (length(session_token_hash) = 32),
	last_activity_at timestamptz NOT NULL DEFAULT now(),
	-- Idle expiry: a session past it is closed and answers no more.
	expires_at timestamptz,
	message_count int NOT NULL DEFAULT 0 CHECK (message_count >= 0),
	input_tokens bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
	output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
	-- What the customer gave us in this conversation ({name, email, phone}),
	-- validated before it was stored.
	contact jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(contact) = 'object'),
	-- The action waiting for the customer's explicit confirmation.
	pending_proposal jsonb CHECK (jsonb_typeof(pending_proposal) = 'object'),
	-- Every slot check_availability returned in this conversation (capped
	-- by the application): a booking or hold may only use one of them.
	offered_slots jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(offered_slots) = 'array'),
	handoff_reason text CHECK (length(handoff_reason) <= 500),
	handed_off_at timestamptz,
	closed_at timestamptz,
	-- One turn at a time per conversation (a double click must not run two
	-- model loops over the same proposal); expires by itself after a crash.
	turn_lock_until timestamptz,
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
	    ON DELETE SET NULL (customer_id),
	CHECK (status <> 'HANDED_OFF' OR handed_off_at IS NOT NULL)
);
CREATE UNIQUE INDEX conversations_session ON conversations (tenant_id, session_token_hash)
    WHERE session_token_hash IS NOT NULL;
CREATE INDEX conversations_recent ON conversations (tenant_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_status ON conversations (tenant_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_channel ON conversations (tenant_id, channel, last_activity_at DESC, id DESC);
CREATE INDEX conversations_customer ON conversations (tenant_id, customer_id)
    WHERE customer_id IS NOT NULL;
SELECT business_table_setup('conversations', false);

CREATE TABLE messages (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	conversation_id uuid NOT NULL,
	-- Position in the conversation (1, 2, …), taken from the conversation
	-- row under its lock, so the order never depends on clocks.
	seq int NOT NULL CHECK (seq >= 1),
	role text NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
	-- Who wrote it: the customer, the AI, a person of the business replying
	-- from the admin, or the engine itself (handoff notices).
	author text NOT NULL CHECK (author IN ('customer', 'ai', 'human', 'system')),
	author_id uuid,
	content text CHECK (length(content) <= 20000),
	-- An assistant step's tool calls: [{"id", "name", "arguments"}].
	tool_calls jsonb CHECK (jsonb_typeof(tool_calls) = 'array'),
	-- A tool message: which call it answers and what the tool returned.
	tool_call_id text CHECK (length(tool_call_id) <= 200),
	tool_name text CHECK (length(tool_name) <= 100),
	tool_result jsonb,
	model text CHECK (length(model) <= 200),
	provider text CHECK (length(provider) <= 50),
	input_tokens int CHECK (input_tokens >= 0),
	output_tokens int CHECK (output_tokens >= 0),
	latency_ms int CHECK (latency_ms >= 0),
	-- The client went away while this reply streamed: content is what had
	-- been sent.
	interrupted boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, conversation_id, seq),
	FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
	    ON DELETE CASCADE,
	CHECK ((role = 'tool') = (tool_call_id IS NOT NULL)),
	CHECK ((author = 'customer') = (role = 'user'))
);
CREATE INDEX messages_created ON messages (tenant_id, created_at);
SELECT tenant_table_setup('messages');

-- Whom to tell that a conversation was handed to a person: the business's
-- own e-mail, else its first owner's sign-in address. Accounts are global
-- and closed to the runtime role, so this narrow function (the current
-- tenant only, one address out) reads them.
CREATE FUNCTION conversation_notify_recipient() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT coalesce(
	    (SELECT p.email::text FROM tenant_profiles p
	        WHERE p.tenant_id = app_tenant() AND p.email IS NOT NULL AND length(p.email) >= 3),
	    (SELECT u.email::text FROM tenant_memberships m JOIN users u ON u.id = m.user_id
	        WHERE m.tenant_id = app_tenant() AND m.role = 'OWNER' AND m.deleted_at IS NULL
	            AND u.deleted_at IS NULL AND u.status = 'active'
	        ORDER BY m.created_at, m.id LIMIT 1))
$$;
REVOKE ALL ON FUNCTION conversation_notify_recipient() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION conversation_notify_recipient() TO receptionist_app;
