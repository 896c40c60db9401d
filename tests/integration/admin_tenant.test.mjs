// admin_tenant.test.mjs — the tenant's own settings through the admin
// API: profile, branding (with its contrast warning), business hours (one
// interval at a time and the whole week at once), closures, widget origins,
// custom domains with DNS TXT verification on plans that include them —
// and every change visible at once on GET /v1/public/tenant, although the
// tenant cache lives for 300 s (NOTIFY drops it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, lit, request, waitFor } from './lib.mjs';
import {
  adminServer, assertInvalid, assertStatus, auditRows, countRows, setPlan, signIn,
} from './admin_lib.mjs';

after(killAll);

describe('profile, branding, hours and closures, seen at once by the public page', () => {
  let srv;
  let t;
  let c;

  const pub = () => request({ port: srv.port, path: '/v1/public/tenant', host: t.host });
  // The public page shows what check wants, within 2 s (NOTIFY, not the TTL).
  const publicSees = (check, what) => waitFor(async () => {
    const r = await pub();
    return r.status === 200 && check(r.json) ? r.json : false;
  }, { timeoutMs: 2000, intervalMs: 25, what });

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Public Pilates' });
    c = await signIn(srv, t);
    assert.equal((await pub()).json.name, 'Public Pilates');	// the cache is warm
  });
  after(() => srv?.kill());

  test('profile: read, update with If-Match, IANA zone checked by the database', async () => {
    const p = assertStatus(await c.get('/v1/admin/profile'), 200);
    assert.equal(p.business_name, 'Public Pilates');
    const u = await c.patch('/v1/admin/profile', {
      business_name: 'Public Pilates & Yoga', timezone: 'Europe/London', phone: '+442071234567',
      email: 'hello@pilates.example', website_url: 'https://pilates.example',
      address_line1: '1 High Street', city: 'London', postal_code: 'N1 1AA', country: 'GB',
    }, { 'if-match': `"${p.version}"` });
    const p2 = assertStatus(u, 200);
    assert.equal(p2.timezone, 'Europe/London');
    assert.equal(p2.version, p.version + 1);
    const seen = await publicSees((j) => j.name === 'Public Pilates & Yoga', 'the new name');
    assert.equal(seen.timezone, 'Europe/London');
    assert.equal(seen.address.city, 'London');
    assertInvalid(await c.patch('/v1/admin/profile', { timezone: 'Mars/Olympus_Mons' },
      { 'if-match': `"${p2.version}"` }), 'timezone');
    assert.equal(assertStatus(await c.get('/v1/admin/profile'), 200).timezone, 'Europe/London');
    const audit = auditRows(t, t.id, 'profile.updated');
    assert.deepEqual(audit[0].changes.timezone, { from: 'America/New_York', to: 'Europe/London' });
  });

  test('branding: colours with a WCAG AA warning, https logos only', async () => {
    const b = assertStatus(await c.get('/v1/admin/branding'), 200);
    const u = await c.patch('/v1/admin/branding', { primary_color: '#FFFF00', accent_color: '#1e40af',
      logo_url: 'https://cdn.example.com/logo.png', voice_style: 'playful',
      display_name: 'Pilates!' }, { 'if-match': `"${b.version}"` });
    const b2 = assertStatus(u, 200);
    assert.deepEqual(b2.warnings.map((w) => w.field), ['primary_color']);
    assert.match(b2.warnings[0].issue, /4\.5:1/);
    assert.equal(b2.primary_color, '#FFFF00');
    const ok = await c.patch('/v1/admin/branding', { primary_color: '#1e3a8a' },
      { 'if-match': `"${b2.version}"` });
    assert.equal(assertStatus(ok, 200).warnings, undefined);
    const seen = await publicSees((j) => j.branding.primary_color === '#1e3a8a', 'the new colour');
    assert.equal(seen.branding.display_name, 'Pilates!');
    assert.equal(seen.branding.logo_url, 'https://cdn.example.com/logo.png');
    assertInvalid(await c.patch('/v1/admin/branding', { logo_url: 'http://cdn.example.com/l.png' },
      { 'if-match': `"${b2.version + 1}"` }), 'logo_url');
  });

  test('hours: the whole week at once, and one interval at a time', async () => {
    const week = [
      { weekday: 1, opens: '09:00', closes: '12:30' },
      { weekday: 1, opens: '13:30', closes: '18:00' },
      { weekday: 6, opens: '10:00', closes: '16:00' },
    ];
    const r = assertStatus(await c.put('/v1/admin/hours', { intervals: week }), 200);
    assert.deepEqual(r.intervals, week);
    let seen = await publicSees((j) => j.hours[0].intervals.length === 2, 'Monday\'s two intervals');
    assert.deepEqual(seen.hours[5].intervals, [{ opens: '10:00', closes: '16:00' }]);
    const list = assertStatus(await c.get('/v1/admin/hours'), 200);
    assert.deepEqual(list.items.map((h) => [h.weekday, h.opens, h.closes]),
      week.map((h) => [h.weekday, h.opens, h.closes]));
    assertInvalid(await c.put('/v1/admin/hours', { intervals: [...week,
      { weekday: 6, opens: '15:00', closes: '17:00' }] }), 'intervals[3]');
    assert.equal(countRows('business_hours', t), 3, 'nothing changed');

    // One interval: create, overlapping (409), update, delete.
    const sun = assertStatus(await c.post('/v1/admin/hours', { weekday: 7, opens: '10:00',
      closes: '14:00' }), 201);
    const clash = await c.post('/v1/admin/hours', { weekday: 7, opens: '13:00', closes: '15:00' });
    assert.equal(clash.status, 409, clash.text);
    assert.equal(clash.json.error.details[0].field, 'opens');
    assertInvalid(await c.patch(`/v1/admin/hours/${sun.id}`, { closes: '09:00' },
      { 'if-match': '"1"' }), 'closes');
    assertStatus(await c.patch(`/v1/admin/hours/${sun.id}`, { closes: '15:00' },
      { 'if-match': '"1"' }), 200);
    seen = await publicSees((j) => j.hours[6].intervals.length === 1
      && j.hours[6].intervals[0].closes === '15:00', 'Sunday');
    assertStatus(await c.del(`/v1/admin/hours/${sun.id}`), 204);
    await publicSees((j) => j.hours[6].intervals.length === 0, 'Sunday closed again');
    assert.equal(countRows('business_hours', t, `id = ${lit(sun.id)}`), 0);
    assert.equal(auditRows(t, t.id, 'business_hours.replaced').length, 1);
    assert.deepEqual(auditRows(t, sun.id).map((a) => a.action),
      ['business_hours.created', 'business_hours.updated', 'business_hours.deleted']);
  });

  test('closures: one per day, listed by date range', async () => {
    const x = assertStatus(await c.post('/v1/admin/closures', { day: '2031-12-25',
      reason: 'Christmas' }), 201);
    assertStatus(await c.post('/v1/admin/closures', { day: '2031-12-26' }), 201);
    const dup = await c.post('/v1/admin/closures', { day: '2031-12-25' });
    assert.equal(dup.status, 409, dup.text);
    assert.equal(dup.json.error.details[0].field, 'day');
    const range = assertStatus(await c.get('/v1/admin/closures?from=2031-12-25&to=2031-12-26'), 200);
    assert.deepEqual(range.items.map((d) => d.day), ['2031-12-25']);
    assertStatus(await c.del(`/v1/admin/closures/${x.id}`), 204);
    assert.deepEqual(assertStatus(await c.get('/v1/admin/closures'), 200).items.map((d) => d.day),
      ['2031-12-26']);
  });
});

