-- 70_usage: AI usage metering and the tenants' model settings (0009_usage,
-- 0010_usage_shards),
-- proven in the database: the metering month, counters that only grow and
-- cannot be deleted by the runtime role, the plan-limit statement the
-- application runs (it never lets a month pass its limit), per-model rows
-- tied to their month and tenant, and sealed-key columns that come all
-- together or not at all.
BEGIN;
SELECT plan(27);

INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo'),
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'tap-charlie');

-- The metering month -------------------------------------------------------

SELECT is(usage_current_month(), (date_trunc('month', now() AT TIME ZONE 'UTC'))::date,
    'usage_current_month() is the first day of the current UTC month');
SELECT is(extract(day FROM usage_current_month())::int, 1, 'which is a first of the month');

-- Constraints (as the owner) -------------------------------------------------

SELECT throws_ok($$ INSERT INTO usage_monthly (tenant_id, month)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2030-01-15') $$, '23514', NULL,
    'a usage month is the first day of a month');
SELECT throws_ok($$ INSERT INTO usage_monthly (tenant_id, month, messages)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2030-01-01', -1) $$, '23514', NULL,
    'counters cannot go negative');
SELECT throws_ok($$ INSERT INTO usage_monthly (tenant_id, month, shard)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2030-01-01', 16) $$, '23514', NULL,
    'a month has 16 shards (0-15)');
SELECT throws_ok($$ INSERT INTO usage_monthly_models (tenant_id, month, provider, model)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2031-02-01', 'openai', 'gpt') $$, '23503',
    NULL, 'a per-model row needs its month''s totals row');
INSERT INTO usage_monthly (tenant_id, month) VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '2031-03-01');
SELECT throws_ok($$ INSERT INTO usage_monthly_models (tenant_id, month, provider, model)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '2031-03-01', 'openai', 'gpt') $$, '23503',
    NULL, 'a per-model row cannot hang off another tenant''s month');
SELECT throws_ok($$ INSERT INTO tenant_llm_settings (tenant_id, provider)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'mistral') $$, '23514', NULL,
    'the provider is one we have an adapter for');
SELECT lives_ok($$ INSERT INTO tenant_llm_settings (tenant_id, provider, model)
    VALUES ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'gemini', 'gemini-2.5-flash') $$,
    'gemini is one (the OpenAI adapter at Gemini''s compatibility endpoint)');
SELECT throws_ok($$ INSERT INTO tenant_llm_settings (tenant_id, provider, base_url)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'openai', 'https://x.test/v1?key=1') $$,
    '23514', NULL, 'a base URL carries no query (nor secrets in it)');
SELECT throws_ok($$ INSERT INTO tenant_llm_settings (tenant_id, provider, api_key_ct)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'openai', '\x00112233445566778899aabbccddeeff00') $$,
    '23514', NULL, 'a sealed key comes with its nonce and key id, or not at all');
SELECT throws_ok($$ INSERT INTO tenant_llm_settings (tenant_id, provider, api_key_ct,
    api_key_nonce, api_key_key_id) VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'openai',
    '\x00112233445566778899aabbccddeeff00', '\x0011', 'k1') $$,
    '23514', NULL, 'the nonce is 24 bytes (XChaCha20-Poly1305)');

-- The runtime role -----------------------------------------------------------

-- The statements usage_allow_message runs for a limited plan (with the
-- caller's rights), on the shard it is given: the tenant's lock, then the
-- count if the month's sum over every shard is still under the limit.
CREATE FUNCTION pg_temp.allow_message(lim bigint, sh smallint) RETURNS SETOF bigint
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(7001, hashtext(app_tenant()::text));
    INSERT INTO usage_monthly (tenant_id, month, shard, messages)
    SELECT app_tenant(), usage_current_month(), sh, 1
    WHERE (SELECT coalesce(sum(messages), 0) FROM usage_monthly
           WHERE month = usage_current_month()) < lim
    ON CONFLICT (tenant_id, month, shard) DO UPDATE SET messages = usage_monthly.messages + 1
    RETURNING messages
$$;

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

SELECT results_eq('SELECT * FROM pg_temp.allow_message(3, 0::smallint)', $$ VALUES (1::bigint) $$,
    'the month''s first message is counted');
SELECT results_eq('SELECT * FROM pg_temp.allow_message(3, 0::smallint)', $$ VALUES (2::bigint) $$,
    'the second message fits a limit of 3');
SELECT results_eq('SELECT * FROM pg_temp.allow_message(3, 5::smallint)', $$ VALUES (1::bigint) $$,
    'the third fits too, counted on another shard');
SELECT is_empty('SELECT * FROM pg_temp.allow_message(3, 9::smallint)',
    'the fourth is refused whatever its shard: the shards add up to the limit');
SELECT is((SELECT sum(messages) FROM usage_monthly WHERE month = usage_current_month()), 3::numeric,
    '… and nothing was counted for it');

SELECT lives_ok($$ INSERT INTO usage_monthly_models (tenant_id, month, provider, model, calls)
    VALUES (app_tenant(), usage_current_month(), 'openai', 'gpt-x', 1) $$,
    'the runtime role records model usage for its tenant');
SELECT throws_ok($$ INSERT INTO usage_monthly (tenant_id, month)
    VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '2031-04-01') $$, '42501', NULL,
    'but not for another tenant');
SELECT throws_ok($$ DELETE FROM usage_monthly_models $$, '42501', NULL,
    'per-model usage cannot be deleted by the runtime role');
SELECT throws_ok($$ DELETE FROM usage_monthly $$, '42501', NULL,
    'monthly usage cannot be deleted by the runtime role');
SELECT is((SELECT count(DISTINCT month) FROM usage_monthly), 1::bigint,
    'tenant A sees its own month only (not B''s)');

SELECT lives_ok($$ INSERT INTO tenant_llm_settings (tenant_id, provider, model)
    VALUES (app_tenant(), 'anthropic', 'claude-x') $$,
    'the runtime role stores its tenant''s model settings');
SELECT lives_ok($$ UPDATE tenant_llm_settings SET model = 'claude-y' $$, 'and changes them');
SELECT is((SELECT version FROM tenant_llm_settings), 2, 'each change bumps the version');
SELECT FROM set_config('app.tenant_id', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', true);
SELECT is_empty($$ SELECT * FROM tenant_llm_settings $$,
    'tenant B does not see tenant A''s model settings');
SELECT is((SELECT count(*) FROM usage_monthly WHERE month = usage_current_month()), 0::bigint,
    'nor its usage');

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
