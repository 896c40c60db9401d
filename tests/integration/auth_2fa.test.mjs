// auth_2fa.test.mjs — TOTP two-factor authentication: enrolment (pending
// until confirmed, secret encrypted at rest), sign-in with a code or a
// single-use recovery code, replay refused, disabling, and a tenant's
// "2FA is mandatory" setting.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, assertErrorBody, createTenant, killAll, lit, startServer } from './lib.mjs';
import {
  AUTH_ENV, base32Decode, createUser, enrolTotp, freshIp, login, PASSWORD, req, session, totp,
  wrongCode,
} from './auth_lib.mjs';

after(killAll);

describe('two-factor authentication', () => {
  let srv;
  let t;

  before(async () => {
    t = createTenant({ name: 'Twofactor Clinic' });
    srv = await startServer(AUTH_ENV);
  });
  after(() => srv?.kill());

  test('enrol returns a base32 secret and otpauth URI; it is stored encrypted, pending', async () => {
    const u = createUser({ tenant: t });
    const c = await session(srv, u.email);
    const e = await c.post('/v1/auth/2fa/enrol');
    assert.equal(e.status, 200, e.text);
    assert.match(e.json.secret, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(e.json.secret).length, 20);
    const uri = new URL(e.json.otpauth_uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), e.json.secret);
    assert.equal(uri.searchParams.get('issuer'), 'Receptionist');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.ok(decodeURIComponent(uri.pathname).includes(u.email));
    const row = adminSql(`SELECT encode(secret_ct, 'hex') || '|' || key_id || '|' ||
      (confirmed_at IS NULL)::text FROM user_totp WHERE user_id = ${lit(u.id)}`).split('|');
    assert.equal(row[2], 'true', 'pending until confirmed');
    assert.ok(!row[0].includes(base32Decode(e.json.secret).toString('hex')),
      'the secret is not stored in clear');
    assert.match(row[1], /^[0-9a-f]{16}$/, 'with the id of its key');
    // Pending enrolment does not yet change sign-in.
    assert.equal((await login(srv, u.email)).status, 200);
  });

  test('confirm with a wrong code is refused; with a right one it returns 10 recovery codes once', async () => {
    const u = createUser({ tenant: t });
    const c = await session(srv, u.email);
    const e = await c.post('/v1/auth/2fa/enrol');
    const bad = await c.post('/v1/auth/2fa/confirm', { code: wrongCode(e.json.secret) });
    assert.deepEqual(assertErrorBody(assert, bad, 400, 'INVALID_ARGUMENT').details.map((d) => d.field),
      ['code']);
    const ok = await c.post('/v1/auth/2fa/confirm', { code: totp(e.json.secret) });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.enabled, true);
    assert.equal(ok.json.recovery_codes.length, 10);
    assert.equal(new Set(ok.json.recovery_codes).size, 10);
    for (const rc of ok.json.recovery_codes) assert.match(rc, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
    assert.equal(adminSql(`SELECT count(*) FROM user_recovery_codes WHERE user_id = ${lit(u.id)}`),
      '10');
    assert.equal(adminSql(`SELECT count(*) FROM user_recovery_codes
      WHERE encode(code_hash, 'escape') LIKE ${lit(`%${ok.json.recovery_codes[0]}%`)}`), '0',
    'recovery codes are stored hashed');
    // Once on, enrolling again is refused (disable first).
    assertErrorBody(assert, await c.post('/v1/auth/2fa/enrol'), 409, 'CONFLICT');
    const me = await c.get('/v1/auth/me');
    assert.equal(me.json.user.totp_enabled, true);
  });

  test('login then needs a code: none → 401 totp_code is required, no session', async () => {
    const u = createUser({ tenant: t });
    const { secret } = await enrolTotp(await session(srv, u.email));
    const l = await login(srv, u.email);
    const e = assertErrorBody(assert, l.res, 401, 'UNAUTHENTICATED');
    assert.deepEqual(e.details, [{ field: 'totp_code', issue: 'is required' }]);
    assert.equal(l.cookie, undefined);
    const wrongPw = await login(srv, u.email, 'definitely-wrong-pass', { extra: { totp_code: totp(secret) } });
    assertErrorBody(assert, wrongPw.res, 401);
    assert.equal(wrongPw.cookie, undefined);
  });

  test('a valid code signs in; the same code cannot be used again (replay)', async () => {
    const u = createUser({ tenant: t });
    const { secret } = await enrolTotp(await session(srv, u.email));
    const code = totp(secret);
    const ok = await login(srv, u.email, PASSWORD, { extra: { totp_code: code } });
    assert.equal(ok.status, 200, ok.res.text);
    assert.ok(ok.cookie);
    const again = await login(srv, u.email, PASSWORD, { extra: { totp_code: code } });
    const e = assertErrorBody(assert, again.res, 401, 'UNAUTHENTICATED');
    assert.deepEqual(e.details.map((d) => d.field), ['totp_code']);
    assert.equal(again.cookie, undefined);
    // An older step (still inside the ±1 window) is refused too once a newer one was used.
    const older = await login(srv, u.email, PASSWORD, { extra: { totp_code: totp(secret, -1) } });
    assert.equal(older.status, 401);
    // The next step works.
    const next = await login(srv, u.email, PASSWORD, { extra: { totp_code: totp(secret, 1) } });
    assert.equal(next.status, 200, next.res.text);
  });

  test('a recovery code signs in once', async () => {
    const u = createUser({ tenant: t });
    const { recovery } = await enrolTotp(await session(srv, u.email));
    const first = await login(srv, u.email, PASSWORD, { extra: { recovery_code: recovery[3].toUpperCase() } });
    assert.equal(first.status, 200, first.res.text);
    const second = await login(srv, u.email, PASSWORD, { extra: { recovery_code: recovery[3] } });
    const e = assertErrorBody(assert, second.res, 401, 'UNAUTHENTICATED');
    assert.deepEqual(e.details.map((d) => d.field), ['recovery_code']);
    assert.equal((await login(srv, u.email, PASSWORD, { extra: { recovery_code: recovery[4] } })).status,
      200);
  });

  test('disable needs the password and a code', async () => {
    const u = createUser({ tenant: t });
    const c = await session(srv, u.email);
    const { secret, recovery } = await enrolTotp(c);
    const noPw = await c.post('/v1/auth/2fa/disable', { password: 'wrong-password-here', code: totp(secret) });
    assert.deepEqual(assertErrorBody(assert, noPw, 400).details.map((d) => d.field), ['password']);
    const noCode = await c.post('/v1/auth/2fa/disable', { password: PASSWORD, code: '12345' });
    assert.deepEqual(assertErrorBody(assert, noCode, 400).details.map((d) => d.field), ['code']);
    const ok = await c.post('/v1/auth/2fa/disable', { password: PASSWORD, code: recovery[0] });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.enabled, false);
    assert.equal(adminSql(`SELECT count(*) FROM user_totp WHERE user_id = ${lit(u.id)}`), '0');
    assert.equal((await login(srv, u.email)).status, 200, 'no code needed any more');
  });

  test('wrong codes are rate-limited: 10 per 15 minutes per account', async () => {
    const u = createUser({ tenant: t });
    const { secret } = await enrolTotp(await session(srv, u.email));
    const bad = wrongCode(secret);
    for (let i = 0; i < 10; i++) {
      // A new address each time: this is the per-account limit.
      const r = await login(srv, u.email, PASSWORD, { ip: freshIp(), extra: { totp_code: bad } });
      assert.equal(r.status, 401, `attempt ${i + 1}: ${r.res.text}`);
    }
    const blocked = await login(srv, u.email, PASSWORD, { ip: freshIp(), extra: { totp_code: totp(secret) } });
    assertErrorBody(assert, blocked.res, 429, 'RATE_LIMITED');
    assert.ok(Number(blocked.res.headers['retry-after']) > 0);
  });
});

