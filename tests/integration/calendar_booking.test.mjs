// calendar_booking.test.mjs — calendar sync seen from the booking API: a
// booking made through POST /v1/public/bookings reaches the staff
// member's Google calendar or Cal.com (start in UTC, the right
// cal-api-version), stands (201) while the provider fails and syncs when
// it recovers, and follows the customer's reschedule and cancel. Skipped
// when the booking routes are not mounted in this build.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit, request, waitFor } from './lib.mjs';
import {
  at, calendarWorld, connectCalcom, connectGoogle, eventRow, stopWorld, waitForEvent,
} from './calendar_lib.mjs';

let world;
let mounted = false;
let calKey;

before(async () => {
  world = await calendarWorld();
  const probe = await request({ port: world.srv.port, method: 'POST', path: '/v1/public/bookings',
    host: world.t.host, body: {} });
  mounted = !(probe.status === 404 && /No route/.test(probe.text));
  if (!mounted) return;
  const g = await connectGoogle(world, { staffId: world.t.staff[0] });
  assert.equal(g.callback.status, 302, g.callback.text);
  const c = await connectCalcom(world, { staffId: world.t.staff[1] });
  assert.equal(c.res.status, 201, c.res.text);
  calKey = c.key;
});

after(async () => {
  await stopWorld(world);
  await killAll();
});

// "2026-11-23T05:00:00-05:00" for an ISO UTC time: the same instant with
// an offset, as a customer's browser might send it.
function withOffset(isoUtc, hours = -5) {
  const d = new Date(Date.parse(isoUtc) + hours * 3600000);
  const sign = hours < 0 ? '-' : '+';
  const hh = String(Math.abs(hours)).padStart(2, '0');
  return `${d.toISOString().slice(0, 19)}${sign}${hh}:00`;
}

async function book(staffId, start, email = `c-${randomUUID().slice(0, 8)}@example.test`) {
  const res = await request({ port: world.srv.port, method: 'POST', path: '/v1/public/bookings',
    host: world.t.host, headers: { 'idempotency-key': randomUUID() },
    body: { services: [{ service_id: world.t.serviceId }], start, staff_id: staffId,
      customer: { name: 'Jane Doe', email } } });
  const ref = res.json?.reference;
  const id = ref ? adminSql(`SELECT id FROM bookings WHERE tenant_id = ${lit(world.t.id)}
    AND reference = ${lit(ref)}`) : undefined;
  return { res, ref, id, email };
}

describe('bookings through the API', () => {
  test('a booking reaches Google with UTC times', async (t) => {
    if (!mounted) { t.skip('POST /v1/public/bookings is not mounted in this build'); return; }
    const b = await book(world.t.staff[0], withOffset(at(10)));
    assert.equal(b.res.status, 201, b.res.text);
    const e = await waitForEvent(b.id, 'google', (x) => x.state === 'synced', 'synced');
    const ev = world.google.events.get(`primary/${e.external_id}`);
    assert.equal(ev.start.dateTime, at(10));
  });

  test('Google down: the booking is still 201, the sync retries and lands', async (t) => {
    if (!mounted) { t.skip('POST /v1/public/bookings is not mounted in this build'); return; }
    world.google.fail({ method: 'POST', path: /\/events$/, status: 500, times: 2 });
    world.google.fail({ method: 'POST', path: /\/events$/, delayMs: 2500, times: 1 });
    const b = await book(world.t.staff[0], at(12));
    assert.equal(b.res.status, 201, b.res.text);
    await waitForEvent(b.id, 'google', (x) => x.state === 'synced', 'synced after failures', 40000);
    assert.equal(world.google.eventsOf('primary').filter((x) =>
      x.extendedProperties?.private?.rcp_booking_id === b.id).length, 1);
  });

  test('a booking reaches Cal.com with the start in UTC and cal-api-version 2024-08-13',
    async (t) => {
      if (!mounted) { t.skip('POST /v1/public/bookings is not mounted in this build'); return; }
      const b = await book(world.t.staff[1], withOffset(at(11), 2));
      assert.equal(b.res.status, 201, b.res.text);
      const e = await waitForEvent(b.id, 'calcom', (x) => x.state === 'synced', 'synced');
      const req = world.calcom.seen('POST', '/v2/bookings').find((x) =>
        x.body?.metadata?.rcp_booking_id === b.id);
      assert.equal(req.body.start, `${at(11).slice(0, 19)}.000Z`);
      assert.equal(req.headers['cal-api-version'], '2024-08-13');
      assert.equal(req.headers.authorization, `Bearer ${calKey}`);
      assert.equal(world.calcom.bookings.get(e.external_id).status, 'accepted');
      // The customer moves it, then cancels it: Cal.com follows.
      let r = await request({ port: world.srv.port, method: 'POST',
        path: `/v1/public/bookings/${b.ref}/reschedule`, host: world.t.host,
        body: { email: b.email, start: at(14) } });
      assert.equal(r.status, 200, r.text);
      const moved = await waitForEvent(b.id, 'calcom', (x) => x.external_id !== e.external_id
        && x.state === 'synced', 'rescheduled');
      assert.equal(world.calcom.bookings.get(moved.external_id).start, `${at(14).slice(0, 19)}.000Z`);
      r = await request({ port: world.srv.port, method: 'POST',
        path: `/v1/public/bookings/${b.ref}/cancel`, host: world.t.host,
        body: { email: b.email } });
      assert.equal(r.status, 200, r.text);
      await waitFor(() => world.calcom.bookings.get(moved.external_id).status === 'cancelled',
        { timeoutMs: 20000, what: 'cancelled at Cal.com' });
      assert.equal(adminSql(`SELECT needs_review FROM bookings WHERE id = ${lit(b.id)}`), 'f');
      assert.equal(eventRow(b.id, 'calcom').external_id, null);
    });
});
