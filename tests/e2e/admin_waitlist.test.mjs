// admin_waitlist.test.mjs — the Waitlist page in a real browser, as the
// owner who uses it: "slots refilled" and the revenue recovered, who waits
// for what and how they will be told, a status filter, and taking someone
// off the list from the keyboard (audited). A VIEWER sees the list without
// Remove; STAFF (no customers permission) do not get the page in the
// navigation. axe on the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, launch, lit, localDate, makeBookable,
  startServer } from './lib.mjs';
import { assertAccessible, open, shot, signedIn } from './admin_lib.mjs';

after(killAll);

// Wendy waits (e-mail, mornings); Sid took a freed time from an offer
// (a 45.00 booking); Lea left.
function seed(t) {
  const { staff, services } = makeBookable(t, [{ name: 'Colour', minutes: 60, price: 4500 }]);
  const T = lit(t.id);
  const day = localDate(t, 3);
  const cust = adminSql(`INSERT INTO customers (tenant_id, name, phone) VALUES (${T}, 'Sid', '+14155550177')
    RETURNING id`).split('\n')[0];
  const booking = adminSql(`INSERT INTO bookings (tenant_id, reference, customer_id, source, starts_at,
      ends_at, total_minor, currency) VALUES (${T}, 'WXTEST', ${lit(cust)}, 'portal',
      ${lit(`${day}T10:00:00Z`)}, ${lit(`${day}T11:00:00Z`)}, 4500, 'USD') RETURNING id`).split('\n')[0];
  const entry = (name, contact, channel, status, part, extra = '') => adminSql(`INSERT INTO waitlist_entries
      (tenant_id, service_id, day, part_of_day, name, email, phone, channel, status, leave_token_hash
      ${extra ? ', booking_id' : ''})
    VALUES (${T}, ${lit(services.Colour)}, ${lit(day)}, ${lit(part)}, ${lit(name)},
      ${channel === 'email' ? lit(contact) : 'NULL'}, ${channel === 'sms' ? lit(contact) : 'NULL'},
      ${lit(channel)}, ${lit(status)}, sha256(convert_to(${lit(name + t.id)}, 'UTF8'))
      ${extra ? `, ${lit(extra)}` : ''}) RETURNING id`).split('\n')[0];
  const wendy = entry('Wendy', 'wendy@example.com', 'email', 'waiting', 'morning');
  const sid = entry('Sid', '+14155550177', 'sms', 'booked', 'any', booking);
  entry('Lea', 'lea@example.com', 'email', 'cancelled', 'evening');
  adminSql(`INSERT INTO waitlist_offers (tenant_id, entry_id, slot_key, service_id, staff_id, starts_at,
      token_hash, status, expires_at, booking_id)
    VALUES (${T}, ${lit(sid)}, 'seed:v2:0', ${lit(services.Colour)}, ${lit(staff)}, ${lit(`${day}T10:00:00Z`)},
      sha256('seed-offer'), 'booked', now(), ${lit(booking)})`);
  return { wendy };
}

describe('waitlist page', () => {
  let srv;
  let browser;
  let t;
  let ids;

  before(async () => {
    t = createTenant({ name: 'Lumen Hair' });
    ids = seed(t);
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '' });
    browser = await launch();
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('the owner sees what the waitlist refilled, who waits, and takes someone off it', async () => {
    const s = await signedIn(browser, srv, t, { role: 'OWNER' });
    await open(s.page, s.url('waitlist'), 'Waitlist');
    assert.ok(await s.page.getByRole('link', { name: 'Waitlist' }).count() >= 1, 'in the navigation');
    await s.page.getByTestId('refilled').waitFor();
    assert.equal(await s.page.getByTestId('refilled').textContent(), '1');
    assert.match(await s.page.getByTestId('revenue').textContent(), /45\.00/);
    await s.page.waitForFunction(() => document.querySelectorAll('table.waitlist-table tbody tr').length === 3);
    const wendy = s.page.locator('tr[data-status="waiting"]');
    assert.match(await wendy.textContent(), /Wendy.*Colour.*morning.*e-mail to wendy@example\.com.*Waiting/);
    assert.match(await s.page.locator('tr[data-status="booked"]').textContent(),
      /Sid.*text to \+14155550177.*Booked from an offer/);
    await assertAccessible(s.page, 'waitlist');
    await shot(s.page, 'lumen', 'waitlist');

    await s.page.getByLabel('Status').selectOption('booked');
    await s.page.waitForFunction(() => {
      const r = [...document.querySelectorAll('table.waitlist-table tbody tr')];
      return r.length === 1 && r[0].dataset.status === 'booked';
    });
    await s.page.getByLabel('Status').selectOption('');
    await s.page.waitForFunction(() => document.querySelectorAll('table.waitlist-table tbody tr').length === 3);

    // Only the waiting entry can be removed; from the keyboard, confirming.
    assert.equal(await s.page.getByRole('button', { name: /from the waitlist$/ }).count(), 1);
    s.page.once('dialog', (d) => d.accept());
    const btn = s.page.getByRole('button', { name: 'Remove Wendy from the waitlist' });
    await btn.focus();
    await s.page.keyboard.press('Enter');
    await s.page.locator('tr[data-status="cancelled"]', { hasText: 'Wendy' }).waitFor();
    assert.equal(adminSql(`SELECT status FROM waitlist_entries WHERE id = ${lit(ids.wendy)}`), 'cancelled');
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND action = 'waitlist.removed' AND target_id = ${lit(ids.wendy)}`), '1');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a viewer sees the list without Remove; staff do not get the page', async () => {
    const v = await signedIn(browser, srv, t, { role: 'VIEWER' });
    await open(v.page, v.url('waitlist'), 'Waitlist');
    await v.page.waitForFunction(() => document.querySelectorAll('table.waitlist-table tbody tr').length === 3);
    assert.equal(await v.page.getByRole('button', { name: /from the waitlist$/ }).count(), 0);
    await v.ctx.close();

    const st = await signedIn(browser, srv, t, { role: 'STAFF' });
    await st.page.goto(st.url('today'));
    await st.page.getByRole('heading', { level: 1 }).waitFor();
    assert.equal(await st.page.getByRole('link', { name: 'Waitlist' }).count(), 0);
    await st.ctx.close();
  });
});
