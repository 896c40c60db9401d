// reminders.test.mjs — reminders, quiet hours and confirmations (issue 12)
// with a movable clock: POST /v1/test/reminders/plan runs the planner as if
// the clock said `now`, for the request's tenant. What is checked is what a
// customer would notice: which messages are queued for when (in the
// tenant's zone, across a DST change), that re-planning never duplicates,
// that a moved or cancelled booking's reminders never go, the settings and
// their validation, and the confirmation link.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, assertErrorBody, killAll, lit } from './lib.mjs';
import { adminServer, assertInvalid, auditRows, signIn } from './admin_lib.mjs';
import { CUT, dayAhead, expect, key, salon, staffId } from './booking_lib.mjs';

after(killAll);

const ZONE = 'America/New_York';
const REMINDERS = "template IN ('booking.reminder', 'booking.confirm_nudge')";

let srv;
before(async () => { srv = await adminServer(); });
after(() => srv?.kill());

// A local wall-clock time in ZONE as an RFC 3339 UTC instant.
function utc(local, zone = ZONE) {
  return adminSql(`SELECT to_char((${lit(local)}::timestamp AT TIME ZONE ${lit(zone)})
    AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);
}

function plan(t, now, horizon = 43200) {
  return srv.request({ method: 'POST', path: '/v1/test/reminders/plan', host: t.host,
    body: { now, horizon_minutes: horizon } });
}

async function planOk(t, now, horizon) {
  return expect(await plan(t, now, horizon), 200, 'plan');
}

// The tenant's reminder rows as {kind, channel, offset, at (local), status, …}.
function rows(t, where = 'true') {
  return JSON.parse(adminSql(`SELECT coalesce(json_agg(json_build_object(
      'template', template, 'channel', channel, 'recipient', recipient, 'status', status,
      'offset', (payload->>'offset_minutes')::int, 'booking_id', booking_id,
      'at', to_char(next_attempt_at AT TIME ZONE ${lit(t.zone)}, 'YYYY-MM-DD HH24:MI'),
      'payload', payload, 'dedupe_key', dedupe_key)
      ORDER BY next_attempt_at, channel, template), '[]')
    FROM notification_outbox WHERE tenant_id = ${lit(t.id)} AND ${REMINDERS} AND ${where}`));
}

const queued = (t, bookingId) => rows(t, `status = 'queued' AND booking_id = ${lit(bookingId)}`);
const summary = (rs) => rs.map((r) => `${r.template === 'booking.reminder' ? 'reminder' : 'nudge'}`
  + ` ${r.channel} ${r.offset} @ ${r.at}`);

async function createBooking(owner, start, customer, staff = 0) {
  const r = await owner.post('/v1/admin/bookings', { services: [{ service_id: CUT }], start,
    staff_id: staffId(staff), customer }, { 'idempotency-key': key() });
  return expect(r, 201, 'create booking');
}

function localDay(n) { return dayAhead(n); }
function prevDay(d) {
  return new Date(Date.parse(`${d}T12:00:00Z`) - 86400000).toISOString().slice(0, 10);
}

const nowIso = () => new Date().toISOString();

describe('the planner', () => {
  let t;
  let owner;
  const D = localDay(10);

  before(async () => {
    t = salon({ zone: ZONE, staff: ['Ann', 'Bob', 'Cy', 'Di'], opens: '00:00', closes: '24:00',
      maxDaysAhead: 500 });
    owner = await signIn(srv, t, 'OWNER');
  });

  test('defaults: e-mail 24 h and 2 h before, a nudge outside quiet hours, no SMS without consent', async () => {
    const b = await createBooking(owner, utc(`${D} 15:00`), { name: 'Eve', email: 'eve@example.com',
      phone: '+14155550101' });
    const p = await planOk(t, nowIso());
    assert.ok(p.planned >= 3, JSON.stringify(p));
    const rs = queued(t, b.id);
    // The nudge is halfway (13 h before: 02:00, quiet) → 20:45 the evening before.
    assert.deepEqual(summary(rs), [
      `reminder email 1440 @ ${prevDay(D)} 15:00`,
      `nudge email 780 @ ${prevDay(D)} 20:45`,
      `reminder email 120 @ ${D} 13:00`,
    ]);
    const r24 = rs[0];
    assert.equal(r24.recipient, 'eve@example.com');
    assert.equal(r24.payload.reference, b.reference);
    assert.equal(r24.payload.starts_at, utc(`${D} 15:00`));
    assert.equal(r24.payload.offset_label, '24 hours');
    assert.deepEqual(r24.payload.services, ['Cut']);
    assert.equal(r24.payload.staff_name, 'Ann');
    assert.equal(r24.payload.time_zone, ZONE);
    assert.match(r24.payload.confirm_url,
      new RegExp(`^http://${t.slug}\\.localhost(:\\d+)?/booking/${b.reference}/confirm#token=[A-Za-z0-9_-]{43}$`));
    assert.equal(r24.dedupe_key, `reminder:${b.id}:1440:email:${Date.parse(utc(`${D} 15:00`)) / 1000}`);

    // Planning again (the next minute, or a second worker) adds nothing.
    const again = await planOk(t, nowIso());
    assert.equal(again.planned, 0);
    assert.equal(rows(t, `booking_id = ${lit(b.id)}`).length, 3);
  });

  test('SMS only with consent and a phone; then by SMS, the nudge goes by SMS only', async () => {
    const b = await createBooking(owner, utc(`${D} 16:00`), { name: 'Sam', email: 'sam@example.com',
      phone: '+14155550102' }, 1);
    adminSql(`UPDATE customers SET sms_consent = true, sms_consent_at = now()
      WHERE tenant_id = ${lit(t.id)} AND id = ${lit(b.customer.id)}`);
    await planOk(t, nowIso());
    assert.deepEqual(summary(queued(t, b.id)), [
      `reminder email 1440 @ ${prevDay(D)} 16:00`,
      `reminder sms 1440 @ ${prevDay(D)} 16:00`,
      `nudge sms 780 @ ${prevDay(D)} 20:45`,
      `reminder email 120 @ ${D} 14:00`,
      `reminder sms 120 @ ${D} 14:00`,
    ]);
    assert.equal(queued(t, b.id).find((r) => r.channel === 'sms').recipient, '+14155550102');
    // Phone only, no consent: nothing at all.
    const c = await createBooking(owner, utc(`${D} 17:00`), { name: 'Pat', phone: '+14155550103' }, 1);
    await planOk(t, nowIso());
    assert.deepEqual(queued(t, c.id), []);
  });

  test('quiet hours: the 2 h reminder of an 8:30 booking goes the evening before, at 20:45', async () => {
    const b = await createBooking(owner, utc(`${D} 08:30`), { name: 'Early', email: 'early@example.com' });
    await planOk(t, nowIso());
    const rs = summary(queued(t, b.id));
    assert.ok(rs.includes(`reminder email 120 @ ${prevDay(D)} 20:45`), rs.join('\n'));
    assert.ok(!rs.some((s) => / (2[1-3]|0[0-7]):\d\d$/.test(s)), `nothing in quiet hours: ${rs}`);
  });

  test('reschedule: the old reminders are cancelled in the same transaction, new ones planned', async () => {
    const b = await createBooking(owner, utc(`${D} 11:00`), { name: 'Mo', email: 'mo@example.com' }, 2);
    await planOk(t, nowIso());
    const before = queued(t, b.id);
    assert.equal(before.length, 3);
    expect(await owner.post(`/v1/admin/bookings/${b.id}/move`, { start: utc(`${D} 12:00`) }), 200);
    // Cancelled by the move itself, before any planner run.
    assert.deepEqual(queued(t, b.id), []);
    assert.equal(rows(t, `booking_id = ${lit(b.id)} AND status = 'cancelled'`).length, 3);
    await planOk(t, nowIso());
    assert.deepEqual(summary(queued(t, b.id)), [
      `reminder email 1440 @ ${prevDay(D)} 12:00`,
      `nudge email 780 @ ${prevDay(D)} 20:45`,
      `reminder email 120 @ ${D} 10:00`,
    ]);
    assert.ok(queued(t, b.id).every((r) => r.payload.starts_at === utc(`${D} 12:00`)));
  });

  test('cancel: every queued reminder of the booking is cancelled and never planned again', async () => {
    const b = await createBooking(owner, utc(`${D} 13:00`), { name: 'Cal', email: 'cal@example.com' }, 3);
    await planOk(t, nowIso());
    assert.equal(queued(t, b.id).length, 3);
    expect(await owner.post(`/v1/admin/bookings/${b.id}/cancel`, { reason: 'ill' }), 200);
    assert.deepEqual(queued(t, b.id), []);
    await planOk(t, nowIso());
    assert.deepEqual(queued(t, b.id), []);
  });

  test('the planner itself cancels what a change left queued (a booking moved by SQL)', async () => {
    const b = await createBooking(owner, utc(`${D} 18:00`), { name: 'Sql', email: 'sql@example.com' }, 3);
    await planOk(t, nowIso());
    adminSql(`UPDATE bookings SET starts_at = starts_at + interval '1 hour',
      ends_at = ends_at + interval '1 hour' WHERE tenant_id = ${lit(t.id)} AND id = ${lit(b.id)}`);
    const p = await planOk(t, nowIso());
    assert.ok(p.cancelled >= 3, JSON.stringify(p));
    assert.ok(queued(t, b.id).every((r) => r.payload.starts_at === utc(`${D} 19:00`)));
    assert.equal(queued(t, b.id).length, 3);
  });
});

