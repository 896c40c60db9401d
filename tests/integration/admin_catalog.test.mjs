// admin_catalog.test.mjs — the catalog through the admin API as an owner
// uses it: services and their add-ons, staff (plan seats, skills, weekly
// schedule, time off), resources and the services that need them, FAQs,
// policies and AI settings. Every mutation leaves an audit row with
// before/after; deletes of what bookings may point at are soft.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, lit } from './lib.mjs';
import {
  adminServer, assertInvalid, assertStatus, auditRows, countRows, FAKE, setPlan, signIn,
} from './admin_lib.mjs';

after(killAll);

const SERVICE = { name: 'Haircut', duration_minutes: 30, price_minor: 2500, currency: 'USD' };

describe('services and add-ons', () => {
  let srv;
  let t;
  let c;

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Catalog Cuts' });
    c = await signIn(srv, t);
  });
  after(() => srv?.kill());

  test('create, read, update and soft-delete a service, each audited', async () => {
    const r = await c.post('/v1/admin/services', { ...SERVICE, description: 'A trim',
      buffer_before_minutes: 5, buffer_after_minutes: 10, sort_order: 3 });
    const s = assertStatus(r, 201, 'create');
    assert.equal(r.headers.location, `/v1/admin/services/${s.id}`);
    assert.equal(r.headers.etag, '"1"');
    assert.deepEqual({ ...s, id: undefined, created_at: undefined, updated_at: undefined }, {
      id: undefined, name: 'Haircut', description: 'A trim', duration_minutes: 30,
      price_minor: 2500, currency: 'USD', buffer_before_minutes: 5, buffer_after_minutes: 10,
      active: true, sort_order: 3, version: 1, created_at: undefined, updated_at: undefined,
      deleted_at: null,
    });
    assert.match(s.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const g = await c.get(`/v1/admin/services/${s.id}`);
    assert.deepEqual(assertStatus(g, 200), s);

    const u = await c.patch(`/v1/admin/services/${s.id}`, { price_minor: 3000, active: false },
      { 'if-match': '"1"' });
    const s2 = assertStatus(u, 200, 'update');
    assert.equal(s2.version, 2);
    assert.equal(u.headers.etag, '"2"');
    assert.equal(s2.price_minor, 3000);
    assert.equal(s2.active, false);
    assert.equal(s2.name, 'Haircut');

    // The same values again change nothing: no new version, no audit row.
    const same = await c.patch(`/v1/admin/services/${s.id}`, { price_minor: 3000, version: 2 });
    assert.equal(assertStatus(same, 200).version, 2);

    assertStatus(await c.del(`/v1/admin/services/${s.id}`), 204, 'delete');
    assertStatus(await c.get(`/v1/admin/services/${s.id}`), 404, 'get after delete');
    assert.equal(countRows('services', t, `id = ${lit(s.id)} AND deleted_at IS NOT NULL`), 1,
      'the row stays, marked deleted');
    assertStatus(await c.del(`/v1/admin/services/${s.id}`), 404, 'second delete');

    const audit = auditRows(t, s.id);
    assert.deepEqual(audit.map((a) => a.action), ['service.created', 'service.updated',
      'service.deleted']);
    for (const a of audit) {
      assert.equal(a.actor_type, 'user');
      assert.equal(a.actor_id, c.userId);
      assert.equal(a.target_type, 'service');
      assert.ok(a.request_id);
    }
    assert.deepEqual(audit[0].changes.price_minor, { from: null, to: 2500 });
    assert.deepEqual(audit[1].changes, { price_minor: { from: 2500, to: 3000 },
      active: { from: true, to: false } });
    assert.equal(audit[2].changes.deleted_at.from, null);
    assert.match(audit[2].changes.deleted_at.to, /Z$/);
  });

  test('a live service name is unique (any case); a deleted one frees it', async () => {
    const a = assertStatus(await c.post('/v1/admin/services', { ...SERVICE, name: 'Colour' }), 201);
    const dup = await c.post('/v1/admin/services', { ...SERVICE, name: 'COLOUR' });
    assert.equal(dup.status, 409, dup.text);
    assert.equal(dup.json.error.code, 'CONFLICT');
    assert.equal(dup.json.error.details[0].field, 'name');
    const b = assertStatus(await c.post('/v1/admin/services', { ...SERVICE, name: 'Perm' }), 201);
    const ren = await c.patch(`/v1/admin/services/${b.id}`, { name: 'colour', version: 1 });
    assert.equal(ren.status, 409, ren.text);
    assert.equal(assertStatus(await c.get(`/v1/admin/services/${b.id}`), 200).name, 'Perm');
    assertStatus(await c.del(`/v1/admin/services/${a.id}`), 204);
    assertStatus(await c.post('/v1/admin/services', { ...SERVICE, name: 'Colour' }), 201);
  });

  test('add-ons live under their service and take its currency', async () => {
    const s = assertStatus(await c.post('/v1/admin/services', { ...SERVICE, name: 'Shave',
      currency: 'EUR' }), 201);
    const base = `/v1/admin/services/${s.id}/addons`;
    const r = await c.post(base, { name: 'Hot towel', price_minor: 500, duration_minutes: 10 });
    const a = assertStatus(r, 201);
    assert.equal(r.headers.location, `${base}/${a.id}`);
    assert.equal(a.service_id, s.id);
    assert.equal(a.currency, 'EUR');
    assertInvalid(await c.post(base, { name: 'Oil', currency: 'USD' }), 'currency');
    const list = assertStatus(await c.get(base), 200);
    assert.deepEqual(list.items.map((x) => x.id), [a.id]);
    const u = await c.patch(`${base}/${a.id}`, { price_minor: 700 }, { 'if-match': '1' });
    assert.equal(assertStatus(u, 200).price_minor, 700);
    // A service's currency cannot move away from its add-ons'.
    assertInvalid(await c.patch(`/v1/admin/services/${s.id}`, { currency: 'GBP', version: 1 }),
      'currency');
    // Through another service's path the add-on does not exist.
    const other = assertStatus(await c.post('/v1/admin/services', { ...SERVICE, name: 'Other' }), 201);
    assertStatus(await c.get(`/v1/admin/services/${other.id}/addons/${a.id}`), 404);
    assertStatus(await c.get(`/v1/admin/services/${FAKE}/addons`), 404);
    assertStatus(await c.get('/v1/admin/services/not-a-uuid/addons'), 404);
    // A deleted service's add-ons are gone with it.
    assertStatus(await c.del(`/v1/admin/services/${s.id}`), 204);
    assertStatus(await c.get(base), 404);
    assertStatus(await c.post(base, { name: 'Late' }), 404);
    assert.deepEqual(auditRows(t, a.id).map((x) => x.action),
      ['service_addon.created', 'service_addon.updated']);
  });
});

