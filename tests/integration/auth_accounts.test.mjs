// auth_accounts.test.mjs — password reset (always 202, single-use and
// expiring tokens, policy, everyone signed out), invitations (outbox,
// role ceiling, new and existing accounts, revocation), and members (role
// changes with If-Match, the last owner, removal).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, assertErrorBody, createTenant, killAll, lit, startServer } from './lib.mjs';
import {
  addMember, AUTH_ENV, createUser, freshIp, login, PASSWORD, platformMail, req, session, tenantMail,
  uniqueEmail,
} from './auth_lib.mjs';

after(killAll);

const NEW_PASSWORD = 'quiet-lantern-meadow-77';

// Links in mail take their scheme and port from PUBLIC_BASE_URL (the
// hosts from the tenant's data and PLATFORM_DOMAIN).
const LINK_PORT = 8443;
const linkedServer = () => startServer({ ...AUTH_ENV, PUBLIC_BASE_URL: `http://localhost:${LINK_PORT}` });

describe('password reset', () => {
  let srv;
  let t;

  before(async () => {
    t = createTenant();
    srv = await linkedServer();
  });
  after(() => srv?.kill());

  const forgot = (email, ip = freshIp()) => req({ port: srv.port, method: 'POST',
    path: '/v1/auth/password/forgot', body: { email }, localAddress: ip });
  const reset = (token, password, ip = freshIp()) => req({ port: srv.port, method: 'POST',
    path: '/v1/auth/password/reset', body: { token, password }, localAddress: ip });

  test('reset links: platform admins and members of several businesses go to the console; a verified custom domain wins', async () => {
    const admin = createUser({ platformAdmin: true });
    assert.equal((await forgot(admin.email)).status, 202);
    let mail = platformMail(admin.email);
    assert.equal(mail.reset_url, `http://localhost:${LINK_PORT}/platform/reset-password#token=${mail.token}`);

    const t2 = createTenant();
    const both = createUser({ tenant: t });
    addMember(t2, both.id, 'VIEWER');
    assert.equal((await forgot(both.email)).status, 202);
    mail = platformMail(both.email);
    assert.equal(mail.reset_url, `http://localhost:${LINK_PORT}/platform/reset-password#token=${mail.token}`);
    // Asked on one of its businesses' hosts, still the console: the link
    // never follows the request's Host.
    const r = await req({ port: srv.port, method: 'POST', host: `${t2.slug}.localhost`,
      path: '/v1/auth/password/forgot', body: { email: both.email }, localAddress: freshIp() });
    assert.equal(r.status, 202);
    mail = platformMail(both.email);
    assert.equal(mail.reset_url, `http://localhost:${LINK_PORT}/platform/reset-password#token=${mail.token}`);

    const t3 = createTenant();
    const host = `book.${t3.slug}.example`;
    adminSql(`INSERT INTO tenant_domains (tenant_id, hostname, kind, verification_state, verified_at)
      VALUES (${lit(t3.id)}, ${lit(host)}, 'custom', 'verified', now())`);
    const u3 = createUser({ tenant: t3 });
    // A Host header naming another business does not steer the link.
    await req({ port: srv.port, method: 'POST', host: `${t.slug}.localhost`,
      path: '/v1/auth/password/forgot', body: { email: u3.email }, localAddress: freshIp() });
    mail = platformMail(u3.email);
    assert.equal(mail.reset_url, `http://${host}:${LINK_PORT}/admin/reset-password#token=${mail.token}`);
  });

  test('forgot answers 202 with the same body whether or not the account exists', async () => {
    const u = createUser({ tenant: t });
    const known = await forgot(u.email);
    const unknown = await forgot(uniqueEmail('ghost'));
    assert.equal(known.status, 202);
    assert.equal(unknown.status, 202);
    assert.equal(known.text, unknown.text);
    // Only the real account got mail, in the platform outbox (no tenant sees it).
    const mail = platformMail(u.email);
    assert.match(mail.token, /^[A-Za-z0-9_-]{43}$/);
    // A member of one business resets on that business's admin app, on its
    // own host (the server's scheme and port; never the request's Host).
    assert.equal(mail.reset_url,
      `http://${t.slug}.localhost:${LINK_PORT}/admin/reset-password#token=${mail.token}`);
    assert.equal(adminSql(`SELECT count(*) FROM notification_outbox WHERE payload::text
      LIKE ${lit(`%${mail.token}%`)}`), '0');
    // Stored hashed.
    assert.equal(adminSql(`SELECT count(*) FROM auth_tokens
      WHERE token_hash = sha256(convert_to(${lit(mail.token)}, 'UTF8'))`), '1');
  });

  test('reset sets the password, signs out everywhere, and the token works once', async () => {
    const u = createUser({ tenant: t });
    const c = await session(srv, u.email, { host: t.host });
    await forgot(u.email);
    const { token } = platformMail(u.email);
    const ok = await reset(token, NEW_PASSWORD);
    assert.equal(ok.status, 200, ok.text);
    assertErrorBody(assert, await c.get('/v1/auth/me'), 401, 'UNAUTHENTICATED');
    assert.equal((await login(srv, u.email)).status, 401, 'the old password is gone');
    assert.equal((await login(srv, u.email, NEW_PASSWORD)).status, 200);
    const again = await reset(token, 'another-fine-passphrase');
    assert.deepEqual(assertErrorBody(assert, again, 400).details.map((d) => d.field), ['token']);
  });

  test('an expired token is refused', async () => {
    const u = createUser({ tenant: t });
    await forgot(u.email);
    const { token } = platformMail(u.email);
    adminSql(`UPDATE auth_tokens SET expires_at = now() - interval '1 second'
      WHERE token_hash = sha256(convert_to(${lit(token)}, 'UTF8'))`);
    assertErrorBody(assert, await reset(token, NEW_PASSWORD), 400, 'INVALID_ARGUMENT');
    assert.equal((await login(srv, u.email)).status, 200, 'password unchanged');
  });

  test('the new password must meet the policy (and the token stays usable)', async () => {
    const u = createUser({ tenant: t, email: uniqueEmail('maria.lopez') });
    await forgot(u.email);
    const { token } = platformMail(u.email);
    const local = u.email.split('@')[0];
    for (const [pw, why] of [['short-pw', /at least 12/], ['Password1234', /commonly used/],
      ['1QAZ2WSX3EDC', /commonly used/], [`${local}!2024`, /e-mail/]]) {
      const r = await reset(token, pw);
      const e = assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
      assert.equal(e.details[0].field, 'password');
      assert.match(e.details[0].issue, why, pw);
    }
    assert.equal((await reset(token, NEW_PASSWORD)).status, 200);
  });
});