describe('too late, movable clock, DST', () => {
  let t;
  let owner;

  before(async () => {
    t = salon({ zone: ZONE, staff: ['Ann'], opens: '00:00', closes: '24:00', maxDaysAhead: 500 });
    owner = await signIn(srv, t, 'OWNER');
  });

  test('a booking made 90 minutes ahead gets no 24 h or 2 h reminder', async () => {
    // Quiet hours off so the real time of day does not matter.
    const s = expect(await owner.get('/v1/admin/reminders/settings'), 200);
    expect(await owner.put('/v1/admin/reminders/settings', { ...strip(s),
      quiet_hours: { ...s.quiet_hours, enabled: false } }), 200);
    const start = new Date(Math.ceil((Date.now() + 90 * 60000) / 900000) * 900000).toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const b = await createBooking(owner, start, { name: 'Late', email: 'late@example.com' });
    await planOk(t, nowIso());
    assert.deepEqual(summary(queued(t, b.id)), []);
  });

  test('only what falls in the horizon is planned: the clock moves, the rows follow', async () => {
    const D = localDay(12);
    const b = await createBooking(owner, utc(`${D} 15:00`), { name: 'Clock', email: 'clock@example.com' });
    // An hour before the 24 h reminder: nothing yet with a 30-minute horizon.
    assert.equal((await planOk(t, utc(`${prevDay(D)} 14:00`), 30)).planned, 0);
    assert.equal((await planOk(t, utc(`${prevDay(D)} 14:45`), 30)).planned, 1);
    assert.deepEqual(summary(queued(t, b.id)), [`reminder email 1440 @ ${prevDay(D)} 15:00`]);
    assert.equal((await planOk(t, utc(`${D} 12:45`), 30)).planned, 1);
    assert.deepEqual(summary(queued(t, b.id)).at(-1), `reminder email 120 @ ${D} 13:00`);
  });

  test('across the spring DST change: offsets are exact hours; quiet hours are wall-clock', async () => {
    // Quiet hours back on.
    const s = expect(await owner.get('/v1/admin/reminders/settings'), 200);
    expect(await owner.put('/v1/admin/reminders/settings', { ...strip(s),
      quiet_hours: { enabled: true, start: '21:00', end: '08:00' } }), 200);
    const now = new Date();
    let dst;
    for (const y of [now.getUTCFullYear(), now.getUTCFullYear() + 1]) {
      const march1 = new Date(Date.UTC(y, 2, 1));
      const firstSun = 1 + ((7 - march1.getUTCDay()) % 7);
      const d = new Date(Date.UTC(y, 2, firstSun + 7));
      if (d.getTime() > Date.now() + 3 * 86400000) { dst = d.toISOString().slice(0, 10); break; }
    }
    // 08:30 on the Sunday the clocks go forward (EST → EDT at 02:00).
    const b = await createBooking(owner, utc(`${dst} 08:30`), { name: 'Dst', email: 'dst@example.com' });
    await planOk(t, utc(`${prevDay(prevDay(dst))} 12:00`), 4 * 1440);
    const rs = queued(t, b.id);
    // 24 h before 08:30 EDT is 07:30 EST (quiet) → 20:45 two evenings before;
    // 2 h before is 06:30 EDT (quiet) → 20:45 EST the evening before.
    assert.deepEqual(summary(rs), [
      `reminder email 1440 @ ${prevDay(prevDay(dst))} 20:45`,
      `nudge email 780 @ ${prevDay(dst)} 18:30`,
      `reminder email 120 @ ${prevDay(dst)} 20:45`,
    ]);
    assert.equal(adminSql(`SELECT to_char(next_attempt_at AT TIME ZONE 'UTC', 'HH24:MI')
      FROM notification_outbox WHERE booking_id = ${lit(b.id)} AND payload->>'offset_minutes' = '120'`),
    '01:45', 'EST: 20:45 is 01:45 UTC');
  });
});

