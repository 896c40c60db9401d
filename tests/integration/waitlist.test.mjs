// waitlist.test.mjs — the waitlist (issue 12) end to end, with a real
// worker and an SMTP server: customers join from the portal's API; a
// cancellation frees a slot and the first waiting person is e-mailed an
// offer with a link; when their turn ends (POST /v1/test/waitlist/expire
// stands in for the half hour) the next is texted; the first to confirm
// gets a real booking through the booking path and the others are told it
// went; the owner sees the list, "slots refilled" and the revenue; and no
// tenant can see or touch another's waitlist.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, assertErrorBody, killAll, lit, waitFor } from './lib.mjs';
import { adminServer, assertInvalid, auditRows, signIn } from './admin_lib.mjs';
import { uniqueEmail } from './auth_lib.mjs';
import { book, bookingBody, CUT, dayAhead, expect, salon } from './booking_lib.mjs';
import { mailRig } from './messages_lib.mjs';

after(killAll);

// Joins are capped per IP and business; these suites join more than that.
const rig = mailRig({ WAITLIST_JOINS_PER_HOUR: '1000' });

const join = (t, body) => rig.srv.request({ method: 'POST', path: '/v1/public/waitlist', host: t.host,
  body });
const accept = (t, token) => rig.srv.request({ method: 'POST', path: '/v1/public/waitlist/offers/accept',
  host: t.host, body: { token } });
const leave = (t, token) => rig.srv.request({ method: 'POST', path: '/v1/public/waitlist/leave',
  host: t.host, body: { token } });
const expireTurns = (t) => rig.srv.request({ method: 'POST', path: '/v1/test/waitlist/expire',
  host: t.host });

function joinBody(day, customer, extra = {}) {
  return { service_id: CUT, day, customer, ...extra };
}

// The tenant's waitlist messages (superuser: RLS hides nothing).
function messages(t, template) {
  return JSON.parse(adminSql(`SELECT coalesce(json_agg(json_build_object('recipient', recipient,
      'channel', channel, 'payload', payload) ORDER BY created_at, id), '[]')
    FROM notification_outbox WHERE tenant_id = ${lit(t.id)} AND template = ${lit(template)}`));
}

const tokenOf = (m) => /#token=([A-Za-z0-9_-]{43})$/.exec(m.payload.offer_path)[1];

async function offerTo(t, recipient) {
  const m = await waitFor(() => messages(t, 'waitlist.offer').find((x) => x.recipient === recipient),
    { timeoutMs: 20000, what: `an offer to ${recipient}` });
  return m;
}

