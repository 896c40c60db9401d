// calendar_lib.mjs — helpers for the calendar suites (calendar*.test.mjs):
// the fake Google and Cal.com servers, a tenant with a service and two
// staff members working every day (in UTC, so times read plainly), a
// server and a worker pointed at the fakes, the OAuth dance as a browser
// would do it, bookings made the way the booking service makes them, and
// reads of what the database holds.
import { adminSql, createTenant, freePort, lit, request, sleep, spawnProcess, startWorker,
  waitFor } from './lib.mjs';
import { AUTH_ENV, createUser, session, uniqueEmail } from './auth_lib.mjs';
import { FakeCalcom } from './fakes/calcom.mjs';
import { FakeGoogle } from './fakes/google.mjs';

export { FakeCalcom, FakeGoogle };

// Tomorrow (UTC) at hh:mm as an ISO string; days shifts further.
export function at(hh, mm = 0, days = 1) {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + days, hh, mm))
    .toISOString().replace('.000Z', 'Z');
}

export const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

// A tenant on a plan with calendar sync, open 00:00–24:00 every day in
// UTC, with one 60-minute service and two staff members who do it.
export function seedTenant({ plan = 'pro' } = {}) {
  const t = createTenant({ plan });
  adminSql(`UPDATE tenant_profiles SET timezone = 'UTC' WHERE tenant_id = ${lit(t.id)}`);
  adminSql(`UPDATE scheduling_settings SET min_notice_minutes = 0 WHERE tenant_id = ${lit(t.id)}`);
  for (let wd = 1; wd <= 7; wd++) {
    adminSql(`INSERT INTO business_hours (tenant_id, weekday, opens, closes)
      VALUES (${lit(t.id)}, ${wd}, '00:00', '23:59')`);
  }
  t.serviceId = adminSql(`INSERT INTO services (tenant_id, name, duration_minutes, price_minor,
    currency) VALUES (${lit(t.id)}, 'Haircut', 60, 3000, 'USD') RETURNING id`).split('\n')[0];
  t.staff = ['Ann', 'Bob'].map((name) => {
    const id = adminSql(`INSERT INTO staff (tenant_id, display_name) VALUES (${lit(t.id)},
      ${lit(name)}) RETURNING id`).split('\n')[0];
    adminSql(`INSERT INTO staff_services (tenant_id, staff_id, service_id)
      VALUES (${lit(t.id)}, ${lit(id)}, ${lit(t.serviceId)})`);
    for (let wd = 1; wd <= 7; wd++) {
      adminSql(`INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
        VALUES (${lit(t.id)}, ${lit(id)}, ${wd}, '00:00', '23:59')`);
    }
    return id;
  });
  return t;
}

// Fakes, a tenant, `serve` and `worker` with the same environment, and a
// signed-in owner. env overrides the defaults.
export async function calendarWorld({ env = {}, plan = 'pro', calcomLimit = 120, worker = true } = {}) {
  const google = await new FakeGoogle().start();
  const calcom = await new FakeCalcom({ limit: calcomLimit }).start();
  const t = seedTenant({ plan });
  const base = {
    ...AUTH_ENV,
    ...google.env(),
    ...calcom.env(),
    JOB_BACKOFF_BASE_S: '1',
    JOB_CONCURRENCY: '2',
    CALENDAR_TIMEOUT_MS: '1500',
    CALENDAR_CONNECT_TIMEOUT_MS: '1000',
    CALENDAR_BUSY_TTL_S: '300',
    ...env,
  };
  // The OAuth redirect and the Cal.com webhook URL point back at us, so
  // the port is chosen before the server starts.
  const port = await freePort();
  const full = { ...base, PUBLIC_BASE_URL: `http://localhost:${port}` };
  const srv = await serveOn(port, full);
  const w = worker ? await startWorker(full) : null;
  const u = createUser({ tenant: t, role: 'OWNER', email: uniqueEmail('cal-owner') });
  const owner = await session(srv, u.email, { host: t.host });
  owner.userId = u.id;
  return { google, calcom, t, srv, worker: w, owner, env: full };
}

// `receptionist serve` on a given port, once /healthz answers.
export async function serveOn(port, env) {
  const h = spawnProcess('serve', { ...env, PORT: String(port) });
  h.port = port;
  await waitFor(async () => {
    if (!h.running()) throw new Error(`serve exited early:\n${h.stderr()}`);
    const r = await request({ port, path: '/healthz', timeoutMs: 1000 }).catch(() => null);
    return r?.status === 200;
  }, { timeoutMs: 15000, what: 'serve healthy' });
  return h;
}

export async function stopWorld(world) {
  await world?.google?.stop();
  await world?.calcom?.stop();
}

