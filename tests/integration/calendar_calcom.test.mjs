// calendar_calcom.test.mjs — Cal.com API v2 against the local fake
// (tests/integration/fakes/calcom.mjs): connecting a key (checked with one
// call, stored encrypted, our webhook registered), busy times from slots,
// bookings pushed with the start in UTC and the right cal-api-version per
// endpoint, moves and cancels, webhooks verified by x-cal-signature-256
// and stored once however often they come, and Cal.com's 120 requests a
// minute respected across processes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit, request, sleep, waitFor } from './lib.mjs';
import { calSignature } from './fakes/calcom.mjs';
import {
  at, availability, bookSql, busy, calendarWorld, cancelSql, connectCalcom, eventRow, moveSql,
  needsReview, stopWorld, waitForEvent,
} from './calendar_lib.mjs';

let world;
let key;
let conn;

before(async () => {
  world = await calendarWorld();
});

after(async () => {
  await stopWorld(world);
  await killAll();
});

const staffA = () => world.t.staff[0];

function webhookRows() {
  return Number(adminSql(`SELECT count(*) FROM webhook_events WHERE provider = 'calcom'
    AND tenant_id = ${lit(world.t.id)}`));
}

describe('connecting Cal.com', () => {
  test('a key Cal.com refuses is a 400 naming api_key; nothing stored', async () => {
    const res = await world.owner.post('/v1/admin/calendar/calcom',
      { api_key: 'cal_live_not_a_key', event_type_id: 1001 });
    assert.equal(res.status, 400, res.text);
    assert.ok(res.json.error.details.some((d) => d.field === 'api_key'));
    assert.equal(adminSql(`SELECT count(*) FROM calendar_connections
      WHERE tenant_id = ${lit(world.t.id)}`), '0');
  });

  test('an event type the key does not own is a 400 naming event_type_id', async () => {
    world.calcom.addKey('cal_live_other', [2002]);
    const res = await world.owner.post('/v1/admin/calendar/calcom',
      { api_key: 'cal_live_other', event_type_id: 1001 });
    assert.equal(res.status, 400, res.text);
    assert.ok(res.json.error.details.some((d) => d.field === 'event_type_id'));
  });

  test('a good key is checked with one call, stored encrypted, and our webhook registered',
    async () => {
      const r = await connectCalcom(world, { staffId: staffA() });
      key = r.key;
      assert.equal(r.res.status, 201, r.res.text);
      conn = r.res.json.id;
      assert.equal(r.res.json.event_type_id, 1001);
      assert.equal(r.res.json.webhook_registered, true);
      assert.equal(r.res.json.webhook_url,
        `${world.env.PUBLIC_BASE_URL}/v1/webhooks/calcom?connection=${conn}`);
      assert.ok(!r.res.text.includes(key), 'the key is echoed back');
      // The check: GET /v2/event-types/{id} with its cal-api-version.
      const check = world.calcom.seen('GET', '/v2/event-types/1001').filter((x) =>
        x.headers.authorization === `Bearer ${key}`);
      assert.equal(check.length, 1);
      assert.equal(check[0].headers['cal-api-version'], '2024-06-14');
      const hook = world.calcom.webhooks.find((w) => w.key === key);
      assert.equal(hook.subscriberUrl, r.res.json.webhook_url);
      assert.deepEqual(hook.triggers.sort(),
        ['BOOKING_CANCELLED', 'BOOKING_CREATED', 'BOOKING_RESCHEDULED']);
      assert.ok(hook.secret.length >= 32);
      const row = JSON.parse(adminSql(`SELECT row_to_json(c)::text FROM calendar_connections c
        WHERE id = ${lit(conn)}`));
      assert.equal(row.external_ref, '1001');
      const text = JSON.stringify(row);
      assert.ok(!text.includes(key) && !text.includes(Buffer.from(key).toString('hex')));
      assert.ok(!text.includes(hook.secret));
      const list = await world.owner.get('/v1/admin/calendar/connections');
      assert.ok(!list.text.includes(key) && !list.text.includes(hook.secret));
      const logs = world.srv.stderr() + world.worker.stderr();
      assert.ok(!logs.includes(key) && !logs.includes(hook.secret), 'a secret in the logs');
    });

  test('the plan must include calendar sync', async () => {
    adminSql(`UPDATE tenants SET plan = 'free' WHERE id = ${lit(world.t.id)}`);
    try {
      await sleep(300);	// the tenant cache drops on NOTIFY
      const res = await world.owner.post('/v1/admin/calendar/calcom',
        { api_key: key, event_type_id: 1001 });
      assert.equal(res.status, 403, res.text);
      assert.match(res.json.error.message, /calendar_sync/);
    } finally {
      adminSql(`UPDATE tenants SET plan = 'pro' WHERE id = ${lit(world.t.id)}`);
      await sleep(300);
    }
  });
});

