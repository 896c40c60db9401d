// booking_public.test.mjs — the customer's side of scheduling on a
// tenant's host: the catalog, availability and its validation, bookings
// with Idempotency-Key, holds (held time is not offered to anyone else;
// expired holds free themselves), the customer upserted by e-mail then
// phone, cancel and reschedule verified by e-mail or phone under the
// policy window, the plan's monthly limit, and a booking's audit row and
// jobs committing with it or not at all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit, startServer } from './lib.mjs';
import {
  availability, book, bookingBody, COLOR, count, CUT, dayAhead, expect, hold, key, salon,
  starts, staffId, WASH,
} from './booking_lib.mjs';

after(killAll);

let srv;
before(async () => { srv = await startServer(); });
after(() => srv?.kill());

function detailFields(res) {
  return (res.json?.error?.details ?? []).map((d) => d.field);
}

describe('catalog and availability', () => {
  let t;
  before(() => { t = salon({ staff: ['Ann', 'Bob'] }); });

  test('GET /v1/public/services lists active services with their add-ons', async () => {
    adminSql(`INSERT INTO services (tenant_id, name, duration_minutes, price_minor, currency,
      active) VALUES (${lit(t.id)}, 'Retired', 30, 100, 'USD', false)`);
    const r = expect(await srv.request({ path: '/v1/public/services', host: t.host }), 200);
    assert.deepEqual(r.items.map((s) => s.name).sort(), ['Color', 'Cut']);
    const cut = r.items.find((s) => s.id === CUT);
    assert.equal(cut.duration_minutes, 30);
    assert.equal(cut.price_minor, 2500);
    assert.equal(cut.currency, 'USD');
    assert.deepEqual(cut.addons, [{ id: WASH, name: 'Wash', duration_minutes: 15,
      price_minor: 500, currency: 'USD' }]);
    assert.equal(r.next_cursor, null);
  });

  test('slots are on the grid, inside hours, with who performs them', async () => {
    const d = dayAhead(5);
    const r = expect(await availability(srv, t, `service_id=${CUT}&date=${d}&days=1`), 200);
    assert.equal(r.timezone, 'UTC');
    assert.equal(r.slots[0].start, `${d}T09:00:00+00:00`);
    assert.equal(r.slots[0].end, `${d}T09:30:00+00:00`);
    assert.equal(r.slots.at(-1).start, `${d}T16:30:00+00:00`);
    assert.equal(r.slots.length, 31);	// 09:00 … 16:30 every 15 minutes
    assert.deepEqual(Object.keys(r.slots[0].staff[0]).sort(), ['service_id', 'staff_id', 'staff_name']);
    // The add-on lengthens the service: the last start moves earlier.
    const w = expect(await availability(srv, t, `service_id=${CUT}&date=${d}&addon_ids=${WASH}`), 200);
    assert.equal(w.slots.at(-1).start, `${d}T16:15:00+00:00`);
    assert.equal(w.slots[0].end, `${d}T09:45:00+00:00`);
    // Several days.
    const three = expect(await availability(srv, t, `service_id=${CUT}&date=${d}&days=3`), 200);
    assert.equal(three.slots.length, 93);
  });

  test('a bundle is booked back to back, each service with its own staff', async () => {
    const d = dayAhead(5);
    const r = expect(await availability(srv, t, `service_id=${COLOR}&service_id=${CUT}&date=${d}`), 200);
    // Color 60 min + 15 buffer, then the cut: 09:00 → 10:45.
    assert.equal(r.slots[0].start, `${d}T09:00:00+00:00`);
    assert.equal(r.slots[0].end, `${d}T10:45:00+00:00`);
    assert.deepEqual(r.slots[0].staff.map((s) => s.service_id), [COLOR, CUT]);
  });

  test('"any" staff goes to whoever has the fewest bookings that day', async () => {
    const d = dayAhead(12);
    const first = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { staffId: staffId(0),
      email: 'rr1@example.com' })), 201);
    assert.equal(first.staff[0].staff_name, 'Ann');
    // Ann has one booking that day, Bob none: Bob gets the next "any".
    const r = expect(await availability(srv, t, `service_id=${CUT}&date=${d}`), 200);
    assert.equal(r.slots.find((s) => s.start === `${d}T11:00:00+00:00`).staff[0].staff_name, 'Bob');
    const second = expect(await book(srv, t, bookingBody(`${d}T11:00:00Z`, { email: 'rr2@example.com' })), 201);
    assert.equal(second.staff[0].staff_name, 'Bob');
    // One each: the tie goes to the first by id (Ann).
    const third = expect(await book(srv, t, bookingBody(`${d}T13:00:00Z`, { email: 'rr3@example.com' })), 201);
    assert.equal(third.staff[0].staff_name, 'Ann');
  });

  test('a staff preference narrows the slots to that person', async () => {
    const d = dayAhead(6);
    const r = expect(await availability(srv, t, `service_id=${CUT}&date=${d}&staff_id=${staffId(1)}`), 200);
    assert.ok(r.slots.length > 0);
    for (const s of r.slots) assert.equal(s.staff[0].staff_name, 'Bob');
  });

  test('every bad parameter is named', async () => {
    const d = dayAhead(5);
    const cases = [
      ['', 'service_id'],
      [`service_id=nope&date=${d}`, 'service_id'],
      [`service_id=${CUT}`, 'date'],
      [`service_id=${CUT}&date=2026-02-30`, 'date'],
      [`service_id=${CUT}&date=${d}&days=0`, 'days'],
      [`service_id=${CUT}&date=${d}&days=32`, 'days'],
      [`service_id=${CUT}&date=${d}&days=two`, 'days'],
      [`service_id=${CUT}&date=${d}&staff_id=x`, 'staff_id'],
      [`service_id=${CUT}&date=${d}&addon_ids=x`, 'addon_ids'],
      [`service_id=${CUT}&date=${d}&colour=red`, 'colour'],
      [`service_id=${CUT}&service_id=${CUT}&date=${d}`, 'service_id'],
      [`service_id=${CUT}&date=${d}&date=${d}`, 'date'],
      // Exists, but not here: an unknown service, an add-on of another
      // service, a staff member who does not perform it.
      [`service_id=0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f&date=${d}`, 'service_id'],
      [`service_id=${COLOR}&date=${d}&addon_ids=${WASH}`, 'addon_ids'],
      [`service_id=${CUT}&date=${d}&staff_id=0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f`, 'staff_id'],
    ];
    for (const [q, field] of cases) {
      const r = await availability(srv, t, q);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.code, 'INVALID_ARGUMENT');
      assert.ok(detailFields(r).includes(field), `${q} should name ${field}: ${r.text}`);
    }
  });

  test('an unknown host gets no availability', async () => {
    const r = await srv.request({ path: `/v1/public/availability?service_id=${CUT}&date=${dayAhead(5)}`,
      host: 'nobody-here.localhost' });
    assert.equal(r.status, 404);
  });
});

