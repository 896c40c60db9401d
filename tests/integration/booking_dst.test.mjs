// booking_dst.test.mjs — a real tenant in America/New_York across both
// daylight-saving transitions: the slots follow the wall clock (the hour
// that does not exist is skipped, the hour that happens twice is offered
// twice), and a booking lands in the database at the instant its offset
// names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit, startServer } from './lib.mjs';
import { book, bookingBody, CUT, expect, salon } from './booking_lib.mjs';

after(killAll);

// The n-th Sunday (1-based) of month m (0-based) of year y, as YYYY-MM-DD.
function nthSunday(y, m, n) {
  const first = new Date(Date.UTC(y, m, 1));
  const day = 1 + ((7 - first.getUTCDay()) % 7) + (n - 1) * 7;
  return new Date(Date.UTC(y, m, day)).toISOString().slice(0, 10);
}

// The next US spring-forward (second Sunday of March) and fall-back
// (first Sunday of November) dates at least two days away.
function nextTransitions() {
  const soon = Date.now() + 2 * 86400000;
  const y = new Date().getUTCFullYear();
  const pick = (m, n) => [y, y + 1, y + 2].map((yy) => nthSunday(yy, m, n))
    .find((d) => Date.parse(`${d}T00:00:00Z`) > soon);
  return { spring: pick(2, 2), fall: pick(10, 1) };
}

describe('America/New_York across DST', () => {
  let srv;
  let t;
  const { spring, fall } = nextTransitions();

  before(async () => {
    srv = await startServer();
    // Open 01:00–04:00 every day, 30-minute grid, bookable a year ahead.
    t = salon({ zone: 'America/New_York', opens: '01:00', closes: '04:00', step: 30,
      maxDaysAhead: 400 });
  });
  after(() => srv?.kill());

  async function slots(date) {
    const r = expect(await srv.request({ path: `/v1/public/availability?service_id=${CUT}&date=${date}`,
      host: t.host }), 200);
    assert.equal(r.timezone, 'America/New_York');
    return r.slots.map((s) => [s.start, s.end]);
  }

  test(`spring forward (${spring}): 02:00–03:00 does not exist and is not offered`, async () => {
    assert.deepEqual(await slots(spring), [
      [`${spring}T01:00:00-05:00`, `${spring}T01:30:00-05:00`],
      [`${spring}T01:30:00-05:00`, `${spring}T03:00:00-04:00`],	// 30 real minutes
      [`${spring}T03:00:00-04:00`, `${spring}T03:30:00-04:00`],
      [`${spring}T03:30:00-04:00`, `${spring}T04:00:00-04:00`],
    ]);
    const b = expect(await book(srv, t, bookingBody(`${spring}T03:00:00-04:00`)), 201);
    assert.equal(b.start, `${spring}T03:00:00-04:00`);
    assert.equal(adminSql(`SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI')
      FROM bookings WHERE id = ${lit(b.id)}`), `${spring}T07:00`);
    // The same instant written in UTC is the same slot, now taken.
    expect(await book(srv, t, bookingBody(`${spring}T07:00:00Z`, { email: 'b@example.com' })), 409);
    // 01:30 EST ends at 03:00 EDT, thirty real minutes later.
    const c = expect(await book(srv, t, bookingBody(`${spring}T01:30:00-05:00`,
      { email: 'c@example.com' })), 201);
    assert.equal(adminSql(`SELECT extract(epoch FROM ends_at - starts_at)::int FROM bookings
      WHERE id = ${lit(c.id)}`), '1800');
    assert.equal(c.end, `${spring}T03:00:00-04:00`);
  });

  test(`fall back (${fall}): 01:00–02:00 happens twice and is offered twice`, async () => {
    assert.deepEqual((await slots(fall)).map((s) => s[0]), [
      `${fall}T01:00:00-04:00`, `${fall}T01:30:00-04:00`,
      `${fall}T01:00:00-05:00`, `${fall}T01:30:00-05:00`,
      `${fall}T02:00:00-05:00`, `${fall}T02:30:00-05:00`,
      `${fall}T03:00:00-05:00`, `${fall}T03:30:00-05:00`,
    ]);
    const first = expect(await book(srv, t, bookingBody(`${fall}T01:00:00-04:00`)), 201);
    const second = expect(await book(srv, t, bookingBody(`${fall}T01:00:00-05:00`,
      { email: 'late@example.com' })), 201);
    const utc = (id) => adminSql(`SELECT to_char(starts_at AT TIME ZONE 'UTC', 'HH24:MI')
      FROM bookings WHERE id = ${lit(id)}`);
    assert.equal(utc(first.id), '05:00');
    assert.equal(utc(second.id), '06:00');
    assert.equal(second.start, `${fall}T01:00:00-05:00`);
    assert.equal(second.end, `${fall}T01:30:00-05:00`);
    // Both 01:00s are now taken, the 01:30s are not.
    assert.deepEqual((await slots(fall)).map((s) => s[0]).slice(0, 2),
      [`${fall}T01:30:00-04:00`, `${fall}T01:30:00-05:00`]);
  });
});
