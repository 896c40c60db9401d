// booking_admin.test.mjs — the business's side of scheduling through the
// admin API with a real session: creating bookings for customers (the
// engine's rules, minimum notice overridable, overlaps never), the list
// with filters and cursors, move / cancel / status with versions, the
// customers and their history, usage against the plan, the scheduling
// settings, what each role may see (STAFF: their own bookings only), and
// the notification job writing the outbox.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit, startWorker, waitFor } from './lib.mjs';
import { adminServer, signIn } from './admin_lib.mjs';
import {
  book, bookingBody, count, CUT, COLOR, dayAhead, expect, key, salon, starts, staffId,
} from './booking_lib.mjs';

after(killAll);

const names = (res) => (res.json?.error?.details ?? []).map((d) => d.field);

let srv;
before(async () => { srv = await adminServer(); });
after(() => srv?.kill());

function create(c, body, k = key()) {
  return c.post('/v1/admin/bookings', body, { 'idempotency-key': k });
}

describe('bookings through the admin API', () => {
  let t;
  let owner;
  let made;
  const d = dayAhead(6);

  before(async () => {
    t = salon({ staff: ['Ann', 'Bob'], opens: '00:00', closes: '24:00', minNotice: 1440 });
    owner = await signIn(srv, t, 'OWNER');
  });

  test('create for a new customer: the admin reply, source and actor', async () => {
    const r = await create(owner, { services: [{ service_id: CUT }], start: `${d}T10:00:00Z`,
      staff_id: staffId(1), customer: { name: 'Walk In', phone: '+14155550123' },
      notes: 'Prefers Bob', source: 'phone' });
    made = expect(r, 201);
    assert.equal(made.source, 'phone');
    assert.equal(made.version, 1);
    assert.equal(made.customer.phone, '+14155550123');
    assert.equal(made.customer.email, null);
    assert.equal(made.staff[0].staff_name, 'Bob');
    assert.equal(made.notes, 'Prefers Bob');
    assert.match(made.created_at, /Z$/);
    const a = JSON.parse(adminSql(`SELECT row_to_json(a) FROM audit_log a
      WHERE target_id = ${lit(made.id)} AND action = 'booking.created'`));
    assert.equal(a.actor_type, 'user');
    assert.equal(a.actor_id, owner.userId);
  });

  test('create for an existing customer, and what is refused', async () => {
    const cust = made.customer.id;
    const ok = expect(await create(owner, { services: [{ service_id: COLOR }],
      start: `${d}T12:00:00Z`, customer_id: cust }), 201);
    assert.equal(ok.customer.id, cust);
    // Overlap is never allowed, not even for an admin.
    const clash = await create(owner, { services: [{ service_id: CUT }], start: `${d}T10:00:00Z`,
      staff_id: staffId(1), customer_id: cust });
    assert.equal(clash.status, 409, clash.text);
    // Neither or both ways of naming the customer.
    for (const body of [{ services: [{ service_id: CUT }], start: `${d}T14:00:00Z` },
      { services: [{ service_id: CUT }], start: `${d}T14:00:00Z`, customer_id: cust,
        customer: { name: 'X', email: 'x@example.com' } }]) {
      const r = await create(owner, body);
      assert.equal(r.status, 400, r.text);
      assert.ok(names(r).includes('customer_id'), r.text);
    }
    const ghost = await create(owner, { services: [{ service_id: CUT }], start: `${d}T14:00:00Z`,
      customer_id: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f' });
    assert.equal(ghost.status, 400);
    assert.ok(names(ghost).includes('customer_id'));
    const nokey = await owner.post('/v1/admin/bookings', { services: [{ service_id: CUT }],
      start: `${d}T14:00:00Z`, customer_id: cust });
    assert.equal(nokey.status, 400);
    assert.ok(names(nokey).includes('Idempotency-Key'));
  });

  test('an admin may override the minimum notice, never the overlap', async () => {
    // 24 h notice; two hours from now, on the 15-minute grid.
    const soon = new Date(Math.ceil((Date.now() + 2 * 3600000) / 900000) * 900000).toISOString()
      .replace('.000Z', 'Z');
    const body = { services: [{ service_id: CUT }], start: soon, staff_id: staffId(0),
      customer: { name: 'Rush', email: 'rush@example.com' } };
    assert.equal((await create(owner, body)).status, 409, 'inside the notice');
    const ok = expect(await create(owner, { ...body, override_min_notice: true }), 201);
    assert.equal(ok.start.slice(0, 16), soon.slice(0, 16));
    const twice = await create(owner, { ...body, override_min_notice: true });
    assert.equal(twice.status, 409, 'overlap stays impossible');
  });

  test('list: range, status, staff and customer filters, cursor', async () => {
    const all = expect(await owner.get(`/v1/admin/bookings?from=${d}T00:00:00Z&to=${d}T23:59:00Z`), 200);
    assert.deepEqual(all.items.map((b) => b.start), [`${d}T10:00:00+00:00`, `${d}T12:00:00+00:00`]);
    assert.equal(all.next_cursor, null);
    // What JavaScript's toISOString() sends: milliseconds.
    const js = expect(await owner.get(`/v1/admin/bookings?from=${d}T00:00:00.000Z&to=${d}T11:59:59.999Z`), 200);
    assert.deepEqual(js.items.map((b) => b.start), [`${d}T10:00:00+00:00`]);
    const bob = expect(await owner.get(`/v1/admin/bookings?staff_id=${staffId(1)}&from=${d}T00:00:00Z`), 200);
    assert.ok(bob.items.every((b) => b.staff.some((s) => s.staff_id === staffId(1))));
    const byCustomer = expect(await owner.get(`/v1/admin/bookings?customer_id=${made.customer.id}`), 200);
    assert.equal(byCustomer.items.length, 2);
    // Pages of one.
    const p1 = expect(await owner.get(`/v1/admin/bookings?from=${d}T00:00:00Z&to=${d}T23:59:00Z&limit=1`), 200);
    assert.equal(p1.items.length, 1);
    assert.ok(p1.next_cursor);
    const p2 = expect(await owner.get(`/v1/admin/bookings?from=${d}T00:00:00Z&to=${d}T23:59:00Z&limit=1&cursor=${p1.next_cursor}`), 200);
    assert.equal(p2.items[0].start, `${d}T12:00:00+00:00`);
    for (const [q, field] of [['status=DONE', 'status'], ['from=yesterday', 'from'],
      ['limit=0', 'limit'], ['cursor=zzz', 'cursor'], ['staff_id=x', 'staff_id'], ['sort=start', 'sort']]) {
      const r = await owner.get(`/v1/admin/bookings?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.ok(names(r).includes(field), `${q}: ${r.text}`);
    }
    const conf = expect(await owner.get('/v1/admin/bookings?status=CANCELLED'), 200);
    assert.equal(conf.items.length, 0);
  });

  test('list: service, source, search and review filters for the desk', async () => {
    const day = `from=${d}T00:00:00Z&to=${d}T23:59:00Z`;
    const starts = async (q) => expect(await owner.get(`/v1/admin/bookings?${day}&${q}`), 200)
      .items.map((b) => b.start);
    assert.deepEqual(await starts(`service_id=${COLOR}`), [`${d}T12:00:00+00:00`]);
    assert.deepEqual(await starts(`service_id=${CUT}`), [`${d}T10:00:00+00:00`]);
    assert.deepEqual(await starts('source=phone'), [`${d}T10:00:00+00:00`]);
    assert.deepEqual(await starts('source=widget'), []);
    // The customer's name (any case, part of it), phone, e-mail; the reference in any case.
    assert.equal((await starts('q=walk')).length, 2);
    assert.equal((await starts(`q=${encodeURIComponent('+1415555')}`)).length, 2);
    assert.deepEqual(await starts('q=nobody-like-this'), []);
    assert.deepEqual(await starts(`q=${made.reference.toLowerCase()}`), [`${d}T10:00:00+00:00`]);
    // LIKE wildcards are text, not patterns.
    assert.deepEqual(await starts('q=%25'), []);
    assert.equal((await starts('needs_review=false')).length, 2);
    assert.deepEqual(await starts('needs_review=true'), []);
    // Flagged by the calendar side: another day, so the bookings above keep their versions.
    const other = dayAhead(7);
    const flagged = expect(await create(owner, { services: [{ service_id: CUT }],
      start: `${other}T09:00:00Z`, customer: { name: 'Flagged', email: 'flagged@example.com' } }), 201);
    adminSql(`UPDATE bookings SET needs_review = true WHERE id = ${lit(flagged.id)}`);
    const review = expect(await owner.get('/v1/admin/bookings?needs_review=true'), 200);
    assert.deepEqual(review.items.map((b) => b.id), [flagged.id]);
    for (const [q, field] of [['service_id=x', 'service_id'], ['source=fax', 'source'],
      ['q=', 'q'], [`q=${'x'.repeat(101)}`, 'q'], ['needs_review=yes', 'needs_review']]) {
      const r = await owner.get(`/v1/admin/bookings?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.ok(names(r).includes(field), `${q}: ${r.text}`);
    }
  });

  test('move with If-Match: a stale version or a taken time is 409', async () => {
    const g = await owner.get(`/v1/admin/bookings/${made.id}`);
    assert.equal(g.headers.etag, '"1"');
    const stale = await owner.post(`/v1/admin/bookings/${made.id}/move`,
      { start: `${d}T15:00:00Z` }, { 'if-match': '"7"' });
    assert.equal(stale.status, 409, stale.text);
    const taken = await owner.post(`/v1/admin/bookings/${made.id}/move`,
      { start: `${d}T12:30:00Z`, staff_id: staffId(0) });
    assert.equal(taken.status, 409, 'Ann does the color then');
    const m = expect(await owner.post(`/v1/admin/bookings/${made.id}/move`,
      { start: `${d}T15:00:00Z` }, { 'if-match': '"1"' }), 200);
    assert.equal(m.start, `${d}T15:00:00+00:00`);
    assert.equal(m.staff[0].staff_id, staffId(1), 'the same person when free');
    assert.equal(m.version, 2);
    const a = JSON.parse(adminSql(`SELECT changes FROM audit_log WHERE target_id = ${lit(made.id)}
      AND action = 'booking.rescheduled'`));
    assert.deepEqual(a.start, { from: `${d}T10:00:00+00:00`, to: `${d}T15:00:00+00:00` });
    made = m;
  });

  test('status: If-Match required, only valid transitions', async () => {
    const path = `/v1/admin/bookings/${made.id}/status`;
    const no = await owner.post(path, { status: 'IN_PROGRESS' });
    assert.equal(no.status, 400);
    assert.ok(names(no).includes('If-Match'));
    const bad = await owner.post(path, { status: 'CANCELLED' }, { 'if-match': `"${made.version}"` });
    assert.equal(bad.status, 400, 'cancel has its own action');
    const early = await owner.post(path, { status: 'NO_SHOW' }, { 'if-match': `"${made.version}"` });
    assert.equal(early.status, 409, 'not started yet');
    const ip = expect(await owner.post(path, { status: 'IN_PROGRESS' },
      { 'if-match': `"${made.version}"` }), 200);
    assert.equal(ip.status, 'IN_PROGRESS');
    const back = await owner.post(path, { status: 'CONFIRMED' }, { 'if-match': `"${ip.version}"` });
    assert.equal(back.status, 409);
    assert.match(back.json.error.message, /IN_PROGRESS booking cannot become CONFIRMED/);
    const done = expect(await owner.post(path, { status: 'COMPLETED' }, { 'if-match': `"${ip.version}"` }), 200);
    assert.equal(done.status, 'COMPLETED');
    const moveDone = await owner.post(`/v1/admin/bookings/${made.id}/move`, { start: `${d}T16:00:00Z` });
    assert.equal(moveDone.status, 409, 'a completed booking stays put');
    // No calendar connected: nothing to sync (calendar_booking.test.mjs
    // follows a connected one through its changes).
    assert.equal(count('jobs', t, `kind = 'calendar.sync' AND payload->>'booking_id' = ${lit(made.id)}`), 0);
  });

  test('cancel needs a reason, frees the time, and happens once', async () => {
    const list = expect(await owner.get(`/v1/admin/bookings?from=${d}T12:00:00Z&to=${d}T12:01:00Z`), 200);
    const color = list.items[0];
    const none = await owner.post(`/v1/admin/bookings/${color.id}/cancel`, {});
    assert.equal(none.status, 400);
    assert.ok(names(none).includes('reason'));
    const c = expect(await owner.post(`/v1/admin/bookings/${color.id}/cancel`,
      { reason: 'Stylist ill' }), 200);
    assert.equal(c.status, 'CANCELLED');
    assert.equal(c.cancel_reason, 'Stylist ill');
    assert.match(c.cancelled_at, /Z$/);
    assert.equal(count('slot_claims', t, `booking_id = ${lit(color.id)}`), 0);
    assert.ok((await starts(srv, t, d, `service_id=${COLOR}&staff_id=${color.staff[0].staff_id}`))
      .includes(`${d}T12:00:00+00:00`));
    assert.equal((await owner.post(`/v1/admin/bookings/${color.id}/cancel`, { reason: 'again' })).status, 409);
  });

  test('each item names the resources it holds, for the calendar\'s resource view', async () => {
    const room = expect(await owner.post('/v1/admin/resources', { name: 'Colour room' }), 201);
    expect(await owner.put(`/v1/admin/resources/${room.id}/services`,
      { items: [{ service_id: COLOR }] }), 200);
    const b = expect(await create(owner, { services: [{ service_id: COLOR }, { service_id: CUT }],
      start: `${d}T18:00:00Z`, customer: { name: 'Rhea Room', email: 'rhea@example.com' } }), 201);
    const got = expect(await owner.get(`/v1/admin/bookings/${b.id}`), 200);
    assert.deepEqual(got.services.map((it) => it.resources), [[{ id: room.id, name: 'Colour room' }], []]);
    const listed = expect(await owner.get(`/v1/admin/bookings?from=${d}T18:00:00Z&to=${d}T18:01:00Z`), 200);
    assert.deepEqual(listed.items[0].services[0].resources, [{ id: room.id, name: 'Colour room' }]);
    const pub = expect(await book(srv, t, bookingBody(`${d}T20:00:00Z`,
      { name: 'Pia Public', email: 'pia@example.com' })), 201);
    assert.equal('resources' in pub.services[0], false, 'the public view never lists them');
    expect(await owner.post(`/v1/admin/bookings/${b.id}/cancel`, { reason: 'test' }), 200);
    const gone = expect(await owner.get(`/v1/admin/bookings/${b.id}`), 200);
    assert.deepEqual(gone.services[0].resources, [], 'a cancelled booking holds nothing');
  });

  test('another tenant\'s admin cannot see or touch these bookings', async () => {
    const other = salon();
    const them = await signIn(srv, other, 'OWNER');
    assert.equal((await them.get(`/v1/admin/bookings/${made.id}`)).status, 404);
    assert.equal((await them.post(`/v1/admin/bookings/${made.id}/cancel`, { reason: 'x' })).status, 404);
    assert.equal((await them.get(`/v1/admin/customers/${made.customer.id}`)).status, 404);
    const mine = expect(await them.get('/v1/admin/bookings'), 200);
    assert.equal(mine.items.length, 0);
  });
});

describe('customers, usage and settings', () => {
  let t;
  let owner;

  before(async () => {
    t = salon({ staff: ['Ann'] });
    owner = await signIn(srv, t, 'OWNER');
    const d = dayAhead(5);
    expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { name: 'Ada Byron', email: 'ada@example.com' })), 201);
    expect(await book(srv, t, bookingBody(`${d}T10:00:00Z`, { name: 'Ada Byron', email: 'ada@example.com' })), 201);
    expect(await book(srv, t, bookingBody(`${d}T11:00:00Z`, { name: 'Alan Turing', email: 'alan@example.com', phone: '+447700900123' })), 201);
    expect(await book(srv, t, bookingBody(`${d}T12:00:00Z`, { name: 'Grace 100%_x', email: 'grace@example.com' })), 201);
  });

  test('customers: search by name, e-mail or phone, with a cursor', async () => {
    const all = expect(await owner.get('/v1/admin/customers'), 200);
    assert.equal(all.items.length, 3);
    assert.deepEqual(Object.keys(all.items[0]).sort(), ['bookings_count', 'created_at', 'email', 'id',
      'name', 'notes', 'phone', 'sms_consent', 'updated_at', 'version']);
    const byName = expect(await owner.get('/v1/admin/customers?q=byron'), 200);
    assert.deepEqual(byName.items.map((c) => c.name), ['Ada Byron']);
    assert.equal(byName.items[0].bookings_count, 2);
    const byPhone = expect(await owner.get(`/v1/admin/customers?q=${encodeURIComponent('+44770')}`), 200);
    assert.deepEqual(byPhone.items.map((c) => c.name), ['Alan Turing']);
    const byMail = expect(await owner.get('/v1/admin/customers?q=ALAN%40'), 200);
    assert.equal(byMail.items.length, 1);
    // Wildcards in q are literal.
    const pct = expect(await owner.get(`/v1/admin/customers?q=${encodeURIComponent('100%_')}`), 200);
    assert.deepEqual(pct.items.map((c) => c.name), ['Grace 100%_x']);
    assert.equal(expect(await owner.get('/v1/admin/customers?q=%25'), 200).items.length, 1);
    const p1 = expect(await owner.get('/v1/admin/customers?limit=2'), 200);
    assert.equal(p1.items.length, 2);
    const p2 = expect(await owner.get(`/v1/admin/customers?limit=2&cursor=${p1.next_cursor}`), 200);
    assert.equal(p2.items.length, 1);
    assert.equal(new Set([...p1.items, ...p2.items].map((c) => c.id)).size, 3);
    assert.equal((await owner.get('/v1/admin/customers?cursor=abc')).status, 400);
  });

  test('a customer with their booking history, newest first', async () => {
    const ada = expect(await owner.get('/v1/admin/customers?q=ada'), 200).items[0];
    const c = expect(await owner.get(`/v1/admin/customers/${ada.id}`), 200);
    assert.equal(c.name, 'Ada Byron');
    assert.equal(c.bookings.length, 2);
    assert.ok(c.bookings[0].start > c.bookings[1].start);
    assert.equal(c.bookings[0].customer, undefined);
    assert.equal((await owner.get('/v1/admin/customers/0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f')).status, 404);
  });

  test('usage: this month\'s bookings against the plan', async () => {
    const u = expect(await owner.get('/v1/admin/usage'), 200);
    assert.equal(u.plan, 'pro');
    assert.deepEqual(u.bookings, { used: 4, limit: 5000, remaining: 4996 });
    assert.deepEqual(u.messages, { used: 0, limit: 20000 });
    assert.ok(u.period.start < u.period.end);
    adminSql(`UPDATE tenants SET plan = 'enterprise' WHERE id = ${lit(t.id)}`);
  });

  test('scheduling settings: read, change with If-Match, and the grid follows', async () => {
    const s = expect(await owner.get('/v1/admin/scheduling-settings'), 200);
    assert.equal(s.slot_step_minutes, 15);
    assert.equal(s.hold_minutes, 5);
    const bad = await owner.patch('/v1/admin/scheduling-settings', { slot_step_minutes: 2 },
      { 'if-match': `"${s.version}"` });
    assert.equal(bad.status, 400);
    const u = expect(await owner.patch('/v1/admin/scheduling-settings', { slot_step_minutes: 60 },
      { 'if-match': `"${s.version}"` }), 200);
    assert.equal(u.slot_step_minutes, 60);
    const d = dayAhead(9);
    assert.deepEqual((await starts(srv, t, d)).slice(0, 3),
      [`${d}T09:00:00+00:00`, `${d}T10:00:00+00:00`, `${d}T11:00:00+00:00`]);
    assert.equal(count('audit_log', t, `action = 'scheduling_settings.updated'`), 1);
  });
});