describe('bookings', () => {
  let t;
  before(() => { t = salon({ staff: ['Ann'], chairs: 1 }); });

  test('a booking is stored at the offered instant, and its time stops being offered', async () => {
    const d = dayAhead(7);
    const start = `${d}T10:00:00+00:00`;
    const r = await book(srv, t, bookingBody(start, {
      services: [{ service_id: CUT, addon_ids: [WASH] }], notes: 'Short please', phone: '+14155550100',
      sms: true }));
    const b = expect(r, 201);
    assert.match(b.reference, /^[2-9A-HJKMNP-Z]{6}$/);
    assert.equal(b.status, 'CONFIRMED');
    assert.equal(b.start, start);
    assert.equal(b.end, `${d}T10:45:00+00:00`);
    assert.equal(b.total, 3000);
    assert.equal(b.currency, 'USD');
    assert.deepEqual(b.customer, { name: 'Zoe Quinn' });
    assert.equal(b.cancel_until, start);
    assert.deepEqual(b.staff, [{ service_id: CUT, staff_id: staffId(0), staff_name: 'Ann' }]);
    assert.equal(b.services[0].addons[0].id, WASH);
    assert.equal(adminSql(`SELECT starts_at = ${lit(start)}::timestamptz AND source = 'portal'
      AND notes = 'Short please' FROM bookings WHERE id = ${lit(b.id)}`), 't');
    // The staff member and one chair are claimed for 10:00–10:45.
    assert.equal(count('slot_claims', t, `booking_id = ${lit(b.id)}`), 2);
    const offered = await starts(srv, t, d);
    for (const s of ['09:45', '10:00', '10:15', '10:30']) assert.ok(!offered.includes(`${d}T${s}:00+00:00`), s);
    assert.ok(offered.includes(`${d}T10:45:00+00:00`));
    assert.ok(offered.includes(`${d}T09:30:00+00:00`));
  });

  test('a time that is not offered is refused with 409', async () => {
    const d = dayAhead(7);
    expect(await book(srv, t, bookingBody(`${d}T10:00:00Z`)), 409, 'taken');
    expect(await book(srv, t, bookingBody(`${d}T10:07:00Z`)), 409, 'off the grid');
    expect(await book(srv, t, bookingBody(`${d}T18:00:00Z`)), 409, 'after hours');
    expect(await book(srv, t, bookingBody(`${dayAhead(90)}T10:00:00Z`)), 409, 'too far ahead');
  });

  test('same Idempotency-Key: same body replays, another body is 422', async () => {
    const d = dayAhead(8);
    const k = key();
    const body = bookingBody(`${d}T11:00:00Z`, { email: 'idem@example.com' });
    const a = await book(srv, t, body, k);
    expect(a, 201);
    const b = await book(srv, t, body, k);
    assert.equal(b.status, 201);
    assert.equal(b.text, a.text, 'the same reply, byte for byte');
    assert.equal(count('bookings', t, `customer_id = (SELECT id FROM customers WHERE
      tenant_id = ${lit(t.id)} AND email = 'idem@example.com')`), 1);
    const c = await book(srv, t, { ...body, notes: 'changed' }, k);
    assert.equal(c.status, 422, c.text);
    // No key at all.
    const none = await srv.request({ method: 'POST', path: '/v1/public/bookings', host: t.host,
      body: bookingBody(`${d}T12:00:00Z`) });
    assert.equal(none.status, 400);
    assert.ok(detailFields(none).includes('Idempotency-Key'));
  });

  test('the body is validated field by field', async () => {
    const d = dayAhead(8);
    const cases = [
      [{ services: [], start: `${d}T12:00:00Z`, customer: { name: 'A', email: 'a@b.co' } }, 'services'],
      [{ services: [{ service_id: CUT }], start: `${d}T12:00:00`, customer: { name: 'A', email: 'a@b.co' } }, 'start'],
      [{ services: [{ service_id: CUT }], start: `${d}T12:00:00Z`, customer: { name: 'A' } }, 'customer.email'],
      [{ services: [{ service_id: CUT }], start: `${d}T12:00:00Z`, customer: { name: 'A', phone: '555' } }, 'customer.phone'],
      [{ services: [{ service_id: CUT }], start: `${d}T12:00:00Z`, customer: { name: 'A', email: 'a@b.co' }, sms_consent: true }, 'sms_consent'],
      [{ services: [{ service_id: CUT, addon_ids: ['x'] }], start: `${d}T12:00:00Z`, customer: { name: 'A', email: 'a@b.co' } }, 'services[0].addon_ids[0]'],
      [{ services: [{ service_id: COLOR, addon_ids: [WASH] }], start: `${d}T12:00:00Z`, customer: { name: 'A', email: 'a@b.co' } }, 'services[0].addon_ids'],
      [{ services: [{ service_id: CUT }], start: `${d}T12:00:00Z`, customer: { name: 'A', email: 'a@b.co' }, surprise: 1 }, 'surprise'],
      [{ services: [{ service_id: CUT }], start: `${d}T12:00:00Z`, customer: { name: 'A', email: 'a@b.co' }, hold_token: 'nope' }, 'hold_token'],
    ];
    for (const [body, field] of cases) {
      const r = await book(srv, t, body);
      assert.equal(r.status, 400, `${field}: ${r.text}`);
      assert.ok(detailFields(r).includes(field), `should name ${field}: ${r.text}`);
    }
  });

  test('customers are found by e-mail, then by phone, within the tenant', async () => {
    const d = dayAhead(9);
    const a = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { name: 'Pat Lee',
      email: 'pat@example.com', phone: null })), 201);
    // Same e-mail, new name and a phone: the same customer, refreshed.
    const b = expect(await book(srv, t, bookingBody(`${d}T10:00:00Z`, { name: 'Patricia Lee',
      email: 'PAT@example.com', phone: '+14155550111' })), 201);
    // Phone only: found by phone.
    const c = expect(await book(srv, t, bookingBody(`${d}T11:00:00Z`, { name: 'Patricia Lee',
      email: null, phone: '+14155550111' })), 201);
    const ids = [a, b, c].map((x) => adminSql(`SELECT customer_id FROM bookings WHERE id = ${lit(x.id)}`));
    assert.equal(new Set(ids).size, 1, 'one customer');
    assert.equal(adminSql(`SELECT name || '|' || email || '|' || phone FROM customers
      WHERE id = ${lit(ids[0])}`), 'Patricia Lee|pat@example.com|+14155550111');
    // Another tenant with the same e-mail gets its own customer.
    const other = salon();
    expect(await book(srv, other, bookingBody(`${d}T09:00:00Z`, { email: 'pat@example.com' })), 201);
    assert.equal(count('customers', other), 1);
    assert.notEqual(adminSql(`SELECT id FROM customers WHERE tenant_id = ${lit(other.id)}`), ids[0]);
  });

  test('audit row and jobs are written with the booking', async () => {
    const d = dayAhead(10);
    const b = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`)), 201);
    const audit = JSON.parse(adminSql(`SELECT json_agg(a) FROM audit_log a WHERE target_id = ${lit(b.id)}`));
    assert.equal(audit.length, 1);
    assert.equal(audit[0].action, 'booking.created');
    assert.equal(audit[0].actor_type, 'system');
    assert.equal(audit[0].changes.reference.to, b.reference);
    const jobs = (id) => adminSql(`SELECT kind || ':' || coalesce(payload->>'event', '')
      FROM jobs WHERE payload->>'booking_id' = ${lit(id)} OR payload->>'id' = ${lit(id)}
      ORDER BY kind`).split('\n');
    // No calendar connected and no browser subscribed: the customer's
    // notification only, no sync or push job with nothing to do.
    assert.deepEqual(jobs(b.id), ['notifications.booking:confirmed']);
    // With both, all three (the connection and subscription rows are all
    // the guards read; the jobs are not run here).
    const u = adminSql(`INSERT INTO users (email, password_hash)
      VALUES (${lit(`sub-${t.slug}@example.com`)}, 'x') RETURNING id`);
    adminSql(`INSERT INTO calendar_connections (tenant_id, provider, external_ref, secret_ct,
      secret_nonce, secret_key_id) VALUES (${lit(t.id)}, 'google', 'primary', '\\x00',
      decode(repeat('00', 24), 'hex'), '0000000000000000')`);
    adminSql(`INSERT INTO push_subscriptions (tenant_id, user_id, endpoint, p256dh, auth)
      VALUES (${lit(t.id)}, ${lit(u)}, 'https://push.example/x',
      decode('04' || repeat('00', 64), 'hex'), decode(repeat('00', 16), 'hex'))`);
    try {
      const b2 = expect(await book(srv, t, bookingBody(`${d}T11:00:00Z`)), 201);
      assert.deepEqual(jobs(b2.id), ['calendar.sync:', 'notifications.booking:confirmed',
        'push.notify:booking.created']);
    } finally {
      adminSql(`DELETE FROM jobs WHERE tenant_id = ${lit(t.id)} AND kind IN ('calendar.sync', 'push.notify');
        DELETE FROM calendar_connections WHERE tenant_id = ${lit(t.id)};
        DELETE FROM push_subscriptions WHERE tenant_id = ${lit(t.id)}`);
    }
  });
});

describe('a booking commits with its audit row and jobs, or not at all', () => {
  let t;
  before(() => {
    t = salon();
    // The notification job cannot be enqueued for this tenant: the
    // booking has been inserted by then, and must vanish with it.
    adminSql(`CREATE FUNCTION pg_temp_refuse_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.tenant_id = ${lit(t.id)} AND NEW.kind = 'notifications.booking' THEN
        RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_notify_${t.slug.replace(/-/g, '_')} BEFORE INSERT ON jobs
        FOR EACH ROW EXECUTE FUNCTION pg_temp_refuse_notify();`);
  });
  after(() => adminSql(`DROP TRIGGER IF EXISTS refuse_notify_${t.slug.replace(/-/g, '_')} ON jobs;
    DROP FUNCTION IF EXISTS pg_temp_refuse_notify()`));

  test('a failure after the insert leaves nothing behind', async () => {
    const d = dayAhead(7);
    const k = key();
    const body = bookingBody(`${d}T09:00:00Z`, { email: 'ghost@example.com' });
    const r = await book(srv, t, body, k);
    assert.equal(r.status, 500, r.text);
    for (const table of ['bookings', 'booking_items', 'slot_claims', 'customers', 'jobs',
      'idempotency_keys']) assert.equal(count(table, t), 0, `${table} is empty`);
    assert.equal(count('audit_log', t, `action LIKE 'booking.%'`), 0);
    // The time is still free and the key unused: the retry succeeds.
    adminSql(`DROP TRIGGER refuse_notify_${t.slug.replace(/-/g, '_')} ON jobs`);
    const again = expect(await book(srv, t, body, k), 201);
    assert.equal(count('bookings', t), 1);
    // Its follow-up: the customer's notification (no calendar to sync, no
    // browser subscribed to push to).
    assert.equal(count('jobs', t), 1);
    assert.equal(count('audit_log', t, `action = 'booking.created' AND target_id = ${lit(again.id)}`), 1);
  });
});

describe('holds', () => {
  let t;
  before(() => { t = salon({ staff: ['Ann'] }); });

  test('held time is not offered to others, and only the hold\'s owner can book it', async () => {
    const d = dayAhead(7);
    const start = `${d}T13:00:00+00:00`;
    const h = expect(await hold(srv, t, { service_id: CUT, start }), 201);
    assert.match(h.hold_token, /^hold_[A-Za-z0-9_-]{43}$/);
    assert.equal(h.start, start);
    assert.ok(Date.parse(h.expires_at) > Date.now() + 4 * 60000, h.expires_at);
    assert.ok(Date.parse(h.expires_at) <= Date.now() + 5 * 60000 + 2000, h.expires_at);
    assert.ok(!(await starts(srv, t, d)).includes(start), 'held slot not offered');
    expect(await hold(srv, t, { service_id: CUT, start }), 409, 'second hold');
    expect(await book(srv, t, bookingBody(start)), 409, 'booking without the token');
    // The token must be for this booking.
    const wrong = await book(srv, t, bookingBody(`${d}T13:30:00Z`, { hold: h.hold_token }));
    assert.equal(wrong.status, 400, wrong.text);
    assert.ok(detailFields(wrong).includes('hold_token'));
    const b = expect(await book(srv, t, bookingBody(start, { hold: h.hold_token })), 201);
    assert.equal(b.start, start);
    assert.equal(count('holds', t), 0, 'the hold is consumed');
    assert.equal(count('slot_claims', t, 'hold_id IS NOT NULL'), 0);
  });

  test('an expired hold frees itself', async () => {
    const d = dayAhead(8);
    const start = `${d}T14:00:00+00:00`;
    const h = expect(await hold(srv, t, { service_ids: [CUT], start }), 201);
    assert.ok(!(await starts(srv, t, d)).includes(start));
    // Five minutes pass.
    adminSql(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = ${lit(h.hold_id)};
      UPDATE slot_claims SET expires_at = now() - interval '1 second' WHERE hold_id = ${lit(h.hold_id)}`);
    assert.ok((await starts(srv, t, d)).includes(start), 'offered again');
    // Someone else books it: the expired claims give way inside the booking.
    expect(await book(srv, t, bookingBody(start, { email: 'other@example.com' })), 201);
    assert.equal(count('slot_claims', t, `hold_id = ${lit(h.hold_id)}`), 0);
    // The late holder's token no longer protects anything.
    expect(await book(srv, t, bookingBody(start, { hold: h.hold_token })), 409);
    // The periodic purge removes the hold row an hour after expiry.
    adminSql(`UPDATE holds SET expires_at = now() - interval '2 hours' WHERE id = ${lit(h.hold_id)}`);
    adminSql('SELECT * FROM purge_expired()');
    assert.equal(count('holds', t, `id = ${lit(h.hold_id)}`), 0);
  });

  test('hold input is validated', async () => {
    const d = dayAhead(8);
    const bad = [
      [{ start: `${d}T10:00:00Z` }, 'service_ids'],
      [{ service_id: CUT, service_ids: [CUT], start: `${d}T10:00:00Z` }, 'service_ids'],
      [{ service_id: CUT, start: `${d} 10:00` }, 'start'],
      [{ service_id: CUT, start: `${d}T10:00:00Z`, addon_ids: ['x'] }, 'addon_ids[0]'],
      [{ service_id: CUT, start: `${d}T10:00:00Z`, staff_id: 'x' }, 'staff_id'],
    ];
    for (const [body, field] of bad) {
      const r = await hold(srv, t, body);
      assert.equal(r.status, 400, `${field}: ${r.text}`);
      assert.ok(detailFields(r).includes(field), `should name ${field}: ${r.text}`);
    }
  });
});