// A GET reply as a PUT body.
function strip(s) {
  const { updated_at: _u, ...rest } = s;
  return rest;
}

describe('settings', () => {
  let t;
  let other;
  let owner;
  let viewer;
  const D = localDay(14);

  before(async () => {
    t = salon({ zone: ZONE, staff: ['Ann', 'Bob'], opens: '00:00', closes: '24:00', maxDaysAhead: 500 });
    other = salon({ zone: ZONE, staff: ['Zed'], opens: '00:00', closes: '24:00', maxDaysAhead: 500 });
    owner = await signIn(srv, t, 'OWNER');
    viewer = await signIn(srv, t, 'VIEWER');
  });

  test('the defaults, read by any member who may see the business', async () => {
    const s = expect(await viewer.get('/v1/admin/reminders/settings'), 200);
    assert.deepEqual(strip(s), {
      email: { enabled: true, offsets_minutes: [1440, 120] },
      sms: { enabled: true, offsets_minutes: [1440, 120] },
      quiet_hours: { enabled: true, start: '21:00', end: '08:00' },
      ask_confirmation: true, version: 0,
    });
  });

  test('a viewer may not change them', async () => {
    const s = expect(await viewer.get('/v1/admin/reminders/settings'), 200);
    assertErrorBody(assert, await viewer.put('/v1/admin/reminders/settings', strip(s)), 403, 'FORBIDDEN');
  });

  test('validation: each bad field is named, with the JSON error shape', async () => {
    const good = strip(expect(await owner.get('/v1/admin/reminders/settings'), 200));
    const cases = [
      [{ email: { enabled: true, offsets_minutes: [10] } }, 'email.offsets_minutes'],
      [{ email: { enabled: true, offsets_minutes: [10081] } }, 'email.offsets_minutes'],
      [{ sms: { enabled: true, offsets_minutes: [60, 60] } }, 'sms.offsets_minutes'],
      [{ sms: { enabled: true, offsets_minutes: [20, 30, 40, 50, 60] } }, 'sms.offsets_minutes'],
      [{ sms: { enabled: true, offsets_minutes: ['60'] } }, 'sms.offsets_minutes'],
      [{ sms: { enabled: 'yes', offsets_minutes: [] } }, 'sms.enabled'],
      [{ email: { enabled: true } }, 'email.offsets_minutes'],
      [{ quiet_hours: { enabled: true, start: '25:00', end: '08:00' } }, 'quiet_hours.start'],
      [{ quiet_hours: { enabled: true, start: '9pm', end: '08:00' } }, 'quiet_hours.start'],
      [{ quiet_hours: { enabled: true, start: '08:00', end: '08:00' } }, 'quiet_hours.end'],
      [{ quiet_hours: { enabled: true, start: '21:00', end: '08:00', extra: 1 } }, 'quiet_hours.extra'],
      [{ ask_confirmation: 'no' }, 'ask_confirmation'],
      [{ surprise: true }, 'surprise'],
    ];
    for (const [patch, field] of cases) {
      const r = await owner.put('/v1/admin/reminders/settings', { ...good, ...patch });
      assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
      assertInvalid(r, field, JSON.stringify(patch));
    }
    assertInvalid(await owner.put('/v1/admin/reminders/settings', {}), 'email');
    assert.equal(Number(adminSql(`SELECT count(*) FROM reminder_settings WHERE tenant_id = ${lit(t.id)}`)), 0);
  });

  test('saving: sorted offsets, a version, an audit row, and a stale version is 409', async () => {
    const s = strip(expect(await owner.get('/v1/admin/reminders/settings'), 200));
    const saved = expect(await owner.put('/v1/admin/reminders/settings', { ...s,
      email: { enabled: true, offsets_minutes: [60, 2880] } }), 200);
    assert.deepEqual(saved.email.offsets_minutes, [2880, 60]);
    assert.equal(saved.version, 1);
    const a = auditRows(t, t.id, 'reminders.updated');
    assert.equal(a.length, 1);
    assert.equal(a[0].actor_id, owner.userId);
    assert.deepEqual(a[0].changes.settings.to.email.offsets_minutes, [2880, 60]);
    const stale = await owner.put('/v1/admin/reminders/settings', { ...s, version: 0 });
    assertErrorBody(assert, stale, 409, 'CONFLICT');
    // Back to the defaults for the tests below.
    expect(await owner.put('/v1/admin/reminders/settings', { ...s, version: 1 }), 200);
  });

  test('changing offsets re-plans: the removed ones are cancelled, the new ones planned', async () => {
    const b = await createBooking(owner, utc(`${D} 15:00`), { name: 'Ofs', email: 'ofs@example.com' });
    await planOk(t, nowIso());
    assert.equal(queued(t, b.id).length, 3);
    const s = strip(expect(await owner.get('/v1/admin/reminders/settings'), 200));
    expect(await owner.put('/v1/admin/reminders/settings', { ...s,
      email: { enabled: true, offsets_minutes: [2880, 60] } }), 200);
    await planOk(t, nowIso());
    assert.deepEqual(summary(queued(t, b.id)), [
      `reminder email 2880 @ ${prevDay(prevDay(D))} 15:00`,
      `nudge email 1470 @ ${prevDay(D)} 14:30`,
      `reminder email 60 @ ${D} 14:00`,
    ]);
  });

  test('turning a channel off cancels its queued rows and plans none', async () => {
    const b = await createBooking(owner, utc(`${D} 16:00`), { name: 'Off', email: 'off@example.com' }, 1);
    await planOk(t, nowIso());
    assert.ok(queued(t, b.id).length > 0);
    const s = strip(expect(await owner.get('/v1/admin/reminders/settings'), 200));
    expect(await owner.put('/v1/admin/reminders/settings', { ...s,
      email: { ...s.email, enabled: false } }), 200);
    await planOk(t, nowIso());
    assert.deepEqual(queued(t, b.id), []);
    expect(await owner.put('/v1/admin/reminders/settings', { ...s, version: s.version + 1 }), 200);
  });

  test('tenant isolation: another tenant\'s bookings never produce rows here; its settings are not ours', async () => {
    const ownerB = await signIn(srv, other, 'OWNER');
    const ob = await createBooking(ownerB, utc(`${D} 15:00`), { name: 'Bee', email: 'bee@example.com' });
    const before = Number(adminSql(`SELECT count(*) FROM notification_outbox WHERE ${REMINDERS}
      AND tenant_id = ${lit(other.id)}`));
    await planOk(t, nowIso());
    assert.equal(Number(adminSql(`SELECT count(*) FROM notification_outbox WHERE ${REMINDERS}
      AND tenant_id = ${lit(other.id)}`)), before, 'planning t touches nothing of other');
    assert.equal(Number(adminSql(`SELECT count(*) FROM notification_outbox WHERE tenant_id = ${lit(t.id)}
      AND booking_id = ${lit(ob.id)}`)), 0);
    // Our owner's session on the other tenant's host is not a member there.
    const x = await srv.request({ method: 'PUT', path: '/v1/admin/reminders/settings', host: other.host,
      headers: { cookie: `rcp_session=${owner.session.cookie}`, 'x-csrf-token': owner.session.csrf },
      body: { email: { enabled: false, offsets_minutes: [] }, sms: { enabled: false, offsets_minutes: [] },
        quiet_hours: { enabled: false, start: '21:00', end: '08:00' }, ask_confirmation: false } });
    assert.ok([401, 403, 404].includes(x.status), x.text);
    assert.equal(Number(adminSql(`SELECT count(*) FROM reminder_settings WHERE tenant_id = ${lit(other.id)}`)), 0);
    await planOk(other, nowIso());
    assert.equal(queued(other, ob.id).length, 3);
  });
});