describe('staff: seats, skills, schedule, time off', () => {
  let srv;
  let t;
  let c;

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Staff Studio', plan: 'basic' });	// 5 seats
    c = await signIn(srv, t);
  });
  after(() => srv?.kill());

  test('active staff stop at the plan\'s seat limit; inactive ones do not count', async () => {
    const made = [];
    for (let i = 0; i < 5; i++)
      made.push(assertStatus(await c.post('/v1/admin/staff', { display_name: `Stylist ${i}` }), 201));
    const sixth = await c.post('/v1/admin/staff', { display_name: 'Stylist 5' });
    assert.equal(sixth.status, 403, sixth.text);
    assert.equal(sixth.json.error.code, 'FORBIDDEN');
    assert.match(sixth.json.error.message, /staff_seats/);
    assert.match(sixth.json.error.message, /basic/);
    const idle = assertStatus(await c.post('/v1/admin/staff', { display_name: 'Stylist 5',
      active: false }), 201);
    const wake = await c.patch(`/v1/admin/staff/${idle.id}`, { active: true, version: 1 });
    assert.equal(wake.status, 403, wake.text);
    assert.equal(assertStatus(await c.get(`/v1/admin/staff/${idle.id}`), 200).active, false);
    // Freeing a seat (deactivating or deleting) makes room.
    assertStatus(await c.del(`/v1/admin/staff/${made[0].id}`), 204);
    assertStatus(await c.patch(`/v1/admin/staff/${idle.id}`, { active: true, version: 1 }), 200);
    assert.equal(countRows('staff', t, 'active AND deleted_at IS NULL'), 5);
    // A bigger plan, more seats.
    setPlan(t, 'pro');
    assertStatus(await c.post('/v1/admin/staff', { display_name: 'Stylist 6' }), 201);
  });

  test('a login links to one staff member of this tenant', async () => {
    const u = adminSql(`INSERT INTO users (email, password_hash) VALUES
      ('staff-link-${Date.now()}@example.test', 'x') RETURNING id`).split('\n')[0];
    adminSql(`INSERT INTO tenant_memberships (tenant_id, user_id, role)
      VALUES (${lit(t.id)}, ${lit(u)}, 'STAFF')`);
    const s = assertStatus(await c.post('/v1/admin/staff', { display_name: 'Linked',
      user_id: u, email: 'linked@example.test', phone: '+14155550123', color: '#aabbcc' }), 201);
    assert.equal(s.user_id, u);
    const again = await c.post('/v1/admin/staff', { display_name: 'Twin', user_id: u });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.error.details[0].field, 'user_id');
    assertInvalid(await c.post('/v1/admin/staff', { display_name: 'Stranger', user_id: FAKE }),
      'user_id');
    const email = await c.post('/v1/admin/staff', { display_name: 'Dup', email: 'LINKED@example.test' });
    assert.equal(email.status, 409, email.text);
    assert.equal(email.json.error.details[0].field, 'email');
  });

  test('skills: replace the set at once, ids must be this tenant\'s live services', async () => {
    const st = assertStatus(await c.post('/v1/admin/staff', { display_name: 'Skilled',
      active: false }), 201);
    const s1 = assertStatus(await c.post('/v1/admin/services', { ...SERVICE, name: 'Cut A' }), 201);
    const s2 = assertStatus(await c.post('/v1/admin/services', { ...SERVICE, name: 'Cut B' }), 201);
    const path = `/v1/admin/staff/${st.id}/services`;
    assert.deepEqual(assertStatus(await c.get(path), 200).service_ids, []);
    const r = assertStatus(await c.put(path, { service_ids: [s2.id, s1.id.toUpperCase()] }), 200);
    assert.deepEqual(r.service_ids, [s1.id, s2.id].sort());
    assert.equal(r.version, 2, 'the staff member\'s version moves with its skills');
    assert.deepEqual(assertStatus(await c.get(path), 200).service_ids, [s1.id, s2.id].sort());
    const bad = await c.put(path, { service_ids: [s1.id, FAKE] });
    assertInvalid(bad, 'service_ids[1]');
    assertInvalid(await c.put(path, { service_ids: [s1.id, s1.id] }), 'service_ids[1]');
    assertInvalid(await c.put(path, { service_ids: ['nope'] }), 'service_ids[0]');
    assertInvalid(await c.put(path, { service_ids: [], extra: 1 }), 'extra');
    const stale = await c.put(path, { service_ids: [] }, { 'if-match': '"1"' });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(countRows('staff_services', t, `staff_id = ${lit(st.id)}`), 2, 'nothing changed');
    assert.deepEqual(assertStatus(await c.put(path, { service_ids: [s1.id], version: 2 }), 200)
      .service_ids, [s1.id]);
    // Deleting a service takes it out of everyone's skills.
    assertStatus(await c.del(`/v1/admin/services/${s1.id}`), 204);
    assert.deepEqual(assertStatus(await c.get(path), 200).service_ids, []);
    const audit = auditRows(t, st.id, 'staff.services_replaced');
    assert.equal(audit.length, 2);
    assert.deepEqual(audit[0].changes.service_ids, { from: [], to: [s1.id, s2.id].sort() });
  });

  test('weekly schedule: replaced at once, overlaps refused, touching fine', async () => {
    const st = assertStatus(await c.post('/v1/admin/staff', { display_name: 'Scheduled',
      active: false }), 201);
    const path = `/v1/admin/staff/${st.id}/schedule`;
    const week = [
      { weekday: 2, starts: '13:00', ends: '17:00' },
      { weekday: 2, starts: '09:00', ends: '13:00' },
      { weekday: 6, starts: '10:00', ends: '24:00' },
    ];
    const r = assertStatus(await c.put(path, { intervals: week }), 200);
    assert.deepEqual(r.intervals, [week[1], week[0], week[2]]);
    assert.deepEqual(assertStatus(await c.get(path), 200).intervals, r.intervals);
    const overlap = await c.put(path, { intervals: [...week, { weekday: 2, starts: '16:00',
      ends: '18:00' }] });
    assertInvalid(overlap, 'intervals[3]');
    assertInvalid(await c.put(path, { intervals: [{ weekday: 9, starts: '09:00', ends: '10:00' }] }),
      'intervals[0].weekday');
    assertInvalid(await c.put(path, { intervals: [{ weekday: 1, starts: '10:00', ends: '09:00' }] }),
      'intervals[0].ends');
    assert.equal(countRows('staff_schedules', t, `staff_id = ${lit(st.id)}`), 3, 'nothing changed');
    assert.deepEqual(assertStatus(await c.put(path, { intervals: [] }), 200).intervals, []);
    assert.equal(countRows('staff_schedules', t, `staff_id = ${lit(st.id)}`), 0);
    assertStatus(await c.get(`/v1/admin/staff/${FAKE}/schedule`), 404);
    assert.equal(auditRows(t, st.id, 'staff.schedule_replaced').length, 2);
  });

  test('time off: a nested collection, ends after it starts', async () => {
    const st = assertStatus(await c.post('/v1/admin/staff', { display_name: 'Away',
      active: false }), 201);
    const base = `/v1/admin/staff/${st.id}/time-off`;
    const r = await c.post(base, { starts_at: '2030-07-01T09:00:00+02:00',
      ends_at: '2030-07-15T18:00:00+02:00', reason: 'Holiday' });
    const off = assertStatus(r, 201);
    assert.equal(off.starts_at, '2030-07-01T07:00:00Z');
    assert.equal(off.ends_at, '2030-07-15T16:00:00Z');
    assertInvalid(await c.patch(`${base}/${off.id}`, { ends_at: '2030-06-01T00:00:00Z' },
      { 'if-match': '1' }), 'ends_at');
    const u = await c.patch(`${base}/${off.id}`, { reason: null }, { 'if-match': '1' });
    assert.equal(assertStatus(u, 200).reason, null);
    const second = assertStatus(await c.post(base, { starts_at: '2030-01-01T00:00:00Z',
      ends_at: '2030-01-02T00:00:00Z' }), 201);
    const list = assertStatus(await c.get(`${base}?from=2030-06-01T00:00:00Z`), 200);
    assert.deepEqual(list.items.map((x) => x.id), [off.id]);
    assert.deepEqual(assertStatus(await c.get(base), 200).items.map((x) => x.id),
      [second.id, off.id]);
    assertStatus(await c.del(`${base}/${second.id}`), 204);
    assert.equal(countRows('staff_time_off', t, `id = ${lit(second.id)}`), 0, 'hard delete');
    // Time off of a deleted staff member is out of reach.
    assertStatus(await c.del(`/v1/admin/staff/${st.id}`), 204);
    assertStatus(await c.get(`${base}/${off.id}`), 404);
  });
});