describe('Cal.com busy times', () => {
  test('what Cal.com would not offer is busy: its bookings and its off hours', async () => {
    world.calcom.busy = [{ start: at(12), end: at(13) }];
    const items = await busy(world, world.t.staff, at(0), at(0, 0, 1 + 1));
    const mine = items.filter((x) => x.staff_id === staffA());
    assert.deepEqual(mine, [
      { staff_id: staffA(), start: at(0), end: at(9) },
      { staff_id: staffA(), start: at(12), end: at(13) },
      { staff_id: staffA(), start: at(17), end: at(0, 0, 2) },
    ]);
    assert.equal(items.filter((x) => x.staff_id !== staffA()).length, 0);
    const slots = world.calcom.seen('GET', '/v2/slots');
    const q = slots[slots.length - 1];
    assert.equal(q.headers['cal-api-version'], '2024-09-04');
    assert.equal(q.query.eventTypeId, '1001');
    assert.equal(q.query.format, 'range');
    assert.equal(q.query.start, at(0));
    assert.match(q.query.end, /Z$/);
  });

  test('availability offers the Cal.com staff member only inside Cal.com\'s slots', async (t) => {
    const slots = await availability(world, at(0).slice(0, 10), staffA());
    if (slots === null) {
      t.skip('GET /v1/public/availability is not mounted in this build');
      return;
    }
    assert.ok(slots.length > 0);
    for (const s of slots) {
      const a = Date.parse(s.start);
      assert.ok(a >= Date.parse(at(9)) && Date.parse(s.end) <= Date.parse(at(17)), s.start);
      assert.ok(Date.parse(s.end) <= Date.parse(at(12)) || a >= Date.parse(at(13)), s.start);
    }
  });
});

