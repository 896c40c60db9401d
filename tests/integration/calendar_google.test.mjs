// calendar_google.test.mjs — Google Calendar sync against the local fake
// (tests/integration/fakes/google.mjs): the OAuth flow end to end with the
// refresh token stored encrypted and shown nowhere, busy times from
// freeBusy as unavailable time (cached, stale-but-served when Google
// fails), events created/moved/deleted by the calendar.sync job with
// retries through 500s and timeouts, and an event deleted on the calendar
// side flagging its booking for review.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit, request, waitFor } from './lib.mjs';
import { createUser, session, uniqueEmail } from './auth_lib.mjs';
import {
  at, availability, bookSql, busy, calendarWorld, cancelSql, connectGoogle, eventRow, iso,
  moveSql, needsReview, stopWorld, syncJobs, waitForEvent,
} from './calendar_lib.mjs';

let world;

before(async () => {
  world = await calendarWorld();
});

after(async () => {
  await stopWorld(world);
  await killAll();
});

function allLogs() {
  return world.srv.stderr() + (world.worker ? world.worker.stderr() : '');
}

describe('Google OAuth', () => {
  let conn;

  test('authorize gives the consent URL with offline access and a signed state', async () => {
    const a = await world.owner.post('/v1/admin/calendar/google/authorize',
      { staff_id: world.t.staff[0] });
    assert.equal(a.status, 200, a.text);
    const u = new URL(a.json.authorize_url);
    assert.equal(u.origin + u.pathname, `${world.google.url}/o/oauth2/v2/auth`);
    assert.equal(u.searchParams.get('client_id'), 'test-client-id');
    assert.equal(u.searchParams.get('response_type'), 'code');
    assert.equal(u.searchParams.get('access_type'), 'offline');
    assert.equal(u.searchParams.get('prompt'), 'consent');
    assert.equal(u.searchParams.get('redirect_uri'),
      `${world.env.PUBLIC_BASE_URL}/v1/calendar/google/callback`);
    assert.match(u.searchParams.get('scope'), /calendar\.events/);
    assert.match(u.searchParams.get('state'), new RegExp(`^${world.t.id}\\.`));
    assert.equal(a.headers['cache-control'], 'no-store');
  });

  test('consent → callback stores the refresh token encrypted and redirects to the admin',
    async () => {
      const r = await connectGoogle(world, { staffId: world.t.staff[0] });
      assert.equal(r.callback.status, 302, r.callback.text);
      const loc = new URL(r.location);
      assert.equal(loc.pathname, '/admin/calendar');
      assert.equal(loc.searchParams.get('google'), 'connected');
      conn = loc.searchParams.get('connection');
      const row = JSON.parse(adminSql(`SELECT row_to_json(c)::text FROM calendar_connections c
        WHERE id = ${lit(conn)}`));
      assert.equal(row.tenant_id, world.t.id);
      assert.equal(row.provider, 'google');
      assert.equal(row.staff_id, world.t.staff[0]);
      assert.equal(row.external_ref, 'primary');
      assert.equal(row.status, 'active');
      assert.match(row.secret_key_id, /^[0-9a-f]{16}$/);
      // The token Google issued is nowhere in the row in clear.
      const [token] = [...world.google.refreshTokens.keys()];
      assert.ok(token);
      assert.ok(!JSON.stringify(row).includes(token), 'refresh token stored in clear');
      const hex = Buffer.from(token).toString('hex');
      assert.ok(!row.secret_ct.includes(hex), 'refresh token bytes in the ciphertext');
      // The exchange sent the code and the same redirect_uri.
      const ex = world.google.seen('POST', '/token').find((x) => x.body.grant_type === 'authorization_code');
      assert.equal(ex.body.redirect_uri, `${world.env.PUBLIC_BASE_URL}/v1/calendar/google/callback`);
      assert.equal(r.callback.headers['referrer-policy'], 'no-referrer');
      const audit = adminSql(`SELECT actor_type || ' ' || actor_id || ' ' || action FROM audit_log
        WHERE tenant_id = ${lit(world.t.id)} AND target_id = ${lit(conn)}`);
      assert.equal(audit, `user ${world.owner.userId} calendar_connection.created`);
    });

  test('the list shows the connection and never a secret; logs hold no token or code', async () => {
    const res = await world.owner.get('/v1/admin/calendar/connections');
    assert.equal(res.status, 200, res.text);
    const c = res.json.items.find((x) => x.id === conn);
    assert.ok(c, res.text);
    assert.equal(c.provider, 'google');
    assert.equal(c.calendar_id, 'primary');
    assert.equal(c.status, 'active');
    assert.equal(res.json.next_cursor, null);
    for (const k of Object.keys(c)) assert.ok(!/secret_ct|nonce|key_id|token/.test(k), k);
    const logs = allLogs();
    for (const t of world.google.refreshTokens.keys()) {
      assert.ok(!res.text.includes(t));
      assert.ok(!logs.includes(t), 'refresh token in a log line');
    }
    for (const x of world.google.seen('POST', '/token')) {
      if (x.body.code) assert.ok(!logs.includes(x.body.code), 'authorisation code in a log line');
    }
    for (const t of world.google.accessTokens.keys()) assert.ok(!logs.includes(t));
  });

  test('a state is single-use, signed, and expires with its row', async () => {
    const a = await world.owner.post('/v1/admin/calendar/google/authorize', {});
    const consent = await fetch(a.json.authorize_url, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location'));
    const before = adminSql(`SELECT count(*) FROM calendar_connections
      WHERE tenant_id = ${lit(world.t.id)}`);
    // Tampered: the tenant part changed (the signature no longer matches).
    const state = back.searchParams.get('state');
    const forged = new URL(back);
    forged.searchParams.set('state', state.replace(/^[0-9a-f-]{36}/, '00000000-0000-4000-8000-000000000000'));
    let r = await request({ port: world.srv.port, path: forged.pathname + forged.search });
    assert.equal(r.status, 400, r.text);
    r = await request({ port: world.srv.port, path: back.pathname + back.search });
    assert.equal(r.status, 302, r.text);
    // Replayed: the row is gone.
    r = await request({ port: world.srv.port, path: back.pathname + back.search });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, 'INVALID_ARGUMENT');
    // The first use made (or replaced) the tenant-wide connection; the
    // replay and the forgery added nothing.
    const after1 = Number(adminSql(`SELECT count(*) FROM calendar_connections
      WHERE tenant_id = ${lit(world.t.id)}`));
    assert.ok(after1 <= Number(before) + 1);
    // The tenant-wide one is removed again for the tests below.
    const id = adminSql(`SELECT id FROM calendar_connections WHERE tenant_id = ${lit(world.t.id)}
      AND staff_id IS NULL AND deleted_at IS NULL`);
    const d = await world.owner.del(`/v1/admin/calendar/connections/${id}`);
    assert.equal(d.status, 204, d.text);
  });

  test('consent refused at Google: back to the admin, nothing stored', async () => {
    world.google.deny = true;
    try {
      const n = adminSql(`SELECT count(*) FROM calendar_connections WHERE tenant_id = ${lit(world.t.id)}`);
      const r = await connectGoogle(world, { staffId: world.t.staff[1] });
      assert.equal(r.callback.status, 302);
      assert.match(r.location, /google=denied/);
      assert.equal(adminSql(`SELECT count(*) FROM calendar_connections
        WHERE tenant_id = ${lit(world.t.id)}`), n);
    } finally {
      world.google.deny = false;
    }
  });

  test('only writers of channels may connect; viewers may list', async () => {
    const u = createUser({ tenant: world.t, role: 'VIEWER', email: uniqueEmail('viewer') });
    const viewer = await session(world.srv, u.email, { host: world.t.host });
    const l = await viewer.get('/v1/admin/calendar/connections');
    assert.equal(l.status, 200, l.text);
    const a = await viewer.post('/v1/admin/calendar/google/authorize', {});
    assert.equal(a.status, 403, a.text);
    const anon = await request({ port: world.srv.port, path: '/v1/admin/calendar/connections',
      host: world.t.host });
    assert.equal(anon.status, 401);
  });

  test('unknown fields and a bad staff id are refused', async () => {
    let r = await world.owner.post('/v1/admin/calendar/google/authorize', { nope: 1 });
    assert.equal(r.status, 400, r.text);
    r = await world.owner.post('/v1/admin/calendar/google/authorize',
      { staff_id: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f' });
    assert.equal(r.status, 400, r.text);
    assert.ok(r.json.error.details.some((d) => d.field === 'staff_id'));
  });
});

describe('Google busy times', () => {
  test('a busy range blocks only the staff member whose calendar it is', async () => {
    world.google.setBusy('primary', [{ start: at(10), end: at(11) }]);
    const items = await busy(world, world.t.staff, at(0), at(0, 0, 2));
    assert.deepEqual(items, [{ staff_id: world.t.staff[0], start: at(10), end: at(11) }]);
  });

  test('availability does not offer the busy hour for that staff member', async (t) => {
    const slots = await availability(world, at(0).slice(0, 10), world.t.staff[0]);
    if (slots === null) {
      t.skip('GET /v1/public/availability is not mounted in this build');
      return;
    }
    const busyStart = Date.parse(at(10));
    const busyEnd = Date.parse(at(11));
    assert.ok(slots.length > 0);
    for (const s of slots) {
      const a = Date.parse(s.start);
      const b = Date.parse(s.end);
      assert.ok(b <= busyStart || a >= busyEnd, `slot ${s.start} overlaps Google busy time`);
    }
    const other = await availability(world, at(0).slice(0, 10), world.t.staff[1]);
    assert.ok(other.some((s) => s.start.startsWith(at(10).slice(0, 16))),
      'the other staff member is still free at 10:00');
  });

  test('answers are cached: a second lookup does not ask Google', async () => {
    const n = world.google.seen('POST', '/calendar/v3/freeBusy').length;
    await busy(world, world.t.staff, at(0), at(0, 0, 2));
    await busy(world, world.t.staff, at(0), at(0, 0, 2));
    assert.equal(world.google.seen('POST', '/calendar/v3/freeBusy').length, n);
  });

  test('Google failing (500, then a timeout) serves the stale cache and warns', async () => {
    adminSql(`UPDATE calendar_busy_cache SET fetched_at = now() - interval '1 day'
      WHERE tenant_id = ${lit(world.t.id)}`);
    world.google.fail({ method: 'POST', path: '/calendar/v3/freeBusy', status: 500 });
    let items = await busy(world, world.t.staff, at(0), at(0, 0, 2));
    assert.deepEqual(items, [{ staff_id: world.t.staff[0], start: at(10), end: at(11) }]);
    world.google.fail({ method: 'POST', path: '/calendar/v3/freeBusy', delayMs: 2500 });
    const t0 = Date.now();
    items = await busy(world, world.t.staff, at(0), at(0, 0, 2));
    assert.deepEqual(items, [{ staff_id: world.t.staff[0], start: at(10), end: at(11) }]);
    assert.ok(Date.now() - t0 < 2400, 'the lookup waited past the configured timeout');
    await waitFor(() => world.srv.logs().filter((l) =>
      l.msg === 'calendar busy times unavailable; using cached').length >= 2,
    { what: 'two warnings' });
    const row = JSON.parse(adminSql(`SELECT row_to_json(c)::text FROM calendar_connections c
      WHERE tenant_id = ${lit(world.t.id)} AND staff_id = ${lit(world.t.staff[0])}
      AND deleted_at IS NULL`));
    assert.equal(row.status, 'active', 'a transient failure leaves the connection active');
    assert.ok(row.last_error);
    // Google back: a fresh answer clears the error.
    adminSql(`UPDATE calendar_busy_cache SET fetched_at = now() - interval '1 day'
      WHERE tenant_id = ${lit(world.t.id)}`);
    await busy(world, world.t.staff, at(0), at(0, 0, 2));
    assert.equal(adminSql(`SELECT last_error IS NULL FROM calendar_connections
      WHERE id = ${lit(row.id)}`), 't');
  });
});

describe('Google event sync', () => {
  test('a booking becomes an event with UTC times; a move patches it; a cancel deletes it',
    async () => {
      const start = at(14);
      const b = bookSql(world, { start });
      const e = await waitForEvent(b, 'google', (x) => x.state === 'synced', 'event synced');
      assert.equal(e.external_id, `rcp${b.replace(/-/g, '')}`);
      const ev = world.google.events.get(`primary/${e.external_id}`);
      assert.equal(ev.start.dateTime, start);
      assert.equal(ev.end.dateTime, iso(Date.parse(start) + 3600000));
      assert.equal(ev.start.timeZone, 'UTC');
      assert.equal(ev.extendedProperties.private.rcp_booking_id, b);
      assert.match(ev.summary, /Haircut — Jane Doe/);
      assert.equal(ev.attendees, undefined, 'no attendees: Google must not e-mail customers');

      moveSql(world, b, at(15));
      await waitFor(() => world.google.events.get(`primary/${e.external_id}`).start.dateTime === at(15),
        { timeoutMs: 20000, what: 'event moved' });
      await waitForEvent(b, 'google', (x) => x.state === 'synced'
        && Date.parse(x.synced_starts_at) === Date.parse(at(15)), 'move recorded');

      cancelSql(world, b);
      await waitFor(() => world.google.events.get(`primary/${e.external_id}`).status === 'cancelled',
        { timeoutMs: 20000, what: 'event deleted' });
      await waitForEvent(b, 'google', (x) => x.external_id === null, 'delete recorded');
      assert.equal(needsReview(b), false);
    });

  test('Google answering 500 twice: the job retries and the event lands', async () => {
    world.google.fail({ method: 'POST', path: /\/events$/, status: 500, times: 2 });
    const b = bookSql(world, { start: at(9) });
    await waitFor(() => {
      const e = eventRow(b, 'google');
      return e && e.state === 'pending' && e.last_error;
    }, { timeoutMs: 15000, what: 'failure recorded while retrying' });
    const st = await world.owner.get(`/v1/admin/calendar/sync-status?booking_id=${b}`);
    assert.equal(st.status, 200);
    assert.match(st.json.items[0].last_error, /500/);
    const e = await waitForEvent(b, 'google', (x) => x.state === 'synced', 'synced after retries');
    assert.equal(e.last_error, null);
    assert.ok(syncJobs(b)[0].attempts >= 3, 'the job ran three times');
    assert.equal(world.google.eventsOf('primary').filter((x) =>
      x.extendedProperties?.private?.rcp_booking_id === b).length, 1);
  });

  test('a timeout after Google created the event does not make a second one', async () => {
    world.google.fail({ method: 'POST', path: /\/events$/, delayMs: 2500, times: 1 });
    const b = bookSql(world, { start: at(7) });
    const e = await waitForEvent(b, 'google', (x) => x.state === 'synced', 'synced after timeout');
    assert.equal(world.google.eventsOf('primary').filter((x) => x.id === e.external_id).length, 1);
  });

  test('failing on every attempt marks the sync failed and shows it in the admin', async () => {
    world.google.fail({ method: 'POST', path: /\/events$/, status: 503, times: 50 });
    const b = bookSql(world, { start: at(6) });
    const e = await waitForEvent(b, 'google', (x) => x.state === 'failed', 'failed', 30000);
    assert.match(e.last_error, /503/);
    world.google.clearFailures();
    const list = await world.owner.get('/v1/admin/calendar/sync-status');
    assert.equal(list.status, 200);
    const item = list.json.items.find((x) => x.booking_id === b);
    assert.equal(item.state, 'failed');
    assert.equal(adminSql(`SELECT status FROM bookings WHERE id = ${lit(b)}`), 'CONFIRMED',
      'the booking stands');
    // An admin retries it by hand.
    const r = await world.owner.post(`/v1/admin/calendar/bookings/${b}/resync`, {});
    assert.equal(r.status, 202, r.text);
    await waitForEvent(b, 'google', (x) => x.state === 'synced', 'synced after resync');
  });

  test('an event deleted in Google Calendar flags its booking for review', async () => {
    const b = bookSql(world, { start: at(16) });
    const e = await waitForEvent(b, 'google', (x) => x.state === 'synced', 'synced');
    world.google.deleteRemote('primary', e.external_id);
    const r = await request({ port: world.srv.port, method: 'POST',
      path: '/v1/test/calendar/reconcile', host: world.t.host });
    assert.equal(r.status, 202, r.text);
    await waitFor(() => needsReview(b), { timeoutMs: 20000, what: 'needs_review' });
    assert.equal(eventRow(b, 'google').state, 'deleted_remote');
    assert.equal(adminSql(`SELECT status FROM bookings WHERE id = ${lit(b)}`), 'CONFIRMED',
      'never silently cancelled');
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(world.t.id)}
      AND target_id = ${lit(b)} AND action = 'booking.flagged_for_review'`), '1');
    // A later move does not recreate the event behind the reviewer's back.
    moveSql(world, b, at(17));
    await waitFor(() => syncJobs(b).every((j) => j.status === 'done'), { timeoutMs: 15000,
      what: 'sync done' });
    assert.equal(world.google.events.get(`primary/${e.external_id}`).status, 'cancelled');
  });

  test('a revoked grant puts the connection in error, visible in the list', async () => {
    // Revoking also kills the access tokens: the next call gets a 401, the
    // refresh gets invalid_grant, and a person must reconnect.
    world.google.revokeAll();
    const b = bookSql(world, { start: at(18) });
    await waitFor(() => adminSql(`SELECT status FROM calendar_connections
      WHERE tenant_id = ${lit(world.t.id)} AND staff_id = ${lit(world.t.staff[0])}
      AND deleted_at IS NULL`) === 'error', { timeoutMs: 20000, what: 'connection in error' });
    const list = await world.owner.get('/v1/admin/calendar/connections');
    const c = list.json.items.find((x) => x.staff_id === world.t.staff[0]);
    assert.equal(c.status, 'error');
    assert.match(c.last_error, /invalid_grant/);
    assert.notEqual(eventRow(b, 'google')?.state, 'synced');
    // An errored connection no longer feeds availability (nothing stale
    // from a calendar we cannot read any more)...
    adminSql(`UPDATE calendar_busy_cache SET fetched_at = now() - interval '1 day'
      WHERE tenant_id = ${lit(world.t.id)}`);
    assert.deepEqual(await busy(world, world.t.staff, at(0), at(0, 0, 2)), []);
    // ...and reconnecting through the same consent flow makes it active
    // again, in place (same id).
    const r = await connectGoogle(world, { staffId: world.t.staff[0] });
    assert.equal(r.callback.status, 302, r.callback.text);
    assert.equal(new URL(r.location).searchParams.get('connection'), c.id);
    assert.equal(adminSql(`SELECT status FROM calendar_connections WHERE id = ${lit(c.id)}`),
      'active');
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE target_id = ${lit(c.id)}
      AND action = 'calendar_connection.reconnected'`), '1');
    // Reconnected in this process: its busy times count again at once.
    world.google.setBusy('primary', [{ start: at(10), end: at(11) }]);
    adminSql(`UPDATE calendar_busy_cache SET fetched_at = now() - interval '1 day'
      WHERE tenant_id = ${lit(world.t.id)}`);
    assert.ok(blocksTen(await busy(world, world.t.staff, at(0), at(0, 0, 2))));
  });

  // Whether staff 0 is busy over 10:00-11:00 (the events synced earlier
  // are busy times on the calendar too).
  const blocksTen = (items) => items.some((x) => x.staff_id === world.t.staff[0]
    && Date.parse(x.start) <= Date.parse(at(10)) && Date.parse(x.end) >= Date.parse(at(11)));

  test('"no calendar connected" is kept, and dropped when one comes back elsewhere', async () => {
    // Another process (here: SQL) takes the only connection out and puts it
    // back; the server learns both from the tenant_changed NOTIFY.
    const id = adminSql(`SELECT id FROM calendar_connections WHERE tenant_id = ${lit(world.t.id)}
      AND deleted_at IS NULL AND status = 'active'`);
    assert.ok(id && !id.includes('\n'), `one active connection: ${id}`);
    adminSql(`UPDATE calendar_connections SET status = 'error' WHERE id = ${lit(id)}`);
    await waitFor(async () => (await busy(world, world.t.staff, at(0), at(0, 0, 2))).length === 0,
      { what: 'the errored connection to stop counting' });
    // Now "none" is kept: without the NOTIFY it would hide the connection
    // for the cache's lifetime (TENANT_CACHE_TTL_S), longer than this wait.
    assert.deepEqual(await busy(world, world.t.staff, at(0), at(0, 0, 2)), []);
    adminSql(`UPDATE calendar_connections SET status = 'active' WHERE id = ${lit(id)}`);
    adminSql(`UPDATE calendar_busy_cache SET fetched_at = now() - interval '1 day'
      WHERE tenant_id = ${lit(world.t.id)}`);
    await waitFor(async () => blocksTen(await busy(world, world.t.staff, at(0), at(0, 0, 2))),
      { what: 'the connection to count again' });
  });
});
