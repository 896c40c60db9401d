// roles.test.mjs — issue 11 §1, "a VIEWER can make itself OWNER". The
// exploit as it was reproduced (a VIEWER reads an OWNER invitation's token
// from GET /v1/admin/outbox, accepts it with a password of its choosing
// and signs in as an owner) must fail at every step; and the role rules
// around it: nobody grants a role above their own (invitations, role
// changes, API keys and their scopes), only an OWNER changes OWNERs, the
// last OWNER stays.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { adminSql, assertErrorBody, BIN, createTenant, killAll, lit, REPO_ROOT,
  startServer } from './lib.mjs';
import { AUTH_ENV, client, createUser, enrolTotp, freshIp, login, PASSWORD, req, session,
  tenantMail, totp, uniqueEmail, wrongCode } from './auth_lib.mjs';

after(killAll);

const NEW_PASSWORD = 'amber-lantern-orchard-73';

// The GET routes `serve` mounts, without path parameters (a VIEWER has no
// ids to fill them with that it did not read from these).
function plainGets() {
  const out = execFileSync(BIN, ['routes'], { cwd: REPO_ROOT,
    env: { ...process.env, ENV_FILE: '/dev/null' }, encoding: 'utf8' });
  return out.split('\n').filter((l) => /^GET\b/.test(l)).map((l) => l.split('\t')[1])
    .filter((p) => p && !p.includes('{'))
    // An endless event stream (events.test.mjs checks what it carries).
    .filter((p) => p !== '/v1/admin/events');
}