describe('Cal.com booking sync', () => {
  let b;
  let uid;

  test('a booking is created at Cal.com with the start in UTC and cal-api-version 2024-08-13',
    async () => {
      b = bookSql(world, { start: at(10) });
      const e = await waitForEvent(b, 'calcom', (x) => x.state === 'synced', 'synced');
      uid = e.external_id;
      const req = world.calcom.seen('POST', '/v2/bookings').find((x) =>
        x.body?.metadata?.rcp_booking_id === b);
      assert.equal(req.headers['cal-api-version'], '2024-08-13');
      assert.equal(req.headers.authorization, `Bearer ${key}`);
      assert.equal(req.body.start, `${at(10).slice(0, 19)}.000Z`);
      assert.equal(req.body.eventTypeId, 1001);
      assert.equal(req.body.attendee.name, 'Jane Doe');
      assert.match(req.body.attendee.email, /jane@example\.test$/);
      assert.equal(req.body.attendee.timeZone, 'UTC');
      assert.equal(world.calcom.bookings.get(uid).status, 'accepted');
    });

  test('a move reschedules (new uid kept); a cancel cancels', async () => {
    moveSql(world, b, at(11));
    const e = await waitForEvent(b, 'calcom', (x) => x.external_id !== uid && x.state === 'synced',
      'rescheduled');
    const req = world.calcom.seen('POST', `/v2/bookings/${uid}/reschedule`);
    assert.equal(req.length, 1);
    assert.equal(req[0].body.start, `${at(11).slice(0, 19)}.000Z`);
    assert.equal(req[0].headers['cal-api-version'], '2024-08-13');
    assert.equal(world.calcom.bookings.get(e.external_id).status, 'accepted');
    const newUid = e.external_id;
    cancelSql(world, b);
    await waitFor(() => world.calcom.bookings.get(newUid).status === 'cancelled',
      { timeoutMs: 15000, what: 'cancelled at Cal.com' });
    await waitForEvent(b, 'calcom', (x) => x.external_id === null, 'cancel recorded');
    assert.equal(needsReview(b), false);
  });

  test('Cal.com failing (500, timeout): the job retries until it lands', async () => {
    world.calcom.fail({ method: 'POST', path: '/v2/bookings', status: 500, times: 1 });
    // Just past our 1.5 s timeout: Cal.com books it after we gave up.
    world.calcom.fail({ method: 'POST', path: '/v2/bookings', delayMs: 1700, times: 1 });
    const x = bookSql(world, { start: at(14) });
    const e = await waitForEvent(x, 'calcom', (r) => r.state === 'synced', 'synced', 30000);
    assert.ok(e.attempts >= 3, `attempts ${e.attempts}`);
    // The timed-out request was booked at Cal.com after all, so the retry
    // was refused as a double booking; the booking carrying our id in its
    // metadata was recognised as ours: one booking there, and it is the
    // one we hold.
    const ours = world.calcom.bookingList().filter((k) => k.metadata?.rcp_booking_id === x
      && k.status === 'accepted');
    assert.equal(ours.length, 1);
    assert.equal(ours[0].uid, e.external_id);
    assert.ok(world.calcom.seen('GET', '/v2/bookings').length >= 1, 'looked ours up');
  });
});

