// admin_lib.mjs — helpers for the admin API suites (admin*.test.mjs): a
// server, signed-in clients of a tenant (the real session cookie + CSRF
// token), JSON shortcuts, and reads of the database as the superuser to
// check what was (not) saved and what the audit log holds.
import assert from 'node:assert/strict';

import { adminSql, lit, startServer } from './lib.mjs';
import { AUTH_ENV, createUser, session, uniqueEmail } from './auth_lib.mjs';

export const FAKE = '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f';

// A server with the test routes (fake DNS) and a long tenant cache TTL, so
// only NOTIFY can make a change visible quickly.
export function adminServer(env = {}) {
  return startServer({ ...AUTH_ENV, TENANT_CACHE_TTL_S: '300', ...env });
}

// A signed-in client of tenant t as a member with role. It has get/post/
// patch/put/del returning {status, headers, text, json}; c.userId is the
// user behind it.
export async function signIn(srv, t, role = 'OWNER') {
  const u = createUser({ tenant: t, role, email: uniqueEmail(role.toLowerCase()) });
  const c = await session(srv, u.email, { host: t.host });
  c.userId = u.id;
  c.put = (p, b = {}, h) => c.call('PUT', p, b, h);
  return c;
}

// Asserts a 400 whose details name field (and, when given, nothing else).
export function assertInvalid(res, field, what = '') {
  assert.equal(res.status, 400, `${what} expected 400 naming ${field}, got ${res.status}: ${res.text}`);
  assert.equal(res.json?.error?.code, 'INVALID_ARGUMENT', res.text);
  const fields = res.json.error.details.map((d) => d.field);
  assert.ok(fields.includes(field), `${what} details should name ${field}: ${res.text}`);
}

export function assertStatus(res, status, what = '') {
  assert.equal(res.status, status, `${what} expected ${status}, got ${res.status}: ${res.text}`);
  return res.json;
}

// Rows of table for tenant t (superuser: RLS does not hide anything).
export function countRows(table, t, where = 'true') {
  return Number(adminSql(`SELECT count(*) FROM ${table} WHERE tenant_id = ${lit(t.id)} AND ${where}`));
}

// The tenant's audit rows for a target, oldest first, as objects.
export function auditRows(t, targetId, action) {
  const out = adminSql(`SELECT coalesce(json_agg(a ORDER BY a.created_at, a.id), '[]')
    FROM audit_log a WHERE a.tenant_id = ${lit(t.id)} AND a.target_id = ${lit(targetId)}
    ${action ? `AND a.action = ${lit(action)}` : ''}`);
  return JSON.parse(out);
}

// Every item of a list, following next_cursor.
export async function listAll(c, path, { limit = 50, max = 50 } = {}) {
  const items = [];
  const sep = path.includes('?') ? '&' : '?';
  let cursor = null;
  for (let page = 0; page < max; page++) {
    const r = await c.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assertStatus(r, 200, `GET ${path}`);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) return items;
  }
  throw new Error(`more than ${max} pages at ${path}`);
}

export function setPlan(t, plan) {
  adminSql(`UPDATE tenants SET plan = ${lit(plan)} WHERE id = ${lit(t.id)}`);
}
