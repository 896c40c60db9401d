// auth_limits_keys.test.mjs — rate limits on sign-in and reset (per IP
// and per account, 429 + Retry-After, shared across instances through
// Redis), API keys (shown once, hashed, scopes, role ceiling, revocation,
// tenant-bound, last use), and service tokens (scopes, tamper, expiry,
// tenant-bound, the CLI).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { adminSql, assertErrorBody, BIN, createTenant, killAll, lit, REPO_ROOT, sleep, startServer } from './lib.mjs';
import {
  AUTH_ENV, createUser, freshIp, login, PASSWORD, req, session, uniqueEmail,
} from './auth_lib.mjs';

after(killAll);

describe('rate limits', () => {
  let srv;
  let t;

  before(async () => {
    t = createTenant();
    srv = await startServer(AUTH_ENV);
  });
  after(() => srv?.kill());

  test('login: 5 failures per IP in 15 minutes, then 429 with Retry-After even for a right password', async () => {
    const ip = freshIp();
    const victim = createUser({ tenant: t });
    for (let i = 0; i < 5; i++) {
      const r = await login(srv, uniqueEmail('nope'), 'wrong-password-here', { ip });
      assert.equal(r.status, 401, `attempt ${i + 1}`);
    }
    const blocked = await login(srv, victim.email, PASSWORD, { ip });
    assertErrorBody(assert, blocked.res, 429, 'RATE_LIMITED');
    const ra = Number(blocked.res.headers['retry-after']);
    assert.ok(ra > 0 && ra <= 900, `Retry-After ${ra}`);
    assert.equal(blocked.cookie, undefined);
    // Another address is unaffected.
    assert.equal((await login(srv, victim.email, PASSWORD, { ip: freshIp() })).status, 200);
  });

  test('login: 5 failures per account in 15 minutes, from any addresses', async () => {
    const u = createUser({ tenant: t });
    for (let i = 0; i < 5; i++)
      assert.equal((await login(srv, u.email, 'wrong-password-here', { ip: freshIp() })).status, 401);
    const blocked = await login(srv, u.email.toUpperCase(), PASSWORD, { ip: freshIp() });
    assertErrorBody(assert, blocked.res, 429, 'RATE_LIMITED');
    assert.ok(Number(blocked.res.headers['retry-after']) > 0);
  });

  test('successful sign-ins are not limited', async () => {
    const u = createUser({ tenant: t });
    const ip = freshIp();
    for (let i = 0; i < 8; i++) assert.equal((await login(srv, u.email, PASSWORD, { ip })).status, 200);
  });

  test('reset: 3 requests per hour per IP and per account', async () => {
    const ip = freshIp();
    const forgot = (email, from) => req({ port: srv.port, method: 'POST',
      path: '/v1/auth/password/forgot', body: { email }, localAddress: from });
    for (let i = 0; i < 3; i++) assert.equal((await forgot(uniqueEmail(), ip)).status, 202);
    const r = await forgot(uniqueEmail(), ip);
    assertErrorBody(assert, r, 429, 'RATE_LIMITED');
    assert.ok(Number(r.headers['retry-after']) > 0 && Number(r.headers['retry-after']) <= 3600);
    const u = createUser({ tenant: t });
    for (let i = 0; i < 3; i++) assert.equal((await forgot(u.email, freshIp())).status, 202);
    assertErrorBody(assert, await forgot(u.email, freshIp()), 429, 'RATE_LIMITED');
    assert.equal(adminSql(`SELECT count(*) FROM auth_tokens t JOIN users u ON u.id = t.user_id
      WHERE u.email = ${lit(u.email)}`), '3');
  });
});

