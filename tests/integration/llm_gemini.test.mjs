// llm_gemini.test.mjs — `gemini` as a provider name of its own: Gemini's
// OpenAI compatibility endpoint (https://ai.google.dev/gemini-api/docs/openai:
// POST {base}/chat/completions under /v1beta/openai/, "Authorization: Bearer
// KEY", OpenAI's request and chunk shapes) served by the fake OpenAI-compatible
// server at that path. A tenant that picks gemini chats through it with the
// platform's GEMINI_* settings or its own key, its usage is metered under
// 'gemini', and gemini takes its place in LLM_FALLBACK.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { adminSql, killAll, lit } from './lib.mjs';
import { createUser, session } from './auth_lib.mjs';
import { chat, salon } from './chat_lib.mjs';
import { llmCall, llmEnv, startFakes, streamCall } from './llm_lib.mjs';
import { startOpenAIFake } from './fakes/openai.mjs';
import { startServer } from './lib.mjs';

after(killAll);

const GEMINI_TEST_KEY = 'AIza-test-fake-gemini-key-0123456789';
const GEMINI_PATH = '/v1beta/openai/chat/completions';

describe('gemini as a model provider', () => {
  let fakes;
  let gemini;
  let srv;

  before(async () => {
    fakes = await startFakes();
    gemini = await startOpenAIFake({ key: GEMINI_TEST_KEY });
    srv = await startServer(llmEnv(fakes, {
      CHAT_RATE_IP_PER_MIN: '0', CHAT_RATE_SESSION_PER_MIN: '0', CHAT_NEW_PER_HOUR: '0',
      // As Google documents the base URL: up to /openai/, trailing slash included.
      GEMINI_BASE_URL: `${gemini.url}/v1beta/openai/`,
      GEMINI_API_KEY: GEMINI_TEST_KEY,
      GEMINI_MODEL: 'gemini-fake-flash',
      LLM_FALLBACK: 'gemini,anthropic,offline',
    }));
  });
  after(async () => { await srv?.kill(); await fakes?.close(); await gemini?.close(); });
  beforeEach(() => { fakes.openai.reset(); fakes.anthropic.reset(); gemini.reset(); });

  test('a tenant that chooses gemini chats through its endpoint, metered as gemini', async () => {
    const t = salon({ plan: 'pro' });
    const owner = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, owner.email, { host: t.host });
    const p = await c.call('PUT', '/v1/admin/ai-provider', { provider: 'gemini' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.source, 'tenant');
    assert.equal(p.json.provider, 'gemini');
    assert.equal(adminSql(`SELECT provider FROM tenant_llm_settings WHERE tenant_id = ${lit(t.id)}`),
      'gemini');

    gemini.push({ text: ['We open ', 'at 9 ', 'every day.'], chunk_delay_ms: 50,
      usage: { input: 120, output: 8, cached: 0 } });
    const ch = chat(srv, t);
    await ch.open();
    const r = await ch.say('When do you open?');
    assert.equal(r.status, 200, JSON.stringify(r.events));
    assert.equal(r.deltas, 'We open at 9 every day.');
    assert.equal(r.text, 'We open at 9 every day.');
    assert.ok(r.events.filter((e) => e.event === 'delta').length >= 2, 'streamed in pieces');

    // The OpenAI wire format at Gemini's path, with the platform's Gemini key.
    assert.equal(gemini.requests.length, 1);
    const q = gemini.requests[0];
    assert.equal(q.path, GEMINI_PATH);
    assert.equal(q.headers.authorization, `Bearer ${GEMINI_TEST_KEY}`);
    assert.equal(q.body.model, 'gemini-fake-flash');
    assert.equal(q.body.stream, true);
    assert.deepEqual(q.body.stream_options, { include_usage: true });
    assert.equal(q.body.messages[0].role, 'system');
    assert.equal(q.body.messages.at(-1).content, 'When do you open?');
    assert.ok(q.body.tools.some((x) => x.function.name === 'book_appointment'));
    assert.equal(fakes.openai.requests.length, 0, 'not the platform default (openai)');

    // Recorded and metered under gemini.
    assert.equal(adminSql(`SELECT provider || ' ' || model FROM messages WHERE tenant_id = ${lit(t.id)}
      AND role = 'assistant' ORDER BY created_at DESC LIMIT 1`), 'gemini gemini-fake-flash');
    assert.equal(adminSql(`SELECT string_agg(provider || ' ' || model || ' ' || calls || ' '
        || input_tokens || ' ' || output_tokens, ',') FROM usage_monthly_models
      WHERE tenant_id = ${lit(t.id)}`), 'gemini gemini-fake-flash 1 120 8');
    const u = await c.get('/v1/admin/usage/ai');
    assert.equal(u.status, 200, u.text);
    assert.deepEqual(u.json.by_model, [{ provider: 'gemini', model: 'gemini-fake-flash', calls: 1,
      input_tokens: 120, output_tokens: 8, cached_tokens: 0 }]);
  });

  test("a tenant's own Gemini key and model are used, never shown", async () => {
    const t = salon({ plan: 'pro' });
    const owner = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, owner.email, { host: t.host });
    const tenantKey = 'AIza-tenant-OWNGEMINI-42';
    gemini.keys.add(tenantKey);
    const p = await c.call('PUT', '/v1/admin/ai-provider', { provider: 'gemini',
      model: 'gemini-tenant-pro', api_key: tenantKey });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.has_api_key, true);
    assert.doesNotMatch(p.text, /OWNGEMINI/);

    gemini.push({ text: 'Your own Gemini.' });
    const r = await streamCall(srv, t.host, { meter: true,
      messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(r.status, 200);
    assert.equal(r.text, 'Your own Gemini.');
    assert.equal(r.result.provider, 'gemini');
    const q = gemini.requests.at(-1);
    assert.equal(q.path, GEMINI_PATH);
    assert.equal(q.headers.authorization, `Bearer ${tenantKey}`);
    assert.equal(q.body.model, 'gemini-tenant-pro');
    assert.doesNotMatch(srv.stderr(), /OWNGEMINI/);
    assert.equal(adminSql(`SELECT provider || ' ' || model FROM usage_monthly_models
      WHERE tenant_id = ${lit(t.id)}`), 'gemini gemini-tenant-pro');
  });

  test('gemini is tried after a failing primary when LLM_FALLBACK names it', async () => {
    const t = salon({ plan: 'pro' });
    fakes.openai.push({ status: 500 });
    gemini.push({ text: 'Gemini stepped in.' });
    const r = await llmCall(srv, t.host, { meter: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.provider, 'gemini');
    assert.equal(r.json.text, 'Gemini stepped in.');
    assert.equal(fakes.openai.requests.length, 1);
    assert.equal(gemini.requests.length, 1);
    assert.equal(fakes.anthropic.requests.length, 0);
    assert.equal(adminSql(`SELECT provider FROM usage_monthly_models WHERE tenant_id = ${lit(t.id)}`),
      'gemini');
  });

  test('the bare gemini adapter answers /v1/test/llm; unknown names are refused', async () => {
    const t = salon({ plan: 'pro' });
    gemini.push({ text: 'Bare adapter.' });
    const r = await llmCall(srv, t.host, { provider: 'gemini' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.provider, 'gemini');
    assert.equal(gemini.requests[0].path, GEMINI_PATH);
    const owner = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, owner.email, { host: t.host });
    const bad = await c.call('PUT', '/v1/admin/ai-provider', { provider: 'Gemini' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error.details[0].field, 'provider');
  });
});