describe('confirmations', () => {
  let t;
  let owner;
  const D = localDay(16);

  before(async () => {
    t = salon({ zone: ZONE, staff: ['Ann', 'Bob'], opens: '00:00', closes: '24:00', maxDaysAhead: 500 });
    owner = await signIn(srv, t, 'OWNER');
  });

  function confirm(ref, token, host = t.host) {
    return srv.request({ method: 'POST', path: `/v1/public/bookings/${ref}/confirm`, host,
      body: { token } });
  }

  test('the link confirms once (idempotent, audited), the nudge is dropped, the admin sees it', async () => {
    const b = await createBooking(owner, utc(`${D} 15:00`), { name: 'Con', email: 'con@example.com' });
    assert.equal(b.confirmed_at, null);
    await planOk(t, nowIso());
    const url = queued(t, b.id)[0].payload.confirm_url;
    const [, ref, token] = /\/booking\/([A-Z0-9]{6})\/confirm#token=(.+)$/.exec(url);
    assert.equal(ref, b.reference);
    // The link's page: branded, a button, the token never sent to the server by GET.
    const page = await srv.request({ path: `/booking/${ref}/confirm`, host: t.host });
    assert.equal(page.status, 200);
    assert.match(page.text, /Yes, I&#39;m coming|Yes, I'm coming/);
    assert.match(page.text, /portal-confirm/);
    assert.equal((await srv.request({ path: '/booking/BAD!!!/confirm', host: t.host })).status, 404);
    const c = expect(await confirm(ref, token), 200);
    assert.deepEqual(c, { reference: ref, confirmed: true, already_confirmed: false });
    const again = expect(await confirm(ref.toLowerCase(), token), 200);
    assert.equal(again.already_confirmed, true);
    const g = expect(await owner.get(`/v1/admin/bookings/${b.id}`), 200);
    assert.match(g.confirmed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(auditRows(t, b.id, 'booking.customer_confirmed').length, 1);
    assert.deepEqual(queued(t, b.id).map((r) => r.template),
      ['booking.reminder', 'booking.reminder'], 'the nudge is cancelled');
    await planOk(t, nowIso());
    assert.ok(!queued(t, b.id).some((r) => r.template === 'booking.confirm_nudge'));
  });

  test('a wrong token, another booking\'s token, or another tenant is refused with the JSON error', async () => {
    const b1 = await createBooking(owner, utc(`${D} 10:00`), { name: 'One', email: 'one@example.com' });
    const b2 = await createBooking(owner, utc(`${D} 11:00`), { name: 'Two', email: 'two@example.com' });
    await planOk(t, nowIso());
    const tok1 = /#token=(.+)$/.exec(queued(t, b1.id)[0].payload.confirm_url)[1];
    assertErrorBody(assert, await confirm(b1.reference, 'x'.repeat(43)), 404, 'NOT_FOUND');
    assertErrorBody(assert, await confirm(b2.reference, tok1), 404, 'NOT_FOUND');
    assertErrorBody(assert, await confirm(b1.reference, 'short'), 400, 'INVALID_ARGUMENT');
    assertErrorBody(assert, await confirm('!!', tok1), 404, 'NOT_FOUND');
    const other = salon({ zone: ZONE });
    assertErrorBody(assert, await confirm(b1.reference, tok1, other.host), 404, 'NOT_FOUND');
    assert.equal(adminSql(`SELECT confirmed_at IS NULL FROM bookings WHERE id = ${lit(b1.id)}`), 't');
    // A cancelled booking cannot be confirmed.
    expect(await owner.post(`/v1/admin/bookings/${b1.id}/cancel`, { reason: 'test' }), 200);
    assertErrorBody(assert, await confirm(b1.reference, tok1), 409, 'CONFLICT');
  });

  test('a nudge only for unconfirmed bookings; none and no link when confirmation is not asked', async () => {
    const b = await createBooking(owner, utc(`${D} 13:00`), { name: 'Pre', email: 'pre@example.com' }, 1);
    adminSql(`UPDATE bookings SET confirmed_at = now() WHERE id = ${lit(b.id)}`);
    await planOk(t, nowIso());
    assert.deepEqual(queued(t, b.id).map((r) => r.template), ['booking.reminder', 'booking.reminder']);
    assert.ok(queued(t, b.id).every((r) => r.payload.confirm_url === null));

    const s = strip(expect(await owner.get('/v1/admin/reminders/settings'), 200));
    expect(await owner.put('/v1/admin/reminders/settings', { ...s, ask_confirmation: false }), 200);
    const n = await createBooking(owner, utc(`${D} 14:00`), { name: 'No', email: 'no@example.com' }, 1);
    await planOk(t, nowIso());
    assert.deepEqual(queued(t, n.id).map((r) => r.template), ['booking.reminder', 'booking.reminder']);
    assert.ok(queued(t, n.id).every((r) => r.payload.confirm_url === null));
  });
});
