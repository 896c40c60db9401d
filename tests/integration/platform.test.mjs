// platform.test.mjs — the platform operator's routes: only platform
// administrators (not tenant owners, keys or support sessions); tenant
// list, create, suspend, restore, soft delete and plan override, each
// audited in the target tenant; and "act as": read-only unless escalated,
// bound to one tenant, every request audited with both identities, gone
// when it expires; entered on the tenant's host with a one-time hand-off
// token (60 s, one use, that tenant only); search, the tenant page with its
// usage, the overview, the owner invitation on create, reasons on status
// changes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  adminSql, assertErrorBody, createTenant, killAll, lit, randomSlug, startServer, waitFor,
} from './lib.mjs';
import { AUTH_ENV, client, createUser, FAKE_ID, req, session, setCookie } from './auth_lib.mjs';

after(killAll);

describe('platform administration', () => {
  let srv;
  let pa;
  let pc;
  let t;

  before(async () => {
    srv = await startServer(AUTH_ENV);
    t = createTenant({ name: 'Platform Target' });
    pa = createUser({ platformAdmin: true, name: 'Operator' });
    pc = await session(srv, pa.email);
  });
  after(() => srv?.kill());

  const ROUTES = [
    ['GET', '/v1/platform/tenants'],
    ['POST', '/v1/platform/tenants'],
    ['GET', `/v1/platform/tenants/${FAKE_ID}`],
    ['GET', '/v1/platform/overview'],
    ['PATCH', `/v1/platform/tenants/${FAKE_ID}`],
    ['DELETE', `/v1/platform/tenants/${FAKE_ID}`],
    ['POST', `/v1/platform/tenants/${FAKE_ID}/suspend`],
    ['POST', `/v1/platform/tenants/${FAKE_ID}/restore`],
    ['POST', '/v1/platform/act-as'],
  ];

  test('every platform route refuses the unauthenticated (401) and non-platform users (403)', async () => {
    const owner = createUser({ tenant: t, role: 'OWNER' });
    const oc = await session(srv, owner.email);
    const key = (await (await session(srv, owner.email, { host: t.host }))
      .post('/v1/admin/api-keys', { name: 'k', role: 'OWNER', scopes: ['users'] })).json.key;
    const listed = (await req({ port: srv.port, path: '/v1/test/routes' })).json.items
      .filter((r) => r.perm === 'platform');
    assert.equal(listed.length, ROUTES.length, 'this list covers every platform route');
    for (const [method, path] of ROUTES) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      assertErrorBody(assert, await req({ port: srv.port, method, path, body }), 401, 'UNAUTHENTICATED');
      assertErrorBody(assert, await oc.call(method, path, body), 403, 'FORBIDDEN');
      assertErrorBody(assert, await req({ port: srv.port, method, path, body,
        headers: { authorization: `Bearer ${key}` } }), 403, 'FORBIDDEN');
    }
  });

  test('list with status filter and pagination', async () => {
    const s = createTenant();
    adminSql(`UPDATE tenants SET status = 'suspended' WHERE id = ${lit(s.id)}`);
    // Oldest first, and the suite has made hundreds of tenants by now: walk
    // the pages to find this file's own.
    const every = [];
    for (let cursor = null, n = 0; n === 0 || cursor; n++) {
      const all = await pc.get(`/v1/platform/tenants?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(all.status, 200, all.text);
      every.push(...all.json.items);
      cursor = all.json.next_cursor;
    }
    assert.ok(every.some((i) => i.id === t.id && i.name === 'Platform Target'));
    const susp = await pc.get('/v1/platform/tenants?status=suspended&limit=100');
    assert.ok(susp.json.items.every((i) => i.status === 'suspended'));
    assert.ok(susp.json.items.some((i) => i.id === s.id));
    const seen = new Set();
    let cursor = null;
    do {
      const r = await pc.get(`/v1/platform/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      for (const i of r.json.items) { assert.ok(!seen.has(i.id)); seen.add(i.id); }
      cursor = r.json.next_cursor;
    } while (cursor);
    assert.ok(seen.has(t.id) && seen.has(s.id));
    assertErrorBody(assert, await pc.get('/v1/platform/tenants?status=sleeping'), 400);
  });

  test('search by slug or name, case-insensitive, with LIKE characters taken literally', async () => {
    const a = createTenant({ name: 'Zebra Crossing Salon' });
    const found = await pc.get('/v1/platform/tenants?q=zebra%20CROSSING&limit=100');
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.json.items.map((i) => i.id), [a.id]);
    const bySlug = await pc.get(`/v1/platform/tenants?q=${a.slug.toUpperCase()}`);
    assert.deepEqual(bySlug.json.items.map((i) => i.id), [a.id]);
    assert.deepEqual((await pc.get('/v1/platform/tenants?q=%25%25')).json.items, [],
      '% is a character, not a wildcard');
    assert.ok((await pc.get('/v1/platform/tenants?q=&limit=100')).json.items.length >= 2,
      'an empty q is no filter');
    assertErrorBody(assert, await pc.get(`/v1/platform/tenants?q=${'x'.repeat(101)}`), 400);
  });

  test('create with an owner invitation: the row, the mail, the audit row', async () => {
    const slug = randomSlug('inv');
    const email = `owner-${slug}@example.test`;
    const c = await pc.post('/v1/platform/tenants', { slug, name: 'Invited Owner Co',
      owner_email: email });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.invitation.email, email);
    assert.equal(c.json.invitation.role, 'OWNER');
    assert.equal(c.json.invitation.status, 'pending');
    assert.equal(adminSql(`SELECT role || '|' || email FROM invitations WHERE tenant_id = ${lit(c.json.id)}`),
      `OWNER|${email}`);
    assert.equal(adminSql(`SELECT count(*) FROM notification_outbox WHERE tenant_id = ${lit(c.json.id)}
      AND template = 'auth.invitation' AND recipient = ${lit(email)}`), '1');
    assert.equal(adminSql(`SELECT actor_type || '|' || actor_id FROM audit_log
      WHERE tenant_id = ${lit(c.json.id)} AND action = 'invitation.created'`), `platform|${pa.id}`);
    const bad = await pc.post('/v1/platform/tenants', { slug: randomSlug(), name: 'X', owner_email: 'nope' });
    assert.deepEqual(assertErrorBody(assert, bad, 400).details.map((d) => d.field), ['owner_email']);

    const d = await pc.get(`/v1/platform/tenants/${c.json.id}`);
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.slug, slug);
    assert.equal(d.json.usage.pending_invitations, 1);
    assert.equal(d.json.usage.users, 0);
    assert.equal(d.json.invitations[0].email, email);
    assert.ok(d.json.platform_activity.some((a) => a.action === 'tenant.created'));
    assertErrorBody(assert, await pc.get(`/v1/platform/tenants/${FAKE_ID}`), 404, 'NOT_FOUND');
    assertErrorBody(assert, await pc.get('/v1/platform/tenants/not-a-uuid'), 404);
  });

  test('overview: tenants by plan and status, usage of the month', async () => {
    const o = await pc.get('/v1/platform/overview');
    assert.equal(o.status, 200, o.text);
    const plans = Number(adminSql(`SELECT count(*) FROM tenants WHERE status <> 'deleted' AND plan = 'free'`));
    assert.equal(o.json.by_plan.free ?? 0, plans);
    assert.equal(o.json.tenants, Number(adminSql('SELECT count(*) FROM tenants')));
    assert.equal(Object.values(o.json.by_status).reduce((x, y) => x + y, 0), o.json.tenants);
    assert.match(o.json.month, /^\d{4}-\d{2}$/);
    for (const k of ['messages', 'model_calls', 'tokens', 'bookings'])
      assert.equal(typeof o.json.usage[k], 'number', k);
  });

  test('suspend and restore carry the reason into the audit row', async () => {
    const s = createTenant();
    const r = await pc.post(`/v1/platform/tenants/${s.id}/suspend`, { reason: 'unpaid invoice' });
    assert.equal(r.status, 200, r.text);
    assert.equal(adminSql(`SELECT changes->>'reason' FROM audit_log WHERE tenant_id = ${lit(s.id)}
      AND action = 'tenant.suspended'`), 'unpaid invoice');
    assertErrorBody(assert, await pc.post(`/v1/platform/tenants/${s.id}/restore`, { reason: 'x' }), 400);
    assert.equal((await pc.post(`/v1/platform/tenants/${s.id}/restore`, { reason: 'paid' })).json.status, 'active');
  });

  test('create, suspend, restore, override the plan, soft-delete — each audited in the tenant', async () => {
    const slug = randomSlug('made');
    const c = await pc.post('/v1/platform/tenants', { slug, name: 'Made By Platform',
      timezone: 'Europe/Berlin', plan: 'basic' });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.slug, slug);
    assert.equal(c.json.timezone, 'Europe/Berlin');
    const id = c.json.id;
    const host = `${slug}.localhost`;
    assert.equal((await req({ port: srv.port, path: '/v1/public/tenant', host })).status, 200);
    assertErrorBody(assert, await pc.post('/v1/platform/tenants', { slug, name: 'Again' }), 409, 'CONFLICT');
    const badTz = await pc.post('/v1/platform/tenants', { slug: randomSlug(), name: 'X', timezone: 'Mars/Olympus' });
    assert.deepEqual(assertErrorBody(assert, badTz, 400).details.map((d) => d.field), ['timezone']);

    const s = await pc.post(`/v1/platform/tenants/${id}/suspend`);
    assert.equal(s.json.status, 'suspended', s.text);
    // The tenant cache hears of it through NOTIFY, a moment later.
    const publicStatus = (want) => waitFor(async () =>
      (await req({ port: srv.port, path: '/v1/public/tenant', host })).status === want,
    { what: `public profile ${want}` });
    await publicStatus(403);
    const r = await pc.post(`/v1/platform/tenants/${id}/restore`);
    assert.equal(r.json.status, 'active');
    await publicStatus(200);
    const p = await pc.patch(`/v1/platform/tenants/${id}`, { plan: 'enterprise' });
    assert.equal(p.json.plan, 'enterprise', p.text);
    assertErrorBody(assert, await pc.patch(`/v1/platform/tenants/${id}`, { plan: 'gold' }), 400);
    assert.equal((await pc.del(`/v1/platform/tenants/${id}`)).status, 204);
    await publicStatus(404);
    assert.equal(adminSql(`SELECT status FROM tenants WHERE id = ${lit(id)}`), 'deleted',
      'soft delete: the row is kept');
    assertErrorBody(assert, await pc.post(`/v1/platform/tenants/${FAKE_ID}/suspend`), 404);

    const audit = adminSql(`SELECT string_agg(action || ':' || actor_type || ':' || actor_id, ',' ORDER BY created_at)
      FROM audit_log WHERE tenant_id = ${lit(id)}`);
    const who = `platform:${pa.id}`;
    assert.equal(audit, ['tenant.created', 'tenant.suspended', 'tenant.restored',
      'tenant.plan_overridden', 'tenant.deleted'].map((a) => `${a}:${who}`).join(','));
    assert.equal(adminSql(`SELECT changes::text FROM audit_log WHERE tenant_id = ${lit(id)}
      AND action = 'tenant.plan_overridden'`), '{"plan": {"to": "enterprise", "from": "basic"}}');
  });
});

