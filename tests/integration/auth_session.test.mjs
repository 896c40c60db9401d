// auth_session.test.mjs — signing in and out: the response and cookie,
// wrong credentials, "who am I", log out and log out everywhere, idle and
// absolute expiry, session fixation, CSRF on cookie-authenticated
// mutations, revoked sessions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  adminSql, assertErrorBody, createTenant, freePort, killAll, lit, sleep, spawnProcess, startServer,
} from './lib.mjs';
import {
  AUTH_ENV, client, createUser, freshIp, login, PASSWORD, req, session, setCookie,
} from './auth_lib.mjs';

after(killAll);

describe('sign-in and sessions', () => {
  let srv;
  let t;

  before(async () => {
    t = createTenant({ name: 'Session Salon' });
    srv = await startServer(AUTH_ENV);
  });
  after(() => srv?.kill());

  test('login answers with the user, memberships, a CSRF token and an HttpOnly cookie', async () => {
    const u = createUser({ tenant: t, role: 'ADMIN', name: 'Ada' });
    const l = await login(srv, u.email);
    assert.equal(l.status, 200, l.res.text);
    assert.deepEqual(l.json.user, { id: u.id, email: u.email, name: 'Ada', platform_admin: false,
      totp_enabled: false });
    assert.deepEqual(l.json.memberships, [{ tenant_id: t.id, slug: t.slug, role: 'ADMIN',
      mfa_required: false }]);
    assert.equal(typeof l.json.csrf_token, 'string');
    assert.ok(l.json.csrf_token.length >= 32);
    assert.equal(l.json.mfa_required, false);
    const { line } = setCookie(l.res);
    assert.match(line, /^rcp_session=[A-Za-z0-9_-]{43};/);
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; SameSite=Lax/);
    assert.match(line, /; Path=\//);
    assert.doesNotMatch(line, /Secure/, 'no Secure flag unless COOKIE_SECURE');
    // The session is stored hashed: its token is nowhere in the database.
    assert.equal(adminSql(`SELECT count(*) FROM auth_sessions
      WHERE token_hash = sha256(convert_to(${lit(l.cookie)}, 'UTF8'))`), '1');
    assert.equal(adminSql(`SELECT count(*) FROM auth_sessions
      WHERE encode(token_hash, 'escape') LIKE ${lit(`%${l.cookie}%`)}`), '0');
  });

  test('e-mail matching ignores case', async () => {
    const u = createUser({ tenant: t, role: 'VIEWER' });
    const l = await login(srv, u.email.toUpperCase());
    assert.equal(l.status, 200, l.res.text);
  });

  test('a wrong password and an unknown address get the same 401 and no cookie', async () => {
    const u = createUser({ tenant: t });
    const ip = freshIp();
    const wrong = await login(srv, u.email, 'not-the-password-at-all', { ip });
    const unknown = await login(srv, `nobody-${u.email}`, PASSWORD, { ip });
    for (const r of [wrong, unknown]) {
      const e = assertErrorBody(assert, r.res, 401, 'UNAUTHENTICATED');
      assert.equal(r.cookie, undefined);
      assert.equal(e.message, 'The e-mail address or the password is wrong.');
    }
  });

  test('login validates its body', async () => {
    const r = await req({ port: srv.port, method: 'POST', path: '/v1/auth/login',
      body: { email: 'a@b.c', password: 'x', remember: true }, localAddress: freshIp() });
    const e = assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
    assert.deepEqual(e.details.map((d) => d.field), ['remember']);
    const r2 = await req({ port: srv.port, method: 'POST', path: '/v1/auth/login', body: {},
      localAddress: freshIp() });
    assert.deepEqual(assertErrorBody(assert, r2, 400).details.map((d) => d.field).sort(),
      ['email', 'password']);
  });

  test('a disabled account cannot sign in', async () => {
    const u = createUser({ tenant: t });
    adminSql(`UPDATE users SET status = 'disabled' WHERE id = ${lit(u.id)}`);
    assertErrorBody(assert, (await login(srv, u.email)).res, 401, 'UNAUTHENTICATED');
  });

  test('a hash made with older argon2id parameters still signs in and is rewritten with today\'s', async () => {
    // libsodium's INTERACTIVE limits (64 MiB), which this product used
    // before OWASP's minimum (19 MiB, t=2), for the password below.
    const old = '$argon2id$v=19$m=65536,t=2,p=1$P6FjaNA1xQOkKxn/Hevxiw$UvARsfm6Stbjd5UzcS+3wqFrHF3H6ThrbGY08rAiIbM';
    const u = createUser({ tenant: t, role: 'VIEWER' });
    adminSql(`UPDATE users SET password_hash = ${lit(old)} WHERE id = ${lit(u.id)}`);
    const wrong = await login(srv, u.email);
    assert.equal(wrong.status, 401, 'the old hash is of another password');
    assert.equal(adminSql(`SELECT password_hash FROM users WHERE id = ${lit(u.id)}`), old,
      'a failed sign-in rewrites nothing');
    const l = await login(srv, u.email, 'old-params-pass-2026');
    assert.equal(l.status, 200, l.res.text);
    const now = adminSql(`SELECT password_hash FROM users WHERE id = ${lit(u.id)}`);
    assert.match(now, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal((await login(srv, u.email, 'old-params-pass-2026')).status, 200);
    // Today's hashes are left alone.
    assert.equal(adminSql(`SELECT password_hash FROM users WHERE id = ${lit(u.id)}`), now);
  });

  test('GET /v1/auth/me returns the login shape, CSRF token included', async () => {
    const u = createUser({ tenant: t, role: 'STAFF' });
    const l = await login(srv, u.email);
    const c = client(srv, { session: { cookie: l.cookie, csrf: l.csrf } });
    const me = await c.get('/v1/auth/me');
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.json.user, l.json.user);
    assert.deepEqual(me.json.memberships, l.json.memberships);
    assert.equal(me.json.csrf_token, l.csrf);
    assert.equal(me.json.mfa_required, false);
  });

  test('no credentials → 401; a made-up cookie → 401', async () => {
    assertErrorBody(assert, await req({ port: srv.port, path: '/v1/auth/me' }), 401,
      'UNAUTHENTICATED');
    assertErrorBody(assert, await req({ port: srv.port, path: '/v1/auth/me',
      headers: { cookie: 'rcp_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }), 401,
    'UNAUTHENTICATED');
    assertErrorBody(assert, await req({ port: srv.port, path: '/v1/admin/users', host: t.host }),
      401, 'UNAUTHENTICATED');
  });

  test('session fixation: a cookie presented at login is never adopted', async () => {
    const u = createUser({ tenant: t });
    const first = await login(srv, u.email);
    // An attacker plants a cookie (here even a valid one) before the victim signs in.
    const planted = first.cookie;
    const second = await login(srv, u.email, PASSWORD,
      { headers: { cookie: `rcp_session=${planted}` } });
    assert.equal(second.status, 200);
    assert.notEqual(second.cookie, planted);
    assert.notEqual(second.csrf, first.csrf);
    const fake = 'Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8';
    const third = await login(srv, u.email, PASSWORD, { headers: { cookie: `rcp_session=${fake}` } });
    assert.notEqual(third.cookie, fake);
    const c = client(srv, { session: { cookie: fake } });
    assert.equal((await c.get('/v1/auth/me')).status, 401, 'the planted value is no session');
  });

  test('CSRF: a cookie-authenticated mutation needs the session\'s token', async () => {
    const u = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, u.email, { host: t.host });
    const body = { mfa_required: false };
    const none = await req({ port: srv.port, method: 'PATCH', path: '/v1/admin/security',
      host: t.host, headers: { cookie: `rcp_session=${c.session.cookie}` }, body });
    assertErrorBody(assert, none, 403, 'FORBIDDEN');
    assert.match(none.json.error.message, /CSRF/);
    const wrong = await c.patch('/v1/admin/security', body, { 'x-csrf-token': 'x'.repeat(43) });
    assertErrorBody(assert, wrong, 403, 'FORBIDDEN');
    const other = await session(srv, u.email, { host: t.host });
    assertErrorBody(assert, await c.patch('/v1/admin/security', body,
      { 'x-csrf-token': other.session.csrf }), 403, 'FORBIDDEN');
    assert.equal((await c.patch('/v1/admin/security', body)).status, 200, 'with the token');
    // Reads need no token.
    const read = await req({ port: srv.port, path: '/v1/admin/security', host: t.host,
      headers: { cookie: `rcp_session=${c.session.cookie}` } });
    assert.equal(read.status, 200, read.text);
  });

  test('logout ends this session only and clears the cookie', async () => {
    const u = createUser({ tenant: t });
    const a = await session(srv, u.email, { host: t.host });
    const b = await session(srv, u.email, { host: t.host });
    const out = await a.post('/v1/auth/logout');
    assert.equal(out.status, 204, out.text);
    assert.match(setCookie(out).line, /^rcp_session=;.*Max-Age=0/);
    assertErrorBody(assert, await a.get('/v1/auth/me'), 401, 'UNAUTHENTICATED');
    assert.equal((await b.get('/v1/auth/me')).status, 200);
    // Logging out is a mutation: CSRF applies.
    assertErrorBody(assert, await b.post('/v1/auth/logout', {}, { 'x-csrf-token': 'nope' }), 403);
  });

  test('logout-all ends every session of the person', async () => {
    const u = createUser({ tenant: t });
    const a = await session(srv, u.email, { host: t.host });
    const b = await session(srv, u.email, { host: t.host });
    const out = await a.post('/v1/auth/logout-all');
    assert.equal(out.status, 200, out.text);
    assert.equal(out.json.revoked_sessions, 2);
    for (const c of [a, b])
      assertErrorBody(assert, await c.get('/v1/admin/users'), 401, 'UNAUTHENTICATED');
  });

  test('a session revoked in the database stops working at once', async () => {
    const u = createUser({ tenant: t, role: 'OWNER' });
    const c = await session(srv, u.email, { host: t.host });
    assert.equal((await c.get('/v1/admin/users')).status, 200);
    adminSql(`UPDATE auth_sessions SET revoked_at = now() WHERE user_id = ${lit(u.id)}`);
    assertErrorBody(assert, await c.get('/v1/admin/users'), 401, 'UNAUTHENTICATED');
  });
});

describe('session lifetime', () => {
  let srv;
  let t;

  before(async () => {
    t = createTenant();
    srv = await startServer({ ...AUTH_ENV, SESSION_IDLE_S: '2', SESSION_MAX_AGE_S: '4',
      COOKIE_SECURE: 'true' });
  });
  after(() => srv?.kill());

  test('COOKIE_SECURE adds Secure, and Max-Age is the absolute lifetime', async () => {
    const u = createUser({ tenant: t });
    const l = await login(srv, u.email);
    assert.match(setCookie(l.res).line, /; Secure/);
    assert.match(setCookie(l.res).line, /Max-Age=4(;|$)/);
  });

  test('idle timeout: a session unused for SESSION_IDLE_S ends', async () => {
    const u = createUser({ tenant: t });
    const c = await session(srv, u.email);
    assert.equal((await c.get('/v1/auth/me')).status, 200);
    await sleep(2300);
    assertErrorBody(assert, await c.get('/v1/auth/me'), 401, 'UNAUTHENTICATED');
  });

  test('absolute lifetime: a session in constant use still ends after SESSION_MAX_AGE_S', async () => {
    const u = createUser({ tenant: t });
    const c = await session(srv, u.email);
    const start = Date.now();
    let last;
    // Active every 0.7 s (well inside the idle timeout) for 5 s.
    while (Date.now() - start < 5000) {
      last = await c.get('/v1/auth/me');
      if (Date.now() - start < 3000) assert.equal(last.status, 200, 'alive while young and active');
      await sleep(700);
    }
    assertErrorBody(assert, last, 401, 'UNAUTHENTICATED');
  });
});

test('serve refuses to start without a valid APP_ENCRYPTION_KEY, naming it but not its value', async () => {
  for (const key of ['', 'c2hvcnQta2V5']) {
    const h = spawnProcess('serve', { PORT: String(await freePort()), APP_ENCRYPTION_KEY: key });
    const r = await h.exited;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /APP_ENCRYPTION_KEY/);
    if (key) assert.ok(!r.stderr.includes(key), 'the value is never printed');
  }
});
