// llm_usage.test.mjs — usage metered per tenant per month against the
// plan (past the message limit no model is called and the customer gets a
// friendly reply; racing messages cannot overshoot it), the admin's usage
// page, and a tenant's own model settings (key sealed at rest, never
// returned, base URL only from the platform's allow-list).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, lit, startServer } from './lib.mjs';
import { createUser, session } from './auth_lib.mjs';
import { ANTHROPIC_TEST_KEY, llmCall, llmEnv, startFakes } from './llm_lib.mjs';

after(killAll);

const LIMIT_REPLY = /can't take more messages right now/;

describe('AI usage metering', () => {
  let fakes;
  let srv;

  before(async () => {
    fakes = await startFakes();
    srv = await startServer(llmEnv(fakes, {
      LLM_TENANT_BASE_URLS: `https://models.example.test/, ${fakes.anthropic.url}`,
    }));
  });
  after(async () => { await srv?.kill(); await fakes?.close(); });
  beforeEach(() => { fakes.openai.reset(); fakes.anthropic.reset(); });

  test('each metered message and model call is counted for the tenant and month', async () => {
    const t = createTenant({ name: 'Meter Salon' });
    const other = createTenant({ name: 'Other Salon' });
    fakes.openai.push({ text: 'One.', usage: { input: 100, output: 10, cached: 64 } },
      { text: 'Two.', usage: { input: 200, output: 20, cached: 0 } });
    for (let i = 0; i < 2; i++) {
      const r = await llmCall(srv, t.host, { meter: true });
      assert.equal(r.status, 200, r.text);
    }
    const owner = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, owner.email, { host: t.host });
    const u = await c.get('/v1/admin/usage/ai');
    assert.equal(u.status, 200, u.text);
    assert.match(u.json.month, /^\d{4}-\d{2}$/);
    assert.equal(u.json.plan, 'free');
    assert.deepEqual(u.json.messages, { used: 2, limit: 200, remaining: 198 });
    assert.equal(u.json.model_calls, 2);
    assert.equal(u.json.input_tokens, 300);
    assert.equal(u.json.output_tokens, 30);
    assert.equal(u.json.cached_tokens, 64);
    assert.deepEqual(u.json.by_model, [{ provider: 'openai', model: 'gpt-fake-mini', calls: 2,
      input_tokens: 300, output_tokens: 30, cached_tokens: 64 }]);
    // Another tenant's page shows nothing of it.
    const o = createUser({ tenant: other, role: 'OWNER' });
    const oc = await session(srv, o.email, { host: other.host });
    const ou = await oc.get('/v1/admin/usage/ai');
    assert.equal(ou.json.messages.used, 0);
    assert.deepEqual(ou.json.by_model, []);
    // A past month is empty, a bad month is refused.
    assert.equal((await c.get('/v1/admin/usage/ai?month=2001-01')).json.messages.used, 0);
    assert.equal((await c.get('/v1/admin/usage/ai?month=2026-13')).status, 400);
  });

  test('past the plan limit: no model call, a friendly reply', async () => {
    const t = createTenant({ name: 'Full Salon' });
    adminSql(`INSERT INTO usage_monthly (tenant_id, month, messages)
      VALUES (${lit(t.id)}, usage_current_month(), 200)`);
    const r = await llmCall(srv, t.host, { meter: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.limited, true);
    assert.match(r.json.text, LIMIT_REPLY);
    assert.doesNotMatch(r.json.text, /plan|limit|200/i);	// the customer is not told about plans
    assert.equal(fakes.openai.requests.length, 0);
    assert.equal(fakes.anthropic.requests.length, 0);
    assert.equal(adminSql(`SELECT sum(messages) FROM usage_monthly WHERE tenant_id = ${lit(t.id)}`), '200');
  });

  test('racing messages never take more than the plan allows', async () => {
    const t = createTenant({ name: 'Race Salon' });
    adminSql(`INSERT INTO usage_monthly (tenant_id, month, messages)
      VALUES (${lit(t.id)}, usage_current_month(), 197)`);
    const rs = await Promise.all(Array.from({ length: 8 }, () => llmCall(srv, t.host, { meter: true })));
    assert.equal(rs.filter((r) => r.json.limited).length, 5);
    assert.equal(rs.filter((r) => r.status === 200 && !r.json.limited).length, 3);
    assert.equal(fakes.openai.requests.length, 3);
    assert.equal(adminSql(`SELECT sum(messages) FROM usage_monthly WHERE tenant_id = ${lit(t.id)}`), '200');
  });

  test('an unlimited plan is never limited', async () => {
    const t = createTenant({ name: 'Big Salon', plan: 'enterprise' });
    adminSql(`INSERT INTO usage_monthly (tenant_id, month, messages)
      VALUES (${lit(t.id)}, usage_current_month(), 5000000)`);
    const r = await llmCall(srv, t.host, { meter: true });
    assert.equal(r.json.limited, undefined);
    assert.equal(r.json.provider, 'openai');
    const owner = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, owner.email, { host: t.host });
    const u = await c.get('/v1/admin/usage/ai');
    assert.deepEqual(u.json.messages, { used: 5000001, limit: null, remaining: null });
  });

  test('usage counters cannot be deleted by the runtime role', () => {
    const grants = adminSql(`SELECT string_agg(privilege_type, ',' ORDER BY privilege_type)
      FROM information_schema.role_table_grants
      WHERE grantee = 'receptionist_app' AND table_name = 'usage_monthly'`);
    assert.equal(grants, 'INSERT,SELECT,UPDATE');
  });
});