// The whole Google consent as a browser: authorize → the fake consent
// page (which redirects) → our callback (which redirects to the admin).
export async function connectGoogle(world, { staffId, calendarId } = {}) {
  const body = {};
  if (staffId !== undefined) body.staff_id = staffId;
  if (calendarId !== undefined) body.calendar_id = calendarId;
  const a = await world.owner.post('/v1/admin/calendar/google/authorize', body);
  if (a.status !== 200) throw new Error(`authorize: ${a.status} ${a.text}`);
  const consent = await fetch(a.json.authorize_url, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location'));
  const cb = await request({ port: world.srv.port, path: back.pathname + back.search });
  return { authorize: a, consent, callback: cb, location: cb.headers.location };
}

// Connects a Cal.com key (registered at the fake first).
export async function connectCalcom(world, { key = `cal_live_${Math.random().toString(36).slice(2)}`,
  eventTypeId = 1001, staffId, webhookSecret } = {}) {
  if (!world.calcom.keys.has(key)) world.calcom.addKey(key, [eventTypeId]);
  const body = { api_key: key, event_type_id: eventTypeId };
  if (staffId !== undefined) body.staff_id = staffId;
  if (webhookSecret !== undefined) body.webhook_secret = webhookSecret;
  const res = await world.owner.post('/v1/admin/calendar/calcom', body);
  return { res, key };
}

// Busy times as availability sees them (the test-only route).
export async function busy(world, staffIds, from, to) {
  const q = new URLSearchParams({ staff_id: staffIds.join(','), from, to });
  const res = await request({ port: world.srv.port, path: `/v1/test/calendar/busy?${q}`,
    host: world.t.host });
  if (res.status !== 200) throw new Error(`busy: ${res.status} ${res.text}`);
  return res.json.items;
}

// Availability through the public API, or null when it is not mounted.
export async function availability(world, date, staffId) {
  const q = new URLSearchParams({ service_id: world.t.serviceId, date, days: '1' });
  if (staffId) q.set('staff_id', staffId);
  const res = await request({ port: world.srv.port, path: `/v1/public/availability?${q}`,
    host: world.t.host });
  if (res.status === 404 && res.json?.error?.code === 'NOT_FOUND' && /No route/.test(res.text)) {
    return null;
  }
  if (res.status !== 200) throw new Error(`availability: ${res.status} ${res.text}`);
  return res.json.slots;
}

let refSeq = 0;
function reference() {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  let n = Date.now() * 1000 + (refSeq++ % 1000);
  let s = '';
  for (let i = 0; i < 6; i++) { s += alphabet[n % alphabet.length]; n = Math.floor(n / alphabet.length); }
  return s;
}

// A booking written as the booking service writes one (customer, booking,
// item) plus its calendar.sync job in the same transaction.
export function bookSql(world, { staffId = world.t.staff[0], start, minutes = 60,
  email = 'jane@example.test', name = 'Jane Doe' }) {
  const t = world.t;
  const end = iso(Date.parse(start) + minutes * 60000);
  const out = adminSql(`WITH c AS (INSERT INTO customers (tenant_id, name, email)
      VALUES (${lit(t.id)}, ${lit(name)}, ${lit(`${Math.random().toString(36).slice(2)}-${email}`)})
      RETURNING id),
    b AS (INSERT INTO bookings (tenant_id, reference, customer_id, source, starts_at, ends_at)
      SELECT ${lit(t.id)}, ${lit(reference())}, c.id, 'admin', ${lit(start)}, ${lit(end)} FROM c
      RETURNING id),
    i AS (INSERT INTO booking_items (tenant_id, booking_id, position, service_id, staff_id,
      starts_at, ends_at) SELECT ${lit(t.id)}, b.id, 0, ${lit(t.serviceId)}, ${lit(staffId)},
      ${lit(start)}, ${lit(end)} FROM b RETURNING booking_id)
    SELECT booking_id FROM i`).split('\n')[0];
  enqueueSync(world, out);
  return out;
}

export function enqueueSync(world, bookingId) {
  adminSql(`INSERT INTO jobs (tenant_id, kind, payload, unique_key, max_attempts)
    VALUES (${lit(world.t.id)}, 'calendar.sync', ${lit(JSON.stringify({ booking_id: bookingId }))},
    ${lit(`${bookingId}:${Math.random()}`)}, 4)`);
}

export function moveSql(world, bookingId, start, minutes = 60) {
  const end = iso(Date.parse(start) + minutes * 60000);
  adminSql(`UPDATE bookings SET starts_at = ${lit(start)}, ends_at = ${lit(end)}
    WHERE id = ${lit(bookingId)}`);
  adminSql(`UPDATE booking_items SET starts_at = ${lit(start)}, ends_at = ${lit(end)}
    WHERE booking_id = ${lit(bookingId)}`);
  enqueueSync(world, bookingId);
}

export function cancelSql(world, bookingId) {
  adminSql(`UPDATE bookings SET status = 'CANCELLED', cancelled_at = now()
    WHERE id = ${lit(bookingId)}`);
  enqueueSync(world, bookingId);
}

export function eventRow(bookingId, provider) {
  const row = adminSql(`SELECT row_to_json(e)::text FROM booking_calendar_events e
    WHERE booking_id = ${lit(bookingId)} AND provider = ${lit(provider)}`);
  return row ? JSON.parse(row) : undefined;
}

export function needsReview(bookingId) {
  return adminSql(`SELECT needs_review FROM bookings WHERE id = ${lit(bookingId)}`) === 't';
}

export function syncJobs(bookingId) {
  return JSON.parse(adminSql(`SELECT coalesce(json_agg(j ORDER BY j.id), '[]')::text FROM jobs j
    WHERE kind = 'calendar.sync' AND payload->>'booking_id' = ${lit(bookingId)}`));
}

export async function waitForEvent(bookingId, provider, pred, what, timeoutMs = 20000) {
  return waitFor(() => {
    const e = eventRow(bookingId, provider);
    return e && pred(e) ? e : null;
  }, { timeoutMs, intervalMs: 100, what });
}

export { sleep };