describe('widget origins and custom domains', () => {
  let srv;
  let t;
  let c;

  const setTxt = (name, values) => request({ port: srv.port, method: 'PUT',
    path: '/v1/test/dns-txt', body: { name, values } });

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Domain Dental' });
    c = await signIn(srv, t);
  });
  after(() => srv?.kill());

  test('widget origins are normalised, unique while live, re-addable once removed', async () => {
    const o = assertStatus(await c.post('/v1/admin/widget-origins',
      { origin: 'HTTPS://Shop.Example.com:443/' }), 201);
    assert.equal(o.origin, 'https://shop.example.com');
    const dup = await c.post('/v1/admin/widget-origins', { origin: 'https://shop.example.com' });
    assert.equal(dup.status, 409, dup.text);
    assert.equal(dup.json.error.details[0].field, 'origin');
    assertInvalid(await c.post('/v1/admin/widget-origins', { origin: 'https://shop.example.com/widget' }),
      'origin');
    const dev = assertStatus(await c.post('/v1/admin/widget-origins',
      { origin: 'http://localhost:3000' }), 201);
    assert.equal(dev.origin, 'http://localhost:3000');
    const u = await c.patch(`/v1/admin/widget-origins/${dev.id}`, { origin: 'http://LOCALHOST:5173' },
      { 'if-match': '"1"' });
    assert.equal(assertStatus(u, 200).origin, 'http://localhost:5173');
    assertStatus(await c.del(`/v1/admin/widget-origins/${o.id}`), 204);
    assertStatus(await c.post('/v1/admin/widget-origins', { origin: 'https://shop.example.com' }), 201);
    const list = assertStatus(await c.get('/v1/admin/widget-origins'), 200);
    assert.deepEqual(list.items.map((x) => x.origin), ['http://localhost:5173',
      'https://shop.example.com']);
  });

  test('a custom domain: pending with a token, verified by TXT on a plan with custom domains', async () => {
    // A platform subdomain record, as an operator would have made it.
    adminSql(`INSERT INTO tenant_domains (tenant_id, hostname, kind)
      VALUES (${lit(t.id)}, ${lit(`${t.slug}.platform.test`)}, 'subdomain')`);
    const list0 = assertStatus(await c.get('/v1/admin/domains?kind=subdomain'), 200);
    assert.equal(list0.items.length, 1);
    const sub = list0.items[0];
    assert.equal(sub.hostname, `${t.slug}.platform.test`);
    const host = `book-${Date.now()}.example.com`;
    const r = await c.post('/v1/admin/domains', { hostname: `${host.toUpperCase()}.` });
    const d = assertStatus(r, 201);
    assert.equal(d.hostname, host);
    assert.equal(d.kind, 'custom');
    assert.equal(d.verification_state, 'pending');
    assert.match(d.verification_token, /^[0-9a-f]{32}$/);
    assertInvalid(await c.post('/v1/admin/domains', { hostname: `x.localhost` }), 'hostname');
    assertInvalid(await c.post('/v1/admin/domains', { hostname: '10.0.0.1' }), 'hostname');
    assert.equal((await c.post('/v1/admin/domains', { hostname: host })).status, 409);
    assert.equal((await c.patch(`/v1/admin/domains/${d.id}`, { hostname: 'x.example.com' },
      { 'if-match': '1' })).status, 405);

    // The free plan has no custom domains: refused, state untouched.
    const free = await c.post(`/v1/admin/domains/${d.id}/verify`);
    assert.equal(free.status, 403, free.text);
    assert.match(free.json.error.message, /custom_domain/);
    assert.equal(assertStatus(await c.get(`/v1/admin/domains/${d.id}`), 200).verification_state,
      'pending');

    setPlan(t, 'pro');
    // No TXT record (or a wrong one): failed, and the host does not resolve.
    await setTxt(`_receptionist.${host}`, ['some-other-token']);
    const failed = assertStatus(await c.post(`/v1/admin/domains/${d.id}/verify`), 200);
    assert.equal(failed.verification_state, 'failed');
    assert.equal((await request({ port: srv.port, path: '/v1/public/tenant', host })).status, 404);

    // Another business may claim the same host name while it is pending…
    const t2 = createTenant({ name: 'Copycat Clinic', plan: 'pro' });
    const c2 = await signIn(srv, t2);
    const d2 = assertStatus(await c2.post('/v1/admin/domains', { hostname: host }), 201);
    assert.equal(d2.verification_state, 'pending');

    // The right token: verified, and the business answers on its own domain.
    await setTxt(`_receptionist.${host}`, ['unrelated', d.verification_token]);
    const ok = assertStatus(await c.post(`/v1/admin/domains/${d.id}/verify`), 200);
    assert.equal(ok.verification_state, 'verified');
    assert.match(ok.verified_at, /Z$/);
    const pub = await waitFor(async () => {
      const x = await request({ port: srv.port, path: '/v1/public/tenant', host });
      return x.status === 200 ? x : false;
    }, { timeoutMs: 2000, what: 'the custom domain resolving' });
    assert.equal(pub.json.id, t.id);

    const audit = auditRows(t, d.id);
    assert.deepEqual(audit.map((a) => a.action), ['domain.created', 'domain.verification_failed',
      'domain.verified']);
    // The token is shown to the owner but kept out of the audit log.
    assert.ok(!JSON.stringify(audit).includes(d.verification_token));

    // …but once one business verified it, the other's claim fails clearly,
    // even with its own TXT record in place, and the host stays the first's.
    await setTxt(`_receptionist.${host}`, [d2.verification_token]);
    const taken = await c2.post(`/v1/admin/domains/${d2.id}/verify`);
    assert.equal(taken.status, 409, taken.text);
    assert.match(taken.json.error.message, /already in use by another business/);
    assert.equal(assertStatus(await c2.get(`/v1/admin/domains/${d2.id}`), 200).verification_state,
      'pending');
    assert.equal((await request({ port: srv.port, path: '/v1/public/tenant', host })).json.id, t.id);
    // A claim made after the verification fails the same way.
    const t3 = createTenant({ name: 'Late Clinic', plan: 'pro' });
    const c3 = await signIn(srv, t3);
    const d3 = assertStatus(await c3.post('/v1/admin/domains', { hostname: host }), 201);
    await setTxt(`_receptionist.${host}`, [d3.verification_token]);
    assert.equal((await c3.post(`/v1/admin/domains/${d3.id}/verify`)).status, 409);

    // Removing the domain stops it resolving; the platform subdomain stays.
    assertStatus(await c.del(`/v1/admin/domains/${d.id}`), 204);
    await waitFor(async () => (await request({ port: srv.port, path: '/v1/public/tenant', host }))
      .status === 404, { timeoutMs: 2000, what: 'the removed domain to stop resolving' });
    const subDel = await c.del(`/v1/admin/domains/${sub.id}`);
    assert.equal(subDel.status, 409, subDel.text);
    assert.equal((await c.post(`/v1/admin/domains/${sub.id}/verify`)).status, 409);
  });
});