describe('rate limits shared through Redis', () => {
  test('failures counted by one instance block sign-in on another', { skip: !process.env.REDIS_URL }, async () => {
    const t = createTenant();
    const env = { ...AUTH_ENV, REDIS_URL: process.env.REDIS_URL };
    const a = await startServer(env);
    const b = await startServer(env);
    try {
      const u = createUser({ tenant: t });
      for (let i = 0; i < 5; i++) {
        const srv = i % 2 ? a : b;
        assert.equal((await login(srv, u.email, 'wrong-password-here', { ip: freshIp() })).status, 401);
      }
      assertErrorBody(assert, (await login(a, u.email, PASSWORD, { ip: freshIp() })).res, 429);
      assertErrorBody(assert, (await login(b, u.email, PASSWORD, { ip: freshIp() })).res, 429);
      // An instance without Redis counts on its own.
      const c = await startServer(AUTH_ENV);
      assert.equal((await login(c, u.email, PASSWORD, { ip: freshIp() })).status, 200);
      await c.kill();
    } finally {
      await a.kill();
      await b.kill();
    }
  });

  test('Redis down: limits still apply, counted in-process, and it is logged once', async () => {
    const t = createTenant();
    const srv = await startServer({ ...AUTH_ENV, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const u = createUser({ tenant: t });
      for (let i = 0; i < 5; i++)
        assert.equal((await login(srv, u.email, 'wrong-password-here', { ip: freshIp() })).status, 401);
      assertErrorBody(assert, (await login(srv, u.email, PASSWORD, { ip: freshIp() })).res, 429);
      const warnings = srv.logs().filter((l) => /Redis .* unavailable/.test(l.msg ?? ''));
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
    } finally {
      await srv.kill();
    }
  });
});

describe('API keys', () => {
  let srv;
  let t;
  let other;
  let oc;

  before(async () => {
    t = createTenant();
    other = createTenant();
    srv = await startServer(AUTH_ENV);
    const o = createUser({ tenant: t, role: 'OWNER' });
    oc = await session(srv, o.email, { host: t.host });
  });
  after(() => srv?.kill());

  const withKey = (key, path, { host = t.host, method = 'GET', body, headers = {} } = {}) =>
    req({ port: srv.port, method, path, host, body, headers: { ...headers, authorization: `Bearer ${key}` } });

  test('a key is shown once, stored hashed, listed by prefix', async () => {
    const r = await oc.post('/v1/admin/api-keys', { name: 'Zapier', role: 'VIEWER', scopes: ['users', 'audit_log'] });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.key, /^rk_live_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(r.json.key.slice(8, 20), r.json.prefix);
    assert.deepEqual(r.json.scopes, ['users', 'audit_log']);
    const list = await oc.get('/v1/admin/api-keys');
    const item = list.json.items.find((k) => k.id === r.json.id);
    assert.equal(item.prefix, r.json.prefix);
    assert.equal(item.key, undefined);
    assert.ok(!list.text.includes(r.json.key.slice(21)), 'the secret part is never listed');
    assert.equal(adminSql(`SELECT count(*) FROM api_keys WHERE key_hash = sha256(convert_to(${lit(r.json.key)}, 'UTF8'))`), '1');
    assert.equal(item.last_used_at, null);
    assert.equal((await withKey(r.json.key, '/v1/admin/users')).status, 200);
    const after1 = (await oc.get('/v1/admin/api-keys')).json.items.find((k) => k.id === r.json.id);
    assert.notEqual(after1.last_used_at, null);
    // At most one write a minute.
    await withKey(r.json.key, '/v1/admin/users');
    const after2 = (await oc.get('/v1/admin/api-keys')).json.items.find((k) => k.id === r.json.id);
    assert.equal(after2.last_used_at, after1.last_used_at);
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND action = 'api_key.created' AND target_id = ${lit(r.json.id)}`), '1');
  });

  test('scopes and role both limit a key', async () => {
    const k = (await oc.post('/v1/admin/api-keys', { name: 'narrow', role: 'ADMIN', scopes: ['users'] })).json.key;
    assert.equal((await withKey(k, '/v1/admin/users')).status, 200);
    const noScope = await withKey(k, '/v1/admin/api-keys');
    assert.match(assertErrorBody(assert, noScope, 403, 'FORBIDDEN').message, /scopes/);
    // ADMIN may read security but the key has no such scope; a VIEWER key
    // with the scope may read users but not invite.
    assertErrorBody(assert, await withKey(k, '/v1/admin/security'), 403);
    const v = (await oc.post('/v1/admin/api-keys', { name: 'viewer', role: 'VIEWER', scopes: ['users'] })).json.key;
    assertErrorBody(assert, await withKey(v, '/v1/admin/invitations', { method: 'POST',
      body: { email: uniqueEmail(), role: 'VIEWER' } }), 403, 'FORBIDDEN');
    // No CSRF for bearer credentials.
    assert.equal((await withKey(k, '/v1/admin/invitations', { method: 'POST',
      body: { email: uniqueEmail(), role: 'VIEWER' } })).status, 201);
    const bad = await oc.post('/v1/admin/api-keys', { name: 'x', role: 'VIEWER', scopes: ['everything'] });
    assert.deepEqual(assertErrorBody(assert, bad, 400).details.map((d) => d.field), ['scopes[0]']);
  });

  test('a key cannot have a role above its creator\'s', async () => {
    const admin = createUser({ tenant: t, role: 'ADMIN' });
    const ac = await session(srv, admin.email, { host: t.host });
    assertErrorBody(assert, await ac.post('/v1/admin/api-keys', { name: 'x', role: 'OWNER', scopes: ['users'] }),
      403, 'FORBIDDEN');
    assert.equal((await ac.post('/v1/admin/api-keys', { name: 'x', role: 'ADMIN', scopes: ['users'] })).status, 201);
  });

  test('a revoked key gets 401 at once', async () => {
    const r = await oc.post('/v1/admin/api-keys', { name: 'gone', role: 'VIEWER', scopes: ['users'] });
    assert.equal((await withKey(r.json.key, '/v1/admin/users')).status, 200);
    assert.equal((await oc.del(`/v1/admin/api-keys/${r.json.id}`)).status, 204);
    assertErrorBody(assert, await withKey(r.json.key, '/v1/admin/users'), 401, 'UNAUTHENTICATED');
    assertErrorBody(assert, await oc.del(`/v1/admin/api-keys/${r.json.id}`), 404);
    const listed = (await oc.get('/v1/admin/api-keys')).json.items.find((k) => k.id === r.json.id);
    assert.notEqual(listed.revoked_at, null);
  });

  test('a key works only for its own business', async () => {
    const k = (await oc.post('/v1/admin/api-keys', { name: 'mine', role: 'ADMIN', scopes: ['users'] })).json.key;
    const r = await withKey(k, '/v1/admin/users', { host: other.host });
    assertErrorBody(assert, r, 403, 'FORBIDDEN');
    const viaHeader = await withKey(k, '/v1/admin/users', { host: `localhost:${srv.port}`,
      headers: { 'x-tenant-id': other.id } });
    assertErrorBody(assert, viaHeader, 403, 'FORBIDDEN');
    const mine = await withKey(k, '/v1/admin/users', { host: `localhost:${srv.port}`,
      headers: { 'x-tenant-id': t.slug } });
    assert.equal(mine.status, 200, mine.text);
    assertErrorBody(assert, await withKey(`${k.slice(0, -1)}x`, '/v1/admin/users'), 401);
    assertErrorBody(assert, await withKey('rk_live_short', '/v1/admin/users'), 401);
  });
});

describe('service tokens', () => {
  let srv;
  let t;
  let other;

  before(async () => {
    t = createTenant();
    other = createTenant();
    createUser({ tenant: t, role: 'OWNER' });
    srv = await startServer(AUTH_ENV);
  });
  after(() => srv?.kill());

  const issue = (...args) => execFileSync(BIN, ['token', 'issue', ...args], {
    cwd: REPO_ROOT, env: { ...process.env, ENV_FILE: '/dev/null' }, encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
  const withToken = (tok, path, host = t.host) => req({ port: srv.port, path, host,
    headers: { authorization: `Bearer ${tok}` } });

  test('receptionist token issue signs a token the server accepts within its scopes', async () => {
    const tok = issue('--tenant', t.slug, '--scope', 'users,catalog', '--ttl', '600');
    assert.match(tok, /^st_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const claims = JSON.parse(Buffer.from(tok.slice(3).split('.')[0], 'base64url'));
    assert.equal(claims.tid, t.id);
    assert.deepEqual(claims.scope.sort(), ['catalog', 'users']);
    assert.equal(claims.exp - claims.iat, 600);
    assert.equal((await withToken(tok, '/v1/admin/users')).status, 200);
    assertErrorBody(assert, await withToken(tok, '/v1/admin/api-keys'), 403, 'FORBIDDEN');
    // Never a person: no session routes.
    assertErrorBody(assert, await withToken(tok, '/v1/auth/me'), 403);
  });

  test('a tampered, re-signed or foreign token is refused', async () => {
    const tok = issue('--tenant', t.slug, '--scope', 'users');
    const [body, sig] = tok.slice(3).split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url'));
    claims.scope = ['users', 'api_keys'];
    const forged = `st_${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    assertErrorBody(assert, await withToken(forged, '/v1/admin/api-keys'), 401, 'UNAUTHENTICATED');
    assertErrorBody(assert, await withToken(`${tok.slice(0, -2)}AA`, '/v1/admin/users'), 401);
    assertErrorBody(assert, await withToken(tok, '/v1/admin/users', other.host), 403, 'FORBIDDEN');
  });

  test('an expired token is refused; more than an hour cannot be issued', async () => {
    // Four seconds: the first use must fall inside the lifetime even when
    // the sanitizer build's CLI is slow to start on a loaded machine.
    const tok = issue('--tenant', t.slug, '--scope', 'users', '--ttl', '4');
    assert.equal((await withToken(tok, '/v1/admin/users')).status, 200);
    await sleep(5100);
    const r = await withToken(tok, '/v1/admin/users');
    assert.match(assertErrorBody(assert, r, 401, 'UNAUTHENTICATED').message, /expired/);
    assert.throws(() => issue('--tenant', t.slug, '--scope', 'users', '--ttl', '3601'),
      (e) => e.status === 2);
    assert.throws(() => issue('--tenant', t.slug, '--scope', 'nonsense'), (e) => e.status === 2);
    assert.throws(() => issue('--tenant', 'no-such-tenant-x', '--scope', 'users'), (e) => e.status === 1);
  });
});
