// permissions.test.mjs — the permission matrix, exhaustively: every
// mounted route that needs a tenant permission (from GET /v1/test/routes,
// so new routes are covered without being listed here), called by a user
// of every role, must answer 403 exactly where the matrix (GET
// /v1/test/authz, i.e. authz_role_can itself) says no, and must get past
// authorisation where it says yes. Then broken object-level
// authorisation: with tenant A's session, API key and service token, every
// such route on tenant B's host and with B's ids is refused, and nothing of
// B's comes back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { BIN, createTenant, killAll, REPO_ROOT, startServer } from './lib.mjs';
import { AUTH_ENV, createUser, FAKE_ID, req, ROLES, session, uniqueEmail } from './auth_lib.mjs';

after(killAll);

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function fill(pattern, ids = {}) {
  return pattern.replace(/\{([a-z_]+)\}/g, (_, name) => ids[name] ?? FAKE_ID);
}

// The tenant-permission routes as (method, route) pairs.
function tenantCalls(routes) {
  const out = [];
  for (const r of routes) {
    if (r.perm === null || r.perm === 'platform' || r.perm.resource === 'account') continue;
    for (const m of r.methods) out.push({ method: m, route: r });
  }
  return out;
}

describe('permission matrix, every tenant route × every role', () => {
  let srv;
  let t;
  let routes;
  let matrix;
  const sessions = {};

  before(async () => {
    srv = await startServer(AUTH_ENV);
    // The top plan, so that no plan gate (also a 403) stands in for the matrix.
    t = createTenant({ name: 'Matrix Motors', plan: 'enterprise' });
    routes = (await req({ port: srv.port, path: '/v1/test/routes' })).json.items;
    matrix = (await req({ port: srv.port, path: '/v1/test/authz' })).json.roles;
    for (const role of ROLES) {
      const u = createUser({ tenant: t, role, email: uniqueEmail(role.toLowerCase()) });
      sessions[role] = await session(srv, u.email, { host: t.host });
    }
  });
  after(() => srv?.kill());

  test('the matrix route answers the seed\'s rules', () => {
    assert.deepEqual(Object.keys(matrix).sort(), [...ROLES].sort());
    assert.equal(matrix.OWNER.security.write, true);
    assert.equal(matrix.ADMIN.security.write, false);
    assert.equal(matrix.ADMIN.security.read, true);
    assert.equal(matrix.VIEWER.catalog.read, true);
    assert.equal(matrix.VIEWER.catalog.write, false);
    assert.equal(matrix.VIEWER.api_keys.read, false);
    assert.equal(matrix.ACCOUNTANT.billing.read, true);
    assert.equal(matrix.ACCOUNTANT.users.read, false);
    assert.equal(matrix.ORDER_MANAGER.orders.write, true);
    assert.equal(matrix.ORDER_MANAGER.users.read, false);
    assert.equal(matrix.STAFF.bookings.read, true);
    assert.equal(matrix.STAFF.customers.read, false);
    for (const role of ROLES)
      for (const [res, v] of Object.entries(matrix[role]))
        assert.ok(!v.write || v.read, `${role} may write ${res} only if it may read it`);
  });

  test('GET /v1/admin/permissions tells each role exactly the matrix (the admin app\'s source)', async () => {
    for (const role of ROLES) {
      const r = await sessions[role].get('/v1/admin/permissions');
      assert.equal(r.status, 200, `${role}: ${r.text}`);
      assert.equal(r.json.role, role);
      assert.equal(r.json.tenant_id, t.id);
      assert.equal(r.json.act_as, false);
      for (const [res, v] of Object.entries(matrix[role])) {
        const want = [...(v.read ? ['read'] : []), ...(v.write ? ['write'] : [])];
        assert.deepEqual(r.json.permissions[res], want, `${role} ${res}`);
      }
    }
    // A user of no role here is told so, and may do nothing.
    const outsider = createUser({ email: uniqueEmail('outsider') });
    const o = await (await session(srv, outsider.email, { host: t.host })).get('/v1/admin/permissions');
    assert.equal(o.status, 200, o.text);
    assert.equal(o.json.role, 'NONE');
    for (const v of Object.values(o.json.permissions)) assert.deepEqual(v.filter((x) => x === 'write'), []);
    const anon = await req({ port: srv.port, path: '/v1/admin/permissions', host: t.host });
    assert.equal(anon.status, 401);
  });

  test('every route the auth module mounts is in /v1/test/routes', () => {
    const patterns = new Set(routes.map((r) => r.pattern));
    for (const p of ['/v1/admin/users', '/v1/admin/users/{id}', '/v1/admin/invitations',
      '/v1/admin/invitations/{id}', '/v1/admin/api-keys', '/v1/admin/api-keys/{id}',
      '/v1/admin/security', '/v1/admin/outbox'])
      assert.ok(patterns.has(p), p);
  });

  test('403 exactly where the matrix says no', async () => {
    const calls = tenantCalls(routes);
    assert.ok(calls.length >= 12, `only ${calls.length} tenant routes found`);
    const wrong = [];
    const seen = { allowed: 0, denied: 0 };
    for (const { method, route } of calls) {
      const { resource, verb } = route.perm;
      for (const role of ROLES) {
        const allowed = matrix[role][resource][verb];
        seen[allowed ? 'allowed' : 'denied']++;
        const r = await sessions[role].call(method, fill(route.pattern),
          WRITES.has(method) && method !== 'DELETE' ? {} : undefined);
        const refused = r.status === 403 && r.json?.error?.code === 'FORBIDDEN';
        if (allowed ? (r.status === 401 || r.status === 403) : !refused)
          wrong.push(`${role} ${method} ${route.pattern} (${resource}.${verb} ${allowed ? 'allowed' : 'denied'}) → ${r.status} ${r.text.slice(0, 160)}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(seen.allowed > 0 && seen.denied > 0, JSON.stringify(seen));
  });
});

describe('broken object-level authorisation: tenant A\'s credentials against tenant B', () => {
  let srv;
  let a;
  let b;
  let routes;
  let aSession;
  let aKey;
  let aToken;
  let bIds;
  let bSecrets;

  before(async () => {
    srv = await startServer(AUTH_ENV);
    a = createTenant({ name: 'Alpha Autos', plan: 'enterprise' });
    b = createTenant({ name: 'Bravo Bakery', plan: 'enterprise' });
    routes = (await req({ port: srv.port, path: '/v1/test/routes' })).json.items;
    const matrix = (await req({ port: srv.port, path: '/v1/test/authz' })).json.roles;
    const everything = Object.keys(matrix.OWNER);

    const ao = createUser({ tenant: a, role: 'OWNER', email: uniqueEmail('alpha-owner') });
    aSession = await session(srv, ao.email, { host: a.host });
    aKey = (await aSession.post('/v1/admin/api-keys', { name: 'all', role: 'OWNER',
      scopes: everything })).json.key;
    aToken = execFileSync(BIN, ['token', 'issue', '--tenant', a.slug, '--scope',
      everything.join(','), '--ttl', '3600'], { cwd: REPO_ROOT,
      env: { ...process.env, ENV_FILE: '/dev/null' }, encoding: 'utf8' }).trim();

    // Tenant B with something in every list: a member, an invitation, a key.
    const bo = createUser({ tenant: b, role: 'OWNER', email: uniqueEmail('bravo-owner') });
    const bs = await session(srv, bo.email, { host: b.host });
    const bInvite = uniqueEmail('bravo-invitee');
    const inv = (await bs.post('/v1/admin/invitations', { email: bInvite, role: 'VIEWER' })).json;
    const key = (await bs.post('/v1/admin/api-keys', { name: 'bravo-key', role: 'VIEWER',
      scopes: ['users'] })).json;
    bIds = { users: bo.id, invitations: inv.id, 'api-keys': key.id };
    bSecrets = [b.id, b.slug, bo.id, bo.email, bInvite, inv.id, key.id, key.prefix, 'Bravo Bakery'];
  });
  after(() => srv?.kill());

  // B's id for a route's {id}, by the collection it names.
  function bPath(pattern) {
    const coll = /\/v1\/admin\/([a-z-]+)\/\{id\}/.exec(pattern)?.[1];
    return fill(pattern, coll && bIds[coll] ? { id: bIds[coll] } : {});
  }

  function leaks(text) {
    return bSecrets.filter((s) => text.includes(s));
  }

  test('B\'s host, B\'s ids: session, API key and service token are all refused', async () => {
    const creds = {
      session: (method, path, body, host, headers = {}) => req({ port: srv.port, method, path,
        host, body, headers: { ...headers, cookie: `rcp_session=${aSession.session.cookie}`,
          'x-csrf-token': aSession.session.csrf } }),
      api_key: (method, path, body, host, headers = {}) => req({ port: srv.port, method, path,
        host, body, headers: { ...headers, authorization: `Bearer ${aKey}` } }),
      service_token: (method, path, body, host, headers = {}) => req({ port: srv.port, method,
        path, host, body, headers: { ...headers, authorization: `Bearer ${aToken}` } }),
    };
    const calls = tenantCalls(routes);
    const wrong = [];
    for (const { method, route } of calls) {
      const path = bPath(route.pattern);
      const body = WRITES.has(method) && method !== 'DELETE' ? {} : undefined;
      for (const [name, call] of Object.entries(creds)) {
        for (const [how, host, headers] of [['host', b.host, {}],
          ['X-Tenant-ID', `localhost:${srv.port}`, { 'x-tenant-id': b.id }]]) {
          const r = await call(method, path, body, host, headers);
          const leaked = leaks(r.text);
          if (![403, 404].includes(r.status) || leaked.length)
            wrong.push(`${name} via ${how}: ${method} ${path} → ${r.status} ${leaked.join(',')} ${r.text.slice(0, 120)}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('A\'s own host with B\'s ids finds nothing of B', async () => {
    const wrong = [];
    for (const { method, route } of tenantCalls(routes)) {
      const path = bPath(route.pattern);
      const body = WRITES.has(method) && method !== 'DELETE' ? {} : undefined;
      for (const [name, r] of [
        ['session', await aSession.call(method, path, body)],
        ['api_key', await req({ port: srv.port, method, path, host: a.host, body,
          headers: { authorization: `Bearer ${aKey}` } })],
        ['service_token', await req({ port: srv.port, method, path, host: a.host, body,
          headers: { authorization: `Bearer ${aToken}` } })],
      ]) {
        const leaked = leaks(r.text);
        const hasId = route.pattern.includes('{');
        if (leaked.length || (hasId && r.status < 300) || r.status === 500)
          wrong.push(`${name}: ${method} ${path} → ${r.status} ${leaked.join(',')} ${r.text.slice(0, 120)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
