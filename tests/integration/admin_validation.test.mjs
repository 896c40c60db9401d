// admin_validation.test.mjs — every field of every admin resource of the
// business catalog and settings, at and past its limits (length, format,
// range, enum, type, null, unknown, read-only): each bad value is a 400
// whose details name the field, and nothing is saved — the database is
// checked, not just the answer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, lit } from './lib.mjs';
import { adminServer, assertStatus, FAKE, signIn } from './admin_lib.mjs';

after(killAll);

const x = (n) => 'x'.repeat(n);
const items = (n, len = 3) => Array.from({ length: n }, (_, i) => `${i}`.padStart(len, 'k'));

// Per collection: the path, a valid body, the table, and per field the bad
// values (each sent alone on top of the valid body) and good edge values.
const COLLECTIONS = [
  {
    path: () => '/v1/admin/services', table: 'services',
    valid: { name: 'Cut', duration_minutes: 30, price_minor: 2500, currency: 'USD' },
    bad: {
      name: ['', x(121), 5, null],
      description: [x(2001), 7, 'tab\u0001'],
      duration_minutes: [4, 721, '30', 30.5, null],
      price_minor: [-1, 1000000001, '100', true],
      currency: ['usd', 'XYZ', 'US', 'EURO', null, 1],
      buffer_before_minutes: [-1, 241, null],
      buffer_after_minutes: [-1, 241, '5'],
      active: ['yes', 1, null],
      sort_order: [-1, 1000001, 1.5],
      id: [FAKE], version: [1], created_at: ['2030-01-01T00:00:00Z'], deleted_at: [null],
      bogus: [1],
    },
    edges: { name: x(120), description: x(2000), duration_minutes: 720, price_minor: 0,
      buffer_before_minutes: 240, sort_order: 1000000, currency: 'JPY' },
  },
  {
    path: (ctx) => `/v1/admin/services/${ctx.service}/addons`, table: 'service_addons',
    valid: { name: 'Wash' },
    bad: {
      name: ['', x(121), null], price_minor: [-1, 1000000001], currency: ['EUR', 'eur', 'ABC'],
      duration_minutes: [-1, 241], active: ['no'], sort_order: [-5], service_id: [FAKE],
      nope: [true],
    },
    edges: { duration_minutes: 0, price_minor: 1000000000, currency: 'USD' },
  },
  {
    path: () => '/v1/admin/faqs', table: 'faqs',
    valid: { question: 'Parking?', answer: 'Yes.' },
    bad: {
      question: ['', x(501), null], answer: ['', x(5001), 3],
      active: ['true'], sort_order: [-1, 1000001],
      tags: ['parking', [''], [x(51)], items(21), [1], ['a', 'a'], null, [null]],
    },
    edges: { question: x(500), answer: x(5000), tags: items(20, 50) },
  },
  {
    path: () => '/v1/admin/staff', table: 'staff',
    valid: { display_name: 'Ann', active: false },
    bad: {
      display_name: ['', x(121), null],
      email: ['nope', 'a@b', `${x(250)}@example.com`, 'a b@example.com', 5],
      phone: ['555-1234', '+0123456789', '+1234567890123456', '14155550123'],
      active: ['no'],
      user_id: ['not-a-uuid', FAKE, 12],
      color: ['red', '#12345', '#1234567', 'ffffff'],
    },
    edges: { email: 'a.b+c@example.co.uk', phone: '+14155550123', color: '#ABCDEF' },
  },
  {
    path: (ctx) => `/v1/admin/staff/${ctx.staff}/time-off`, table: 'staff_time_off',
    valid: { starts_at: '2030-01-01T09:00:00Z', ends_at: '2030-01-01T17:00:00Z' },
    bad: {
      starts_at: ['tomorrow', '2030-01-01T09:00:00', '2030-02-30T00:00:00Z', '2030-01-01 09:00Z',
        null],
      ends_at: ['2029-12-31T00:00:00Z', '2031-01-03T00:00:00Z', '2030-01-01T25:00:00Z', 17],
      reason: [x(201), false],
      staff_id: [FAKE],
    },
    edges: { reason: x(200), ends_at: '2030-12-31T09:00:00-05:00' },
  },
  {
    path: () => '/v1/admin/resources', table: 'resources',
    valid: { name: 'Chair' },
    bad: {
      name: ['', x(121)], kind: ['boat', 'Room', ''], quantity: [0, 101, '2'], active: [0],
    },
    edges: { kind: 'equipment', quantity: 100 },
  },
  {
    path: () => '/v1/admin/hours', table: 'business_hours',
    valid: { weekday: 3, opens: '09:00', closes: '17:00' },
    bad: {
      weekday: [0, 8, '1', null], opens: ['9:00', '25:00', '09:60', '0900', null],
      closes: ['24:01', '08:00', '17', null],
    },
    edges: { closes: '24:00', opens: '00:00' },
  },
  {
    path: () => '/v1/admin/closures', table: 'closures',
    valid: { day: '2031-12-25' },
    bad: {
      day: ['2031-02-29', '25/12/2031', '', '2031-12-25T00:00:00Z', null],
      reason: [x(201), []],
    },
    edges: { day: '2032-02-29', reason: x(200) },
  },
  {
    path: () => '/v1/admin/widget-origins', table: 'widget_origins',
    valid: { origin: 'https://shop.example.com' },
    bad: {
      origin: ['shop.example.com', 'https://shop.example.com/path', 'ftp://shop.example.com',
        'https://user@shop.example.com', `https://${x(300)}.com`, 'https://shop.example.com:99999',
        '', null],
    },
    edges: { origin: 'http://127.0.0.1:8080' },
  },
  {
    path: () => '/v1/admin/domains', table: 'tenant_domains',
    valid: { hostname: 'book.example.com' },
    bad: {
      hostname: ['localhost', 'x.localhost', '1.2.3.4', 'a..b.com', `${x(64)}.com`,
        `${x(250)}.com`, 'book.example.com/x', '', null],
      kind: ['subdomain'], verification_state: ['verified'], verification_token: ['mine'],
    },
    edges: {},
  },
];