describe('a customer\'s own booking: verification, cancel, reschedule, policy', () => {
  let t;
  let b;
  const email = 'kim@example.com';
  const phone = '+14155550199';
  before(async () => {
    t = salon({ staff: ['Ann'], windowHours: 2 });
  });

  test('reading a booking needs its reference and the customer\'s e-mail or phone', async () => {
    const d = dayAhead(7);
    b = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { email, phone })), 201);
    const get = (q) => srv.request({ path: `/v1/public/bookings/${q}`, host: t.host });
    const ok = expect(await get(`${b.reference}?email=${encodeURIComponent(email)}`), 200);
    assert.equal(ok.id, b.id);
    assert.equal(ok.cancel_until, `${d}T07:00:00+00:00`);
    expect(await get(`${b.reference.toLowerCase()}?phone=${encodeURIComponent(phone)}`), 200);
    expect(await get(`${b.reference}?email=KIM%40EXAMPLE.COM`), 200);
    for (const q of [`${b.reference}?email=someone%40example.com`, `${b.reference}?phone=%2B14155550000`,
      `ZZZZZZ?email=${encodeURIComponent(email)}`, `0OIL11?email=${encodeURIComponent(email)}`]) {
      const r = await get(q);
      assert.equal(r.status, 404, `${q}: ${r.text}`);
      assert.equal(r.json.error.message, 'No booking matches this reference and contact details.');
    }
    expect(await get(b.reference), 400, 'no contact');
  });

  test('reschedule moves the claims and tells the calendars and the customer', async () => {
    const d = dayAhead(7);
    const r = await srv.request({ method: 'POST', path: `/v1/public/bookings/${b.reference}/reschedule`,
      host: t.host, body: { email, start: `${d}T15:00:00Z` } });
    const m = expect(r, 200);
    assert.equal(m.start, `${d}T15:00:00+00:00`);
    assert.equal(adminSql(`SELECT lower(during) = ${lit(`${d}T15:00:00Z`)}::timestamptz FROM slot_claims
      WHERE booking_id = ${lit(b.id)}`), 't');
    const offered = await starts(srv, t, d);
    assert.ok(offered.includes(`${d}T09:00:00+00:00`), 'the old time is free');
    assert.ok(!offered.includes(`${d}T15:00:00+00:00`), 'the new one is taken');
    assert.equal(count('jobs', t, `payload->>'event' = 'rescheduled'`), 1);
    assert.equal(count('audit_log', t, `action = 'booking.rescheduled' AND target_id = ${lit(b.id)}`), 1);
    // Onto someone else's time: 409.
    const other = expect(await book(srv, t, bookingBody(`${d}T16:00:00Z`, { email: 'x@example.com' })), 201);
    const clash = await srv.request({ method: 'POST', path: `/v1/public/bookings/${b.reference}/reschedule`,
      host: t.host, body: { phone, start: other.start } });
    assert.equal(clash.status, 409, clash.text);
    // With the wrong contact: not found, nothing moved.
    const wrong = await srv.request({ method: 'POST', path: `/v1/public/bookings/${b.reference}/reschedule`,
      host: t.host, body: { email: 'x@example.com', start: `${d}T10:00:00Z` } });
    assert.equal(wrong.status, 404);
  });

  test('within the policy window the customer cannot cancel or reschedule', async () => {
    // A booking starting in about an hour (admin-made in SQL), window 2 h.
    const soon = new Date(Date.now() + 3600000);
    soon.setUTCSeconds(0, 0);
    const near = adminSql(`WITH c AS (SELECT id FROM customers WHERE tenant_id = ${lit(t.id)}
        AND email = ${lit(email)})
      INSERT INTO bookings (tenant_id, reference, customer_id, source, starts_at, ends_at)
      SELECT ${lit(t.id)}, 'NEAR23', c.id, 'admin', ${lit(soon.toISOString())},
        ${lit(soon.toISOString())}::timestamptz + interval '30 minutes' FROM c RETURNING reference`).split('\n')[0];
    const c = await srv.request({ method: 'POST', path: `/v1/public/bookings/${near}/cancel`,
      host: t.host, body: { email } });
    assert.equal(c.status, 409, c.text);
    assert.match(c.json.error.message, /up to 2 hours before/);
    const rs = await srv.request({ method: 'POST', path: `/v1/public/bookings/${near}/reschedule`,
      host: t.host, body: { email, start: `${dayAhead(9)}T10:00:00Z` } });
    assert.equal(rs.status, 409, rs.text);
    assert.match(rs.json.error.message, /rescheduled online up to 2 hours before/);
    assert.equal(adminSql(`SELECT status FROM bookings WHERE reference = 'NEAR23' AND tenant_id = ${lit(t.id)}`), 'CONFIRMED');
  });

  test('cancel frees the time at once, keeps the booking, and cannot happen twice', async () => {
    const r = await srv.request({ method: 'POST', path: `/v1/public/bookings/${b.reference}/cancel`,
      host: t.host, body: { phone, reason: 'Feeling unwell' } });
    const c = expect(r, 200);
    assert.equal(c.status, 'CANCELLED');
    assert.equal(count('slot_claims', t, `booking_id = ${lit(b.id)}`), 0);
    assert.equal(adminSql(`SELECT cancel_reason FROM bookings WHERE id = ${lit(b.id)}`), 'Feeling unwell');
    assert.ok((await starts(srv, t, dayAhead(7))).includes(c.start), 'offered again');
    assert.equal(count('jobs', t, `payload->>'event' = 'cancelled'`), 1);
    const again = await srv.request({ method: 'POST', path: `/v1/public/bookings/${b.reference}/cancel`,
      host: t.host, body: { phone } });
    assert.equal(again.status, 409);
    assert.match(again.json.error.message, /already cancelled/);
  });

  test('another tenant\'s host never reads or cancels this tenant\'s booking', async () => {
    const other = salon();
    const d = dayAhead(11);
    const mine = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { email })), 201);
    const get = await srv.request({ path: `/v1/public/bookings/${mine.reference}?email=${encodeURIComponent(email)}`,
      host: other.host });
    assert.equal(get.status, 404);
    for (const action of ['cancel', 'reschedule']) {
      const r = await srv.request({ method: 'POST', path: `/v1/public/bookings/${mine.reference}/${action}`,
        host: other.host, body: action === 'cancel' ? { email } : { email, start: `${d}T10:00:00Z` } });
      assert.equal(r.status, 404, `${action}: ${r.text}`);
    }
    assert.equal(adminSql(`SELECT status || starts_at::text FROM bookings WHERE id = ${lit(mine.id)}`),
      `CONFIRMED${adminSql(`SELECT ${lit(`${d}T09:00:00Z`)}::timestamptz::text`)}`);
  });
});

