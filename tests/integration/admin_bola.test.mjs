// admin_bola.test.mjs — broken object-level authorisation on the admin
// API of the business catalog and settings: signed in to tenant A, every
// route called with tenant B's ids (and guessed and malformed ids) answers
// 404 — the same as for an id that never existed — links to B's rows are
// refused as unknown, nothing of B's appears in any answer, and B's rows
// are exactly as they were afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, lit } from './lib.mjs';
import { adminServer, assertInvalid, assertStatus, FAKE, signIn } from './admin_lib.mjs';
import { client } from './auth_lib.mjs';

after(killAll);

const SERVICE = { name: 'Bravo Secret Service', duration_minutes: 30, price_minor: 999,
  currency: 'USD' };

// Every row of tenant t in the business tables, as text: the "before" and
// "after" of B.
function snapshot(t) {
  return adminSql(`SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
    SELECT 'services ' || s::text AS x FROM services s WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'addons ' || a::text FROM service_addons a WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'staff ' || s::text FROM staff s WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'skills ' || s::text FROM staff_services s WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'sched ' || s::text FROM staff_schedules s WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'off ' || s::text FROM staff_time_off s WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'res ' || r::text FROM resources r WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'needs ' || r::text FROM resource_services r WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'faq ' || f::text FROM faqs f WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'hours ' || h::text FROM business_hours h WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'closure ' || c::text FROM closures c WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'origin ' || o::text FROM widget_origins o WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'domain ' || d::text FROM tenant_domains d WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'profile ' || p::text FROM tenant_profiles p WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'branding ' || b::text FROM tenant_branding b WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'policies ' || p::text FROM tenant_policies p WHERE tenant_id = ${lit(t.id)}
    UNION ALL SELECT 'ai ' || a::text FROM ai_settings a WHERE tenant_id = ${lit(t.id)}
  ) rows`);
}