// Singletons: PATCH with the current version; the row must not change.
const SINGLETONS = [
  {
    path: '/v1/admin/profile', table: 'tenant_profiles',
    bad: {
      business_name: ['', x(201), null], timezone: ['Mars/Olympus', 'not a zone', '', 5],
      phone: ['12', '+1 212 555'], email: ['x', 'a@b'], website_url: ['ftp://x.com', 'x.com',
        `https://${x(2040)}.com`],
      address_line1: [x(201)], address_line2: [x(201)], city: [x(101)], region: [x(101)],
      postal_code: [x(21)], country: ['usa', 'us', null], id: [FAKE], bogus: [1],
    },
    edges: { business_name: x(200), timezone: 'Asia/Kathmandu', address_line1: x(200),
      postal_code: x(20), country: 'NP', website_url: 'http://example.com' },
  },
  {
    path: '/v1/admin/branding', table: 'tenant_branding',
    bad: {
      display_name: ['', x(101)], primary_color: ['blue', '#12345', null],
      accent_color: ['red', '#GGGGGG'], logo_url: ['http://cdn.example.com/l.png',
        `https://cdn.example.com/${x(2030)}`, 'javascript:alert(1)'],
      voice_style: ['grumpy', ''],
    },
    edges: { display_name: x(100), logo_url: null, voice_style: 'concise' },
  },
  {
    path: '/v1/admin/policies', table: 'tenant_policies',
    bad: {
      cancellation_policy: [x(2001)], late_policy: [x(2001)], no_show_policy: [x(2001)],
      payment_policy: [x(2001), 1], cancellation_window_hours: [-1, 721, '24', null],
    },
    edges: { cancellation_policy: x(2000), cancellation_window_hours: 720 },
  },
  {
    path: '/v1/admin/ai-settings', table: 'ai_settings',
    bad: {
      tone: ['sarcastic', null], greeting: [x(501)], escalation_rules: [x(2001)],
      never_do: [items(51), [x(201)], 'never', [''], null],
      allow_human_handoff: ['yes', null],
      handoff_keywords: [[x(101)], items(51), ['a', 'a']],
    },
    edges: { greeting: x(500), never_do: items(50, 200), handoff_keywords: items(50, 100) },
  },
];