describe('Cal.com webhooks', () => {
  let b;
  let uid;

  before(async () => {
    b = bookSql(world, { start: at(15) });
    uid = (await waitForEvent(b, 'calcom', (x) => x.state === 'synced', 'synced')).external_id;
  });

  test('a bad, tampered or missing signature is a 401 and nothing is stored', async () => {
    const n = webhookRows();
    const hook = world.calcom.webhooks.find((w) => w.key === key);
    const booking = world.calcom.bookings.get(uid);
    let res = await world.calcom.deliver('BOOKING_CANCELLED', booking,
      { url: hook.subscriberUrl, secret: 'not-the-secret-at-all' });
    assert.equal(res[0].status, 401);
    res = await world.calcom.deliver('BOOKING_CANCELLED', booking,
      { url: hook.subscriberUrl, secret: hook.secret, tamper: true });
    assert.equal(res[0].status, 401);
    const raw = JSON.stringify({ triggerEvent: 'BOOKING_CANCELLED', payload: { uid } });
    let r = await request({ port: world.srv.port, method: 'POST',
      path: new URL(hook.subscriberUrl).pathname + new URL(hook.subscriberUrl).search,
      headers: { 'content-type': 'application/json' }, body: raw });
    assert.equal(r.status, 401);
    // Unknown connection, right-looking signature.
    r = await request({ port: world.srv.port, method: 'POST',
      path: '/v1/webhooks/calcom?connection=0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f',
      headers: { 'content-type': 'application/json',
        'x-cal-signature-256': calSignature(hook.secret, raw) }, body: raw });
    assert.equal(r.status, 401);
    assert.equal(webhookRows(), n);
    assert.equal(needsReview(b), false);
    assert.ok(!(world.srv.stderr()).includes('"triggerEvent"'), 'a raw body in the logs');
  });

  test('cancelled in Cal.com: verified, stored once, the booking flagged (never cancelled)',
    async () => {
      const n = webhookRows();
      const res = await world.calcom.cancelRemote(uid, key);
      assert.equal(res[0].status, 200);
      assert.deepEqual(res[0].json, { received: true, duplicate: false });
      await waitFor(() => needsReview(b), { timeoutMs: 15000, what: 'needs_review' });
      assert.equal(adminSql(`SELECT status FROM bookings WHERE id = ${lit(b)}`), 'CONFIRMED');
      assert.equal(eventRow(b, 'calcom').state, 'deleted_remote');
      assert.equal(webhookRows(), n + 1);
      const audit = adminSql(`SELECT actor_type || ' ' || action FROM audit_log
        WHERE tenant_id = ${lit(world.t.id)} AND target_id = ${lit(b)}
        AND action = 'booking.flagged_for_review'`);
      assert.equal(audit, 'webhook booking.flagged_for_review');
      // A second, distinct delivery about it is stored but changes nothing:
      // the booking is flagged once, with one audit row.
      const again = await world.calcom.deliver('BOOKING_CANCELLED', world.calcom.bookings.get(uid),
        { key });
      assert.equal(again[0].status, 200);
      await waitFor(() => adminSql(`SELECT count(*) FROM jobs WHERE tenant_id = ${lit(world.t.id)}
        AND kind = 'calendar.webhook' AND status <> 'done'`) === '0', { what: 'webhook jobs done' });
      assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE target_id = ${lit(b)}
        AND action = 'booking.flagged_for_review'`), '1');
    });

  test('the same delivery twice (byte for byte) is processed once', async () => {
    const hook = world.calcom.webhooks.find((w) => w.key === key);
    const raw = JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt: '2030-01-01T00:00:00Z',
      payload: { uid: `someone-elses-${Math.random().toString(36).slice(2)}`,
        startTime: at(16), endTime: at(17) } });
    const send = () => request({ port: world.srv.port, method: 'POST',
      path: new URL(hook.subscriberUrl).pathname + new URL(hook.subscriberUrl).search,
      headers: { 'content-type': 'application/json',
        'x-cal-signature-256': calSignature(hook.secret, raw) }, body: raw });
    const n = webhookRows();
    const r1 = await send();
    const r2 = await send();
    assert.equal(r1.status, 200, r1.text);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r1.json.duplicate, false);
    assert.equal(r2.json.duplicate, true);
    assert.equal(webhookRows(), n + 1);
    const jobs = adminSql(`SELECT count(*) FROM jobs WHERE tenant_id = ${lit(world.t.id)}
      AND kind = 'calendar.webhook' AND payload->>'event_id' = (SELECT id::text
        FROM webhook_events WHERE provider = 'calcom' AND tenant_id = ${lit(world.t.id)}
        ORDER BY id DESC LIMIT 1)`);
    assert.equal(jobs, '1');
  });

  test('our own cancellation echoed back by Cal.com flags nothing', async () => {
    const x = bookSql(world, { start: at(8, 0, 2) });
    const e = await waitForEvent(x, 'calcom', (r) => r.state === 'synced', 'synced');
    cancelSql(world, x);
    await waitFor(() => world.calcom.bookings.get(e.external_id).status === 'cancelled',
      { timeoutMs: 15000, what: 'cancelled at Cal.com' });
    const res = await world.calcom.deliver('BOOKING_CANCELLED', world.calcom.bookings.get(e.external_id),
      { key });
    assert.equal(res[0].status, 200);
    await sleep(1500);
    assert.equal(needsReview(x), false);
  });

  test('moved in Cal.com by someone else: flagged for review', async () => {
    const x = bookSql(world, { start: at(9, 0, 2) });
    const e = await waitForEvent(x, 'calcom', (r) => r.state === 'synced', 'synced');
    const old = world.calcom.bookings.get(e.external_id);
    old.status = 'cancelled';
    const moved = { ...old, uid: 'moved-by-owner-1', start: at(10, 0, 2), end: at(11, 0, 2),
      status: 'accepted', rescheduledFromUid: old.uid };
    world.calcom.bookings.set(moved.uid, moved);
    const res = await world.calcom.deliver('BOOKING_RESCHEDULED', moved, { key });
    assert.equal(res[0].status, 200);
    await waitFor(() => needsReview(x), { timeoutMs: 15000, what: 'needs_review' });
  });
});

describe('Cal.com rate limit', () => {
  test('a burst of lookups never sends Cal.com more than the limit in any minute', async () => {
    // A world of its own with a small limit, so the test takes seconds.
    const w2 = await calendarWorld({ env: { CALCOM_RATE_PER_MIN: '12' } });
    try {
      const r = await connectCalcom(w2, { staffId: w2.t.staff[0] });
      assert.equal(r.res.status, 201, r.res.text);
      // 30 lookups of distinct days: every one a cache miss.
      const results = [];
      for (let d = 1; d <= 30; d++) {
        results.push(await busy(w2, [w2.t.staff[0]], at(0, 0, d), at(0, 0, d + 1)));
      }
      assert.equal(results.length, 30, 'every lookup answered');
      assert.ok(w2.calcom.maxPerMinute(r.key) <= 12,
        `Cal.com saw ${w2.calcom.maxPerMinute(r.key)} requests in a minute`);
      assert.ok(w2.srv.logs().some((l) => l.msg === 'calendar busy times unavailable; using cached'
        && l.status === 'RATE_LIMITED'), 'the limiter said no at some point');
      assert.equal(w2.calcom.seen(undefined, '/v2/').filter((x) => x.failed).length, 0);
    } finally {
      await stopWorld(w2);
    }
  });

  test('a 429 from Cal.com pauses calls for its Retry-After', async () => {
    adminSql(`UPDATE calendar_busy_cache SET fetched_at = now() - interval '1 day'
      WHERE tenant_id = ${lit(world.t.id)}`);
    adminSql(`DELETE FROM calendar_rate_buckets WHERE tenant_id = ${lit(world.t.id)}`);
    world.calcom.fail({ method: 'GET', path: '/v2/slots', status: 429, retryAfter: 30 });
    const n = world.calcom.seen('GET', '/v2/slots').length;
    await busy(world, [staffA()], at(0), at(0, 0, 2));
    await busy(world, [staffA()], at(0), at(0, 0, 3));
    await busy(world, [staffA()], at(0, 0, 3), at(0, 0, 4));
    assert.equal(world.calcom.seen('GET', '/v2/slots').length, n + 1,
      'nothing sent after the 429 until its Retry-After');
    const blocked = adminSql(`SELECT blocked_until > now() + interval '20 seconds'
      FROM calendar_rate_buckets WHERE tenant_id = ${lit(world.t.id)} AND provider = 'calcom'`);
    assert.equal(blocked, 't');
  });
});

describe('disconnecting', () => {
  test('DELETE removes the connection and its secrets; the list no longer shows it', async () => {
    const res = await world.owner.del(`/v1/admin/calendar/connections/${conn}`);
    assert.equal(res.status, 204, res.text);
    const row = JSON.parse(adminSql(`SELECT row_to_json(c)::text FROM calendar_connections c
      WHERE id = ${lit(conn)}`));
    assert.equal(row.status, 'revoked');
    assert.equal(row.secret_ct, null);
    assert.equal(row.webhook_ct, null);
    assert.ok(row.deleted_at);
    const list = await world.owner.get('/v1/admin/calendar/connections');
    assert.ok(!list.json.items.some((c) => c.id === conn));
    assert.equal((await world.owner.del(`/v1/admin/calendar/connections/${conn}`)).status, 404);
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE target_id = ${lit(conn)}
      AND action = 'calendar_connection.deleted'`), '1');
    // Its webhooks are refused now.
    const hook = world.calcom.webhooks.find((w) => w.key === key);
    const res2 = await world.calcom.deliver('BOOKING_CREATED', { uid: 'x', start: at(1), end: at(2) },
      { url: hook.subscriberUrl, secret: hook.secret });
    assert.equal(res2[0].status, 401);
    assert.deepEqual(await busy(world, [staffA()], at(0), at(0, 0, 2)), []);
  });
});