describe('act as a tenant', () => {
  let srv;
  let pa;
  let pc;
  let t;
  let b;

  before(async () => {
    srv = await startServer(AUTH_ENV);
    t = createTenant({ name: 'Support Me' });
    b = createTenant({ name: 'Leave Me Alone' });
    createUser({ tenant: t, role: 'OWNER' });
    pa = createUser({ platformAdmin: true });
    pc = await session(srv, pa.email);
  });
  after(() => srv?.kill());

  const exchange = (token, host = t.host) => req({ port: srv.port, method: 'POST',
    path: '/v1/auth/act-as/exchange', host, body: { token } });

  async function actAs(body, host = t.host) {
    const r = await pc.post('/v1/platform/act-as', body);
    assert.equal(r.status, 201, r.text);
    assert.equal(setCookie(r), undefined, 'the console keeps its own session');
    const x = await exchange(r.json.handoff.token, host);
    assert.equal(x.status, 200, x.text);
    return { json: r.json, c: client(srv, { host,
      session: { cookie: setCookie(x).value, csrf: x.json.csrf_token } }) };
  }

  const auditRows = (sessionId) => adminSql(`SELECT format('%s|%s|%s|%s|%s|%s', actor_type,
    actor_id, on_behalf_of, action, changes->>'path', changes->>'allowed')
    FROM audit_log WHERE tenant_id = ${lit(t.id)} AND target_id = ${lit(sessionId)}
    ORDER BY created_at`).split('\n').filter(Boolean);

  test('a platform admin has no tenant role of their own', async () => {
    assertErrorBody(assert, await client(srv, { host: t.host, session: pc.session })
      .get('/v1/admin/users'), 403, 'FORBIDDEN');
  });

  test('read-only support session: reads allowed, writes refused, all audited with both identities', async () => {
    const { json, c } = await actAs({ tenant_id: t.id, minutes: 10, reason: 'ticket #1' });
    assert.equal(json.write, false);
    assert.equal(json.tenant_id, t.id);
    const read = await c.get('/v1/admin/users');
    assert.equal(read.status, 200, read.text);
    const write = await c.patch('/v1/admin/security', { mfa_required: true });
    assert.match(assertErrorBody(assert, write, 403, 'FORBIDDEN').message, /read-only/);
    const rows = auditRows(json.session_id);
    assert.deepEqual(rows, [
      `platform|${pa.id}|act_as|support.act_as_started||`,
      `platform|${pa.id}|act_as|support.act_as_entered||`,
      `platform|${pa.id}|act_as|support.read|/v1/admin/users|true`,
      `platform|${pa.id}|act_as|support.write|/v1/admin/security|false`,
    ]);
    const me = await c.get('/v1/auth/me');
    assert.deepEqual(me.json.session.act_as, { tenant_id: t.id, write: false });
  });

  test('escalated support session can write, and the change names the administrator', async () => {
    const { json, c } = await actAs({ tenant_id: t.id, minutes: 5, write: true, reason: 'fix settings' });
    const r = await c.patch('/v1/admin/security', { mfa_required: false });
    assert.equal(r.status, 200, r.text);
    assert.ok(auditRows(json.session_id).some((l) => l.includes('support.write|/v1/admin/security|true')));
    const inv = await c.post('/v1/admin/invitations', { email: 'helper@example.test', role: 'VIEWER' });
    assert.equal(inv.status, 201, inv.text);
    assert.equal(adminSql(`SELECT actor_type || '|' || actor_id || '|' || on_behalf_of FROM audit_log
      WHERE tenant_id = ${lit(t.id)} AND action = 'invitation.created'`), `platform|${pa.id}|act_as`);
  });

  test('a support session is bound to its tenant and cannot do platform work', async () => {
    const { c } = await actAs({ tenant_id: t.id, minutes: 5, reason: 'scope check' });
    const elsewhere = await client(srv, { host: b.host, session: c.session }).get('/v1/admin/users');
    assertErrorBody(assert, elsewhere, 403, 'FORBIDDEN');
    assert.ok(!elsewhere.text.includes(b.id));
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(b.id)}
      AND action LIKE 'support.%'`), '0');
    assertErrorBody(assert, await client(srv, { session: c.session }).get('/v1/platform/tenants'),
      403, 'FORBIDDEN');
  });

  test('the hand-off token: one use, 60 s, its own tenant only, and the console stays signed in', async () => {
    const r = await pc.post('/v1/platform/act-as', { tenant_id: t.id, minutes: 5, reason: 'handoff' });
    assert.equal(r.status, 201, r.text);
    const left = (Date.parse(r.json.handoff.expires_at) - Date.now()) / 1000;
    assert.ok(left > 0 && left <= 61, `hand-off lives ≤ 60 s (${left})`);
    assert.equal(adminSql(`SELECT count(*) FROM auth_sessions WHERE handoff_hash IS NOT NULL
      AND encode(handoff_hash, 'hex') = encode(sha256(${lit(r.json.handoff.token)}::bytea), 'hex')`), '1',
    'stored as its SHA-256 only');
    // Another tenant's host: refused, and the token is spent by trying.
    assertErrorBody(assert, await exchange(r.json.handoff.token, b.host), 401, 'UNAUTHENTICATED');
    assertErrorBody(assert, await exchange(r.json.handoff.token), 401, 'UNAUTHENTICATED');
    // A fresh one works once, then never again.
    const r2 = await pc.post('/v1/platform/act-as', { tenant_id: t.id, minutes: 5, reason: 'handoff 2' });
    const ok = await exchange(r2.json.handoff.token);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.session_id, r2.json.session_id);
    assert.match(setCookie(ok).line, /HttpOnly; SameSite=Lax; Max-Age=(29\d|300)\b/);
    assertErrorBody(assert, await exchange(r2.json.handoff.token), 401);
    // Expired before use.
    const r3 = await pc.post('/v1/platform/act-as', { tenant_id: t.id, minutes: 5, reason: 'handoff 3' });
    adminSql(`UPDATE auth_sessions SET handoff_expires_at = now() - interval '1 second'
      WHERE id = ${lit(r3.json.session_id)}`);
    assertErrorBody(assert, await exchange(r3.json.handoff.token), 401);
    assertErrorBody(assert, await exchange('x'.repeat(43)), 401);
    assertErrorBody(assert, await exchange(''), 400);
    // The platform host has no tenant: the exchange is not there.
    assert.notEqual((await req({ port: srv.port, method: 'POST', path: '/v1/auth/act-as/exchange',
      body: { token: r3.json.handoff.token } })).status, 200);
    // The operator's console session is untouched.
    assert.equal((await pc.get('/v1/platform/tenants?limit=1')).status, 200);
  });

  test('act-as validates minutes (≤ 60) and needs a live tenant', async () => {
    const r = await pc.post('/v1/platform/act-as', { tenant_id: t.id, minutes: 61, reason: 'too long' });
    assert.deepEqual(assertErrorBody(assert, r, 400).details.map((d) => d.field), ['minutes']);
    const none = await pc.post('/v1/platform/act-as', { tenant_id: FAKE_ID, minutes: 5, reason: 'nobody' });
    assertErrorBody(assert, none, 404, 'NOT_FOUND');
    const noReason = await pc.post('/v1/platform/act-as', { tenant_id: t.id, minutes: 5 });
    assert.deepEqual(assertErrorBody(assert, noReason, 400).details.map((d) => d.field), ['reason']);
  });

  test('a support session ends at its expiry', async () => {
    const { json, c } = await actAs({ tenant_id: t.id, minutes: 1, reason: 'short' });
    assert.equal((await c.get('/v1/admin/users')).status, 200);
    adminSql(`UPDATE auth_sessions SET expires_at = now() - interval '1 second'
      WHERE id = ${lit(json.session_id)}`);
    assertErrorBody(assert, await c.get('/v1/admin/users'), 401, 'UNAUTHENTICATED');
  });

  test('suspending the tenant ends its support sessions', async () => {
    const t3 = createTenant();
    const r = await pc.post('/v1/platform/act-as', { tenant_id: t3.id, minutes: 5, reason: 'x-check' });
    const x = await exchange(r.json.handoff.token, t3.host);
    const c = client(srv, { host: t3.host, session: { cookie: setCookie(x).value, csrf: x.json.csrf_token } });
    assert.equal((await c.get('/v1/admin/users')).status, 200);
    await pc.post(`/v1/platform/tenants/${t3.id}/suspend`);
    await pc.post(`/v1/platform/tenants/${t3.id}/restore`);
    // Once the tenant cache has seen the restore, the host resolves again…
    await waitFor(async () => (await req({ port: srv.port, path: '/v1/public/tenant',
      host: t3.host })).status === 200, { what: 'tenant restored' });
    // … but the support session opened before the suspension is gone.
    assertErrorBody(assert, await c.get('/v1/admin/users'), 401);
  });
});