describe('resources and the services that need them', () => {
  let srv;
  let t;
  let c;

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Resource Rooms' });
    c = await signIn(srv, t);
  });
  after(() => srv?.kill());

  test('CRUD, needs within the quantity, quantity never below a need', async () => {
    const room = assertStatus(await c.post('/v1/admin/resources', { name: 'Chair', kind: 'chair',
      quantity: 3 }), 201);
    assert.equal(room.active, true);
    const s = assertStatus(await c.post('/v1/admin/services', SERVICE), 201);
    const path = `/v1/admin/resources/${room.id}/services`;
    const r = assertStatus(await c.put(path, { items: [{ service_id: s.id, quantity_needed: 2 }] }), 200);
    assert.deepEqual(r.items, [{ service_id: s.id, quantity_needed: 2 }]);
    assert.equal(r.version, 2);
    assertInvalid(await c.put(path, { items: [{ service_id: s.id, quantity_needed: 4 }] }),
      'items[0].quantity_needed');
    assertInvalid(await c.put(path, { items: [{ service_id: FAKE }] }), 'items[0].service_id');
    assertInvalid(await c.put(path, { items: [{ service_id: s.id, x: 1 }] }), 'items[0].x');
    assertInvalid(await c.patch(`/v1/admin/resources/${room.id}`, { quantity: 1, version: 2 }),
      'quantity');
    assert.equal(assertStatus(await c.patch(`/v1/admin/resources/${room.id}`, { quantity: 2,
      version: 2 }), 200).quantity, 2);
    // Default quantity_needed is 1.
    assert.deepEqual(assertStatus(await c.put(path, { items: [{ service_id: s.id }] }), 200).items,
      [{ service_id: s.id, quantity_needed: 1 }]);
    const list = assertStatus(await c.get('/v1/admin/resources?kind=chair'), 200);
    assert.deepEqual(list.items.map((x) => x.id), [room.id]);
    assertStatus(await c.del(`/v1/admin/resources/${room.id}`), 204);
    assert.equal(countRows('resource_services', t, `resource_id = ${lit(room.id)}`), 0);
    assert.deepEqual(auditRows(t, room.id).map((a) => a.action), ['resource.created',
      'resource.services_replaced', 'resource.updated', 'resource.services_replaced',
      'resource.deleted']);
  });
});