describe('mandatory 2FA (tenant setting)', () => {
  let srv;
  let t;
  let owner;

  before(async () => {
    t = createTenant({ name: 'Strict Bank' });
    srv = await startServer(AUTH_ENV);
    owner = createUser({ tenant: t, role: 'OWNER' });
  });
  after(() => srv?.kill());

  test('only an OWNER may turn it on; then members without 2FA are told to enrol', async () => {
    const admin = createUser({ tenant: t, role: 'ADMIN' });
    const ac = await session(srv, admin.email, { host: t.host });
    assert.equal((await ac.get('/v1/admin/security')).json.mfa_required, false);
    assertErrorBody(assert, await ac.patch('/v1/admin/security', { mfa_required: true }), 403, 'FORBIDDEN');

    const oc = await session(srv, owner.email, { host: t.host });
    const on = await oc.patch('/v1/admin/security', { mfa_required: true });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.json.mfa_required, true);
    assert.equal(adminSql(`SELECT changes::text FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND action = 'security.updated'`), '{"mfa_required": {"to": true, "from": false}}');

    // The owner has no 2FA either: now refused on tenant routes, with a message.
    const refused = await oc.get('/v1/admin/users');
    const e = assertErrorBody(assert, refused, 403, 'FORBIDDEN');
    assert.match(e.message, /enrol/);
    assert.match(e.message, /two-factor/);
    // Login says so too.
    const l = await login(srv, admin.email);
    assert.equal(l.json.mfa_required, true);
    assert.equal(l.json.memberships[0].mfa_required, true);
  });

  test('the enrolment routes stay open, and once enrolled the member gets in', async () => {
    const staff = createUser({ tenant: t, role: 'VIEWER' });
    const c = await session(srv, staff.email, { host: t.host });
    assertErrorBody(assert, await c.get('/v1/admin/users'), 403, 'FORBIDDEN');
    assert.equal((await c.get('/v1/auth/me')).status, 200);
    const { secret } = await enrolTotp(c);
    // Same session: enrolled now.
    assert.equal((await c.get('/v1/admin/users')).status, 200);
    const fresh = await session(srv, staff.email, { host: t.host, extra: { totp_code: totp(secret) } });
    assert.equal((await fresh.get('/v1/admin/users')).status, 200);
  });

  test('API keys are not people: mandatory 2FA does not apply to them', async () => {
    // A tenant that still has an enrolled owner to make the key.
    const t2 = createTenant();
    const o2 = createUser({ tenant: t2, role: 'OWNER' });
    const c = await session(srv, o2.email, { host: t2.host });
    const k = await c.post('/v1/admin/api-keys', { name: 'ci', role: 'VIEWER', scopes: ['users'] });
    assert.equal(k.status, 201, k.text);
    assert.equal((await c.patch('/v1/admin/security', { mfa_required: true })).status, 200);
    assertErrorBody(assert, await c.get('/v1/admin/users'), 403);
    const r = await req({ port: srv.port, path: '/v1/admin/users', host: t2.host,
      headers: { authorization: `Bearer ${k.json.key}` } });
    assert.equal(r.status, 200, r.text);
  });
});