describe('roles', () => {
  let t;
  let staffClient;
  let viewer;
  let annBooking;
  let bobBooking;

  before(async () => {
    t = salon({ staff: ['Ann', 'Bob'] });
    staffClient = await signIn(srv, t, 'STAFF');
    viewer = await signIn(srv, t, 'VIEWER');
    adminSql(`UPDATE staff SET user_id = ${lit(staffClient.userId)} WHERE tenant_id = ${lit(t.id)}
      AND id = '${staffId(0)}'`);
    const d = dayAhead(5);
    annBooking = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { staffId: staffId(0) })), 201);
    bobBooking = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { staffId: staffId(1),
      email: 'bob-client@example.com' })), 201);
  });

  test('STAFF sees only bookings they perform, and changes nothing', async () => {
    const l = expect(await staffClient.get('/v1/admin/bookings'), 200);
    assert.deepEqual(l.items.map((b) => b.id), [annBooking.id]);
    assert.equal((await staffClient.get(`/v1/admin/bookings/${annBooking.id}`)).status, 200);
    assert.equal((await staffClient.get(`/v1/admin/bookings/${bobBooking.id}`)).status, 404);
    assert.equal((await staffClient.post(`/v1/admin/bookings/${annBooking.id}/cancel`,
      { reason: 'x' })).status, 403);
    assert.equal((await create(staffClient, { services: [{ service_id: CUT }],
      start: `${dayAhead(6)}T09:00:00Z`, customer: { name: 'X', email: 'x@example.com' } })).status, 403);
    assert.equal((await staffClient.get('/v1/admin/customers')).status, 403);
    assert.equal((await staffClient.get('/v1/admin/usage')).status, 403);
  });

  test('VIEWER reads every booking and customer, writes nothing', async () => {
    const l = expect(await viewer.get('/v1/admin/bookings'), 200);
    assert.equal(l.items.length, 2);
    expect(await viewer.get('/v1/admin/customers'), 200);
    assert.equal((await viewer.post(`/v1/admin/bookings/${bobBooking.id}/cancel`, { reason: 'x' })).status, 403);
  });

  test('without a session: 401', async () => {
    const r = await srv.request({ path: '/v1/admin/bookings', host: t.host });
    assert.equal(r.status, 401);
  });
});

describe('the notification job', () => {
  test('writes the customer\'s e-mail to the outbox; a phone-only customer is noted', async () => {
    const t = salon();
    const d = dayAhead(5);
    const a = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { email: 'note@example.com' })), 201);
    const b = expect(await book(srv, t, bookingBody(`${d}T10:00:00Z`, { email: null,
      phone: '+14155550177' })), 201);
    const w = await startWorker();
    try {
      const row = await waitFor(() => adminSql(`SELECT recipient || '|' || template || '|' ||
        (payload->>'reference') FROM notification_outbox WHERE tenant_id = ${lit(t.id)}`),
      { timeoutMs: 15000, what: 'outbox row' });
      assert.equal(row, `note@example.com|booking.confirmed|${a.reference}`);
      await waitFor(() => count('audit_log', t, `action = 'booking.notification_skipped'
        AND target_id = ${lit(b.id)}`) === 1, { timeoutMs: 15000, what: 'skip audit row' });
      await waitFor(() => count('jobs', t, `kind = 'notifications.booking' AND status = 'done'`) === 2,
        { timeoutMs: 15000, what: 'jobs done' });
    } finally {
      await w.stop();
    }
  });
});