describe('tenant A\'s session against tenant B\'s ids', () => {
  let srv;
  let a;
  let b;
  let ca;
  let cb;
  const B = {};
  const A = {};
  let before_;
  const secrets = [];

  before(async () => {
    srv = await adminServer();
    a = createTenant({ name: 'Alpha Atelier', plan: 'pro' });
    b = createTenant({ name: 'Bravo Boutique', plan: 'pro' });
    ca = await signIn(srv, a);
    cb = await signIn(srv, b);
    B.service = assertStatus(await cb.post('/v1/admin/services', SERVICE), 201);
    B.addon = assertStatus(await cb.post(`/v1/admin/services/${B.service.id}/addons`,
      { name: 'Bravo Secret Addon' }), 201);
    B.staff = assertStatus(await cb.post('/v1/admin/staff', { display_name: 'Bravo Secret Staff',
      email: 'secret@bravo.example' }), 201);
    assertStatus(await cb.put(`/v1/admin/staff/${B.staff.id}/services`,
      { service_ids: [B.service.id] }), 200);
    assertStatus(await cb.put(`/v1/admin/staff/${B.staff.id}/schedule`,
      { intervals: [{ weekday: 1, starts: '09:00', ends: '17:00' }] }), 200);
    B.off = assertStatus(await cb.post(`/v1/admin/staff/${B.staff.id}/time-off`,
      { starts_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-02T00:00:00Z',
        reason: 'Bravo Secret Reason' }), 201);
    B.resource = assertStatus(await cb.post('/v1/admin/resources', { name: 'Bravo Secret Room' }), 201);
    assertStatus(await cb.put(`/v1/admin/resources/${B.resource.id}/services`,
      { items: [{ service_id: B.service.id }] }), 200);
    B.faq = assertStatus(await cb.post('/v1/admin/faqs', { question: 'Bravo Secret Question?',
      answer: 'Bravo Secret Answer' }), 201);
    B.hours = assertStatus(await cb.post('/v1/admin/hours', { weekday: 2, opens: '08:00',
      closes: '09:00' }), 201);
    B.closure = assertStatus(await cb.post('/v1/admin/closures', { day: '2031-07-04',
      reason: 'Bravo Secret Holiday' }), 201);
    B.origin = assertStatus(await cb.post('/v1/admin/widget-origins',
      { origin: 'https://bravo-secret.example' }), 201);
    B.domain = assertStatus(await cb.post('/v1/admin/domains',
      { hostname: 'bravo-secret.example' }), 201);
    B.audit = assertStatus(await cb.get('/v1/admin/audit-log?limit=1'), 200).items[0];
    B.member = adminSql(`INSERT INTO users (email, password_hash)
      VALUES ('bravo-member-${Date.now()}@example.test', 'x') RETURNING id`).split('\n')[0];
    adminSql(`INSERT INTO tenant_memberships (tenant_id, user_id, role)
      VALUES (${lit(b.id)}, ${lit(B.member)}, 'STAFF')`);
    for (const v of Object.values(B)) {
      if (typeof v === 'string') secrets.push(v);
      else if (v?.id) secrets.push(v.id);
    }
    secrets.push('Bravo Secret', 'secret@bravo.example', 'bravo-secret.example',
      B.domain.verification_token, b.id);

    A.service = assertStatus(await ca.post('/v1/admin/services', { ...SERVICE, name: 'Alpha Cut' }), 201);
    A.staff = assertStatus(await ca.post('/v1/admin/staff', { display_name: 'Alpha Staff' }), 201);
    A.resource = assertStatus(await ca.post('/v1/admin/resources', { name: 'Alpha Room' }), 201);
    before_ = snapshot(b);
  });
  after(() => srv?.kill());

  const leaks = (r) => secrets.filter((s) => r.text.includes(s));

  test('every route with B\'s ids answers 404 and shows nothing of B', async () => {
    const calls = [
      ['GET', `/v1/admin/services/${B.service.id}`],
      ['PATCH', `/v1/admin/services/${B.service.id}`, { name: 'x', version: 1 }],
      ['DELETE', `/v1/admin/services/${B.service.id}`],
      ['GET', `/v1/admin/services/${B.service.id}/addons`],
      ['POST', `/v1/admin/services/${B.service.id}/addons`, { name: 'x' }],
      ['GET', `/v1/admin/services/${B.service.id}/addons/${B.addon.id}`],
      ['GET', `/v1/admin/services/${A.service.id}/addons/${B.addon.id}`],
      ['PATCH', `/v1/admin/services/${A.service.id}/addons/${B.addon.id}`, { name: 'x', version: 1 }],
      ['DELETE', `/v1/admin/services/${A.service.id}/addons/${B.addon.id}`],
      ['GET', `/v1/admin/staff/${B.staff.id}`],
      ['PATCH', `/v1/admin/staff/${B.staff.id}`, { display_name: 'x', version: 2 }],
      ['DELETE', `/v1/admin/staff/${B.staff.id}`],
      ['GET', `/v1/admin/staff/${B.staff.id}/services`],
      ['PUT', `/v1/admin/staff/${B.staff.id}/services`, { service_ids: [] }],
      ['GET', `/v1/admin/staff/${B.staff.id}/schedule`],
      ['PUT', `/v1/admin/staff/${B.staff.id}/schedule`, { intervals: [] }],
      ['GET', `/v1/admin/staff/${B.staff.id}/time-off`],
      ['POST', `/v1/admin/staff/${B.staff.id}/time-off`,
        { starts_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-02T00:00:00Z' }],
      ['GET', `/v1/admin/staff/${B.staff.id}/time-off/${B.off.id}`],
      ['GET', `/v1/admin/staff/${A.staff.id}/time-off/${B.off.id}`],
      ['PATCH', `/v1/admin/staff/${A.staff.id}/time-off/${B.off.id}`, { reason: 'x', version: 1 }],
      ['DELETE', `/v1/admin/staff/${A.staff.id}/time-off/${B.off.id}`],
      ['GET', `/v1/admin/resources/${B.resource.id}`],
      ['PATCH', `/v1/admin/resources/${B.resource.id}`, { name: 'x', version: 2 }],
      ['DELETE', `/v1/admin/resources/${B.resource.id}`],
      ['GET', `/v1/admin/resources/${B.resource.id}/services`],
      ['PUT', `/v1/admin/resources/${B.resource.id}/services`, { items: [] }],
      ['GET', `/v1/admin/faqs/${B.faq.id}`],
      ['PATCH', `/v1/admin/faqs/${B.faq.id}`, { answer: 'x', version: 1 }],
      ['DELETE', `/v1/admin/faqs/${B.faq.id}`],
      ['GET', `/v1/admin/hours/${B.hours.id}`],
      ['PATCH', `/v1/admin/hours/${B.hours.id}`, { closes: '10:00', version: 1 }],
      ['DELETE', `/v1/admin/hours/${B.hours.id}`],
      ['GET', `/v1/admin/closures/${B.closure.id}`],
      ['PATCH', `/v1/admin/closures/${B.closure.id}`, { reason: 'x', version: 1 }],
      ['DELETE', `/v1/admin/closures/${B.closure.id}`],
      ['GET', `/v1/admin/widget-origins/${B.origin.id}`],
      ['PATCH', `/v1/admin/widget-origins/${B.origin.id}`, { origin: 'https://x.example', version: 1 }],
      ['DELETE', `/v1/admin/widget-origins/${B.origin.id}`],
      ['GET', `/v1/admin/domains/${B.domain.id}`],
      ['DELETE', `/v1/admin/domains/${B.domain.id}`],
      ['POST', `/v1/admin/domains/${B.domain.id}/verify`, {}],
      ['GET', `/v1/admin/audit-log/${B.audit.id}`],
    ];
    const wrong = [];
    for (const [method, path, body] of calls) {
      for (const p of [path, path.replaceAll(B.service.id, FAKE).replaceAll(B.staff.id, FAKE)]) {
        const r = await ca.call(method, p, body);
        if (r.status !== 404 || r.json?.error?.code !== 'NOT_FOUND')
          wrong.push(`${method} ${p} → ${r.status} ${r.text.slice(0, 200)}`);
        if (leaks(r).length)
          wrong.push(`${method} ${p} leaks ${leaks(r).join(', ')}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('malformed ids are 404 too, never 500', async () => {
    const wrong = [];
    for (const bad of ['not-a-uuid', '1', "'%20OR%201=1", 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
      `${B.faq.id}x`]) {
      for (const [method, path] of [['GET', `/v1/admin/faqs/${bad}`],
        ['PATCH', `/v1/admin/services/${bad}`], ['DELETE', `/v1/admin/staff/${bad}`],
        ['GET', `/v1/admin/services/${bad}/addons`], ['PUT', `/v1/admin/staff/${bad}/services`],
        ['POST', `/v1/admin/domains/${bad}/verify`], ['GET', `/v1/admin/audit-log/${bad}`]]) {
        const r = await ca.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
        if (r.status !== 404) wrong.push(`${method} ${path} → ${r.status} ${r.text.slice(0, 120)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('links to B\'s rows are refused as unknown, naming the field', async () => {
    const r1 = await ca.put(`/v1/admin/staff/${A.staff.id}/services`,
      { service_ids: [A.service.id, B.service.id] });
    assertInvalid(r1, 'service_ids[1]');
    const r2 = await ca.put(`/v1/admin/resources/${A.resource.id}/services`,
      { items: [{ service_id: B.service.id }] });
    assertInvalid(r2, 'items[0].service_id');
    const r3 = await ca.post('/v1/admin/staff', { display_name: 'Poacher', user_id: B.member,
      active: false });
    assertInvalid(r3, 'user_id');
    // The same answers as for ids that never existed: nothing to learn.
    const r4 = await ca.put(`/v1/admin/staff/${A.staff.id}/services`,
      { service_ids: [A.service.id, FAKE] });
    assert.equal(r4.json.error.details[0].issue, r1.json.error.details[0].issue);
    for (const r of [r1, r2, r3]) assert.deepEqual(leaks(r), []);
  });

  test('A\'s lists show only A\'s rows', async () => {
    const wrong = [];
    for (const path of ['/v1/admin/services', '/v1/admin/staff', '/v1/admin/resources',
      '/v1/admin/faqs?include_deleted=true', '/v1/admin/hours', '/v1/admin/closures',
      '/v1/admin/widget-origins?include_deleted=true', '/v1/admin/domains?include_deleted=true',
      '/v1/admin/audit-log?limit=100', `/v1/admin/audit-log?target_id=${B.service.id}`,
      '/v1/admin/profile', '/v1/admin/branding', '/v1/admin/policies', '/v1/admin/ai-settings',
      `/v1/admin/services?name=${encodeURIComponent(SERVICE.name)}`]) {
      const r = await ca.get(path);
      if (r.status !== 200) wrong.push(`${path} → ${r.status}`);
      if (leaks(r).length) wrong.push(`${path} leaks ${leaks(r).join(', ')}`);
    }
    assert.deepEqual(wrong, []);
    const none = assertStatus(await ca.get(`/v1/admin/audit-log?target_id=${B.service.id}`), 200);
    assert.deepEqual(none.items, []);
  });

  test('A\'s session on B\'s host (or naming B in X-Tenant-ID) gets nothing of B', async () => {
    const onB = client(srv, { host: b.host, session: ca.session, ip: ca.ip });
    for (const [method, path, body] of [['GET', '/v1/admin/services'],
      ['GET', `/v1/admin/services/${B.service.id}`], ['GET', '/v1/admin/profile'],
      ['POST', '/v1/admin/faqs', { question: 'q', answer: 'a' }]]) {
      for (const r of [await onB.call(method, path, body),
        await ca.call(method, path, body, { 'x-tenant-id': b.id })]) {
        assert.ok([400, 401, 403, 404].includes(r.status), `${method} ${path} → ${r.status} ${r.text}`);
        assert.deepEqual(leaks(r), []);
      }
    }
  });

  test('B is exactly as it was', () => {
    assert.equal(snapshot(b), before_);
  });
});