const show = (v) => JSON.stringify(v)?.slice(0, 40);

describe('every field\'s limits', () => {
  let srv;
  let t;
  let c;
  const ctx = {};

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Validation Vision', plan: 'enterprise' });
    c = await signIn(srv, t);
    ctx.service = assertStatus(await c.post('/v1/admin/services', { name: 'Base', duration_minutes: 30,
      price_minor: 0, currency: 'USD' }), 201).id;
    ctx.staff = assertStatus(await c.post('/v1/admin/staff', { display_name: 'Base' }), 201).id;
  });
  after(() => srv?.kill());

  const rows = (table) => adminSql(`SELECT count(*) || ':' || coalesce(max(updated_at)::text, '')
    FROM ${table} WHERE tenant_id = ${lit(t.id)}`);

  for (const res of COLLECTIONS) {
    test(`POST ${res.path({ service: '{service_id}', staff: '{staff_id}' })}: each bad field → 400 naming it, nothing saved`,
      async () => {
        const path = res.path(ctx);
        const before_ = rows(res.table);
        const wrong = [];
        for (const [field, values] of Object.entries(res.bad)) {
          for (const v of values) {
            const body = { ...res.valid, [field]: v };
            const r = await c.post(path, body);
            const named = r.json?.error?.details?.some((d) => d.field === field);
            if (r.status !== 400 || !named)
              wrong.push(`${field}=${show(v)} → ${r.status} ${r.text.slice(0, 200)}`);
          }
        }
        // A required field left out is named too.
        for (const field of Object.keys(res.valid)) {
          if (res.table === 'staff' && field === 'active') continue;	/* optional */
          const body = { ...res.valid };
          delete body[field];
          const r = await c.post(path, body);
          if (r.status !== 400 || !r.json.error.details.some((d) => d.field === field))
            wrong.push(`without ${field} → ${r.status} ${r.text.slice(0, 200)}`);
        }
        assert.deepEqual(wrong, []);
        assert.equal(rows(res.table), before_, 'nothing saved');
        // Control: the values at the limits are accepted.
        const ok = await c.post(path, { ...res.valid, ...res.edges });
        assertStatus(ok, 201, `edges ${JSON.stringify(res.edges).slice(0, 80)}`);
      });
  }

  test('PATCH of a collection item: each bad field → 400, the row unchanged', async () => {
    const s = assertStatus(await c.post('/v1/admin/services', { name: 'Patchable',
      duration_minutes: 30, price_minor: 0, currency: 'USD' }), 201);
    const snap = () => adminSql(`SELECT s::text FROM services s WHERE id = ${lit(s.id)}`);
    const before_ = snap();
    const wrong = [];
    for (const [field, values] of Object.entries(COLLECTIONS[0].bad)) {
      for (const v of values) {
        if (field === 'version') continue;	/* in a PATCH body it is the If-Match */
        // With a valid change beside it, which must not be saved either.
        const valid = field === 'price_minor' ? { sort_order: 1 } : { price_minor: 1 };
        const r = await c.patch(`/v1/admin/services/${s.id}`, { ...valid, [field]: v },
          { 'if-match': '"1"' });
        if (r.status !== 400 || !r.json.error.details.some((d) => d.field === field))
          wrong.push(`${field}=${show(v)} → ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.equal(snap(), before_, 'not even the valid field beside the bad one was saved');
    // Fixed after creation: a domain's host name.
    const d = assertStatus(await c.post('/v1/admin/domains', { hostname: 'fixed.example.com' }), 201);
    assert.equal((await c.call('PATCH', `/v1/admin/domains/${d.id}`, { hostname: 'x.example.com' },
      { 'if-match': '1' })).status, 405);
  });

  for (const res of SINGLETONS) {
    test(`PATCH ${res.path}: each bad field → 400 naming it, nothing saved`, async () => {
      const cur = assertStatus(await c.get(res.path), 200);
      const snap = () => adminSql(`SELECT x::text FROM ${res.table} x WHERE tenant_id = ${lit(t.id)}`);
      const before_ = snap();
      const wrong = [];
      for (const [field, values] of Object.entries(res.bad)) {
        for (const v of values) {
          const r = await c.patch(res.path, { [field]: v }, { 'if-match': `"${cur.version}"` });
          if (r.status !== 400 || !r.json?.error?.details?.some((d) => d.field === field))
            wrong.push(`${field}=${show(v)} → ${r.status} ${r.text.slice(0, 200)}`);
        }
      }
      assert.deepEqual(wrong, []);
      assert.equal(snap(), before_, 'nothing saved');
      assertStatus(await c.patch(res.path, res.edges, { 'if-match': `"${cur.version}"` }), 200,
        `edges of ${res.path}`);
    });
  }

  test('set endpoints: bad bodies are named, nothing saved', async () => {
    const staff = `/v1/admin/staff/${ctx.staff}`;
    const res = assertStatus(await c.post('/v1/admin/resources', { name: 'Set room', quantity: 2 }), 201);
    const cases = [
      [`${staff}/services`, { service_ids: 'all' }, 'service_ids'],
      [`${staff}/services`, {}, 'service_ids'],
      [`${staff}/services`, { service_ids: [ctx.service], more: 1 }, 'more'],
      [`${staff}/services`, { service_ids: [FAKE] }, 'service_ids[0]'],
      [`${staff}/services`, { service_ids: Array.from({ length: 201 }, () => FAKE) }, 'service_ids'],
      [`${staff}/schedule`, { intervals: {} }, 'intervals'],
      [`${staff}/schedule`, { intervals: [{ weekday: 1, starts: '09:00' }] }, 'intervals[0].ends'],
      [`${staff}/schedule`, { intervals: [{ weekday: 1, starts: '09:00', ends: '10:00', note: 1 }] },
        'intervals[0].note'],
      [`${staff}/schedule`, { intervals: Array.from({ length: 51 }, () => ({ weekday: 1,
        starts: '09:00', ends: '10:00' })) }, 'intervals'],
      [`/v1/admin/resources/${res.id}/services`, { items: [{ service_id: ctx.service,
        quantity_needed: 3 }] }, 'items[0].quantity_needed'],
      [`/v1/admin/resources/${res.id}/services`, { items: [{ service_id: ctx.service,
        quantity_needed: 0 }] }, 'items[0].quantity_needed'],
      [`/v1/admin/resources/${res.id}/services`, { items: [{ quantity_needed: 1 }] },
        'items[0].service_id'],
      [`/v1/admin/resources/${res.id}/services`, { items: [{ service_id: ctx.service },
        { service_id: ctx.service }] }, 'items[1].service_id'],
      ['/v1/admin/hours', { intervals: [{ weekday: 1, opens: '10:00', closes: '09:00' }] },
        'intervals[0].closes'],
      ['/v1/admin/hours', { intervals: [], extra: true }, 'extra'],
    ];
    const counts = () => ['staff_services', 'staff_schedules', 'resource_services', 'business_hours']
      .map((table) => adminSql(`SELECT count(*) FROM ${table} WHERE tenant_id = ${lit(t.id)}`));
    const before_ = counts();
    const wrong = [];
    for (const [path, body, field] of cases) {
      const r = await c.put(path, body);
      if (r.status !== 400 || !r.json.error.details.some((d) => d.field === field))
        wrong.push(`PUT ${path} ${show(body)} → ${r.status} ${r.text.slice(0, 200)}`);
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(counts(), before_, 'nothing saved');
  });

  test('bodies that are not JSON objects', async () => {
    const r1 = await c.call('POST', '/v1/admin/faqs', '[1]');
    assert.equal(r1.status, 400);
    const r2 = await c.call('POST', '/v1/admin/faqs', '{"question": "q", "question": "r", "answer": "a"}');
    assert.equal(r2.status, 400, 'duplicate keys are refused');
    const r3 = await c.call('POST', '/v1/admin/faqs', 'question=q', { 'content-type': 'text/plain' });
    assert.equal(r3.status, 415);
    assert.equal(adminSql(`SELECT count(*) FROM faqs WHERE tenant_id = ${lit(t.id)}`), '1',
      'only the edge-case FAQ exists');
  });
});