describe("a tenant's own model settings", () => {
  let fakes;
  let srv;

  before(async () => {
    fakes = await startFakes();
    srv = await startServer(llmEnv(fakes, { LLM_TENANT_BASE_URLS: fakes.anthropic.url }));
  });
  after(async () => { await srv?.kill(); await fakes?.close(); });

  test('provider, model and key are used; the key is sealed and never returned', async () => {
    const t = createTenant({ name: 'Own Key Salon' });
    const owner = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, owner.email, { host: t.host });
    const tenantKey = 'sk-ant-tenant-OWNKEY-777';
    fakes.anthropic.keys.add(tenantKey);

    let g = await c.get('/v1/admin/ai-provider');
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.source, 'platform');
    assert.deepEqual(g.json.platform_default, { provider: 'openai', model: 'gpt-fake-mini' });

    const p = await c.call('PUT', '/v1/admin/ai-provider', { provider: 'anthropic',
      model: 'claude-tenant-model', api_key: tenantKey });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.source, 'tenant');
    assert.equal(p.json.provider, 'anthropic');
    assert.equal(p.json.has_api_key, true);
    assert.doesNotMatch(p.text, /OWNKEY/);
    g = await c.get('/v1/admin/ai-provider');
    assert.doesNotMatch(g.text, /OWNKEY/);
    // Sealed at rest; the audit log says it changed, not what it is.
    const stored = adminSql(`SELECT encode(api_key_ct, 'escape') FROM tenant_llm_settings
      WHERE tenant_id = ${lit(t.id)}`);
    assert.doesNotMatch(stored, /OWNKEY/);
    const audit = adminSql(`SELECT changes::text FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND action = 'ai_provider.updated'`);
    assert.match(audit, /replaced/);
    assert.doesNotMatch(audit, /OWNKEY/);

    // The tenant's chain now starts with its own provider, key and model.
    fakes.anthropic.push({ text: 'Tenant model here.' });
    const r = await llmCall(srv, t.host, {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.provider, 'anthropic');
    const q = fakes.anthropic.requests.at(-1);
    assert.equal(q.headers['x-api-key'], tenantKey);
    assert.equal(q.body.model, 'claude-tenant-model');
    assert.doesNotMatch(srv.stderr(), /OWNKEY/);

    // Changing the model keeps the stored key; null removes it.
    await c.call('PUT', '/v1/admin/ai-provider', { provider: 'anthropic', model: 'claude-2' });
    fakes.anthropic.push({ text: 'ok' });
    await llmCall(srv, t.host, {});
    assert.equal(fakes.anthropic.requests.at(-1).headers['x-api-key'], tenantKey);
    await c.call('PUT', '/v1/admin/ai-provider', { provider: 'anthropic', api_key: null });
    fakes.anthropic.push({ text: 'ok' });
    await llmCall(srv, t.host, {});
    assert.equal(fakes.anthropic.requests.at(-1).headers['x-api-key'], ANTHROPIC_TEST_KEY);

    // Back to the platform's default.
    const d = await c.del('/v1/admin/ai-provider');
    assert.equal(d.status, 204);
    fakes.openai.push({ text: 'platform' });
    assert.equal((await llmCall(srv, t.host, {})).json.provider, 'openai');
  });

  test('a base URL outside the allow-list is refused; one inside is used', async () => {
    const t = createTenant({ name: 'URL Salon' });
    const owner = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, owner.email, { host: t.host });
    for (const url of ['http://169.254.169.254', 'http://127.0.0.1:5432', 'https://evil.example.test']) {
      const r = await c.call('PUT', '/v1/admin/ai-provider', { provider: 'openai', base_url: url });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.details[0].field, 'base_url');
    }
    const ok = await c.call('PUT', '/v1/admin/ai-provider', { provider: 'anthropic',
      base_url: `${fakes.anthropic.url}/` });
    assert.equal(ok.status, 200, ok.text);
    fakes.anthropic.push({ text: 'via the allowed URL' });
    assert.equal((await llmCall(srv, t.host, {})).json.text, 'via the allowed URL');
  });

  test('a viewer may read the settings but not change them', async () => {
    const t = createTenant({ name: 'Viewer Salon' });
    const viewer = createUser({ tenant: t, role: 'VIEWER' });
    const c = await session(srv, viewer.email, { host: t.host });
    assert.equal((await c.get('/v1/admin/ai-provider')).status, 200);
    assert.equal((await c.call('PUT', '/v1/admin/ai-provider', { provider: 'openai' })).status, 403);
    assert.equal((await c.get('/v1/admin/usage/ai')).status, 403);
  });

  test('bad input is refused field by field', async () => {
    const t = createTenant({ name: 'Bad Input Salon' });
    const owner = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, owner.email, { host: t.host });
    const r = await c.call('PUT', '/v1/admin/ai-provider', { provider: 'mistral', api_key: 'has space',
      extra: 1 });
    assert.equal(r.status, 400);
    const fields = r.json.error.details.map((d) => d.field).sort();
    assert.deepEqual(fields, ['api_key', 'extra', 'provider']);
  });
});