describe('joining', () => {
  let t;
  const D = dayAhead(5);

  before(() => { t = salon({ staff: ['Ann'] }); });

  test('a customer joins for a service and a part of a day, once', async () => {
    const email = uniqueEmail('wait');
    const r = await join(t, joinBody(D, { name: 'Wendy', email }, { part_of_day: 'morning' }));
    const e = expect(r, 201, 'join');
    assert.equal(e.service_id, CUT);
    assert.equal(e.day, D);
    assert.equal(e.part_of_day, 'morning');
    assert.equal(e.channel, 'email');
    assert.equal(e.status, 'waiting');
    assert.match(e.leave_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(auditRows(t, e.id, 'waitlist.joined').length, 1);

    const again = await join(t, joinBody(D, { name: 'Wendy', email: email.toUpperCase() }));
    assertErrorBody(assert, again, 409, 'CONFLICT');
  });

  test('texts need a phone and consent; without consent the offer goes by e-mail', async () => {
    const r = expect(await join(t, joinBody(D, { name: 'Sid', phone: '+14155550181' },
      { sms_consent: true })), 201);
    assert.equal(r.channel, 'sms');
    assertInvalid(await join(t, joinBody(D, { name: 'Pat', phone: '+14155550182' })),
      'customer.email');
    assertInvalid(await join(t, joinBody(D, { name: 'Pat', email: 'pat@example.com' },
      { sms_consent: true })), 'sms_consent');
  });

  test('every bad field is named', async () => {
    const cases = [
      [{ ...joinBody(D, { name: 'A', email: 'a@example.com' }), service_id: 'nope' }, 'service_id'],
      [joinBody('2027-02-30', { name: 'A', email: 'a@example.com' }), 'day'],
      [joinBody('tomorrow', { name: 'A', email: 'a@example.com' }), 'day'],
      [joinBody(D, { name: 'A', email: 'a@example.com' }, { part_of_day: 'night' }), 'part_of_day'],
      [joinBody(D, { name: 'A', email: 'not-an-address' }), 'customer.email'],
      [joinBody(D, { name: '   ', email: 'a@example.com' }), 'customer.name'],
      [joinBody(D, { name: 'A', email: 'a@example.com', age: 3 }), 'customer.age'],
      [joinBody(D, { name: 'A', email: 'a@example.com' }, { colour: 'red' }), 'colour'],
      [joinBody(dayAhead(-3), { name: 'A', email: 'a@example.com' }), 'day'],
      [joinBody(dayAhead(400), { name: 'A', email: 'a@example.com' }), 'day'],
      [{ ...joinBody(D, { name: 'A', email: 'a@example.com' }),
        service_id: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f' }, 'service_id'],
    ];
    for (const [body, field] of cases)
      assertInvalid(await join(t, body), field, JSON.stringify(body));
    const bad = await rig.srv.request({ method: 'POST', path: '/v1/public/waitlist', host: t.host,
      headers: { 'content-type': 'application/json' }, body: '{"service_id": ' });
    assertErrorBody(assert, bad, 400, 'INVALID_ARGUMENT');
  });

  test('leaving by the token, once', async () => {
    const e = expect(await join(t, joinBody(D, { name: 'Lea', email: uniqueEmail('lea') })), 201);
    assert.equal((await leave(t, e.leave_token)).status, 200);
    assertErrorBody(assert, await leave(t, e.leave_token), 404, 'NOT_FOUND');
    assert.equal(adminSql(`SELECT status FROM waitlist_entries WHERE id = ${lit(e.id)}`), 'cancelled');
  });
});

describe('a freed slot goes round the waitlist', () => {
  let t;
  let owner;
  let carl;
  const carlEmail = uniqueEmail('carl');
  const D = dayAhead(6);
  const wendy = uniqueEmail('wendy');
  const evan = uniqueEmail('evan');
  const SID = '+14155550191';
  const people = {};

  before(async () => {
    t = salon({ staff: ['Ann'] });
    owner = await signIn(rig.srv, t, 'OWNER');
    carl = expect(await book(rig.srv, t, bookingBody(`${D}T10:00:00Z`, { email: carlEmail })),
      201, 'book');
    // In the order they join: Wendy (mornings, e-mail), Evan (evenings: not
    // for a 10:00 slot), Sid (any time, texts).
    people.wendy = expect(await join(t, joinBody(D, { name: 'Wendy', email: wendy },
      { part_of_day: 'morning' })), 201);
    people.evan = expect(await join(t, joinBody(D, { name: 'Evan', email: evan },
      { part_of_day: 'evening' })), 201);
    people.sid = expect(await join(t, joinBody(D, { name: 'Sid', phone: SID },
      { sms_consent: true })), 201);
  });

  test('a cancellation offers the slot to the first waiting person, by e-mail with a link', async () => {
    const r = await rig.srv.request({ method: 'POST', path: `/v1/public/bookings/${carl.reference}/cancel`,
      host: t.host, body: { email: carlEmail } });
    expect(r, 200, 'cancel');
    const m = await offerTo(t, wendy);
    assert.equal(m.channel, 'email');
    assert.equal(m.payload.starts_at, Date.parse(`${D}T10:00:00Z`) / 1000);
    assert.equal(m.payload.service, 'Cut');
    const [mail] = await waitFor(() => rig.smtp.mailTo(wendy).length && rig.smtp.mailTo(wendy),
      { timeoutMs: 20000, what: 'the offer e-mail' });
    assert.match(mail.subject, /A time opened up/);
    assert.ok(mail.text.includes(`http://${t.slug}.localhost:8080/waitlist/offer#token=${tokenOf(m)}`),
      mail.text);
    // One turn at a time: nobody else has been asked yet.
    assert.equal(messages(t, 'waitlist.offer').length, 1);
  });

  test('when the turn ends, the next person (not the evening one) is texted', async () => {
    expect(await expireTurns(t), 200, 'expire');
    const m = await offerTo(t, SID);
    assert.equal(m.channel, 'sms');
    assert.equal(messages(t, 'waitlist.offer').length, 2);
    assert.equal(messages(t, 'waitlist.offer').some((x) => x.recipient === evan), false);
  });

  test('the first to confirm books it through the booking path; the others are told it went', async () => {
    const sidToken = tokenOf(messages(t, 'waitlist.offer').find((x) => x.recipient === SID));
    const wendyToken = tokenOf(messages(t, 'waitlist.offer').find((x) => x.recipient === wendy));

    const won = expect(await accept(t, sidToken), 200, 'accept');
    assert.equal(won.status, 'booked');
    assert.equal(won.start, `${D}T10:00:00Z`);
    assert.equal(adminSql(`SELECT b.status || ' ' || b.source || ' ' || c.phone FROM bookings b
      JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
      WHERE b.tenant_id = ${lit(t.id)} AND b.reference = ${lit(won.reference)}`),
    `CONFIRMED portal ${SID}`);
    // A double click: the same booking, not a second one.
    const again = expect(await accept(t, sidToken), 200, 'accept again');
    assert.equal(again.reference, won.reference);
    assert.equal(again.already_booked, true);

    // Wendy, whose turn had passed, hears that it went, and her link says so.
    const gone = await waitFor(() => messages(t, 'waitlist.gone'), { what: 'gone' });
    assert.deepEqual(gone.map((g) => g.recipient), [wendy]);
    const late = await accept(t, wendyToken);
    assertErrorBody(assert, late, 409, 'CONFLICT');
    assert.match(late.json.error.message, /gone/);
    assert.equal(Number(adminSql(`SELECT count(*) FROM bookings WHERE tenant_id = ${lit(t.id)}
      AND starts_at = ${lit(`${D}T10:00:00Z`)} AND status <> 'CANCELLED'`)), 1);
  });

  test('the owner sees the list, the slots refilled and the revenue recovered', async () => {
    const list = expect(await owner.get('/v1/admin/waitlist'), 200, 'list');
    const byName = Object.fromEntries(list.items.map((i) => [i.customer.name, i]));
    assert.equal(byName.Sid.status, 'booked');
    assert.equal(byName.Wendy.status, 'waiting');
    assert.equal(byName.Wendy.offers, 1);
    assert.equal(byName.Evan.offers, 0);
    assert.equal(list.next_cursor, null);
    const waiting = expect(await owner.get('/v1/admin/waitlist?status=waiting'), 200);
    assert.deepEqual(waiting.items.map((i) => i.customer.name).sort(), ['Evan', 'Wendy']);
    assertInvalid(await owner.get('/v1/admin/waitlist?status=maybe'), 'status');

    const s = expect(await owner.get('/v1/admin/waitlist/summary'), 200, 'summary');
    assert.deepEqual(s, { waiting: 2, slots_refilled: 1, revenue_recovered_minor: 2500,
      currency: 'USD' });

    const del = await owner.del(`/v1/admin/waitlist/${people.evan.id}`);
    assert.equal(del.status, 204, del.text);
    assert.equal(auditRows(t, people.evan.id, 'waitlist.removed').length, 1);
    assertErrorBody(assert, await owner.del(`/v1/admin/waitlist/${people.evan.id}`), 404, 'NOT_FOUND');
  });

  test('erasing a customer erases their waitlist entries; what they brought still counts', async () => {
    const cust = adminSql(`SELECT id FROM customers WHERE tenant_id = ${lit(t.id)} AND phone = ${lit(SID)}`);
    expect(await owner.post(`/v1/admin/customers/${cust}/erase`, {}), 200, 'erase');
    assert.equal(adminSql(`SELECT name || '|' || coalesce(phone, '-') || '|' || status || '|'
      || (erased_at IS NOT NULL) FROM waitlist_entries WHERE id = ${lit(people.sid.id)}`), 'Erased|-|booked|true');
    const audit = auditRows(t, cust, 'customer.erased');
    assert.equal(audit.at(-1).changes.waitlist_entries_erased, 1, JSON.stringify(audit));
    const s = expect(await owner.get('/v1/admin/waitlist/summary'), 200);
    assert.equal(s.slots_refilled, 1);
  });

  test('the list needs customers, the summary analytics: staff see neither', async () => {
    const staff = await signIn(rig.srv, t, 'STAFF');
    assertErrorBody(assert, await staff.get('/v1/admin/waitlist'), 403, 'FORBIDDEN');
    assertErrorBody(assert, await staff.del(`/v1/admin/waitlist/${people.wendy.id}`), 403, 'FORBIDDEN');
  });

  test('another tenant can neither see nor touch this waitlist', async () => {
    const other = salon({ staff: ['Olga'] });
    const them = await signIn(rig.srv, other, 'OWNER');
    assert.deepEqual(expect(await them.get('/v1/admin/waitlist'), 200).items, []);
    assertErrorBody(assert, await them.del(`/v1/admin/waitlist/${people.wendy.id}`), 404, 'NOT_FOUND');
    const wendyToken = tokenOf(messages(t, 'waitlist.offer').find((x) => x.recipient === wendy));
    assertErrorBody(assert, await accept(other, wendyToken), 404, 'NOT_FOUND');
    assertErrorBody(assert, await leave(other, people.wendy.leave_token), 404, 'NOT_FOUND');
    // CUT exists in both salons under the same id; a made-up one does not.
    assertInvalid(await join(other, { ...joinBody(D, { name: 'M', email: 'm@example.com' }),
      service_id: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f' }), 'service_id');
    assert.equal(adminSql(`SELECT status FROM waitlist_entries WHERE id = ${lit(people.wendy.id)}`),
      'waiting');
  });
});

describe('two people confirm the same time at once', () => {
  test('the booking path decides: one booking, one 409, the loser still waiting', async () => {
    const t = salon({ staff: ['Ann'] });
    const D = dayAhead(9);
    const email = uniqueEmail('bk');
    const b = expect(await book(rig.srv, t, bookingBody(`${D}T15:00:00Z`, { email })), 201);
    const [x, y] = [uniqueEmail('x'), uniqueEmail('y')];
    expect(await join(t, joinBody(D, { name: 'Xia', email: x })), 201);
    expect(await join(t, joinBody(D, { name: 'Yan', email: y })), 201);
    expect(await rig.srv.request({ method: 'POST', path: `/v1/public/bookings/${b.reference}/cancel`,
      host: t.host, body: { email } }), 200, 'cancel');
    const mx = await offerTo(t, x);
    expect(await expireTurns(t), 200);
    const my = await offerTo(t, y);
    const rs = await Promise.all([accept(t, tokenOf(mx)), accept(t, tokenOf(my))]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409], rs.map((r) => r.text).join('\n'));
    assert.equal(Number(adminSql(`SELECT count(*) FROM bookings WHERE tenant_id = ${lit(t.id)}
      AND starts_at = ${lit(`${D}T15:00:00Z`)} AND status <> 'CANCELLED'`)), 1);
    assert.equal(adminSql(`SELECT string_agg(status, ',' ORDER BY status) FROM waitlist_entries
      WHERE tenant_id = ${lit(t.id)}`), 'booked,waiting');
  });
});

describe('leaving during one\'s own turn', () => {
  test('the next person is asked at once, not when the turn would have ended', async () => {
    const t = salon({ staff: ['Ann'] });
    const D = dayAhead(8);
    const email = uniqueEmail('bk');
    const b = expect(await book(rig.srv, t, bookingBody(`${D}T14:00:00Z`, { email })), 201);
    const first = uniqueEmail('first');
    const second = uniqueEmail('second');
    const a = expect(await join(t, joinBody(D, { name: 'Ada', email: first })), 201);
    expect(await join(t, joinBody(D, { name: 'Bea', email: second }, { part_of_day: 'afternoon' })), 201);
    expect(await rig.srv.request({ method: 'POST', path: `/v1/public/bookings/${b.reference}/cancel`,
      host: t.host, body: { email } }), 200, 'cancel');
    await offerTo(t, first);
    assert.equal((await leave(t, a.leave_token)).status, 200);
    await offerTo(t, second);
    assert.equal(adminSql(`SELECT string_agg(o.status, ',' ORDER BY o.created_at) FROM waitlist_offers o
      WHERE o.tenant_id = ${lit(t.id)}`), 'cancelled,open');
  });
});

describe('a slot that is not really free is offered to nobody', () => {
  test('a booking moved a quarter of an hour later keeps most of its old time', async () => {
    const t = salon({ staff: ['Ann'] });
    const D = dayAhead(7);
    const email = uniqueEmail('mo');
    const b = expect(await book(rig.srv, t, bookingBody(`${D}T11:00:00Z`, { email })), 201);
    const waiting = uniqueEmail('w');
    expect(await join(t, joinBody(D, { name: 'Wes', email: waiting })), 201);
    expect(await rig.srv.request({ method: 'POST', path: `/v1/public/bookings/${b.reference}/reschedule`,
      host: t.host, body: { email, start: `${D}T11:15:00Z` } }), 200, 'reschedule');
    // The job ran (and found 11:00 overlapping the booking's new time).
    await waitFor(() => adminSql(`SELECT status FROM jobs WHERE tenant_id = ${lit(t.id)}
      AND kind = 'waitlist.slot_freed'`) === 'done', { timeoutMs: 20000, what: 'slot_freed job' });
    assert.deepEqual(messages(t, 'waitlist.offer'), []);
  });
});

describe('joining is rate limited per IP and business', () => {
  let srv;
  before(async () => { srv = await adminServer({ WAITLIST_JOINS_PER_HOUR: '2' }); });
  after(() => srv?.kill());

  test('past the limit: 429 with Retry-After; another business is not affected', async () => {
    const t = salon({ staff: ['Ann'] });
    const other = salon({ staff: ['Ann'] });
    const D = dayAhead(4);
    const j = (x, n) => srv.request({ method: 'POST', path: '/v1/public/waitlist', host: x.host,
      body: joinBody(D, { name: `P${n}`, email: uniqueEmail('rl') }) });
    expect(await j(t, 1), 201);
    expect(await j(t, 2), 201);
    const r = await j(t, 3);
    assertErrorBody(assert, r, 429, 'RATE_LIMITED');
    assert.ok(Number(r.headers['retry-after']) > 0, JSON.stringify(r.headers));
    expect(await j(other, 4), 201);
    assert.equal(Number(adminSql(`SELECT count(*) FROM waitlist_entries WHERE tenant_id = ${lit(t.id)}`)), 2);
  });
});