// Every string in a JSON value, and every token=… inside a URL among them.
function strings(v, out = new Set()) {
  if (typeof v === 'string') {
    out.add(v);
    for (const m of v.matchAll(/token=([^&#\s"]+)/g)) out.add(decodeURIComponent(m[1]));
  } else if (Array.isArray(v)) {
    for (const x of v) strings(x, out);
  } else if (v && typeof v === 'object') {
    for (const x of Object.values(v)) strings(x, out);
  }
  return out;
}

const accept = (srv, body) => req({ port: srv.port, method: 'POST',
  path: '/v1/auth/invitations/accept', body, localAddress: freshIp() });

describe('the VIEWER → OWNER exploit (regression)', () => {
  let srv;
  let t;
  let owner;
  let oc;

  before(async () => {
    srv = await startServer(AUTH_ENV);
    t = createTenant({ name: 'Exploit Spa' });
    owner = createUser({ tenant: t, role: 'OWNER' });
    oc = await session(srv, owner.email, { host: t.host });
  });
  after(() => srv?.kill());

  test('a VIEWER reads everything it may and still cannot accept an OWNER invitation', async () => {
    const victim = uniqueEmail('new-owner');
    const inv = await oc.post('/v1/admin/invitations', { email: victim, role: 'OWNER' });
    assert.equal(inv.status, 201, inv.text);
    const viewer = createUser({ tenant: t, role: 'VIEWER' });
    const vc = await session(srv, viewer.email, { host: t.host });

    // Step 1 of the exploit: read the outbox (users:read), and everything
    // else the VIEWER can read, every GET route without ids.
    const box = await vc.get('/v1/admin/outbox?limit=100');
    assert.equal(box.status, 200, box.text);
    const seen = new Set();
    for (const p of plainGets()) {
      const r = await vc.get(p);
      strings(r.json, seen);
      for (const h of Object.values(r.headers)) strings(String(h), seen);
    }

    // Step 2: accept with anything it saw that could be a token.
    const candidates = [...seen].filter((s) => s.length >= 16 && s.length <= 128);
    assert.ok(candidates.length > 0);
    const accepted = [];
    for (const token of candidates) {
      const a = await accept(srv, { token, name: 'Mallory', password: NEW_PASSWORD });
      if (a.status === 201) accepted.push(`${token} → ${a.text}`);
    }
    assert.deepEqual(accepted, [], 'the VIEWER accepted an invitation with a token it read');

    // The message is listed, its secret is not.
    const mail = box.json.items.find((m) => m.recipient === victim);
    assert.ok(mail, 'the invitation is in the outbox');
    assert.equal(mail.payload.token, '[redacted]');
    assert.match(mail.payload.accept_url, /#token=\[redacted\]$/);
    const real = tenantMail(t, victim).token;
    assert.match(real, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(![...seen].some((s) => s.includes(real)), 'the token reached the VIEWER');

    // Step 3: nobody signs in as the invited owner; the VIEWER is still a VIEWER.
    assert.equal((await login(srv, victim, NEW_PASSWORD)).status, 401);
    const again = await login(srv, viewer.email);
    assert.deepEqual(again.json.memberships.map((m) => m.role), ['VIEWER']);
    assert.equal(adminSql(`SELECT count(*) FROM tenant_memberships WHERE tenant_id = ${lit(t.id)}
      AND role = 'OWNER' AND deleted_at IS NULL`), '1');

    // The message itself works: whoever reads the mailbox joins as OWNER.
    const ok = await accept(srv, { token: real, name: 'New Owner', password: NEW_PASSWORD });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.role, 'OWNER');
  });

  test('an accept request cannot choose the e-mail address', async () => {
    const invited = uniqueEmail('invited');
    assert.equal((await oc.post('/v1/admin/invitations', { email: invited, role: 'VIEWER' }))
      .status, 201);
    const { token } = tenantMail(t, invited);
    const other = uniqueEmail('other');
    const a = await accept(srv, { token, email: other, password: NEW_PASSWORD });
    assertErrorBody(assert, a, 400, 'INVALID_ARGUMENT');
    const ok = await accept(srv, { token, password: NEW_PASSWORD });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(adminSql(`SELECT count(*) FROM users WHERE email = ${lit(other)}`), '0');
    assert.equal((await login(srv, invited, NEW_PASSWORD)).status, 200);
  });
});

describe('an existing account joins by signing in as itself', () => {
  let srv;
  let t;
  let oc;

  before(async () => {
    srv = await startServer(AUTH_ENV);
    t = createTenant({ name: 'Second Job Spa' });
    const owner = createUser({ tenant: t, role: 'OWNER' });
    oc = await session(srv, owner.email, { host: t.host });
  });
  after(() => srv?.kill());

  test('with two-factor on, the password alone does not attach the membership', async () => {
    const elsewhere = createTenant();
    const u = createUser({ tenant: elsewhere, role: 'OWNER' });
    const { secret } = await enrolTotp(await session(srv, u.email, { host: elsewhere.host }));
    assert.equal((await oc.post('/v1/admin/invitations', { email: u.email, role: 'STAFF' }))
      .status, 201);
    const { token } = tenantMail(t, u.email);
    const bare = await accept(srv, { token, password: PASSWORD });
    assert.deepEqual(assertErrorBody(assert, bare, 400).details.map((d) => d.field),
      ['totp_code']);
    const wrong = await accept(srv, { token, password: PASSWORD, totp_code: wrongCode(secret) });
    assert.deepEqual(assertErrorBody(assert, wrong, 400).details.map((d) => d.field),
      ['totp_code']);
    const stranger = await accept(srv, { token, password: NEW_PASSWORD, totp_code: totp(secret) });
    assert.deepEqual(assertErrorBody(assert, stranger, 400).details.map((d) => d.field),
      ['password']);
    assert.equal(adminSql(`SELECT count(*) FROM tenant_memberships WHERE tenant_id = ${lit(t.id)}
      AND user_id = ${lit(u.id)}`), '0');
    const ok = await accept(srv, { token, password: PASSWORD, totp_code: totp(secret) });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.new_account, false);
    assert.equal(ok.json.role, 'STAFF');
  });
});

describe('nobody grants a role above their own; only an OWNER changes OWNERs', () => {
  let srv;
  let t;
  let oc;
  let ac;
  let owner;

  before(async () => {
    srv = await startServer(AUTH_ENV);
    t = createTenant({ name: 'Roles Spa' });
    owner = createUser({ tenant: t, role: 'OWNER' });
    oc = await session(srv, owner.email, { host: t.host });
    const admin = createUser({ tenant: t, role: 'ADMIN' });
    ac = await session(srv, admin.email, { host: t.host });
  });
  after(() => srv?.kill());

  const member = async (id) => (await oc.get('/v1/admin/users?limit=100')).json.items
    .find((i) => i.id === id);

  test('an ADMIN can neither invite, promote nor key an OWNER', async () => {
    const inv = await ac.post('/v1/admin/invitations', { email: uniqueEmail(), role: 'OWNER' });
    assertErrorBody(assert, inv, 403, 'FORBIDDEN');
    assert.match(inv.json.error.message, /above your own/);
    const v = createUser({ tenant: t, role: 'VIEWER' });
    const m = await member(v.id);
    assertErrorBody(assert, await ac.patch(`/v1/admin/users/${v.id}`, { role: 'OWNER' },
      { 'if-match': String(m.version) }), 403, 'FORBIDDEN');
    const key = await ac.post('/v1/admin/api-keys', { name: 'too high', role: 'OWNER',
      scopes: ['users'] });
    assertErrorBody(assert, key, 403, 'FORBIDDEN');
    assert.equal((await member(v.id)).role, 'VIEWER');
  });

  test('an ADMIN cannot revoke an OWNER invitation; an OWNER can', async () => {
    const inv = (await oc.post('/v1/admin/invitations', { email: uniqueEmail(), role: 'OWNER' }))
      .json;
    assertErrorBody(assert, await ac.del(`/v1/admin/invitations/${inv.id}`), 403, 'FORBIDDEN');
    const list = await oc.get('/v1/admin/invitations?limit=100');
    assert.equal(list.json.items.find((i) => i.id === inv.id).status, 'pending');
    assert.equal((await oc.del(`/v1/admin/invitations/${inv.id}`)).status, 204);
  });

  test('an API key grants neither a role nor scopes beyond its own', async () => {
    const k = await oc.post('/v1/admin/api-keys', { name: 'keys only', role: 'ADMIN',
      scopes: ['api_keys', 'users'] });
    assert.equal(k.status, 201, k.text);
    const kc = client(srv, { host: t.host, bearer: k.json.key });
    assertErrorBody(assert, await kc.post('/v1/admin/api-keys', { name: 'owner', role: 'OWNER',
      scopes: ['users'] }), 403, 'FORBIDDEN');
    const wide = await kc.post('/v1/admin/api-keys', { name: 'wider', role: 'ADMIN',
      scopes: ['users', 'bookings'] });
    assertErrorBody(assert, wide, 403, 'FORBIDDEN');
    assert.match(wide.json.error.message, /scope/);
    const same = await kc.post('/v1/admin/api-keys', { name: 'same', role: 'VIEWER',
      scopes: ['users'] });
    assert.equal(same.status, 201, same.text);
    assertErrorBody(assert, await kc.post('/v1/admin/invitations', { email: uniqueEmail(),
      role: 'OWNER' }), 403, 'FORBIDDEN');
  });

  test('only an OWNER demotes or removes an OWNER; the last OWNER stays (409)', async () => {
    const t2 = createTenant();
    const o = createUser({ tenant: t2, role: 'OWNER' });
    const c = await session(srv, o.email, { host: t2.host });
    const a = createUser({ tenant: t2, role: 'ADMIN' });
    const row = async (id) => (await c.get('/v1/admin/users?limit=100')).json.items
      .find((i) => i.id === id);
    let me = await row(o.id);
    const last = await c.patch(`/v1/admin/users/${o.id}`, { role: 'ADMIN' },
      { 'if-match': String(me.version) });
    assertErrorBody(assert, last, 409, 'CONFLICT');
    assert.match(last.json.error.message, /last owner/);
    assertErrorBody(assert, await c.del(`/v1/admin/users/${o.id}`), 409, 'CONFLICT');
    // A second owner, made by the owner.
    const second = await c.patch(`/v1/admin/users/${a.id}`, { role: 'OWNER' },
      { 'if-match': String((await row(a.id)).version) });
    assert.equal(second.status, 200, second.text);
    // An ADMIN touches neither owner.
    const third = createUser({ tenant: t2, role: 'ADMIN' });
    const tc = await session(srv, third.email, { host: t2.host });
    me = await row(o.id);
    assertErrorBody(assert, await tc.patch(`/v1/admin/users/${o.id}`, { role: 'VIEWER' },
      { 'if-match': String(me.version) }), 403, 'FORBIDDEN');
    assertErrorBody(assert, await tc.del(`/v1/admin/users/${a.id}`), 403, 'FORBIDDEN');
    // The new owner removes the first; then it is the last and stays.
    const oc2 = await session(srv, a.email, { host: t2.host });
    assert.equal((await oc2.del(`/v1/admin/users/${o.id}`)).status, 204);
    assertErrorBody(assert, await oc2.del(`/v1/admin/users/${a.id}`), 409, 'CONFLICT');
    assert.equal(adminSql(`SELECT count(*) FROM tenant_memberships WHERE tenant_id = ${lit(t2.id)}
      AND role = 'OWNER' AND deleted_at IS NULL`), '1');
  });
});