describe('FAQs, policies and AI settings', () => {
  let srv;
  let t;
  let c;

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Knowledge Nails' });
    c = await signIn(srv, t);
  });
  after(() => srv?.kill());

  test('FAQ CRUD with tags', async () => {
    const f = assertStatus(await c.post('/v1/admin/faqs', { question: 'Parking?',
      answer: 'Behind the shop.', tags: ['parking', 'access'] }), 201);
    assert.deepEqual(f.tags, ['parking', 'access']);
    assert.equal(f.active, true);
    const u = await c.patch(`/v1/admin/faqs/${f.id}`, { tags: [], active: false }, { 'if-match': '1' });
    assert.deepEqual(assertStatus(u, 200).tags, []);
    assertStatus(await c.del(`/v1/admin/faqs/${f.id}`), 204);
    assert.deepEqual(auditRows(t, f.id).map((a) => a.action),
      ['faq.created', 'faq.updated', 'faq.deleted']);
  });

  test('policies: one row per tenant, PATCH with If-Match', async () => {
    const p = assertStatus(await c.get('/v1/admin/policies'), 200);
    assert.equal(p.cancellation_window_hours, 0);
    assert.equal(p.id, undefined);
    const u = await c.patch('/v1/admin/policies', { cancellation_policy: 'Free up to 24 h before.',
      cancellation_window_hours: 24 }, { 'if-match': `"${p.version}"` });
    const p2 = assertStatus(u, 200);
    assert.equal(p2.version, p.version + 1);
    assert.equal(p2.cancellation_window_hours, 24);
    const stale = await c.patch('/v1/admin/policies', { late_policy: 'x' },
      { 'if-match': `"${p.version}"` });
    assert.equal(stale.status, 409, stale.text);
    assertInvalid(await c.patch('/v1/admin/policies', { late_policy: 'x' }), 'If-Match');
    assert.equal(assertStatus(await c.get('/v1/admin/policies'), 200).late_policy, null);
    const audit = auditRows(t, t.id, 'policies.updated');
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0].changes.cancellation_window_hours, { from: 0, to: 24 });
  });

  test('AI settings', async () => {
    const a = assertStatus(await c.get('/v1/admin/ai-settings'), 200);
    assert.equal(a.tone, 'friendly');
    assert.equal(a.allow_human_handoff, true);
    const u = await c.patch('/v1/admin/ai-settings', {
      tone: 'professional', greeting: 'Hello, how can I help?',
      escalation_rules: 'Complaints go to a human.',
      never_do: ['Give medical advice', 'Promise discounts'],
      allow_human_handoff: false, handoff_keywords: ['human', 'manager'], version: a.version,
    });
    const a2 = assertStatus(u, 200);
    assert.deepEqual(a2.never_do, ['Give medical advice', 'Promise discounts']);
    assert.deepEqual(a2.handoff_keywords, ['human', 'manager']);
    assert.equal(a2.allow_human_handoff, false);
    assert.deepEqual(auditRows(t, t.id, 'ai_settings.updated')[0].changes.never_do,
      { from: [], to: ['Give medical advice', 'Promise discounts'] });
  });
});
