// booking_lib.mjs — helpers for the scheduling suites (booking*.test.mjs,
// race*.test.mjs): a business with services, staff, hours and resources
// made in SQL, future dates, and the public booking calls on the tenant's
// host.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { adminSql, cli, lit, randomSlug } from './lib.mjs';

export const CUT = '11111111-1111-4111-8111-000000000001';
export const COLOR = '11111111-1111-4111-8111-000000000002';
export const WASH = '11111111-1111-4111-8111-000000000003';	// an add-on of CUT
export const CHAIR = '22222222-2222-4222-8222-000000000001';
export const staffId = (i) => `33333333-3333-4333-8333-${String(i + 1).padStart(12, '0')}`;

// A tenant with:
//   - services CUT (30 min, 25.00, needs 1 CHAIR when chairs > 0) and
//     COLOR (60 min, 60.00, 15 min buffer after), add-on WASH (15 min, 5.00);
//   - staff named in `staff`, each doing both services, working `hours`
//     every day; business hours the same;
//   - settings: no minimum notice by default, 15-minute grid.
export function salon({ zone = 'UTC', plan = 'pro', staff = ['Ann'], chairs = 0,
  opens = '09:00', closes = '17:00', minNotice = 0, maxDaysAhead = 60, step = 15,
  holdMinutes = 5, windowHours = 0 } = {}) {
  const slug = randomSlug('bk');
  const out = cli('tenant', 'create', '--slug', slug, '--name', `Salon ${slug}`, '--timezone',
    zone, '--plan', plan);
  const id = /created tenant ([0-9a-f-]{36})/.exec(out)[1];
  const t = { id, slug, host: `${slug}.localhost`, zone, staff: staff.map((n, i) => ({ id: staffId(i), name: n })) };
  const T = lit(id);
  adminSql(`
    INSERT INTO services (tenant_id, id, name, duration_minutes, price_minor, currency,
        buffer_after_minutes) VALUES
      (${T}, '${CUT}', 'Cut', 30, 2500, 'USD', 0),
      (${T}, '${COLOR}', 'Color', 60, 6000, 'USD', 15);
    INSERT INTO service_addons (tenant_id, id, service_id, name, price_minor, currency,
        duration_minutes) VALUES (${T}, '${WASH}', '${CUT}', 'Wash', 500, 'USD', 15);
    ${t.staff.map((s) => `INSERT INTO staff (tenant_id, id, display_name)
        VALUES (${T}, '${s.id}', ${lit(s.name)});`).join('\n')}
    INSERT INTO staff_services (tenant_id, staff_id, service_id)
      SELECT ${T}, s.id, v.id FROM staff s CROSS JOIN services v
      WHERE s.tenant_id = ${T} AND v.tenant_id = ${T};
    INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
      SELECT ${T}, s.id, d, '${opens}', '${closes}' FROM staff s, generate_series(1, 7) d
      WHERE s.tenant_id = ${T};
    INSERT INTO business_hours (tenant_id, weekday, opens, closes)
      SELECT ${T}, d, '${opens}', '${closes}' FROM generate_series(1, 7) d;
    UPDATE scheduling_settings SET min_notice_minutes = ${minNotice},
      max_days_ahead = ${maxDaysAhead}, slot_step_minutes = ${step},
      hold_minutes = ${holdMinutes} WHERE tenant_id = ${T};
    UPDATE tenant_policies SET cancellation_window_hours = ${windowHours} WHERE tenant_id = ${T};
  `);
  if (chairs > 0) {
    adminSql(`INSERT INTO resources (tenant_id, id, name, quantity)
        VALUES (${T}, '${CHAIR}', 'Chair', ${chairs});
      INSERT INTO resource_services (tenant_id, resource_id, service_id)
        VALUES (${T}, '${CHAIR}', '${CUT}')`);
  }
  return t;
}

// "YYYY-MM-DD", n days after today (UTC). Two or more days ahead is a
// future date in every zone.
export function dayAhead(n) {
  return new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
}

export const key = () => `k-${randomBytes(8).toString('hex')}`;

export function bookingBody(start, { services = [{ service_id: CUT }], staffId: sid, hold,
  name = 'Zoe Quinn', email = 'zoe@example.com', phone, notes, sms } = {}) {
  const b = { services, start, customer: { name } };
  if (email) b.customer.email = email;
  if (phone) b.customer.phone = phone;
  if (sid) b.staff_id = sid;
  if (hold) b.hold_token = hold;
  if (notes) b.notes = notes;
  if (sms !== undefined) b.sms_consent = sms;
  return b;
}

export function book(srv, t, body, k = key()) {
  return srv.request({ method: 'POST', path: '/v1/public/bookings', host: t.host,
    headers: { 'idempotency-key': k }, body });
}

export function availability(srv, t, query) {
  return srv.request({ path: `/v1/public/availability?${query}`, host: t.host });
}

// Slot starts offered on date for the query (service CUT by default).
export async function starts(srv, t, date, extra = `service_id=${CUT}`) {
  const r = await availability(srv, t, `${extra}&date=${date}`);
  assert.equal(r.status, 200, r.text);
  return r.json.slots.map((s) => s.start);
}

export function hold(srv, t, body) {
  return srv.request({ method: 'POST', path: '/v1/public/holds', host: t.host, body });
}

export function expect(res, status, what = '') {
  assert.equal(res.status, status, `${what} expected ${status}, got ${res.status}: ${res.text}`);
  return res.json;
}

// Rows of table for tenant t (superuser: RLS hides nothing).
export function count(table, t, where = 'true') {
  return Number(adminSql(`SELECT count(*) FROM ${table} WHERE tenant_id = ${lit(t.id)}
    AND ${where}`));
}