describe('invitations and members', () => {
  let srv;
  let t;
  let owner;
  let oc;

  before(async () => {
    t = createTenant({ name: 'Invite Spa' });
    srv = await linkedServer();
    owner = createUser({ tenant: t, role: 'OWNER' });
    oc = await session(srv, owner.email, { host: t.host });
  });
  after(() => srv?.kill());

  async function invite(c, email, role) {
    const r = await c.post('/v1/admin/invitations', { email, role });
    assert.equal(r.status, 201, r.text);
    const box = await c.get('/v1/admin/outbox?limit=50');
    const listed = box.json.items.find((m) => m.recipient === email && m.template === 'auth.invitation');
    assert.equal(listed.payload.token, '[redacted]', 'the outbox API never shows the token');
    return { inv: r.json, token: tenantMail(t, email).token };
  }

  const accept = (body) => req({ port: srv.port, method: 'POST',
    path: '/v1/auth/invitations/accept', body, localAddress: freshIp() });

  test('an invitation is mailed through the outbox; accepting creates the account', async () => {
    const email = uniqueEmail('newhire');
    const { inv, token } = await invite(oc, email, 'VIEWER');
    // The link opens the business's admin app on its subdomain.
    assert.equal(tenantMail(t, email).accept_url,
      `http://${t.slug}.localhost:${LINK_PORT}/admin/accept-invitation#token=${token}`);
    assert.equal(inv.status, 'pending');
    assert.equal(inv.role, 'VIEWER');
    assert.equal(inv.token, undefined, 'the token is only in the mail');
    const a = await accept({ token, name: 'New Hire', password: NEW_PASSWORD });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.tenant_id, t.id);
    assert.equal(a.json.role, 'VIEWER');
    assert.equal(a.json.new_account, true);
    const l = await login(srv, email, NEW_PASSWORD);
    assert.equal(l.status, 200);
    assert.deepEqual(l.json.memberships.map((m) => [m.slug, m.role]), [[t.slug, 'VIEWER']]);
    assertErrorBody(assert, await accept({ token, password: NEW_PASSWORD }), 400, 'INVALID_ARGUMENT');
    const list = await oc.get('/v1/admin/invitations');
    assert.equal(list.json.items.find((i) => i.id === inv.id).status, 'accepted');
  });

  test('an existing account joins with its own password', async () => {
    const other = createTenant();
    const u = createUser({ tenant: other, role: 'OWNER' });
    const { token } = await invite(oc, u.email, 'STAFF');
    const wrong = await accept({ token, password: NEW_PASSWORD });
    assert.deepEqual(assertErrorBody(assert, wrong, 400).details.map((d) => d.field), ['password']);
    const ok = await accept({ token, password: PASSWORD });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.new_account, false);
    const l = await login(srv, u.email);
    assert.deepEqual(l.json.memberships.map((m) => m.role).sort(), ['OWNER', 'STAFF']);
  });

  test('nobody invites above their own role', async () => {
    const admin = createUser({ tenant: t, role: 'ADMIN' });
    const ac = await session(srv, admin.email, { host: t.host });
    assertErrorBody(assert, await ac.post('/v1/admin/invitations',
      { email: uniqueEmail(), role: 'OWNER' }), 403, 'FORBIDDEN');
    assert.equal((await ac.post('/v1/admin/invitations',
      { email: uniqueEmail(), role: 'ADMIN' })).status, 201);
    const viewer = createUser({ tenant: t, role: 'VIEWER' });
    const vc = await session(srv, viewer.email, { host: t.host });
    assertErrorBody(assert, await vc.post('/v1/admin/invitations',
      { email: uniqueEmail(), role: 'VIEWER' }), 403, 'FORBIDDEN');
    const bad = await ac.post('/v1/admin/invitations', { email: 'not-an-address', role: 'CEO' });
    assert.deepEqual(assertErrorBody(assert, bad, 400).details.map((d) => d.field).sort(),
      ['email', 'role']);
  });

  test('a revoked or expired invitation no longer works', async () => {
    const { inv, token } = await invite(oc, uniqueEmail(), 'VIEWER');
    const del = await oc.del(`/v1/admin/invitations/${inv.id}`);
    assert.equal(del.status, 204, del.text);
    assertErrorBody(assert, await oc.del(`/v1/admin/invitations/${inv.id}`), 404, 'NOT_FOUND');
    assertErrorBody(assert, await accept({ token, password: NEW_PASSWORD }), 400);
    const second = await invite(oc, uniqueEmail(), 'VIEWER');
    adminSql(`UPDATE invitations SET expires_at = now() - interval '1 second'
      WHERE id = ${lit(second.inv.id)}`);
    assertErrorBody(assert, await accept({ token: second.token, password: NEW_PASSWORD }), 400);
    const list = await oc.get('/v1/admin/invitations');
    const byId = Object.fromEntries(list.json.items.map((i) => [i.id, i.status]));
    assert.equal(byId[inv.id], 'revoked');
    assert.equal(byId[second.inv.id], 'expired');
  });

  test('members are listed; role changes need If-Match and are audited', async () => {
    const u = createUser({ tenant: t, role: 'VIEWER' });
    const list = await oc.get('/v1/admin/users?limit=100');
    assert.equal(list.status, 200, list.text);
    const m = list.json.items.find((i) => i.id === u.id);
    assert.equal(m.email, u.email);
    assert.equal(m.role, 'VIEWER');
    const noIf = await oc.patch(`/v1/admin/users/${u.id}`, { role: 'STAFF' });
    assert.deepEqual(assertErrorBody(assert, noIf, 400).details.map((d) => d.field), ['If-Match']);
    const ok = await oc.patch(`/v1/admin/users/${u.id}`, { role: 'STAFF' },
      { 'if-match': `"${m.version}"` });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.role, 'STAFF');
    assert.equal(ok.json.version, m.version + 1);
    const stale = await oc.patch(`/v1/admin/users/${u.id}`, { role: 'ADMIN' },
      { 'if-match': String(m.version) });
    assertErrorBody(assert, stale, 409, 'CONFLICT');
    assert.equal(adminSql(`SELECT changes::text FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND action = 'user.role_changed' AND target_id = ${lit(u.id)}`),
    '{"role": {"to": "STAFF", "from": "VIEWER"}}');
    assertErrorBody(assert, await oc.patch(`/v1/admin/users/${'1'.repeat(8)}-1111-4111-8111-111111111111`,
      { role: 'STAFF' }, { 'if-match': '1' }), 404, 'NOT_FOUND');
  });

  test('the last owner can be neither demoted nor removed; an admin cannot touch an owner', async () => {
    const t2 = createTenant();
    const o = createUser({ tenant: t2, role: 'OWNER' });
    const c = await session(srv, o.email, { host: t2.host });
    const me = (await c.get('/v1/admin/users')).json.items[0];
    assertErrorBody(assert, await c.patch(`/v1/admin/users/${o.id}`, { role: 'ADMIN' },
      { 'if-match': String(me.version) }), 409, 'CONFLICT');
    assertErrorBody(assert, await c.del(`/v1/admin/users/${o.id}`), 409, 'CONFLICT');
    const admin = createUser({ tenant: t2, role: 'ADMIN' });
    const ac = await session(srv, admin.email, { host: t2.host });
    assertErrorBody(assert, await ac.patch(`/v1/admin/users/${o.id}`, { role: 'VIEWER' },
      { 'if-match': String(me.version) }), 403, 'FORBIDDEN');
    assertErrorBody(assert, await ac.del(`/v1/admin/users/${o.id}`), 403, 'FORBIDDEN');
    const adminRow = (await c.get('/v1/admin/users')).json.items.find((i) => i.id === admin.id);
    assertErrorBody(assert, await ac.patch(`/v1/admin/users/${admin.id}`, { role: 'OWNER' },
      { 'if-match': String(adminRow.version) }), 403, 'FORBIDDEN');
    // With a second owner, the first may step down.
    const up = await c.patch(`/v1/admin/users/${admin.id}`, { role: 'OWNER' },
      { 'if-match': String(adminRow.version) });
    assert.equal(up.status, 200, up.text);
    assert.equal((await c.patch(`/v1/admin/users/${o.id}`, { role: 'ADMIN' },
      { 'if-match': String(me.version) })).status, 200);
  });

  test('a removed member loses access at once', async () => {
    const u = createUser({ tenant: t, role: 'ADMIN' });
    const uc = await session(srv, u.email, { host: t.host });
    assert.equal((await uc.get('/v1/admin/users')).status, 200);
    const del = await oc.del(`/v1/admin/users/${u.id}`);
    assert.equal(del.status, 204, del.text);
    assertErrorBody(assert, await uc.get('/v1/admin/users'), 403, 'FORBIDDEN');
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND action = 'user.removed' AND target_id = ${lit(u.id)}`), '1');
    // And can be invited back.
    const r = await oc.post('/v1/admin/invitations', { email: u.email, role: 'VIEWER' });
    assert.equal(r.status, 201);
    const a = await accept({ token: tenantMail(t, u.email).token, password: PASSWORD });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.role, 'VIEWER');
    assert.equal((await uc.get('/v1/admin/users')).status, 200);
  });

  test('lists paginate with an opaque cursor', async () => {
    for (let i = 0; i < 3; i++) await oc.post('/v1/admin/invitations', { email: uniqueEmail('pg'), role: 'VIEWER' });
    const seen = new Set();
    let cursor = null;
    let pages = 0;
    do {
      const r = await oc.get(`/v1/admin/invitations?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.length <= 2);
      for (const i of r.json.items) {
        assert.ok(!seen.has(i.id), 'no item twice');
        seen.add(i.id);
      }
      cursor = r.json.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    const all = await oc.get('/v1/admin/invitations?limit=100');
    assert.equal(seen.size, all.json.items.length);
    assertErrorBody(assert, await oc.get('/v1/admin/invitations?cursor=bogus'), 400);
    assertErrorBody(assert, await oc.get('/v1/admin/invitations?limit=0'), 400);
  });
});