describe('the plan\'s monthly booking limit', () => {
  test('the free plan\'s 51st booking this month is refused, naming the limit', async () => {
    const t = salon({ plan: 'free' });
    adminSql(`INSERT INTO customers (tenant_id, name, email) VALUES (${lit(t.id)}, 'Bulk', 'bulk@example.com');
      INSERT INTO bookings (tenant_id, reference, customer_id, source, starts_at, ends_at, status)
      SELECT ${lit(t.id)}, 'Z' || translate(lpad(g::text, 5, 'A'), '01', 'XY'), c.id, 'admin',
        now() - interval '1 day', now() - interval '1 day' + interval '30 minutes',
        CASE WHEN g % 2 = 0 THEN 'CANCELLED' ELSE 'COMPLETED' END
      FROM generate_series(1, 50) g, customers c WHERE c.tenant_id = ${lit(t.id)}`);
    assert.equal(count('bookings', t), 50);
    const r = await book(srv, t, bookingBody(`${dayAhead(7)}T10:00:00Z`));
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'FORBIDDEN');
    assert.match(r.json.error.message, /bookings_per_month/);
    assert.ok(detailFields(r).includes('bookings_per_month'));
    assert.equal(count('bookings', t), 50, 'nothing was added');
    // Bookings of earlier months do not count.
    adminSql(`UPDATE bookings SET created_at = now() - interval '40 days' WHERE tenant_id = ${lit(t.id)}
      AND reference IN (SELECT reference FROM bookings WHERE tenant_id = ${lit(t.id)} LIMIT 1)`);
    expect(await book(srv, t, bookingBody(`${dayAhead(7)}T10:00:00Z`)), 201);
  });
});
