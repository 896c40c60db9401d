-- 60_conversations: the tables of 0008_conversations as the engine relies
-- on them. Row-level security is forced; a message can never point at
-- another tenant's conversation; the CHECKs mirror what the engine writes
-- (channels, statuses, roles, who wrote a message, tool messages name their
-- call, JSON shapes of the guardrail state); one seq per message; session
-- tokens are unique; a handed-off conversation says when; deleting a
-- customer keeps the conversation. The handoff recipient function answers
-- for the current tenant only. Writes run as the runtime role in a
-- tenant's context, as the API would.
BEGIN;
SELECT plan(27);

\ir fixtures/sqlstate_of.sql

--   A = aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa, B = bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');
INSERT INTO tenant_profiles (tenant_id, business_name, email) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Alpha', 'desk@alpha.example'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'Bravo', NULL);
INSERT INTO users (id, email, password_hash) VALUES
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'bravo-owner@example.test', 'x'),
    ('dddddddd-dddd-4ddd-8ddd-dddddddddddd', 'bravo-viewer@example.test', 'x');
INSERT INTO tenant_memberships (tenant_id, user_id, role, created_at) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', 'VIEWER',
     now() - interval '2 days'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'OWNER',
     now() - interval '1 day');
-- Tenant B's conversation, as the superuser.
INSERT INTO conversations (tenant_id, id, channel, session_token_hash) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-000000000001', 'web',
     sha256('\x01'));

SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class
    WHERE oid = 'conversations'::regclass), 'conversations: RLS enabled and forced');
SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class
    WHERE oid = 'messages'::regclass), 'messages: RLS enabled and forced');
SELECT ok(has_function_privilege('receptionist_app', 'conversation_notify_recipient()',
    'EXECUTE'), 'the runtime role may ask whom to notify');
SELECT ok(NOT has_function_privilege('public', 'conversation_notify_recipient()', 'EXECUTE'),
    'PUBLIC may not');

SET LOCAL ROLE receptionist_app;

SELECT is(conversation_notify_recipient(), NULL, 'no tenant: nobody to notify');

SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

INSERT INTO customers (tenant_id, id, name, email) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000005', 'Cus', 'cus@example.test');
INSERT INTO conversations (tenant_id, id, channel, session_token_hash, customer_id, expires_at)
    VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 'web', sha256('\x01'),
    'a0000000-0000-4000-8000-000000000005', now() + interval '30 minutes');
INSERT INTO messages (tenant_id, conversation_id, seq, role, author, content) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 1, 'user', 'customer', 'hi'),
    (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 2, 'assistant', 'ai', 'Hello!');
INSERT INTO messages (tenant_id, conversation_id, seq, role, author, tool_calls) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 3, 'assistant', 'ai',
     '[{"id":"c1","name":"get_services","arguments":"{}"}]');
INSERT INTO messages (tenant_id, conversation_id, seq, role, author, tool_call_id, tool_name,
    tool_result) VALUES
    (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 4, 'tool', 'ai', 'c1', 'get_services',
     '{"services":[]}');

SELECT is((SELECT count(*) FROM conversations), 1::bigint,
    'tenant A sees its own conversation only');
SELECT is((SELECT count(*) FROM conversations
    WHERE id = 'b0000000-0000-4000-8000-000000000001'), 0::bigint, 'B''s conversation is invisible');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO messages (tenant_id, conversation_id, seq, role,
    author, content) VALUES (app_tenant(), 'b0000000-0000-4000-8000-000000000001', 1, 'user',
    'customer', 'x') $$), '23503', 'a message cannot point at another tenant''s conversation');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO messages (tenant_id, conversation_id, seq, role,
    author, content) VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
    'b0000000-0000-4000-8000-000000000001', 9, 'user', 'customer', 'x') $$), '42501',
    'nor be written for another tenant');
SELECT is(pg_temp.sqlstate_of($$ UPDATE conversations SET tenant_id =
    'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' $$), '42501', 'a conversation cannot move to B');

-- CHECKs --------------------------------------------------------------------------------
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO conversations (tenant_id, channel)
    VALUES (app_tenant(), 'fax') $$), '23514', 'channels are the known ones');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO conversations (tenant_id, channel, status)
    VALUES (app_tenant(), 'sms', 'PAUSED') $$), '23514', 'statuses are the known ones');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO conversations (tenant_id, channel, status)
    VALUES (app_tenant(), 'sms', 'HANDED_OFF') $$), '23514',
    'a handed-off conversation says when it was handed off');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO conversations (tenant_id, channel, offered_slots)
    VALUES (app_tenant(), 'sms', '{}') $$), '23514', 'offered slots are a list');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO conversations (tenant_id, channel, pending_proposal)
    VALUES (app_tenant(), 'sms', '[1]') $$), '23514', 'a proposal is an object');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO conversations (tenant_id, channel, session_token_hash)
    VALUES (app_tenant(), 'web', sha256('\x01')) $$), '23505', 'a session token opens one conversation');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO messages (tenant_id, conversation_id, seq, role,
    author, content) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 2, 'user',
    'customer', 'again') $$), '23505', 'one message per seq');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO messages (tenant_id, conversation_id, seq, role,
    author, content) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 10, 'user',
    'ai', 'I am the customer') $$), '23514', 'user messages are the customer''s, only theirs');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO messages (tenant_id, conversation_id, seq, role,
    author, content) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 10,
    'assistant', 'customer', 'x') $$), '23514', 'the customer writes no assistant message');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO messages (tenant_id, conversation_id, seq, role,
    author, content) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 10, 'tool',
    'ai', '{}') $$), '23514', 'a tool message names the call it answers');
SELECT is(pg_temp.sqlstate_of($$ INSERT INTO messages (tenant_id, conversation_id, seq, role,
    author, content) VALUES (app_tenant(), 'a0000000-0000-4000-8000-000000000001', 10, 'robot',
    'ai', 'x') $$), '23514', 'roles are user, assistant, tool, system');

-- Behaviour ------------------------------------------------------------------------------
UPDATE conversations SET summary = 'x' WHERE id = 'a0000000-0000-4000-8000-000000000001';
SELECT is((SELECT version FROM conversations WHERE id = 'a0000000-0000-4000-8000-000000000001'),
    2, 'updates move the version');
DELETE FROM customers WHERE id = 'a0000000-0000-4000-8000-000000000005';
SELECT is((SELECT customer_id FROM conversations WHERE id = 'a0000000-0000-4000-8000-000000000001'),
    NULL, 'deleting the customer keeps the conversation');
SELECT is(conversation_notify_recipient(), 'desk@alpha.example'::text,
    'handoffs are sent to the business''s e-mail');
DELETE FROM conversations WHERE id = 'a0000000-0000-4000-8000-000000000001';
SELECT is((SELECT count(*) FROM messages), 0::bigint, 'messages go with their conversation');

SELECT FROM set_config('app.tenant_id', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', true);
SELECT is(conversation_notify_recipient(), 'bravo-owner@example.test'::text,
    'without a business e-mail, its (first) owner''s');
SELECT is((SELECT count(*) FROM conversations), 1::bigint, 'tenant B sees its conversation');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
